"""Finding and reading strongly blurred EAN/UPC codes on a profile.

Under blur of a module or more, bars merge, the valleys that place a code
(:func:`barreader.scanline.find_extents`) are no longer where the bars are,
and an add-on or the edge of a label can pass for part of the code. The
grey levels still hold the code, but only a model of the *blurred* code
(:mod:`.blurred`) can read them, and that model needs a fair guess of
where the code lies, how wide its modules are and how light and dark its
spaces and bars are along it. Here those guesses are made and improved:

1. **Edges.** A code starts where a light plateau (quiet zone) gives way to
   darker grey and ends where the grey rises onto one. The strongest such
   falls and rises pair up into placements of each layout.
2. **Screening.** Each placement is scored, for a few blurs and bar greys,
   by a lower bound of the blurred model's error with the digit families
   and check digit left free, on the profile divided by the line through
   the two quiet zones' grey (light falling off along the code scales
   spaces and bars alike).
3. **Decoding and refitting.** The best placements are decoded by the
   blurred-model decoder. The decoded code is then fitted to the profile —
   position, module width and blur by a pattern search, bar grey and
   contrast as lines along the code by least squares — the profile is
   normalized by that fit, and decoded again, until the text settles.

A wrong text can settle too; how much better the winner fits than the best
other valid text (:attr:`.blurred.BlurredResult.margin`) and the whole-code
fit decide, as for every decode, whether it is reported.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._kernels.blurred import blurred_whiteness, loosest_emissions, pair_chain_free
from .._kernels.fit import position_grid, shaded_fit
from ..formats import Format
from .blurred import QUIET_MODULES, BlurredResult, _moments, _tables, decode_blurred
from .upcean import LAYOUTS, Layout, run_allowed

__all__ = ["Placement", "Shading", "code_edges", "relative_profile", "refine_fit", "search_blurred"]

EDGES = 8  # falls and rises kept
PLATEAU = 6  # samples of quiet zone an edge needs outside it
MODULE_RANGE = (0.8, 4.0)  # module widths (samples) considered
SCREEN_BLURS = (1.4,)  # Gaussian sigma (modules) of the screening
SCREEN_CONTRASTS = (0.4, 0.55, 0.7, 0.85, 1.0)  # space-to-bar contrast relative to the quiet zone
DECODED = 3  # placements decoded after screening
FIRST_COARSE, FIRST_FINE = True, False
ROUNDS = 3  # decode-and-refit rounds per placement
BLUR_LIMITS = (0.3, 2.4)  # sigma (modules) the refit may reach
SHADED_CONTRASTS = (1.0,)  # contrasts tried on a profile normalized by a fit (spaces 1, bars 0)
BLUR_JITTER = (-0.3, -0.15, 0.15, 0.3)  # blurs (relative to the fit) decoded once the text settles


@dataclasses.dataclass(frozen=True)
class Placement:
    """A hypothesis of where a layout's code lies on a profile."""

    layout: str
    start: float
    module: float


@dataclasses.dataclass(frozen=True)
class Shading:
    """A code fitted to a profile under uneven light (see :func:`refine_fit`).

    The profile is ``a0 + a1 t + (b0 + b1 t) W(x)`` on samples ``lo .. hi-1``,
    with ``W`` the code's blurred whiteness and ``t`` from -1 to 1.
    """

    start: float
    module: float
    blur: float  # sigma in modules
    coef: np.ndarray  # a0, a1, b0, b1
    sse: float
    lo: int
    hi: int

    def normalize(self, profile: np.ndarray) -> np.ndarray:
        """The profile rescaled so that bars are 0 and spaces 1 all along the code."""
        n = len(profile)
        t = position_grid(self.lo, self.hi)
        step = t[1] - t[0] if len(t) > 1 else 1.0
        # Outside the fitted samples the lines are held at their end values.
        t_all = np.clip(t[0] + (np.arange(n) - self.lo) * step, -1.0, 1.0)
        a0, a1, b0, b1 = self.coef
        return (profile - (a0 + a1 * t_all)) / (b0 + b1 * t_all)


