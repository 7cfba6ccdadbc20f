"""The fast decoder: codes read from the edges of straight lines, the way classical readers read them.

The *sweep* crosses the whole image with rows, columns and both diagonals
(a code at any angle is crossed end to end by lines of one of the four
directions when it is at least 0.4 times as tall as it is long), each line
read by :mod:`barreader._kernels.runs`: its sub-pixel edges, then EAN/UPC
(guards, quiet zones, digits by their edge-to-similar-edge distances,
parity, check digit, and every edge near one smooth placement of the
code's modules) and Code 39 (start and stop ``*``, two widths per
character, gaps, quiet zones), forwards and backwards. The same decoder
reads the band-averaged scanlines of a localized region
(:func:`read_scanlines`).

A text counts when ``agreeing`` lines read it at about the same place and
no other text was read by as many there. Its quality combines the lines'
posteriors, each the probability of the text among the strings the check
digit allows under a Gaussian model of the measured widths
(``1 - prod(1 - p)``, the lines taken as independent evidence).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import numpy as np

from .._kernels.runs import EAN8, EAN13, LAYOUT_MODULES, UPCE
from .._kernels.scan import CODE39, FLOAT_FIELDS, INT_FIELDS, MAX_READS, TEXT_SLOTS, read_profiles, sweep
from ..code39_reader import Code39ReadOptions, finish_text
from ..formats import Format
from ..pyramid import Pyramid
from ..results import Barcode, Region
from ..scanline import Scanline
from ..symbology.code39 import ALPHABET, START_STOP
from ..symbology.upcean import upce_to_upca
from .placement import code_box, true_axis
from .regions import covers, region_level, region_scanlines

__all__ = ["SweepPlan", "PASSES", "LineRead", "Swept", "sweep_lines", "sweep_image", "sweep_picture", "unexplained", "read_scanlines", "read_regions",
           "agreeing", "to_barcodes"]

_CHARACTERS = ALPHABET + START_STOP


@dataclasses.dataclass(frozen=True)
class SweepPlan:
    """How densely the sweep crosses an image, and what settles a text.

    The sweep runs in two passes. The first crosses the image with
    ``coarse_lines`` rows and as many columns, then, if asked and only
    where those settle nothing or see bars no read explains, about as
    many lines along each diagonal; every text read there on too few
    lines is confirmed on short lines beside it. Only when nothing is settled does
    the second pass cross the image densely: rows and columns ``spacing``
    pixels apart (closer on small images, so that there are at least
    ``min_lines`` of each) and, if asked, both diagonals.

    Attributes
    ----------
    coarse_lines : int
        Rows (and columns) of the first pass; 0 skips it.
    spacing : int
        Most pixels between neighbouring lines of the second pass.
    min_lines : int
        Least lines of one direction across the image in the second pass.
    diagonals : bool
        Also sweep both diagonals (codes rotated by 25°-65°).
    dense : bool
        Run the second pass at all.
    levels : tuple of float
        Least edge steps tried on every line, relative to its grey range,
        in order until one reads a code.
    agreeing : int
        Lines that must read a text at one place.
    confirming : tuple of int
        Offsets, in pixels, of the short lines that confirm a read.
    """

    coarse_lines: int = 16
    spacing: int = 8
    min_lines: int = 48
    diagonals: bool = True
    dense: bool = True
    levels: tuple[float, ...] = (0.06, 0.12, 0.03, 0.2)
    agreeing: int = 2
    confirming: tuple[int, ...] = (-3, 3)


@dataclasses.dataclass(frozen=True, eq=False)
class LineRead:
    """One line's reading of one code.

    ``start`` and ``end`` are the image points of the code's first and last
    bar edges in reading order (start guard or start ``*`` first).
    """

    symbology: int  # 0-2: EAN-13, EAN-8, UPC-E layouts; 3: Code 39
    symbols: tuple[int, ...]  # digits, or character indices in ALPHABET + "*"
    line: int
    start: tuple[float, float]
    end: tuple[float, float]
    posterior: float
    edge_error: float  # EAN/UPC: modules the edges lie off a smooth placement
    modules: float  # modules from start to end (Code 39: narrow-element widths)
    span: tuple[float, float]  # the code's samples on its line, in the line's direction
    weakest: float  # the weakest edge's step relative to the code's median step
    centre: tuple[float, float] = dataclasses.field(init=False)
    length: float = dataclasses.field(init=False)

    def __post_init__(self):
        (x0, y0), (x1, y1) = self.start, self.end
        object.__setattr__(self, "centre", (0.5 * (x0 + x1), 0.5 * (y0 + y1)))
        object.__setattr__(self, "length", math.hypot(x1 - x0, y1 - y0))

    @property
    def key(self) -> tuple[int, tuple[int, ...]]:
        return self.symbology, self.symbols


def _rows_and_columns(height: int, width: int, row_step: int, col_step: int) -> np.ndarray:
    ys = np.arange(row_step // 2, height, row_step)
    xs = np.arange(col_step // 2, width, col_step)
    return np.concatenate([
        np.stack([np.zeros_like(ys), ys, np.ones_like(ys), np.zeros_like(ys), np.full_like(ys, width)], axis=1),
        np.stack([xs, np.zeros_like(xs), np.zeros_like(xs), np.ones_like(xs), np.full_like(xs, height)], axis=1),
    ])


def _diagonals(height: int, width: int, step: int) -> np.ndarray:
    # Lines x - y = c (down-right) and x + y = c (down-left).
    offsets = np.arange(-(height - 1) + step // 2, width, step)
    x0 = np.maximum(offsets, 0)
    y0 = x0 - offsets
    down_right = np.stack([x0, y0, np.ones_like(x0), np.ones_like(x0), np.minimum(width - x0, height - y0)], axis=1)
    sums = np.arange(step // 2, width + height - 1, step)
    x0 = np.minimum(sums, width - 1)
    y0 = sums - x0
    down_left = np.stack([x0, y0, -np.ones_like(x0), np.ones_like(x0), np.minimum(x0 + 1, height - y0)], axis=1)
    return np.concatenate([down_right, down_left])


PASSES = ("straight", "slant", "dense")


@functools.lru_cache(maxsize=64)
def sweep_lines(height: int, width: int, plan: SweepPlan, part: str) -> np.ndarray:
    """The lines of one part of the sweep.

    ``part`` is ``"straight"`` or ``"slant"`` (the first pass's rows and
    columns, or its diagonals; none unless ``plan.diagonals``) or
    ``"dense"`` (the second pass). Kept for the
    last image sizes seen (frames of a stream share them); the array
    returned is read-only.

    Returns
    -------
    ndarray of int64, shape (L, 5)
        ``x0, y0, dx, dy, count`` as :func:`barreader._kernels.scan.sweep` takes them.
    """
    if part not in PASSES:
        raise ValueError(f"part must be one of {PASSES}, got {part!r}")
    lines = _sweep_lines(height, width, plan, part)
    lines.flags.writeable = False
    return lines


def _sweep_lines(height: int, width: int, plan: SweepPlan, part: str) -> np.ndarray:
    if part == "dense":
        row_step = max(1, min(plan.spacing, height // plan.min_lines))
        col_step = max(1, min(plan.spacing, width // plan.min_lines))
        parts = [_rows_and_columns(height, width, row_step, col_step)]
        if plan.diagonals:
            parts.append(_diagonals(height, width, max(1, min(row_step, col_step))))
        lines = np.concatenate(parts)
    else:
        n = max(plan.coarse_lines, 1)
        if part == "straight":
            lines = _rows_and_columns(height, width, max(1, height // n), max(1, width // n))
        elif plan.diagonals:
            lines = _diagonals(height, width, max(1, (height + width) // (2 * n)))
        else:
            lines = np.zeros((0, 5))
    lines = lines.astype(np.int64)
    return lines[lines[:, 4] >= 16]


def _clip(line: np.ndarray, height: int, width: int) -> np.ndarray | None:
    """The part of a line ``x0, y0, dx, dy, count`` whose pixels lie inside the image, or None."""
    x0, y0, dx, dy, count = (int(v) for v in line)
    lo, hi = 0, count  # t in [lo, hi): 0 <= x0 + t dx < width, 0 <= y0 + t dy < height
    for start, step, size in ((x0, dx, width), (y0, dy, height)):
        if step == 0:
            if not 0 <= start < size:
                return None
        elif step > 0:
            lo, hi = max(lo, -start), min(hi, size - start)
        else:
            lo, hi = max(lo, start - size + 1), min(hi, start + 1)
    if hi - lo < 16:
        return None
    return np.array([x0 + lo * dx, y0 + lo * dy, dx, dy, hi - lo], dtype=np.int64)


def _lines_beside(reads: Sequence[LineRead], lines: np.ndarray, height: int, width: int, offsets) -> np.ndarray:
    """Short lines parallel to each read's line, at ``offsets(read)`` pixels beside it, over the code and its quiet zones."""
    out = []
    for read in reads:
        x0, y0, dx, dy, _ = (int(v) for v in lines[read.line])
        beside = (0, 1) if dy == 0 else (1, 0)  # rows move down; columns and diagonals move right
        a, b = read.span
        margin = CONFIRM_MARGIN * (b - a) / read.modules
        t0 = int(max(math.floor(a - margin), 0))
        t1 = int(math.ceil(b + margin))
        for offset in offsets(read):
            line = np.array([x0 + t0 * dx + offset * beside[0], y0 + t0 * dy + offset * beside[1], dx, dy, t1 - t0])
            clipped = _clip(line, height, width)
            if clipped is not None:
                out.append(clipped)
    return np.array(out, dtype=np.int64).reshape(-1, 5)


