"""Input normalization: any supported image → float32 grey in [0, 1].

Accepted inputs
---------------
* numpy arrays of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) and any
  real dtype (bool, integers, floats). Three- and four-channel arrays are
  taken in OpenCV's order, BGR and BGRA (alpha is ignored).
* PIL images (any mode).
* file paths (``str`` or ``os.PathLike``) of anything OpenCV or Pillow opens.
* the encoded bytes of such a file: ``bytes``, ``bytearray``, a one-byte-wide
  one-dimensional buffer (``memoryview``), or a binary file object with
  ``read()`` (``io.BytesIO``, an open file), read to its end.
* any other object numpy turns into an array (the buffer protocol,
  ``__array__``, ``__array_interface__``), taken as pixels.

Grey values are rescaled to [0, 1]: integer dtypes by their full range, floats
and other inputs by their own minimum and maximum (the decoders are invariant
to contrast and offset, so this loses nothing).
"""

from __future__ import annotations

import os

import numpy as np

from .errors import InvalidImageError

__all__ = ["to_gray", "as_array", "normalize", "grey_bytes", "MAX_PIXELS"]

MAX_PIXELS = 1 << 26  # 67 megapixels; larger inputs should be downscaled by the caller

_BGR_WEIGHTS = np.array([0.114, 0.587, 0.299], dtype=np.float32)


def to_gray(image: object) -> np.ndarray:
    """Convert a supported image to a float32 grey array in [0, 1].

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        See the module docstring for what is accepted.

    Returns
    -------
    ndarray of float32, shape (H, W)

    Raises
    ------
    InvalidImageError
        If the type, shape, dtype, size or values cannot be used.
    FileNotFoundError
        If a path does not exist.
    """
    return normalize(as_array(image))


def as_array(image: object) -> np.ndarray:
    """The pixels of a supported image as given: a file decoded, a PIL image's array, an array as it is.

    Raises
    ------
    InvalidImageError
        If ``image`` is of no supported type or a file cannot be decoded.
    FileNotFoundError
        If a path does not exist.
    """
    if isinstance(image, (str, os.PathLike)):
        return _load_path(os.fspath(image))
    if _is_pil_image(image):
        return _from_pil(image)
    if isinstance(image, np.ndarray):
        return image
    if isinstance(image, (bytes, bytearray)):
        return _decode(np.frombuffer(image, dtype=np.uint8), "bytes")
    if isinstance(image, memoryview) and image.ndim == 1 and image.itemsize == 1:
        return _decode(np.frombuffer(image, dtype=np.uint8), "buffer")
    if callable(getattr(image, "read", None)):
        data = image.read()
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidImageError(f"image file object must be opened in binary mode, read() gave {type(data).__name__}")
        return _decode(np.frombuffer(data, dtype=np.uint8), getattr(image, "name", type(image).__name__))
    if hasattr(image, "__array_interface__") or hasattr(image, "__array__") or isinstance(image, memoryview):
        return np.asarray(image)
    raise InvalidImageError(
        "image must be a numpy array, a PIL image, a file path, encoded bytes or a binary file object, "
        f"got {type(image).__name__}"
    )


def grey_bytes(array: np.ndarray) -> np.ndarray | None:
    """A 2-D uint8 array ready for the kernels as it is (C order), checked like :func:`normalize`; else None."""
    if not (isinstance(array, np.ndarray) and array.dtype == np.uint8 and array.ndim == 2):
        return None
    _check_shape(array)
    if not array.flags.writeable:
        return array.copy()  # numba compiles read-only arrays apart: one kernel for every 8-bit image
    return np.ascontiguousarray(array)


def _is_pil_image(obj: object) -> bool:
    # Checked by module name so that Pillow is not imported just to ask.
    return type(obj).__module__.startswith("PIL.") and hasattr(obj, "mode") and hasattr(obj, "convert")


def _from_pil(image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F", "L", "1"):
        return np.asarray(image)
    if image.mode in ("P", "PA", "LA", "RGBA"):
        image = image.convert("RGBA").convert("L")
    else:
        image = image.convert("L")
    return np.asarray(image)


def _decode_quietly(cv2, data: np.ndarray) -> np.ndarray | None:
    """``cv2.imdecode`` to grey, without OpenCV's own log lines for a file it cannot decode (None is the answer)."""
    logging = cv2.utils.logging
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    finally:
        logging.setLogLevel(level)


def _load_path(path: str) -> np.ndarray:
    if not os.path.exists(path):
        raise FileNotFoundError(f"image file not found: {path!r}")
    if os.path.isdir(path):
        raise InvalidImageError(f"image path is a directory, not a file: {path!r}")
    return _decode(np.fromfile(path, dtype=np.uint8), f"image file {path!r}")


def _decode(data: np.ndarray, what: str) -> np.ndarray:
    """The pixels of an encoded image (OpenCV, then Pillow); ``what`` names it in the error."""
    import cv2

    array = _decode_quietly(cv2, data) if data.size else None
    if array is None and data.size:
        try:
            import io

            from PIL import Image
        except ImportError:  # pragma: no cover - Pillow is a dependency
            Image = None
        if Image is not None:
            try:
                with Image.open(io.BytesIO(data.tobytes())) as pil:
                    array = _from_pil(pil)
            except Exception:
                array = None
    if array is None:
        raise InvalidImageError(f"cannot decode {what}: not an image format OpenCV or Pillow reads")
    return array


def _check_shape(array: np.ndarray) -> None:
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise InvalidImageError(
            f"image dtype must be real (bool, integer or float), got {array.dtype}"
        )
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        pass
    elif array.ndim != 2:
        raise InvalidImageError(
            f"image must be 2-D (H, W) or 3-D (H, W, C) with C in 1, 3, 4; got shape {array.shape}"
        )
    if array.size == 0:
        raise InvalidImageError(f"image is empty (shape {array.shape})")
    height, width = array.shape[:2]
    if height * width > MAX_PIXELS:
        raise InvalidImageError(
            f"image has {height * width} pixels ({width}x{height}), more than the limit of "
            f"{MAX_PIXELS}; downscale it first"
        )


def normalize(array: np.ndarray) -> np.ndarray:
    """An array of :func:`as_array` as float32 grey in [0, 1] (see the module docstring); raises InvalidImageError."""
    _check_shape(array)
    source = array.dtype
    kind = source.kind
    if array.ndim == 3:
        channels = array.shape[2]
        if channels == 1:
            array = array[:, :, 0]
        else:
            array = array[:, :, :3].astype(np.float32) @ _BGR_WEIGHTS
    gray = array.astype(np.float32, copy=False)
    if kind == "f" and not np.isfinite(gray).all():
        bad = int(np.count_nonzero(~np.isfinite(gray)))
        raise InvalidImageError(f"image contains {bad} non-finite values (NaN or infinity)")
    if kind == "b":
        return gray.astype(np.float32)
    if kind == "u":
        low, high = 0.0, float(np.iinfo(source).max)
    else:
        low, high = float(gray.min()), float(gray.max())
    if high <= low:
        return np.full(gray.shape, 0.5, dtype=np.float32)
    return ((gray - np.float32(low)) * np.float32(1.0 / (high - low))).astype(np.float32)
