"""Code 39 from a grey profile, without binarization: a bank of character templates scored per slot.

A hypothesis fixes the code's first and last bar edges on the profile, the
wide-to-narrow ratio ``N``, the number of characters ``k`` (start and stop
included), the inter-character gap ``G`` and the blur; the narrow width
``X`` follows from the extent, ``k (6 + 3N) X + (k - 1) G X``, and
character ``i`` starts at ``start + i (6 + 3N + G) X``.

The profile is resampled at ``RESOLUTION`` box-averaged samples per narrow
width on that grid, so that every slot sees the same sample phase and one
bank of 44 templates serves all slots: each character's bars, the narrow
gaps on both sides included, integrated exactly over each sample and
blurred (the matched filters of ALGORITHMS.md §4.3, with exact shapes in
place of smoothed impulses). A slot's cost for a character is the squared
difference between its window and ``light - (light - dark) * bars``, so
the whole bank is one matrix product; a slot may shift by up to half a
narrow width to absorb printing and perspective.

Under strong blur the neighbouring characters' bars spill into a slot. The
spill is linear in the neighbours' bars, so a second pass adds to each
slot the neighbours' spill expected under their posteriors from the first
(the start and stop ``*`` are known from the outset).

The per-slot costs become log-likelihoods (Gaussian, with the residual
variance of the best fit), and the constrained search of
:mod:`barreader.decode.code39_constraints` returns the best string that
satisfies what is known (pattern, check character) and each character's
posterior.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Sequence

import numpy as np

from ..symbology.code39 import ALPHABET, START_STOP, WIDE
from .code39_constraints import Automaton, automaton, best_checked_by, best_path

__all__ = ["Code39Candidate", "Code39Options", "character_templates", "slot_costs", "decode_profile", "decode_views", "RESOLUTION"]

CHARS = ALPHABET + START_STOP  # row order of WIDE
STAR = len(ALPHABET)
RESOLUTION = 4  # resampled samples per narrow width


@dataclasses.dataclass(frozen=True)
class Code39Options:
    """Hypotheses searched by :func:`decode_profile`.

    Attributes
    ----------
    ratios : tuple of float
        Wide-to-narrow ratios tried (multiples of 1/4, so that a character
        is a whole number of samples).
    gaps : tuple of float
        Inter-character gaps tried, in narrow widths (multiples of 1/4;
        the specification allows gaps wider than one narrow element).
    blurs : tuple of float
        Gaussian blur, in narrow widths, tried.
    shift : int
        Largest per-slot shift, in samples (1/4 narrow width each).
    growths : tuple of float
        Bar growth tried, in narrow widths: every bar that much wider
        (negative: narrower) than nominal, the spaces narrower.
    scales : tuple of float
        Per-slot scales of the narrow width tried in the full fit.
    jitter : tuple of float
        Offsets of the given start and end, in narrow widths, tried.
    min_narrow : float
        Smallest narrow width in pixels considered.
    keep : int
        Hypotheses, ranked by the fit of the start and stop characters,
        whose every character is fitted.
    local_levels : bool
        Fit grey levels per slot when scoring characters (see
        :func:`slot_costs`): for codes partly smudged or shadowed.
    """

    ratios: tuple[float, ...] = (2.0, 2.25, 2.5, 2.75, 3.0)
    gaps: tuple[float, ...] = (1.0,)
    growths: tuple[float, ...] = (0.0,)
    scales: tuple[float, ...] = (1.0,)
    blurs: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)
    shift: int = 2
    jitter: tuple[float, ...] = (0.0,)
    min_narrow: float = 0.8
    keep: int = 6
    local_levels: bool = False


@dataclasses.dataclass(frozen=True)
class Code39Candidate:
    """One reading of a Code 39 profile.

    Attributes
    ----------
    text : str
        Data characters between the start and stop ``*``.
    start, end : float
        Profile positions of the code's first and last bar edges.
    narrow : float
        Narrow element width in samples.
    ratio : float
        Wide-to-narrow ratio.
    blur : float
        Gaussian blur in narrow widths.
    residual : float
        RMS residual of the fit relative to the bar-space contrast.
    posteriors : ndarray of float
        Posterior probability of each data character given the rest.
    log_posterior : float
        Log posterior of the whole string among the strings allowed.
    contrast : float
        Grey difference between spaces and bars.
    """

    text: str
    start: float
    end: float
    narrow: float
    ratio: float
    blur: float
    residual: float
    posteriors: np.ndarray
    log_posterior: float
    contrast: float = 0.0


def _bar_edges(ratio: float, growth: float = 0.0) -> np.ndarray:
    """(44, 10) edges of each character's five bars, in narrow widths from its first bar's nominal leading edge.

    ``growth`` widens every bar by that many narrow widths (half on each
    side) at the expense of the spaces: ink spread, or, negative, thin
    printing or over-exposure.
    """
    widths = np.where(WIDE, ratio, 1.0)
    edges = np.concatenate((np.zeros((len(CHARS), 1)), np.cumsum(widths, axis=1)), axis=1)  # 10 edges
    edges[:, 0::2] -= 0.5 * growth
    edges[:, 1::2] += 0.5 * growth
    return edges


def _dark_cover(bar_edges: np.ndarray, lo: np.ndarray, step: float) -> np.ndarray:
    """Fraction of each sample ``[lo, lo + step)`` covered by bars; (44, len(lo))."""
    hi = lo + step
    dark = np.zeros((bar_edges.shape[0], lo.size))
    for b in range(0, 10, 2):
        a, z = bar_edges[:, b : b + 1], bar_edges[:, b + 1 : b + 2]
        dark += np.clip(np.minimum(hi[None, :], z) - np.maximum(lo[None, :], a), 0.0, None)
    return dark / step


@functools.lru_cache(maxsize=128)
def character_templates(ratio: float, blur: float, gap: float = 1.0, growth: float = 0.0,
                        resolution: int = RESOLUTION) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bar coverage of every character in one slot window, and what its bars spill into the neighbours'.

    A slot window runs from the middle of the gap before a character to the
    middle of the gap after it, ``(6 + 3N + gap)`` narrow widths in
    ``(6 + 3N + gap) * resolution`` samples.

    Returns
    -------
    own, into_next, into_previous : ndarray, shape (44, L)
        Blurred bar coverage (0 = space, 1 = bar) of each character in its
        own window, in the window of the slot after it, and in the window
        of the slot before it.
    """
    pitch = 6.0 + 3.0 * ratio + gap
    length = int(round(pitch * resolution))
    step = 1.0 / resolution
    edges = _bar_edges(ratio, growth)
    # Three windows: the slot before, the character's own, the slot after.
    lo = -0.5 * gap - pitch + step * np.arange(3 * length)
    dark = _dark_cover(edges, lo, step)
    if blur > 0:
        from scipy.ndimage import gaussian_filter1d

        dark = gaussian_filter1d(dark, blur * resolution, axis=1, mode="constant", cval=0.0)
    into_previous, own, into_next = dark[:, :length], dark[:, length : 2 * length], dark[:, 2 * length :]
    for array in (own, into_next, into_previous):
        array.setflags(write=False)
    return own, into_next, into_previous


