"""What the localizers share: rotated boxes in a code's own frame, and dropping regions that repeat a stronger one."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..results import Region

__all__ = ["distinct", "frame", "box_region", "polygon_iou"]


def frame(across: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors across the bars (``u``, at angle ``across`` in radians) and along them (``v``)."""
    u = np.array([math.cos(across), math.sin(across)])
    return u, np.array([-u[1], u[0]])


def box_region(across: float, a0: float, a1: float, b0: float, b1: float, score: float,
               module_size: float = math.nan) -> Region:
    """The region ``[a0, a1]`` along ``u`` by ``[b0, b1]`` along ``v`` of :func:`frame`, edge 0-1 along ``u``."""
    u, v = frame(across)
    polygon = np.array([a0 * u + b0 * v, a1 * u + b0 * v, a1 * u + b1 * v, a0 * u + b1 * v])
    angle = math.degrees(across) % 180.0
    return Region(polygon, 0.0 if angle >= 180.0 - 1e-9 else angle, float(score), float(module_size))


def distinct(regions: list[Region]) -> list[Region]:
    """Drop regions whose centre lies in a stronger (earlier) region: codes do not overlap."""
    kept: list[Region] = []
    for region in regions:
        centre = tuple(map(float, region.polygon.mean(axis=0)))
        if any(cv2.pointPolygonTest(k.polygon.astype(np.float32), centre, False) >= 0 for k in kept):
            continue
        kept.append(region)
    return kept


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex polygons given as (n, 2) corner arrays."""
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return float(inter / union) if union > 0 else 0.0
