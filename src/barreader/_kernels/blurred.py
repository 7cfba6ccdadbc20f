"""Digit-chain decoding against the *blurred* code (second stage for blurred profiles).

The profile is modelled as ``a + b * W(x)`` with ``W`` the whiteness of the
code convolved with a Gaussian of sigma ``s`` and integrated over each
sample. A module ``m`` spanning ``[B_m, B_{m+1})`` darkens sample
``[x, x+1)`` by ``b * R[m, x]`` when it is a bar, with

    R[m, x] = F(B_{m+1}, x) - F(B_m, x),
    F(c, x) = s * (G((c - x) / s) - G((c - x - 1) / s)),   G(u) = u Φ(u) + φ(u),

the exact blurred, box-integrated fraction of the sample covered by the
module. Each sample is *owned* by one digit slot (its own digit, or the
neighbouring guard or quiet zone); as long as the blur reaches no further
than one digit, its prediction depends only on the owner's digit and the
two neighbours'. The squared errors of a slot's samples are therefore a
table over (previous, own, next) digit, and the best valid code is a
dynamic programme over pairs of consecutive digits, with the check-digit
residue in the state.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numba import njit

__all__ = [
    "module_responses",
    "blurred_whiteness",
    "blurred_whiteness_reference",
    "slot_moments",
    "pair_chain",
    "pair_chain_free",
    "runner_up",
    "runner_up_reference",
    "blurred_code_sse_reference",
    "pair_chain_reference",
]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _g(u):  # pragma: no cover - jitted
    """Antiderivative of the standard normal CDF."""
    return u * 0.5 * (1.0 + math.erf(u / _SQRT2)) + _INV_SQRT_2PI * math.exp(-0.5 * u * u)


@njit(cache=True, nogil=True)
def _add_fractions(out, lo, c, sigma, first, last, sign):  # pragma: no cover - jitted
    """Add ``sign`` times the fraction left of ``c`` to ``out[x - lo]`` for ``first <= x < last``.

    Neighbouring samples share a boundary of integration, so each value of
    ``G`` serves two samples: one evaluation per sample instead of two.
    """
    if first >= last:
        return
    if sigma < 1e-6:
        for x in range(first, last):
            out[x - lo] += sign * min(max(c - x, 0.0), 1.0)
        return
    g_left = _g((c - first) / sigma)
    for x in range(first, last):
        g_right = _g((c - x - 1.0) / sigma)
        out[x - lo] += sign * sigma * (g_left - g_right)
        g_left = g_right


@njit(cache=True)
def module_responses(boundaries, sigma, lo, hi):  # pragma: no cover - jitted
    """``R[m, x - lo]`` for every module ``m`` and sample ``lo <= x < hi``.

    Each boundary's blurred step is evaluated once per sample within reach
    and shared by the two modules it separates.
    """
    n_bounds = boundaries.shape[0]
    reach = 5.0 * sigma + 1.0
    width = hi - lo
    out = np.zeros((n_bounds - 1, width))
    # left[x] = blurred fraction of sample x left of the current boundary; it
    # is 1 right of the boundary's reach and 0 left of it.
    prev = np.zeros(width)
    for b in range(n_bounds):
        c = boundaries[b]
        first = max(lo, int(math.floor(c - reach)))
        last = min(hi, int(math.ceil(c + reach)) + 1)
        cur = np.zeros(width)
        cur[: max(first - lo, 0)] = 1.0
        _add_fractions(cur, lo, c, sigma, first, last, 1.0)
        if b > 0:
            m = b - 1
            lo_i = max(int(math.floor(boundaries[m] - reach)) - lo, 0)
            hi_i = min(last - lo, width)
            for i in range(lo_i, hi_i):
                out[m, i] = cur[i] - prev[i]
        prev = cur
    return out


@njit(cache=True)
def blurred_whiteness(boundaries, bars, sigma, lo, hi):  # pragma: no cover - jitted
    """Blurred, sample-integrated whiteness of a whole code on samples ``lo .. hi-1``.

    ``1 - sum over bar modules m of R[m, x]`` (see :func:`module_responses`),
    evaluated run by run: only the edges of runs of bars count.
    """
    width = hi - lo
    out = np.ones(width)
    reach = 5.0 * sigma + 1.0
    n = bars.shape[0]
    m = 0
    while m < n:
        if bars[m] == 0:
            m += 1
            continue
        first = m
        while m < n and bars[m] == 1:
            m += 1
        left, right = boundaries[first], boundaries[m]
        a = max(lo, int(math.floor(left - reach)))
        b = min(hi, int(math.ceil(right + reach)) + 1)
        _add_fractions(out, lo, right, sigma, a, b, -1.0)
        _add_fractions(out, lo, left, sigma, a, b, 1.0)
    return out


def blurred_whiteness_reference(boundaries, bars, sigma, lo, hi):
    """Twin of :func:`blurred_whiteness` by quadrature, module by module."""
    out = np.ones(hi - lo)
    for m, bar in enumerate(bars):
        if bar:
            for x in range(lo, hi):
                out[x - lo] -= _frac_ref(boundaries[m + 1], x, sigma) - _frac_ref(boundaries[m], x, sigma)
    return out


@njit(cache=True)
def slot_moments(profile, lo, responses, owner, fixed_bar, slot_first, family_bits, slot_families, white):  # pragma: no cover - jitted
    """Moments from which each slot's squared error follows for any contrast.

    With the spaces' grey ``white`` and contrast ``c``, the model predicts
    ``white - c * dark(x)``, where ``dark`` is the blurred bar coverage of
    the sample. A slot's squared error is then ``uu + 2 c uv + c² vv`` with
    ``u = profile - white`` and ``v = dark`` summed over its samples.

    Parameters
    ----------
    profile : ndarray of float64
    lo : int
        First sample of ``responses``' columns.
    responses : ndarray, shape (N, hi - lo)
        From :func:`module_responses`.
    owner : ndarray of int64, shape (hi - lo,)
        Slot owning each sample, -1 for samples left out.
    fixed_bar : ndarray of int64, shape (N,)
        1 for guard bars, 0 for guard spaces, -1 for digit modules.
    slot_first : ndarray of int64, shape (n_slots,)
        First module of each slot (digits are 7 modules).
    family_bits : ndarray of int64, shape (n_families, 10, 7)
        Module colours (1 = bar) of every digit of every family.
    slot_families : ndarray of int64, shape (n_slots, 2)
        The two families possible at each slot.
    white : float
        Grey of a space.

    Returns
    -------
    uu : ndarray, shape (n_slots,)
    uv, vv : ndarray, shape (n_slots, 2, 2, 2, 10, 10, 10)
        ``[j, f_prev, f_own, f_next, k_prev, k_own, k_next]`` (indices into
        ``slot_families``); the first slot has no previous digit and the
        last no next one: those indices are ignored (all equal).
    """
    n_slots = slot_first.shape[0]
    width = responses.shape[1]
    uu = np.zeros(n_slots)
    uv = np.zeros((n_slots, 2, 2, 2, 10, 10, 10))
    vv = np.zeros((n_slots, 2, 2, 2, 10, 10, 10))
    for j in range(n_slots):
        samples = np.empty(width, dtype=np.int64)
        count = 0
        for i in range(width):
            if owner[i] == j:
                samples[count] = i
                count += 1
        if count == 0:
            continue
        u = np.empty(count)
        fixed = np.zeros(count)
        for c in range(count):
            i = samples[c]
            u[c] = profile[lo + i] - white
            for m in range(fixed_bar.shape[0]):
                if fixed_bar[m] == 1:
                    fixed[c] += responses[m, i]
            uu[j] += u[c] * u[c]
        # Bar coverage of each sample by each neighbour's digit: [which, family, digit, sample].
        shade = np.zeros((3, 2, 10, count))
        for which in range(3):
            slot = j - 1 + which
            if slot < 0 or slot >= n_slots:
                continue
            for f in range(2):
                family = slot_families[slot, f]
                for k in range(10):
                    for t in range(7):
                        if family_bits[family, k, t] == 1:
                            m = slot_first[slot] + t
                            for c in range(count):
                                shade[which, f, k, c] += responses[m, samples[c]]
        # A prediction is fixed + prev[a] + own[b] + next[q] with a, b, q the
        # (family, digit) choices of the three slots, so every moment follows
        # from the dot products of those three sets of 20 rows.
        prev = np.ascontiguousarray(shade[0].reshape(20, count))
        own = np.ascontiguousarray(shade[1].reshape(20, count))
        nexts = np.ascontiguousarray(shade[2].reshape(20, count))
        fu = np.dot(fixed, u)
        ff = np.dot(fixed, fixed)
        pu, ou, nu = prev @ u, own @ u, nexts @ u
        fp_, fo, fn_ = prev @ fixed, own @ fixed, nexts @ fixed
        pp = (prev * prev).sum(axis=1)
        oo = (own * own).sum(axis=1)
        nn = (nexts * nexts).sum(axis=1)
        po = prev @ own.T
        pn = prev @ nexts.T
        on = own @ nexts.T
        for fp in range(2):
            for kp in range(10):
                a = fp * 10 + kp
                for fc in range(2):
                    for kc in range(10):
                        b = fc * 10 + kc
                        base_uv = fu + pu[a] + ou[b]
                        base_vv = ff + pp[a] + oo[b] + 2.0 * (fp_[a] + fo[b] + po[a, b])
                        for fn in range(2):
                            for kn in range(10):
                                q = fn * 10 + kn
                                uv[j, fp, fc, fn, kp, kc, kn] = base_uv + nu[q]
                                vv[j, fp, fc, fn, kp, kc, kn] = base_vv + nn[q] + 2.0 * (fn_[q] + pn[a, q] + on[b, q])
    return uu, uv, vv


@njit(cache=True, nogil=True)
def _forward_costs(emission, weight, allowed, start_residue, back):  # pragma: no cover - jitted
    """``forward[j, k_j, k_j+1, r]``: cheapest emissions 0 .. j reaching that state (r: residue of digits 0 .. j+1).

    ``back[j, k_j, k_j+1, r]`` receives the best previous digit ``k_j-1``.
    """
    n = emission.shape[0]
    inf = np.inf
    forward = np.full((n - 1, 10, 10, 10), inf)
    for k0 in range(10):
        if not allowed[0, k0]:
            continue
        for k1 in range(10):
            if allowed[1, k1]:
                forward[0, k0, k1, (start_residue + weight[0] * k0 + weight[1] * k1) % 10] = emission[0, 0, k0, k1]
    for j in range(1, n - 1):
        for kp in range(10):
            for kc in range(10):
                for r in range(10):
                    v = forward[j - 1, kp, kc, r]
                    if v == inf:
                        continue
                    for kn in range(10):
                        if not allowed[j + 1, kn]:
                            continue
                        total = v + emission[j, kp, kc, kn]
                        r2 = (r + weight[j + 1] * kn) % 10
                        if total < forward[j, kc, kn, r2]:
                            forward[j, kc, kn, r2] = total
                            back[j, kc, kn, r2] = kp
    return forward


@njit(cache=True)
def pair_chain(emission, weight, allowed, start_residue, out_digits):  # pragma: no cover - jitted
    """Best valid digit string under emissions that depend on digit triples.

    Parameters
    ----------
    emission : ndarray, shape (n, 10, 10, 10)
        ``[j, k_prev, k_own, k_next]`` cost of slot j (n >= 2).
    weight : ndarray of int64, shape (n,)
    allowed : ndarray of bool, shape (n, 10)
    start_residue : int
    out_digits : ndarray of int64, shape (n,)

    Returns
    -------
    float
        The cost, ``inf`` if no valid string exists.
    """
    n = emission.shape[0]
    inf = np.inf
    back = np.zeros((n, 10, 10, 10), dtype=np.int64)
    forward = _forward_costs(emission, weight, allowed, start_residue, back)
    best = forward[n - 2]
    best_cost = inf
    bp, bc = -1, -1
    for kp in range(10):
        for kc in range(10):
            v = best[kp, kc, 0]
            if v == inf:
                continue
            total = v + emission[n - 1, kp, kc, 0]
            if total < best_cost:
                best_cost, bp, bc = total, kp, kc
    if bp < 0:
        return inf
    out_digits[n - 1] = bc
    out_digits[n - 2] = bp
    s = 0
    for j in range(n - 2, 0, -1):
        kp = back[j, out_digits[j], out_digits[j + 1], s]
        s = (s - weight[j + 1] * out_digits[j + 1]) % 10
        out_digits[j - 1] = kp
    return best_cost


@njit(cache=True)
def pair_chain_free(emission, allowed):  # pragma: no cover - jitted
    """Cost of the best string ignoring the check digit (a lower bound of :func:`pair_chain`)."""
    n = emission.shape[0]
    inf = np.inf
    best = np.full((10, 10), inf)
    for k0 in range(10):
        for k1 in range(10):
            if allowed[0, k0] and allowed[1, k1]:
                best[k0, k1] = emission[0, 0, k0, k1]
    new = np.empty((10, 10))
    for j in range(1, n - 1):
        new[:, :] = inf
        for kp in range(10):
            for kc in range(10):
                v = best[kp, kc]
                if v == inf:
                    continue
                for kn in range(10):
                    if allowed[j + 1, kn]:
                        total = v + emission[j, kp, kc, kn]
                        if total < new[kc, kn]:
                            new[kc, kn] = total
        best[:, :] = new
    out = inf
    for kp in range(10):
        for kc in range(10):
            if best[kp, kc] < inf:
                out = min(out, best[kp, kc] + emission[n - 1, kp, kc, 0])
    return out


def blurred_code_sse_reference(profile, lo, hi, boundaries, bars, sigma, white, contrast, owned):
    """Squared error of a fully specified code, sample by sample (for the tests).

    ``bars`` are the module colours of the whole code; ``owned`` marks the
    samples (relative to ``lo``) that count.
    """
    total = 0.0
    for i in range(hi - lo):
        if not owned[i]:
            continue
        x = lo + i
        dark = 0.0
        for m, bar in enumerate(bars):
            if bar:
                dark += _frac_ref(boundaries[m + 1], x, sigma) - _frac_ref(boundaries[m], x, sigma)
        total += (profile[x] - white + contrast * dark) ** 2
    return total


def _frac_ref(c, x, sigma, steps=400):
    """Twin of the blurred fraction by midpoint quadrature over the sample."""
    if sigma < 1e-6:
        return min(max(c - x, 0.0), 1.0)
    t = x + (np.arange(steps) + 0.5) / steps
    return float(np.mean(0.5 * (1.0 + np.vectorize(math.erf)((c - t) / (sigma * _SQRT2)))))


def pair_chain_reference(emission, weight, allowed, start_residue):
    """Twin of :func:`pair_chain` by enumerating every string (small n only)."""
    n = emission.shape[0]
    best, digits_best = math.inf, None
    for digits in itertools.product(*[[k for k in range(10) if allowed[j, k]] for j in range(n)]):
        if (start_residue + sum(int(weight[j]) * d for j, d in enumerate(digits))) % 10:
            continue
        total = emission[0, 0, digits[0], digits[1]] + emission[n - 1, digits[n - 2], digits[n - 1], 0]
        for j in range(1, n - 1):
            total += emission[j, digits[j - 1], digits[j], digits[j + 1]]
        if total < best:
            best, digits_best = total, list(digits)
    return best, digits_best


@njit(cache=True)
def contrast_emissions(uu, uv, vv, contrast, choice):  # pragma: no cover - jitted
    """Emission table ``[j, k_prev, k_own, k_next]`` of one run (family choice per slot) at one contrast."""
    n = uu.shape[0]
    out = np.empty((n, 10, 10, 10))
    c2 = contrast * contrast
    for j in range(n):
        fp = choice[j - 1] if j > 0 else 0
        fc = choice[j]
        fn = choice[j + 1] if j < n - 1 else 0
        for kp in range(10):
            for kc in range(10):
                for kn in range(10):
                    out[j, kp, kc, kn] = uu[j] + 2.0 * contrast * uv[j, fp, fc, fn, kp, kc, kn] + c2 * vv[j, fp, fc, fn, kp, kc, kn]
    return out


@njit(cache=True)
def loosest_emissions(uu, uv, vv, contrast):  # pragma: no cover - jitted
    """Emission table with the families left free (the minimum over them)."""
    n = uu.shape[0]
    out = np.full((n, 10, 10, 10), np.inf)
    c2 = contrast * contrast
    for j in range(n):
        for fp in range(2):
            for fc in range(2):
                for fn in range(2):
                    for kp in range(10):
                        for kc in range(10):
                            for kn in range(10):
                                e = uu[j] + 2.0 * contrast * uv[j, fp, fc, fn, kp, kc, kn] + c2 * vv[j, fp, fc, fn, kp, kc, kn]
                                if e < out[j, kp, kc, kn]:
                                    out[j, kp, kc, kn] = e
    return out


@njit(cache=True, nogil=True)
def runner_up(emission, weight, allowed, start_residue, best_digits):  # pragma: no cover - jitted
    """Cost of the best valid string other than ``best_digits``.

    The runner-up differs from the best string in at least one slot. The
    chain of :func:`pair_chain` is run forwards and backwards once; the
    best valid string through a state (two consecutive digits and the
    residue so far) costs the forward cost of reaching it plus the backward
    cost of finishing from it, and the runner-up is the cheapest state
    holding a digit other than the best string's at slot ``j`` (the state
    after slot ``j``, or for the last slot the one before it), over ``j``.
    :func:`runner_up_reference` forbids each slot's best digit in turn.
    """
    n = emission.shape[0]
    inf = np.inf
    forward = _forward_costs(emission, weight, allowed, start_residue, np.zeros((n, 10, 10, 10), dtype=np.int64))
    # backward[j, k_j, k_j+1, r]: cheapest emissions j+1 .. n-1 from that state to residue 0.
    backward = np.full((n - 1, 10, 10, 10), inf)
    for kp in range(10):
        for kc in range(10):
            backward[n - 2, kp, kc, 0] = emission[n - 1, kp, kc, 0]
    for j in range(n - 3, -1, -1):
        for kp in range(10):
            for kc in range(10):
                for r in range(10):
                    best = inf
                    for kn in range(10):
                        if not allowed[j + 2, kn]:
                            continue
                        total = emission[j + 1, kp, kc, kn] + backward[j + 1, kc, kn, (r + weight[j + 2] * kn) % 10]
                        if total < best:
                            best = total
                    backward[j, kp, kc, r] = best
    second = inf
    for j in range(n):
        state = min(j, n - 2)
        for kp in range(10):
            for kc in range(10):
                if (kp if j < n - 1 else kc) == best_digits[j]:
                    continue
                for r in range(10):
                    total = forward[state, kp, kc, r] + backward[state, kp, kc, r]
                    if total < second:
                        second = total
    return second


def runner_up_reference(emission, weight, allowed, start_residue, best_digits):
    """Twin of :func:`runner_up`: the best string with each slot's best digit forbidden in turn."""
    n = emission.shape[0]
    trial = np.zeros(n, dtype=np.int64)
    mask = np.array(allowed, dtype=np.bool_)
    second = math.inf
    for j in range(n):
        if not mask[j, best_digits[j]]:
            continue
        mask[j, best_digits[j]] = False
        second = min(second, pair_chain(emission, weight, mask, start_residue, trial))
        mask[j, best_digits[j]] = True
    return second


