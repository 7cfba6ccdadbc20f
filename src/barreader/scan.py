"""Localization only: where the codes in an image are, without decoding them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import InvalidArgumentError
from .image import to_gray
from .localize.gradient import gradient_regions
from .localize.quagga import quagga_regions
from .results import Region

__all__ = ["scan", "LOCALIZERS", "localize"]

# Name -> function of a float32 grey image returning regions, strongest first.
LOCALIZERS: dict[str, Callable[[np.ndarray], list[Region]]] = {
    "quagga": quagga_regions,
    "gradient": gradient_regions,
}


def _check(method) -> None:
    if not isinstance(method, str) or method not in LOCALIZERS:
        raise InvalidArgumentError(f"method must be one of {sorted(LOCALIZERS)}, got {method!r}")


def localize(gray: np.ndarray, method: str) -> list[Region]:
    """Regions found by the named localizer on a grey image (see :func:`scan`)."""
    _check(method)
    return LOCALIZERS[method](gray)


def scan(image, *, method: str = "quagga") -> list[Region]:
    """Find where 1D barcodes are in an image, without decoding them.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str or os.PathLike
        As for :func:`barreader.read`.
    method : {"quagga", "gradient"}
        ``"quagga"`` (default): patches of parallel skeleton lines, grouped
        (:mod:`barreader.localize.quagga`); finds codes at any angle.
        ``"gradient"``: horizontal/vertical gradient energy
        (:mod:`barreader.localize.gradient`); codes with vertical or
        horizontal bars only.

    Returns
    -------
    list of Region
        Strongest first; empty when nothing bar-like is found. A region's
        ``polygon`` has its edge 0-1 along the reading direction (across the
        bars); pass regions to ``barreader.read(image, regions=...)`` to
        decode them.

    Raises
    ------
    InvalidImageError
        If the image cannot be used.
    InvalidArgumentError
        If ``method`` is unknown.

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> image = render_code("036000291452", "UPC-A", px_per_module=3, angle=30, rng=0).image
    >>> regions = barreader.scan(image)
    >>> round(regions[0].angle / 10) * 10
    30
    """
    _check(method)  # before the image is converted
    return localize(to_gray(image), method)
