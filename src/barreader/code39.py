"""Constrained recovery of Code 39 codes too degraded to read without knowing what they say.

When the structure of the encoded string is known (how many characters,
which are allowed where, a check character), a code blurred, pixelated or
smudged beyond what a reader accepts can still be recovered: the decoder
only has to choose among the strings that structure allows, and the
check character ties the positions together (ALGORITHMS.md §4.3).

Examples
--------
>>> import numpy as np
>>> import barreader.code39
>>> from barreader.synth import random_hetu, render_licence_card
>>> card = render_licence_card(random_hetu(np.random.default_rng(1)), blur=1.5, rng=1)
>>> result = barreader.code39.recover(card.image, "[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]", check="hetu")
>>> result.text == card.text
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .decode.code39 import Code39Candidate, Code39Options, decode_views
from .decode.code39_constraints import CHECKS, parse_pattern
from .errors import InvalidArgumentError
from .formats import Format
from .image import to_gray
from .localize.tensor import tensor_regions
from .results import Barcode, Region, as_region
from .scanning import LOCALIZERS
from .scanline import Scanline, sample_profile

__all__ = ["recover", "RECOVERY_OPTIONS"]

RECOVERY_OPTIONS = Code39Options(jitter=(-1.0, -0.5, 0.0, 0.5, 1.0), local_levels=True)
MAX_REGIONS = 3  # regions tried per localizer, strongest first
QUIET = 10.0  # narrow widths of quiet zone a Code 39 has on each side
_LOCALIZERS = {"tensor": tensor_regions, **LOCALIZERS}
SURE = 0.99  # posterior of a reading after which weaker regions are not tried


def recover(image, pattern: str, *, check: str | Callable[[str], bool] | None = None,
            region: Region | np.ndarray | None = None, min_confidence: float = 0.5,
            localizer: str | Sequence[str] = ("tensor", "quagga"),
            options: Code39Options = RECOVERY_OPTIONS) -> Barcode | None:
    """Recover a Code 39 whose string is known to follow a pattern.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        As for :func:`barreader.read`.
    pattern : str
        The data characters (without the ``*`` start and stop), one item
        per character: a literal, ``.`` for any character, or a class such
        as ``[0-9A-F]``; e.g. ``"[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"``
        for the payload of a Finnish driver's licence.
    check : {None, "mod43", "hetu"} or callable, optional
        ``"mod43"``: the last character is the mod-43 check of the others.
        ``"hetu"``: the string is a Finnish identity code ``DDMMYYCZZZQ``
        with its mod-31 check character. A callable takes a candidate text
        and returns whether it is valid.
    region : Region or (4, 2) array, optional
        Where the code is (corners in image pixels, edge 0-1 along the
        bars' reading direction). By default the code is found with the
        ``localizer`` (any orientation it supports).
    min_confidence : float
        The least posterior probability of the whole string, among all the
        strings the pattern and check allow, for a result to be returned.
    localizer : str or sequence of str
        Localizers tried when ``region`` is not given, the first
        ``MAX_REGIONS`` regions of each: ``"tensor"`` (coherent gradient,
        :mod:`barreader.localize.tensor`, which finds blurred codes at any
        angle) and those of :func:`barreader.scan`.
    options : Code39Options
        Hypotheses searched (ratios, blurs, extent jitter, per-slot levels).

    Returns
    -------
    Barcode or None
        The most probable valid string, with ``quality`` its posterior
        probability and ``extra["posteriors"]`` each character's; None when
        no code is found or no valid string reaches ``min_confidence``.

    Raises
    ------
    InvalidArgumentError
        If the pattern, check, region or min_confidence is invalid.
    InvalidImageError
        If the image cannot be used.
    """
    allowed = parse_pattern(pattern)
    if not (check is None or callable(check) or check in CHECKS):
        raise InvalidArgumentError(f"check must be one of {CHECKS}, a callable or None, got {check!r}")
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise InvalidArgumentError(f"min_confidence must be in [0, 1], got {min_confidence!r}")
    names = [localizer] if isinstance(localizer, str) else list(localizer)
    unknown = [n for n in names if n not in _LOCALIZERS]
    if unknown or not names:
        raise InvalidArgumentError(f"localizer must name some of {sorted(_LOCALIZERS)}, got {localizer!r}")
    if check == "hetu" and len(allowed) != 11:
        raise InvalidArgumentError(f"a HETU check needs a pattern of 11 characters (DDMMYYCZZZQ), got {len(allowed)}")
    gray = to_gray(image)
    if region is not None:
        batches = [lambda: [as_region(region)]]
    else:
        batches = [lambda name=name: _LOCALIZERS[name](gray)[:MAX_REGIONS] for name in names]
    best: tuple[Code39Candidate, Scanline, Region] | None = None
    for batch in batches:  # later localizers only when the earlier ones found nothing sure
        for candidate_region in batch():
            lines, views = [], []
            for line, centre in _profiles(gray, candidate_region):  # both directions
                extent = _code_extent(line.profile, len(allowed) + 2, centre)
                if extent is not None:
                    lines.append(line)
                    views.append((line.profile, *extent))
            read = decode_views(views, allowed=allowed, check=check, options=options) if views else None
            if read is not None and (best is None or read[1].residual < best[0].residual):
                best = (read[1], lines[read[0]], candidate_region)
            if best is not None and math.exp(best[0].log_posterior) >= SURE:
                break  # a region read with near certainty: weaker regions are not tried
        if best is not None and math.exp(best[0].log_posterior) >= SURE:
            break
    if best is None:
        return None
    found, line, found_region = best
    confidence = math.exp(found.log_posterior)
    if confidence < min_confidence:
        return None
    return _to_barcode(found, line, found_region, confidence)


def _profiles(gray: np.ndarray, region: Region) -> list[tuple[Scanline, float]]:
    """Profiles along a region's axis through its middle, across the whole image, both ways.

    The middle half of the region's height is averaged. A localizer may
    have found only part of a blurred code, so the line runs on to the
    image's edges; each profile comes with the position of the region's
    centre on it.
    """
    poly = np.asarray(region.polygon, dtype=np.float64)
    along, across = poly[1] - poly[0], poly[3] - poly[0]
    length, height = float(np.hypot(*along)), float(np.hypot(*across))
    if length < 4:
        return []
    unit = along / length
    centre = poly.mean(axis=0)
    h, w = gray.shape
    reach = _reach(centre, unit, w, h)
    p0, p1 = centre - reach[0] * unit, centre + reach[1] * unit
    half_band = max(0.0, 0.25 * height)
    return [(sample_profile(gray, p0, p1, half_band), reach[0]), (sample_profile(gray, p1, p0, half_band), reach[1])]


def _reach(point: np.ndarray, unit: np.ndarray, width: int, height: int) -> tuple[float, float]:
    """Distances from a point back and forth along ``unit`` to the image's border."""
    limits = []
    for sign in (-1.0, 1.0):
        steps = []
        for k, size in ((0, width), (1, height)):
            d = sign * unit[k]
            if abs(d) > 1e-9:
                steps.append(((size - 1 - point[k]) if d > 0 else -point[k]) / d)
        limits.append(max(0.0, min(steps)))
    return limits[0], limits[1]


def _code_extent(profile: np.ndarray, count: int, centre: float) -> tuple[float, float] | None:
    """First and last bar edges of the dark stretch of a profile around ``centre``, blur or not.

    The profile is smoothed (half a narrow width were the code to fill the
    whole profile, more as it fills less) and cut where it is darker than
    a quarter of the way from light to dark; dark stretches closer than
    four smoothing widths are joined, so that the code becomes one stretch
    whatever its blur, and the one holding ``centre`` (else the widest) is
    taken, its ends pulled in by half the smoothing width.
    """
    n = len(profile)
    if n < 16:
        return None
    light, dark = np.percentile(profile, (90, 3))
    if light - dark < 1e-3:
        return None
    sigma = max(1.0, 0.5 * n / (count * 13.0 + 2 * QUIET))
    from scipy.ndimage import gaussian_filter1d

    smooth = gaussian_filter1d(np.asarray(profile, dtype=np.float64), sigma, mode="nearest")
    low = smooth < light - 0.25 * (light - dark)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], low.astype(np.int8), [0]))))
    runs = [[a, b] for a, b in zip(edges[::2], edges[1::2])]
    if not runs:
        return None
    joined = [runs[0]]
    gap = 4.0 * sigma
    for a, b in runs[1:]:
        if a - joined[-1][1] < gap:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    holding = [r for r in joined if r[0] <= centre <= r[1]]
    start, end = holding[0] if holding else max(joined, key=lambda r: r[1] - r[0])
    if end - start < 8 * count:  # at least about half a pixel per narrow width
        return None
    return float(start) + 0.5 * sigma, float(end) - 0.5 * sigma


def _to_barcode(found: Code39Candidate, line: Scanline, region: Region, confidence: float) -> Barcode:
    start, end = line.to_image(found.start), line.to_image(found.end)
    direction = end - start
    orientation = math.degrees(math.atan2(direction[1], direction[0])) % 360.0
    normal = np.array([-direction[1], direction[0]]) / max(float(np.hypot(*direction)), 1e-9)
    poly = np.asarray(region.polygon, dtype=np.float64)
    offsets = (poly - start) @ normal
    low, high = float(offsets.min()), float(offsets.max())
    position = np.array([start + low * normal, end + low * normal, end + high * normal, start + high * normal])
    extra = {
        "posteriors": [float(p) for p in found.posteriors],
        "narrow": float(found.narrow * np.hypot(*line.step)),
        "ratio": found.ratio,
        "blur": found.blur,
        "residual": found.residual,
        "decoder": "code39-recovery",
    }
    return Barcode(found.text, Format.CODE39, position, orientation, confidence, extra)
