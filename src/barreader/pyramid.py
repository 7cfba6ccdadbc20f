"""One image in the forms the reader's stages ask for, each made once.

The sweep reads 8-bit grey pixels as they come (no conversion); the other
stages read float32 grey in [0, 1], made when a stage first asks for it
and shared by every stage after.
"""

from __future__ import annotations

import numpy as np

from .image import as_array, grey_bytes, normalize

__all__ = ["Pyramid"]


class Pyramid:
    """An image and its grey forms.

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
