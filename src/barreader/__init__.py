"""barreader: read 1D barcodes from camera images without binarizing them."""

from .errors import BarreaderError, InvalidArgumentError, InvalidImageError
from .formats import Format

__version__ = "0.1.0"

__all__ = [
    "BarreaderError",
    "Format",
    "InvalidArgumentError",
    "InvalidImageError",
    "__version__",
]

from .code39_reader import Code39ReadOptions  # noqa: E402
from .reader import ReaderOptions, read  # noqa: E402
from .results import Barcode, Region  # noqa: E402
from .scan import scan  # noqa: E402

__all__ += ["Barcode", "Code39ReadOptions", "ReaderOptions", "Region", "read", "scan"]
