"""Reading: localize, sample scanlines, decode, vote, build results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from .decode.upcean import (
    LAYOUTS,
    Candidate,
    DecoderOptions,
    ProfileModel,
    decode_extent,
    layouts_for,
    plausible,
    verify_candidate,
)
from .decode.blursearch import Placement
from .decode.extent import BLURRED_FROM, DEBLUR_FROM, decode_deblurred, decode_plain, search_stage
from .decode.verify import QUIET, Fit
from .code39_reader import Code39ReadOptions, read_code39
from .errors import InvalidArgumentError
from .formats import Format, parse_formats
from .image import to_gray
from .scan import MODEL_LOCALIZER, localize
from .quality import Evidence, quality
from .results import Barcode, Region, as_region
from .scanline import Scanline, bar_extent, find_extents, sample_profile
from .symbology.upcean import upce_to_upca

__all__ = ["read", "ReaderOptions"]

DEFAULT_LOCALIZER = ("gradient", "quagga")


@dataclasses.dataclass(frozen=True)
class ReaderOptions:
    """Tunables of :func:`read` beyond the decoder's.

    Attributes
    ----------
    scanlines : int
        Parallel scanlines per region.
    blurred_scanlines : int
        Of those, how many (from the centre out) may use the slower
        blurred-model search when nothing else was read and a profile is
        strongly blurred: the central one searches the whole profile, the
        others only where it placed codes; 0 turns that decoder off.
    searched_regions : int
        At most this many regions get that search.
    min_quality : float
        Results below this quality are dropped.
    min_quality_blurred : float
        The same for texts only the blurred-model decoder produced.
    settled_quality : float
        The later, slower stages (rows and columns across the whole image,
        then the blurred-model search) run unless some text was read with
        at least this quality and passes the posterior bar below.
    min_posterior : float
        Least posterior probability among valid strings, on the best
        scanline, for a text to be reported ...
    max_residual_unsure : float
        ... unless its whole-code fit residual is at most this.
    max_rival : float
        A text is dropped when another text read on the same stretch of the
        image, whose whole code fits the profile at most twice as badly, has
        at least this fraction of its quality.
    decoder : DecoderOptions
    code39 : Code39ReadOptions
        Full ASCII, mod-43 check and thresholds of Code 39 reading.
    """

    scanlines: int = 7
    blurred_scanlines: int = 3
    searched_regions: int = 4
    min_quality: float = 0.5
    min_quality_blurred: float = 0.9
    settled_quality: float = 0.9
    min_posterior: float = 0.2
    max_residual_unsure: float = 0.06
    max_rival: float = 0.8
    decoder: DecoderOptions = DecoderOptions()
    code39: Code39ReadOptions = Code39ReadOptions()


@dataclasses.dataclass
class _Hit:
    candidate: Candidate
    scanline: Scanline
    region_index: int
    fit: Fit

    @property
    def key(self) -> tuple[Format, str]:
        return self.candidate.format, self.candidate.text

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Image points of the code's start (start guard side) and end."""
        low = self.scanline.to_image(self.candidate.start)
        high = self.scanline.to_image(self.candidate.end)
        return (high, low) if self.candidate.reverse else (low, high)


CODE_REACH = 120.0  # modules: an EAN-13 (95) and its quiet zones (2 x 11, rounded up)
WHOLE_CODE = 45.0  # modules: a region at least this long holds a whole code (a UPC-E is 51)