def _spread(group: list[LineRead]) -> float:
    """How far apart, across the code, the lines of a group read it."""
    (x0, y0), (x1, y1) = group[0].start, group[0].end
    nx, ny = -(y1 - y0) / max(group[0].length, 1e-9), (x1 - x0) / max(group[0].length, 1e-9)
    across = [r.centre[0] * nx + r.centre[1] * ny for r in group]
    return max(across) - min(across)


EDGE_SPREAD = 4.0  # pixels across which edges placed to a tenth of a pixel tell a code's tilt
SPREAD = 0.2  # a group read across less than this share of its code's length is probed farther out (true axis)
PROBES = (-0.3, -0.15, 0.15, 0.3)  # offsets of those probes, in code lengths


CODE_RUN = 40  # edges of a run that may be a whole code unread (an EAN-13 has 60, an EAN-8 44)
CONFIRM_MARGIN = 12.0  # modules of quiet zone and slack on the confirming lines, each side


def _layouts(formats: frozenset[Format]) -> np.ndarray:
    return np.array([bool(formats & {Format.UPCA, Format.EAN13}), Format.EAN8 in formats, Format.UPCE in formats])


def _outputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.empty((MAX_READS, INT_FIELDS), dtype=np.int64), np.empty((MAX_READS, FLOAT_FIELDS)),
            np.empty((MAX_READS, TEXT_SLOTS), dtype=np.int64))


