"""Stretches of a profile dense in bars and bounded by quiet zones (:func:`barreader.scanline.find_extents`).

One kernel does the whole of it: the profile smoothed with a Gaussian of
σ = 0.5 sample (SciPy's ``gaussian_filter1d`` with its default truncation
and ``mode="nearest"``), its bars found as prominent valleys, the module
estimated, the bars split at quiet zones, and each stretch's outer edges
and sharpness measured. Quantiles are NumPy's default (linear) ones,
interpolated the same way, so the kernel and its twin
:func:`extents_reference` (SciPy and NumPy throughout) agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .valleys import valleys, valleys_reference

__all__ = ["extents", "extents_reference", "smoothing_weights", "SMOOTHING_SIGMA", "FIELDS"]

SMOOTHING_SIGMA = 0.5  # samples
FIELDS = ("start", "end", "n_bars", "sharpness", "module")  # the columns of what both return


def smoothing_weights(sigma: float = SMOOTHING_SIGMA) -> np.ndarray:
    """The taps of SciPy's ``gaussian_filter1d`` (truncated at 4 σ), computed as SciPy computes them."""
    radius = int(4.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x**2)
    return phi / phi.sum()


@njit(cache=True, nogil=True)
def _quantile(values, q):  # pragma: no cover - jitted
    """NumPy's default (linear) quantile of a 1-D array, with its interpolation."""
    ordered = np.sort(values)
    index = (ordered.shape[0] - 1) * q
    below = int(math.floor(index))
    above = min(below + 1, ordered.shape[0] - 1)
    gamma = index - below
    a, b = ordered[below], ordered[above]
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1.0 - gamma)
    return a + diff * gamma


@njit(cache=True, nogil=True)
def _median(values):  # pragma: no cover - jitted
    ordered = np.sort(values)
    n = ordered.shape[0]
    if n % 2 == 1:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2.0


@njit(cache=True, nogil=True)
def _smooth(profile, weights):  # pragma: no cover - jitted
    """Correlation with symmetric taps, edges repeated, in SciPy's order of summation."""
    n = profile.shape[0]
    radius = weights.shape[0] // 2
    out = np.empty(n)
    for i in range(n):
        total = profile[i] * weights[radius]
        for j in range(radius, 0, -1):
            lo = max(i - j, 0)
            hi = min(i + j, n - 1)
            total += (profile[lo] + profile[hi]) * weights[radius - j]
        out[i] = total
    return out


@njit(cache=True, nogil=True)
def _outer_edge(smooth, centre, step, reach):  # pragma: no cover - jitted
    n = smooth.shape[0]
    stop = centre + step * max(reach, 2.0)
    stop = int(min(max(stop, 0.0), n - 1.0))
    top = smooth[min(centre, stop)]
    for k in range(min(centre, stop), max(centre, stop) + 1):
        top = max(top, smooth[k])
    level = smooth[centre] + 0.65 * (top - smooth[centre])
    k = centre
    while 0 <= k + step < n and smooth[k + step] < level:
        k += step
    if not 0 <= k + step < n:
        return float(k) + 0.5
    a, b = smooth[k], smooth[k + step]
    frac = (level - a) / (b - a) if b != a else 0.5
    return k + step * frac + 0.5