def _region_scanlines(gray: np.ndarray, region: Region, count: int, extra: float = 0.0) -> list[Scanline]:
    """Parallel scanlines across a region's bars, centre first, extended past its ends.

    ``extra`` pixels are added to the usual extension at each end.
    """
    poly = np.asarray(region.polygon, dtype=np.float64)
    along = poly[1] - poly[0]
    length = float(np.hypot(*along))
    if length < 4:
        return []
    unit = along / length
    across = poly[3] - poly[0]
    height = float(np.hypot(*across))
    margin = 0.2 * length + 8.0
    module = region.module_size
    if np.isfinite(module) and module > 0 and length < WHOLE_CODE * module:
        # The region holds only part of a code (a localizer's box cut
        # short): reach far enough for a whole 95-module code and its quiet
        # zones to be on the scanline, and hence for its quiet zones to be
        # checked, whatever part of it the region holds. A region as long
        # as a code is not stretched: what lies beyond its quiet zones only
        # confuses the extent finder's module estimate.
        margin = max(margin, CODE_REACH * module - length)
    margin += extra
    h, w = gray.shape
    fractions = [0.5]
    for i in range(1, count):
        step = (i + 1) // 2 / (count + 1)
        fractions.append(0.5 + step if i % 2 else 0.5 - step)
    half_band = max(0.0, min(4.0, height / (4.0 * count)))
    lines = []
    for f in fractions:
        base = poly[0] + f * across
        p0 = base - margin * unit
        p1 = base + (length + margin) * unit
        p0 = np.clip(p0, [0, 0], [w - 1, h - 1])
        p1 = np.clip(p1, [0, 0], [w - 1, h - 1])
        if np.hypot(*(p1 - p0)) < 8:
            continue
        lines.append(sample_profile(gray, p0, p1, half_band))
    return lines


@dataclasses.dataclass
class _LineDecodes:
    """What the deformable templates made of one scanline."""

    found: list[tuple[Candidate, Fit]]
    seeds: list[Candidate]  # the best decode of each extent
    blurred: bool  # some extent or its best decode looks strongly blurred


def _decode_scanline(line: Scanline, formats: frozenset[Format], options: DecoderOptions) -> _LineDecodes:
    """Decode every extent of a scanline with the deformable templates.

    Every plausible layout is decoded; if the whole-code fit of the best
    sees light falling off along the code, every layout is decoded again
    with levels that drift (:func:`_decode_layouts`); if the best looks
    blurred, its layout is decoded again after deconvolution.
    """
    layouts = layouts_for(formats)
    found = []
    seeds = []
    blurred = False
    for extent in find_extents(line.profile)[:3]:
        blurred |= extent.sharpness < SHARP
        fitting = [layout for layout in layouts if plausible(layout, extent.n_bars, extent.sharpness)]
        if not fitting:
            continue
        model = ProfileModel(line.profile, extent.start, extent.end, options.variance)
        decoded = _decode_layouts(line.profile, extent, fitting, formats, options, model)
        if not decoded:
            continue
        candidate, fit = min(decoded, key=lambda d: d[1].residual)
        if options.level_pieces > 1 and fit.contrast_drift >= DRIFTING:
            drifting = ProfileModel(line.profile, extent.start, extent.end, options.variance, options.level_pieces)
            decoded += _decode_layouts(line.profile, extent, fitting, formats, options, drifting)
            candidate, fit = min(decoded, key=lambda d: d[1].residual)
        layout = LAYOUTS[candidate.layout]
        if options.deblur and (fit.blur >= DEBLUR_FROM or extent.sharpness < SHARP):
            result = decode_deblurred(line.profile, extent.start, extent.end, layout, formats, options, model.contrast, fit.blur)
            if result is not None:
                decoded.append(result)
                if result[1].residual < fit.residual:
                    candidate, fit = result
        blurred |= fit.blur >= BLURRED_FROM
        seeds.append(candidate)
        found += decoded
    return _LineDecodes(found, seeds, blurred)


DRIFTING = 0.2  # contrast change from a code's centre to an end, relative, from which levels may drift


def _decode_layouts(profile, extent, layouts, formats, options: DecoderOptions,
                    model: ProfileModel) -> list[tuple[Candidate, Fit]]:
    """Decode an extent with each of ``layouts`` (those its bar count allows), under one level model.

    Constant levels are the paper's. Where light falls off along a code,
    they call the spaces at the dim end dark, and the check digit then
    fills in that end from the bright one; levels fitted as lines
    (``options.level_pieces``) read it. The whole-code fit, which models a
    drift either way, decides between the readings.
    """
    results = (decode_plain(profile, extent.start, extent.end, layout, formats, options, model) for layout in layouts)
    return [result for result in results if result is not None]


