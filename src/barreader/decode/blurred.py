"""Second-stage EAN/UPC decoding for strongly blurred profiles.

When blur spreads each module over its neighbours, per-digit templates with
sharp edges (the first stage) lose most of their power. Here the decoded
quantity is the whole code *after* blurring: the profile is compared with
the code convolved with a Gaussian and integrated over each sample, with the
code's layout, parity patterns and check digit enforced by a dynamic
programme over pairs of digits (:mod:`barreader._kernels.blurred`).
Geometry (start and module width) is searched on a small grid around the
first stage's estimate; blur and grey levels come from the first stage's
whole-code fit.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from .._kernels.blurred import (
    best_over_runs,
    contrast_emissions,
    loosest_emissions,
    module_responses,
    pair_chain_free,
    runner_up,
    slot_moments,
)
from ..formats import Format
from ..symbology.upcean import family_widths
from .upcean import LAYOUTS, Layout, run_allowed

__all__ = ["BlurredResult", "decode_blurred", "quiet_white"]

# Start shifts (modules) and width scales searched, coarse then fine.
COARSE_SHIFTS = np.arange(-1.5, 1.51, 0.5)
COARSE_SCALES = (0.99, 1.01)
FINE_SHIFTS = np.arange(-0.25, 0.251, 0.125)
FINE_SCALES = (0.994, 1.0, 1.006)
QUIET_MODULES = 3.0  # quiet zone modules fitted on each side
CONTRAST_FACTORS = (0.8, 0.95, 1.1)  # contrasts tried, relative to the first estimate


@dataclasses.dataclass(frozen=True)
class BlurredResult:
    """The best valid code under the blurred model."""

    layout: str
    run: int
    digits: np.ndarray  # in scan order
    sse: float
    start: float
    module: float
    others: tuple[float, ...] = ()  # other runs' costs or lower bounds of them
    n_samples: int = 0
    runner_up: float = float("inf")  # best valid string of the same run other than this one
    contrast: float = 0.0  # the contrast of the best fit
    blur: float = 0.0  # the Gaussian sigma used, in modules

    @property
    def margin(self) -> float:
        """How much worse the best other valid string fits, in units of the residual variance."""
        second = min((self.runner_up,) + self.others)
        variance = max(self.sse / max(self.n_samples, 1), 1e-12)
        return (second - self.sse) / variance


@dataclasses.dataclass(frozen=True)
class _LayoutTables:
    fixed_bar: np.ndarray
    slot_first: np.ndarray
    slot_families: np.ndarray
    module_owner: np.ndarray
    run_choice: np.ndarray  # per run and slot: 0 or 1, the index into slot_families


def _family_bits() -> np.ndarray:
    bits = np.zeros((4, 10, 7), dtype=np.int64)
    for family in range(4):
        widths = family_widths(family)
        bar = family >= 2  # R and RG start with a bar
        for digit in range(10):
            colour, t = bar, 0
            for width in widths[digit]:
                bits[family, digit, t : t + int(width)] = colour
                t += int(width)
                colour = not colour
    return bits


FAMILY_BITS = _family_bits()
_GUARDS = {  # module colours of each layout with digits unknown (-1)
    "ean13": [1, 0, 1] + [-1] * 42 + [0, 1, 0, 1, 0] + [-1] * 42 + [1, 0, 1],
    "ean8": [1, 0, 1] + [-1] * 28 + [0, 1, 0, 1, 0] + [-1] * 28 + [1, 0, 1],
    "upce": [1, 0, 1] + [-1] * 42 + [0, 1, 0, 1, 0, 1],
    "upce_reverse": [1, 0, 1, 0, 1, 0] + [-1] * 42 + [1, 0, 1],
}


@functools.lru_cache(maxsize=None)
def _tables(name: str) -> _LayoutTables:
    layout = LAYOUTS[name]
    fixed = np.array(_GUARDS[name], dtype=np.int64)
    first = np.array([int(s.modules) for s in layout.slots], dtype=np.int64)
    families = np.array([(0, 1) if s.side == "left" else (2, 3) for s in layout.slots], dtype=np.int64)
    owner = np.zeros(layout.n_modules, dtype=np.int64)
    for m in range(layout.n_modules):
        # A guard module belongs to the digit before it (the start guard to the first).
        owner[m] = max(int(np.searchsorted(first, m, side="right")) - 1, 0)
    choice = np.array([[list(families[j]).index(f) for j, f in enumerate(run.families)] for run in layout.runs])
    return _LayoutTables(fixed, first, families, owner, choice)


def _owners(tables: _LayoutTables, boundaries: np.ndarray, lo: int, hi: int) -> np.ndarray:
    centres = np.arange(lo, hi) + 0.5
    module = np.searchsorted(boundaries, centres, side="right") - 1
    n_modules = len(boundaries) - 1
    owner = tables.module_owner[np.clip(module, 0, n_modules - 1)]
    owner[module < 0] = 0
    owner[module >= n_modules] = tables.slot_first.shape[0] - 1
    return owner


def _moments(profile, layout: Layout, tables, start, module, sigma_modules, white, lo, hi):
    boundaries = start + module * np.arange(layout.n_modules + 1)
    responses = module_responses(boundaries, sigma_modules * module, lo, hi)
    owner = _owners(tables, boundaries, lo, hi)
    return slot_moments(profile, lo, responses, owner, tables.fixed_bar, tables.slot_first, FAMILY_BITS, tables.slot_families, white)


def quiet_white(profile: np.ndarray, start: float, end: float, module: float) -> float | None:
    """Median grey 3 to 8 modules outside either end of a code (None if out of the profile)."""
    n = len(profile)
    pieces = [
        profile[max(int(start - 8 * module), 0) : max(int(start - 3 * module), 0)],
        profile[min(int(end + 3 * module), n) : min(int(end + 8 * module), n)],
    ]
    values = np.concatenate(pieces)
    return float(np.median(values)) if len(values) >= 3 else None


def decode_blurred(
    profile: np.ndarray,
    layout_name: str,
    start: float,
    module: float,
    blur: float,
    white: float | None,
    contrast: float,
    formats: frozenset[Format],
    coarse: bool = True,
    contrast_factors: tuple[float, ...] = CONTRAST_FACTORS,
    fine: bool = True,
) -> BlurredResult | None:
    """Best valid code of a layout under the blurred model.

    The quiet zone's grey anchors the spaces; the contrast is tried at
    ``CONTRAST_FACTORS`` times the first estimate. (Re-estimating grey
    levels from a decoded string is a trap: a wrong string fits levels of
    its own.) Geometry and contrast are searched on a coarse grid scored by
    a lower bound with families and check digit left free, then on a fine
    grid around the best, decoded exactly in order of that bound until the
    bound reaches the best error; the lowest squared error wins.

    Parameters
    ----------
    profile : ndarray of float
    layout_name : str
    start, module : float
        First-stage estimate of the code start and module width.
    blur : float
        Gaussian sigma in modules.
    white : float or None
        Grey of the quiet zone; by default :func:`quiet_white`.
    contrast : float
        First estimate of the space-to-bar grey difference; the search also
        tries the multiples ``CONTRAST_FACTORS``.
    formats : frozenset of Format
    coarse : bool
        Search the coarse grid first; without it only the fine grid around
        ``start`` and ``module`` is decoded (for a geometry already fitted).
    contrast_factors : tuple of float
        Multiples of ``contrast`` tried.
    fine : bool
        Search the fine grid; without it (and without ``coarse``) only the
        given geometry is decoded.

    Returns
    -------
    BlurredResult or None
    """
    layout = LAYOUTS[layout_name]
    tables = _tables(layout_name)
    enabled = np.array([run_allowed(run.format, formats) for run in layout.runs])
    if not enabled.any() or contrast <= 0:
        return None
    profile = np.asarray(profile, dtype=np.float64)
    if white is None:
        white = quiet_white(profile, start, start + layout.n_modules * module, module)
        if white is None:
            return None
    # One window of samples for every geometry tried, so that errors compare.
    margin = (QUIET_MODULES + 2.0) * module
    lo = max(int(math.floor(start - margin)), 0)
    hi = min(int(math.ceil(start + layout.n_modules * module + margin)), len(profile))
    if hi - lo < layout.n_modules:
        return None

    contrasts = [contrast * factor for factor in contrast_factors]
    free = np.ones((len(layout.slots), 10), dtype=np.bool_)
    # Coarse grid, scored by a lower bound with families and check digit free.
    s0, w0 = start, module
    if coarse:
        scored = []
        for scale in COARSE_SCALES:
            w = module * scale
            for shift in COARSE_SHIFTS:
                s = start + shift * w
                moments = _moments(profile, layout, tables, s, w, blur, white, lo, hi)
                scored += [(pair_chain_free(loosest_emissions(*moments, c), free), s, w) for c in contrasts]
        _, s0, w0 = min(scored)
    # Fine grid around the best, decoded exactly, in order of the lower
    # bound; grid points whose bound reaches the best error are skipped.
    bounded = []
    cache: dict[tuple[float, float], tuple] = {}
    for scale in FINE_SCALES if fine else (1.0,):
        w = w0 * scale
        for shift in FINE_SHIFTS if fine else (0.0,):
            s = s0 + shift * w
            cache[(s, w)] = moments = _moments(profile, layout, tables, s, w, blur, white, lo, hi)
            bounded += [(pair_chain_free(loosest_emissions(*moments, c), free), s, w, c) for c in contrasts]
    bounded.sort(key=lambda item: item[0])
    best = None
    digits = np.zeros(len(layout.slots), dtype=np.int64)
    others = np.empty(len(layout.runs))
    for bound, s, w, c in bounded:
        if best is not None and bound >= best.sse:
            break
        moments = cache[(s, w)]
        incumbent = np.inf if best is None else best.sse
        cost, run, count = best_over_runs(
            *moments, c, tables.run_choice, layout.run_weights, layout.run_allowed,
            layout.run_start, enabled, incumbent, digits, others,
        )
        if run >= 0:
            best = BlurredResult(layout_name, run, digits.copy(), cost, s, w, tuple(others[:count]), hi - lo, contrast=c, blur=blur)
            best_moments, best_contrast = moments, c
    if best is not None:
        table = contrast_emissions(*best_moments, best_contrast, tables.run_choice[best.run])
        second = runner_up(table, layout.run_weights[best.run], layout.run_allowed[best.run], layout.run_start[best.run], best.digits)
        best = dataclasses.replace(best, runner_up=float(second))
    return best