def _line_reads(found: int, out_int, out_float, out_text, origins, steps, first_line: int = 0) -> list[LineRead]:
    """The kernel's reads as :class:`LineRead`; sample ``p`` of line ``i`` lies at ``origins[i] + (p - 0.5) steps[i]``."""
    if found == 0:
        return []
    ints = out_int[:found]
    floats = out_float[:found]
    lines = ints[:, 0]
    low = origins[lines] + (floats[:, 0:1] - 0.5) * steps[lines]
    high = origins[lines] + (floats[:, 1:2] - 0.5) * steps[lines]
    backwards = ints[:, 2].astype(bool)
    starts = np.where(backwards[:, None], high, low).tolist()
    ends = np.where(backwards[:, None], low, high).tolist()
    reads = []
    for i, (line, symbology, _, n_text) in enumerate(ints.tolist()):
        a, b, stat, edge_error, posterior, weakest = floats[i].tolist()
        if symbology == CODE39:
            # Characters of 6 narrow elements and 3 wide ones, and a narrow gap between them.
            modules = n_text * (7.0 + 3.0 * stat) - 1.0
        else:
            modules = float(LAYOUT_MODULES[symbology])
        reads.append(LineRead(symbology, tuple(out_text[i, :n_text].tolist()), line + first_line, tuple(starts[i]),
                              tuple(ends[i]), min(max(posterior, 0.0), 1.0), edge_error, modules, (a, b), weakest))
    return reads


