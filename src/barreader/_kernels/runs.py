"""The fast decoder's kernels: a profile's edges, and EAN/UPC and Code 39 read from the widths between them.

A classical reader thresholds a scanline into black and white runs. Here
the runs come from the profile's *edges* instead: the extrema of its
sample-to-sample differences, located to a fraction of a sample by the
centroid of the difference around each extremum (exact for a sharp edge
sampled by pixels that average the light falling on them), and made to
alternate between falling (a bar starts) and rising (a space starts). No
grey level is ever compared with a threshold; an edge needs only a step
larger than the profile's noise.

EAN/UPC digits are matched on their edge-to-similar-edge distances
(the UPC specification's decoding rule: the width of a bar and the
following space, and of a space and the following bar), which do not
change when ink spread or blur widens every bar by the same amount; the
total width of the digit's two bars tells 1 from 7 and 2 from 8, which
share those distances. Code 39 elements are split into narrow and wide at
each character's widest gap between sorted widths.

Every kernel has a plain-Python twin (``*_reference``) computing the same
thing with lists and loops; the tests compare them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..symbology.code39 import WIDE as _CODE39_WIDE
from ..symbology.upcean import EAN13_FIRST_DIGIT_PARITY, L_WIDTHS, UPCE_PARITY_NS0

__all__ = [
    "profile_edges",
    "profile_edges_reference",
    "strong_edges",
    "strong_edges_reference",
    "upcean_runs",
    "upcean_runs_reference",
    "code39_runs",
    "code39_runs_reference",
    "EAN13",
    "EAN8",
    "UPCE",
    "LAYOUT_ELEMENTS",
    "LAYOUT_MODULES",
    "MAX_RESULTS",
    "edge_fit",
    "edge_fit_reference",
    "upcean_scratch",
]

# Layout codes of upcean_runs' results.
EAN13, EAN8, UPCE = 0, 1, 2
LAYOUT_ELEMENTS = np.array([59, 43, 33], dtype=np.int64)  # bars and spaces, guards included
LAYOUT_MODULES = np.array([95.0, 67.0, 51.0])
LAYOUT_DIGITS = np.array([12, 8, 6], dtype=np.int64)  # drawn digits
MAX_RESULTS = 16  # codes one call reports at most
SKIP_SLACK = 0.5  # samples before a skipped stretch where a code still may not start

QUIET_MODULES = 5.0  # light needed beyond both ends of an EAN/UPC, in modules (GS1 asks 7 to 11)
GUARD_LOW, GUARD_HIGH = 0.4, 1.9  # a guard element's width, in the guard's own module
GUARD_PAIR = 0.5  # how far two neighbouring guard elements may be from two modules together
MODULE_DRIFT = 1.6  # a guard's or digit's module may differ this many times from the code's mean
MAX_DIGIT_COST = 0.6  # squared module error of a digit's two edge distances (plus a quarter of its bars')
BAR_WEIGHT = 0.25  # weight of the bar-width term, which ink spread shifts
MAX_EDGE_ERROR = 0.5  # modules an edge may lie off the code's smooth placement (edge_fit)
DIGIT_VARIANCE = 0.1  # squared module error of one edge distance that is typical of a right digit

# Edge-to-similar-edge distances (T1, T2) and bar width of each digit, in modules:
# L digits (space first), G digits (L reversed, space first), R digits (L widths, bar first).
_L = L_WIDTHS.astype(np.float64)
PATTERN_L = _L
_G = _L[:, ::-1].copy()
DIGIT_T = np.zeros((3, 10, 3))
for _family, _widths, _bars in ((0, _L, (1, 3)), (1, _G, (1, 3)), (2, _L, (0, 2))):
    DIGIT_T[_family, :, 0] = _widths[:, 0] + _widths[:, 1]
    DIGIT_T[_family, :, 1] = _widths[:, 1] + _widths[:, 2]
    DIGIT_T[_family, :, 2] = _widths[:, _bars[0]] + _widths[:, _bars[1]]
FIRST_DIGIT = np.full(64, -1, dtype=np.int64)  # EAN-13 parity pattern of the left digits -> first digit
for _d, _p in enumerate(EAN13_FIRST_DIGIT_PARITY):
    FIRST_DIGIT[_p] = _d
UPCE_CHECK = np.full((2, 64), -1, dtype=np.int64)  # (number system, parity) -> check digit
for _d, _p in enumerate(UPCE_PARITY_NS0):
    UPCE_CHECK[0, _p] = _d
    UPCE_CHECK[1, _p ^ 0x3F] = _d
CODE39_INDEX = np.full(512, -1, dtype=np.int64)  # 9-bit wide/narrow pattern -> index in ALPHABET + "*"
for _i, _row in enumerate(_CODE39_WIDE):
    CODE39_INDEX[int(sum(1 << (8 - k) for k in range(9) if _row[k]))] = _i
CODE39_STAR = 43
CODE39_WIDE = _CODE39_WIDE.astype(np.float64)


# ---------------------------------------------------------------- edges


@njit(cache=True, nogil=True)
def profile_edges(profile, min_step, min_slope, positions, strengths):  # pragma: no cover - jitted
    """Alternating sub-pixel edges of a profile.

    An edge is an extremum of the sample-to-sample difference of at least
    ``min_slope`` whose step, that difference and its neighbours of the
    same sign together, is at least ``min_step``: a blurred edge spreads
    its step over several samples.

    Parameters
    ----------
    profile : ndarray of float64, shape (n,)
        Grey levels (larger = lighter); sample ``k`` covers ``[k, k + 1)``.
    min_step, min_slope : float
    positions, strengths : ndarray of float64, shape (n,)
        Filled with the edges' positions (profile coordinates) and signed
        steps (negative: falling, a bar starts).

    Returns
    -------
    int
        Number of edges written. Of two neighbouring edges of one sign,
        the stronger is kept, so that signs alternate.
    """
    n = profile.shape[0]
    count = 0
    for i in range(1, n - 2):
        d = profile[i + 1] - profile[i]
        if abs(d) < min_slope:
            continue
        left = profile[i] - profile[i - 1]
        right = profile[i + 2] - profile[i + 1]
        if d > 0.0:
            if not (d >= left and d > right):
                continue
        elif not (d <= left and d < right):
            continue
        wl = left if left * d > 0.0 else 0.0
        wr = right if right * d > 0.0 else 0.0
        step = wl + d + wr
        if abs(step) < min_step:
            continue
        position = (i + 1.0) + (wr - wl) / step
        if count > 0 and (strengths[count - 1] > 0.0) == (d > 0.0):
            if abs(step) > abs(strengths[count - 1]):
                positions[count - 1] = position
                strengths[count - 1] = step
            continue
        positions[count] = position
        strengths[count] = step
        count += 1
    return count


def profile_edges_reference(profile, min_step, min_slope):
    """Plain-Python twin of :func:`profile_edges`; returns (positions, strengths) lists."""
    p = [float(v) for v in profile]
    edges: list[list[float]] = []
    for i in range(1, len(p) - 2):
        d = p[i + 1] - p[i]
        if abs(d) < min_slope:
            continue
        left, right = p[i] - p[i - 1], p[i + 2] - p[i + 1]
        if not ((d > 0 and d >= left and d > right) or (d < 0 and d <= left and d < right)):
            continue
        wl = left if left * d > 0 else 0.0
        wr = right if right * d > 0 else 0.0
        step = wl + d + wr
        if abs(step) < min_step:
            continue
        position = i + 1.0 + (wr - wl) / step
        if edges and (edges[-1][1] > 0) == (d > 0):
            if abs(step) > abs(edges[-1][1]):
                edges[-1] = [position, step]
            continue
        edges.append([position, step])
    return [e[0] for e in edges], [e[1] for e in edges]


@njit(cache=True, nogil=True)
def strong_edges(positions, strengths, n, min_step, out_positions, out_strengths):  # pragma: no cover - jitted
    """The edges of at least ``min_step``, made to alternate again (the stronger of two of one sign kept).

    Returns the number written to ``out_positions`` and ``out_strengths``.
    """
    count = 0
    for i in range(n):
        s = strengths[i]
        if abs(s) < min_step:
            continue
        if count > 0 and (out_strengths[count - 1] > 0.0) == (s > 0.0):
            if abs(s) > abs(out_strengths[count - 1]):
                out_positions[count - 1] = positions[i]
                out_strengths[count - 1] = s
            continue
        out_positions[count] = positions[i]
        out_strengths[count] = s
        count += 1
    return count


def strong_edges_reference(positions, strengths, min_step):
    """Plain-Python twin of :func:`strong_edges`; returns (positions, strengths) lists."""
    kept: list[list[float]] = []
    for p, s in zip(positions, strengths):
        if abs(s) < min_step:
            continue
        if kept and (kept[-1][1] > 0) == (s > 0):
            if abs(s) > abs(kept[-1][1]):
                kept[-1] = [p, s]
            continue
        kept.append([p, s])
    return [k[0] for k in kept], [k[1] for k in kept]


# ---------------------------------------------------------------- EAN/UPC


@njit(cache=True, nogil=True)
def _digit_costs(positions, k, family, costs):  # pragma: no cover - jitted
    """Cost of every digit of a family for the four elements from edge ``k``; returns their total width.

    ``costs[d]`` is the squared error, in modules, of the two edge
    distances of digit ``d`` plus ``BAR_WEIGHT`` times that of its bars'
    width, the elements scaled to seven modules together.
    """
    w0 = positions[k + 1] - positions[k]
    w1 = positions[k + 2] - positions[k + 1]
    w2 = positions[k + 3] - positions[k + 2]
    w3 = positions[k + 4] - positions[k + 3]
    total = w0 + w1 + w2 + w3
    scale = 7.0 / total
    t1 = (w0 + w1) * scale
    t2 = (w1 + w2) * scale
    bars = (w0 + w2) * scale if family == 2 else (w1 + w3) * scale
    for digit in range(10):
        e1 = t1 - DIGIT_T[family, digit, 0]
        e2 = t2 - DIGIT_T[family, digit, 1]
        e3 = bars - DIGIT_T[family, digit, 2]
        costs[digit] = e1 * e1 + e2 * e2 + BAR_WEIGHT * e3 * e3
    return total


@njit(cache=True, nogil=True)
def _argmin(costs):  # pragma: no cover - jitted
    best = 0
    for d in range(1, costs.shape[0]):
        if costs[d] < costs[best]:
            best = d
    return best


@njit(cache=True, nogil=True)
def _pattern_width(family, digit, element):  # pragma: no cover - jitted
    """Modules of one element of a digit of a family (0 L, 1 G, 2 R), in drawing order."""
    if family == 1:
        return PATTERN_L[digit, 3 - element]
    return PATTERN_L[digit, element]


@njit(cache=True, nogil=True)
def _guard_ok(positions, k, count, module):  # pragma: no cover - jitted
    """Whether ``count`` elements from edge ``k`` are one module each (to within blur and perspective)."""
    local = (positions[k + count] - positions[k]) / count
    if local < module / MODULE_DRIFT or local > module * MODULE_DRIFT:
        return False
    for j in range(count):
        width = positions[k + j + 1] - positions[k + j]
        if width < GUARD_LOW * local or width > GUARD_HIGH * local:
            return False
    # Edge-to-similar-edge distances, which ink spread leaves alone, are two modules.
    for j in range(count - 1):
        pair = positions[k + j + 2] - positions[k + j]
        if abs(pair - 2.0 * local) > GUARD_PAIR * local:
            return False
    return True


@njit(cache=True, nogil=True)
def _quiet(positions, n_edges, k, side, length):  # pragma: no cover - jitted
    """Light before edge ``k`` (side -1) or after it (side +1), to the next edge or the profile's end."""
    if side < 0:
        return positions[k] - (positions[k - 1] if k > 0 else 0.0)
    return (positions[k + 1] if k + 1 < n_edges else length) - positions[k]


