"""Reader adapters and text normalization for the benchmarks.

Every reader is wrapped in a small object with a ``name``, an ``available``
flag with a ``reason`` when it is not, a ``version`` string and a
``read(gray) -> list[(text, family)]`` method. ``family`` is one of the
symbology keys below (``"upca"``, ``"ean13"``, ``"ean8"``, ``"upce"``,
``"code39"``), so results of different readers can be compared.

Text conventions differ between readers and between test sets (UPC-A as 12
digits or as 13 with a leading 0, UPC-E as 8 digits or as its GTIN-13
expansion, EAN-13 with add-on digits appended). :func:`normalize_text` maps
every EAN/UPC text to one form:

* UPC-A, EAN-13 and UPC-E compare as GTIN-13 (13 digits).
* EAN-8 stays 8 digits.
* Add-ons: a UPC-A/EAN-13 text of 15 or 18 digits (13 + 2 or 5) or of 14 or
  17 digits (12 + 2 or 5) is compared on its main symbol only; the add-on
  digits are dropped. The benchmarks do not score add-on reading.

Adding a symbology means adding one row to :data:`FORMAT_OPTIONS` (and, for
barreader, the matching ``barreader.Format`` member).
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Symbology keys of the EAN/UPC family, in the order they are listed.
UPCEAN = ("upca", "ean13", "ean8", "upce")

#: Every symbology key the harness knows.
SYMBOLOGIES = UPCEAN + ("code39",)

#: Per symbology key, the format option each reader takes (None: unsupported).
FORMAT_OPTIONS: dict[str, dict[str, str | None]] = {
    #          barreader Format value, zxingcpp.BarcodeFormat, pyzbar ZBarSymbol, OpenCV type string
    "upca": {"barreader": "UPC-A", "zxing-cpp": "UPCA", "zbar": "UPCA", "opencv": "UPC_A"},
    "ean13": {"barreader": "EAN-13", "zxing-cpp": "EAN13", "zbar": "EAN13", "opencv": "EAN_13"},
    "ean8": {"barreader": "EAN-8", "zxing-cpp": "EAN8", "zbar": "EAN8", "opencv": "EAN_8"},
    "upce": {"barreader": "UPC-E", "zxing-cpp": "UPCE", "zbar": "UPCE", "opencv": "UPC_E"},
    "code39": {"barreader": "Code39", "zxing-cpp": "Code39", "zbar": "CODE39", "opencv": None},
}

#: Reader names in their default order.
READER_NAMES = ("barreader", "zxing-cpp", "zbar", "opencv")  # the default set
# Effort levels of barreader, selectable with --readers: "barreader-fast" and "barreader-thorough"
# ("barreader" is the default, normal effort). Ablations: "barreader-templates"
# (no blur stages), "barreader-deblur" (no blurred-model decoder) and
# "barreader-gradient", "barreader-quagga" and "barreader-onnx" (one localizer alone).

# Extra result labels that belong to a known family (zxing-cpp has Code 39 variants).
_EXTRA_LABELS = {"zxing-cpp": {"Code39Std": "code39", "Code39Ext": "code39"}}


def use_checkout_barreader() -> None:
    """Put this checkout's ``src/`` first on ``sys.path``.

    The benchmarks measure the code in the working tree, not whatever version
    of barreader may be installed elsewhere.
    """
    src = REPO_ROOT / "src"
    if (src / "barreader").is_dir() and str(src) not in sys.path:
        sys.path.insert(0, str(src))


use_checkout_barreader()

_upce_to_upca: Callable[[str], str] | None = None


def _expand_upce(text: str) -> str:
    """Expand an 8-digit UPC-E to UPC-A with barreader's own table."""
    global _upce_to_upca
    if _upce_to_upca is None:
        use_checkout_barreader()
        try:
            from barreader.symbology.upcean import upce_to_upca
        except Exception as exc:  # noqa: BLE001 - any import failure is reported the same way
            raise RuntimeError(
                "comparing UPC-E texts needs barreader.symbology.upcean.upce_to_upca, "
                f"which could not be imported: {exc!r}"
            ) from exc
        _upce_to_upca = upce_to_upca
    return _upce_to_upca(text)


