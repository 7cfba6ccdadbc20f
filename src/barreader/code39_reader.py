"""Standard Code 39 reading inside :func:`barreader.read`: no pattern known, the code's own structure only.

Every region's scanlines (centre first) are cut into extents (stretches of
bars between quiet zones, :func:`barreader.scanline.find_extents`); an
extent with at least three characters' worth of bars is decoded by the
template bank of :mod:`barreader.decode.code39` in both directions, with
the ratio, gap, blur and character count searched, once as sampled and
once with its perspective undone (:class:`Perspective`, fitted to where
the bars are), the better fit kept. A reading counts when the start and
stop ``*`` fit the ends best, every character's posterior is high enough
and the code fits the profile well; readings of one text on nearby
scanlines are merged, and a text needs two agreeing scanlines unless one
reading alone is near certain.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np

from .decode.code39 import Code39Candidate, Code39Options, decode_profile
from .formats import Format
from .results import Barcode, Region
from .scanline import Scanline, bar_extent, find_extents, valley_centres
from .symbology.code39 import ALPHABET, decode_full_ascii

__all__ = ["Code39ReadOptions", "read_code39", "finish_text"]

MIN_BARS = 15  # three characters: a start, one data character and a stop
MAX_STRETCH = 0.6  # largest perspective parameter k tried (scale 2.6:1 from end to end)
MIN_STRETCH = 0.03  # below this the profile is read as it is


@dataclasses.dataclass(frozen=True)
class Code39ReadOptions:
    """How :func:`barreader.read` reads Code 39.

    Attributes
    ----------
    full_ascii : bool
        Decode Full ASCII pairs (``+A`` -> ``a``, ...); a text that is not
        valid Full ASCII is then dropped.
    mod43 : bool
        Require a mod-43 check character as the last data character, and
        drop it from the text (it is kept in ``extra["check"]``). Without
        it, ``extra["mod43"]`` still says whether the last character
        happens to check.
    min_line_posterior : float
        Least posterior probability of each character for a scanline's
        reading to count at all.
    min_posterior : float
        A text read on two or more scanlines needs, on one of them, this
        posterior for each of its characters ...
    min_posterior_alone : float
        ... and a text read on one scanline only, this.
    max_residual : float
        Largest RMS residual of the fit, relative to the bar-space contrast.
    scanlines : int
        Parallel scanlines decoded per region (centre first); a region
        whose central scanline shows no Code 39 is left after it.
    decoder : Code39Options
    """

    full_ascii: bool = False
    mod43: bool = False
    min_line_posterior: float = 0.3
    min_posterior: float = 0.95
    min_posterior_alone: float = 0.9999
    max_residual: float = 0.3
    scanlines: int = 5
    decoder: Code39Options = Code39Options(gaps=(1.0, 1.5, 2.0, 3.0), blurs=(0.0, 0.5, 1.0), keep=4, shift=4,
                                           scales=(0.97, 1.0, 1.03))


@dataclasses.dataclass
class _Read:
    candidate: Code39Candidate
    line: Scanline

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        return self.line.to_image(self.candidate.start), self.line.to_image(self.candidate.end)


def read_code39(gray: np.ndarray, regions: Sequence[Region],
                scanlines_of: Callable[[np.ndarray, Region, int], list[Scanline]],
                options: Code39ReadOptions) -> list[Barcode]:
    """Code 39 barcodes read on the scanlines of the given regions.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
    regions : sequence of Region
    scanlines_of : callable
        ``scanlines_of(gray, region, count)``: a region's parallel
        scanlines, centre first.
    options : Code39ReadOptions

    Returns
    -------
    list of Barcode
    """
    reads: list[_Read] = []
    for region in regions:
        for count, line in enumerate(scanlines_of(gray, region, options.scanlines), start=1):
            found = _read_line(line, options)
            reads += found
            if count == 1 and not found:
                break
    results = []
    for group in _group(reads):
        lines = len({id(r.line) for r in group})
        best = max(r.candidate.posteriors.min() for r in group)
        if not (lines >= 2 and best >= options.min_posterior or best >= options.min_posterior_alone):
            continue
        barcode = _to_barcode(gray, group, options)
        if barcode is not None:
            results.append(barcode)
    return results


def _read_line(line: Scanline, options: Code39ReadOptions) -> list[_Read]:
    """Credible Code 39 readings on a scanline, each extent read both ways."""
    found = []
    backwards = _reversed(line)
    n = len(line.profile)
    for extent in find_extents(line.profile)[:3]:
        if extent.n_bars < MIN_BARS:
            continue
        # Perspective stretches one end of a code: read it also on a profile
        # resampled so that the code's bars are evenly spread again, and keep
        # whichever fits better.
        readings = {}
        for warp in {Perspective(extent.start, extent.end, 0.0, 0.0), Perspective.fit(line.profile, extent.start, extent.end)}:
            flat, start, end = warp.flatten(line.profile)
            m = len(flat)
            forward = decode_profile(flat, start, end, n_bars=extent.n_bars, options=options.decoder)
            reverse = decode_profile(flat[::-1].copy(), m - end, m - start, n_bars=extent.n_bars, options=options.decoder)
            if forward is not None:
                forward = dataclasses.replace(forward, start=warp.to_profile(forward.start), end=warp.to_profile(forward.end))
                readings[("forward", warp.k)] = (line, forward)
            if reverse is not None:
                reverse = dataclasses.replace(reverse, start=n - warp.to_profile(m - reverse.start),
                                              end=n - warp.to_profile(m - reverse.end))
                readings[("reverse", warp.k)] = (backwards, reverse)
        best = {}
        for (direction, _), (on, candidate) in readings.items():
            if direction not in best or candidate.residual < best[direction][1].residual:
                best[direction] = (on, candidate)
        readings = list(best.values())
        for on, candidate in readings:
            if not candidate.text:
                continue
            if candidate.posteriors.min() < options.min_line_posterior or candidate.residual > options.max_residual:
                continue
            found.append(_Read(candidate, on))
    return found


@dataclasses.dataclass(frozen=True)
class Perspective:
    """A projective stretch of a code along its scanline.

    Code position ``u`` in [0, 1] (the fraction of the code's length, were
    it printed on a flat, frontal label) lies at profile position
    ``start + length * u (1 + k) / (1 + k u)``: ``k = 0`` is no stretch;
    ``k > 0`` draws the start end larger (nearer the camera).
    """

    start: float
    end: float
    k: float
    margin: float

    @classmethod
    def fit(cls, profile: np.ndarray, start: float, end: float, margin: float = 40.0) -> "Perspective":
        """``k`` fitted to the bars' positions: on average the bars are evenly spread over a code."""
        from scipy.ndimage import gaussian_filter1d

        smooth = gaussian_filter1d(np.asarray(profile, dtype=np.float64), 0.5, mode="nearest")
        centres = valley_centres(smooth)
        centres = centres[(centres >= start - 1) & (centres <= end + 1)].astype(np.float64)
        if len(centres) < MIN_BARS:
            return cls(start, end, 0.0, margin)
        u = (np.arange(len(centres)) + 0.5) / len(centres)
        ks = np.linspace(-MAX_STRETCH, MAX_STRETCH, 49)
        placed = start + (end - start) * u[None, :] * (1 + ks[:, None]) / (1 + ks[:, None] * u[None, :])
        k = float(ks[np.argmin(((placed - centres[None, :]) ** 2).sum(axis=1))])
        return cls(start, end, k if abs(k) > MIN_STRETCH else 0.0, margin)

    def to_profile(self, position):
        """Original profile position(s) of position(s) on the flattened profile (float or array)."""
        if self.k == 0.0:
            return position  # not flattened
        length = self.end - self.start
        u = (position - self.margin) / length
        return self.start + length * u * (1 + self.k) / (1 + self.k * u)

    def flatten(self, profile: np.ndarray) -> tuple[np.ndarray, float, float]:
        """The profile resampled evenly in code position, with ``margin`` samples of quiet zone each side."""
        if self.k == 0.0:
            return np.asarray(profile, dtype=np.float64), self.start, self.end
        length = self.end - self.start
        positions = self.to_profile(np.arange(int(length + 2 * self.margin)) + 0.5)
        flat = np.interp(positions - 0.5, np.arange(len(profile)), profile)
        return flat, self.margin, self.margin + length


