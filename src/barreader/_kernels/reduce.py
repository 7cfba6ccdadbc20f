"""An image reduced by a whole factor: the means of its square blocks, in one pass over its pixels.

A pyramid level ``k`` reduced straight from the original pixels costs one
read of the image, however deep the level, where halving it level by
level reads every coarser level too and, for 8-bit pixels, first converts
the whole image to floating point.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["block_means", "block_means_reference"]


@njit(cache=True, nogil=True)
def block_means(image, factor, scale):  # pragma: no cover - jitted
    """``scale`` times the mean of every ``factor`` x ``factor`` block of ``image``, as float32.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        uint8 or float32 grey levels.
    factor : int
        Side of a block, at least 1.
    scale : float
        Factor applied to the means (1/255 takes 8-bit levels to [0, 1]).

    Returns
    -------
    ndarray of float32, shape (H // factor, W // factor)
        Pixel ``(i, j)`` is the block of rows ``i * factor`` to
        ``(i + 1) * factor - 1`` and the same columns; rows and columns
        left over at the bottom and right are left out.
    """
    height = image.shape[0] // factor
    width = image.shape[1] // factor
    used = width * factor
    out = np.empty((height, width), dtype=np.float32)
    rows = np.empty(used, dtype=np.float32)  # the block rows' sums, column by column (exact for 8-bit pixels)
    weight = scale / (factor * factor)
    for i in range(height):
        rows[:] = 0.0
        for r in range(i * factor, (i + 1) * factor):
            for c in range(used):
                rows[c] += image[r, c]
        for j in range(width):
            out[i, j] = 0.0
        for k in range(factor):
            for j in range(width):
                out[i, j] += rows[j * factor + k]
        for j in range(width):
            out[i, j] *= weight
    return out


def block_means_reference(image, factor, scale):
    """Plain twin of :func:`block_means`: a reshape and a mean in float64."""
    height, width = image.shape[0] // factor, image.shape[1] // factor
    blocks = np.asarray(image, dtype=np.float64)[: height * factor, : width * factor]
    return (blocks.reshape(height, factor, width, factor).mean(axis=(1, 3)) * scale).astype(np.float32)