@dataclasses.dataclass
class Swept:
    """What the sweep found: every line's reads, and the runs of bars that no read explains.

    ``runs`` holds, per line with one, the image points where its longest
    unexplained run of bar-like elements (``MIN_RUN`` edges or more, see
    :func:`barreader._kernels.scan.sweep`) starts and ends, and its number
    of edges; ``groups`` the
    reads that settle a code (:func:`agreeing`), once the sweep is done.
    All are in the pixels of the image swept, which is the original
    reduced ``factor`` times (:func:`sweep_picture`).
    """

    reads: list[LineRead]
    runs: list[tuple[tuple[float, float], tuple[float, float], float]]
    groups: list[list[LineRead]] = dataclasses.field(default_factory=list)  # agreeing reads, one group per code
    factor: float = 1.0

    def __iadd__(self, other: "Swept") -> "Swept":
        self.reads += other.reads
        self.runs += other.runs
        return self


def _run(image: np.ndarray, scale: float, lines: np.ndarray, formats: frozenset[Format], plan: SweepPlan,
         first_line: int) -> Swept:
    code39 = Format.CODE39 in formats
    layouts = _layouts(formats)
    if len(lines) == 0 or not (code39 or layouts.any()):
        return Swept([], [])
    out_int, out_float, out_text = _outputs()
    out_runs = np.empty((len(lines), 3))
    if not lines.flags.writeable:
        lines = lines.copy()  # numba types read-only arrays apart: one compiled kernel serves every pass
    found = sweep(image, lines, float(scale), layouts, code39, np.asarray(plan.levels, dtype=np.float64),
                  out_int, out_float, out_text, out_runs)
    # One sample per pixel passed: sample p covers [p, p + 1), its centre on the pixel.
    steps = lines[:, 2:4].astype(np.float64)
    origins = lines[:, :2].astype(np.float64) + 0.5 * steps
    return Swept(_line_reads(found, out_int, out_float, out_text, origins, steps, first_line),
                 _runs(out_runs, origins, steps))


def _runs(out_runs: np.ndarray, origins: np.ndarray, steps: np.ndarray) -> list:
    with_run = np.flatnonzero(out_runs[:, 2] > 0)
    starts = origins[with_run] + (out_runs[with_run, 0:1] - 0.5) * steps[with_run]
    ends = origins[with_run] + (out_runs[with_run, 1:2] - 0.5) * steps[with_run]
    return [(tuple(a), tuple(b), n) for a, b, n in zip(starts.tolist(), ends.tolist(), out_runs[with_run, 2].tolist())]


