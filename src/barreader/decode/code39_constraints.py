"""What is known of a Code 39 string, as an automaton the decoder searches (ALGORITHMS.md §4.3).

A pattern such as ``"[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"``
allows a set of characters at each position; a check character ties the
positions together. Both become a finite automaton over the data
characters: a state per running check residue (43 for mod 43, 31 for the
Finnish identity code, one without a check) and, per position, the state
each (state, character) pair leads to, or -1 where the character is not
allowed. The best string is then a Viterbi path through it and each
character's posterior comes from forward-backward, exactly, over every
string the automaton accepts.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import numpy as np

from .._kernels.automaton import automaton_search
from ..errors import InvalidArgumentError
from ..symbology.code39 import ALPHABET, HETU_ALPHABET

__all__ = ["parse_pattern", "Automaton", "automaton", "best_path", "best_path_reference", "CHECKS"]

N_CHARS = len(ALPHABET)  # data characters; the start/stop '*' is not one
CHECKS = ("mod43", "hetu")
HETU_LENGTH = 11  # DDMMYY, century sign, ZZZ, check
HETU_CENTURY = 6  # position of the century sign, which the check skips
HETU_CENTURIES = "+-YXWVUABCDEF"


def parse_pattern(pattern: str) -> list[np.ndarray]:
    """Allowed characters per position from a pattern of literals and ``[...]`` classes.

    Parameters
    ----------
    pattern : str
        One item per character: a literal Code 39 character, ``.`` for any
        character, ``\\.`` for a literal full stop, or a class such as
        ``[0-9A-F]`` (ranges and single characters; ``[^...]`` negates).

    Returns
    -------
    list of ndarray of bool, shape (43,)
        Per position, the characters of ``ALPHABET`` allowed there.

    Raises
    ------
    InvalidArgumentError
        If the pattern is empty, malformed, or names characters Code 39
        cannot encode (lower case, ``*``).
    """
    if not isinstance(pattern, str) or not pattern:
        raise InvalidArgumentError("pattern must be a non-empty string, e.g. '[0-9][0-9]-[A-Z]'")
    masks = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "[":
            close = pattern.find("]", i + 2)
            if close < 0:
                raise InvalidArgumentError(f"unclosed '[' at position {i} of pattern {pattern!r}")
            masks.append(_class_mask(pattern[i + 1 : close], pattern))
            i = close + 1
        elif ch == ".":
            masks.append(np.ones(N_CHARS, dtype=bool))
            i += 1
        else:
            if ch == "\\" and i + 1 < len(pattern):
                i += 1
                ch = pattern[i]
            masks.append(_literal_mask(ch, pattern))
            i += 1
    return masks


def _literal_mask(ch: str, pattern: str) -> np.ndarray:
    if ch not in ALPHABET:
        raise InvalidArgumentError(f"{ch!r} in pattern {pattern!r} is not a Code 39 data character")
    mask = np.zeros(N_CHARS, dtype=bool)
    mask[ALPHABET.index(ch)] = True
    return mask


def _class_mask(body: str, pattern: str) -> np.ndarray:
    negate = body.startswith("^")
    body = body[1:] if negate else body
    mask = np.zeros(N_CHARS, dtype=bool)
    j = 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            lo, hi = body[j], body[j + 2]
            if lo not in ALPHABET or hi not in ALPHABET or ALPHABET.index(lo) > ALPHABET.index(hi):
                raise InvalidArgumentError(f"bad range {lo}-{hi} in pattern {pattern!r}")
            mask[ALPHABET.index(lo) : ALPHABET.index(hi) + 1] = True
            j += 3
        else:
            mask |= _literal_mask(body[j], pattern)
            j += 1
    mask = ~mask if negate else mask
    if not mask.any():
        raise InvalidArgumentError(f"a class in pattern {pattern!r} allows no character")
    return mask


@dataclasses.dataclass(frozen=True)
class Automaton:
    """Allowed strings of a fixed length as a finite automaton.

    Attributes
    ----------
    n_states : int
    start : int
        State before the first character.
    steps : list of ndarray of int, shape (n_states, 43)
        Per position, the next state of each (state, character), -1 where
        the character is not allowed.
    """

    n_states: int
    start: int
    steps: list[np.ndarray]

    @property
    def length(self) -> int:
        return len(self.steps)

    @functools.cached_property
    def table(self) -> np.ndarray:
        """``steps`` as one array, shape (length, n_states, 43), for the search kernel."""
        if not self.steps:
            return np.zeros((0, self.n_states, N_CHARS), dtype=np.int64)
        return np.ascontiguousarray(np.stack(self.steps).astype(np.int64))

    @functools.cached_property
    def sources(self) -> list[np.ndarray]:
        """Per position, the (state, character) pairs (as ``state * 43 + char``) leading to each state.

        An (n_states, D) array padded with ``n_states * 43``, an index past
        the pairs that :func:`best_path_reference` maps to an impossible score.
        """
        pad = self.n_states * N_CHARS
        out = []
        for step in self.steps:
            flat = step.ravel()
            pairs = np.flatnonzero(flat >= 0)
            order = np.argsort(flat[pairs], kind="stable")
            targets, pairs = flat[pairs][order], pairs[order]
            counts = np.bincount(targets, minlength=self.n_states)
            rank = np.arange(len(targets)) - np.repeat(np.cumsum(counts) - counts, counts)
            table = np.full((self.n_states, max(1, int(counts.max(initial=0)))), pad)
            table[targets, rank] = pairs
            out.append(table)
        return out


def automaton(length: int, allowed: Sequence[np.ndarray] | None = None, check: str | None = None) -> Automaton:
    """The automaton of strings of ``length`` data characters.

    Parameters
    ----------
    length : int
    allowed : sequence of bool arrays (43,), optional
        Characters allowed per position (default: any).
    check : {None, "mod43", "hetu"}
        ``"mod43"``: the last character is the mod-43 sum of the others'
        values. ``"hetu"``: the string is a Finnish identity code
        ``DDMMYYCZZZQ`` whose last character is ``HETU_ALPHABET[DDMMYYZZZ
        mod 31]`` (the digits at positions 0-5 and 7-9, the century sign at
        position 6 from ``+-YXWVUABCDEF``).
    """
    if allowed is not None and len(allowed) != length:
        raise InvalidArgumentError(f"{len(allowed)} position constraints for {length} characters")
    masks = [np.ones(N_CHARS, dtype=bool) if allowed is None else np.asarray(allowed[j], dtype=bool) for j in range(length)]
    chars = np.arange(N_CHARS)
    if check is None:
        steps = [np.where(m, 0, -1)[None, :] for m in masks]
        return Automaton(1, 0, steps)
    if check == "mod43":
        if length < 2:
            raise InvalidArgumentError("a mod-43 check needs at least one character before it")
        states = np.arange(43)[:, None]
        steps = [np.where(m[None, :], (states + chars[None, :]) % 43, -1) for m in masks[:-1]]
        steps.append(np.where(m := masks[-1][None, :], np.where(chars[None, :] == states, 0, -1), -1))
        return Automaton(43, 0, steps)
    if check == "hetu":
        if length != HETU_LENGTH:
            raise InvalidArgumentError(f"a HETU check needs {HETU_LENGTH} characters (DDMMYYCZZZQ), got {length}")
        states = np.arange(31)[:, None]
        digits = chars < 10
        steps = []
        for j, m in enumerate(masks):
            if j == HETU_CENTURY:
                century = np.isin(chars, [ALPHABET.index(c) for c in HETU_CENTURIES])
                steps.append(np.where((m & century)[None, :], np.broadcast_to(states, (31, N_CHARS)), -1))
            elif j == HETU_LENGTH - 1:
                value = np.array([HETU_ALPHABET.find(c) for c in ALPHABET])  # -1 for letters not used
                steps.append(np.where(m[None, :] & (value[None, :] == states), 0, -1))
            else:
                steps.append(np.where((m & digits)[None, :], (10 * states + chars[None, :]) % 31, -1))
        return Automaton(31, 0, steps)
    raise InvalidArgumentError(f"check must be one of {CHECKS}, a callable or None, got {check!r}")


def _check_shape(log_likelihood: np.ndarray, machine: Automaton) -> None:
    n = machine.length
    if log_likelihood.shape != (n, N_CHARS):
        raise InvalidArgumentError(f"log_likelihood must have shape ({n}, {N_CHARS}), got {log_likelihood.shape}")


def best_path(log_likelihood: np.ndarray, machine: Automaton) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The likeliest string the automaton accepts, its log posterior and each character's posterior.

    Parameters
    ----------
    log_likelihood : ndarray, shape (length, 43)
        Per data position and character.
    machine : Automaton

    Returns
    -------
    (indices, log_posterior, marginals) or None
        ``indices`` into ``ALPHABET``; the string's log posterior among the
        accepted strings; ``marginals[j, c]``, the posterior probability of
        character ``c`` at position ``j`` (summed over every accepted
        string). None when the automaton accepts no string of finite
        likelihood.
    """
    _check_shape(log_likelihood, machine)
    n = machine.length
    indices = np.zeros(n, dtype=np.int64)
    marginals = np.zeros((n, N_CHARS))
    log_posterior = automaton_search(np.ascontiguousarray(log_likelihood, dtype=np.float64), machine.table,
                                     machine.start, indices, marginals)
    if not np.isfinite(log_posterior):
        return None
    return indices, float(log_posterior), marginals


