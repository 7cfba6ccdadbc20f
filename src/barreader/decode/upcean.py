"""Deformable-template EAN/UPC decoding of a grey profile (Gallo & Manduchi).

For a hypothesis of where the code starts and ends on the profile, every
digit slot gets a uniform prior box over (offset, width); each digit template
(L, G, R and RG families, with the two neighbour bars) is scored by its exact
marginal likelihood over that box, and a dynamic programme over digits, whose
state carries the check-digit residue and whose runs fix the parity pattern,
returns the best *valid* code with a spatial-coherence penalty between
neighbouring digits. Both reading directions are scored from the same
likelihoods: a G digit read backwards is an R digit, an L digit read
backwards an RG digit. See ALGORITHMS.md §1 and §5.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from .._kernels.chain import decode_runs
from .._kernels.marginal import layout_likelihoods
from ..formats import Format
from ..symbology.upcean import (
    EAN13_FIRST_DIGIT_PARITY,
    FAMILY_BAR_FIRST,
    FAMILY_G,
    FAMILY_L,
    FAMILY_R,
    FAMILY_RG,
    family_widths,
    module_pattern,
    upce_parity,
)
from .cells import COEFFICIENTS, unit_cells
from .verify import Fit, module_boundaries, verify

__all__ = ["DecoderOptions", "Candidate", "ProfileModel", "Layout", "LAYOUTS", "decode_hypothesis"]

N_FAMILIES = 4
N_TEMPLATES = 10 * N_FAMILIES
LEFT_FAMILIES = (FAMILY_L, FAMILY_G)  # slots whose digit starts with a space
RIGHT_FAMILIES = (FAMILY_R, FAMILY_RG)  # slots whose digit starts with a bar


def _template_tables() -> tuple[np.ndarray, np.ndarray]:
    """Boundary columns (7 per template) and tract colours (6 per template)."""
    column = {c: i for i, c in enumerate(COEFFICIENTS)}
    boundaries = np.zeros((N_TEMPLATES, 7), dtype=np.int64)
    white = np.zeros((N_TEMPLATES, 6), dtype=np.bool_)
    for family in range(N_FAMILIES):
        widths = family_widths(family)
        for digit in range(10):
            edges = [-1, 0]
            for width in widths[digit]:
                edges.append(edges[-1] + int(width))
            edges.append(8)
            t = family * 10 + digit
            boundaries[t] = [column[c] for c in edges]
            # Tracts: neighbour, 4 elements, neighbour; colours alternate.
            first_white = FAMILY_BAR_FIRST[family]  # neighbour before a bar-first digit is a space
            white[t] = [(i % 2 == 0) == first_white for i in range(6)]
    return boundaries, white


TEMPLATE_BOUNDARIES, TEMPLATE_WHITE = _template_tables()
_COEFFICIENTS = np.array(COEFFICIENTS, dtype=np.int64)
_SIDE_TEMPLATES = {
    "left": np.array([f * 10 + d for f in LEFT_FAMILIES for d in range(10)], dtype=np.int64),
    "right": np.array([f * 10 + d for f in RIGHT_FAMILIES for d in range(10)], dtype=np.int64),
}


@dataclasses.dataclass(frozen=True)
class DecoderOptions:
    """Tunables of the deformable-template decoder.

    Attributes
    ----------
    offset_tolerance : float
        Half-width Δo of the prior box on each digit's offset, in modules.
        The width box is ±2Δo/N for a code of N modules (ALGORITHMS.md §1.2).
    alpha : float
        Weight of the spatial-coherence penalty (per squared module).
    squared_penalty : bool
        φ(O) = O² (True) or |O|.
    variance : str
        ``"pooled"``: σ² is the mean of the dark half's and the bright half's
        variances; ``"total"``: the variance of all samples of the code.
    prune : float
        In the dynamic programme, digit values more than this many nats worse
        than a slot's best are not considered.
    refined_tolerance : float
        Offset tolerance (modules) of the second hypothesis, centred on the
        line fitted to the first decode's digit positions.
    deblur : bool
        Also decode Wiener-deconvolved copies of blurred profiles.
    level_pieces : int
        Pieces of a code's extent through whose dark and light levels
        drifting levels are fitted (:class:`ProfileModel`) when the reader
        finds light falling off along a code; 1 never lets them drift.
    """

    offset_tolerance: float = 2.0
    alpha: float = 0.1
    squared_penalty: bool = True
    variance: str = "pooled"
    prune: float = 20.0
    refined_tolerance: float = 1.25
    deblur: bool = True
    level_pieces: int = 4


@dataclasses.dataclass(frozen=True)
class Slot:
    modules: float  # offset of the digit's first module from the code start
    side: str  # "left" (space-first digits) or "right" (bar-first digits)


@dataclasses.dataclass(frozen=True)
class Run:
    """One dynamic programme over a layout: fixed families, weights, residue."""

    format: Format
    reverse: bool
    families: tuple[int, ...]  # per slot, in scan order
    weights: tuple[int, ...]
    start_residue: int
    allowed_last: tuple[int, ...] | None  # digits allowed in the logical last-drawn slot
    prefix: str  # undrawn leading text (EAN-13 first digit, UPC-E number system)
    suffix: str  # undrawn trailing text (UPC-E check digit)


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where the digits of a code sit, and the runs that decode it."""

    name: str
    n_modules: int
    slots: tuple[Slot, ...]
    gaps: tuple[float, ...]  # guard modules after each slot (scan order)
    runs: tuple[Run, ...]

    def __post_init__(self):
        n = len(self.slots)
        allowed = np.ones((len(self.runs), n, 10), dtype=np.bool_)
        for r, run in enumerate(self.runs):
            if run.allowed_last is not None:
                last = 0 if run.reverse else n - 1
                allowed[r, last] = False
                allowed[r, last, list(run.allowed_last)] = True
        arrays = {
            "slot_modules": np.array([s.modules for s in self.slots]),
            "slot_templates": np.stack([_SIDE_TEMPLATES[s.side] for s in self.slots]),
            "gap_array": np.array(self.gaps, dtype=np.float64),
            "run_families": np.array([run.families for run in self.runs], dtype=np.int64),
            "run_weights": np.array([run.weights for run in self.runs], dtype=np.int64),
            "run_start": np.array([run.start_residue for run in self.runs], dtype=np.int64),
            "run_allowed": allowed,
        }
        for name, value in arrays.items():
            object.__setattr__(self, name, value)