def code_edges(profile: np.ndarray, count: int = EDGES) -> tuple[np.ndarray, np.ndarray]:
    """Where codes may start (falls from a quiet zone) and end (rises onto one).

    An edge is a local extremum of the smoothed profile's slope; it scores
    by its steepness times how light the ``PLATEAU`` samples outside it
    stay. Positions are in profile coordinates.

    Returns
    -------
    falls, rises : ndarray of float
        The ``count`` best of each, best first.
    """
    from scipy.ndimage import gaussian_filter1d

    smooth = gaussian_filter1d(np.asarray(profile, dtype=np.float64), 1.0, mode="nearest")
    n = len(smooth)
    if n < 2 * PLATEAU:
        return np.empty(0), np.empty(0)
    low, high = np.percentile(smooth, [5, 95])
    span = float(high - low)
    if span <= 1e-9:
        return np.empty(0), np.empty(0)
    slope = np.gradient(smooth)
    padded = np.concatenate((np.full(PLATEAU, smooth[0]), smooth, np.full(PLATEAU, smooth[-1])))
    windows = sliding_window_view(padded, PLATEAU + 1)
    plateau_before = windows[:n].min(axis=1)  # samples i - PLATEAU .. i
    plateau_after = windows[PLATEAU:].min(axis=1)  # samples i .. i + PLATEAU
    inner = np.arange(1, n - 1)
    falls = inner[(slope[inner] < 0) & (slope[inner] <= slope[inner - 1]) & (slope[inner] <= slope[inner + 1])]
    rises = inner[(slope[inner] > 0) & (slope[inner] >= slope[inner - 1]) & (slope[inner] >= slope[inner + 1])]
    fall_score = (plateau_before[falls] - low) * -slope[falls]
    rise_score = (plateau_after[rises] - low) * slope[rises]
    falls = falls[np.argsort(-fall_score, kind="stable")[:count]]
    rises = rises[np.argsort(-rise_score, kind="stable")[:count]]
    # Sample n's centre is at n + 0.5.
    return falls + 0.5, rises + 0.5


def relative_profile(profile: np.ndarray, start: float, end: float, module: float) -> np.ndarray | None:
    """The profile divided by the line through the grey of the two quiet zones.

    Each quiet zone's grey is the lightest smoothed sample within 8 modules
    outside the code. None when a quiet zone is not lighter than black.
    """
    from scipy.ndimage import gaussian_filter1d

    smooth = gaussian_filter1d(np.asarray(profile, dtype=np.float64), 1.0, mode="nearest")
    n = len(smooth)
    reach = max(8.0 * module, 2.0)
    left = smooth[max(int(start - reach), 0) : max(int(start), 1)]
    right = smooth[min(int(end) + 1, n - 1) : min(int(end + reach) + 1, n)]
    if len(left) == 0 or len(right) == 0:
        return None
    white_left, white_right = float(left.max()), float(right.max())
    if min(white_left, white_right) <= 1e-6:
        return None
    x = np.arange(n) + 0.5
    return profile / np.interp(x, [start, end], [white_left, white_right])


def _window(layout: Layout, start: float, module: float, n: int) -> tuple[int, int]:
    """Samples the blurred decoder fits for a placement (code and quiet zone margin)."""
    margin = (QUIET_MODULES + 2.0) * module
    return max(int(math.floor(start - margin)), 0), min(int(math.ceil(start + layout.n_modules * module + margin)), n)


def _screen(relative: np.ndarray, placement: Placement, blur: float) -> tuple[float, float]:
    """Lower bound of the blurred model's error per sample, and the contrast attaining it."""
    layout = LAYOUTS[placement.layout]
    lo, hi = _window(layout, placement.start, placement.module, len(relative))
    if hi - lo < layout.n_modules:
        return math.inf, 0.0
    tables = _tables(placement.layout)
    moments = _moments(relative, layout, tables, placement.start, placement.module, blur, 1.0, lo, hi)
    free = np.ones((len(layout.slots), 10), dtype=np.bool_)
    bounds = [pair_chain_free(loosest_emissions(*moments, c), free) for c in SCREEN_CONTRASTS]
    best = int(np.argmin(bounds))
    return bounds[best] / (hi - lo), float(SCREEN_CONTRASTS[best])