def sweep_image(image: np.ndarray, scale: float, formats: frozenset[Format], plan: SweepPlan) -> Swept:
    """Every code the sweep's lines read in an image (see :class:`SweepPlan` for its passes).

    Parameters
    ----------
    image : ndarray, shape (H, W)
        uint8 or float32 grey levels.
    scale : float
        Factor taking them to [0, 1].
    formats : frozenset of Format
    plan : SweepPlan

    Returns
    -------
    Swept
        Line numbers count through every line swept, in order.
    """
    height, width = image.shape
    lines = np.zeros((0, 5), dtype=np.int64)
    found = Swept([], [])
    probed: set[int] = set()
    if plan.coarse_lines > 0:
        lines = sweep_lines(height, width, plan, "straight")
        found = _run(image, scale, lines, formats, plan, 0)
        groups = agreeing(found.reads, plan)
        # The diagonals only where the rows and columns settled nothing or
        # saw a run of bars no read explains: they cross a code rotated by
        # 25-65 degrees as such a run.
        if plan.diagonals and _more_wanted(found, groups):
            slant = sweep_lines(height, width, plan, "slant")
            found += _run(image, scale, slant, formats, plan, len(lines))
            lines = np.concatenate([lines, slant])
            groups = agreeing(found.reads, plan)
        lines, groups = _look_closer(image, scale, found, groups, lines, formats, plan, probed, confirm=True)
    else:
        groups = []
    if not groups and plan.dense:
        dense = sweep_lines(height, width, plan, "dense")
        found += _run(image, scale, dense, formats, plan, len(lines))
        lines = np.concatenate([lines, dense])
        groups = agreeing(found.reads, plan)
    if _narrow(groups, probed):
        lines, groups = _look_closer(image, scale, found, groups, lines, formats, plan, probed, confirm=False)
    found.groups = groups
    return found


def sweep_picture(picture: Pyramid, formats: frozenset[Format], plan: SweepPlan, code39: Code39ReadOptions,
                  level: int | None = None) -> tuple[Swept, list[Barcode]]:
    """The sweep over a whole image, on one level of its pyramid, and the codes it settles, in original pixels.

    The level is by default the one the localizers work on
    (:meth:`Pyramid.localizing_level`): the sweep's lines are spaced in
    pixels and its edges found on pixel differences, so a large image is
    swept at about the localizers' size, at a cost that does not grow with
    its pixel count, and wide modules are read as a few pixels each, where
    their edges are steep. Codes too fine for that level are left to the
    region sweep (:func:`read_regions`) and the later stages.
    """
    k = picture.localizing_level() if level is None else level
    image, scale = picture.sweepable if k == 0 else (picture.level(k), 1.0)
    found = sweep_image(image, scale, formats, plan)
    found.factor = 2.0**k
    return found, [_enlarged(code, found.factor) for code in to_barcodes(image, found.groups, formats, code39)]


def _enlarged(code: Barcode, factor: float) -> Barcode:
    """A result read on a level reduced ``factor`` times, in original pixels."""
    if factor == 1.0:
        return code
    extra = dict(code.extra, module_size=code.extra["module_size"] * factor)
    return dataclasses.replace(code, position=(np.asarray(code.position) + 0.5) * factor - 0.5, extra=extra)


def _narrow(groups: list[list[LineRead]], probed: set[int]) -> list[LineRead]:
    """The first read of each group read across too little of its code to tell its axis, and not probed yet."""
    return [g[0] for g in groups
            if _spread(g) < SPREAD * g[0].length and not any(id(r) in probed for r in g)]


