"""The screen before the template decoder: a region must show bars a code could have.

The deformable templates cost milliseconds per scanline; localizers also
box text, foliage, fences and tiles, and every region they find would
otherwise be decoded for nothing. A region passes when

1. its central scanline spans a clear contrast and holds enough bars
   (prominent dark valleys between quiet zones,
   :func:`barreader.scanline.find_extents`) for a code: a blurred EAN-13
   still shows its wider bars; and
2. most of the grey gradient energy inside it points along its reading
   direction (:func:`across_share`): bars are parallel, text and foliage
   are not, and blur keeps the direction of the gradient. Where blur has
   merged the bars down to 4–7, the gradient must be all but parallel
   (0.9 of its energy).

The Code 39 template bank gets only the regions whose central scanline
shows two widths (:func:`two_widths`): Code 39 is written in narrow and
wide elements, EAN/UPC in four widths.

The bars were chosen on the shared photos, for the regions of the 138
photos the fast decoder does not read (docs/benchmarks.md): 4 of those
the template stages read lose every region that read them (three of the
four are still read by the whole-image rows and columns), while of the
102 regions found on 39 of the 44 negatives, 36 on 17 images are left.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .._kernels.runs import profile_edges
from ..results import Region
from ..scanline import find_extents
from .regions import region_scanlines

__all__ = ["looks_like_code", "across_share", "two_widths", "shows_two_widths", "MIN_CONTRAST", "MIN_BARS", "MIN_ACROSS", "MIN_FEW_BARS", "MIN_ACROSS_FEW_BARS"]

MIN_CONTRAST = 0.14  # grey range (5th to 95th percentile, of 0-1) of the central scanline
MIN_BARS = 8  # bars of its best extent
MIN_ACROSS = 0.65  # share of the region's gradient energy along its reading direction
MIN_FEW_BARS, MIN_ACROSS_FEW_BARS = 4, 0.9  # fewer bars (blur merges them) will do where the gradient is that parallel
MAX_SIDE = 512  # pixels; larger regions are measured on a smaller copy (the share does not depend on scale)
EDGE_STEP = 0.1  # least edge step for the widths, relative to the scanline's grey range
QUIET = 4.0  # an element this many times the median width ends the stretch of a code
MIN_ELEMENTS = 9  # elements of one Code 39 character
WIDE_SHARE = (0.1, 0.6)  # shares of wide elements among bars (or spaces) a split may leave
MIN_GAP = 1.5  # least ratio between the classes (10th percentile of the wide, 90th of the narrow)
MAX_SPREAD = 1.7, 1.3  # most ratio within the narrow and the wide class (90th to 10th percentile)


def looks_like_code(gray: np.ndarray, region: Region) -> bool:
    """Whether a region shows bars a code could have (see the module docstring)."""
    lines = region_scanlines(gray, region, 1)
    if not lines:
        return False
    profile = lines[0].profile
    low, high = np.percentile(profile, [5, 95])
    if high - low < MIN_CONTRAST:
        return False
    bars = max((extent.n_bars for extent in find_extents(profile)), default=0)
    if bars < MIN_FEW_BARS:
        return False
    return across_share(gray, region) >= (MIN_ACROSS if bars >= MIN_BARS else MIN_ACROSS_FEW_BARS)


def across_share(gray: np.ndarray, region: Region) -> float:
    """The share of the grey gradient energy inside a region that points along its reading direction.

    1 for perfect bars across the reading direction, 0.5 for isotropic
    texture. The region is resampled upright (its first edge along x) and
    the squared Sobel derivatives are summed.
    """
    corners = np.asarray(region.polygon, dtype=np.float64)
    along, across = corners[1] - corners[0], corners[3] - corners[0]
    length, height = float(np.hypot(*along)), float(np.hypot(*across))
    if length < 3 or height < 3:
        return 0.0
    scale = min(1.0, MAX_SIDE / max(length, height))
    width, rows = max(int(math.ceil(length * scale)), 3), max(int(math.ceil(height * scale)), 3)
    to_image = np.column_stack([along / (length * scale), across / (height * scale), corners[0]])
    crop = cv2.warpAffine(np.asarray(gray, dtype=np.float32), to_image, (width, rows),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    gx = cv2.Sobel(crop, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(crop, cv2.CV_32F, 0, 1)
    energy_x, energy_y = float(np.square(gx).sum()), float(np.square(gy).sum())
    return energy_x / max(energy_x + energy_y, 1e-12)


def shows_two_widths(gray: np.ndarray, region: Region) -> bool:
    """Whether a region's central scanline shows the two widths of Code 39 (:func:`two_widths`)."""
    lines = region_scanlines(gray, region, 1)
    return bool(lines) and two_widths(lines[0].profile)


def two_widths(profile: np.ndarray) -> bool:
    """Whether the bars, or the spaces, of a profile's longest stretch of elements come in two widths.

    The elements lie between the profile's sub-pixel edges; a stretch ends
    at an element :data:`QUIET` times wider than the median (a quiet
    zone). Bars and spaces are taken apart, since ink spread and blur
    widen one and narrow the other; either passes when its sorted widths
    split into a narrow and a wide class, the wide ones
    :data:`WIDE_SHARE` of them, :data:`MIN_GAP` times wider than the
    narrow ones and each class tight (:data:`MAX_SPREAD`; the wide one
    tighter, as blur moves narrow elements most). Four widths (EAN/UPC's
    1-4 modules) leave no such split.
    """
    samples = np.asarray(profile, dtype=np.float64)
    if samples.size < 4 * MIN_ELEMENTS:
        return False
    low, high = float(samples.min()), float(samples.max())
    positions, strengths = np.empty(samples.size), np.empty(samples.size)
    n = profile_edges(samples, max(0.02, EDGE_STEP * (high - low)), 0.005, positions, strengths)
    if n < MIN_ELEMENTS + 1:
        return False
    widths = np.diff(positions[:n])
    bar = strengths[: n - 1] < 0  # an element starting at a falling edge is dark
    wide = widths > QUIET * np.median(widths)
    best, best_range = 0, (0, 0)
    start = 0
    for i in range(len(widths) + 1):
        if i == len(widths) or wide[i]:
            if i - start > best:
                best, best_range = i - start, (start, i)
            start = i + 1
    if best < MIN_ELEMENTS:
        return False
    a, b = best_range
    return any(_splits_in_two(widths[a:b][bar[a:b] == dark]) for dark in (True, False))


def _splits_in_two(widths: np.ndarray) -> bool:
    if len(widths) < 4:
        return False
    ordered = np.sort(widths).tolist()
    count = len(ordered)

    def quantile(first, last, q):  # nearest rank, of ordered[first:last]
        return ordered[first + int(round(q * (last - first - 1)))]

    for wide_count in range(max(1, math.ceil(WIDE_SHARE[0] * count)), math.floor(WIDE_SHARE[1] * count) + 1):
        split = count - wide_count
        n10, n90 = quantile(0, split, 0.1), quantile(0, split, 0.9)
        w10, w90 = quantile(split, count, 0.1), quantile(split, count, 0.9)
        if w10 >= MIN_GAP * n90 and n90 <= MAX_SPREAD[0] * max(n10, 1e-9) and w90 <= MAX_SPREAD[1] * w10:
            return True
    return False