def _resample(cumulative: np.ndarray, positions: np.ndarray, step) -> np.ndarray:
    """Box averages of the profile over ``[x, x + step)`` for each ``x`` (pixel ``i`` covers ``[i, i + 1)``)."""
    n = cumulative.size - 1

    def integral(x):
        x = np.clip(x, 0.0, n)
        i = np.minimum(x.astype(int), n - 1)
        return cumulative[i] + (x - i) * (cumulative[i + 1] - cumulative[i])

    return (integral(positions + step) - integral(positions)) / step


@dataclasses.dataclass
class _Slots:
    """Resampled windows of one hypothesis: per slot and shift, the observed samples."""

    windows: np.ndarray  # (slots, shifts, L)
    narrow: float
    inside: bool | np.ndarray  # every window lies on the profile (per hypothesis when batched)


def _slot_windows(cumulative: np.ndarray, origin: float, narrow: float, ratio: float, gap: float, count: int,
                  shift: int, slots: Sequence[int] | None = None, scales: Sequence[float] = (1.0,),
                  resolution: int = RESOLUTION) -> _Slots:
    """The windows of the given slots (default all) of a hypothesis, at every shift and scale.

    A slot's window at scale ``s`` is resampled about the slot's nominal
    centre with ``s`` times the nominal step, then shifted by whole steps:
    perspective and uneven printing change the width and place of each
    character a little. Shape (slots, scales * shifts, L).
    """
    length = int(round((6.0 + 3.0 * ratio + gap) * resolution))
    step = narrow / resolution
    wanted = np.arange(count) if slots is None else np.asarray(slots)
    centres = origin - 0.5 * gap * narrow + step * length * (wanted + 0.5)  # (slots,)
    moves = np.arange(-shift, shift + 1)
    scale = np.asarray(scales, dtype=np.float64)
    # (slots, scales, shifts, L) sample starts
    relative = (np.arange(length) - 0.5 * length)[None, None, :] + moves[None, :, None]  # (1, shifts, L)
    positions = centres[:, None, None, None] + (scale[:, None, None] * step)[None] * relative[None]
    inside = positions.min() >= 0 and positions.max() + step * scale.max() <= cumulative.size - 1
    steps = np.broadcast_to((scale * step)[None, :, None, None], positions.shape)
    windows = _resample(cumulative, positions, steps).reshape(len(wanted), -1, length)
    return _Slots(windows, narrow, bool(inside))