def best_path_reference(log_likelihood: np.ndarray, machine: Automaton) -> tuple[np.ndarray, float, np.ndarray] | None:
    """Plain-numpy twin of :func:`best_path` (vectorized over states); same arguments and result."""
    _check_shape(log_likelihood, machine)
    n, S = machine.length, machine.n_states
    best = np.full(S, -np.inf)
    best[machine.start] = 0.0
    alpha = [best.copy()]
    back = []
    for j, sources in enumerate(machine.sources):
        # Scores of every (state, char) pair, and a -inf slot that pads ``sources``.
        scores = np.append((best[:, None] + log_likelihood[j][None, :]).ravel(), -np.inf)
        reaching = scores[sources]  # (S, D): the pairs leading to each state
        pick = reaching.argmax(axis=1)
        best = reaching[np.arange(S), pick]
        back.append(sources[np.arange(S), pick])
        forward = np.append((alpha[-1][:, None] + log_likelihood[j][None, :]).ravel(), -np.inf)
        with np.errstate(invalid="ignore"):
            alpha.append(_logsumexp(forward[sources], axis=1))
    final = int(np.argmax(best))
    if not np.isfinite(best[final]):
        return None
    indices = np.empty(n, dtype=int)
    state = final
    for j in range(n - 1, -1, -1):
        f = back[j][state]
        state, indices[j] = divmod(int(f), N_CHARS)
    logz = float(_logsumexp(alpha[-1], axis=0))
    # Backward pass: beta[j][s] = log weight of completing from state s before position j.
    beta = [None] * (n + 1)
    beta[n] = np.zeros(S)
    for j in range(n - 1, -1, -1):
        step = machine.steps[j]
        completion = np.where(step >= 0, beta[j + 1][np.maximum(step, 0)], -np.inf) + log_likelihood[j][None, :]
        beta[j] = _logsumexp(completion, axis=1)
    marginals = np.empty((n, N_CHARS))
    for j, step in enumerate(machine.steps):
        onward = np.where(step >= 0, beta[j + 1][np.maximum(step, 0)], -np.inf)
        through = alpha[j][:, None] + log_likelihood[j][None, :] + onward
        marginals[j] = np.exp(_logsumexp(through, axis=0) - logz)
    return indices, float(best[final] - logz), marginals


