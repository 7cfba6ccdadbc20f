"""Pixel counts and mean IoU of a two-class mask, without torch (training and benchmarks share them)."""

from __future__ import annotations

import numpy as np

__all__ = ["pixel_counts", "mean_iou"]


def pixel_counts(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """2 x 2 pixel counts: rows truth (background, code), columns prediction; inputs hold 0 or 1."""
    codes = 2 * np.asarray(truth, dtype=np.int64) + np.asarray(predicted, dtype=np.int64)
    return np.bincount(codes.ravel(), minlength=4).reshape(2, 2)


def mean_iou(counts: np.ndarray) -> float:
    """Mean over the two classes of intersection over union."""
    ious = [counts[k, k] / max(counts[k, :].sum() + counts[:, k].sum() - counts[k, k], 1) for k in range(2)]
    return float(np.mean(ious))