@njit(cache=True, nogil=True)
def extents(profile, weights, min_bars, quiet_modules, max_extents):  # pragma: no cover - jitted
    """The extents of ``profile``, most bars first, as rows of :data:`FIELDS`.

    Parameters
    ----------
    profile : ndarray of float64, shape (n,)
    weights : ndarray of float64
        Smoothing taps (:func:`smoothing_weights`), odd in number.
    min_bars : int
    quiet_modules : float
    max_extents : int

    Returns
    -------
    ndarray of float64, shape (k, 5)
    """
    empty = np.empty((0, 5))
    n = profile.shape[0]
    if n < 2:
        return empty
    smooth = _smooth(profile, weights)
    low = _quantile(smooth, 0.05)
    high = _quantile(smooth, 0.95)
    span = high - low
    if span <= 1e-6:
        return empty
    steps = np.abs(smooth[1:] - smooth[:-1])
    noise = _quantile(steps, 0.1) / 0.126
    prominence = max(0.08 * span, 3.0 * noise)
    centres, depths, left, right = valleys(smooth, prominence)
    count = centres.shape[0]
    if count < min_bars:
        return empty
    module = max(_quantile(right - left, 0.25), 0.5)
    # Bars split where the light run between neighbours is a quiet zone.
    bounds = np.empty(count + 1, dtype=np.int64)
    bounds[0] = 0
    nb = 1
    for i in range(count - 1):
        floor = min(smooth[centres[i]], smooth[centres[i + 1]])
        top = -np.inf
        for k in range(centres[i] + 1, centres[i + 1]):
            top = max(top, smooth[k])
        light = 0
        if centres[i + 1] > centres[i] + 1:
            midway = 0.5 * (floor + top)
            for k in range(centres[i] + 1, centres[i + 1]):
                if smooth[k] > midway:
                    light += 1
        if light > quiet_modules * module:
            bounds[nb] = i + 1
            nb += 1
    bounds[nb] = count
    nb += 1
    rows = np.empty((nb, 5))
    found = 0
    for b in range(nb - 1):
        lo, hi = bounds[b], bounds[b + 1]
        if hi - lo < min_bars:
            continue
        start = _outer_edge(smooth, centres[lo], -1, 8.0 * module)
        end = _outer_edge(smooth, centres[hi - 1], 1, 8.0 * module)
        quiet = max(smooth[max(int(start) - 2, 0)], smooth[min(int(end) + 1, n - 1)])
        darkest = smooth[centres[lo]]
        for k in range(lo, hi):
            darkest = min(darkest, smooth[centres[k]])
        contrast = quiet - darkest
        sharpness = _median(depths[lo:hi]) / contrast if contrast > 0 else 0.0
        rows[found, 0] = start
        rows[found, 1] = end
        rows[found, 2] = hi - lo
        rows[found, 3] = min(sharpness, 1.0)
        rows[found, 4] = module
        found += 1
    rows = rows[:found]
    order = np.argsort(-rows[:, 2], kind="mergesort")  # most bars first, ties in profile order
    return rows[order[:max_extents]].copy()


def _light_runs_reference(smooth: np.ndarray, centres: np.ndarray) -> np.ndarray:
    runs = np.empty(len(centres) - 1)
    for i in range(len(centres) - 1):
        between = smooth[centres[i] + 1 : centres[i + 1]]
        if len(between) == 0:
            runs[i] = 0.0
            continue
        floor = min(smooth[centres[i]], smooth[centres[i + 1]])
        runs[i] = np.count_nonzero(between > 0.5 * (floor + between.max()))
    return runs


def _outer_edge_reference(smooth: np.ndarray, centre: int, step: int, reach: float) -> float:
    n = len(smooth)
    stop = int(np.clip(centre + step * max(reach, 2.0), 0, n - 1))
    window = smooth[min(centre, stop) : max(centre, stop) + 1]
    level = smooth[centre] + 0.65 * (float(window.max()) - smooth[centre])
    k = centre
    while 0 <= k + step < n and smooth[k + step] < level:
        k += step
    if not 0 <= k + step < n:
        return float(k) + 0.5
    a, b = smooth[k], smooth[k + step]
    frac = (level - a) / (b - a) if b != a else 0.5
    return k + step * frac + 0.5


def extents_reference(profile: np.ndarray, min_bars: int, quiet_modules: float, max_extents: int) -> np.ndarray:
    """Twin of :func:`extents` with SciPy's filter and peak finder and NumPy's quantiles."""
    from scipy.ndimage import gaussian_filter1d

    profile = np.asarray(profile, dtype=np.float64)
    if len(profile) < 2:
        return np.empty((0, 5))
    smooth = gaussian_filter1d(profile, SMOOTHING_SIGMA, mode="nearest")
    low, high = np.percentile(smooth, [5, 95])
    span = float(high - low)
    if span <= 1e-6:
        return np.empty((0, 5))
    noise = float(np.quantile(np.abs(np.diff(smooth)), 0.1)) / 0.126
    centres, depths, left, right = valleys_reference(smooth, max(0.08 * span, 3.0 * noise))
    if len(centres) < min_bars:
        return np.empty((0, 5))
    module = max(float(np.percentile(right - left, 25)), 0.5)
    spaces = _light_runs_reference(smooth, centres)
    bounds = np.concatenate(([0], np.flatnonzero(spaces > quiet_modules * module) + 1, [len(centres)]))
    rows = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi - lo < min_bars:
            continue
        start = _outer_edge_reference(smooth, int(centres[lo]), -1, 8 * module)
        end = _outer_edge_reference(smooth, int(centres[hi - 1]), +1, 8 * module)
        quiet = max(smooth[max(int(start) - 2, 0)], smooth[min(int(end) + 1, len(smooth) - 1)])
        contrast = quiet - smooth[centres[lo:hi]].min()
        sharpness = float(np.median(depths[lo:hi]) / contrast) if contrast > 0 else 0.0
        rows.append((start, end, float(hi - lo), min(sharpness, 1.0), module))
    rows.sort(key=lambda row: row[2], reverse=True)
    return np.array(rows[:max_extents], dtype=np.float64).reshape(-1, 5)