def _logsumexp(values: np.ndarray, axis: int) -> np.ndarray:
    """``log(sum(exp(values)))`` along an axis; -inf where every value is -inf."""
    top = np.max(values, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(safe, axis=axis) + np.log(np.exp(values - safe).sum(axis=axis))


def best_checked_by(log_likelihood: np.ndarray, machine: Automaton, accept: Callable[[str], bool],
                    beam: int = 256) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The likeliest string the automaton accepts that ``accept`` also approves.

    For a check given as a function: a beam search keeps the ``beam`` best
    prefixes per position; of the complete strings, the best approved one
    is returned, its log posterior and character posteriors taken among the
    approved strings of the beam (an approximation of the exact sums).
    Returns as :func:`best_path`.
    """
    n = machine.length
    prefixes = [((), machine.start, 0.0)]
    for j, step in enumerate(machine.steps):
        grown = []
        for chars, state, score in prefixes:
            for c in np.flatnonzero(step[state] >= 0):
                value = score + log_likelihood[j, c]
                if np.isfinite(value):
                    grown.append((chars + (int(c),), int(step[state, c]), float(value)))
        grown.sort(key=lambda p: -p[2])
        prefixes = grown[:beam]
    approved = [(chars, score) for chars, _, score in prefixes if accept("".join(ALPHABET[c] for c in chars))]
    if not approved:
        return None
    scores = np.array([s for _, s in approved])
    logz = float(np.logaddexp.reduce(scores))
    weights = np.exp(scores - logz)
    marginals = np.zeros((n, N_CHARS))
    for (chars, _), weight in zip(approved, weights):
        marginals[np.arange(n), list(chars)] += weight
    return np.array(approved[0][0]), float(scores[0] - logz), marginals
