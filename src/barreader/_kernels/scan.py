"""The fast decoder over many lines: each line's edges, read by the run-length decoders both ways.

:func:`sweep` reads straight lines across an image that start at an
integer pixel and step by a whole pixel in x and y (rows, columns,
diagonals), sampling the pixels they pass; :func:`read_profiles` reads
profiles sampled elsewhere (a region's band-averaged scanlines). Either
way, every line's edges are found once, at the lowest of several
``levels`` of least step, and the codes are read from the edges of each
level, forwards and backwards (the same edges seen from the other end),
without returning to Python between lines.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .runs import LAYOUT_ELEMENTS, MAX_RESULTS, code39_runs, profile_edges, strong_edges, upcean_runs, upcean_scratch

__all__ = [
    "sweep",
    "read_profiles",
    "read_profiles_reference",
    "line_samples",
    "MAX_READS",
    "TEXT_SLOTS",
    "CODE39",
    "INT_FIELDS",
    "FLOAT_FIELDS",
]

MAX_READS = 4096  # reads one call reports at most
TEXT_SLOTS = 64  # digits or characters of one read
CODE39 = 3  # symbology code of a Code 39 read (0-2 are runs.EAN13, EAN8, UPCE)
INT_FIELDS = 4  # line, symbology, backwards, text length
FLOAT_FIELDS = 6  # start, end, digit cost or ratio, edge error, posterior, weakest edge
MIN_STEP = 0.02  # least grey step (of the 0-1 range) an edge needs
MIN_SLOPE = 0.005  # least difference between neighbouring samples at an edge
MIN_EDGES = 30  # the fewest edges of a code: a Code 39 of one character (UPC-E has 34)
RUN_MEMORY = 6  # elements a run's next element is compared with
RUN_BREAK = 3.5  # an element this many times their mean width ends a run
MIN_RUN = 20  # edges a run needs to be reported (an EAN-13 has 60; a line across a corner of one, fewer)


@njit(cache=True, nogil=True)
def line_samples(image, x0, y0, dx, dy, count, scale, out):  # pragma: no cover - jitted
    """Grey levels of the ``count`` pixels from ``(x0, y0)`` by steps ``(dx, dy)``, times ``scale``."""
    for i in range(count):
        out[i] = image[y0 + i * dy, x0 + i * dx] * scale


@njit(cache=True, nogil=True)
def _grey_range(samples, count):  # pragma: no cover - jitted
    low = samples[0]
    high = samples[0]
    for i in range(count):
        v = samples[i]
        if v < low:
            low = v
        if v > high:
            high = v
    return high - low


@njit(cache=True, nogil=True)
def _store(line, symbology, backwards, start, end, stat0, stat1, stat2, weakest, text, n_text,
           out_int, out_float, out_text, found):  # pragma: no cover - jitted
    """Append one read, unless the same text was already read at the same place of this line."""
    for r in range(found - 1, -1, -1):
        if out_int[r, 0] != line:
            break
        if out_int[r, 1] != symbology or out_int[r, 3] != n_text or abs(out_float[r, 0] - start) > 0.5 * (end - start):
            continue
        same = True
        for j in range(n_text):
            if out_text[r, j] != text[j]:
                same = False
                break
        if same:
            return found
    if found >= out_int.shape[0]:
        return found
    out_int[found, 0] = line
    out_int[found, 1] = symbology
    out_int[found, 2] = backwards
    out_int[found, 3] = n_text
    out_float[found, 0] = start
    out_float[found, 1] = end
    out_float[found, 2] = stat0
    out_float[found, 3] = stat1
    out_float[found, 4] = stat2
    out_float[found, 5] = weakest
    for j in range(n_text):
        out_text[found, j] = text[j]
    return found + 1


@njit(cache=True, nogil=True)
def _weakest(strengths, first, last, buffer):  # pragma: no cover - jitted
    """The weakest edge step from ``first`` to ``last`` (inclusive) relative to their median step.

    ``buffer`` is a working array at least as long as the edges.
    """
    n = last - first + 1
    for i in range(n):
        v = abs(strengths[first + i])
        j = i
        while j > 0 and buffer[j - 1] > v:  # insertion sort: a code has at most a few hundred edges
            buffer[j] = buffer[j - 1]
            j -= 1
        buffer[j] = v
    median = buffer[n // 2] if n % 2 == 1 else 0.5 * (buffer[n // 2 - 1] + buffer[n // 2])
    return buffer[0] / max(median, 1e-12)


@njit(cache=True, nogil=True)
def _read_line(samples, count, line, layouts, code39, levels, work, out_int, out_float, out_text, found, out_runs):  # pragma: no cover - jitted
    """Read one line's samples at every level, both ways; returns the new number of reads.

    ``out_runs[line]`` gets the line's longest run of bars that no read explains (:func:`_longest_run`).
    """
    (forward_positions, forward_strengths, backward_positions, backward_strengths, positions, strengths, buffer,
     r_layout, r_edge, r_digits, r_stats, c_chars, c_edges, c_counts, c_stats, scratch, skip) = work
    spread = _grey_range(samples, count)
    length = float(count)
    n_all = profile_edges(samples[:count], max(MIN_STEP, levels.min() * spread), MIN_SLOPE,
                          forward_positions, forward_strengths)
    out_runs[line, 0] = out_runs[line, 1] = out_runs[line, 2] = 0.0
    if n_all < MIN_EDGES:
        return found
    first_read = found
    any_upcean = layouts[0] or layouts[1] or layouts[2]
    # A level whose edges are those of an earlier one (the edges above a
    # threshold are nested, so equal counts mean equal edges) reads nothing new.
    n_levels = levels.shape[0]
    worth = np.ones(n_levels, dtype=np.bool_)
    raw = np.zeros(n_levels, dtype=np.int64)
    for k in range(n_levels):
        least = max(MIN_STEP, levels[k] * spread)
        for i in range(n_all):
            if abs(forward_strengths[i]) >= least:
                raw[k] += 1
        worth[k] = raw[k] >= MIN_EDGES
        for j in range(k):
            if raw[j] == raw[k]:
                worth[k] = False
    n_skip = 0
    for direction in range(2):
        found_before = found
        if direction == 0:
            all_positions = forward_positions
            all_strengths = forward_strengths
        else:
            # What was read forwards is not tried backwards (runs.upcean_runs).
            for r in range(first_read, min(found, first_read + skip.shape[0])):
                skip[n_skip, 0] = length - out_float[r, 1]
                skip[n_skip, 1] = length - out_float[r, 0]
                n_skip += 1
            # The same edges seen from the other end: mirrored, in reverse order, falling for rising.
            for i in range(n_all):
                backward_positions[i] = length - forward_positions[n_all - 1 - i]
                backward_strengths[i] = -forward_strengths[n_all - 1 - i]
            all_positions = backward_positions
            all_strengths = backward_strengths
        for k in range(n_levels):
            if found > found_before:
                break  # read at an earlier level: the later ones would read the same code again
            if not worth[k]:
                continue
            level = levels[k]
            n = strong_edges(all_positions, all_strengths, n_all, max(MIN_STEP, level * spread), positions, strengths)
            first = 1 if n > 0 and strengths[0] > 0.0 else 0  # codes start with a bar
            m = n - first
            if m < MIN_EDGES:
                continue
            falling = positions[first:n]
            if any_upcean:
                hits = upcean_runs(falling, m, length, layouts, skip[:n_skip], r_layout, r_edge, r_digits, r_stats, scratch)
                for h in range(hits):
                    layout = r_layout[h]
                    a = falling[r_edge[h]]
                    b = falling[r_edge[h] + LAYOUT_ELEMENTS[layout]]
                    if direction == 1:
                        a, b = length - b, length - a
                    weakest = _weakest(strengths, first + r_edge[h], first + r_edge[h] + LAYOUT_ELEMENTS[layout], buffer)
                    found = _store(line, layout, direction, a, b, r_stats[h, 0], r_stats[h, 1], r_stats[h, 2], weakest,
                                   r_digits[h], 13 if layout == 0 else 8, out_int, out_float, out_text, found)
            if code39:
                hits = code39_runs(falling, m, length, c_chars, c_edges, c_counts, c_stats)
                for h in range(hits):
                    a = falling[c_edges[h, 0]]
                    b = falling[c_edges[h, 1]]
                    if direction == 1:
                        a, b = length - b, length - a
                    weakest = _weakest(strengths, first + c_edges[h, 0], first + c_edges[h, 1], buffer)
                    found = _store(line, CODE39, direction, a, b, c_stats[h, 0], 0.0, c_stats[h, 1], weakest,
                                   c_chars[h], c_counts[h], out_int, out_float, out_text, found)
    n = strong_edges(forward_positions, forward_strengths, n_all, max(MIN_STEP, levels[0] * spread), positions, strengths)
    _longest_run(positions, n, out_float, first_read, found, out_runs[line])
    return found


@njit(cache=True, nogil=True)
def _longest_run(positions, n, reads, first_read, last_read, out):  # pragma: no cover - jitted
    """The longest run of bar-like elements on a line that none of its reads covers.

    Elements belong to one run while none is wider than ``RUN_BREAK``
    times the mean of the ``RUN_MEMORY`` before it: a code's widest element
    (4 modules) is well under that, its quiet zones and the gaps between
    words of text are over it. Writes the run's first and last edge
    positions and its number of edges to ``out`` (zeros when there is none).
    """
    best = 0
    best_start = 0
    start = 0
    for i in range(1, n + 1):
        ends = i == n
        if not ends and i - start > RUN_MEMORY:
            mean = (positions[i - 1] - positions[i - 1 - RUN_MEMORY]) / RUN_MEMORY
            ends = positions[i] - positions[i - 1] > RUN_BREAK * mean
        if ends:
            covered = False
            for r in range(first_read, last_read):
                if reads[r, 0] < positions[i - 1] and reads[r, 1] > positions[start]:
                    covered = True
            if not covered and i - start > best:
                best = i - start
                best_start = start
            start = i
    if best >= MIN_RUN:
        out[0] = positions[best_start]
        out[1] = positions[best_start + best - 1]
        out[2] = best


@njit(cache=True, nogil=True)
def _workspace(longest):  # pragma: no cover - jitted
    return (np.empty(longest), np.empty(longest), np.empty(longest), np.empty(longest), np.empty(longest),
            np.empty(longest), np.empty(longest), np.zeros(MAX_RESULTS, dtype=np.int64), np.zeros(MAX_RESULTS, dtype=np.int64),
            np.zeros((MAX_RESULTS, 13), dtype=np.int64), np.zeros((MAX_RESULTS, 3)),
            np.zeros((MAX_RESULTS, TEXT_SLOTS), dtype=np.int64), np.zeros((MAX_RESULTS, 2), dtype=np.int64),
            np.zeros(MAX_RESULTS, dtype=np.int64), np.zeros((MAX_RESULTS, 2)), upcean_scratch(), np.zeros((4 * MAX_RESULTS, 2)))


@njit(cache=True, nogil=True)
def sweep(image, lines, scale, layouts, code39, levels, out_int, out_float, out_text, out_runs):  # pragma: no cover - jitted
    """Read every line of ``lines`` across an image.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey levels (uint8 or float32).
    lines : ndarray of int64, shape (L, 5)
        ``x0, y0, dx, dy, count``: first pixel, step and number of pixels;
        every pixel must lie inside the image.
    scale : float
        Factor taking the image's grey levels to [0, 1] (1/255 for uint8).
    layouts : ndarray of bool, shape (3,)
        EAN-13/UPC-A, EAN-8, UPC-E wanted.
    code39 : bool
        Code 39 wanted.
    levels : ndarray of float64
        Least edge steps tried, relative to the line's grey range (each
        at least ``MIN_STEP``), in order until one reads a code: a low
        level keeps the edges of a code in shadow or glare, a high one
        drops noise in a quiet zone.
    out_int : ndarray of int64, shape (MAX_READS, INT_FIELDS)
        Per read: line index, symbology (0-2 the EAN/UPC layouts of
        :mod:`.runs`, 3 Code 39), 1 if read against the line's direction,
        number of text slots used.
    out_float : ndarray of float64, shape (MAX_READS, FLOAT_FIELDS)
        Start and end of the code along the line (sample coordinates in the
        line's own direction, sample ``i`` covering ``[i, i + 1)``); then
        the worst digit cost (EAN/UPC) or mean wide-to-narrow ratio
        (Code 39), the edges' distance from a smooth placement (EAN/UPC; 0
        for Code 39) and the posterior of the text.
    out_text : ndarray of int64, shape (MAX_READS, TEXT_SLOTS)
        Digits (EAN/UPC) or character indices in ``ALPHABET + "*"``.
    out_runs : ndarray of float64, shape (L, 3)
        Per line, the longest run of bar-like elements no read covers:
        first and last edge positions and number of edges (zeros: none of
        ``MIN_RUN`` edges or more).

    Returns
    -------
    int
        Number of reads; a text read at several levels at one place of a
        line counts once.
    """
    longest = 16
    for i in range(lines.shape[0]):
        longest = max(longest, lines[i, 4])
    samples = np.empty(longest)
    work = _workspace(longest)
    found = 0
    for li in range(lines.shape[0]):
        count = lines[li, 4]
        out_runs[li, 0] = out_runs[li, 1] = out_runs[li, 2] = 0.0
        if count < 16:
            continue
        line_samples(image, lines[li, 0], lines[li, 1], lines[li, 2], lines[li, 3], count, scale, samples)
        found = _read_line(samples, count, li, layouts, code39, levels, work, out_int, out_float, out_text, found, out_runs)
    return found


@njit(cache=True, nogil=True)
def read_profiles(profiles, counts, layouts, code39, levels, out_int, out_float, out_text, out_runs):  # pragma: no cover - jitted
    """Read sampled profiles as :func:`sweep` reads lines (``profiles[i, :counts[i]]`` is line ``i``)."""
    longest = max(16, profiles.shape[1])
    work = _workspace(longest)
    found = 0
    for li in range(profiles.shape[0]):
        out_runs[li, 0] = out_runs[li, 1] = out_runs[li, 2] = 0.0
        if counts[li] >= 16:
            found = _read_line(profiles[li], counts[li], li, layouts, code39, levels, work, out_int, out_float, out_text,
                               found, out_runs)
    return found


def read_profiles_reference(profiles, counts, layouts, code39, levels):
    """Plain-Python twin of :func:`read_profiles`.

    Returns
    -------
    reads : list of (line, symbology, backwards, start, end, stats, weakest, text)
        ``stats`` as the kernel's float fields 2-4.
    runs : list of (start, end, edges)
        Per line, as ``out_runs``.
    """
    from .runs import code39_runs_reference, profile_edges_reference, strong_edges_reference, upcean_runs_reference

    reads: list = []

    def store(read):
        line, symbology, _, start, end, _, _, text = read
        for other in reversed(reads):
            if other[0] != line:
                break
            if other[1] == symbology and other[7] == text and abs(other[3] - start) <= 0.5 * (end - start):
                return
        reads.append(read)

    def weakest(signs, first, last):
        steps = sorted(abs(v) for v in signs[first : last + 1])
        return steps[0] / max(float(np.median(steps)), 1e-12)

    runs = []
    for li, (profile, count) in enumerate(zip(profiles, counts)):
        runs.append((0.0, 0.0, 0.0))
        if count < 16:
            continue
        samples = [float(v) for v in profile[:count]]
        spread = max(samples) - min(samples)
        length = float(count)
        positions, strengths = profile_edges_reference(samples, max(MIN_STEP, min(levels) * spread), MIN_SLOPE)
        if len(positions) < MIN_EDGES:
            continue
        first_read = len(reads)
        skip: list = []
        for direction in (0, 1):
            if direction:
                positions_d = [length - p for p in reversed(positions)]
                strengths_d = [-s for s in reversed(strengths)]
                skip = [(length - r[4], length - r[3]) for r in reads[first_read:first_read + 4 * MAX_RESULTS]]
            else:
                positions_d, strengths_d = positions, strengths
            before = len(reads)
            for level in levels:
                if len(reads) > before:
                    break
                kept, signs = strong_edges_reference(positions_d, strengths_d, max(MIN_STEP, level * spread))
                first = 1 if signs and signs[0] > 0 else 0
                kept, signs = kept[first:], signs[first:]
                if len(kept) < MIN_EDGES:
                    continue
                if any(layouts):
                    for layout, edge, digits, stats in upcean_runs_reference(kept, length, layouts, skip):
                        last = edge + int(LAYOUT_ELEMENTS[layout])
                        a, b = kept[edge], kept[last]
                        if direction:
                            a, b = length - b, length - a
                        store((li, layout, direction, a, b, stats, weakest(signs, edge, last), list(digits)))
                if code39:
                    for chars, first_edge, last, (ratio, posterior) in code39_runs_reference(kept, length):
                        a, b = kept[first_edge], kept[last]
                        if direction:
                            a, b = length - b, length - a
                        store((li, CODE39, direction, a, b, (ratio, 0.0, posterior), weakest(signs, first_edge, last),
                               list(chars)))
        kept, _ = strong_edges_reference(positions, strengths, max(MIN_STEP, levels[0] * spread))
        runs[-1] = _longest_run_reference(kept, [(r[3], r[4]) for r in reads[first_read:]])
    return reads, runs


def _longest_run_reference(positions, spans):
    """Plain twin of :func:`_longest_run` on a list of positions and the (start, end) spans read."""
    best, best_start, start, n = 0, 0, 0, len(positions)
    for i in range(1, n + 1):
        ends = i == n
        if not ends and i - start > RUN_MEMORY:
            mean = (positions[i - 1] - positions[i - 1 - RUN_MEMORY]) / RUN_MEMORY
            ends = positions[i] - positions[i - 1] > RUN_BREAK * mean
        if ends:
            covered = any(a < positions[i - 1] and b > positions[start] for a, b in spans)
            if not covered and i - start > best:
                best, best_start = i - start, start
            start = i
    if best >= MIN_RUN:
        return positions[best_start], positions[best_start + best - 1], float(best)
    return 0.0, 0.0, 0.0