def slot_costs(slots: _Slots, ratio: float, blur: float, dark: float, light: float,
               spill: np.ndarray | None = None, local: bool = False, gap: float = 1.0, growth: float = 0.0,
               resolution: int = RESOLUTION) -> np.ndarray:
    """Least-squares cost of every character in every slot of one hypothesis.

    Parameters
    ----------
    slots : _Slots
        The resampled windows (see :func:`_slot_windows`).
    ratio, blur : float
        Wide-to-narrow ratio and blur (narrow widths).
    dark, light : float
        Grey of bars and spaces.
    spill : ndarray, shape (count, L), optional
        Bar coverage the neighbours are expected to spill into each slot.
    local : bool
        Fit the space grey and the contrast per slot and character instead
        of using ``dark`` and ``light`` (a smudge or a shadow over part of
        the code changes both there).

    Returns
    -------
    ndarray, shape (count, 44)
        Sum of squared differences over each slot's window, in profile
        samples (pixels), the best shift kept per character.
    """
    own, _, _ = character_templates(ratio, blur, gap, growth, resolution)
    contrast = light - dark
    windows = slots.windows  # (..., slots, S, L)
    if local:
        return _local_costs(windows, own, spill) * (slots.narrow / resolution)
    # Residual of character c: (light - contrast * spill - window) - contrast * own_c.
    base = light - windows
    if spill is not None:
        base = base - contrast * spill[..., :, None, :]
    cross = base @ own.T  # (..., slots, S, 44)
    energy = (base * base).sum(axis=-1)[..., None]
    own_energy = (own * own).sum(axis=1)
    sse = energy - 2.0 * contrast * cross + contrast * contrast * own_energy
    return np.maximum(sse.min(axis=-2), 0.0) * (np.asarray(slots.narrow)[..., None, None] / resolution)


def _local_costs(windows: np.ndarray, own: np.ndarray, spill: np.ndarray | None) -> np.ndarray:
    """Costs with the grey levels fitted per slot: the residual of ``window ~ a - g (own_c + spill)``, ``g >= 0``."""
    centred = windows - windows.mean(axis=-1, keepdims=True)  # (count, S, L)
    own_c = own - own.mean(axis=1, keepdims=True)  # (44, L)
    energy = (centred * centred).sum(axis=-1)[..., None]  # (count, S, 1)
    cross = centred @ own_c.T  # (count, S, 44)
    spread = (own_c * own_c).sum(axis=1)[None, None, :]
    if spill is not None:
        spill_c = spill - spill.mean(axis=-1, keepdims=True)  # (count, L)
        cross = cross + np.einsum("csl,cl->cs", centred, spill_c)[..., None]
        spread = spread + 2.0 * (spill_c @ own_c.T)[:, None, :] + (spill_c * spill_c).sum(axis=-1)[:, None, None]
    # Bars are dark: the fitted gain g = -cross / spread must be positive.
    explained = np.where(cross < 0, cross * cross / np.maximum(spread, 1e-12), 0.0)
    return np.maximum(energy - explained, 0.0).min(axis=1)