def _shaded_error(profile, bars, start, module, blur, lo, hi, t):
    boundaries = start + module * np.arange(len(bars) + 1)
    whiteness = blurred_whiteness(boundaries, bars, blur * module, lo, hi)
    coef, sse = shaded_fit(profile[lo:hi], whiteness, t)
    if coef[2] - abs(coef[3]) <= 0:  # spaces must be lighter than bars all along
        return coef, math.inf
    return coef, sse


def refine_fit(profile: np.ndarray, bars: np.ndarray, start: float, module: float, blur: float) -> Shading | None:
    """Fit a known code to a profile: placement and blur by pattern search, light by least squares.

    Parameters
    ----------
    profile : ndarray of float
    bars : ndarray of int, shape (N,)
        Module colours in scan order (1 = bar).
    start, module : float
        Initial placement (profile coordinates, samples per module).
    blur : float
        Initial Gaussian sigma in modules.

    Returns
    -------
    Shading or None
        None when no placement near the start has spaces lighter than bars.
    """
    profile = np.asarray(profile, dtype=np.float64)
    bars = np.asarray(bars, dtype=np.int64)
    n_modules = len(bars)
    margin = (QUIET_MODULES + 2.0) * module
    lo = max(int(math.floor(start - margin)), 0)
    hi = min(int(math.ceil(start + n_modules * module + margin)), len(profile))
    if hi - lo < n_modules:
        return None
    t = position_grid(lo, hi)
    point = np.array([start, module, blur])
    coef, best = _shaded_error(profile, bars, *point, lo, hi, t)
    steps = np.array([0.5, 0.01 * module, 0.2])
    for _ in range(4):
        improved = True
        while improved:
            improved = False
            for axis in range(3):
                for sign in (1.0, -1.0):
                    trial = point.copy()
                    trial[axis] += sign * steps[axis]
                    if not (BLUR_LIMITS[0] <= trial[2] <= BLUR_LIMITS[1]) or trial[1] <= 0.3:
                        continue
                    trial_coef, error = _shaded_error(profile, bars, *trial, lo, hi, t)
                    if error < best:
                        point, coef, best, improved = trial, trial_coef, error, True
                        break
        steps /= 2.0
    if not math.isfinite(best):
        return None
    return Shading(float(point[0]), float(point[1]), float(point[2]), coef, float(best), lo, hi)


def _placements(profile: np.ndarray, layouts: list[Layout], seeds: list[Placement]) -> list[Placement]:
    """Seeds, and every layout placed between a fall and a later rise."""
    falls, rises = code_edges(profile)
    found = list(seeds)
    for layout in layouts:
        for fall in falls:
            for rise in rises:
                module = (rise - fall) / layout.n_modules
                if MODULE_RANGE[0] <= module <= MODULE_RANGE[1]:
                    found.append(Placement(layout.name, float(fall), float(module)))
    return found


def _bars(layout: Layout, result: BlurredResult) -> np.ndarray:
    from .blurred import FAMILY_BITS

    tables = _tables(layout.name)
    bars = tables.fixed_bar.copy()
    families = layout.run_families[result.run]
    for j, digit in enumerate(result.digits):
        first = tables.slot_first[j]
        bars[first : first + 7] = FAMILY_BITS[families[j], digit]
    return bars


def _decode_shaded(profile, layout, shading, blur, formats):
    return decode_blurred(
        shading.normalize(profile), layout.name, shading.start, shading.module, blur, 1.0, 1.0, formats,
        coarse=False, contrast_factors=SHADED_CONTRASTS, fine=False,
    )