def _search_scanline(
    line: Scanline, formats: frozenset[Format], seeds: Sequence[Candidate | Placement], full: bool
) -> list[tuple[Candidate, Fit]]:
    """Find and read strongly blurred codes on a scanline with the blurred model alone.

    With ``full``, the whole profile is searched (between its edges) as
    well as at ``seeds``; otherwise only at ``seeds`` (earlier decodes of
    this scanline and placements found on a parallel one).
    """
    if not full and not seeds:
        return []
    return search_stage(line.profile, layouts_for(formats), formats, list(seeds), edges=full)


SHARP = 0.6  # extent sharpness below which a profile counts as blurred


def _fallback_regions(gray: np.ndarray) -> list[Region]:
    """The whole image, read along rows and along columns."""
    h, w = gray.shape
    full_rows = Region(np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=float), 0.0, 0.0)
    full_cols = Region(np.array([[0, 0], [0, h - 1], [w - 1, h - 1], [w - 1, 0]], dtype=float), 90.0, 0.0)
    return [full_rows, full_cols]


def _group(hits: list[_Hit]) -> list[list[_Hit]]:
    """Hits of the same text whose scanline endpoints are near each other."""
    groups: list[list[_Hit]] = []
    for hit in hits:
        a0, a1 = hit.endpoints()
        size = float(np.hypot(*(a1 - a0)))
        for group in groups:
            if group[0].key != hit.key:
                continue
            b0, b1 = group[0].endpoints()
            centre_gap = float(np.hypot(*((a0 + a1) / 2 - (b0 + b1) / 2)))
            if centre_gap < 0.75 * size:
                group.append(hit)
                break
        else:
            groups.append([hit])
    return groups


def _segment(group: list[_Hit]) -> tuple[np.ndarray, np.ndarray]:
    ends = [h.endpoints() for h in group]
    return np.mean([e[0] for e in ends], axis=0), np.mean([e[1] for e in ends], axis=0)


