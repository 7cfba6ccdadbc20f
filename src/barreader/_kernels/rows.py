"""Rows of an image parallel to a code's axis, and how each correlates with the code (for its box).

A row at offset ``r`` across the axis samples the image bilinearly at
``start + t * step + r * normal`` for ``t = 0 .. count - 1``; a row with
a sample outside the image is incomplete.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

MIN_CORRELATION = 0.5  # a row belongs to the bars while it correlates with them by more than this

__all__ = ["row_samples", "row_mean", "row_correlations", "row_correlations_reference", "bar_reach", "bar_reach_reference",
           "bar_span", "bar_span_reference"]


@njit(cache=True, nogil=True)
def row_samples(gray, x0, y0, sx, sy, count, out):  # pragma: no cover - jitted
    """Bilinear samples at ``(x0 + t sx, y0 + t sy)``; False if one falls outside the image."""
    h, w = gray.shape
    for t in range(count):
        x = x0 + t * sx
        y = y0 + t * sy
        if not (0.0 <= x <= w - 1 and 0.0 <= y <= h - 1):
            return False
        i = min(int(math.floor(y)), h - 2) if h > 1 else 0
        j = min(int(math.floor(x)), w - 2) if w > 1 else 0
        fy = y - i
        fx = x - j
        i1 = min(i + 1, h - 1)
        j1 = min(j + 1, w - 1)
        top = gray[i, j] * (1.0 - fx) + gray[i, j1] * fx
        bottom = gray[i1, j] * (1.0 - fx) + gray[i1, j1] * fx
        out[t] = top * (1.0 - fy) + bottom * fy
    return True


@njit(cache=True, nogil=True)
def row_mean(gray, start, step, normal, count, rows, out):  # pragma: no cover - jitted
    """Mean of the complete rows at offsets ``rows`` into ``out``; returns how many were complete."""
    samples = np.empty(count)
    for t in range(count):
        out[t] = 0.0
    complete = 0
    for k in range(rows.shape[0]):
        if row_samples(gray, start[0] + rows[k] * normal[0], start[1] + rows[k] * normal[1], step[0], step[1], count, samples):
            for t in range(count):
                out[t] += samples[t]
            complete += 1
    if complete > 0:
        for t in range(count):
            out[t] /= complete
    return complete


@njit(cache=True, nogil=True)
def row_correlations(gray, start, step, normal, count, rows, reference, out):  # pragma: no cover - jitted
    """Correlation of each row at offsets ``rows`` with ``reference`` (already centred).

    ``out[k]`` is the correlation coefficient of row ``rows[k]``'s samples
    with ``reference``, or -2 for an incomplete or flat row.
    """
    samples = np.empty(count)
    norm = 0.0
    for t in range(count):
        norm += reference[t] * reference[t]
    norm = math.sqrt(norm)
    for k in range(rows.shape[0]):
        x0 = start[0] + rows[k] * normal[0]
        y0 = start[1] + rows[k] * normal[1]
        if not row_samples(gray, x0, y0, step[0], step[1], count, samples) or norm == 0.0:
            out[k] = -2.0
            continue
        mean = 0.0
        for t in range(count):
            mean += samples[t]
        mean /= count
        dot = 0.0
        spread = 0.0
        for t in range(count):
            c = samples[t] - mean
            dot += c * reference[t]
            spread += c * c
        out[k] = dot / (norm * math.sqrt(spread)) if spread > 0.0 else -2.0


def _row_samples_reference(gray, start, step, normal, count, row):
    """Plain twin of :func:`row_samples` at offset ``row``, with scipy's bilinear interpolation; None outside the image."""
    from scipy.ndimage import map_coordinates

    h, w = gray.shape
    t = np.arange(count, dtype=np.float64)
    xs = start[0] + row * normal[0] + t * step[0]
    ys = start[1] + row * normal[1] + t * step[1]
    if xs.min() < 0 or ys.min() < 0 or xs.max() > w - 1 or ys.max() > h - 1:
        return None
    return map_coordinates(np.asarray(gray, dtype=np.float64), [ys, xs], order=1, mode="nearest")


