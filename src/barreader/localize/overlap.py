"""What the localizers share: dropping regions that repeat a stronger one."""

from __future__ import annotations

import cv2
import numpy as np

from ..results import Region

__all__ = ["distinct"]


def distinct(regions: list[Region]) -> list[Region]:
    """Drop regions whose centre lies in a stronger (earlier) region: codes do not overlap."""
    kept: list[Region] = []
    for region in regions:
        centre = tuple(map(float, region.polygon.mean(axis=0)))
        if any(cv2.pointPolygonTest(k.polygon.astype(np.float32), centre, False) >= 0 for k in kept):
            continue
        kept.append(region)
    return kept