def normalize_text(text: str, family: str) -> str:
    """Bring a barcode text to the form used for comparisons.

    Parameters
    ----------
    text : str
        Text as a reader returned it or as a manifest lists it.
    family : str
        Symbology key (``"upca"``, ``"ean13"``, ``"ean8"``, ``"upce"``,
        ``"code39"``, ...). Unknown keys only get whitespace stripped.

    Returns
    -------
    str
        UPC-A, EAN-13 and UPC-E as 13 digits (GTIN-13), EAN-8 as 8 digits,
        anything else with surrounding whitespace removed. Add-on digits
        after a UPC-A/EAN-13 are dropped (see the module docstring).

    Examples
    --------
    >>> normalize_text("036602301467", "upca")
    '0036602301467'
    >>> normalize_text("01234565", "upce")
    '0012345000065'
    >>> normalize_text("978073520044951299", "ean13")
    '9780735200449'
    """
    text = text.strip()
    if family not in UPCEAN or not text.isdigit():
        return text
    n = len(text)
    if family == "ean8":
        return text
    if family == "upce":
        if n == 8:
            return "0" + _expand_upce(text)
        return "0" + text if n == 12 else text
    if n in (15, 18):  # GTIN-13 + 2- or 5-digit add-on
        return text[:13]
    if n in (14, 17):  # 12-digit UPC-A + 2- or 5-digit add-on
        text = text[:12]
        n = 12
    return "0" + text if n == 12 else text


def has_addon(text: str, family: str) -> bool:
    """True if ``text`` carries add-on digits that :func:`normalize_text` drops."""
    text = text.strip()
    return family in ("upca", "ean13") and text.isdigit() and len(text) in (14, 15, 17, 18)


class Reader:
    """A barcode reader restricted to some symbologies.

    Parameters
    ----------
    symbologies : sequence of str
        Symbology keys to read; the reader is told to look for these only.

    Attributes
    ----------
    name : str
        Short name used on the command line and in tables.
    available : bool
        False if the reader's package or library is missing.
    reason : str
        Why the reader is unavailable (empty when available).
    version : str
        Version string for the report.
    unsupported : list of str
        Requested symbology keys this reader cannot read.
    """

    name = "reader"
    #: Key of :data:`FORMAT_OPTIONS` when it differs from ``name`` (variants of one reader).
    option_name: str | None = None

    def __init__(self, symbologies: Sequence[str]) -> None:
        self.symbologies = list(symbologies)
        self.available = False
        self.reason = ""
        self.version = "?"
        self.unsupported: list[str] = []
        self._options: dict[str, str] = {}
        try:
            self._setup()
        except Exception as exc:  # noqa: BLE001 - a broken reader is skipped, not fatal
            self.available = False
            self.reason = self.reason or f"{type(exc).__name__}: {exc}"

    def _split_options(self, supported: Callable[[str], bool] = lambda opt: True) -> None:
        """Fill ``_options`` (key -> option) and ``unsupported`` for this reader."""
        for key in self.symbologies:
            option = FORMAT_OPTIONS.get(key, {}).get(self.option_name or self.name)
            if option is None or not supported(option):
                self.unsupported.append(key)
            else:
                self._options[key] = option
        self._family_of = {opt: key for key, opt in self._options.items()}
        self._family_of.update(_EXTRA_LABELS.get(self.option_name or self.name, {}))

    def _setup(self) -> None:
        raise NotImplementedError

    def read(self, gray: np.ndarray) -> list[tuple[str, str]]:
        """Read every barcode in a grayscale image.

        Parameters
        ----------
        gray : ndarray of uint8, shape (H, W)

        Returns
        -------
        list of (str, str)
            ``(text, family)`` per result, text as the reader gives it.
        """
        raise NotImplementedError

    def _keep(self, family: str | None) -> bool:
        """Whether a result family was asked for (UPC-A and EAN-13 count as one)."""
        if family is None:
            return False
        if family in self._options:
            return True
        pair = {"upca", "ean13"}
        return family in pair and bool(pair & set(self._options))


class BarreaderReader(Reader):
    """barreader, through ``barreader.read(image, formats=...)``."""

    name = "barreader"
    option_name = "barreader"
    #: Keyword arguments of ``barreader.ReaderOptions`` / ``DecoderOptions`` (ablations).
    reader_options: dict = {}
    decoder_options: dict = {}
    #: Keyword arguments of ``barreader.read`` itself (e.g. the localizer).
    read_options: dict = {}

    def _setup(self) -> None:
        use_checkout_barreader()
        try:
            import barreader
        except Exception as exc:  # noqa: BLE001
            self.reason = f"cannot import barreader: {exc!r}"
            return
        self.version = f"{getattr(barreader, '__version__', '?')} ({Path(barreader.__file__).parent})"
        if not callable(getattr(barreader, "read", None)):
            self.reason = "barreader.read does not exist in this checkout yet"
            return
        known = {getattr(f, "value", str(f)) for f in getattr(barreader, "Format", [])}
        self._split_options(lambda opt: not known or opt in known)
        self._read = barreader.read
        self._formats = list(self._options.values())
        self._reader_options = None
        if self.reader_options or self.decoder_options:
            from barreader.decode.upcean import DecoderOptions

            self._reader_options = barreader.ReaderOptions(
                decoder=DecoderOptions(**self.decoder_options), **self.reader_options
            )
        self.available = True

    def read(self, gray: np.ndarray) -> list[tuple[str, str]]:  # noqa: D102 - see Reader.read
        if not self._formats:
            return []
        out = []
        for code in self._read(gray, formats=self._formats, options=self._reader_options, **self.read_options):
            label = getattr(code.format, "value", str(code.format))
            family = self._family_of.get(label)
            if self._keep(family):
                out.append((code.text, family))
        return out


