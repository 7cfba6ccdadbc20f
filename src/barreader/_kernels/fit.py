"""Least-squares fits of a profile by a blurred ideal code under uneven light.

The grey level of a printed code under light that varies slowly along it
is modelled as ``p(x) = a(t) + b(t) * W(x)``, where ``W`` is the blurred
whiteness of the code (1 on spaces, 0 on bars), ``t`` runs from -1 to 1
over the fitted samples, and the bar grey ``a`` and the contrast ``b`` are
linear in ``t``: four coefficients, found by linear least squares.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["blur_fit", "blur_fit_reference", "shaded_fit", "shaded_fit_reference", "position_grid"]


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
def position_grid(lo, hi):  # pragma: no cover - jitted
    """``t`` for samples ``lo .. hi-1``: -1 at the first, +1 at the last."""
    m = hi - lo
    t = np.empty(m)
    half = max((m - 1) / 2.0, 0.5)
    for i in range(m):
        t[i] = (i - (m - 1) / 2.0) / half
    return t


@njit(cache=True)
def shaded_fit(y, w, t):  # pragma: no cover - jitted
    """Least squares ``y ≈ a0 + a1 t + (b0 + b1 t) w``.

    Parameters
    ----------
    y, w, t : ndarray of float64, shape (m,)
        Profile samples, the model's whiteness at them, positions in [-1, 1].

    Returns
    -------
    coef : ndarray, shape (4,)
        ``a0, a1, b0, b1``; all zero when the system is singular.
    sse : float
        Sum of squared residuals (``inf`` when singular).
    """
    gram = np.zeros((4, 4))
    rhs = np.zeros(4)
    row = np.empty(4)
    for i in range(y.shape[0]):
        row[0] = 1.0
        row[1] = t[i]
        row[2] = w[i]
        row[3] = t[i] * w[i]
        for a in range(4):
            rhs[a] += row[a] * y[i]
            for b in range(a, 4):
                gram[a, b] += row[a] * row[b]
    for a in range(4):
        for b in range(a):
            gram[a, b] = gram[b, a]
    # Cholesky: the Gram matrix is positive definite unless w is (nearly) affine in t.
    low = np.zeros((4, 4))
    for a in range(4):
        for b in range(a + 1):
            acc = gram[a, b]
            for k in range(b):
                acc -= low[a, k] * low[b, k]
            if a == b:
                if acc <= 1e-12 * max(gram[a, a], 1e-300):
                    return np.zeros(4), np.inf
                low[a, a] = math.sqrt(acc)
            else:
                low[a, b] = acc / low[b, b]
    z = np.empty(4)
    for a in range(4):
        acc = rhs[a]
        for k in range(a):
            acc -= low[a, k] * z[k]
        z[a] = acc / low[a, a]
    coef = np.empty(4)
    for a in range(3, -1, -1):
        acc = z[a]
        for k in range(a + 1, 4):
            acc -= low[k, a] * coef[k]
        coef[a] = acc / low[a, a]
    sse = 0.0
    for i in range(y.shape[0]):
        r = y[i] - coef[0] - coef[1] * t[i] - (coef[2] + coef[3] * t[i]) * w[i]
        sse += r * r
    return coef, sse


def shaded_fit_reference(y, w, t):
    """Twin of :func:`shaded_fit` with numpy's least squares."""
    design = np.stack([np.ones_like(w), t, w, t * w], axis=1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return coef, float(residual @ residual)


@njit(cache=True)
def blur_fit(profile, ideal, lo, hi, sigmas):  # pragma: no cover - jitted
    """Fit ``profile[lo:hi]`` by the ideal blurred by each sigma, under uneven light; keep the best.

    Parameters
    ----------
    profile, ideal : ndarray of float64, shape (n,)
        ``ideal`` is the unblurred whiteness of the code (1 outside it).
    lo, hi : int
        The samples fitted.
    sigmas : ndarray of float64
        Gaussian sigmas in samples (0 = no blur).

    Returns
    -------
    index : int
        Best sigma's index, -1 if no fit has a positive contrast at both ends.
    sse : float
        Its sum of squared residuals.
    coef : ndarray, shape (4,)
        ``a0, a1, b0, b1`` of :func:`shaded_fit` (``b0`` is the contrast at
        the centre, ``b0 - b1`` and ``b0 + b1`` at the ends).
    residual : ndarray, shape (hi - lo,)
    total : float
        Sum of squares of the profile about its mean.
    """
    m = hi - lo
    y = profile[lo:hi].copy()
    mean_y = y.mean()
    total = 0.0
    for i in range(m):
        total += (y[i] - mean_y) ** 2
    t = position_grid(lo, hi)
    x = np.empty(m)
    best = -1
    best_sse = np.inf
    best_coef = np.zeros(4)
    residual = np.zeros(m)
    for s in range(sigmas.shape[0]):
        _blurred(ideal, sigmas[s], lo, hi, x)
        coef, sse = shaded_fit(y, x, t)
        if coef[2] - abs(coef[3]) <= 0.0:
            continue
        if sse < best_sse:
            best = s
            best_sse = sse
            best_coef = coef
            for i in range(m):
                residual[i] = y[i] - coef[0] - coef[1] * t[i] - (coef[2] + coef[3] * t[i]) * x[i]
    return best, max(best_sse, 0.0), best_coef, residual, total


def blur_fit_reference(profile, ideal, lo, hi, sigmas):
    """Twin of :func:`blur_fit` with scipy's Gaussian filter and numpy's least squares."""
    from scipy.ndimage import gaussian_filter1d

    y = profile[lo:hi]
    total = float(((y - y.mean()) ** 2).sum())
    m = hi - lo
    t = (np.arange(m) - (m - 1) / 2.0) / max((m - 1) / 2.0, 0.5)
    best = (-1, np.inf, np.zeros(4), np.zeros(m))
    for s, sigma in enumerate(sigmas):
        x = gaussian_filter1d(ideal, sigma, mode="nearest", truncate=4.0)[lo:hi] if sigma > 0 else ideal[lo:hi]
        coef, sse = shaded_fit_reference(y, x, t)
        if coef[2] - abs(coef[3]) <= 0:
            continue
        if sse < best[1]:
            residual = y - coef[0] - coef[1] * t - (coef[2] + coef[3] * t) * x
            best = (s, sse, coef, residual)
    return (*best, total)
