"""Least-squares fit of a profile by a Gaussian-blurred ideal code."""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.ndimage import gaussian_filter1d

__all__ = ["blur_fit", "blur_fit_reference"]


@njit(cache=True)
def _blurred(ideal, sigma, lo, hi, out):  # pragma: no cover - jitted
    """``ideal`` convolved with a Gaussian (truncated at 4 sigma, edges repeated), on [lo, hi)."""
    n = ideal.shape[0]
    if sigma <= 0.0:
        for i in range(lo, hi):
            out[i - lo] = ideal[i]
        return
    radius = int(4.0 * sigma + 0.5)
    weights = np.empty(2 * radius + 1)
    total = 0.0
    for k in range(-radius, radius + 1):
        weights[k + radius] = math.exp(-0.5 * (k / sigma) ** 2)
        total += weights[k + radius]
    for i in range(lo, hi):
        acc = 0.0
        for k in range(-radius, radius + 1):
            j = i + k
            j = 0 if j < 0 else (n - 1 if j >= n else j)
            acc += weights[k + radius] * ideal[j]
        out[i - lo] = acc / total


@njit(cache=True)
def blur_fit(profile, ideal, lo, hi, sigmas):  # pragma: no cover - jitted
    """Regress ``profile[lo:hi]`` on the ideal blurred by each sigma; keep the best.

    Parameters
    ----------
    profile, ideal : ndarray of float64, shape (n,)
    lo, hi : int
        The samples fitted.
    sigmas : ndarray of float64
        Gaussian sigmas in samples (0 = no blur).

    Returns
    -------
    index : int
        Best sigma's index, -1 if no fit has a positive slope.
    sse : float
        Its sum of squared residuals.
    slope, intercept : float
    residual : ndarray, shape (hi - lo,)
    total : float
        Sum of squares of the profile about its mean.
    """
    m = hi - lo
    mean_y = 0.0
    for i in range(lo, hi):
        mean_y += profile[i]
    mean_y /= m
    total = 0.0
    for i in range(lo, hi):
        total += (profile[i] - mean_y) ** 2
    x = np.empty(m)
    best = -1
    best_sse = np.inf
    best_slope = 0.0
    best_intercept = 0.0
    residual = np.zeros(m)
    for s in range(sigmas.shape[0]):
        _blurred(ideal, sigmas[s], lo, hi, x)
        mean_x = x.mean()
        sxx = 0.0
        sxy = 0.0
        for i in range(m):
            dx = x[i] - mean_x
            sxx += dx * dx
            sxy += dx * (profile[lo + i] - mean_y)
        if sxx <= 0.0:
            continue
        slope = sxy / sxx
        if slope <= 0.0:
            continue
        sse = total - slope * sxy
        if sse < best_sse:
            best = s
            best_sse = sse
            best_slope = slope
            best_intercept = mean_y - slope * mean_x
            for i in range(m):
                residual[i] = profile[lo + i] - best_intercept - slope * x[i]
    return best, max(best_sse, 0.0), best_slope, best_intercept, residual, total


def blur_fit_reference(profile, ideal, lo, hi, sigmas):
    """Twin of :func:`blur_fit` with scipy's Gaussian filter and numpy's least squares."""
    y = profile[lo:hi]
    total = float(((y - y.mean()) ** 2).sum())
    best = (-1, np.inf, 0.0, 0.0, np.zeros(hi - lo))
    for s, sigma in enumerate(sigmas):
        x = gaussian_filter1d(ideal, sigma, mode="nearest", truncate=4.0)[lo:hi] if sigma > 0 else ideal[lo:hi]
        design = np.stack([np.ones_like(x), x], axis=1)
        (intercept, slope), *_ = np.linalg.lstsq(design, y, rcond=None)
        if slope <= 0:
            continue
        residual = y - intercept - slope * x
        sse = float(residual @ residual)
        if sse < best[1]:
            best = (s, sse, float(slope), float(intercept), residual)
    return (*best, total)
