"""Code 39 from a grey profile, without binarization: character templates fitted per slot.

Given the extent of a code on a scanline (its first and last bar), a
hypothesis fixes the wide-to-narrow ratio ``N``, the number of characters
``k`` (start and stop included) and the blur; the narrow width ``X`` follows
from the extent, ``k (6 + 3N) X + (k - 1) X``, and character ``i`` starts at
``start + i (7 + 3N) X``. Every character's nine elements, with the narrow
gaps on both sides, are drawn exactly at sample resolution, blurred, and
fitted to the profile in that slot by least squares with the code's grey
levels (bar and space grey estimated once per hypothesis); a slot may shift
by up to half a narrow width to absorb printing and perspective.

The per-slot costs become log-likelihoods (Gaussian, with the residual
variance of the best string), so a constrained search — ``*`` at both ends,
allowed characters per position, a check character — returns the best
string that satisfies the constraints and the posterior of each of its
characters. The hypothesis with the lowest mean squared residual wins.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..symbology.code39 import ALPHABET, START_STOP, WIDE

__all__ = ["Code39Candidate", "Code39Options", "slot_costs", "decode_profile", "best_string"]

CHARS = ALPHABET + START_STOP  # row order of WIDE
STAR = len(ALPHABET)


@dataclasses.dataclass(frozen=True)
class Code39Options:
    """Hypotheses searched by :func:`decode_profile`.

    Attributes
    ----------
    ratios : tuple of float
        Wide-to-narrow ratios tried.
    blurs : tuple of float
        Gaussian blur, in narrow widths, tried.
    shifts : tuple of float
        Per-slot shifts, in narrow widths.
    min_narrow : float
        Smallest narrow width in pixels considered.
    keep : int
        Hypotheses, ranked by the fit of the start and stop characters,
        whose every character is fitted.
    """

    ratios: tuple[float, ...] = (2.0, 2.25, 2.5, 2.75, 3.0)
    blurs: tuple[float, ...] = (0.0, 0.4, 0.8, 1.2, 1.6)
    shifts: tuple[float, ...] = (-0.5, -0.25, 0.0, 0.25, 0.5)
    min_narrow: float = 0.8
    keep: int = 8


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


def _char_boundaries(ratio: float) -> np.ndarray:
    """(44, 12) element boundaries of every character, in narrow widths, gap before and after included."""
    widths = np.where(WIDE, ratio, 1.0)
    inner = np.concatenate((np.zeros((len(CHARS), 1)), np.cumsum(widths, axis=1)), axis=1)  # 10 edges
    return np.concatenate((inner[:, :1] - 1.0, inner, inner[:, -1:] + 1.0), axis=1)


def _dark_cover(edges: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Amount of bar in each unit sample ``[lo, lo+1)``.

    ``edges`` (..., 12): gap space, 9 elements (bar first), gap space, so
    bars lie between edges 1-2, 3-4, ..., 9-10. ``lo`` broadcasts against
    ``edges[..., :1]`` with samples on the last axis. Exact for box pixels.
    """
    hi = lo + 1.0
    dark = 0.0
    for e in range(1, 11, 2):
        a = edges[..., e : e + 1]
        b = edges[..., e + 1 : e + 2]
        dark = dark + np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0.0, None)
    return dark