def _expected_spill(marginals: np.ndarray, ratio: float, blur: float, gap: float = 1.0, growth: float = 0.0,
                    resolution: int = RESOLUTION) -> np.ndarray:
    """Bar coverage each slot receives from its neighbours, given per-slot character distributions (count, 44)."""
    _, into_next, into_previous = character_templates(ratio, blur, gap, growth, resolution)
    from_previous = marginals @ into_next  # what slot i spills into slot i + 1
    from_next = marginals @ into_previous
    spill = np.zeros_like(from_previous)
    spill[1:] += from_previous[:-1]
    spill[:-1] += from_next[1:]
    return spill


def _end_windows(cumulative: np.ndarray, lo: np.ndarray, narrow: np.ndarray, ratio: float, gap: float,
                 count: int, shift: int, resolution: int = RESOLUTION) -> _Slots | None:
    """Windows of the first and last slot for many (start, narrow) hypotheses at once: (C, 2, S, L)."""
    length = int(round((6.0 + 3.0 * ratio + gap) * resolution))
    step = narrow / resolution  # (C,)
    offsets = np.array([0, count - 1])[:, None] * length + np.arange(2 * shift + length)[None, :]  # (2, L + 2 shift)
    positions = (lo - 0.5 * gap * narrow - shift * step)[:, None, None] + step[:, None, None] * offsets[None]
    inside = (positions[:, 0, 0] >= 0) & (positions[:, -1, -1] + step <= cumulative.size - 1)
    if not inside.any():
        return None
    samples = _resample(cumulative, positions, step[:, None, None])
    starts = np.arange(2 * shift + 1)
    windows = samples[:, :, starts[:, None] + np.arange(length)[None, :]]
    return _Slots(windows, narrow, inside)


@functools.lru_cache(maxsize=128)
def _end_spill(ratio: float, blur: float, gap: float, growth: float) -> np.ndarray:
    """What uniformly likely data characters spill into the start and stop slots: (2, L)."""
    return _expected_spill(_prior_marginals(3), ratio, blur, gap, growth)[[0, -1]]


def _prior_marginals(count: int) -> np.ndarray:
    """Start and stop known, data characters uniform."""
    marginals = np.zeros((count, len(CHARS)))
    marginals[[0, -1], STAR] = 1.0
    marginals[1:-1, :STAR] = 1.0 / STAR
    return marginals


def _levels(profile: np.ndarray, start: float, end: float) -> tuple[float, float] | None:
    """Grey of bars and of the quiet zones around a code's extent."""
    length = end - start
    margin = int(min(start, len(profile) - end, max(0.1 * length, 3)))
    outside = np.concatenate((profile[max(int(start) - margin, 0) : int(start)], profile[int(end) + 1 : int(end) + 1 + margin]))
    inside = profile[max(int(start), 0) : int(np.ceil(end))]
    if inside.size < 8:
        return None
    light = float(np.percentile(outside, 75)) if outside.size >= 3 else float(np.percentile(inside, 95))
    dark = float(np.percentile(inside, 3))
    return (dark, light) if light - dark > 1e-6 else None


def _search(log_likelihood: np.ndarray, machine: Automaton, accept: Callable[[str], bool] | None):
    data = log_likelihood[1:-1, :STAR]
    if accept is None:
        return best_path(data, machine)
    return best_checked_by(data, machine, accept)


def decode_profile(profile: np.ndarray, start: float, end: float, *, n_bars: int | None = None,
                   allowed: Sequence[np.ndarray] | None = None, check=None,
                   options: Code39Options = Code39Options()) -> Code39Candidate | None:
    """Read a Code 39 between ``start`` and ``end`` (first and last bar edges) of a profile.

    Parameters
    ----------
    profile : ndarray, shape (n,)
    start, end : float
    n_bars : int, optional
        Bars counted on the extent: about five per character; narrows the
        character counts tried. All counts with a narrow width of at least
        ``options.min_narrow`` samples are tried otherwise.
    allowed : sequence of bool arrays (43,), optional
        Characters allowed per data position; fixes the character count.
    check : {None, "mod43", "hetu"} or callable
        A check the data characters must pass (a callable takes the text and
        returns whether it is valid).
    options : Code39Options

    Returns
    -------
    Code39Candidate or None
        None when no hypothesis puts a start and a stop character at the
        ends, or no allowed string remains.
    """
    found = decode_views([(profile, start, end)], n_bars=n_bars, allowed=allowed, check=check, options=options)
    return None if found is None else found[1]


