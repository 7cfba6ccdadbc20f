"""Regions from a per-pixel code probability: what a segmentation network's mask becomes.

A segmentation localizer (ALGORITHMS.md §6.3) gives, for every pixel of a
map covering the image, the probability that it lies on a code's bars.
The map is thresholded, cut into connected components, and each component
becomes a rotated box in original-image pixels. The mask says where a
code is, not which way its bars run, so the reading direction comes from
the grey image: the structure tensor summed over the component points
across the bars (as in :mod:`barreader.localize.tensor`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from ..results import Region
from .bars import fit_to_bars, looks_like_bars
from .overlap import box_region, distinct, frame

__all__ = ["mask_regions"]

THRESHOLD = 0.5  # probability above which a pixel is on a code
MIN_AREA = 0.0005  # of the map's pixels a component needs (about 50 of a 320 x 320 map)
FIT_CELLS = 8  # map pixels in the coarseness a fitted box's margins are measured in
RESOLVED_SHARE = 0.5  # of a component's area its region must cover, else the next level cuts it again
# Dark bars a fitted box must hold: a third of the shortest code's (UPC-E
# has 17). A stride-4 map also outlines single digits and letters, which
# pass the bar test otherwise; with this, the shipped model gives 1.5
# false regions per clutter image instead of 3.8 at the same scene recall.
MIN_BARS = 6


def mask_regions(gray: np.ndarray, probability: np.ndarray, *, threshold: float | Sequence[float] = THRESHOLD,
                 min_area: float = MIN_AREA, map_gray: np.ndarray | None = None, fit: bool = False) -> list[Region]:
    """Rotated boxes of the connected components of a code-probability map, strongest first.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        The grey image in [0, 1].
    probability : ndarray, shape (h, w)
        Probability of a code at each pixel of a map covering the whole
        image (any resolution; ``h / H`` and ``w / W`` may differ).
    threshold : float or sequence of float
        Probability at which a pixel counts as code. Given rising levels,
        a component that gives no region, or a fitted box covering less
        than half of it (a code joined to text by the mask), is cut again
        at the next level, within its own pixels.
    min_area : float
        Share of the map's pixels a component needs.
    map_gray : ndarray of float32, shape (h, w), optional
        ``gray`` already resized to the map's grid (saves resizing it again).
    fit : bool
        Fit each component's box to the bars it holds and keep it only if
        they look like a code's (:mod:`barreader.localize.bars`), as the
        QuaggaJS-style localizer does with its patch boxes, and number at
        least ``MIN_BARS``; this also estimates the module width.

    Returns
    -------
    list of Region
        ``angle`` is the reading direction (across the bars, from the grey
        gradient), ``score`` the summed probability of the component;
        ``module_size`` is unknown (NaN) unless a fitted box gives it.
    """
    height, width = gray.shape
    rows, cols = probability.shape
    scale_x, scale_y = width / cols, height / rows
    gradients = None
    open_pixels = np.ones((rows, cols), dtype=bool)  # not yet explained by a region
    regions = []
    for level in np.atleast_1d(np.asarray(threshold, dtype=float)):
        mask = ((probability >= level) & open_pixels).astype(np.uint8)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        kept = [k for k in range(1, count) if stats[k, cv2.CC_STAT_AREA] >= min_area * rows * cols]
        if not kept:
            break
        if gradients is None:
            if map_gray is None or map_gray.shape != probability.shape:
                map_gray = cv2.resize(np.ascontiguousarray(gray, dtype=np.float32), (cols, rows),
                                      interpolation=cv2.INTER_AREA)
            gradients = cv2.Scharr(map_gray, cv2.CV_32F, 1, 0), cv2.Scharr(map_gray, cv2.CV_32F, 0, 1)
        open_pixels = np.zeros_like(open_pixels)
        for label in kept:
            x, y, w, h = stats[label, :4]
            inside = labels[y : y + h, x : x + w] == label
            region = _component_region(gray, probability, gradients, (x, y, w, h), inside, (scale_x, scale_y), fit)
            if region is not None:
                regions.append(region)
            area = stats[label, cv2.CC_STAT_AREA] * scale_x * scale_y
            if region is None or cv2.contourArea(region.polygon.astype(np.float32)) < RESOLVED_SHARE * area:
                open_pixels[y : y + h, x : x + w] |= inside
    regions.sort(key=lambda r: r.score, reverse=True)
    return distinct(regions)


def _component_region(gray, probability, gradients, box, inside, scales, fit: bool) -> Region | None:
    """The region of one component (``inside``, within ``box`` of the map), or None if fitting rejects it."""
    x, y, w, h = box
    scale_x, scale_y = scales
    cx, cy = (g[y : y + h, x : x + w][inside] for g in gradients)
    # Gradients on the map's grid, back in image units: the map may scale x and y differently.
    sxx = float(np.dot(cx, cx)) / scale_x**2
    syy = float(np.dot(cy, cy)) / scale_y**2
    sxy = float(np.dot(cx, cy)) / (scale_x * scale_y)
    across = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    mass = float(probability[y : y + h, x : x + w][inside].sum())
    hull = cv2.convexHull(cv2.findNonZero(inside.astype(np.uint8))).reshape(-1, 2)
    extent = _extent(hull[:, 0] + x, hull[:, 1] + y, across, scale_x, scale_y)
    if not fit:
        return box_region(across, *extent, mass)
    return _fitted(gray, across, extent, mass, FIT_CELLS * max(scale_x, scale_y))


def _extent(xs: np.ndarray, ys: np.ndarray, across: float, scale_x: float, scale_y: float) -> tuple:
    """``(a0, a1, b0, b1)``: image-pixel extents along :func:`frame` of map pixels ``(xs, ys)``."""
    u, v = frame(across)
    # Each map pixel covers [x, x + 1) * scale_x by [y, y + 1) * scale_y of the
    # image: take its four corners, in pixel-centre coordinates.
    offsets = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    cells = np.stack([xs, ys], axis=1).astype(np.float64)
    corners = ((cells[:, None, :] + offsets[None]) * np.array([scale_x, scale_y]) - 0.5).reshape(-1, 2)
    a, b = corners @ u, corners @ v
    return a.min(), a.max(), b.min(), b.max()


def _fitted(gray: np.ndarray, across: float, extent: tuple, score: float, side: float) -> Region | None:
    """The mask's box fitted to its bars, or as it is if none are found; None if it fails the bar test."""
    a0, a1, b0, b1 = extent
    fitted = fit_to_bars(gray, *frame(across), extent, side)
    module, crop = math.nan, None
    if fitted is not None:
        # The bars found must be the component's own: their middle inside its box.
        if a0 <= 0.5 * (fitted[0] + fitted[1]) <= a1 and b0 <= 0.5 * (fitted[2] + fitted[3]) <= b1:
            a0, a1, b0, b1, module, crop = fitted
    region = box_region(across, a0, a1, b0, b1, score, module)
    return region if looks_like_bars(gray, region, crop, MIN_BARS) else None
