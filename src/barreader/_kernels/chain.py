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

A *run* fixes what the code's structure fixes before any digit is read
(parity pattern, EAN-13 first digit, reading direction). Runs are searched
by branch and bound: the best string of a run without the check-digit
constraint costs no more than its best valid string, so runs whose
unconstrained optimum is already worse than the best valid string found so
far are skipped.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numba import njit

__all__ = [
    "chain_best",
    "chain_log_partition",
    "chain_free_best",
    "decode_runs",
    "chain_reference",
]


_EXACT_WITHIN = 25.0  # nats: runs this close to the best get an exact partition function


@njit(cache=True)
def _penalty(o_mean, w_mean, gap, j, k1, k2, alpha, squared, scale):  # pragma: no cover - jitted
    o = (o_mean[j - 1, k1] + (7.0 + gap[j - 1]) * w_mean[j - 1, k1] - o_mean[j, k2]) / scale
    return alpha * (o * o if squared else abs(o))


@njit(cache=True)
def chain_free_best(cost, o_mean, w_mean, gap, allowed, alpha, squared, scale):  # pragma: no cover - jitted
    """Cost of the best digit string ignoring the check digit (a lower bound)."""
    n = cost.shape[0]
    inf = np.inf
    best = np.full(10, inf)
    new = np.empty(10)
    for k in range(10):
        if allowed[0, k]:
            best[k] = cost[0, k]
    for j in range(1, n):
        for k2 in range(10):
            new[k2] = inf
            if not allowed[j, k2]:
                continue
            for k1 in range(10):
                if best[k1] < inf:
                    total = best[k1] + _penalty(o_mean, w_mean, gap, j, k1, k2, alpha, squared, scale)
                    if total < new[k2]:
                        new[k2] = total
            new[k2] += cost[j, k2]
        best[:] = new
    return best.min()


@njit(cache=True)
def chain_best(cost, o_mean, w_mean, gap, weight, allowed, start_residue, alpha, squared, scale, out_digits):  # pragma: no cover - jitted
    """Best digit string with a valid check digit.

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
    float
        Its cost; ``inf`` if no valid string exists.
    """
    n = cost.shape[0]
    inf = np.inf
    best = np.full((10, 10), inf)
    new = np.empty((10, 10))
    back = np.zeros((n, 10, 10), dtype=np.int64)
    for k in range(10):
        if allowed[0, k]:
            best[k, (start_residue + weight[0] * k) % 10] = cost[0, k]
    for j in range(1, n):
        new[:, :] = inf
        for k2 in range(10):
            if not allowed[j, k2]:
                continue
            shift = weight[j] * k2
            for k1 in range(10):
                if not allowed[j - 1, k1]:
                    continue
                step = _penalty(o_mean, w_mean, gap, j, k1, k2, alpha, squared, scale) + cost[j, k2]
                for s1 in range(10):
                    total = best[k1, s1] + step
                    s2 = (s1 + shift) % 10
                    if total < new[k2, s2]:
                        new[k2, s2] = total
                        back[j, k2, s2] = k1 * 10 + s1
        best, new = new, best
    best_cost = inf
    best_k = -1
    for k in range(10):
        if best[k, 0] < best_cost:
            best_cost = best[k, 0]
            best_k = k
    if best_k < 0:
        return inf
    state = best_k * 10
    for j in range(n - 1, -1, -1):
        k = state // 10
        out_digits[j] = k
        if j > 0:
            state = back[j, k, state % 10]
    return best_cost


@njit(cache=True)
def chain_log_partition(cost, o_mean, w_mean, gap, weight, allowed, start_residue, alpha, squared, scale):  # pragma: no cover - jitted
    """``log Σ exp(-C)`` over the digit strings with a valid check digit (``-inf`` if none).

    Same arguments as :func:`chain_best`.
    """
    n = cost.shape[0]
    prob = np.zeros((10, 10))
    new = np.empty((10, 10))
    c0 = np.inf
    for k in range(10):
        if allowed[0, k] and cost[0, k] < c0:
            c0 = cost[0, k]
    if c0 == np.inf:
        return -np.inf
    for k in range(10):
        if allowed[0, k]:
            prob[k, (start_residue + weight[0] * k) % 10] += math.exp(c0 - cost[0, k])
    log_scale = -c0
    for j in range(1, n):
        new[:, :] = 0.0
        cmin = np.inf
        for k2 in range(10):
            if allowed[j, k2] and cost[j, k2] < cmin:
                cmin = cost[j, k2]
        if cmin == np.inf:
            return -np.inf
        for k2 in range(10):
            if not allowed[j, k2]:
                continue
            emit = math.exp(cmin - cost[j, k2])
            shift = weight[j] * k2
            for k1 in range(10):
                if not allowed[j - 1, k1]:
                    continue
                fac = math.exp(-_penalty(o_mean, w_mean, gap, j, k1, k2, alpha, squared, scale)) * emit
                for s1 in range(10):
                    new[k2, (s1 + shift) % 10] += prob[k1, s1] * fac
        peak = new.max()
        if peak <= 0.0:
            return -np.inf
        prob[:, :] = new / peak
        log_scale += math.log(peak) - cmin
    z = prob[:, 0].sum()
    return log_scale + math.log(z) if z > 0.0 else -np.inf