def decode_views(views: Sequence[tuple[np.ndarray, float, float]], *, n_bars: int | None = None,
                 allowed: Sequence[np.ndarray] | None = None, check=None,
                 options: Code39Options = Code39Options()) -> tuple[int, Code39Candidate] | None:
    """Read one Code 39 seen on several profiles (e.g. both directions of a scanline).

    Every hypothesis on every view is screened by how well the start and
    stop characters fit at its ends; only the ``options.keep`` best of all
    views are fitted slot by slot, and the constrained search runs once, on
    the best fit. Reading each view with :func:`decode_profile` and keeping
    the best does the same work once per view.

    Parameters
    ----------
    views : sequence of (profile, start, end)
    n_bars, allowed, check, options
        As for :func:`decode_profile`.

    Returns
    -------
    (int, Code39Candidate) or None
        The index of the view read and its reading.
    """
    screened = []
    prepared = []
    for index, (profile, start, end) in enumerate(views):
        profile = np.asarray(profile, dtype=np.float64)
        levels = _levels(profile, start, end) if end - start > 0 else None
        prepared.append(None if levels is None else (np.concatenate(([0.0], np.cumsum(profile))), *levels))
        if levels is not None:
            screened += [(*h, index) for h in _screen(prepared[-1], start, end, n_bars, allowed, options)]
    screened.sort(key=lambda h: h[0])
    best = None
    for _, ratio, gap, growth, blur, count, lo, hi, index in screened[: options.keep]:
        cumulative, dark, light = prepared[index]
        narrow = (hi - lo) / (count * (6.0 + 3.0 * ratio + gap) - gap)
        slots = _slot_windows(cumulative, lo, narrow, ratio, gap, count, options.shift, scales=options.scales)
        spill = _expected_spill(_prior_marginals(count), ratio, blur, gap, growth)
        costs = slot_costs(slots, ratio, blur, dark, light, spill, gap=gap, growth=growth)
        mse = float(costs.min(axis=1).sum()) / (hi - lo)
        if best is None or mse < best[0]:
            best = (mse, ratio, gap, growth, blur, count, lo, hi, slots, costs, index)
    if best is None:
        return None
    found = _fit_best(best[:-1], prepared[best[-1]][1:], allowed, check, options)
    return None if found is None else (best[-1], found)


def _screen(prepared: tuple, start: float, end: float, n_bars: int | None,
            allowed: Sequence[np.ndarray] | None, options: Code39Options) -> list[tuple]:
    """The ``options.keep`` best hypotheses per (ratio, gap, growth, count, blur) by the fit of the start and stop.

    Each is ``(frame cost, ratio, gap, growth, blur, count, lo, hi)``.
    """
    cumulative, dark, light = prepared
    jitter = np.array(list(itertools.product(options.jitter, options.jitter)))  # (C, 2) in narrow widths
    screened = []
    for ratio, gap, growth in itertools.product(options.ratios, options.gaps, options.growths):
        per_char = 6.0 + 3.0 * ratio + gap
        length = end - start
        if allowed is not None:
            counts = [len(allowed) + 2]
        else:
            largest = int((length / options.min_narrow + gap) / per_char)
            counts = range(3, largest + 1)
            if n_bars is not None:
                guess = n_bars / 5.0
                counts = [k for k in counts if abs(k - guess) <= max(1.0, 0.1 * guess)]
        for count in counts:
            guess = length / (count * per_char - gap)
            if guess < options.min_narrow:
                continue
            lo, hi = start + jitter[:, 0] * guess, end + jitter[:, 1] * guess
            narrow = (hi - lo) / (count * per_char - gap)
            ends = _end_windows(cumulative, lo, narrow, ratio, gap, count, options.shift)
            if ends is None:
                continue
            frames = _frame_costs(ends, ratio, gap, growth, tuple(options.blurs), dark, light)  # (C, blurs)
            frames[~ends.inside] = np.inf
            for blur, frame in zip(options.blurs, frames.T):
                for c in np.argsort(frame)[: options.keep]:
                    if np.isfinite(frame[c]):
                        screened.append((float(frame[c]), ratio, gap, growth, blur, count, float(lo[c]), float(hi[c])))
    return screened