@njit(cache=True, nogil=True)
def _check_weight(position, count):  # pragma: no cover - jitted
    """GTIN check weight of digit ``position`` of ``count`` (3 for every other digit from the check digit's left)."""
    return 3 if (count - 1 - position) % 2 == 1 else 1


@njit(cache=True, nogil=True)
def _gtin_check(digits, count):  # pragma: no cover - jitted
    """Whether ``digits[:count]`` (check digit last) has a valid GTIN check digit."""
    total = 0
    for j in range(count):
        total += _check_weight(j, count) * digits[j]
    return total % 10 == 0


@njit(cache=True, nogil=True)
def _upce_check(ns, x, check):  # pragma: no cover - jitted
    """Whether a UPC-E's check digit is that of its UPC-A expansion."""
    body = np.zeros(12, dtype=np.int64)
    body[0] = ns
    last = x[5]
    if last <= 2:
        body[1], body[2], body[3] = x[0], x[1], last
        body[8], body[9], body[10] = x[2], x[3], x[4]
    elif last == 3:
        body[1], body[2], body[3] = x[0], x[1], x[2]
        body[9], body[10] = x[3], x[4]
    elif last == 4:
        body[1], body[2], body[3], body[4] = x[0], x[1], x[2], x[3]
        body[10] = x[4]
    else:
        body[1], body[2], body[3], body[4], body[5] = x[0], x[1], x[2], x[3], x[4]
        body[10] = last
    body[11] = check
    return _gtin_check(body, 12)


