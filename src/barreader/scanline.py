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

    ``start`` is the leading edge of the first bar and ``end`` the trailing
    edge of the last bar (profile coordinates); ``n_edges`` counts the edges
    found between them and ``typical_gap`` is their median spacing.
    """

    start: float
    end: float
    n_edges: int
    typical_gap: float


def _edges(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Sub-sample positions and signed strengths of the profile's edges."""
    smooth = gaussian_filter1d(profile, 0.6, mode="nearest")
    d = np.diff(smooth)  # d[i] sits at the boundary between samples i and i + 1
    if len(d) < 3:
        return np.empty(0), np.empty(0), 0.0
    mag = np.abs(d)
    # Most of a code's samples sit next to an edge, so the median is no noise
    # measure; the lowest decile of |d| (0.126 sigma for Gaussian noise) is.
    noise = float(np.quantile(mag, 0.1)) / 0.126
    span = float(smooth.max() - smooth.min())
    threshold = max(4.0 * noise, 0.04 * span, 1e-6)
    inner = mag[1:-1]
    peaks = np.flatnonzero((inner >= mag[:-2]) & (inner > mag[2:]) & (inner > threshold)) + 1
    if len(peaks) == 0:
        return np.empty(0), np.empty(0), threshold
    left, mid, right = mag[peaks - 1], mag[peaks], mag[peaks + 1]
    denom = left - 2 * mid + right
    shift = np.where(denom < 0, 0.5 * (left - right) / np.where(denom < 0, denom, -1.0), 0.0)
    positions = peaks + 1 + np.clip(shift, -0.5, 0.5)
    strengths = d[peaks]
    # Keep edges alternating in sign: of consecutive same-sign edges keep the strongest.
    keep_pos, keep_str = [positions[0]], [strengths[0]]
    for pos, s in zip(positions[1:], strengths[1:]):
        if (s > 0) == (keep_str[-1] > 0):
            if abs(s) > abs(keep_str[-1]):
                keep_pos[-1], keep_str[-1] = pos, s
        else:
            keep_pos.append(pos)
            keep_str.append(s)
    return np.array(keep_pos), np.array(keep_str), threshold


def find_extents(profile: np.ndarray, *, min_edges: int = 14, break_ratio: float = 4.0) -> list[Extent]:
    """Stretches of a profile bounded by quiet zones and dense in edges.

    An edge gap counts as a quiet zone when it is more than ``break_ratio``
    times the median of the neighbouring gaps (inside a code the widest
    element is 4 modules and the typical gap 1.6 modules; quiet zones are 7
    modules or more). Each stretch is trimmed to start on a falling edge
    (light to dark) and end on a rising one.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
    min_edges : int
        Stretches with fewer edges are dropped.
    break_ratio : float

    Returns
    -------
    list of Extent
        Longest first.
    """
    positions, strengths, _ = _edges(np.asarray(profile, dtype=np.float64))
    if len(positions) < min_edges:
        return []
    gaps = np.diff(positions)
    window = 9
    padded = np.pad(gaps, window // 2, mode="edge")
    local = np.array([np.median(padded[i : i + window]) for i in range(len(gaps))])
    breaks = np.flatnonzero(gaps > break_ratio * local)
    bounds = np.concatenate(([0], breaks + 1, [len(positions)]))
    extents = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        while lo < hi and strengths[lo] > 0:
            lo += 1
        while hi > lo and strengths[hi - 1] < 0:
            hi -= 1
        if hi - lo < min_edges:
            continue
        run = positions[lo:hi]
        extents.append(Extent(float(run[0]), float(run[-1]), int(hi - lo), float(np.median(np.diff(run)))))
    extents.sort(key=lambda e: e.end - e.start, reverse=True)
    return extents
