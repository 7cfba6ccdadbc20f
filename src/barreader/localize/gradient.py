"""Gallo–Manduchi gradient-energy localizer (ALGORITHMS.md §1.9).

Bars produce strong grey gradients across them and weak ones along them, so
``|I_x| - |I_y|`` averaged over a window is large on codes with vertical bars
and small or negative on text, edges and texture. Regions are the connected
components of this energy above an Otsu threshold; the same is done with
``|I_y| - |I_x|`` for codes whose bars are horizontal.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..results import Region

__all__ = ["gradient_regions"]

WORK_SIZE = 640  # long side of the image the energy is computed on


def _components(energy: np.ndarray, min_area: int, closing: np.ndarray) -> list[tuple[int, int, int, int, float]]:
    positive = np.clip(energy, 0, None)
    top = float(positive.max())
    if top <= 0:
        return []
    scaled = (positive * (255.0 / top)).astype(np.uint8)
    level, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = (scaled > max(level, 20)).astype(np.uint8)
    # Wide spaces and sparse digits leave holes along the reading axis; close them.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, closing)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= min_area) + 1
    # Each kept component's energy summed within its bounding box only
    # (a weighted bincount over every pixel costs more than all the rest).
    return [(int(x), int(y), int(w), int(h), _energy(positive, labels, label, x, y, w, h))
            for label, (x, y, w, h, _) in zip(keep, stats[keep])]


def _energy(positive: np.ndarray, labels: np.ndarray, label: int, x: int, y: int, w: int, h: int) -> float:
    inside = labels[y:y + h, x:x + w] == label
    return float(np.sum(positive[y:y + h, x:x + w], where=inside, dtype=np.float64))


def gradient_regions(gray: np.ndarray, *, window: int | None = None, max_regions: int = 6) -> list[Region]:
    """Regions of high bar-like gradient energy, strongest first.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        Grey image in [0, 1].
    window : int, optional
        Side of the averaging window in working-image pixels (the image is
        first reduced so its long side is at most 640). Default: 1/32 of the
        long side, at least 9.
    max_regions : int
        At most this many regions are returned.

    Returns
    -------
    list of Region
        Axis-aligned boxes; ``angle`` is 0 for vertical bars (read along x)
        and 90 for horizontal bars (read along y).
    """
    height, width = gray.shape
    scale = min(1.0, WORK_SIZE / max(height, width))
    work = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    h, w = work.shape
    if h < 8 or w < 8:
        return []
    if window is None:
        window = max(9, int(round(max(h, w) / 32)))
    gx = np.abs(cv2.Sobel(work, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(work, cv2.CV_32F, 0, 1, ksize=3))
    min_area = max(16, (h * w) // 400)
    regions = []
    long_side = 2 * window + 1
    for angle, energy, box in ((0.0, gx - gy, (long_side, window)), (90.0, gy - gx, (window, long_side))):
        # Averaging longer along the reading axis than along the bars.
        smooth = cv2.blur(energy, box)
        closing = np.ones((box[1], box[0]), dtype=np.uint8)
        for x, y, bw, bh, strength in _components(smooth, min_area, closing):
            x0, y0, x1, y1 = x / scale, y / scale, (x + bw) / scale, (y + bh) / scale
            if angle == 0.0:
                polygon = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
            else:
                polygon = np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]])
            regions.append(Region(polygon - 0.5, angle, strength / (scale * scale), math.nan))
    regions.sort(key=lambda r: r.score, reverse=True)
    return regions[:max_regions]
