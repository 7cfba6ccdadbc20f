"""Viterbi and forward-backward over a character automaton (constrained Code 39 search).

An automaton over ``n`` positions is given by ``steps[j, s, c]``: the state
reached from state ``s`` by character ``c`` at position ``j``, or -1 where
``c`` is not allowed. ``automaton_search`` finds the likeliest accepted
string and every character's posterior among the accepted strings in one
pass each way. Its plain-numpy twin is
:func:`barreader.decode.code39_constraints.best_path_reference`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["automaton_search"]


@njit(cache=True)
def _logaddexp(a, b):  # pragma: no cover - jitted
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True)
def automaton_search(log_likelihood, steps, start, out_indices, out_marginals):  # pragma: no cover - jitted
    """Best accepted string, its log posterior, and per-position character posteriors.

    Parameters
    ----------
    log_likelihood : ndarray of float64, shape (n, C)
    steps : ndarray of int64, shape (n, S, C)
    start : int
        State before the first character.
    out_indices : ndarray of int64, shape (n,)
        Characters of the best accepted string.
    out_marginals : ndarray of float64, shape (n, C)
        Posterior of each character at each position.

    Returns
    -------
    float
        Log posterior of the best string among the accepted strings; -inf
        (outputs unset) when no string of finite likelihood is accepted.
    """
    n, S, C = steps.shape
    best = np.full(S, -np.inf)
    best[start] = 0.0
    alpha = np.full((n + 1, S), -np.inf)
    alpha[0, start] = 0.0
    back = np.full((n, S), -1, dtype=np.int64)
    for j in range(n):
        reached = np.full(S, -np.inf)
        for s in range(S):
            if alpha[j, s] == -np.inf:
                continue
            for c in range(C):
                t = steps[j, s, c]
                if t < 0:
                    continue
                value = best[s] + log_likelihood[j, c]
                if value > reached[t]:
                    reached[t] = value
                    back[j, t] = s * C + c
                alpha[j + 1, t] = _logaddexp(alpha[j + 1, t], alpha[j, s] + log_likelihood[j, c])
        best = reached
    final = 0
    for s in range(1, S):
        if best[s] > best[final]:
            final = s
    if best[final] == -np.inf:
        return -np.inf
    state = final
    for j in range(n - 1, -1, -1):
        pair = back[j, state]
        state = pair // C
        out_indices[j] = pair % C
    log_z = -np.inf
    for s in range(S):
        log_z = _logaddexp(log_z, alpha[n, s])
    beta = np.full((n + 1, S), -np.inf)
    beta[n, :] = 0.0
    for j in range(n - 1, -1, -1):
        for s in range(S):
            total = -np.inf
            for c in range(C):
                t = steps[j, s, c]
                if t >= 0:
                    total = _logaddexp(total, beta[j + 1, t] + log_likelihood[j, c])
            beta[j, s] = total
    for j in range(n):
        for c in range(C):
            total = -np.inf
            for s in range(S):
                t = steps[j, s, c]
                if t >= 0:
                    total = _logaddexp(total, alpha[j, s] + log_likelihood[j, c] + beta[j + 1, t])
            out_marginals[j, c] = math.exp(total - log_z)
    return best[final] - log_z