@njit(cache=True, nogil=True)
def _solve(gram, rhs):  # pragma: no cover - jitted
    """Solve a small square system by Gaussian elimination with partial pivoting (zeros if singular)."""
    n = rhs.shape[0]
    a = gram.copy()
    b = rhs.copy()
    for col in range(n):
        pivot = col
        for r in range(col + 1, n):
            if abs(a[r, col]) > abs(a[pivot, col]):
                pivot = r
        if abs(a[pivot, col]) < 1e-12:
            return np.zeros(n)
        if pivot != col:
            for c in range(n):
                a[col, c], a[pivot, c] = a[pivot, c], a[col, c]
            b[col], b[pivot] = b[pivot], b[col]
        for r in range(col + 1, n):
            f = a[r, col] / a[col, col]
            for c in range(col, n):
                a[r, c] -= f * a[col, c]
            b[r] -= f * b[col]
    x = np.zeros(n)
    for r in range(n - 1, -1, -1):
        acc = b[r]
        for c in range(r + 1, n):
            acc -= a[r, c] * x[c]
        x[r] = acc / a[r, r]
    return x


FIT_TERMS = 5  # 1, t, t^2, t^3 and the ink-spread sign


@njit(cache=True, nogil=True)
def edge_fit(positions, k, element_modules, count):  # pragma: no cover - jitted
    """How far a code's edges lie from one smooth placement of its modules, in modules.

    The ``count + 1`` edges from ``k`` bound elements of ``element_modules``
    modules, the first a bar. Edge ``j`` at module ``M_j`` is fitted by
    ``a + b t + c t^2 + d t^3 + s e_j`` (``t`` = ``M_j`` scaled to [-1, 1];
    ``e_j`` = -1 where a bar starts, +1 where it ends: ink spread and blur
    widen every bar alike) by least squares. A misread digit puts its edges
    a module or more off the curve that the others follow, whatever widths
    it was matched with; perspective bends the curve gently (the square
    term), and so does a label around a can or bottle, whose edges crowd
    towards both ends alike (the cubic term).

    Returns
    -------
    float
        The largest residual divided by the fitted module width (inf when
        the fit is degenerate).
    """
    total = 0.0
    for j in range(count):
        total += element_modules[j]
    gram = np.zeros((FIT_TERMS, FIT_TERMS))
    rhs = np.zeros(FIT_TERMS)
    row = np.empty(FIT_TERMS)
    module_at = 0.0
    for j in range(count + 1):
        t = 2.0 * module_at / total - 1.0
        row[0] = 1.0
        row[1] = t
        row[2] = t * t
        row[3] = t * t * t
        row[4] = -1.0 if j % 2 == 0 else 1.0
        for a in range(FIT_TERMS):
            rhs[a] += row[a] * positions[k + j]
            for b in range(FIT_TERMS):
                gram[a, b] += row[a] * row[b]
        if j < count:
            module_at += element_modules[j]
    coef = _solve(gram, rhs)
    module = 2.0 * (coef[1] + coef[3]) / total  # the mean module over the code
    if module <= 0.0:
        return np.inf
    worst = 0.0
    module_at = 0.0
    for j in range(count + 1):
        t = 2.0 * module_at / total - 1.0
        e = -1.0 if j % 2 == 0 else 1.0
        fitted = coef[0] + t * (coef[1] + t * (coef[2] + t * coef[3])) + coef[4] * e
        worst = max(worst, abs(positions[k + j] - fitted))
        if j < count:
            module_at += element_modules[j]
    return worst / module