def _ean13_runs() -> tuple[Run, ...]:
    runs = []
    for d1 in range(10):
        parity = EAN13_FIRST_DIGIT_PARITY[d1]
        left = [FAMILY_G if parity >> (5 - j) & 1 else FAMILY_L for j in range(6)]
        fmt = Format.UPCA if d1 == 0 else Format.EAN13
        runs.append(Run(fmt, False, tuple(left + [FAMILY_R] * 6), (3, 1) * 6, d1, None, str(d1), ""))
        # Backwards: the right half comes first, each R digit seen as G; the
        # left half follows in reverse, L seen as RG and G as R.
        back_left = [FAMILY_RG if f == FAMILY_L else FAMILY_R for f in reversed(left)]
        runs.append(Run(fmt, True, tuple([FAMILY_G] * 6 + back_left), (1, 3) * 6, d1, None, str(d1), ""))
    return tuple(runs)


def _ean8_runs() -> tuple[Run, ...]:
    return (
        Run(Format.EAN8, False, (FAMILY_L,) * 4 + (FAMILY_R,) * 4, (3, 1) * 4, 0, None, "", ""),
        Run(Format.EAN8, True, (FAMILY_G,) * 4 + (FAMILY_RG,) * 4, (1, 3) * 4, 0, None, "", ""),
    )


# UPC-E: check-digit weights of x1..x6 on the UPC-A expansion, by x6's group.
_UPCE_GROUPS = (
    ((0, 1, 2), (1, 3, 3, 1, 3, 1)),
    ((3,), (1, 3, 1, 1, 3, 0)),
    ((4,), (1, 3, 1, 3, 3, 0)),
    ((5, 6, 7, 8, 9), (1, 3, 1, 3, 1, 3)),
)


