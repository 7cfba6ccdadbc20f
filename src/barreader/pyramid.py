"""One image in the forms the reader's stages ask for, each made once: grey levels and a pyramid of scales.

The sweep reads 8-bit grey pixels as they come (no conversion); the other
stages read float32 grey in [0, 1], made when a stage first asks for it
and shared by every stage after. Level ``k`` of the pyramid is that grey
image reduced ``2**k`` times, the means of its ``2**k`` x ``2**k``
blocks, taken straight from the pixels as they came (an 8-bit image is
never converted whole to reach a reduced level): the localizers work on the level whose long side is nearest
above their working size, and the template decoder reads each region on
the level where its modules are 1.25-2.5 pixels wide (:meth:`Pyramid.level_for`),
the widths it was built and fitted for. Every stage reports positions in
the original image's pixels.
"""

from __future__ import annotations

import math

import numpy as np

from ._kernels.reduce import block_means
from .image import as_array, grey_bytes, normalize

__all__ = ["Pyramid", "MIN_MODULE", "LOCALIZE_SIZE", "MIN_SIDE"]

MIN_MODULE = 1.25  # pixels: the narrowest module a reduced level may leave the template decoder
LOCALIZE_SIZE = 640  # pixels: the localizers get the smallest level whose long side is at least this
MIN_SIDE = 48  # pixels: no level is reduced below this on its short side


class Pyramid:
    """An image, its grey forms and its reduced levels.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        Anything :func:`barreader.image.to_gray` accepts; checked here.

    Raises
    ------
    InvalidImageError, FileNotFoundError
        As :func:`barreader.image.to_gray`.
    """

    def __init__(self, image: object):
        array = as_array(image)
        self._bytes = grey_bytes(array)
        self._gray = normalize(array) if self._bytes is None else None
        self._levels: dict[int, np.ndarray] = {}

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W) of the original image."""
        return (self._bytes if self._bytes is not None else self._gray).shape

    @property
    def sweepable(self) -> tuple[np.ndarray, float]:
        """The grey levels for the fast decoder's kernels, and the factor taking them to [0, 1]."""
        if self._bytes is not None:
            return self._bytes, 1.0 / 255.0
        return self._gray, 1.0

    @property
    def gray(self) -> np.ndarray:
        """float32 grey in [0, 1], shape (H, W)."""
        if self._gray is None:
            self._gray = self._bytes.astype(np.float32) * np.float32(1.0 / 255.0)
        return self._gray

    def level(self, k: int) -> np.ndarray:
        """float32 grey reduced ``2**k`` times; pixel ``i`` covers original pixels ``[i * 2**k, (i + 1) * 2**k)``.

        Rows and columns left over at the bottom and right are left out.
        Made on first use, from the original pixels, and kept.
        """
        if k == 0:
            return self.gray
        if k not in self._levels:
            source, scale = self.sweepable
            self._levels[k] = block_means(source, 2**k, scale)
        return self._levels[k]

    def deepest(self) -> int:
        """The last level whose short side is still at least :data:`MIN_SIDE` (0 for a small image)."""
        return max(0, int(math.floor(math.log2(max(min(self.shape), 1) / MIN_SIDE))))

    def level_for(self, module: float) -> int:
        """The level at which modules ``module`` original pixels wide are :data:`MIN_MODULE` to twice that.

        Levels are never finer than the original: modules narrower than
        ``2 * MIN_MODULE`` (and an unknown, NaN module) are read at level 0.
        """
        if not module >= 2.0 * MIN_MODULE:
            return 0
        return min(int(math.floor(math.log2(module / MIN_MODULE))), self.deepest())

    def localizing_level(self) -> int:
        """The smallest level whose long side is at least :data:`LOCALIZE_SIZE` (0 for a small image)."""
        k = max(0, int(math.floor(math.log2(max(self.shape) / LOCALIZE_SIZE))))
        return min(k, self.deepest())
