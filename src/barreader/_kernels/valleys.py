"""Prominent valleys of a profile (the bars of a scanline), with their depths and half-depth widths.

The definitions are the usual topographic ones (those of
``scipy.signal.find_peaks`` with ``prominence`` and ``width``, applied
to the negated profile, which is the twin the tests compare with):

* a *valley* is a local minimum; on a flat bottom, the sample at its
  middle (rounded down);
* its *prominence* (depth) is the smaller climb, to the left or to the
  right, to the highest point before the profile drops below the
  valley's floor again (or ends);
* its *half-depth crossings* are where the profile, from the floor
  outwards, first rises above ``floor + prominence / 2``, linearly
  interpolated, searched no further than those highest points.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["valleys", "valleys_reference"]


@njit(cache=True, nogil=True)
def valleys(profile, min_prominence):  # pragma: no cover - jitted
    """Valleys of ``profile`` at least ``min_prominence`` deep.

    Returns
    -------
    centres : ndarray of int64
        Sample indices, in order.
    depths, left, right : ndarray of float64
        Prominences and the half-depth crossings (sample indices, linearly
        interpolated).
    """
    n = profile.shape[0]
    centres = np.empty(n, dtype=np.int64)
    depths = np.empty(n)
    left = np.empty(n)
    right = np.empty(n)
    found = 0
    i = 1
    while i < n - 1:
        if profile[i - 1] > profile[i]:
            ahead = i + 1
            while ahead < n - 1 and profile[ahead] == profile[i]:
                ahead += 1
            if profile[ahead] > profile[i]:
                centre = (i + ahead - 1) // 2
                floor = profile[centre]
                # Highest point on each side before the profile drops below the floor.
                k = centre
                left_top, left_base = floor, centre
                while k >= 0 and profile[k] >= floor:
                    if profile[k] > left_top:
                        left_top, left_base = profile[k], k
                    k -= 1
                k = centre
                right_top, right_base = floor, centre
                while k <= n - 1 and profile[k] >= floor:
                    if profile[k] > right_top:
                        right_top, right_base = profile[k], k
                    k += 1
                depth = min(left_top, right_top) - floor
                if depth >= min_prominence:
                    level = floor + 0.5 * depth
                    k = centre
                    while left_base < k and level > profile[k]:
                        k -= 1
                    crossing = float(k)
                    if profile[k] > level:
                        crossing += (profile[k] - level) / (profile[k] - profile[k + 1])
                    left[found] = crossing
                    k = centre
                    while k < right_base and level > profile[k]:
                        k += 1
                    crossing = float(k)
                    if profile[k] > level:
                        crossing -= (profile[k] - level) / (profile[k] - profile[k - 1])
                    right[found] = crossing
                    centres[found] = centre
                    depths[found] = depth
                    found += 1
                i = ahead
        i += 1
    return centres[:found].copy(), depths[:found].copy(), left[:found].copy(), right[:found].copy()


def valleys_reference(profile: np.ndarray, min_prominence: float):
    """Twin of :func:`valleys`: SciPy's peak finder on the negated profile."""
    from scipy.signal import find_peaks

    centres, props = find_peaks(-np.asarray(profile, dtype=np.float64), prominence=min_prominence, width=0, rel_height=0.5)
    return centres.astype(np.int64), props["prominences"], props["left_ips"], props["right_ips"]