def _look_closer(image: np.ndarray, scale: float, found: Swept, groups: list[list[LineRead]], lines: np.ndarray,
                 formats: frozenset[Format], plan: SweepPlan, probed: set[int],
                 confirm: bool) -> tuple[np.ndarray, list[list[LineRead]]]:
    """Read, in one run, the lines that confirm unsettled reads (``confirm``) and probe narrow groups.

    A read no group settles is confirmed on short lines ``plan.confirming``
    pixels beside it; a group whose lines lie close together, which cannot
    tell the axis of a code they cross slantwise, is probed farther out
    (:data:`PROBES`). ``groups`` are those of ``found.reads``. Returns every
    line swept so far and the groups after the new reads.
    """
    height, width = image.shape
    parts = []
    if confirm:
        settled = {id(r) for group in groups for r in group}
        unsettled = [r for r in found.reads if id(r) not in settled]
        if unsettled:
            parts.append(_lines_beside(unsettled, lines, height, width, lambda read: plan.confirming))
    narrow = _narrow(groups, probed)
    if narrow:
        probed.update(id(r) for r in narrow)
        parts.append(_lines_beside(narrow, lines, height, width,
                                   lambda read: [int(round(f * read.length)) for f in PROBES]))
    extra = np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)
    if len(extra) == 0:
        return lines, groups
    found.reads += _run(image, scale, extra, formats, plan, len(lines)).reads
    return np.concatenate([lines, extra]), agreeing(found.reads, plan)


def unexplained(found: Swept, results: Sequence[Barcode]) -> bool:
    """Whether runs of bars the sweep saw on two lines lie at one place away from every code it read.

    Another code, unread, may be there. A run near a read code (its digits,
    the part of its bars its box missed) is explained by it; a run on one
    line only is more often a line of text.
    """
    boxes = [_frame((np.asarray(r.position) + 0.5) / found.factor - 0.5) for r in results]
    return _runs_away([r for r in found.runs if r[2] >= CODE_RUN], boxes)


def _more_wanted(found: Swept, groups: list[list[LineRead]]) -> bool:
    """Whether the first pass's diagonals are wanted: nothing settled, or bars away from what was."""
    return not groups or _runs_away(found.runs, [_group_frame(g) for g in groups])


def _runs_away(runs: Sequence[tuple], boxes: list[tuple]) -> bool:
    away = []
    for (x0, y0), (x1, y1), _ in runs:
        centre = (0.5 * (x0 + x1), 0.5 * (y0 + y1))
        if not any(_near(centre, box) for box in boxes):
            away.append((centre, math.hypot(x1 - x0, y1 - y0)))
    for i, (a, length_a) in enumerate(away):
        for b, length_b in away[i + 1:]:
            if math.hypot(a[0] - b[0], a[1] - b[1]) < 0.5 * min(length_a, length_b):
                return True
    return False


def _group_frame(group: list[LineRead]) -> tuple:
    """The box, as :func:`_frame` gives it, spanned by a group's reads along and across its first read."""
    (x0, y0), (x1, y1) = group[0].start, group[0].end
    length = max(group[0].length, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    along, across = [], []
    for read in group:
        for x, y in (read.start, read.end):
            along.append((x - x0) * ux + (y - y0) * uy)
            across.append((y - y0) * ux - (x - x0) * uy)
    a, b = min(along), min(across)
    return (x0 + a * ux - b * uy, y0 + a * uy + b * ux, ux, uy, -uy, ux,
            max(along) - a, max(across) - b)


def _frame(corners: np.ndarray) -> tuple:
    """A box as its origin, unit axes and sides (plain floats)."""
    (x0, y0), (x1, y1), _, (x3, y3) = corners.tolist()
    length, height = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
    return x0, y0, (x1 - x0) / max(length, 1e-9), (y1 - y0) / max(length, 1e-9), \
        (x3 - x0) / max(height, 1e-9), (y3 - y0) / max(height, 1e-9), length, height


def _near(point: tuple[float, float], box: tuple) -> bool:
    """Whether a point lies on a box grown by a quarter of its length (the code's) on every side."""
    x0, y0, ux, uy, vx, vy, length, height = box
    dx, dy = point[0] - x0, point[1] - y0
    a, b = dx * ux + dy * uy, dx * vx + dy * vy
    margin = 0.25 * length
    return -margin <= a <= length + margin and -margin <= b <= height + margin


def read_scanlines(scanlines: Sequence[Scanline], formats: frozenset[Format], plan: SweepPlan,
                   first_line: int = 0) -> list[LineRead]:
    """Every code the fast decoder reads on sampled scanlines (numbered from ``first_line``)."""
    code39 = Format.CODE39 in formats
    layouts = _layouts(formats)
    if not scanlines or not (code39 or layouts.any()):
        return []
    longest = max(len(s.profile) for s in scanlines)
    profiles = np.zeros((len(scanlines), longest))
    counts = np.zeros(len(scanlines), dtype=np.int64)
    for i, line in enumerate(scanlines):
        profiles[i, : len(line.profile)] = line.profile
        counts[i] = len(line.profile)
    out_int, out_float, out_text = _outputs()
    found = read_profiles(profiles, counts, layouts, code39, np.asarray(plan.levels, dtype=np.float64),
                          out_int, out_float, out_text, np.empty((len(scanlines), 3)))
    # Scanline.to_image maps profile coordinate p to origin + (p - 0.5) step.
    origins = np.array([s.origin for s in scanlines], dtype=np.float64)
    steps = np.array([s.step for s in scanlines], dtype=np.float64)
    return _line_reads(found, out_int, out_float, out_text, origins, steps, first_line)


def _same_place(a: LineRead, b: LineRead) -> bool:
    """Whether two reads lie on about the same stretch of the image (centres within half a code)."""
    longer = max(a.length, b.length)
    gap = math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1])
    return gap < 0.5 * longer and abs(a.length - b.length) < 0.3 * longer