def _settle(profile: np.ndarray, first: BlurredResult, formats: frozenset[Format]) -> tuple[BlurredResult, Shading] | None:
    """Refit light and geometry to the decoded code and decode again, until the text settles.

    Alternating between the text and the fit stops at a text that is best
    for its own fit, which need not be the best overall: a wrong text
    pulls the blur and placement its way. Once settled, the profile is
    decoded again under somewhat less and more blur, every new text is
    fitted too, and the best-fitting text wins (and is settled again).
    """
    layout = LAYOUTS[first.layout]
    result = first
    fitted: dict[tuple, tuple[BlurredResult, Shading]] = {}
    for _ in range(ROUNDS):
        key = tuple(result.digits) + (result.run,)
        if key in fitted:
            break
        shading = refine_fit(profile, _bars(layout, result), result.start, result.module, result.blur)
        if shading is None:
            break
        fitted[key] = (result, shading)
        again = _decode_shaded(profile, layout, shading, shading.blur, formats)
        if again is None:
            break
        result = again
    if not fitted:
        return None
    best_result, best_shading = min(fitted.values(), key=lambda item: item[1].sse)
    for delta in BLUR_JITTER:
        blur = best_shading.blur + delta
        if not BLUR_LIMITS[0] <= blur <= BLUR_LIMITS[1]:
            continue
        other = _decode_shaded(profile, layout, best_shading, blur, formats)
        if other is None:
            continue
        key = tuple(other.digits) + (other.run,)
        if key in fitted:
            continue
        shading = refine_fit(profile, _bars(layout, other), other.start, other.module, blur)
        if shading is not None:
            fitted[key] = (other, shading)
    result, shading = min(fitted.values(), key=lambda item: item[1].sse)
    if result is not best_result:
        # Decode once more under the new text's own fit, for its margin.
        again = _decode_shaded(profile, layout, shading, shading.blur, formats)
        if again is not None and tuple(again.digits) + (again.run,) == tuple(result.digits) + (result.run,):
            result = again
    return result, shading


def _choose(screened: list[tuple]) -> list[tuple]:
    """The placements worth decoding: the ``DECODED`` best, and the best of each code length.

    A short code fits a stretch of a long one at least as well as the long
    code fits the whole, so the long layouts are guaranteed a decode of
    their own. Placements about a module apart are decoded once.
    """
    ranked = sorted(screened, key=lambda item: item[0])
    chosen: list[tuple] = []

    def fresh(placement: Placement) -> bool:
        return not any(
            c[1].layout == placement.layout
            and abs(c[1].start - placement.start) < 1.5 * c[1].module
            and abs(c[1].module - placement.module) < 0.02 * c[1].module
            for c in chosen
        )

    for item in ranked:
        if len(chosen) >= DECODED:
            break
        if fresh(item[1]):
            chosen.append(item)
    for n_modules in sorted({LAYOUTS[item[1].layout].n_modules for item in ranked}, reverse=True):
        if any(LAYOUTS[c[1].layout].n_modules == n_modules for c in chosen):
            continue
        best = next(item for item in ranked if LAYOUTS[item[1].layout].n_modules == n_modules)
        chosen.append(best)
    return chosen


def search_blurred(
    profile: np.ndarray,
    layouts: list[Layout],
    formats: frozenset[Format],
    seeds: list[Placement] = (),
    edges: bool = True,
) -> list[BlurredResult]:
    """Read a strongly blurred code anywhere on a profile.

    Parameters
    ----------
    profile : ndarray of float
    layouts : list of Layout
        Layouts to try.
    formats : frozenset of Format
    seeds : list of Placement
        Placements known from elsewhere (earlier decodes), screened with
        those found from the profile's edges.
    edges : bool
        Also place codes between the profile's edges; without it only the
        seeds are screened (for a profile next to one already searched).

    Returns
    -------
    list of BlurredResult
        The settled decode of each placement chosen by :func:`_choose`;
        placement and contrast refer to the profile as normalized by the
        last fit.
    """
    profile = np.asarray(profile, dtype=np.float64)
    layouts = [layout for layout in layouts if any(run_allowed(run.format, formats) for run in layout.runs)]
    if not layouts:
        return []
    screened = []
    placements = _placements(profile, layouts, list(seeds)) if edges else list(seeds)
    for placement in placements:
        layout = LAYOUTS[placement.layout]
        end = placement.start + layout.n_modules * placement.module
        relative = relative_profile(profile, placement.start, end, placement.module)
        if relative is None:
            continue
        for blur in SCREEN_BLURS:
            bound, contrast = _screen(relative, placement, blur)
            if math.isfinite(bound):
                screened.append((bound, placement, blur, contrast, relative))
    results = []
    for bound, placement, blur, contrast, relative in _choose(screened):
        first = decode_blurred(
            relative, placement.layout, placement.start, placement.module, blur, 1.0, contrast, formats,
            coarse=FIRST_COARSE, fine=FIRST_FINE,
        )
        if first is None:
            continue
        settled = _settle(profile, first, formats)
        if settled is not None:
            results.append(settled[0])
    return results
