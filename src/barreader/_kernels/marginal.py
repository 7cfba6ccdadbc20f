"""Exact marginalization of a digit template's likelihood over (offset, width).

The likelihood of a 9-module digit template is constant on each polygon of
the partition built in :mod:`barreader.decode.cells`, so its integral over the
uniform prior box is a finite sum over polygons (no sampling grid):

    log p_k = logsumexp_t(-D_t + log|V_t ∩ R|) - log|R|

and the conditional means of (o, w) are the likelihood-weighted centroids of
the polygons (ALGORITHMS.md §1.6–1.7).

Coordinates: profile sample ``n`` sits at position ``n``; a sample belongs to
a tract ``[d_lo, d_hi)`` when ``d_lo <= n < d_hi``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "band_pieces",
    "band_pieces_reference",
    "slot_likelihoods",
    "slot_likelihoods_reference",
]

_MAXV = 16


@njit(cache=True)
def _clip_y(xs, ys, count, y_cut, keep_above, out_x, out_y):  # pragma: no cover - jitted
    """Sutherland–Hodgman clip of a convex polygon by y >= y_cut (or <=)."""
    n_out = 0
    for i in range(count):
        j = (i + 1) % count
        di = (ys[i] - y_cut) if keep_above else (y_cut - ys[i])
        dj = (ys[j] - y_cut) if keep_above else (y_cut - ys[j])
        if di >= 0.0:
            out_x[n_out] = xs[i]
            out_y[n_out] = ys[i]
            n_out += 1
        if (di < 0.0 < dj) or (dj < 0.0 < di):
            t = di / (di - dj)
            out_x[n_out] = xs[i] + t * (xs[j] - xs[i])
            out_y[n_out] = ys[i] + t * (ys[j] - ys[i])
            n_out += 1
    return n_out


@njit(cache=True)
def band_pieces(vertices, n_vertices, ceil_offsets, coefficients, w_lo, w_hi):  # pragma: no cover - jitted
    """Cells of the horizontal band ``w_lo <= w < w_hi`` of one o-period.

    Parameters
    ----------
    vertices, n_vertices, ceil_offsets : ndarray
        The unit-square cells (:class:`barreader.decode.cells.UnitCells`).
    coefficients : ndarray of int64
        The boundary coefficients ``c`` matching ``ceil_offsets``' columns.
    w_lo, w_hi : float
        The width range of the prior box, ``0 < w_lo < w_hi``.

    Returns
    -------
    offsets : ndarray of int64, shape (n_pieces, n_coefficients)
        ``ceil(o + c*w) - floor(o)`` on each piece.
    area : ndarray of float64, shape (n_pieces,)
    o_frac : ndarray of float64
        Centroid's fractional offset (add the integer translate).
    w_mean : ndarray of float64
        Centroid's absolute width.
    """
    n_cells = n_vertices.shape[0]
    n_coef = coefficients.shape[0]
    b_first = int(math.floor(w_lo))
    b_last = int(math.ceil(w_hi)) - 1
    capacity = n_cells * (b_last - b_first + 1)
    offsets = np.empty((capacity, n_coef), dtype=np.int64)
    area = np.empty(capacity)
    o_frac = np.empty(capacity)
    w_mean = np.empty(capacity)
    xa = np.empty(_MAXV)
    ya = np.empty(_MAXV)
    xb = np.empty(_MAXV)
    yb = np.empty(_MAXV)
    count = 0
    for b in range(b_first, b_last + 1):
        y0 = max(w_lo - b, 0.0)
        y1 = min(w_hi - b, 1.0)
        if y1 <= y0:
            continue
        for cell in range(n_cells):
            nv = n_vertices[cell]
            ymin = vertices[cell, 0, 1]
            ymax = ymin
            for v in range(nv):
                y = vertices[cell, v, 1]
                ymin = min(ymin, y)
                ymax = max(ymax, y)
            if ymax <= y0 or ymin >= y1:
                continue
            for v in range(nv):
                xa[v] = vertices[cell, v, 0]
                ya[v] = vertices[cell, v, 1]
            if ymin < y0:
                nv = _clip_y(xa, ya, nv, y0, True, xb, yb)
                for v in range(nv):
                    xa[v] = xb[v]
                    ya[v] = yb[v]
            if ymax > y1:
                nv = _clip_y(xa, ya, nv, y1, False, xb, yb)
                for v in range(nv):
                    xa[v] = xb[v]
                    ya[v] = yb[v]
            if nv < 3:
                continue
            twice = 0.0
            sx = 0.0
            sy = 0.0
            for v in range(nv):
                u = (v + 1) % nv
                cross = xa[v] * ya[u] - xa[u] * ya[v]
                twice += cross
                sx += (xa[v] + xa[u]) * cross
                sy += (ya[v] + ya[u]) * cross
            if twice <= 1e-15:
                continue
            area[count] = 0.5 * twice
            o_frac[count] = sx / (3.0 * twice)
            w_mean[count] = b + sy / (3.0 * twice)
            for k in range(n_coef):
                offsets[count, k] = b * coefficients[k] + ceil_offsets[cell, k]
            count += 1
    return offsets[:count], area[:count], o_frac[:count], w_mean[:count]


@njit(cache=True)
def slot_likelihoods(
    prefix_white,
    prefix_black,
    a_first,
    a_stop,
    offsets,
    area,
    o_frac,
    w_mean,
    boundary_index,
    tract_white,
    templates,
    log_box_area,
    out_logp,
    out_o,
    out_w,
):  # pragma: no cover - jitted
    """Marginal log-likelihood and conditional mean (o, w) of templates at one digit slot.

    The prior box is ``a_first <= o < a_stop`` (integers) by the band of
    ``band_pieces``.

    Parameters
    ----------
    prefix_white, prefix_black : ndarray of float64, shape (n + 1,)
        Cumulative per-sample penalties for a sample drawn as white / black.
    a_first, a_stop : int
        Integer offsets bounding the box.
    offsets, area, o_frac, w_mean : ndarray
        Output of :func:`band_pieces`.
    boundary_index : ndarray of int64, shape (n_templates, 7)
        For each template, the columns of ``offsets`` of its 7 tract boundaries.
    tract_white : ndarray of bool, shape (n_templates, 6)
        Whether each of the 6 tracts is white.
    templates : ndarray of int64
        Which templates to evaluate.
    log_box_area : float
        ``log(|R|)``.
    out_logp, out_o, out_w : ndarray of float64, shape (n_templates,)
        Written at the evaluated templates' indices.
    """
    # The tracts of a 9-module template alternate in colour, so with
    # delta[c] = prefix_black[b_c] - prefix_white[b_c] its cost telescopes to
    #   space-first:  -Pb[b_-1] + Pw[b_8] + delta[0] + delta[7] - delta[c2] + delta[c3] - delta[c4]
    #   bar-first:    -Pw[b_-1] + Pb[b_8] - delta[0] - delta[7] + delta[c2] - delta[c3] + delta[c4]
    # where c2..c4 are the template's three inner boundaries (columns 2..4).
    # The boundaries of piece p at translate a are a + offsets[p, k]; laid
    # out piece by piece, translates innermost, every lookup walks a
    # contiguous run of the (edge-extended) prefix arrays.
    n = prefix_white.shape[0] - 1
    n_pieces = area.shape[0]
    n_a = a_stop - a_first
    n_coef = offsets.shape[1]
    n_tmpl = templates.shape[0]
    lo = a_first
    hi = a_first
    if n_pieces > 0:
        lo += offsets[:, 0].min()
        hi = a_stop - 1 + offsets[:, n_coef - 1].max()
    ext_white = np.empty(hi - lo + 1)
    ext_black = np.empty(hi - lo + 1)
    ext_delta = np.empty(hi - lo + 1)
    for i in range(lo, hi + 1):
        idx = 0 if i < 0 else (n if i > n else i)
        ext_white[i - lo] = prefix_white[idx]
        ext_black[i - lo] = prefix_black[idx]
        ext_delta[i - lo] = prefix_black[idx] - prefix_white[idx]
    neg_d = np.empty((n_tmpl, n_pieces, n_a))
    peaks = np.full(n_tmpl, -np.inf)
    base_space = np.empty(n_a)
    base_bar = np.empty(n_a)
    log_area = np.log(area)
    for p in range(n_pieces):
        first = a_first + offsets[p, 0] - lo
        last = a_first + offsets[p, n_coef - 1] - lo
        left = a_first + offsets[p, 1] - lo
        right = a_first + offsets[p, n_coef - 2] - lo
        for i in range(n_a):
            outer = ext_delta[left + i] + ext_delta[right + i]
            base_space[i] = ext_white[last + i] - ext_black[first + i] + outer
            base_bar[i] = ext_black[last + i] - ext_white[first + i] - outer
        for t in range(n_tmpl):
            tmpl = templates[t]
            c2 = a_first + offsets[p, boundary_index[tmpl, 2]] - lo
            c3 = a_first + offsets[p, boundary_index[tmpl, 3]] - lo
            c4 = a_first + offsets[p, boundary_index[tmpl, 4]] - lo
            row = neg_d[t, p]
            peak = peaks[t]
            if tract_white[tmpl, 0]:
                for i in range(n_a):
                    inner = ext_delta[c3 + i] - ext_delta[c2 + i] - ext_delta[c4 + i]
                    row[i] = log_area[p] - (base_bar[i] - inner)
                    peak = max(peak, row[i])
            else:
                for i in range(n_a):
                    inner = ext_delta[c3 + i] - ext_delta[c2 + i] - ext_delta[c4 + i]
                    row[i] = log_area[p] - (base_space[i] + inner)
                    peak = max(peak, row[i])
            peaks[t] = peak
    for t in range(n_tmpl):
        peak = peaks[t]
        total = 0.0
        sum_o = 0.0
        sum_w = 0.0
        for i in range(n_a):
            a = a_first + i
            for p in range(n_pieces):
                x = neg_d[t, p, i] - peak
                if x < -36.0:  # weight below 2e-16 of the peak's: lost in float64 rounding
                    continue
                weight = math.exp(x)
                total += weight
                sum_o += weight * (a + o_frac[p])
                sum_w += weight * w_mean[p]
        tmpl = templates[t]
        out_logp[tmpl] = peak + math.log(total) - log_box_area
        out_o[tmpl] = sum_o / total
        out_w[tmpl] = sum_w / total


# ----------------------------------------------------------------------------
# Plain-Python twins: same results, computed the obvious (slow) way.
# ----------------------------------------------------------------------------


def band_pieces_reference(cells, w_lo, w_hi):
    """Twin of :func:`band_pieces`: clip in Python floats, ceil offsets evaluated at the centroid."""
    pieces = []
    for b in range(math.floor(w_lo), math.ceil(w_hi)):
        y0, y1 = max(w_lo - b, 0.0), min(w_hi - b, 1.0)
        if y1 <= y0:
            continue
        for cell in range(cells.n_cells):
            polygon = [tuple(cells.vertices[cell, v]) for v in range(cells.n_vertices[cell])]
            polygon = _clip_half_plane(polygon, lambda p: p[1] - y0)
            polygon = _clip_half_plane(polygon, lambda p: y1 - p[1])
            if len(polygon) < 3:
                continue
            a, cx, cy = _shoelace(polygon)
            if a <= 1e-15:
                continue
            # ceil(o + c*w) - floor(o) evaluated directly at the centroid.
            w = b + cy
            offsets = [math.ceil(cx + c * w) for c in range(-1, 9)]
            pieces.append((offsets, a, cx, w))
    offsets = np.array([p[0] for p in pieces], dtype=np.int64)
    return offsets, np.array([p[1] for p in pieces]), np.array([p[2] for p in pieces]), np.array([p[3] for p in pieces])


def _clip_half_plane(polygon, distance):
    out = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        dp, dq = distance(p), distance(q)
        if dp >= 0:
            out.append(p)
        if (dp < 0 < dq) or (dq < 0 < dp):
            t = dp / (dp - dq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def _shoelace(polygon):
    twice = sx = sy = 0.0
    for i, (x0, y0) in enumerate(polygon):
        x1, y1 = polygon[(i + 1) % len(polygon)]
        cross = x0 * y1 - x1 * y0
        twice += cross
        sx += (x0 + x1) * cross
        sy += (y0 + y1) * cross
    if twice <= 1e-15:
        return 0.0, 0.0, 0.0
    return 0.5 * twice, sx / (3.0 * twice), sy / (3.0 * twice)


def template_cost_reference(penalty_white, penalty_black, coefficients, white, o, w):
    """D(I, M_{o,w}) summed sample by sample (Eq. 4)."""
    n = len(penalty_white)
    total = 0.0
    for sample in range(n):
        for i in range(6):
            lo = o + coefficients[i] * w
            hi = o + coefficients[i + 1] * w
            if lo <= sample < hi:
                total += penalty_white[sample] if white[i] else penalty_black[sample]
    return total


def slot_likelihoods_reference(
    penalty_white, penalty_black, a_first, a_stop, pieces, template_coefficients, template_white, log_box_area
):
    """Twin of :func:`slot_likelihoods` for one template, by direct per-sample sums.

    Returns ``(log p, E[o], E[w])``.
    """
    offsets, area, o_frac, w_mean = pieces
    terms, os_, ws = [], [], []
    for a in range(a_first, a_stop):
        for p in range(len(area)):
            o = a + o_frac[p]
            d = template_cost_reference(penalty_white, penalty_black, template_coefficients, template_white, o, w_mean[p])
            terms.append(math.log(area[p]) - d)
            os_.append(o)
            ws.append(w_mean[p])
    terms = np.array(terms)
    peak = terms.max()
    weights = np.exp(terms - peak)
    total = weights.sum()
    return peak + math.log(total) - log_box_area, float(weights @ np.array(os_) / total), float(weights @ np.array(ws) / total)


@njit(cache=True)
def layout_likelihoods(
    prefix_white,
    prefix_black,
    vertices,
    n_vertices,
    ceil_offsets,
    coefficients,
    centers,
    widths,
    delta_o,
    delta_w,
    slot_templates,
    boundary_index,
    tract_white,
    out_logp,
    out_o,
    out_w,
):  # pragma: no cover - jitted
    """:func:`slot_likelihoods` for every digit slot of a code.

    Slot ``j``'s prior box is ``centers[j] ± delta_o[j]`` (widened outwards to
    integers) by ``widths[j] ± delta_w[j]``; ``slot_templates[j]`` lists the
    templates to score there. Results go to row ``j`` of the outputs.
    """
    for j in range(centers.shape[0]):
        w_lo = max(widths[j] - delta_w[j], 0.05)
        w_hi = widths[j] + delta_w[j]
        offsets, area, o_frac, w_mean = band_pieces(vertices, n_vertices, ceil_offsets, coefficients, w_lo, w_hi)
        a_first = int(math.floor(centers[j] - delta_o[j]))
        a_stop = int(math.ceil(centers[j] + delta_o[j]))
        log_box = math.log((a_stop - a_first) * (w_hi - w_lo))
        slot_likelihoods(
            prefix_white,
            prefix_black,
            a_first,
            a_stop,
            offsets,
            area,
            o_frac,
            w_mean,
            boundary_index,
            tract_white,
            slot_templates[j],
            log_box,
            out_logp[j],
            out_o[j],
            out_w[j],
        )
