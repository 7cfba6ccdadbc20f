"""The screen before the template decoder: a region must show bars a code could have.

The deformable templates cost milliseconds per scanline; localizers also
box text, foliage, fences and tiles, and every region they find would
otherwise be decoded for nothing. A region passes when its central
scanline spans a clear contrast and holds enough bars (prominent dark
valleys between quiet zones, :func:`barreader.scanline.find_extents`) for
a code: a blurred EAN-13 still shows its wider bars.

The two bars were chosen on the shared photos (``benchmarks/bench_speed.py
--profile``; docs/benchmarks.md): of the 505 photos the template stages
read through a localized region, 2 lose every region that read them, and
77 % of the regions that read nothing are dropped, 53 % of those found on
the negatives.
"""

from __future__ import annotations

import numpy as np

from ..results import Region
from ..scanline import find_extents
from .regions import region_scanlines

__all__ = ["looks_like_code", "MIN_CONTRAST", "MIN_BARS"]

MIN_CONTRAST = 0.14  # grey range (5th to 95th percentile, of 0-1) of the central scanline
MIN_BARS = 8  # bars of its best extent


def looks_like_code(gray: np.ndarray, region: Region) -> bool:
    """Whether a region shows bars a code could have (see the module docstring)."""
    lines = region_scanlines(gray, region, 1)
    if not lines:
        return False
    profile = lines[0].profile
    low, high = np.percentile(profile, [5, 95])
    if high - low < MIN_CONTRAST:
        return False
    return max((extent.n_bars for extent in find_extents(profile)), default=0) >= MIN_BARS