@njit(cache=True)
def best_over_runs(uu, uv, vv, contrast, choices, weights, allowed, starts, enabled, incumbent, out_digits, out_others):  # pragma: no cover - jitted
    """Best valid string over runs at one geometry and contrast, by branch and bound.

    Runs are tried in order of their cost without the check digit (a lower
    bound); a run whose bound reaches the best cost so far, or
    ``incumbent``, is not decoded.

    Returns
    -------
    cost : float
        ``inf`` when no run beats ``incumbent``.
    run : int
        -1 likewise.
    count : int
        Entries written to ``out_others``: every other run's cost or lower bound.
    """
    n_runs = choices.shape[0]
    bounds = np.full(n_runs, np.inf)
    tables = np.empty((n_runs, uu.shape[0], 10, 10, 10))
    for r in range(n_runs):
        if enabled[r]:
            tables[r] = contrast_emissions(uu, uv, vv, contrast, choices[r])
            bounds[r] = pair_chain_free(tables[r], allowed[r])
    order = np.argsort(bounds)
    best = np.inf
    best_run = -1
    trial = np.zeros(out_digits.shape[0], dtype=np.int64)
    count = 0
    for i in range(n_runs):
        r = order[i]
        if not enabled[r]:
            continue
        if bounds[r] >= min(best, incumbent):
            out_others[count] = bounds[r]
            count += 1
            continue
        cost = pair_chain(tables[r], weights[r], allowed[r], starts[r], trial)
        if cost == np.inf:
            continue
        if cost < best:
            if best_run >= 0:
                out_others[count] = best
                count += 1
            best = cost
            best_run = r
            out_digits[:] = trial
        else:
            out_others[count] = cost
            count += 1
    return best, best_run, count
