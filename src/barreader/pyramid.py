"""One image at the resolutions the reader's stages ask for, each made once.

The sweep reads 8-bit grey pixels as they come (no conversion); the other
stages read float32 grey in [0, 1]; the localizers read copies reduced by
area averaging so that their long side is at most a working size, which
keeps a large image from ever being localized at full resolution. Every
level is made when a stage first asks for it and shared by every stage
after; positions are always given in the original image's pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from .image import as_array, grey_bytes, normalize

__all__ = ["Pyramid"]


class Pyramid:
    """An image and its levels.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str or os.PathLike
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
        self._levels: dict[int, tuple[np.ndarray, float]] = {}

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the original image."""
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

    def level(self, long_side: int) -> tuple[np.ndarray, float]:
        """The grey image reduced (area averaging) so that its long side is at most ``long_side``, and the factor used.

        The original (factor 1) when it is no larger.
        """
        if long_side not in self._levels:
            gray = self.gray
            scale = min(1.0, long_side / max(gray.shape))
            reduced = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
            self._levels[long_side] = (reduced, scale)
        return self._levels[long_side]