def _reversed(line: Scanline) -> Scanline:
    """The same scanline sampled from its other end."""
    n = len(line.profile)
    return Scanline(line.profile[::-1].copy(), line.origin + (n - 1) * line.step, -line.step, -line.normal)


def _group(reads: list[_Read]) -> list[list[_Read]]:
    """Reads of one text whose segments' centres are within half a code length."""
    groups: list[list[_Read]] = []
    for read in reads:
        a0, a1 = read.endpoints()
        size = float(np.hypot(*(a1 - a0)))
        for group in groups:
            b0, b1 = group[0].endpoints()
            if group[0].candidate.text == read.candidate.text and np.hypot(*((a0 + a1 - b0 - b1) / 2)) < 0.5 * size:
                group.append(read)
                break
        else:
            groups.append([read])
    return groups


def finish_text(text: str, options: Code39ReadOptions) -> tuple[str, dict] | None:
    """A Code 39's text as reported: its mod-43 check stripped and Full ASCII decoded when asked.

    Parameters
    ----------
    text : str
        The characters between the ``*``.
    options : Code39ReadOptions

    Returns
    -------
    (str, dict) or None
        The text and the ``extra`` entries it adds (``mod43``, ``check``,
        ``raw``); None when ``options`` require a check or Full ASCII that
        the text does not have.
    """
    extra: dict = {}
    checks = len(text) >= 2 and ALPHABET[sum(ALPHABET.index(c) for c in text[:-1]) % 43] == text[-1]
    extra["mod43"] = checks
    if options.mod43:
        if not checks:
            return None
        extra["check"] = text[-1]
        text = text[:-1]
    if options.full_ascii:
        decoded = decode_full_ascii(text)
        if decoded is None:
            return None
        extra["raw"] = text
        text = decoded
    return text, extra