@njit(cache=True, nogil=True)
def _string_posterior(costs, chosen, n_slots, weights, start_residue, constrained):  # pragma: no cover - jitted
    """Posterior of the chosen digits among the strings a check digit allows.

    Each slot's digits are weighed by ``exp(-cost / (2 DIGIT_VARIANCE))``.
    With ``constrained``, the strings are those whose weighted digit sum
    plus ``start_residue`` is 0 modulo 10 (a dynamic programme over the
    residue); otherwise every string (the product of the slots'
    posteriors, which errs low).
    """
    scale = 0.5 / DIGIT_VARIANCE
    if not constrained:
        posterior = 1.0
        for j in range(n_slots):
            best = costs[j, chosen[j]]
            total = 0.0
            for d in range(10):
                total += np.exp(-(costs[j, d] - best) * scale)
            posterior /= total
        return posterior
    paths = np.zeros(10)
    paths[start_residue % 10] = 1.0
    nxt = np.zeros(10)
    chosen_weight = 1.0
    for j in range(n_slots):
        best = costs[j, chosen[j]]
        for r in range(10):
            nxt[r] = 0.0
        for d in range(10):
            like = np.exp(-(costs[j, d] - best) * scale)
            step = (weights[j] * d) % 10
            for r in range(10):
                nxt[(r + step) % 10] += paths[r] * like
        total = 0.0
        for r in range(10):
            total += nxt[r]
        for r in range(10):
            paths[r] = nxt[r] / total  # rescaled against underflow
        chosen_weight /= total
    return min(1.0, chosen_weight / paths[0]) if paths[0] > 0.0 else 0.0


@njit(cache=True, nogil=True)
def _decode_at(positions, n_edges, length, k, layout, digits, stats, scratch):  # pragma: no cover - jitted
    """Read one layout whose start guard's first bar begins at edge ``k``.

    Fills ``digits`` with the text's digits (EAN-13: 13; EAN-8: 8; UPC-E:
    number system, six digits, check) and ``stats`` with the worst digit
    cost, the edges' largest distance from a smooth placement
    (:func:`edge_fit`) and the text's posterior among the strings the check
    digit allows (:func:`_string_posterior`). Returns False when the
    elements are not that code. ``scratch`` holds the working arrays
    (:func:`upcean_scratch`).
    """
    count = LAYOUT_ELEMENTS[layout]
    if k + count > n_edges - 1:
        return False
    module = (positions[k + count] - positions[k]) / LAYOUT_MODULES[layout]
    if module <= 0.0:
        return False
    if _quiet(positions, n_edges, k, -1, length) < QUIET_MODULES * module:
        return False
    if _quiet(positions, n_edges, k + count, 1, length) < QUIET_MODULES * module:
        return False
    if not _guard_ok(positions, k, 3, module):
        return False
    if layout == UPCE:
        half = 6
        n_slots = 6
        if not _guard_ok(positions, k + 27, 6, module):
            return False
    else:
        half = 6 if layout == EAN13 else 4
        n_slots = 2 * half
        middle = k + 3 + 4 * half
        if not _guard_ok(positions, middle, 5, module):
            return False
        if not _guard_ok(positions, middle + 5 + 4 * half, 3, module):
            return False
    costs, other, chosen, elements, weights = scratch
    for j in range(count):
        elements[j] = 1.0  # modules of each element; guards are ones
    parity = 0
    worst = 0.0
    for j in range(n_slots):
        start = k + 3 + 4 * j if j < half else k + 3 + 4 * half + 5 + 4 * (j - half)
        if j < half:
            total = _digit_costs(positions, start, 0, costs[j])
            family = 0
            if layout != EAN8:
                _digit_costs(positions, start, 1, other)
                if other[_argmin(other)] < costs[j, _argmin(costs[j])]:
                    family = 1
                    for d in range(10):
                        costs[j, d] = other[d]
            parity = (parity << 1) | family
        else:
            family = 2
            total = _digit_costs(positions, start, 2, costs[j])
        if total < 7.0 * module / MODULE_DRIFT or total > 7.0 * module * MODULE_DRIFT:
            return False
        digit = _argmin(costs[j])
        if costs[j, digit] > MAX_DIGIT_COST:
            return False
        worst = max(worst, costs[j, digit])
        chosen[j] = digit
        for e in range(4):
            elements[start - k + e] = _pattern_width(family, digit, e)
    if layout == EAN13:
        first = FIRST_DIGIT[parity]
        if first < 0:
            return False
        digits[0] = first
        for j in range(12):
            digits[j + 1] = chosen[j]
            weights[j] = _check_weight(j + 1, 13)
        if not _gtin_check(digits, 13):
            return False
        start_residue = first * _check_weight(0, 13)
    elif layout == EAN8:
        for j in range(8):
            digits[j] = chosen[j]
            weights[j] = _check_weight(j, 8)
        if not _gtin_check(digits, 8):
            return False
        start_residue = 0
    else:
        check = -1
        for ns in range(2):
            candidate = UPCE_CHECK[ns, parity]
            if candidate >= 0 and _upce_check(ns, chosen[:6], candidate):
                check = candidate
                digits[0] = ns
                break
        if check < 0:
            return False
        for j in range(6):
            digits[j + 1] = chosen[j]
        digits[7] = check
        start_residue = 0
    stats[0] = worst
    stats[1] = edge_fit(positions, k, elements, count)
    if stats[1] > MAX_EDGE_ERROR:
        return False
    stats[2] = _string_posterior(costs, chosen, n_slots, weights, start_residue, layout != UPCE)
    return True


