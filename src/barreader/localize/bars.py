"""What a localizer's rough box becomes: a box fitted to the bars it holds, and the test that they are a code's.

Shared by the QuaggaJS-style localizer (whose boxes are made of whole
patches) and the segmentation localizer (whose boxes are a coarse mask's).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..results import Region
from .percentile import percentiles

__all__ = ["fit_to_bars", "looks_like_bars", "profile_looks_like_bars", "strip", "MODULES_PER_BAR"]

MODULES_PER_BAR = 95.0 / 30.0  # mean bar-to-bar pitch of an EAN/UPC code, in modules
QUIET_MODULES = 5.5  # a light gap this many modules wide ends a code


def strip(gray: np.ndarray, origin: np.ndarray, u: np.ndarray, v: np.ndarray, width: int, height: int) -> np.ndarray:
    """The image resampled on a ``width`` x ``height`` grid from ``origin`` along ``u`` and ``v``.

    One sample per pixel, bilinear; samples outside the image are NaN
    (neither dark nor light).
    """
    to_image = np.array([[u[0], v[0], origin[0]], [u[1], v[1], origin[1]]])
    return cv2.warpAffine(gray, to_image, (max(width, 1), max(height, 1)), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=float("nan"))


def fit_to_bars(gray: np.ndarray, u: np.ndarray, v: np.ndarray, box: tuple, side: float):
    """Fit a rough box to the bars it holds.

    ``side`` is the box's coarseness in pixels (a localizer's patch or map
    cell): the margins searched are two of it. A box made of whole patches overshoots the code by up to a patch on
    every side, and may cover only part of it (patches on wide bars or
    spaces are not accepted, which can cut a code into several groups).
    The middle half of the box's height is resampled in the box's frame
    (``u`` across the bars, ``v`` along them, one sample per pixel) with
    two patches of margin at both ends, and thresholded halfway between
    its dark and light grey. Along ``u`` the code is the run of dark
    columns there, bounded by light gaps of ``QUIET_MODULES`` (the module
    being the lower quartile of the dark runs' widths), that holds the most
    dark inside the box; where no quiet zone separates it from an end of
    the resampled strip, the strip is lengthened and the search repeated.
    Along ``v``, over the code's columns and two patches beyond the box's
    height, the code is the run of rows, around the darkest of the middle
    ones, at least half as dark as the middle rows.

    Returns
    -------
    (a0, a1, b0, b1, module, crop) or None
        Extents along ``u`` and ``v`` and the module width, in pixels, and
        the image resampled in the fitted box (rows along ``v``); None when
        no bars are found.
    """
    a0, a1, b0, b1 = box
    margin = int(math.ceil(2 * side))
    before = after = margin
    limit = math.hypot(*gray.shape)
    middle = b0 + int(0.25 * (b1 - b0))  # first row of the middle half
    middle_rows = int(math.ceil(0.75 * (b1 - b0))) - int(0.25 * (b1 - b0)) + 1
    for _ in range(4):
        width = int(math.ceil(a1 - a0)) + before + after
        band = strip(gray, (a0 - before) * u + middle * v, u, v, width, middle_rows)
        inside_image = np.isfinite(band)
        if inside_image.mean() < 0.5:
            return None
        dark_grey, light_grey = _tails(band[::2, ::2])
        if light_grey - dark_grey < 0.05:
            return None
        threshold = 0.5 * (dark_grey + light_grey)
        with np.errstate(invalid="ignore"):
            column_dark = (band < threshold).mean(axis=0)
        runs = _runs(column_dark > 0.5)
        if len(runs) < 4:
            return None
        # The narrowest dark runs give the module unless blur or the
        # threshold thinned the narrow bars; then the median bar-to-bar pitch
        # (about MODULES_PER_BAR modules in an EAN/UPC code) is closer.
        pitch = _quantile([b - a for (a, _), (b, _) in zip(runs, runs[1:])], 0.5)
        module = max(_quantile([e - s for s, e in runs], 0.25), pitch / MODULES_PER_BAR, 1.0)
        segments = [[runs[0][0], runs[0][1]]]
        for start, stop in runs[1:]:
            if start - segments[-1][1] >= QUIET_MODULES * module:
                segments.append([start, stop])
            else:
                segments[-1][1] = stop
        inside = slice(before, before + int(math.ceil(a1 - a0)))
        mass = column_dark[inside]
        start, stop = max(segments, key=lambda seg: mass[max(seg[0] - before, 0) : max(seg[1] - before, 0)].sum())
        # No quiet zone seen before an end of the strip: the code may go on.
        quiet = QUIET_MODULES * module
        grow_before = start < quiet and before < limit and inside_image[:, 0].any()
        grow_after = stop > width - quiet and after < limit and inside_image[:, -1].any()
        if not (grow_before or grow_after):
            break
        step = int(max(a1 - a0, 20 * module))
        before += step if grow_before else 0
        after += step if grow_after else 0
    left = a0 - before + start
    height = int(math.ceil(b1 - b0)) + 2 * margin
    code = strip(gray, left * u + (b0 - margin) * v, u, v, stop - start, height)
    with np.errstate(invalid="ignore"):
        rows = (code < threshold).mean(axis=1)
    first = margin + int(0.25 * (b1 - b0))
    level = 0.5 * float(np.median(rows[first : first + middle_rows]))
    top = bottom = first + int(np.argmax(rows[first : first + middle_rows]))
    while top > 0 and rows[top - 1] >= level:
        top -= 1
    while bottom < height - 1 and rows[bottom + 1] >= level:
        bottom += 1
    return (left, left + stop - start, b0 - margin + top, b0 - margin + bottom + 1, module, code[top : bottom + 1])


def _tails(values: np.ndarray) -> tuple[float, float]:
    """The 5th and 95th percentiles (nearest rank) of the finite values; (0, 0) when there are none."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 0.0
    low, high = int(0.05 * (finite.size - 1)), int(math.ceil(0.95 * (finite.size - 1)))
    parted = np.partition(finite, (low, high))
    return float(parted[low]), float(parted[high])


def _quantile(values: list, q: float) -> float:
    """Quantile of a short list by linear interpolation, without numpy's overhead."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (position - below) * (ordered[above] - ordered[below]))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a 1-D mask."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


MIN_ALONG_SHARE = 0.3  # of the box's grey variance that its column profile must explain
MIN_CONTRAST = 0.15  # grey levels between dark and light of that profile
STRIPES_RUNS = 8  # with this many bars or more ...
STRIPES_SPREAD = 0.35  # ... widths this uniform (std / mean) are stripes, not a code


def looks_like_bars(gray: np.ndarray, region: Region, crop: np.ndarray | None = None, min_bars: int = 0) -> bool:
    """Whether a box holds bars running its full height with the widths of a code.

    Localizers also find text, foliage and fences. In a code, the bars cross the whole box: the mean grey of each
    column (the profile across the bars) explains a large share of the
    box's grey variance (``MIN_ALONG_SHARE``) and spans a clear contrast.
    A code's bars and spaces come in one to four module widths; many of
    one width are stripes. ``crop`` is the image already resampled in the
    box, if at hand and wholly inside the image. ``min_bars`` is how many
    dark bars the profile must hold at least.
    """
    if crop is not None and crop.size and np.isfinite(crop).all():
        return profile_looks_like_bars(crop, min_bars)
    corners = region.polygon
    u, v = corners[1] - corners[0], corners[3] - corners[0]
    length, height = float(np.hypot(*u)), float(np.hypot(*v))
    if length < 4 or height < 3:
        return False
    to_image = np.array([[u[0] / length, v[0] / height, corners[0][0]], [u[1] / length, v[1] / height, corners[0][1]]])
    crop = cv2.warpAffine(gray, to_image, (int(math.ceil(length)), int(math.ceil(height))),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    return profile_looks_like_bars(crop, min_bars)


def profile_looks_like_bars(crop: np.ndarray, min_bars: int = 0) -> bool:
    """The bar test of :func:`looks_like_bars` on a box resampled with rows along the bars."""
    if crop.shape[0] < 3 or crop.shape[1] < 4:
        return False
    profile = crop.mean(axis=0)
    if profile.var() < MIN_ALONG_SHARE * max(float(crop.var()), 1e-12):
        return False
    dark_grey, light_grey = percentiles(profile, 5, 95)
    if light_grey - dark_grey < MIN_CONTRAST:
        return False
    dark = profile < 0.5 * (dark_grey + light_grey)
    if min_bars and len(_runs(dark)) < min_bars:
        return False
    edges = np.flatnonzero(np.diff(dark.astype(np.int8)))
    widths = np.diff(edges)
    return not (len(widths) >= 2 * STRIPES_RUNS - 1 and widths.std() < STRIPES_SPREAD * widths.mean())
