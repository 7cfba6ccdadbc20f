"""Dynamic programming over the digits of a code (ALGORITHMS.md §1.8).

The cost of a digit string is the sum of per-digit negative log-likelihoods
plus a spatial-coherence penalty between neighbouring digits,

    C = Σ_j -log p_{k_j}(I_j) + α Σ_j φ(O_j(k_j, k_{j+1})),
    O_j = (ō_j + (7 + g_j) w̄_j - ō_{j+1}) / s,

where ``g_j`` is the number of guard modules between slot ``j`` and ``j+1``
and ``s`` the nominal module width (so α is in units of modules).
φ is the square or the absolute value.

The state also carries the running weighted digit sum mod 10, so that only
strings with a valid check digit survive: the minimum is over valid codes
only, and the log-partition sums over valid codes only.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numba import njit

__all__ = ["chain_decode", "chain_decode_reference"]


@njit(cache=True)
def chain_decode(cost, o_mean, w_mean, gap, weight, allowed, start_residue, alpha, squared, scale, out_digits):  # pragma: no cover - jitted
    """Best valid digit string and the log-partition over valid strings.

    Parameters
    ----------
    cost : ndarray of float64, shape (n, 10)
        -log p of each digit value at each slot.
    o_mean, w_mean : ndarray of float64, shape (n, 10)
        Conditional mean offset and width of each digit value at each slot.
    gap : ndarray of float64, shape (n,)
        Guard modules between slot j and j+1 (last entry unused).
    weight : ndarray of int64, shape (n,)
        Check-digit weight of each slot.
    allowed : ndarray of bool, shape (n, 10)
        Digit values allowed at each slot.
    start_residue : int
        Weighted sum of the digits that are not drawn (mod 10).
    alpha : float
        Weight of the coherence penalty.
    squared : bool
        φ(x) = x² if True, else |x|.
    scale : float
        Nominal module width in samples.
    out_digits : ndarray of int64, shape (n,)
        Receives the best string.

    Returns
    -------
    best_cost : float
        ``inf`` if no valid string exists.
    log_partition : float
        ``log Σ exp(-C)`` over valid strings (``-inf`` if none).
    """
    n = cost.shape[0]
    inf = np.inf
    best = np.full((10, 10), inf)
    prob = np.zeros((10, 10))
    new_best = np.empty((10, 10))
    new_prob = np.empty((10, 10))
    back = np.zeros((n, 10, 10), dtype=np.int64)
    c0 = inf
    for k in range(10):
        if allowed[0, k] and cost[0, k] < c0:
            c0 = cost[0, k]
    if c0 == inf:
        return inf, -inf
    for k in range(10):
        if allowed[0, k]:
            s = (start_residue + weight[0] * k) % 10
            best[k, s] = cost[0, k]
            prob[k, s] = math.exp(c0 - cost[0, k])
    log_scale = -c0
    for j in range(1, n):
        new_best[:, :] = inf
        new_prob[:, :] = 0.0
        cmin = inf
        for k2 in range(10):
            if allowed[j, k2] and cost[j, k2] < cmin:
                cmin = cost[j, k2]
        if cmin == inf:
            return inf, -inf
        for k2 in range(10):
            if not allowed[j, k2]:
                continue
            emit = math.exp(cmin - cost[j, k2])
            shift = weight[j] * k2
            for k1 in range(10):
                if not allowed[j - 1, k1]:
                    continue
                o = (o_mean[j - 1, k1] + (7.0 + gap[j - 1]) * w_mean[j - 1, k1] - o_mean[j, k2]) / scale
                pen = alpha * (o * o if squared else abs(o))
                fac = math.exp(-pen) * emit
                step = pen + cost[j, k2]
                for s1 in range(10):
                    s2 = s1 + shift
                    s2 -= 10 * (s2 // 10)
                    new_prob[k2, s2] += prob[k1, s1] * fac
                    total = best[k1, s1] + step
                    if total < new_best[k2, s2]:
                        new_best[k2, s2] = total
                        back[j, k2, s2] = k1 * 10 + s1
        peak = 0.0
        for k2 in range(10):
            for s2 in range(10):
                if new_prob[k2, s2] > peak:
                    peak = new_prob[k2, s2]
        if peak > 0.0:
            for k2 in range(10):
                for s2 in range(10):
                    new_prob[k2, s2] /= peak
            log_scale += math.log(peak)
        log_scale -= cmin
        best, new_best = new_best, best
        prob, new_prob = new_prob, prob
    best_cost = inf
    best_k = -1
    z = 0.0
    for k in range(10):
        z += prob[k, 0]
        if best[k, 0] < best_cost:
            best_cost = best[k, 0]
            best_k = k
    if best_k < 0:
        return inf, -inf
    state = best_k * 10
    for j in range(n - 1, -1, -1):
        k = state // 10
        s = state % 10
        out_digits[j] = k
        if j > 0:
            state = back[j, k, s]
    log_partition = log_scale + math.log(z) if z > 0.0 else -inf
    return best_cost, log_partition


def chain_decode_reference(cost, o_mean, w_mean, gap, weight, allowed, start_residue, alpha, squared, scale):
    """Twin of :func:`chain_decode` by enumerating every digit string (small n only).

    Returns ``(best_cost, log_partition, best_digits)``.
    """
    n = cost.shape[0]
    best_cost, best_digits, terms = math.inf, None, []
    choices = [[k for k in range(10) if allowed[j, k]] for j in range(n)]
    for digits in itertools.product(*choices):
        if (start_residue + sum(int(weight[j]) * d for j, d in enumerate(digits))) % 10:
            continue
        total = sum(cost[j, d] for j, d in enumerate(digits))
        for j in range(n - 1):
            a, b = digits[j], digits[j + 1]
            o = (o_mean[j, a] + (7.0 + gap[j]) * w_mean[j, a] - o_mean[j + 1, b]) / scale
            total += alpha * (o * o if squared else abs(o))
        terms.append(-total)
        if total < best_cost:
            best_cost, best_digits = total, list(digits)
    if not terms:
        return math.inf, -math.inf, None
    peak = max(terms)
    return best_cost, peak + math.log(sum(math.exp(t - peak) for t in terms)), best_digits


@njit(cache=True)
def decode_runs(
    cost_all, o_all, w_all, families, weights, start_residue, allowed, gap, alpha, squared, scale, enabled, prune
):  # pragma: no cover - jitted
    """:func:`chain_decode` for several runs over the same slot likelihoods.

    Parameters
    ----------
    cost_all, o_all, w_all : ndarray, shape (n, n_families * 10)
        Per-slot -log p and conditional means of every template.
    families : ndarray of int64, shape (n_runs, n)
        Template family of each slot in each run.
    weights, start_residue, allowed :
        As in :func:`chain_decode`, one row per run.
    enabled : ndarray of bool, shape (n_runs,)
        Runs to skip are marked False.
    prune : float
        Digit values whose cost exceeds the slot's best by more than this
        are left out (their share of any posterior is below ``exp(-prune)``).

    Returns
    -------
    best_cost, log_partition : ndarray of float64, shape (n_runs,)
    digits : ndarray of int64, shape (n_runs, n)
    """
    n_runs, n = families.shape
    best_cost = np.full(n_runs, np.inf)
    log_partition = np.full(n_runs, -np.inf)
    digits = np.zeros((n_runs, n), dtype=np.int64)
    cost = np.empty((n, 10))
    o_mean = np.empty((n, 10))
    w_mean = np.empty((n, 10))
    keep = np.empty((n, 10), dtype=np.bool_)
    for r in range(n_runs):
        if not enabled[r]:
            continue
        for j in range(n):
            base = families[r, j] * 10
            lowest = np.inf
            for k in range(10):
                cost[j, k] = cost_all[j, base + k]
                o_mean[j, k] = o_all[j, base + k]
                w_mean[j, k] = w_all[j, base + k]
                if allowed[r, j, k] and cost[j, k] < lowest:
                    lowest = cost[j, k]
            for k in range(10):
                keep[j, k] = allowed[r, j, k] and cost[j, k] <= lowest + prune
        best_cost[r], log_partition[r] = chain_decode(
            cost, o_mean, w_mean, gap, weights[r], keep, start_residue[r], alpha, squared, scale, digits[r]
        )
    return best_cost, log_partition, digits