@njit(cache=True, nogil=True)
def upcean_scratch():  # pragma: no cover - jitted
    """Working arrays of :func:`upcean_runs`, made once per caller rather than once per attempt."""
    return (np.empty((12, 10)), np.empty(10), np.zeros(12, dtype=np.int64), np.ones(64),
            np.zeros(12, dtype=np.int64), np.zeros(13, dtype=np.int64), np.zeros(3))


@njit(cache=True, nogil=True)
def _start_guard(positions, n_edges, k, length):  # pragma: no cover - jitted
    """Whether edge ``k`` can begin a start guard: three even elements after a quiet zone.

    A cheap test run before any layout is tried at ``k``; the layouts check
    the guard and quiet zone again against the whole code's module.
    """
    if k + LAYOUT_ELEMENTS[UPCE] > n_edges - 1:
        return False
    guard = (positions[k + 3] - positions[k]) / 3.0
    if _quiet(positions, n_edges, k, -1, length) < QUIET_MODULES * guard / MODULE_DRIFT:
        return False
    for j in range(2):
        pair = positions[k + j + 2] - positions[k + j]
        if abs(pair - 2.0 * guard) > GUARD_PAIR * guard:
            return False
    return True


@njit(cache=True, nogil=True)
def _skipped(position, skip):  # pragma: no cover - jitted
    for i in range(skip.shape[0]):
        if skip[i, 0] - SKIP_SLACK <= position <= skip[i, 1]:
            return True
    return False


@njit(cache=True, nogil=True)
def upcean_runs(positions, n_edges, length, layouts, skip, out_layout, out_edge, out_digits, out_stats, scratch):  # pragma: no cover - jitted
    """Every EAN/UPC read forwards from the alternating edges of a profile.

    Parameters
    ----------
    positions : ndarray of float64
        Alternating edges (:func:`profile_edges`), the first one falling:
        falling edges, where bars start, have even indices.
    n_edges : int
    length : float
        The profile's length (where the light after the last edge ends).
    layouts : ndarray of bool, shape (3,)
        Which of EAN-13 (with UPC-A), EAN-8 and UPC-E to look for.
    skip : ndarray of float64, shape (m, 2)
        Stretches ``[start, end]`` of the profile where no code may start:
        codes already read there the other way (a code read backwards
        fails at every layout, and trying costs more than the rest of the
        line).
    out_layout, out_edge : ndarray of int64, shape (MAX_RESULTS,)
    out_digits : ndarray of int64, shape (MAX_RESULTS, 13)
    out_stats : ndarray of float64, shape (MAX_RESULTS, 3)
        The results: layout, index of the start guard's first edge, the
        text's digits, and the worst digit cost, the edges' distance from
        a smooth placement and the posterior (see :func:`_decode_at`).
    scratch : tuple
        From :func:`upcean_scratch`.

    Returns
    -------
    int
        Number of results. After a code is read, the search goes on past
        its end; at each start, EAN-13 is tried before EAN-8 and UPC-E.
    """
    costs, other, chosen, elements, weights, digits, stats = scratch
    work = (costs, other, chosen, elements, weights)
    found = 0
    k = 0
    while k < n_edges - 1 and found < MAX_RESULTS:
        read = False
        if not _skipped(positions[k], skip) and _start_guard(positions, n_edges, k, length):
            for layout in range(3):
                if layouts[layout] and _decode_at(positions, n_edges, length, k, layout, digits, stats, work):
                    out_layout[found] = layout
                    out_edge[found] = k
                    out_digits[found, :] = digits
                    out_stats[found, :] = stats
                    found += 1
                    k += LAYOUT_ELEMENTS[layout] + 1  # the first falling edge after the code
                    read = True
                    break
        if not read:
            k += 2  # the next falling edge
    return found