def _same_stretch(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether two code segments cover the same stretch of one code.

    Each must lie on the other (:func:`_overlap`): two codes side by side,
    or crossing each other's line at an angle, can each have the other's
    centre near its line, but not both.
    """
    return _overlap(a, b) and _overlap(b, a)


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether segment ``b`` shares a stretch of segment ``a`` and its centre lies near ``a``'s line."""
    a0, a1 = a
    length = float(np.hypot(*(a1 - a0)))
    if length <= 0:
        return False
    axis = (a1 - a0) / length
    normal = np.array([-axis[1], axis[0]])
    t = sorted(((b[0] - a0) @ axis, (b[1] - a0) @ axis))
    shared = min(t[1], length) - max(t[0], 0.0)
    shorter = min(length, t[1] - t[0])
    distance = abs(float(((b[0] + b[1]) / 2 - a0) @ normal))
    return shorter > 0 and shared > 0.3 * shorter and distance < 0.5 * length


def _suppress(groups: list[list[_Hit]]) -> list[list[_Hit]]:
    """Of groups with different texts on the same stretch, keep the likeliest.

    Groups are ranked by quality, then by fit: under strong blur a wrong
    text can fit the grey levels slightly better than the right one that a
    sharper decode found, but its quality says how little that is worth.
    """
    order = sorted(groups, key=lambda g: (-quality(_evidence(g)), min(h.fit.residual for h in g)))
    kept: list[list[_Hit]] = []
    segments = []
    for group in order:
        segment = _segment(group)
        if any(_same_stretch(other, segment) for other in segments):
            continue
        kept.append(group)
        segments.append(segment)
    return kept


def _samples(candidate: Candidate) -> float:
    """Profile samples the digits of a candidate cover."""
    return 7.0 * len(candidate.digit_costs) * max(candidate.module, 0.1)


def _evidence(group: list[_Hit]) -> Evidence:
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    return Evidence(
        residual=best.fit.residual,
        worst_digit=best.fit.worst_digit,
        quiet=best.fit.quiet,
        blur=best.fit.blur,
        posterior=max(h.candidate.posterior for h in group),
        slack=min(float(h.candidate.slack.sum()) / _samples(h.candidate) for h in group),
        cost=cand.cost / _samples(cand),
        scanlines=len({id(h.scanline) for h in group}),
        layout=cand.layout,
        stage=cand.stage,
    )


def _true_axis(group: list[_Hit], start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The code's start and end on its own axis, when its scanlines crossed it slantwise.

    Scanlines at different offsets enter a code along its first bar's edge
    and leave it along its last bar's: the line through their start points
    (and through their end points) runs along the bars. A region whose
    scanlines are tilted against the code (a horizontal region on a code
    rotated by 20°, say) still reads it, over a stretch longer by
    1 / cos(tilt); the axis perpendicular to the bars gives the true
    orientation and length. Unchanged when the scanlines do not spread
    across the bars enough to tell, or the tilt is under 2° or over 60°.
    """
    ends = [h.endpoints() for h in group]
    if len({id(h.scanline) for h in group}) < 2:
        return start, end
    direction = end - start
    length = float(np.hypot(*direction))
    if length <= 0:
        return start, end
    axis = direction / length
    points = np.array([p - start for p, _ in ends] + [q - end for _, q in ends])
    across = points @ np.array([-axis[1], axis[0]])
    if np.ptp(across) < min(10.0, 0.1 * length):
        return start, end
    _, _, vt = np.linalg.svd(points - points.mean(axis=0))
    bars = vt[0]
    true_axis = np.array([bars[1], -bars[0]])
    cos_tilt = float(true_axis @ axis)
    if cos_tilt < 0:
        true_axis, cos_tilt = -true_axis, -cos_tilt
    if cos_tilt > math.cos(math.radians(2.0)) or cos_tilt < math.cos(math.radians(60.0)):
        return start, end
    centre = 0.5 * (start + end)
    half = 0.5 * length * cos_tilt * true_axis
    return centre - half, centre + half


def _to_barcode(gray: np.ndarray, group: list[_Hit], rival: float) -> Barcode:
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    start_mid, end_mid = _true_axis(group, *_segment(group))
    direction = end_mid - start_mid
    orientation = math.degrees(math.atan2(direction[1], direction[0])) % 360.0
    normal = np.array([-direction[1], direction[0]]) / max(np.hypot(*direction), 1e-9)
    offsets = [float((h.endpoints()[0] - start_mid) @ normal) for h in group]
    low, high = bar_extent(gray, start_mid, end_mid, offsets)
    position = np.array(
        [start_mid + low * normal, end_mid + low * normal, end_mid + high * normal, start_mid + high * normal]
    )
    evidence = _evidence(group)
    extra = {
        "scanlines": evidence.scanlines,
        "posterior": evidence.posterior,
        "module_size": float(cand.module * np.hypot(*best.scanline.step)),
        "decoder": "blurred" if evidence.stage == 2 else "templates",
        "rival_quality": rival,
    }
    text = cand.text
    if cand.format in (Format.UPCA, Format.EAN13, Format.EAN8):
        extra["gtin13"] = text.rjust(13, "0")
    if cand.format is Format.UPCE:
        extra["upca"] = upce_to_upca(text)
        extra["gtin13"] = "0" + extra["upca"]
    return Barcode(text, cand.format, position, orientation, quality(evidence), extra)


def read(
    image,
    *,
    formats: str | Format | Iterable[str | Format] | None = None,
    regions: Sequence[Region | np.ndarray] | None = None,
    localizer: str | Sequence[str] = DEFAULT_LOCALIZER,
    model=None,
    options: ReaderOptions | None = None,
) -> list[Barcode]:
    """Read the EAN/UPC and Code 39 barcodes in an image.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str or os.PathLike
        2-D grey or 3-D colour array (BGR/BGRA channel order, any real dtype),
        a PIL image or a file path.
    formats : str, Format or iterable of those, optional
        Formats to look for (default: all). Names as in :class:`Format`,
        case and ``-_`` ignored; ``"upcean"`` means the whole family.
    regions : sequence of Region or (4, 2) arrays, optional
        Decode only these regions (corners in image pixels, edge 0-1 along
        the reading direction) instead of localizing, e.g. from
        :func:`barreader.scan` or another detector.
    localizer : str or sequence of str
        The localizer(s) of :func:`barreader.scan` whose regions are read,
        in order: ``"gradient"`` (horizontal and vertical bars),
        ``"quagga"`` (any angle), ``"onnx"`` (a segmentation network; needs
        ``pip install 'barreader[onnx]'``). Default: gradient then quagga;
        a region that holds an earlier region's centre, and whose centre
        that region holds, at about the same angle, is skipped.
    model : str or os.PathLike, optional
        The ONNX file of the ``"onnx"`` localizer, as for
        :func:`barreader.scan` (default: the model shipped with barreader).
    options : ReaderOptions, optional

    Returns
    -------
    list of Barcode
        Best first; empty when nothing is read.

    Raises
    ------
    InvalidImageError
        If the image cannot be used (type, shape, dtype, values, size).
    InvalidArgumentError
        If ``formats``, ``regions`` or ``options`` are invalid.

    Notes
    -----
    ``quality`` estimates the probability that the text is right. It is a
    logistic function (:mod:`barreader.quality`) of: the residual of the
    whole code, blurred as fitted, regressed on the grey profile, relative to
    the fitted contrast; the largest such residual over single digits; the
    lightness of the quiet zones; the fitted blur in modules; the logit of
    the decoder's posterior probability of the string among all valid
    strings; how much the check digit and parity had to overrule the best
    templates, and the decoder's cost, both per profile sample; the number
    of agreeing scanlines; the layout; and which decoder read it. Its
    weights were fitted on synthetic scenes only.

    Code 39 is read by its own template bank (:mod:`barreader.code39_reader`);
    its ``quality`` combines the string's posterior on each agreeing
    scanline, and a text needs two agreeing scanlines unless one is near
    certain (``options.code39``).

    Results need ``quality >= options.min_quality`` (0.9 for texts only the
    blurred-model decoder read), a posterior of at least
    ``options.min_posterior`` unless their whole-code fit is excellent, and
    no other text read on the same stretch with a quality of
    ``options.max_rival`` times theirs or more (``extra["rival_quality"]``).

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> image = render_code("036000291452", "UPC-A", px_per_module=2.5, rng=0).image
    >>> [(code.format.value, code.text) for code in barreader.read(image)]
    [('UPC-A', '036000291452')]
    """
    gray = to_gray(image)
    fmts = parse_formats(formats)
    opts = options or ReaderOptions()
    if not isinstance(opts, ReaderOptions):
        raise InvalidArgumentError(f"options must be a ReaderOptions, got {type(opts).__name__}")
    if regions is not None:
        todo = [as_region(r) for r in regions]
    else:
        names = [localizer] if isinstance(localizer, str) else list(localizer)
        if not names:
            raise InvalidArgumentError("localizer must name at least one localizer")
        if model is not None and MODEL_LOCALIZER not in names:
            raise InvalidArgumentError(f"model is only used by localizer {MODEL_LOCALIZER!r}, not by {names}")
        todo = []
        for name in names:
            found = localize(gray, name, model)
            todo += [r for r in found if not any(_same_place(r, earlier) for earlier in todo)]
    results = []
    if fmts - {Format.CODE39}:
        groups = _find_groups(gray, todo, fmts, opts, fallback=regions is None)
        results = [_to_barcode(gray, g, rival) for g, rival in groups]
        results = [r for r, (g, _) in zip(results, groups) if _credible(r, _evidence(g), opts)]
    if Format.CODE39 in fmts:
        # Regions on a code already read hold no Code 39.
        free = [r for r in todo if not any(_inside(r.polygon.mean(axis=0), b.position) for b in results)]
        code39 = read_code39(gray, free, _region_scanlines, opts.code39)
        if not code39 and not results and regions is None:
            code39 = read_code39(gray, _fallback_regions(gray), _region_scanlines, opts.code39)
        results += [r for r in code39 if r.quality >= opts.min_quality]
    results.sort(key=lambda b: b.quality, reverse=True)
    return _drop_contained(results)


def _inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    return cv2.pointPolygonTest(np.asarray(polygon, dtype=np.float32), (float(point[0]), float(point[1])), False) >= 0


def _drop_contained(results: list[Barcode]) -> list[Barcode]:
    """Drop results lying on a better result's bars (a half code read as a short code)."""
    kept: list[Barcode] = []
    for result in results:
        if any(_inside(result.position.mean(axis=0), k.position) for k in kept):
            continue
        kept.append(result)
    return kept


def _credible(result: Barcode, evidence: Evidence, opts: ReaderOptions) -> bool:
    """Whether a result clears the quality and posterior bars.

    Besides its quality, a text needs, on at least one scanline, a posterior
    of ``min_posterior`` among all valid strings: where the decoder itself
    finds other strings likelier together (below about one pixel per
    module, say), agreement between scanlines only repeats the same guess.
    At such resolutions the posterior of a right string is low too; there
    only an excellent whole-code fit (residual at most
    ``max_residual_unsure``) lets it through.
    """
    if result.quality < _threshold(result, opts):
        return False
    if result.extra["rival_quality"] >= opts.max_rival * result.quality:
        return False  # two texts of one code about equally credible: neither is
    return _sure_enough(evidence, opts)


def _sure_enough(evidence: Evidence, opts: ReaderOptions) -> bool:
    """The posterior bar of :func:`_credible`: a posterior of ``min_posterior``, or an excellent whole-code fit."""
    return evidence.posterior >= opts.min_posterior or evidence.residual <= opts.max_residual_unsure


def _read(group: list[_Hit], opts: ReaderOptions, bar: float) -> bool:
    """Whether a group's text has quality ``bar`` and passes the posterior bar, so that later stages may be spared."""
    evidence = _evidence(group)
    return quality(evidence) >= bar and _sure_enough(evidence, opts)


def _threshold(result: Barcode, opts: ReaderOptions) -> float:
    """The quality a result needs: higher for reads by the blurred-model decoder.

    That decoder assumes a Gaussian point spread; real out-of-focus optics
    (disk-shaped), tilt and JPEG make it occasionally confident about a
    string two digits away from the truth, which the synthetic scenes the
    quality model is fitted on under-represent.
    """
    if result.extra.get("decoder") == "blurred":
        return max(opts.min_quality, opts.min_quality_blurred)
    return opts.min_quality


def _find_groups(gray, regions, fmts, opts, fallback: bool) -> list[tuple[list[_Hit], float]]:
    """Decoded texts with their supporting hits, one group per code, and the best rival's quality.

    See :func:`_gather` for the stages and :func:`_rival_quality`.
    """
    every = _group(_gather(gray, regions, fmts, opts, fallback))
    groups = [g for g in _suppress(every) if not _part_of_longer_code(g, opts)]
    return [(g, _rival_quality(g, every)) for g in groups]


RIVAL_FIT = 2.0


def _rival_quality(group: list[_Hit], every: list[list[_Hit]]) -> float:
    """The best quality of another text of the same layout read on the same stretch (0 if none).

    Short codes read on part of a longer one are not rivals: the longer
    code explains them (see :func:`_part_of_longer_code`). Nor is a text
    whose whole code fits the grey levels more than ``RIVAL_FIT`` times
    worse: a misread on a poorer scanline, not an equally good reading.
    """
    segment = _segment(group)
    fit = min(h.fit.residual for h in group)
    best = 0.0
    for other in every:
        if other[0].key == group[0].key or other[0].candidate.layout != group[0].candidate.layout:
            continue
        if min(h.fit.residual for h in other) > RIVAL_FIT * fit:
            continue
        theirs = _segment(other)
        if _same_stretch(segment, theirs):
            best = max(best, quality(_evidence(other)))
    return best


def _part_of_longer_code(group: list[_Hit], opts: ReaderOptions) -> bool:
    """Whether a short code (EAN-8, UPC-E) is better explained as part of a 95-module code.

    Half of an EAN-13 between its start and middle guards has the layout of
    a UPC-E, and parts of it can pass for an EAN-8. A short code is dropped
    when a 95-module code sharing its start, its end or its centre fits the
    profile about as well.
    """
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    if cand.layout == "ean13":
        return False
    profile = best.scanline.profile
    length = 95 * cand.module
    long_layout = LAYOUTS["ean13"]
    for start in (cand.start, cand.end - length, 0.5 * (cand.start + cand.end - length)):
        if start < 0 or start + length > len(profile):
            continue
        other = decode_extent(profile, start, start + length, long_layout, frozenset(Format), opts.decoder)
        if other is None:
            continue
        fit = verify_candidate(profile, other)
        if fit.residual <= max(1.15 * best.fit.residual, best.fit.residual + 0.02):
            return True
    return False


CONFIRMED = 0.95  # quality at which a code needs no further scanlines
HOPELESS = 0.02  # if no single scanline's decode reaches this by the third, give up on the region


def _confirmed(hits: list[_Hit]) -> list[_Hit] | None:
    """A text read on two or more scanlines whose joint quality settles it."""
    by_key: dict[tuple[Format, str], list[_Hit]] = {}
    for hit in hits:
        by_key.setdefault(hit.key, []).append(hit)
    for group in by_key.values():
        if len({id(h.scanline) for h in group}) >= 2 and quality(_evidence(group)) >= CONFIRMED:
            return group
    return None


def _covers(segment: tuple[np.ndarray, np.ndarray], region: Region) -> bool:
    """Whether a region's centre lies on a code already read."""
    a0, a1 = segment
    length = float(np.hypot(*(a1 - a0)))
    axis = (a1 - a0) / max(length, 1e-9)
    offset = np.asarray(region.polygon).mean(axis=0) - a0
    along = float(offset @ axis)
    across = abs(float(offset @ np.array([-axis[1], axis[0]])))
    return -0.1 * length <= along <= 1.1 * length and across < 0.5 * length


SAME_ANGLE = 10.0  # degrees within which two regions' reading axes count as one


def _same_place(region: Region, earlier: Region) -> bool:
    """Whether a region and an earlier one of about the same angle each hold the other's centre.

    Later localizers are there for the codes earlier ones missed: a region
    that an earlier one already covers adds scanlines (and rival readings
    of their blur) but no code. A small region inside a much larger one
    (a code in a box that also took in its neighbour) is not covered: the
    larger region's scanlines pass through its own middle, not the small
    one's.
    """
    turn = abs(region.angle - earlier.angle) % 180.0
    if min(turn, 180.0 - turn) > SAME_ANGLE:
        return False
    return (_inside(np.mean(region.polygon, axis=0), earlier.polygon)
            and _inside(np.mean(earlier.polygon, axis=0), region.polygon))


@dataclasses.dataclass
class _RegionScan:
    """The scanlines of one region and what was read on them."""

    index: int  # the region's position in the list scanned
    lines: list[Scanline]
    decodes: list[_LineDecodes]
    found: list[_Hit]
    confirmed: bool


def _scan_regions(gray, regions, fmts, opts, index0: int = 0) -> list[_RegionScan]:
    """Decode scanlines of each region with the templates until one code is confirmed there.

    A region whose scanlines stop inside the image before a decoded code's
    quiet zone (a box covering only part of a code) is scanned again on
    longer lines, and only those count, less what they read on codes
    already confirmed; a code they confirm leaves later regions to be
    scanned.
    """
    scans: list[_RegionScan] = []
    done: list[tuple[np.ndarray, np.ndarray]] = []
    for index, region in enumerate(regions, start=index0):
        if any(_covers(segment, region) for segment in done):
            continue
        scan = _scan_region(gray, region, index, fmts, opts)
        extra = max((_shortfall(h, gray.shape) for h in scan.found), default=0.0)
        if extra > 0:
            scan = _scan_region(gray, region, index, fmts, opts, extra)
            # Longer lines may cross a code already read, where they add
            # nothing but rival readings of it.
            scan.found = [h for h in scan.found if not any(_same_stretch(s, h.endpoints()) for s in done)]
        confirmed = _confirmed(scan.found)
        scan.confirmed = confirmed is not None
        # What longer lines confirm does not spare later regions: crossing
        # into a code beside the box, they can confirm a short code read on
        # part of it, and only that code's own region shows it whole.
        if confirmed is not None and extra == 0:
            # On the code's own axis: a slanted scan's segment points off
            # the code, over a neighbour's region.
            done.append(_true_axis(confirmed, *_segment(confirmed)))
        scans.append(scan)
    return scans


def _scan_region(gray, region: Region, index: int, fmts, opts, extra: float = 0.0) -> _RegionScan:
    """Decode one region's scanlines, centre first, until a code is confirmed or nothing looks like one."""
    scan = _RegionScan(index, _region_scanlines(gray, region, opts.scanlines, extra), [], [], False)
    for count, line in enumerate(scan.lines, start=1):
        scan.decodes.append(_decode_scanline(line, fmts, opts.decoder))
        scan.found += [_Hit(c, line, index, f) for c, f in scan.decodes[-1].found]
        if _confirmed(scan.found) is not None:
            scan.confirmed = True
            break
        if count >= 3 and not any(quality(_evidence([h])) >= HOPELESS for h in scan.found):
            break  # nothing code-like in the middle of this region
    return scan


SLACK_MODULES = 20.0  # how far past a cut-short code a longer scanline reaches, for a misplaced decode


def _shortfall(hit: _Hit, shape: tuple[int, int]) -> float:
    """Pixels a scanline lacks for a code's quiet zones, where it stops inside the image (else 0).

    A decode whose quiet zone lies off its scanline has no evidence of
    one, and is often a misread of part of a longer code: a localizer's
    box that holds only part of a code gives scanlines that start inside
    it, whose decodes are misreads or nothing. Where the image goes on, a
    longer scanline shows what is there.
    """
    cand = hit.candidate
    n = len(hit.scanline.profile)
    need = (QUIET + 1.5) * cand.module
    short = max(need - cand.start, 0.0), max(cand.end + need - n, 0.0)
    if not any(short):
        return 0.0
    h, w = shape
    missing = 0.0
    for deficit, position in zip(short, (0.0, float(n))):
        x, y = hit.scanline.to_image(position)
        if deficit > 0 and 1.0 <= x <= w - 2.0 and 1.0 <= y <= h - 2.0:
            missing = max(missing, deficit + SLACK_MODULES * cand.module)
    return missing * float(np.hypot(*hit.scanline.step))


def _search_regions(scans: list[_RegionScan], fmts, opts) -> None:
    """Search blurred regions where nothing was read with the blurred model.

    The central scanline is searched along its whole length, the next ones
    where codes were placed on it. At most ``opts.searched_regions``
    regions are searched, in the order given.
    """
    todo = [scan for scan in scans if _worth_searching(scan, opts)][: opts.searched_regions]
    for scan in todo:
        for count, (line, decoded) in enumerate(zip(scan.lines, scan.decodes[: opts.blurred_scanlines]), start=1):
            placements = [_placement(h) for h in scan.found if h.candidate.stage == 2]
            seeds = decoded.seeds + placements
            scan.found += [_Hit(c, line, scan.index, f) for c, f in _search_scanline(line, fmts, seeds, full=count == 1)]
            if _confirmed(scan.found) is not None:
                scan.confirmed = True
                break


def _worth_searching(scan: _RegionScan, opts: ReaderOptions) -> bool:
    """Whether a region deserves the blurred-model search: blurred, and nothing read there yet."""
    if scan.confirmed or opts.blurred_scanlines <= 0:
        return False
    if not any(d.blurred for d in scan.decodes[: opts.blurred_scanlines]):
        return False
    return not any(_read(g, opts, opts.min_quality) for g in _group(scan.found))


def _gather(gray, regions, fmts, opts, fallback: bool, exhaustive: bool = False) -> list[_Hit]:
    """Every decode of the image, by stages that stop once something is read.

    1. The deformable templates on scanlines of every region.
    2. Unless a text of at least ``settled_quality`` that passes the
       posterior bar was read, and if
       ``fallback`` is set, the same on rows and columns across the image.
    3. Unless such a text was read then, the blurred-model search on
       blurred regions.

    With ``exhaustive`` every stage runs whatever was read (used to fit the
    quality model on all kinds of decodes).
    """
    scans = _scan_regions(gray, regions, fmts, opts)

    def hits() -> list[_Hit]:
        return [h for scan in scans for h in scan.found]

    def read_any() -> bool:
        return not exhaustive and any(_read(g, opts, opts.settled_quality) for g in _suppress(_group(hits())))

    if fallback and not read_any():
        scans += _scan_regions(gray, _fallback_regions(gray), fmts, opts, index0=len(regions))
    if not read_any():
        _search_regions(scans, fmts, opts)
    return hits()


def _placement(hit: _Hit) -> Placement:
    """Where a hit's code lies, in the coordinates of any scanline of its region."""
    cand = hit.candidate
    return Placement(cand.layout, cand.start, cand.module)
