"""The partition of the (offset, width) plane on which a template's likelihood is constant.

A digit template is piecewise constant with boundaries at ``o + c*w`` for
integer coefficients ``c`` (module counts). A profile sample ``n`` belongs to a
tract when ``d_lo <= n < d_hi``, so the likelihood only changes where some
boundary ``o + c*w`` crosses an integer: the plane is cut by the lines
``o + c*w = q`` (integer ``q``) into convex polygons on which the likelihood is
constant (Gallo & Manduchi 2009, §3.3; ALGORITHMS.md §1.6).

Because every ``c`` is an integer, the partition repeats with period 1 in both
``o`` and ``w``. This module computes, once and exactly (rational arithmetic),
the cells of the unit square ``0 <= x < 1, 0 <= y < 1`` where ``x`` and ``y``
are the fractional parts of ``o`` and ``w``, for the common refinement of all
coefficients ``c = -1 .. 8`` that EAN/UPC digit templates (with their two
neighbour bars) use. One geometry thus serves every digit template.

For a cell and a translate ``(a, b)`` (integer parts of ``o`` and ``w``), the
first sample at or after boundary ``c`` is ``ceil(o + c*w) = a + b*c + e_c``,
where ``e_c = ceil(x + c*y)`` is constant on the cell; it is stored per cell.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

import numpy as np

__all__ = ["COEFFICIENTS", "UnitCells", "unit_cells"]

COEFFICIENTS = tuple(range(-1, 9))  # boundary coefficients c of the 9-module templates
MAX_VERTICES = 16  # a cell of this arrangement has at most a handful; clipping adds two

Point = tuple[Fraction, Fraction]


@dataclasses.dataclass(frozen=True)
class UnitCells:
    """Cells of the unit square, in arrays ready for the kernels.

    Attributes
    ----------
    vertices : ndarray of float64, shape (n_cells, MAX_VERTICES, 2)
        Counter-clockwise (x, y) vertices, padded with zeros.
    n_vertices : ndarray of int64, shape (n_cells,)
    area : ndarray of float64, shape (n_cells,)
    centroid : ndarray of float64, shape (n_cells, 2)
    ceil_offsets : ndarray of int64, shape (n_cells, len(COEFFICIENTS))
        ``ceil(x + c*y)`` on the cell for each coefficient ``c``.
    """

    vertices: np.ndarray
    n_vertices: np.ndarray
    area: np.ndarray
    centroid: np.ndarray
    ceil_offsets: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.area.shape[0])


def _split(polygon: list[Point], c: int, q: int) -> list[list[Point]]:
    """Split a convex polygon by the line x + c*y = q (exactly)."""
    values = [x + c * y - q for x, y in polygon]
    if all(v >= 0 for v in values) or all(v <= 0 for v in values):
        return [polygon]
    below: list[Point] = []
    above: list[Point] = []
    count = len(polygon)
    for i in range(count):
        p, vp = polygon[i], values[i]
        r, vr = polygon[(i + 1) % count], values[(i + 1) % count]
        if vp <= 0:
            below.append(p)
        if vp >= 0:
            above.append(p)
        if (vp < 0 < vr) or (vr < 0 < vp):
            t = vp / (vp - vr)
            crossing = (p[0] + t * (r[0] - p[0]), p[1] + t * (r[1] - p[1]))
            below.append(crossing)
            above.append(crossing)
    return [below, above]


def _area_centroid(polygon: list[Point]) -> tuple[Fraction, Fraction, Fraction]:
    twice_area = Fraction(0)
    cx = Fraction(0)
    cy = Fraction(0)
    count = len(polygon)
    for i in range(count):
        (x0, y0), (x1, y1) = polygon[i], polygon[(i + 1) % count]
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area = twice_area / 2
    return area, cx / (6 * area), cy / (6 * area)


@functools.lru_cache(maxsize=None)
def unit_cells(coefficients: tuple[int, ...] = COEFFICIENTS) -> UnitCells:
    """Exact arrangement of the lines ``x + c*y = q`` inside the unit square.

    Parameters
    ----------
    coefficients : tuple of int
        The boundary coefficients ``c``.

    Returns
    -------
    UnitCells
        Cached; computed once per process.
    """
    zero, one = Fraction(0), Fraction(1)
    polygons: list[list[Point]] = [[(zero, zero), (one, zero), (one, one), (zero, one)]]
    for c in coefficients:
        # x + c*y takes values in (min(0, c), 1 + max(0, c)) inside the square.
        for q in range(min(0, c), 1 + max(0, c) + 1):
            polygons = [piece for polygon in polygons for piece in _split(polygon, c, q)]
    polygons = [p for p in polygons if _area_centroid(p)[0] > 0]

    n = len(polygons)
    vertices = np.zeros((n, MAX_VERTICES, 2))
    n_vertices = np.zeros(n, dtype=np.int64)
    area = np.zeros(n)
    centroid = np.zeros((n, 2))
    ceil_offsets = np.zeros((n, len(coefficients)), dtype=np.int64)
    for i, polygon in enumerate(polygons):
        a, cx, cy = _area_centroid(polygon)
        if a < 0:  # keep counter-clockwise order
            polygon = polygon[::-1]
            a, cx, cy = _area_centroid(polygon)
        n_vertices[i] = len(polygon)
        vertices[i, : len(polygon)] = [(float(x), float(y)) for x, y in polygon]
        area[i] = float(a)
        centroid[i] = float(cx), float(cy)
        ceil_offsets[i] = [math.ceil(cx + c * cy) for c in coefficients]
    return UnitCells(vertices, n_vertices, area, centroid, ceil_offsets)