def _digit_costs_reference(widths, family):
    scale = 7.0 / sum(widths)
    x = [w * scale for w in widths]
    t1, t2 = x[0] + x[1], x[1] + x[2]
    bars = x[0] + x[2] if family == 2 else x[1] + x[3]
    return [
        (t1 - DIGIT_T[family, d, 0]) ** 2 + (t2 - DIGIT_T[family, d, 1]) ** 2 + BAR_WEIGHT * (bars - DIGIT_T[family, d, 2]) ** 2
        for d in range(10)
    ]


def _gtin_ok(digits):
    return sum(d * (3 if (len(digits) - 1 - j) % 2 == 1 else 1) for j, d in enumerate(digits)) % 10 == 0


def _upce_expansion(ns, x, check):
    last = x[5]
    if last <= 2:
        body = [x[0], x[1], last, 0, 0, 0, 0, x[2], x[3], x[4]]
    elif last == 3:
        body = [x[0], x[1], x[2], 0, 0, 0, 0, 0, x[3], x[4]]
    elif last == 4:
        body = [x[0], x[1], x[2], x[3], 0, 0, 0, 0, 0, x[4]]
    else:
        body = [x[0], x[1], x[2], x[3], x[4], 0, 0, 0, 0, last]
    return [ns] + body + [check]


def edge_fit_reference(positions, element_modules):
    """Plain-Python twin of :func:`edge_fit` (edges from the first), with numpy's least squares."""
    marks = np.concatenate(([0.0], np.cumsum(element_modules)))
    t = 2.0 * marks / marks[-1] - 1.0
    e = np.where(np.arange(len(marks)) % 2 == 0, -1.0, 1.0)
    design = np.stack([np.ones_like(t), t, t * t, t * t * t, e], axis=1)
    y = np.asarray(positions[: len(marks)], dtype=np.float64)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    module = 2.0 * (coef[1] + coef[3]) / marks[-1]
    return float(np.abs(y - design @ coef).max() / module) if module > 0 else np.inf


def _string_posterior_reference(costs, chosen, weights, start_residue, constrained):
    like = [[np.exp(-(c[d] - c[chosen[j]]) / (2 * DIGIT_VARIANCE)) for d in range(10)] for j, c in enumerate(costs)]
    if not constrained:
        return float(np.prod([1.0 / sum(row) for row in like]))
    paths = {start_residue % 10: 1.0}
    for j, row in enumerate(like):
        nxt: dict[int, float] = {}
        for r, weight in paths.items():
            for d in range(10):
                key = (r + weights[j] * d) % 10
                nxt[key] = nxt.get(key, 0.0) + weight * row[d]
        paths = nxt
    return min(1.0, 1.0 / paths[0])


def _decode_at_reference(p, length, k, layout):
    count = int(LAYOUT_ELEMENTS[layout])
    if k + count > len(p) - 1:
        return None
    module = (p[k + count] - p[k]) / LAYOUT_MODULES[layout]
    if module <= 0:
        return None
    before = p[k] - (p[k - 1] if k > 0 else 0.0)
    after = (p[k + count + 1] if k + count + 1 < len(p) else length) - p[k + count]
    if before < QUIET_MODULES * module or after < QUIET_MODULES * module:
        return None

    def guard(first, n):
        local = (p[first + n] - p[first]) / n
        if not module / MODULE_DRIFT <= local <= module * MODULE_DRIFT:
            return False
        if not all(GUARD_LOW * local <= p[first + j + 1] - p[first + j] <= GUARD_HIGH * local for j in range(n)):
            return False
        return all(abs(p[first + j + 2] - p[first + j] - 2.0 * local) <= GUARD_PAIR * local for j in range(n - 1))

    if not guard(k, 3):
        return None
    if layout == UPCE:
        half, n_slots = 6, 6
        if not guard(k + 27, 6):
            return None
    else:
        half = 6 if layout == EAN13 else 4
        n_slots = 2 * half
        if not (guard(k + 3 + 4 * half, 5) and guard(k + 8 + 8 * half, 3)):
            return None
    costs, chosen, parity, elements = [], [], [], [1.0] * count
    for j in range(n_slots):
        start = k + 3 + 4 * j if j < half else k + 8 + 4 * j
        widths = [p[start + e + 1] - p[start + e] for e in range(4)]
        if j < half:
            row, family = _digit_costs_reference(widths, 0), 0
            if layout != EAN8:
                other = _digit_costs_reference(widths, 1)
                if min(other) < min(row):
                    row, family = other, 1
            parity.append(family)
        else:
            row, family = _digit_costs_reference(widths, 2), 2
        if not 7.0 * module / MODULE_DRIFT <= sum(widths) <= 7.0 * module * MODULE_DRIFT:
            return None
        digit = int(np.argmin(row))
        if row[digit] > MAX_DIGIT_COST:
            return None
        costs.append(row)
        chosen.append(digit)
        pattern = _L[digit][::-1] if family == 1 else _L[digit]
        elements[start - k : start - k + 4] = list(pattern)
    bits = int("".join(map(str, parity)), 2) if parity else 0
    if layout == EAN13:
        if bits not in EAN13_FIRST_DIGIT_PARITY:
            return None
        first = EAN13_FIRST_DIGIT_PARITY.index(bits)
        digits = [first] + chosen
        weights, start_residue = [3 if (12 - j) % 2 == 1 else 1 for j in range(1, 13)], first
    elif layout == EAN8:
        digits = chosen
        weights, start_residue = [3 if (7 - j) % 2 == 1 else 1 for j in range(8)], 0
    else:
        digits = None
        for ns in (0, 1):
            for check, base in enumerate(UPCE_PARITY_NS0):
                if (base if ns == 0 else base ^ 0x3F) == bits and _gtin_ok(_upce_expansion(ns, chosen, check)):
                    digits = [ns] + chosen + [check]
                    break
            if digits is not None:
                break
        weights, start_residue = [], 0
    if digits is None or (layout != UPCE and not _gtin_ok(digits)):
        return None
    fit = edge_fit_reference(p[k:], elements)
    if fit > MAX_EDGE_ERROR:
        return None
    posterior = _string_posterior_reference(costs, chosen, weights, start_residue, layout != UPCE)
    return digits, (max(row[d] for row, d in zip(costs, chosen)), fit, posterior)


