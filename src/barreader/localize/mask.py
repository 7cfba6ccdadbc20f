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

import cv2
import numpy as np

from ..results import Region
from .overlap import box_region, distinct, frame

__all__ = ["mask_regions"]

THRESHOLD = 0.5  # probability above which a pixel is on a code
MIN_AREA = 0.0005  # of the map's pixels a component needs (about 50 of a 320 x 320 map)


def mask_regions(gray: np.ndarray, probability: np.ndarray, *, threshold: float = THRESHOLD,
                 min_area: float = MIN_AREA) -> list[Region]:
    """Rotated boxes of the connected components of a code-probability map, strongest first.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        The grey image in [0, 1].
    probability : ndarray, shape (h, w)
        Probability of a code at each pixel of a map covering the whole
        image (any resolution; ``h / H`` and ``w / W`` may differ).
    threshold : float
        Probability at which a pixel counts as code.
    min_area : float
        Share of the map's pixels a component needs.

    Returns
    -------
    list of Region
        ``angle`` is the reading direction (across the bars, from the grey
        gradient), ``score`` the summed probability of the component;
        ``module_size`` is unknown (NaN).
    """
    height, width = gray.shape
    rows, cols = probability.shape
    scale_x, scale_y = width / cols, height / rows
    mask = (probability >= threshold).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return []
    # Structure tensor of the grey image on the map's grid.
    small = cv2.resize(np.ascontiguousarray(gray, dtype=np.float32), (cols, rows), interpolation=cv2.INTER_AREA)
    gx, gy = cv2.Scharr(small, cv2.CV_32F, 1, 0), cv2.Scharr(small, cv2.CV_32F, 0, 1)
    flat = labels.ravel()
    sums = [np.bincount(flat, weights=q.ravel().astype(np.float64), minlength=count)
            for q in (gx * gx, gy * gy, gx * gy, probability.astype(np.float32))]
    # Gradients on the map's grid, back in image units: the map may scale x and y differently.
    sxx, syy, sxy, mass = sums[0] / scale_x**2, sums[1] / scale_y**2, sums[2] / (scale_x * scale_y), sums[3]
    regions = []
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] < min_area * rows * cols:
            continue
        across = 0.5 * math.atan2(2.0 * sxy[label], sxx[label] - syy[label])
        x, y, w, h = stats[label, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        regions.append(_box(xs + x, ys + y, across, scale_x, scale_y, float(mass[label])))
    regions.sort(key=lambda r: r.score, reverse=True)
    return distinct(regions)


def _box(xs: np.ndarray, ys: np.ndarray, across: float, scale_x: float, scale_y: float, score: float) -> Region:
    """The box, in image pixels, around map pixels ``(xs, ys)`` with edge 0-1 along ``across``."""
    u, v = frame(across)
    # Each map pixel covers [x, x + 1) * scale_x by [y, y + 1) * scale_y of the
    # image: take its four corners, in pixel-centre coordinates.
    offsets = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    cells = np.stack([xs, ys], axis=1).astype(np.float64)
    corners = ((cells[:, None, :] + offsets[None]) * np.array([scale_x, scale_y]) - 0.5).reshape(-1, 2)
    a, b = corners @ u, corners @ v
    return box_region(across, a.min(), a.max(), b.min(), b.max(), score)