class BarreaderFast(BarreaderReader):
    """barreader at ``effort="fast"``: the fast decoder's sweep alone."""

    name = "barreader-fast"
    read_options = {"effort": "fast"}


class BarreaderThorough(BarreaderReader):
    """barreader at ``effort="thorough"``: every stage on every region."""

    name = "barreader-thorough"
    read_options = {"effort": "thorough"}


class BarreaderTemplatesOnly(BarreaderReader):
    """barreader with its two blur stages off: the deformable templates alone."""

    name = "barreader-templates"
    reader_options = {"blurred_scanlines": 0}
    decoder_options = {"deblur": False}


class BarreaderNoBlurredModel(BarreaderReader):
    """barreader with deconvolution but without the blurred-model decoder."""

    name = "barreader-deblur"
    reader_options = {"blurred_scanlines": 0}


class BarreaderGradientOnly(BarreaderReader):
    """barreader with the gradient-energy localizer alone (no QuaggaJS regions)."""

    name = "barreader-gradient"
    read_options = {"localizer": "gradient"}


class BarreaderQuaggaOnly(BarreaderReader):
    """barreader with the QuaggaJS-style localizer alone."""

    name = "barreader-quagga"
    read_options = {"localizer": "quagga"}


class BarreaderOnnxOnly(BarreaderReader):
    """barreader with the segmentation network's localizer alone (needs onnxruntime)."""

    name = "barreader-onnx"
    read_options = {"localizer": "onnx"}


class ZxingCppReader(Reader):
    """zxing-cpp's Python module, default options except ``formats``."""

    name = "zxing-cpp"

    def _setup(self) -> None:
        try:
            import zxingcpp
        except Exception as exc:  # noqa: BLE001
            self.reason = f"zxing-cpp is not installed (import zxingcpp: {exc})"
            return
        self.version = getattr(zxingcpp, "__version__", None) or _dist_version("zxing-cpp")
        fmt = zxingcpp.BarcodeFormat
        self._split_options(lambda opt: hasattr(fmt, opt))
        members = [getattr(fmt, opt) for opt in self._options.values()]
        self._zx = zxingcpp
        self._formats = None
        if members:
            # zxing-cpp 3 takes a sequence; older versions combine flags with |.
            probe = np.zeros((8, 8), np.uint8)
            try:
                zxingcpp.read_barcodes(probe, formats=tuple(members))
                self._formats = tuple(members)
            except TypeError:
                combined = members[0]
                for m in members[1:]:
                    combined = combined | m
                self._formats = combined
        self.available = True

    def read(self, gray: np.ndarray) -> list[tuple[str, str]]:  # noqa: D102 - see Reader.read
        if self._formats is None:
            return []
        out = []
        for code in self._zx.read_barcodes(gray, formats=self._formats):
            family = self._family_of.get(code.format.name)
            if self._keep(family):
                out.append((code.text, family))
        return out


class ZbarReader(Reader):
    """ZBar through pyzbar, with only the benchmarked symbols enabled."""

    name = "zbar"

    def _setup(self) -> None:
        try:
            from pyzbar import pyzbar
        except Exception as exc:  # noqa: BLE001 - ImportError, or OSError without libzbar
            self.reason = f"pyzbar/libzbar unavailable ({type(exc).__name__}: {exc})"
            return
        self.version = f"pyzbar {_dist_version('pyzbar')}, libzbar {_zbar_library_version()}"
        self._split_options(lambda opt: hasattr(pyzbar.ZBarSymbol, opt))
        self._symbols = [getattr(pyzbar.ZBarSymbol, opt) for opt in self._options.values()]
        self._decode = pyzbar.decode
        self.available = True

    def read(self, gray: np.ndarray) -> list[tuple[str, str]]:  # noqa: D102 - see Reader.read
        if not self._symbols or gray.shape[0] < 1 or gray.shape[1] < 1:
            return []
        out = []
        for code in self._decode(np.ascontiguousarray(gray), symbols=self._symbols):
            family = self._family_of.get(code.type)
            if self._keep(family):
                out.append((code.data.decode("utf-8", errors="replace"), family))
        return out