def _upce_runs(reverse: bool) -> tuple[Run, ...]:
    runs = []
    for ns in (0, 1):
        for check in range(10):
            parity = upce_parity(ns, check)
            families = [FAMILY_G if parity >> (5 - j) & 1 else FAMILY_L for j in range(6)]
            for last_digits, weights in _UPCE_GROUPS:
                start = 3 * ns + check
                if reverse:
                    fams = tuple(FAMILY_RG if f == FAMILY_L else FAMILY_R for f in reversed(families))
                    runs.append(Run(Format.UPCE, True, fams, weights[::-1], start, last_digits, str(ns), str(check)))
                else:
                    runs.append(Run(Format.UPCE, False, tuple(families), weights, start, last_digits, str(ns), str(check)))
    return tuple(runs)


def _slots(offsets: Sequence[float], sides: Sequence[str]) -> tuple[Slot, ...]:
    return tuple(Slot(float(m), s) for m, s in zip(offsets, sides))


LAYOUTS = {
    "ean13": Layout(
        "ean13",
        95,
        _slots([3 + 7 * j for j in range(6)] + [50 + 7 * j for j in range(6)], ["left"] * 6 + ["right"] * 6),
        (0,) * 5 + (5,) + (0,) * 6,
        _ean13_runs(),
    ),
    "ean8": Layout(
        "ean8",
        67,
        _slots([3 + 7 * j for j in range(4)] + [36 + 7 * j for j in range(4)], ["left"] * 4 + ["right"] * 4),
        (0,) * 3 + (5,) + (0,) * 4,
        _ean8_runs(),
    ),
    "upce": Layout("upce", 51, _slots([3 + 7 * j for j in range(6)], ["left"] * 6), (0,) * 6, _upce_runs(False)),
    "upce_reverse": Layout(
        "upce_reverse", 51, _slots([6 + 7 * j for j in range(6)], ["right"] * 6), (0,) * 6, _upce_runs(True)
    ),
}

LAYOUTS_FOR_FORMAT = {
    Format.UPCA: ("ean13",),
    Format.EAN13: ("ean13",),
    Format.EAN8: ("ean8",),
    Format.UPCE: ("upce", "upce_reverse"),
}