def upcean_runs_reference(positions, length, layouts, skip=()):
    """Plain-Python twin of :func:`upcean_runs`; returns a list of (layout, edge, digits, stats)."""
    p = [float(v) for v in positions]
    results = []
    k = 0
    while k < len(p) - 1 and len(results) < MAX_RESULTS:
        if any(a - SKIP_SLACK <= p[k] <= b for a, b in skip):
            k += 2
            continue
        guard = (p[k + 3] - p[k]) / 3.0 if k + 33 <= len(p) - 1 else None
        plausible = guard is not None and (p[k] - (p[k - 1] if k > 0 else 0.0)) >= QUIET_MODULES * guard / MODULE_DRIFT
        plausible = plausible and all(abs(p[k + j + 2] - p[k + j] - 2.0 * guard) <= GUARD_PAIR * guard for j in range(2))
        read = None
        if plausible:
            for layout in range(3):
                if layouts[layout]:
                    read = _decode_at_reference(p, length, k, layout)
                    if read is not None:
                        results.append((layout, k, read[0], read[1]))
                        k += int(LAYOUT_ELEMENTS[layout]) + 1
                        break
        if read is None:
            k += 2
    return results


# ---------------------------------------------------------------- Code 39

CODE39_QUIET = 5.0  # light needed beyond both ends, in narrow elements (the standard asks 10)
MIN_RATIO = 1.5  # least ratio of a character's narrowest wide element to its widest narrow one
MAX_GAP = 5.3  # widest inter-character gap, in narrow elements (the standard's limit)
CHARACTER_DRIFT = 1.5  # a character's narrow width may differ this many times from the previous one's
MAX_CHARACTERS = 64
WIDTH_SPREAD = 0.2  # standard deviation of an element's width, relative to the character's narrow width


@njit(cache=True, nogil=True)
def _code39_char(positions, k, widths):  # pragma: no cover - jitted
    """The character of the nine elements from edge ``k``.

    The three widest elements are wide. Returns (index in ``ALPHABET +
    "*"``, narrow width, wide-to-narrow ratio, posterior), index -1 when
    the wide ones are not clearly wider or the pattern is no character.
    The posterior weighs every character's pattern by the Gaussian
    likelihood of the widths around the narrow and wide means.
    ``widths`` is a working array of 9.
    """
    for j in range(9):
        widths[j] = positions[k + j + 1] - positions[k + j]
    # The three widest (ties to the earlier element), without sorting.
    top0 = top1 = top2 = -1
    for j in range(9):
        w = widths[j]
        if top0 < 0 or w > widths[top0]:
            top0, top1, top2 = j, top0, top1
        elif top1 < 0 or w > widths[top1]:
            top1, top2 = j, top1
        elif top2 < 0 or w > widths[top2]:
            top2 = j
    wide_min = widths[top2]
    narrow_max = 0.0
    pattern = 0
    narrow = 0.0
    for j in range(9):
        if j == top0 or j == top1 or j == top2:
            pattern |= 1 << (8 - j)
        else:
            narrow += widths[j]
            narrow_max = max(narrow_max, widths[j])
    if wide_min < MIN_RATIO * narrow_max:
        return -1, 0.0, 0.0, 0.0
    index = CODE39_INDEX[pattern]
    if index < 0:
        return -1, 0.0, 0.0, 0.0
    narrow /= 6.0
    wide = (widths[top0] + widths[top1] + widths[top2]) / 3.0
    scale = 0.5 / (WIDTH_SPREAD * narrow) ** 2
    total = 0.0
    for c in range(CODE39_WIDE.shape[0]):
        energy = 0.0
        for j in range(9):
            centre = wide if CODE39_WIDE[c, j] > 0.5 else narrow
            chosen = wide if CODE39_WIDE[index, j] > 0.5 else narrow
            energy += (widths[j] - centre) ** 2 - (widths[j] - chosen) ** 2
        total += np.exp(-energy * scale)
    return index, narrow, wide / narrow, 1.0 / total


