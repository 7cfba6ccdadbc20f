"""Verification of a decoded candidate against its whole profile.

The dynamic programme scores digits one by one and only through their two
neighbour bars; it cannot tell how well the *whole* code, guards included,
explains the profile. Here the candidate's complete module pattern is laid
out with the fitted per-digit offsets and widths, rendered exactly at sample
resolution, blurred with the Gaussian that fits best, and regressed on the
profile. The fit's residual relative to the fitted contrast measures how well
the code explains the grey levels, whatever the symbology.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._kernels.fit import blur_fit

__all__ = ["Fit", "module_boundaries", "ideal_profile", "verify"]

# Blur hypotheses, as Gaussian sigma in module widths.
BLUR_GRID = (0.0, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0)
QUIET = 6.0  # modules of quiet zone examined on each side (the smallest required is 7)


@dataclasses.dataclass(frozen=True)
class Fit:
    """How well a candidate explains its profile.

    Attributes
    ----------
    r2 : float
        Coefficient of determination of the regression of the profile on the
        blurred ideal code, over the code and two modules of quiet zone.
    residual : float
        RMS residual divided by the fitted contrast (0 is a perfect fit).
    contrast : float
        Fitted grey difference between spaces and bars at the code's centre.
    blur : float
        Best Gaussian sigma, in modules.
    worst_digit : float
        The largest residual RMS over single digits, relative to contrast.
    intercept : float
        Fitted grey of a bar at the code's centre (the profile is
        ``intercept + contrast * W`` there, with ``W`` the blurred whiteness
        of the code).
    quiet : float
        Lightness of the quiet zones: the mean grey level over ``QUIET``
        modules beyond each end, on the fitted scale (0 = bar, 1 = space),
        of the darker side. A code cut out of a larger pattern scores low.
    contrast_drift : float
        How much the fitted contrast changes from the code's centre to
        either end, relative to the centre's (light falling off along it).
    """

    r2: float
    residual: float
    contrast: float
    blur: float
    worst_digit: float
    quiet: float
    intercept: float = 0.0
    contrast_drift: float = 0.0


_FAILED = Fit(0.0, np.inf, 0.0, 0.0, np.inf, 0.0)


def module_boundaries(slot_modules, slot_offsets, slot_widths, n_modules: int) -> np.ndarray:
    """Profile positions of the ``n_modules + 1`` module boundaries.

    Digits sit where the decoder placed them; guards and the stretches
    between digits are interpolated linearly, the ends extrapolated with the
    outer digits' widths.
    """
    slot_modules = np.asarray(slot_modules, dtype=np.float64)
    starts = np.asarray(slot_offsets, dtype=np.float64)
    ends = starts + 7.0 * np.asarray(slot_widths, dtype=np.float64)
    knot_modules = np.concatenate(([0.0], slot_modules, slot_modules + 7.0, [float(n_modules)]))
    first = starts[0] - slot_modules[0] * slot_widths[0]
    last = ends[-1] + (n_modules - slot_modules[-1] - 7.0) * slot_widths[-1]
    knot_positions = np.concatenate(([first], starts, ends, [last]))
    order = np.argsort(knot_modules, kind="stable")
    knot_modules, knot_positions = knot_modules[order], knot_positions[order]
    # Where a digit's end and the next digit's start share a module index,
    # use their mean; keep positions increasing.
    unique, inverse = np.unique(knot_modules, return_inverse=True)
    merged = np.bincount(inverse, weights=knot_positions) / np.bincount(inverse)
    merged = np.maximum.accumulate(merged)
    return np.interp(np.arange(n_modules + 1, dtype=np.float64), unique, merged)


def ideal_profile(modules: np.ndarray, boundaries: np.ndarray, n_samples: int) -> np.ndarray:
    """Fraction of white in each sample ``[n, n+1)`` of the drawn code (white outside it)."""
    white = 1.0 - np.asarray(modules, dtype=np.float64)
    # The cumulative amount of white is piecewise linear with knots at the
    # module boundaries, so interpolating it at sample edges is exact.
    left_pad = min(boundaries[0], 0.0) - 1.0
    right_pad = max(boundaries[-1], float(n_samples)) + 1.0
    knots = np.concatenate(([left_pad], boundaries, [right_pad]))
    lengths = np.diff(knots)
    colours = np.concatenate(([1.0], white, [1.0]))
    cumulative = np.concatenate(([0.0], np.cumsum(lengths * colours)))
    edges = np.arange(n_samples + 1, dtype=np.float64)
    return np.diff(np.interp(edges, knots, cumulative))


def verify(profile: np.ndarray, modules: np.ndarray, boundaries: np.ndarray, digit_spans=()) -> Fit:
    """Regress the profile on the blurred ideal code and report the fit.

    Parameters
    ----------
    profile : ndarray, shape (n,)
    modules : ndarray of 0/1, shape (N,)
        Module colours in scan order (1 = bar).
    boundaries : ndarray, shape (N + 1,)
        Module boundary positions (profile coordinates).
    digit_spans : sequence of (first_module, last_module)
        Module ranges of the digits, for the per-digit residual.

    Returns
    -------
    Fit
    """
    profile = np.asarray(profile, dtype=np.float64)
    n = len(profile)
    module = (boundaries[-1] - boundaries[0]) / (len(boundaries) - 1)
    lo = max(int(np.floor(boundaries[0] - 2 * module)), 0)
    hi = min(int(np.ceil(boundaries[-1] + 2 * module)), n)
    if hi - lo < 8 or module <= 0:
        return _FAILED
    ideal = ideal_profile(modules, boundaries, n)
    sigmas = np.array(BLUR_GRID) * module
    index, sse, coef, residual, total = blur_fit(profile, ideal, lo, hi, sigmas)
    if index < 0 or total <= 0:
        return _FAILED
    blur = BLUR_GRID[index]
    intercept, slope = float(coef[0]), float(coef[2])
    worst = 0.0
    if len(digit_spans):
        spans = np.asarray(digit_spans, dtype=np.int64)
        a = np.maximum(np.floor(boundaries[spans[:, 0]]).astype(np.int64) - lo, 0)
        b = np.minimum(np.ceil(boundaries[spans[:, 1]]).astype(np.int64) - lo, hi - lo)
        cumulative = np.concatenate(([0.0], np.cumsum(residual[: hi - lo] ** 2)))
        inside = b > a
        if inside.any():
            mean_square = (cumulative[b[inside]] - cumulative[a[inside]]) / (b[inside] - a[inside])
            worst = max(worst, float(np.sqrt(max(mean_square.max(), 0.0))) / slope)
    # Each quiet zone is judged by the light at its own end of the code.
    quiet = min(
        _lightness(profile, boundaries[0] - (QUIET + 0.5) * module, boundaries[0] - 0.5 * module, coef, -1.0),
        _lightness(profile, boundaries[-1] + 0.5 * module, boundaries[-1] + (QUIET + 0.5) * module, coef, 1.0),
    )
    drift = abs(float(coef[3]) / slope) if slope != 0 else 0.0
    return Fit(1.0 - sse / total, float(np.sqrt(sse / (hi - lo))) / slope, slope, blur, worst, quiet, intercept, drift)


def _lightness(profile: np.ndarray, a: float, b: float, coef: np.ndarray, end: float) -> float:
    """Mean fitted lightness of the samples between positions a and b.

    ``coef`` are the fit's ``a0, a1, b0, b1``; ``end`` is ``t`` at the code
    end the samples lie beyond (-1 or 1). A quiet zone that is mostly off
    the profile is not evidence of one: it scores 0, as bars would.
    """
    lo, hi = max(int(np.ceil(a)), 0), min(int(np.floor(b)), len(profile))
    if hi - lo < max(2.0, 0.5 * (b - a)):
        return 0.0
    bar = coef[0] + coef[1] * end
    contrast = coef[2] + coef[3] * end
    return float((profile[lo:hi].mean() - bar) / contrast)