def row_correlations_reference(gray, start, step, normal, count, rows, reference):
    """Plain twin of :func:`row_correlations` with scipy's bilinear interpolation."""
    out = np.full(len(rows), -2.0)
    reference = np.asarray(reference, dtype=np.float64)
    for k, r in enumerate(rows):
        samples = _row_samples_reference(gray, start, step, normal, count, r)
        if samples is None:
            continue
        centred = samples - samples.mean()
        denominator = np.linalg.norm(reference) * np.linalg.norm(centred)
        if denominator > 0:
            out[k] = float(centred @ reference / denominator)
    return out


@njit(cache=True, nogil=True)
def _belongs(gray, start, step, normal, count, row, reference, one, out):  # pragma: no cover - jitted
    one[0] = row
    row_correlations(gray, start, step, normal, count, one, reference, out)
    return out[0] > MIN_CORRELATION


@njit(cache=True, nogil=True)
def bar_reach(gray, start, step, normal, count, reference, first, side, limit, stride):  # pragma: no cover - jitted
    """The farthest row from ``first`` towards ``side`` (+1 or -1) that still belongs to the bars.

    Rows belong while they correlate with ``reference`` by more than
    ``MIN_CORRELATION``, examined every ``stride`` rows up to ``limit``
    from ``first``, then one by one after the last coarse row that belongs.
    """
    one = np.empty(1)
    out = np.empty(1)
    last = first
    k = 1
    while k * stride <= limit:
        row = first + side * k * stride
        if not _belongs(gray, start, step, normal, count, row, reference, one, out):
            break
        last = row
        k += 1
    stop = first + side * k * stride if k * stride <= limit else first + side * (limit + 1.0)
    row = last + side
    while (row - stop) * side < 0.0:
        if not _belongs(gray, start, step, normal, count, row, reference, one, out):
            break
        last = row
        row += side
    return last


def bar_reach_reference(gray, start, step, normal, count, reference, first, side, limit, stride):
    """Plain twin of :func:`bar_reach`: every row one by one, with :func:`row_correlations_reference`."""
    coarse = [first + side * k * stride for k in range(1, int(limit // stride) + 1)]
    belongs = [row_correlations_reference(gray, start, step, normal, count, [row], reference)[0] > MIN_CORRELATION
               for row in coarse]
    reach = belongs.index(False) if False in belongs else len(belongs)
    last = first if reach == 0 else coarse[reach - 1]
    stop = coarse[reach] if reach < len(coarse) else first + side * (limit + 1.0)
    row = last + side
    while (row - stop) * side < 0:
        if not row_correlations_reference(gray, start, step, normal, count, [row], reference)[0] > MIN_CORRELATION:
            break
        last, row = row, row + side
    return last


@njit(cache=True, nogil=True)
def bar_span(gray, start, step, normal, count, rows, first, last, limit, stride, out):  # pragma: no cover - jitted
    """How far the bars reach on both sides of the rows a code was read on, in one call.

    The reference is the mean of the complete rows at offsets ``rows``,
    centred; ``out`` gets :func:`bar_reach` from ``first`` towards -1 and
    from ``last`` towards +1. Returns False (``out`` untouched) when no
    row is complete or the reference is flat.
    """
    reference = np.empty(count)
    if row_mean(gray, start, step, normal, count, rows, reference) == 0:
        return False
    mean = 0.0
    for t in range(count):
        mean += reference[t]
    mean /= count
    flat = True
    for t in range(count):
        reference[t] -= mean
        if reference[t] != 0.0:
            flat = False
    if flat:
        return False
    out[0] = bar_reach(gray, start, step, normal, count, reference, first, -1.0, limit, stride)
    out[1] = bar_reach(gray, start, step, normal, count, reference, last, 1.0, limit, stride)
    return True


def bar_span_reference(gray, start, step, normal, count, rows, first, last, limit, stride):
    """Plain twin of :func:`bar_span` with scipy's bilinear interpolation; None where it returns False."""
    complete = [samples for r in rows
                if (samples := _row_samples_reference(gray, start, step, normal, count, r)) is not None]
    if not complete:
        return None
    reference = np.mean(complete, axis=0)
    reference -= reference.mean()
    if not np.any(reference):
        return None
    return (bar_reach_reference(gray, start, step, normal, count, reference, first, -1.0, limit, stride),
            bar_reach_reference(gray, start, step, normal, count, reference, last, 1.0, limit, stride))