class ProfileModel:
    """Per-sample penalties of a profile for the one-sided quadratic model (Eqs. 5–6).

    The dark and light levels μ_b and μ_w may drift along the code: light
    falls off across many photographed codes, and a level fixed for the
    whole code then calls every space at the dim end too dark. The code's
    extent is cut into ``pieces`` equal pieces; in each, the darker half of
    the samples gives a dark level and the lighter half a light level, and
    a straight line through each set of levels gives μ_b(x) and μ_w(x),
    held at their end values beyond the extent. σ² pools the
    deviations from those lines.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
        Grey levels along the scanline (larger = lighter).
    start, end : float
        The code's extent, used for the level statistics μ_b, μ_w and σ².
    variance : str
        See :class:`DecoderOptions`.
    pieces : int
        Pieces of the extent whose levels the lines pass through; 1 keeps
        both levels constant (the paper's model). An extent shorter than
        ``MIN_PIECE`` samples per piece uses one piece.
    """

    def __init__(self, profile: np.ndarray, start: float, end: float, variance: str = "pooled", pieces: int = 1):
        if variance not in ("pooled", "total"):
            raise ValueError(f"variance must be 'pooled' or 'total', got {variance!r}")
        self.profile = np.asarray(profile, dtype=np.float64)
        n = len(self.profile)
        lo = max(int(math.floor(start)), 0)
        hi = min(int(math.ceil(end)), n)
        if hi - lo < 4:
            lo, hi = 0, n
        pieces = max(1, min(int(pieces), (hi - lo) // MIN_PIECE))
        edges = np.linspace(lo, hi, pieces + 1).round().astype(int)
        centres, darks, lights = [], [], []
        dark = np.zeros(hi - lo, dtype=bool)  # the darker half of each piece
        for a, b in zip(edges[:-1], edges[1:]):
            order = np.argsort(self.profile[a:b], kind="stable")
            half = len(order) // 2
            dark[a - lo + order[:half]] = True
            centres.append(0.5 * (a + b))
            darks.append(self.profile[a:b][order[:half]].mean())
            lights.append(self.profile[a:b][order[half:]].mean())
        if pieces > 1:
            x = np.clip(np.arange(n) + 0.5, lo, hi)
            black = np.polyval(np.polyfit(centres, darks, 1), x)
            white = np.polyval(np.polyfit(centres, lights, 1), x)
        else:
            black, white = np.full(n, darks[0]), np.full(n, lights[0])
        inside = self.profile[lo:hi]
        self.mu_black = float(black[lo:hi].mean())
        self.mu_white = float(white[lo:hi].mean())
        if variance == "total":
            var = (inside - 0.5 * (black[lo:hi] + white[lo:hi])).var()
        else:
            deviation = inside - np.where(dark, black[lo:hi], white[lo:hi])
            var = 0.5 * (_variance(deviation[dark]) + _variance(deviation[~dark]))
        contrast = self.mu_white - self.mu_black
        self.sigma2 = float(max(var, (0.01 * contrast) ** 2, 1e-12))
        scale = 1.0 / (2.0 * self.sigma2)
        penalty_white = np.maximum(white - self.profile, 0.0) ** 2 * scale
        penalty_black = np.maximum(self.profile - black, 0.0) ** 2 * scale
        self.prefix_white = np.concatenate(([0.0], np.cumsum(penalty_white)))
        self.prefix_black = np.concatenate(([0.0], np.cumsum(penalty_black)))

    @property
    def contrast(self) -> float:
        return self.mu_white - self.mu_black


MIN_PIECE = 16  # samples: a piece shorter than this gives no reliable levels


def _variance(values: np.ndarray) -> float:
    return float(values.var()) if len(values) else 0.0


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A valid code decoded from one profile under one hypothesis.

    Offsets are in profile coordinates (sample ``n`` covers ``[n, n+1)``).
    """

    format: Format
    text: str
    cost: float  # DP cost of the best string
    posterior: float  # its probability among all valid strings of the layout, both directions
    reverse: bool
    start: float  # fitted code start (first bar's leading edge)
    module: float  # fitted module width
    n_modules: int
    digit_costs: np.ndarray  # -log p of the chosen digit at each slot (scan order)
    slot_offsets: np.ndarray  # conditional-mean offsets of the chosen digits (scan order)
    slot_widths: np.ndarray  # conditional-mean module widths of the chosen digits
    modules: np.ndarray  # module colours in scan order (1 = bar), guards included
    layout: str
    slack: np.ndarray  # how much worse each chosen digit is than the slot's best template
    stage: int = 1  # 1: deformable templates; 2: blurred-model decoder

    @property
    def end(self) -> float:
        return self.start + self.n_modules * self.module


def score_slots(
    model: ProfileModel,
    layout: Layout,
    centers: np.ndarray,
    widths: np.ndarray,
    options: DecoderOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact marginal likelihoods of all templates at every slot of a layout.

    Parameters
    ----------
    model : ProfileModel
    layout : Layout
    centers : ndarray, shape (n_slots,)
        Expected offset of each digit (profile coordinates).
    widths : ndarray, shape (n_slots,)
        Expected module width at each digit.
    options : DecoderOptions

    Returns
    -------
    logp, o_mean, w_mean : ndarray of float64, shape (n_slots, N_TEMPLATES)
        NaN for templates not scored at a slot. Offsets are in profile
        coordinates.
    """
    cells = unit_cells()
    n_slots = len(layout.slots)
    widths = np.asarray(widths, dtype=np.float64)
    delta_o = options.offset_tolerance * widths
    delta_w = 2.0 * delta_o / layout.n_modules
    logp = np.full((n_slots, N_TEMPLATES), np.nan)
    o_mean = np.full((n_slots, N_TEMPLATES), np.nan)
    w_mean = np.full((n_slots, N_TEMPLATES), np.nan)
    # Kernel coordinates put sample n at position n (its centre is n + 0.5).
    layout_likelihoods(
        model.prefix_white,
        model.prefix_black,
        cells.vertices,
        cells.n_vertices,
        cells.ceil_offsets,
        _COEFFICIENTS,
        np.asarray(centers, dtype=np.float64) - 0.5,
        widths,
        delta_o,
        delta_w,
        layout.slot_templates,
        TEMPLATE_BOUNDARIES,
        TEMPLATE_WHITE,
        logp,
        o_mean,
        w_mean,
    )
    o_mean += 0.5
    return logp, o_mean, w_mean


def decode_hypothesis(
    model: ProfileModel,
    layout: Layout,
    start: float,
    module: float,
    options: DecoderOptions,
    formats: frozenset[Format],
    centers: np.ndarray | None = None,
    widths: np.ndarray | None = None,
) -> Candidate | None:
    """Decode one layout under one placement hypothesis.

    Parameters
    ----------
    model : ProfileModel
    layout : Layout
    start, module : float
        Code start (profile coordinates) and module width of the hypothesis.
    options : DecoderOptions
    formats : frozenset of Format
        Formats that may be returned (a UPC-A is returned as EAN-13 when only
        EAN-13 is asked for).
    centers, widths : ndarray, optional
        Per-slot expected offsets and module widths; by default from the
        linear model ``start + modules * module``.

    Returns
    -------
    Candidate or None
        The best valid code, or None when no run is allowed by ``formats``.
    """
    slot_modules = layout.slot_modules
    if centers is None:
        centers = start + slot_modules * module
    if widths is None:
        widths = np.full(len(slot_modules), module)
    logp, o_mean, w_mean = score_slots(model, layout, centers, widths, options)
    enabled = np.array([run_allowed(run.format, formats) for run in layout.runs])
    if not enabled.any():
        return None
    r, best_cost, chosen, log_z, others = decode_runs(
        -logp,
        o_mean,
        w_mean,
        layout.run_families,
        layout.run_weights,
        layout.run_start,
        layout.run_allowed,
        layout.gap_array,
        options.alpha,
        options.squared_penalty,
        float(module),
        enabled,
        options.prune,
    )
    if r < 0:
        return None
    run = layout.runs[r]
    columns = layout.run_families[r] * 10 + chosen
    slots = np.arange(len(chosen))
    digit_costs = -logp[slots, columns]
    offsets = o_mean[slots, columns]
    slot_widths = w_mean[slots, columns]
    slack = digit_costs + np.nanmax(logp, axis=1)
    # Other runs enter with an upper bound of their weight, so this
    # posterior errs low.
    log_total = float(np.logaddexp.reduce(np.concatenate(([log_z], -others[np.isfinite(others)]))))
    posterior = math.exp(min(0.0, -best_cost - log_total))
    logical = chosen[::-1] if run.reverse else chosen
    text = run.prefix + "".join(str(int(d)) for d in logical) + run.suffix
    fmt = run.format
    if fmt is Format.UPCA:
        if Format.UPCA in formats:
            text = text[1:]
        else:
            fmt = Format.EAN13
    fit_start, fit_module = _fit_line(slot_modules, offsets)
    modules = module_pattern(text, fmt)
    if run.reverse:
        modules = modules[::-1].copy()
    return Candidate(
        fmt, text, best_cost, posterior, run.reverse, fit_start, fit_module, layout.n_modules,
        digit_costs, offsets, slot_widths, modules, layout.name, slack,
    )


def run_allowed(fmt: Format, formats: frozenset[Format]) -> bool:
    """Whether a run decoding ``fmt`` may report to a caller asking for ``formats``."""
    if fmt is Format.UPCA:
        return Format.UPCA in formats or Format.EAN13 in formats
    return fmt in formats


def _fit_line(modules: np.ndarray, offsets: np.ndarray) -> tuple[float, float]:
    """Least-squares ``offsets ≈ intercept + slope * modules``."""
    dm = modules - modules.mean()
    slope = float(dm @ (offsets - offsets.mean()) / (dm @ dm))
    return float(offsets.mean() - slope * modules.mean()), slope


# Bars of each layout; used to rule out layouts that cannot fit an extent
# before spending time on them.
_EXPECTED_BARS = {"ean13": 30, "ean8": 22, "upce": 17, "upce_reverse": 17}


def layouts_for(formats: frozenset[Format]) -> list[Layout]:
    """The layouts needed to read the given formats."""
    names: list[str] = []
    for fmt in (Format.UPCA, Format.EAN13, Format.EAN8, Format.UPCE):
        if fmt in formats:
            names += [n for n in LAYOUTS_FOR_FORMAT[fmt] if n not in names]
    return [LAYOUTS[n] for n in names]


SHARP_BARS = 0.7  # extent sharpness from which all but a few bars must show


def plausible(layout: Layout, n_bars: int, sharpness: float) -> bool:
    """Whether an extent with this many bars could hold this layout.

    A sharp profile shows every bar (UPC-A/EAN-13 30, EAN-8 22, UPC-E 17),
    plus a few from noise or stray marks; blur merges narrow bars, so the
    lower bound falls with the extent's sharpness. The sharp bound needs a
    sharpness of ``SHARP_BARS``: at 2 pixels per module and a blur of 0.8
    module, an EAN-13 can show half its bars at a sharpness over 0.6, and
    its whole extent then passes for an EAN-8 alone.
    """
    expected = _EXPECTED_BARS[layout.name]
    low = 0.55 if sharpness >= SHARP_BARS else 0.25
    return low * expected <= n_bars <= 1.3 * expected


def decode_extent(
    profile: np.ndarray,
    start: float,
    end: float,
    layout: Layout,
    formats: frozenset[Format],
    options: DecoderOptions,
    model: ProfileModel | None = None,
) -> Candidate | None:
    """Decode a layout on a profile given the code's approximate extent.

    The first hypothesis spreads the layout evenly between ``start`` and
    ``end``; the second re-centres tighter prior boxes on the line fitted to
    the decoded digits' conditional-mean offsets, which corrects endpoint
    errors of up to the offset tolerance; when that line strays more than
    half a module from the edges, the tighter boxes are also tried on the
    even spread (digits matched off their places can pull the line away
    from edges that were right); another follows the parabola
    through those offsets when it bends away from the line (cans, bottles,
    perspective). When they agree, the lowest-cost result is kept; when
    they read different texts, the one whose whole code best fits the
    profile.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
    start, end : float
        Leading edge of the first bar and trailing edge of the last bar.
    layout : Layout
    formats : frozenset of Format
    options : DecoderOptions
    model : ProfileModel, optional
        Reused when given (it depends only on the profile and extent).

    Returns
    -------
    Candidate or None
    """
    if model is None:
        model = ProfileModel(profile, start, end, options.variance)
    module = (end - start) / layout.n_modules
    if module <= 0.5:
        return None
    first = decode_hypothesis(model, layout, start, module, options, formats)
    if first is None:
        return None
    hypotheses = [first]
    # The fitted line is a better centre; a tighter box suffices around it.
    tighter = dataclasses.replace(options, offset_tolerance=min(options.offset_tolerance, options.refined_tolerance))
    if 0.5 < first.module < 2 * module:
        again = decode_hypothesis(model, layout, first.start, first.module, tighter, formats)
        if again is not None:
            hypotheses.append(again)
    # Digits matched off their true places can also pull that line away
    # from edges that were right: then try the tighter box on the edges too.
    drift = max(abs(first.start - start), abs(first.start + layout.n_modules * first.module - end))
    if drift > 0.5 * module:
        again = decode_hypothesis(model, layout, start, module, tighter, formats)
        if again is not None:
            hypotheses.append(again)
    # Curved surfaces and perspective bend the line: follow a parabola when
    # the decoded digits do.
    best = min(hypotheses, key=lambda c: c.cost)
    slots = layout.slot_modules
    curve = np.polyfit(slots, best.slot_offsets, 2)
    bend = np.polyval(curve, slots) - (best.start + best.module * slots)
    if np.abs(bend).max() > 0.3 * best.module:
        centers = np.polyval(curve, slots)
        widths = np.polyval(np.polyder(curve), slots + 3.5)
        if (widths > 0.5 * module).all():
            again = decode_hypothesis(model, layout, best.start, best.module, tighter, formats, centers, widths)
            if again is not None:
                hypotheses.append(again)
    if len({c.text for c in hypotheses}) == 1:
        return min(hypotheses, key=lambda c: c.cost)
    # A wide box lets a digit's template match shifted by a module or two
    # where its neighbours happen to spell it, and the marginal likelihood
    # can prefer that string; the whole code's fit to the profile cannot.
    return min(hypotheses, key=lambda c: verify_candidate(profile, c).residual)


def verify_candidate(profile: np.ndarray, candidate: Candidate) -> Fit:
    """Whole-code fit of a candidate to its profile (see :mod:`.verify`)."""
    layout = LAYOUTS[candidate.layout]
    boundaries = module_boundaries(layout.slot_modules, candidate.slot_offsets, candidate.slot_widths, layout.n_modules)
    spans = [(int(m), int(m) + 7) for m in layout.slot_modules]
    return verify(profile, candidate.modules, boundaries, spans)
