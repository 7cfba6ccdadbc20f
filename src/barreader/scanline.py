"""Scanlines: grey profiles across the bars, and where a code may lie on them.

Profile coordinates: sample ``n`` of a profile covers ``[n, n + 1)``, so its
centre is at ``n + 0.5``. A profile sampled from ``p0`` towards ``p1`` maps
profile coordinate ``x`` to the image point ``p0 + (x - 0.5) * u`` with ``u``
the unit step along the line. Image points are (x, y) with pixel centres at
integer coordinates (OpenCV's convention).
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

__all__ = ["Scanline", "sample_profile", "Extent", "find_extents"]


@dataclasses.dataclass(frozen=True)
class Scanline:
    """A profile and the image line it was sampled along."""

    profile: np.ndarray
    origin: np.ndarray  # (x, y) of sample 0's centre
    step: np.ndarray  # (dx, dy) image displacement of one sample
    normal: np.ndarray  # unit vector across the line (band direction)

    def to_image(self, position: float) -> np.ndarray:
        """Image point (x, y) of a profile coordinate."""
        return self.origin + (position - 0.5) * self.step


def sample_profile(gray: np.ndarray, p0, p1, half_band: float = 0.0) -> Scanline:
    """Sample a grey profile from ``p0`` to ``p1``, averaged across a band.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
    p0, p1 : array_like of 2 floats
        Image points (x, y); one sample per pixel of length along the line.
    half_band : float
        The profile averages bilinear samples on parallel lines at every
        whole-pixel offset up to ``half_band`` on either side.

    Returns
    -------
    Scanline
    """
    p0 = np.asarray(p0, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    length = float(np.hypot(*(p1 - p0)))
    count = max(int(math.floor(length)) + 1, 2)
    step = (p1 - p0) / max(length, 1e-9)
    normal = np.array([-step[1], step[0]])
    offsets = np.arange(-math.floor(half_band), math.floor(half_band) + 1, dtype=np.float64)
    t = np.arange(count, dtype=np.float64)
    xs = p0[0] + t[None, :] * step[0] + offsets[:, None] * normal[0]
    ys = p0[1] + t[None, :] * step[1] + offsets[:, None] * normal[1]
    samples = cv2.remap(
        gray, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Scanline(samples.mean(axis=0, dtype=np.float64), p0, step, normal)


@dataclasses.dataclass(frozen=True)
class Extent:
    """A stretch of a profile that may hold a code.

    Attributes
    ----------
    start, end : float
        Leading edge of the first bar and trailing edge of the last bar
        (profile coordinates), where the profile crosses halfway between the
        quiet zone's grey and the outermost bars' darkest grey.
    n_bars : int
        Bars (prominent dark valleys) between them.
    sharpness : float
        Median depth of those valleys relative to the quiet-zone-to-darkest
        contrast: near 1 for a sharp code, low when blur merges and fills in
        narrow elements.
    """

    start: float
    end: float
    n_bars: int
    sharpness: float


def _valleys(smooth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bars: prominent local minima of a smoothed profile, and their depths."""
    low, high = np.percentile(smooth, [5, 95])
    span = float(high - low)
    if span <= 1e-6:
        return np.empty(0, dtype=np.int64), np.empty(0)
    # Noise from the sample-to-sample differences of the flattest tenth.
    noise = float(np.quantile(np.abs(np.diff(smooth)), 0.1)) / 0.126
    prominence = max(0.08 * span, 3.0 * noise)
    centres, props = find_peaks(-smooth, prominence=prominence)
    return centres, props["prominences"]


def _outer_edge(smooth: np.ndarray, centre: int, step: int) -> float:
    """Where the profile, leaving a bar outwards, gets halfway to the next light plateau."""
    n = len(smooth)
    j = centre
    while 0 <= j + step < n and smooth[j + step] >= smooth[j]:
        j += step
    level = 0.5 * (smooth[centre] + smooth[j])
    k = centre
    while 0 <= k + step < n and smooth[k + step] < level:
        k += step
    if not 0 <= k + step < n:
        return float(k) + 0.5
    a, b = smooth[k], smooth[k + step]
    frac = (level - a) / (b - a) if b != a else 0.5
    # Profile coordinates: sample n's centre is at n + 0.5.
    return k + step * frac + 0.5


def find_extents(profile: np.ndarray, *, min_bars: int = 6, break_ratio: float = 2.4, max_extents: int = 4) -> list[Extent]:
    """Stretches of a profile dense in bars and bounded by quiet zones.

    Bars are the prominent local minima of the profile. Neighbouring bars
    belong to one stretch unless their distance exceeds ``break_ratio``
    times the median spacing of the bars around them: inside a code bar
    centres are 1.5 to 6 modules apart (3 on average), while a quiet zone
    puts at least 7.5 modules between the last bar of a code and anything
    else. Where a stretch also holds a large but sub-threshold gap (an
    add-on's separation, text beside the code), its two parts are offered as
    further extents.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
    min_bars : int
        Stretches with fewer bars are dropped.
    break_ratio : float
    max_extents : int

    Returns
    -------
    list of Extent
        Most bars first.
    """
    smooth = gaussian_filter1d(np.asarray(profile, dtype=np.float64), 0.5, mode="nearest")
    centres, depths = _valleys(smooth)
    if len(centres) < min_bars:
        return []
    gaps = np.diff(centres).astype(np.float64)
    window = 9
    padded = np.pad(gaps, window // 2, mode="reflect") if len(gaps) > 1 else gaps
    local = np.array([np.median(padded[i : i + window]) for i in range(len(gaps))])
    ratio = gaps / local
    bounds = np.concatenate(([0], np.flatnonzero(ratio > break_ratio) + 1, [len(centres)]))
    spans = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        spans.append((lo, hi))
        inner = ratio[lo : hi - 1]
        if len(inner) and inner.max() > 0.7 * break_ratio:
            split = lo + int(np.argmax(inner)) + 1
            spans += [(lo, split), (split, hi)]
    extents = []
    for lo, hi in spans:
        if hi - lo < min_bars:
            continue
        start = _outer_edge(smooth, int(centres[lo]), -1)
        end = _outer_edge(smooth, int(centres[hi - 1]), +1)
        quiet = max(smooth[max(int(start) - 2, 0)], smooth[min(int(end) + 1, len(smooth) - 1)])
        contrast = quiet - smooth[centres[lo:hi]].min()
        sharpness = float(np.median(depths[lo:hi]) / contrast) if contrast > 0 else 0.0
        extents.append(Extent(start, end, int(hi - lo), min(sharpness, 1.0)))
    extents.sort(key=lambda e: e.n_bars, reverse=True)
    return extents[:max_extents]