def _crosses(a: LineRead, b: LineRead) -> bool:
    """Whether read ``b`` lies on the stretch ``a`` read: beside it along ``a``'s axis, near it across."""
    ux, uy = (a.end[0] - a.start[0]) / max(a.length, 1e-9), (a.end[1] - a.start[1]) / max(a.length, 1e-9)
    dx, dy = b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]
    return abs(dx * ux + dy * uy) < 0.3 * a.length and abs(dy * ux - dx * uy) < 0.25 * a.length


def _overlap(a: list[LineRead], b: list[LineRead]) -> bool:
    """Whether some read of group ``a`` crosses the stretch of some read of group ``b``."""
    return any(_crosses(q, p) for p in a for q in b)


MIN_WEAKEST = 0.22  # a read whose weakest edge is fainter than this, relative to its median edge, is not counted
MIN_LINE_POSTERIOR = 0.5  # nor one whose text is this unlikely among those the check digit allows


def agreeing(reads: Sequence[LineRead], plan: SweepPlan) -> list[list[LineRead]]:
    """Groups of reads of one text at one place by at least ``plan.agreeing`` lines, best supported first.

    Reads with a very faint edge (a ghost of a bar, light through a label)
    or a posterior under one half do not count. A group is dropped when
    another text was read at the same place by as many lines or more: two
    readings of one code, neither settled.
    """
    by_key: dict[tuple, list[list[LineRead]]] = {}
    for read in reads:
        if read.weakest < MIN_WEAKEST or read.posterior < MIN_LINE_POSTERIOR:
            continue
        groups = by_key.setdefault(read.key, [])
        # Single linkage: neighbouring lines chain across a code taller than half its length.
        joined = [group for group in groups if any(_same_place(member, read) for member in group)]
        if not joined:
            groups.append([read])
            continue
        joined[0].append(read)
        for other in joined[1:]:
            joined[0].extend(other)
            groups.remove(other)
    every = [(group, len({r.line for r in group})) for groups in by_key.values() for group in groups]
    kept = []
    for group, lines in every:
        if lines < plan.agreeing:
            continue
        if any(other is not group and other[0].key != group[0].key and n >= lines and _overlap(other, group)
               for other, n in every):
            continue
        kept.append((group, lines))
    kept.sort(key=lambda item: -item[1])
    return [group for group, _ in kept]