@njit(cache=True)
def decode_runs(
    cost_all, o_all, w_all, families, weights, start_residue, allowed, gap, alpha, squared, scale, enabled, prune
):  # pragma: no cover - jitted
    """Best valid string over several runs, and its posterior log-odds material.

    Parameters
    ----------
    cost_all, o_all, w_all : ndarray, shape (n, n_families * 10)
        Per-slot -log p and conditional means of every template.
    families : ndarray of int64, shape (n_runs, n)
        Template family of each slot in each run.
    weights, start_residue, allowed :
        As in :func:`chain_best`, one row per run.
    gap, alpha, squared, scale :
        As in :func:`chain_best`.
    enabled : ndarray of bool, shape (n_runs,)
        Runs to skip are marked False.
    prune : float
        Digit values whose cost exceeds the slot's best by more than this
        are left out (their share of any posterior is below ``exp(-prune)``).

    Returns
    -------
    best_run : int
        -1 if no run has a valid string.
    best_cost : float
    digits : ndarray of int64, shape (n,)
    log_partition : float
        ``log Σ exp(-C)`` over the valid strings of the best run and of every
        run whose lower bound is within ``_EXACT_WITHIN`` nats of the best.
    others : ndarray of float64, shape (n_runs,)
        For the remaining runs a lower bound of their best cost (``inf``
        elsewhere), so that ``exp(-others)`` bounds their weight from above.
    """
    n_runs, n = families.shape
    inf = np.inf
    cost = np.empty((n_runs, n, 10))
    o_mean = np.empty((n_runs, n, 10))
    w_mean = np.empty((n_runs, n, 10))
    keep = np.zeros((n_runs, n, 10), dtype=np.bool_)
    bound = np.full(n_runs, inf)
    for r in range(n_runs):
        if not enabled[r]:
            continue
        for j in range(n):
            base = families[r, j] * 10
            lowest = inf
            for k in range(10):
                cost[r, j, k] = cost_all[j, base + k]
                o_mean[r, j, k] = o_all[j, base + k]
                w_mean[r, j, k] = w_all[j, base + k]
                if allowed[r, j, k] and cost[r, j, k] < lowest:
                    lowest = cost[r, j, k]
            for k in range(10):
                keep[r, j, k] = allowed[r, j, k] and cost[r, j, k] <= lowest + prune
        bound[r] = chain_free_best(cost[r], o_mean[r], w_mean[r], gap, keep[r], alpha, squared, scale)
    order = np.argsort(bound)
    best_run = -1
    best_cost = inf
    digits = np.zeros(n, dtype=np.int64)
    trial = np.zeros(n, dtype=np.int64)
    for i in range(n_runs):
        r = order[i]
        if bound[r] >= best_cost:
            break
        c = chain_best(cost[r], o_mean[r], w_mean[r], gap, weights[r], keep[r], start_residue[r], alpha, squared, scale, trial)
        if c < best_cost:
            best_cost = c
            best_run = r
            digits[:] = trial
        else:
            bound[r] = c
    if best_run < 0:
        return -1, inf, digits, -inf, bound
    log_z = np.full(n_runs, -inf)
    for r in range(n_runs):
        # Runs that could hold a non-negligible share of the posterior mass
        # get their exact partition function; the rest keep their bound.
        if enabled[r] and (r == best_run or bound[r] < best_cost + _EXACT_WITHIN):
            log_z[r] = chain_log_partition(cost[r], o_mean[r], w_mean[r], gap, weights[r], keep[r], start_residue[r], alpha, squared, scale)
            bound[r] = inf
    total = -inf
    for r in range(n_runs):
        if log_z[r] > -inf:
            total = np.logaddexp(total, log_z[r])
    return best_run, best_cost, digits, total, bound


def chain_reference(cost, o_mean, w_mean, gap, weight, allowed, start_residue, alpha, squared, scale):
    """Twin of :func:`chain_best`, :func:`chain_log_partition` and
    :func:`chain_free_best` by enumerating every digit string (small n only).

    Returns ``(best_cost, log_partition, best_digits, free_best_cost)``.
    """
    n = cost.shape[0]
    best_cost, best_digits, free_best, terms = math.inf, None, math.inf, []
    choices = [[k for k in range(10) if allowed[j, k]] for j in range(n)]
    for digits in itertools.product(*choices):
        total = sum(cost[j, d] for j, d in enumerate(digits))
        for j in range(n - 1):
            a, b = digits[j], digits[j + 1]
            o = (o_mean[j, a] + (7.0 + gap[j]) * w_mean[j, a] - o_mean[j + 1, b]) / scale
            total += alpha * (o * o if squared else abs(o))
        free_best = min(free_best, total)
        if (start_residue + sum(int(weight[j]) * d for j, d in enumerate(digits))) % 10:
            continue
        terms.append(-total)
        if total < best_cost:
            best_cost, best_digits = total, list(digits)
    if not terms:
        return math.inf, -math.inf, None, free_best
    peak = max(terms)
    return best_cost, peak + math.log(sum(math.exp(t - peak) for t in terms)), best_digits, free_best