@functools.lru_cache(maxsize=64)
def _framed_stars(ratio: float, gap: float, growth: float, blurs: tuple[float, ...]) -> np.ndarray:
    """Bar coverage of the start and stop slots, with what the data characters spill into them, per blur: (B, 2, L)."""
    own = np.stack([character_templates(ratio, blur, gap, growth)[0][STAR] for blur in blurs])  # (B, L)
    spill = np.stack([_end_spill(ratio, blur, gap, growth) for blur in blurs])  # (B, 2, L)
    framed = own[:, None, :] + spill
    framed.setflags(write=False)
    return framed


def _frame_costs(ends: _Slots, ratio: float, gap: float, growth: float, blurs: tuple[float, ...],
                 dark: float, light: float) -> np.ndarray:
    """How well a start and a stop character fit the end windows, per hypothesis and blur: (C, B).

    The same least-squares cost as :func:`slot_costs` restricted to ``*``
    (best shift per slot, summed over the two slots), per narrow width,
    for every blur at once.
    """
    framed = _framed_stars(ratio, gap, growth, blurs)  # (B, 2, L)
    contrast = light - dark
    base = light - ends.windows  # (C, 2, S, L)
    energy = (base * base).sum(axis=-1)  # (C, 2, S)
    cross = np.einsum("cksl,bkl->cksb", base, framed)  # (C, 2, S, B)
    framed_energy = (framed * framed).sum(axis=-1).T  # (2, B)
    sse = energy[..., None] - 2.0 * contrast * cross + contrast * contrast * framed_energy[None, :, None, :]
    per_slot = np.maximum(sse.min(axis=2), 0.0) * (ends.narrow / RESOLUTION)[:, None, None]  # (C, 2, B)
    return per_slot.sum(axis=1) / ends.narrow[:, None]


def _fit_best(best: tuple, levels: tuple[float, float], allowed, check, options: Code39Options) -> Code39Candidate | None:
    """Per-slot levels, neighbour spill and the constrained search on the best-fitting hypothesis."""
    dark, light = levels
    mse, ratio, gap, growth, blur, count, lo, hi, slots, costs = best
    if callable(check):
        machine, accept = automaton(count - 2, allowed, None), check
    else:
        machine, accept = automaton(count - 2, allowed, check), None
    local = options.local_levels
    if local:
        spill = _expected_spill(_prior_marginals(count), ratio, blur, gap, growth)
        costs = slot_costs(slots, ratio, blur, dark, light, spill, local, gap, growth)
        mse = float(costs.min(axis=1).sum()) / (hi - lo)
    for _ in range(2):  # a second pass with the neighbours' spill from the first's posteriors
        # Model errors (print, optics) are correlated over about a narrow
        # element, not independent per pixel: one narrow width of samples
        # counts as one observation.
        variance = max(mse, 1e-4 * (light - dark) ** 2) * max(slots.narrow, 1.0)
        found = _search(-costs / (2.0 * variance), machine, accept)
        if found is None or blur == 0:
            break
        marginals = _prior_marginals(count)
        marginals[1:-1, :STAR] = found[2]
        costs = slot_costs(slots, ratio, blur, dark, light, _expected_spill(marginals, ratio, blur, gap, growth), local, gap, growth)
        mse = float(costs.min(axis=1).sum()) / (hi - lo)
    if found is None:
        return None
    idx, log_post, marginals = found
    if allowed is None and (costs[0].argmin() != STAR or costs[-1].argmin() != STAR):
        return None  # no start or stop character where the code begins and ends
    text = "".join(CHARS[i] for i in idx)
    posteriors = marginals[np.arange(len(idx)), idx]
    return Code39Candidate(text, lo, hi, slots.narrow, ratio, blur, float(np.sqrt(mse)) / (light - dark),
                           posteriors, log_post, light - dark)