def _text(read: LineRead, formats: frozenset[Format], code39: Code39ReadOptions) -> tuple[Format, str, dict] | None:
    """The format, reported text and ``extra`` facts of a read, or None when ``formats`` exclude it."""
    symbols = read.symbols
    if read.symbology == CODE39:
        finished = finish_text("".join(_CHARACTERS[c] for c in symbols[1:-1]), code39)
        return None if finished is None else (Format.CODE39, finished[0], finished[1])
    digits = "".join(str(d) for d in symbols)
    if read.symbology == EAN13:
        if digits[0] == "0" and Format.UPCA in formats:
            return Format.UPCA, digits[1:], {"gtin13": digits}
        if Format.EAN13 in formats:
            return Format.EAN13, digits, {"gtin13": digits}
        return None
    if read.symbology == EAN8:
        return Format.EAN8, digits, {"gtin13": digits.rjust(13, "0")}
    if read.symbology == UPCE:
        upca = upce_to_upca(digits)
        return Format.UPCE, digits, {"upca": upca, "gtin13": "0" + upca}
    return None


def to_barcodes(gray: np.ndarray, groups: Sequence[list[LineRead]], formats: frozenset[Format],
                code39: Code39ReadOptions) -> list[Barcode]:
    """Results for agreeing groups of reads, each placed on its true axis and boxed across its bars."""
    results = []
    for group in groups:
        named = _text(group[0], formats, code39)
        if named is None:
            continue
        fmt, text, extra = named
        by_line = {}
        for read in group:
            if read.line not in by_line or read.posterior > by_line[read.line].posterior:
                by_line[read.line] = read
        posteriors = [r.posterior for r in by_line.values()]
        quality = min(max(1.0 - math.prod(1.0 - p for p in posteriors), 0.0), 1.0)
        starts = np.array([r.start for r in by_line.values()], dtype=np.float64)
        ends = np.array([r.end for r in by_line.values()], dtype=np.float64)
        start, end = true_axis(starts, ends, min_spread=EDGE_SPREAD)
        position, orientation = code_box(gray, start, end, starts)
        length = math.hypot(*(end - start).tolist())
        module = length / group[0].modules if fmt is not Format.CODE39 else math.nan
        extra.update(
            scanlines=len(by_line),
            posterior=max(posteriors),
            module_size=module,
            decoder="fast",
            rival_quality=0.0,
        )
        if fmt is not Format.CODE39:
            extra["edge_error"] = float(min(r.edge_error for r in by_line.values()))
        results.append(Barcode(text, fmt, position, orientation, quality, extra))
    return results


def read_regions(picture: Pyramid, regions: Sequence[Region], formats: frozenset[Format], plan: SweepPlan,
                 code39: Code39ReadOptions, scanlines: int) -> tuple[list[Barcode], list[Region]]:
    """The fast decoder on each region's band-averaged scanlines, on the level its modules ask for.

    The level is chosen as the template decoder's is
    (:func:`~barreader.stages.regions.region_level`), from the bars the
    region's scanlines cross in the original image.

    Returns
    -------
    results : list of Barcode
        The codes settled there.
    unsettled : list of Region
        The regions on which no code was settled.
    """
    results: list[Barcode] = []
    unsettled = []
    for region in regions:
        if any(covers(_ends(r), region) for r in results):
            continue  # on a code read already
        lines = region_scanlines(picture.gray, region, scanlines)
        k = region_level(picture, region, lines) if picture.deepest() > 0 else 0
        if k > 0:
            lines = region_scanlines(picture.level(k), region, scanlines, factor=2.0**k)
        found = to_barcodes(picture.gray, agreeing(read_scanlines(lines, formats, plan), plan), formats, code39)
        results += found
        if not found:
            unsettled.append(region)
    return results, unsettled


def _ends(code: Barcode) -> tuple[np.ndarray, np.ndarray]:
    """The middles of a code's start and end sides."""
    corners = np.asarray(code.position, dtype=float)
    return (corners[0] + corners[3]) / 2, (corners[1] + corners[2]) / 2