def slot_costs(profile: np.ndarray, origin: float, narrow: float, ratio: float, blur: float, count: int,
               dark: float, light: float, shifts: Sequence[float] = (0.0,), slots: Sequence[int] | None = None) -> np.ndarray:
    """Least-squares cost of every character in every slot of one hypothesis.

    Parameters
    ----------
    profile : ndarray, shape (n,)
    origin : float
        Profile position of the first bar's leading edge.
    narrow, ratio, blur : float
        Narrow width (samples), wide-to-narrow ratio, blur (narrow widths).
    count : int
        Characters, start and stop included.
    dark, light : float
        Grey of bars and spaces.
    shifts : sequence of float
        Slot shifts tried, in narrow widths; the best is kept per character.
    slots : sequence of int, optional
        Only these slots (the others are left infinite).

    Returns
    -------
    ndarray, shape (count, 44)
        Sum of squared differences over each slot's samples (from the middle
        of the gap before the character to the middle of the gap after it);
        infinite for slots that leave the profile.
    """
    profile = np.asarray(profile, dtype=np.float64)
    pitch = (7.0 + 3.0 * ratio) * narrow
    bounds = _char_boundaries(ratio) * narrow  # (44, 12) from the character's first bar
    span = bounds[0, -1] - bounds[0, 0] - narrow  # gap middle to gap middle
    sigma = blur * narrow
    pad = int(np.ceil(3.0 * sigma)) + 1 if sigma > 0 else 0
    size = int(np.ceil(span)) + 1
    wanted = np.arange(count) if slots is None else np.asarray(slots)
    lefts = origin + wanted * pitch  # first bar edge of each slot
    first = np.floor(lefts + bounds[0, 0] + 0.5 * narrow).astype(int)  # first sample of each window
    costs = np.full((count, len(CHARS)), np.inf)
    inside = (first >= 0) & (first + size <= len(profile))
    if not inside.any():
        return costs
    wanted, lefts, first = wanted[inside], lefts[inside], first[inside]
    observed = profile[first[:, None] + np.arange(size)[None, :]]  # (m, size)
    shift = np.asarray(shifts, dtype=np.float64) * narrow
    # Sample positions relative to each slot's (shifted) first bar, with blur padding.
    rel = (first[:, None] - lefts[:, None]) - shift[None, :]  # (m, S)
    lo = rel[:, :, None, None] + np.arange(-pad, size + pad)[None, None, None, :]  # (m, S, 1, size + 2 pad)
    white = 1.0 - _dark_cover(bounds[None, None, :, :], lo)  # (m, S, 44, size + 2 pad)
    if sigma > 0:
        white = gaussian_filter1d(white, sigma, axis=-1, mode="nearest")[..., pad : pad + size]
    model = dark + (light - dark) * white
    sse = ((model - observed[:, None, None, :]) ** 2).sum(axis=-1)  # (m, S, 44)
    costs[wanted] = sse.min(axis=1)
    return costs


