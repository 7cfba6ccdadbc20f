"""Results drawn on a copy of the image: each code's box, its reading direction and its text."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .errors import InvalidArgumentError
from .image import as_array, normalize
from .options import positive_int
from .results import Barcode, Region

__all__ = ["draw"]

CODE_COLOUR = (0, 200, 0)  # BGR: a code read
REGION_COLOUR = (0, 140, 255)  # BGR: a region found, not read


def draw(image, items: Iterable[Barcode | Region], *, thickness: int | None = None) -> np.ndarray:
    """A colour copy of ``image`` with results or regions drawn on it.

    Each :class:`~barreader.results.Barcode` gets its box (green), an
    arrow from its start to its end (the reading direction) and its
    format and text; each :class:`~barreader.results.Region` its polygon
    (orange) and an arrow across its bars.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        As for :func:`barreader.read`; a colour image keeps its colours,
        anything else is drawn on its grey levels.
    items : iterable of Barcode or Region
        What :func:`barreader.read` or :func:`barreader.scan` returned.
    thickness : int, optional
        Line width in pixels (default: from the image size).

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)
        BGR, ready for ``cv2.imwrite``; ``image`` is left as it was.

    Raises
    ------
    InvalidImageError
        If the image cannot be used.
    InvalidArgumentError
        If an item is neither a Barcode nor a Region, or ``thickness`` is not positive.

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> image = render_code("036000291452", "UPC-A", px_per_module=2.5, rng=0).image
    >>> drawn = barreader.draw(image, barreader.read(image))
    >>> drawn.shape == image.shape + (3,), drawn.dtype.name
    (True, 'uint8')
    """
    import cv2

    canvas = _colour_copy(as_array(image))
    height, width = canvas.shape[:2]
    if thickness is None:
        thickness = max(1, round(max(height, width) / 400))
    positive_int("thickness", thickness)
    for item in items:
        if isinstance(item, Barcode):
            corners, colour = np.asarray(item.position, dtype=np.float64), CODE_COLOUR
            start, end = (corners[0] + corners[3]) / 2, (corners[1] + corners[2]) / 2
            label = f"{item.format.value} {item.text}"
        elif isinstance(item, Region):
            corners, colour = np.asarray(item.polygon, dtype=np.float64), REGION_COLOUR
            centre, half = corners.mean(axis=0), (corners[1] - corners[0]) / 2
            start, end = centre - half, centre + half
            label = None
        else:
            raise InvalidArgumentError(f"items must be Barcode or Region objects, got {type(item).__name__}")
        if not np.all(np.isfinite(corners)):
            continue
        cv2.polylines(canvas, [np.round(corners).astype(np.int32)], True, colour, thickness, cv2.LINE_AA)
        cv2.arrowedLine(canvas, _point(start), _point(end), colour, thickness, cv2.LINE_AA, tipLength=0.08)
        if label:
            scale = max(0.4, thickness * 0.5)
            top = corners[np.argmin(corners[:, 1])]
            (w, h), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness + 2)
            # Above the box's top corner, kept inside the image.
            origin = (int(np.clip(round(top[0]) - w // 2, 0, max(width - w, 0))),
                      int(np.clip(round(top[1]) - 4 * thickness, h + 2, height - 2)))
            cv2.putText(canvas, label, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
            cv2.putText(canvas, label, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA)
    return canvas


def _colour_copy(array: np.ndarray) -> np.ndarray:
    """The image as a new BGR uint8 array: colour 8-bit images as they are, anything else from its grey levels."""
    import cv2

    if array.ndim == 3 and array.dtype == np.uint8 and array.shape[2] in (3, 4):
        return np.array(array[:, :, :3], order="C")  # always a copy
    grey = np.round(normalize(array) * 255.0).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def _point(xy: np.ndarray) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))