@njit(cache=True, nogil=True)
def code39_runs(positions, n_edges, length, out_chars, out_edges, out_counts, out_stats):  # pragma: no cover - jitted
    """Every Code 39 read forwards from the alternating edges of a profile (the first one falling).

    Parameters
    ----------
    positions : ndarray of float64
    n_edges : int
    length : float
    out_chars : ndarray of int64, shape (MAX_RESULTS, MAX_CHARACTERS)
        Character indices in ``ALPHABET + "*"``, start and stop included.
    out_edges : ndarray of int64, shape (MAX_RESULTS, 2)
        First edge of the start character and last edge of the stop character.
    out_counts : ndarray of int64, shape (MAX_RESULTS,)
        Characters of each result, start and stop included.
    out_stats : ndarray of float64, shape (MAX_RESULTS, 2)
        Mean wide-to-narrow ratio, and the posterior of the characters
        (the product of theirs: Code 39 has no check to constrain them).

    Returns
    -------
    int
        Number of results.
    """
    widths = np.empty(9)
    found = 0
    k = 0
    while k + 9 < n_edges and found < MAX_RESULTS:
        # The narrow width is at least a fifteenth of a character's (wide = 3 narrow): a cheap
        # necessary test of the quiet zone before the character is classified.
        if _quiet(positions, n_edges, k, -1, length) < CODE39_QUIET * (positions[k + 9] - positions[k]) / 15.0:
            k += 2
            continue
        index, narrow, ratio, posterior = _code39_char(positions, k, widths)
        if index != CODE39_STAR or _quiet(positions, n_edges, k, -1, length) < CODE39_QUIET * narrow:
            k += 2
            continue
        count = 1
        out_chars[found, 0] = index
        ratios = ratio
        posteriors = posterior
        at = k
        last_narrow = narrow
        ok = False
        while count < MAX_CHARACTERS:
            gap_edge = at + 9
            if gap_edge + 10 >= n_edges:
                break
            gap = positions[gap_edge + 1] - positions[gap_edge]
            if gap > MAX_GAP * last_narrow:
                break
            nxt, narrow, ratio, posterior = _code39_char(positions, gap_edge + 1, widths)
            if nxt < 0 or narrow > CHARACTER_DRIFT * last_narrow or narrow * CHARACTER_DRIFT < last_narrow:
                break
            out_chars[found, count] = nxt
            count += 1
            ratios += ratio
            posteriors *= posterior
            at = gap_edge + 1
            last_narrow = narrow
            if nxt == CODE39_STAR:
                ok = count >= 3 and _quiet(positions, n_edges, at + 9, 1, length) >= CODE39_QUIET * narrow
                break
        if ok:
            out_edges[found, 0] = k
            out_edges[found, 1] = at + 9
            out_counts[found] = count
            out_stats[found, 0] = ratios / count
            out_stats[found, 1] = posteriors
            found += 1
            k = at + 10
        else:
            k += 2
    return found


def _code39_char_reference(widths):
    top = sorted(range(9), key=lambda j: (-widths[j], j))[:3]
    bits = [j in top for j in range(9)]
    narrow_max = max(w for w, b in zip(widths, bits) if not b)
    if min(widths[j] for j in top) < MIN_RATIO * narrow_max:
        return -1, 0.0, 0.0, 0.0
    index = int(CODE39_INDEX[sum(1 << (8 - j) for j in range(9) if bits[j])])
    if index < 0:
        return -1, 0.0, 0.0, 0.0
    narrow = sum(w for w, b in zip(widths, bits) if not b) / 6.0
    wide = sum(widths[j] for j in top) / 3.0

    def energy(row):
        return sum((w - (wide if r else narrow)) ** 2 for w, r in zip(widths, row))

    chosen = energy(CODE39_WIDE[index] > 0.5)
    total = sum(np.exp(-(energy(row > 0.5) - chosen) / (2 * (WIDTH_SPREAD * narrow) ** 2)) for row in CODE39_WIDE)
    return index, narrow, wide / narrow, 1.0 / total


def code39_runs_reference(positions, length):
    """Plain-Python twin of :func:`code39_runs`; returns a list of (chars, first edge, last edge, (ratio, posterior))."""
    p = [float(v) for v in positions]
    n = len(p)

    def char(k):
        return _code39_char_reference([p[k + j + 1] - p[k + j] for j in range(9)])

    def quiet(k, side):
        if side < 0:
            return p[k] - (p[k - 1] if k > 0 else 0.0)
        return (p[k + 1] if k + 1 < n else length) - p[k]

    results = []
    k = 0
    while k + 9 < n and len(results) < MAX_RESULTS:
        if quiet(k, -1) < CODE39_QUIET * (p[k + 9] - p[k]) / 15.0:
            k += 2
            continue
        index, narrow, ratio, posterior = char(k)
        if index != CODE39_STAR or quiet(k, -1) < CODE39_QUIET * narrow:
            k += 2
            continue
        chars, ratios, posteriors, at, last, ok = [index], [ratio], posterior, k, narrow, False
        while len(chars) < MAX_CHARACTERS:
            gap_edge = at + 9
            if gap_edge + 10 >= n:
                break
            if p[gap_edge + 1] - p[gap_edge] > MAX_GAP * last:
                break
            nxt, narrow, ratio, posterior = char(gap_edge + 1)
            if nxt < 0 or narrow > CHARACTER_DRIFT * last or narrow * CHARACTER_DRIFT < last:
                break
            chars.append(nxt)
            ratios.append(ratio)
            posteriors *= posterior
            at, last = gap_edge + 1, narrow
            if nxt == CODE39_STAR:
                ok = len(chars) >= 3 and quiet(at + 9, 1) >= CODE39_QUIET * narrow
                break
        if ok:
            results.append((chars, k, at + 9, (sum(ratios) / len(ratios), posteriors)))
            k = at + 10
        else:
            k += 2
    return results