def best_string(log_likelihood: np.ndarray, allowed: Sequence[np.ndarray] | None = None,
                check=None) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The likeliest character string and per-character posteriors.

    Parameters
    ----------
    log_likelihood : ndarray, shape (k, 44)
        Per slot and character; slots 0 and k-1 are the start and stop.
    allowed : sequence of boolean arrays (44,), optional
        Per data slot (k - 2 of them), the characters allowed there.
    check : {"mod43"} or None
        With ``"mod43"`` the last data character must be the mod-43 sum
        of the others.

    Returns
    -------
    (indices, log_posterior, posteriors) or None
        ``indices`` of the data characters; the string's log posterior
        among allowed strings; each data character's marginal posterior.
        None when no string is allowed.
    """
    k = log_likelihood.shape[0]
    data = log_likelihood[1:-1, :STAR].copy()  # data slots, 43 characters
    if allowed is not None:
        for j, mask in enumerate(allowed):
            data[j, ~np.asarray(mask, dtype=bool)[:STAR]] = -np.inf
    if not np.isfinite(data).any(axis=1).all() or k < 3:
        return None
    if check == "mod43":
        return _best_with_mod43(data)
    idx = data.argmax(axis=1)
    logz = np.logaddexp.reduce(data, axis=1)
    posteriors = np.exp(data[np.arange(len(idx)), idx] - logz)
    return idx, float(np.log(posteriors).sum()), posteriors


def _best_with_mod43(data: np.ndarray) -> tuple[np.ndarray, float, np.ndarray] | None:
    """Best string whose last character is the mod-43 sum of the others, and marginals.

    The state after each body character is the running sum mod 43; Viterbi
    gives the best string, forward-backward each character's posterior.
    """
    n = data.shape[0]
    if n < 2:
        return None
    body, last = data[:-1], data[-1]
    m = body.shape[0]
    states = np.arange(43)
    prev_of = (states[:, None] - states[None, :]) % 43  # [s, c] -> state before adding c
    best = [body[0].copy()]
    alpha = [body[0].copy()]
    choice = []
    for j in range(1, m):
        scores = best[-1][prev_of] + body[j][None, :]
        choice.append(scores.argmax(axis=1))
        best.append(scores.max(axis=1))
        alpha.append(np.logaddexp.reduce(alpha[-1][prev_of] + body[j][None, :], axis=1))
    final = best[-1] + last
    state = int(np.argmax(final))
    if not np.isfinite(final[state]):
        return None
    chars = [state]  # the check character equals the sum
    for j in range(m - 1, 0, -1):
        c = int(choice[j - 1][state])
        chars.append(c)
        state = (state - c) % 43
    chars.append(state)
    idx = np.array(chars[::-1])
    logz = float(np.logaddexp.reduce(alpha[-1] + last))
    # Backward: beta[j][s] = log weight of completing from state s after body slot j.
    beta = [None] * m
    beta[m - 1] = last.copy()
    next_of = (states[:, None] + states[None, :]) % 43  # [s, c] -> state after adding c
    for j in range(m - 1, 0, -1):
        beta[j - 1] = np.logaddexp.reduce(body[j][None, :] + beta[j][next_of], axis=1)
    posteriors = np.empty(n)
    posteriors[0] = np.exp(body[0, idx[0]] + beta[0][idx[0]] - logz)
    for j in range(1, m):
        c = idx[j]
        posteriors[j] = np.exp(np.logaddexp.reduce(alpha[j - 1] + body[j, c] + beta[j][(states + c) % 43]) - logz)
    posteriors[-1] = np.exp(alpha[-1][idx[-1]] + last[idx[-1]] - logz)  # the check is the sum
    return idx, float(final.max() - logz), posteriors


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
    allowed, check
        As for :func:`best_string`; ``allowed`` fixes the character count.
    options : Code39Options

    Returns
    -------
    Code39Candidate or None
    """
    profile = np.asarray(profile, dtype=np.float64)
    length = end - start
    if length <= 0:
        return None
    margin = int(min(start, len(profile) - end, 0.1 * length))
    outside = np.concatenate((profile[max(int(start) - margin, 0) : int(start)], profile[int(end) + 1 : int(end) + 1 + margin]))
    inside = profile[int(start) : int(np.ceil(end))]
    if inside.size < 8:
        return None
    light = float(np.percentile(outside, 75)) if outside.size >= 3 else float(np.percentile(inside, 95))
    dark = float(np.percentile(inside, 3))
    if light - dark <= 1e-6:
        return None
    # Rank every (ratio, blur, count) by how well start and stop characters
    # fit at the two ends (two slots each), then fit every slot of the few best.
    screened = []
    for ratio, blur in itertools.product(options.ratios, options.blurs):
        per_char = 6.0 + 3.0 * ratio
        if allowed is not None:
            counts = [len(allowed) + 2]
        else:
            largest = int((length / options.min_narrow + 1.0) / (per_char + 1.0))
            counts = range(3, largest + 1)
            if n_bars is not None:
                guess = n_bars / 5.0
                counts = [k for k in counts if abs(k - guess) <= max(2.0, 0.25 * guess)]
        for count in counts:
            narrow = length / (count * per_char + count - 1)
            ends = slot_costs(profile, start, narrow, ratio, blur, count, dark, light, options.shifts, slots=(0, count - 1))
            frame = ends[0, STAR] + ends[-1, STAR]
            if np.isfinite(frame):
                screened.append((frame / narrow, ratio, blur, count, narrow))
    screened.sort(key=lambda h: h[0])
    best = None
    for _, ratio, blur, count, narrow in screened[: options.keep]:
        costs = slot_costs(profile, start, narrow, ratio, blur, count, dark, light, options.shifts)
        if not np.isfinite(costs).all():
            continue
        mse = float(costs.min(axis=1).sum()) / length
        if best is None or mse < best[0]:
            best = (mse, ratio, blur, count, narrow, costs)
    if best is None:
        return None
    mse, ratio, blur, count, narrow, costs = best
    variance = max(mse, 1e-4 * (light - dark) ** 2)
    loglik = -costs / (2.0 * variance)
    found = best_string(loglik, allowed, check)
    if found is None:
        return None
    idx, log_post, posteriors = found
    if costs[0].argmin() != STAR or costs[-1].argmin() != STAR:
        return None  # no start or stop character where the code begins and ends
    text = "".join(CHARS[i] for i in idx)
    return Code39Candidate(text, start, end, narrow, ratio, blur, float(np.sqrt(mse)) / (light - dark),
                           posteriors, log_post)
