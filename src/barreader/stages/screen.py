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

from ..results import Region
from ..scanline import find_extents
from .regions import region_scanlines

__all__ = ["looks_like_code", "across_share", "MIN_CONTRAST", "MIN_BARS", "MIN_ACROSS", "MIN_FEW_BARS", "MIN_ACROSS_FEW_BARS"]

MIN_CONTRAST = 0.14  # grey range (5th to 95th percentile, of 0-1) of the central scanline
MIN_BARS = 8  # bars of its best extent
MIN_ACROSS = 0.65  # share of the region's gradient energy along its reading direction
MIN_FEW_BARS, MIN_ACROSS_FEW_BARS = 4, 0.9  # fewer bars (blur merges them) will do where the gradient is that parallel
MAX_SIDE = 512  # pixels; larger regions are measured on a smaller copy (the share does not depend on scale)


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