def _to_barcode(gray: np.ndarray, group: list[_Read], options: Code39ReadOptions) -> Barcode | None:
    best = max(group, key=lambda r: r.candidate.log_posterior)
    cand = best.candidate
    text = cand.text
    extra: dict = {"scanlines": len(group), "narrow": float(cand.narrow * np.hypot(*best.line.step)),
                   "ratio": cand.ratio, "residual": cand.residual, "decoder": "code39-templates"}
    finished = finish_text(text, options)
    if finished is None:
        return None
    text, checked = finished
    extra.update(checked)
    starts = np.array([r.endpoints()[0] for r in group])
    ends = np.array([r.endpoints()[1] for r in group])
    start, end = starts.mean(axis=0), ends.mean(axis=0)
    direction = end - start
    orientation = math.degrees(math.atan2(direction[1], direction[0])) % 360.0
    normal = np.array([-direction[1], direction[0]]) / max(float(np.hypot(*direction)), 1e-9)
    offsets = [float((s - start) @ normal) for s in starts]
    low, high = bar_extent(gray, start, end, offsets)
    position = np.array([start + low * normal, end + low * normal, end + high * normal, start + high * normal])
    # Agreeing scanlines are near-independent evidence of the same string.
    confidence = 1.0 - (1.0 - math.exp(cand.log_posterior)) ** len({id(r.line) for r in group})
    return Barcode(text, Format.CODE39, position, orientation, float(confidence), extra)
