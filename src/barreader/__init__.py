"""barreader: read 1D barcodes from camera images without binarizing them.

``import barreader`` loads only the names below; the reader, its numba
kernels, OpenCV and SciPy load on first use of :func:`read`, :func:`scan`
and the result types (the way scikit-image loads its subpackages).
"""

from __future__ import annotations

import importlib

from .errors import BarreaderError, InvalidArgumentError, InvalidImageError
from .formats import Format

__version__ = "0.1.0"

# Public name -> module that defines it, imported when the name is first used.
_LAZY = {
    "read": ".reader",
    "read_many": ".batch",
    "draw": ".drawing",
    "read_frames": ".frames",
    "ReaderOptions": ".options",
    "Effort": ".options",
    "Code39ReadOptions": ".code39_reader",
    "scan": ".scanning",
    "Barcode": ".results",
    "Region": ".results",
}

__all__ = ["BarreaderError", "Format", "InvalidArgumentError", "InvalidImageError", "__version__", *_LAZY]


# Submodules that need an optional extra, imported when first used as ``barreader.<name>``.
_OPTIONAL_SUBMODULES = ("dask",)


def __getattr__(name: str):
    if name in _OPTIONAL_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
