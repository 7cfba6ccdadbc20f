"""Localization only: where the codes in an image are, without decoding them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import InvalidArgumentError
from .image import to_gray
from .localize.gradient import gradient_regions
from .localize.quagga import quagga_regions
from .localize.segmentation import segmentation_regions
from .results import Region

__all__ = ["scan", "LOCALIZERS", "localize"]

# Name -> function of a float32 grey image returning regions, the likeliest codes first.
LOCALIZERS: dict[str, Callable[[np.ndarray], list[Region]]] = {
    "quagga": quagga_regions,
    "gradient": gradient_regions,
    "onnx": segmentation_regions,
}
MODEL_LOCALIZER = "onnx"  # the one localizer that takes a model file


def _check(method) -> None:
    if not isinstance(method, str) or method not in LOCALIZERS:
        raise InvalidArgumentError(f"method must be one of {sorted(LOCALIZERS)}, got {method!r}")


def localize(gray: np.ndarray, method: str, model=None) -> list[Region]:
    """Regions found by the named localizer on a grey image (see :func:`scan`)."""
    _check(method)
    if method == MODEL_LOCALIZER:
        return segmentation_regions(gray, model)
    return LOCALIZERS[method](gray)


def scan(image, *, method: str = "quagga", model=None) -> list[Region]:
    """Find where 1D barcodes are in an image, without decoding them.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        As for :func:`barreader.read`.
    method : {"quagga", "gradient", "onnx"}
        ``"quagga"`` (default): patches of parallel skeleton lines, grouped
        (:mod:`barreader.localize.quagga`); finds codes at any angle.
        ``"gradient"``: horizontal/vertical gradient energy
        (:mod:`barreader.localize.gradient`); codes with vertical or
        horizontal bars only.
        ``"onnx"``: a segmentation network's code mask, cut into connected
        parts (:mod:`barreader.localize.segmentation`); any angle. Needs
        onnxruntime: ``pip install 'barreader[onnx]'``.
    model : str or os.PathLike, optional
        For ``method="onnx"``: an ONNX file to use instead of the model
        shipped with barreader, taking ``(N, 1, H, W)`` grey images in
        [0, 1] and giving ``(N, C, H', W')`` scores, the last channel the
        code class.

    Returns
    -------
    list of Region
        Strongest first (``"onnx"``: the regions of its first cut of the
        network's map, then those only its second, lower cut found); empty
        when nothing bar-like is found. A region's
        ``polygon`` has its edge 0-1 along the reading direction (across the
        bars); pass regions to ``barreader.read(image, regions=...)`` to
        decode them.

    Raises
    ------
    InvalidImageError
        If the image cannot be used.
    InvalidArgumentError
        If ``method`` is unknown, or ``model`` is given for another method
        or is not a usable model file.
    ImportError
        If ``method="onnx"`` and onnxruntime is not installed.

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
    if model is not None and method != MODEL_LOCALIZER:
        raise InvalidArgumentError(f"model is only used by method={MODEL_LOCALIZER!r}, not {method!r}")
    return localize(to_gray(image), method, model)