class OpenCVReader(Reader):
    """OpenCV's ``cv2.barcode.BarcodeDetector``.

    OpenCV 5's ``detectAndDecodeMulti`` returns ``(ok, texts, points,
    straight_codes)`` without the symbology, so this adapter calls
    ``detectAndDecodeWithType``, which returns ``(ok, texts, types, points)``
    for every detected code. The detector cannot be limited to some
    symbologies; results of other types are dropped afterwards, and entries
    with an empty text (detected, not decoded) are ignored.
    """

    name = "opencv"

    def _setup(self) -> None:
        try:
            import cv2
        except Exception as exc:  # noqa: BLE001
            self.reason = f"OpenCV is not installed (import cv2: {exc})"
            return
        self.version = cv2.__version__
        if not hasattr(cv2, "barcode") or not hasattr(cv2.barcode, "BarcodeDetector"):
            self.reason = f"this OpenCV ({cv2.__version__}) has no cv2.barcode.BarcodeDetector"
            return
        self._detector = cv2.barcode.BarcodeDetector()
        if not hasattr(self._detector, "detectAndDecodeWithType"):
            self.reason = f"this OpenCV ({cv2.__version__}) lacks BarcodeDetector.detectAndDecodeWithType"
            return
        self._split_options()
        self.available = True

    def read(self, gray: np.ndarray) -> list[tuple[str, str]]:  # noqa: D102 - see Reader.read
        if not self._options:
            return []
        _, texts, types, _ = self._detector.detectAndDecodeWithType(gray)
        out = []
        for text, kind in zip(texts, types):
            family = self._family_of.get(kind)
            if text and self._keep(family):
                out.append((text, family))
        return out


_READER_CLASSES = {
    cls.name: cls
    for cls in (BarreaderReader, ZxingCppReader, ZbarReader, OpenCVReader, BarreaderFast, BarreaderThorough,
                BarreaderTemplatesOnly, BarreaderNoBlurredModel, BarreaderGradientOnly, BarreaderQuaggaOnly, BarreaderOnnxOnly)
}
ALL_READER_NAMES = tuple(_READER_CLASSES)


def make_readers(names: Iterable[str], symbologies: Sequence[str]) -> list[Reader]:
    """Build reader adapters.

    Parameters
    ----------
    names : iterable of str
        Reader names from :data:`READER_NAMES`.
    symbologies : sequence of str
        Symbology keys from :data:`SYMBOLOGIES`.

    Returns
    -------
    list of Reader
        One per name, available or not (check ``.available``).

    Raises
    ------
    ValueError
        For an unknown reader name.
    """
    readers = []
    for name in names:
        if name not in _READER_CLASSES:
            raise ValueError(f"unknown reader {name!r}; known: {', '.join(_READER_CLASSES)}")
        readers.append(_READER_CLASSES[name](symbologies))
    return readers


def timed_read(reader: Reader, gray: np.ndarray, repeat: int = 1) -> dict:
    """Run a reader ``repeat`` times on one image, catching its exceptions.

    Parameters
    ----------
    reader : Reader
    gray : ndarray of uint8, shape (H, W)
    repeat : int
        Number of runs; the median time is reported.

    Returns
    -------
    dict
        ``results`` (list of (text, family) from the first run), ``ms``
        (median milliseconds), ``ms_runs`` (every run) and ``error`` (the
        exception as text, or None; on an error the run stops there).
    """
    results: list[tuple[str, str]] = []
    times: list[float] = []
    error = None
    for i in range(max(1, repeat)):
        start = time.perf_counter()
        try:
            got = reader.read(gray)
        except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
            times.append((time.perf_counter() - start) * 1e3)
            error = f"{type(exc).__name__}: {exc}"
            break
        times.append((time.perf_counter() - start) * 1e3)
        if i == 0:
            results = got
    return {"results": results, "ms": float(np.median(times)), "ms_runs": times, "error": error}


def _dist_version(dist: str) -> str:
    """Installed version of a distribution, or ``"?"``."""
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001
        return "?"


def _zbar_library_version() -> str:
    """Version of the loaded libzbar, or ``"?"``.

    ``zbar_version`` takes (major, minor) pointers in old releases and
    (major, minor, patch) since 0.23; passing three is safe for both.
    """
    try:
        from pyzbar import wrapper

        func = wrapper.load_libzbar().zbar_version
        func.restype = ctypes.c_int
        parts = [ctypes.c_uint(0) for _ in range(3)]
        func(*(ctypes.byref(p) for p in parts))
        return ".".join(str(p.value) for p in parts)
    except Exception:  # noqa: BLE001
        return "?"


def versions(readers: Iterable[Reader]) -> dict[str, str]:
    """Version string per reader (with the reason if it is unavailable)."""
    return {r.name: r.version if r.available else f"unavailable: {r.reason}" for r in readers}
