"""Result types returned by :func:`barreader.read` and :func:`barreader.scan`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .errors import InvalidArgumentError
from .formats import Format

__all__ = ["Barcode", "Region", "as_region"]


def _corners_repr(corners: np.ndarray) -> str:
    return "[" + ", ".join(f"({x:.1f}, {y:.1f})" for x, y in corners) + "]"


@dataclasses.dataclass(frozen=True, eq=False)
class Barcode:
    """One decoded barcode.

    Attributes
    ----------
    text : str
        The human-readable digits: UPC-A 12, EAN-13 13, EAN-8 8, UPC-E 8
        (number system, six digits, check digit).
    format : Format
        The symbology. A code whose EAN-13 first digit is 0 is a UPC-A and is
        reported as such when UPC-A is among the requested formats.
    position : ndarray of shape (4, 2)
        Corners (x, y) in pixels of the original image, in reading order:
        start-top, end-top, end-bottom, start-bottom. "Start" is the side of
        the start guard; the box spans the bars from the first to the last
        module and the full bar height found in the image.
    orientation : float
        Reading direction in degrees, clockwise from the +x axis as the image
        is displayed (y down): 0 reads left to right, 90 top to bottom,
        180 right to left (upside down).
    quality : float
        Confidence in [0, 1]; see the Notes of :func:`barreader.read`.
    extra : dict
        Further facts: ``"gtin13"`` (the GTIN left-padded with zeros to 13
        digits, as GS1 does for GTIN-8 and GTIN-12),
        ``"upca"`` for UPC-E (its UPC-A expansion), ``"scanlines"`` (how many
        scanlines agreed), ``"posterior"``, ``"module_size"`` (pixels) and
        ``"decoder"`` (``"templates"``, or ``"blurred"`` when only the
        blurred-model decoder read it).
    """

    text: str
    format: Format
    position: np.ndarray
    orientation: float
    quality: float
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Barcode(text={self.text!r}, format={self.format.value!r}, "
            f"position={_corners_repr(self.position)}, orientation={self.orientation:.1f}, "
            f"quality={self.quality:.3f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python view of the result (for JSON)."""
        return {
            "text": self.text,
            "format": self.format.value,
            "position": [[float(x), float(y)] for x, y in self.position],
            "orientation": float(self.orientation),
            "quality": float(self.quality),
            "extra": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self.extra.items()},
        }


@dataclasses.dataclass(frozen=True, eq=False)
class Region:
    """Where a barcode probably is, before decoding.

    Attributes
    ----------
    polygon : ndarray of shape (4, 2)
        Corners (x, y) in pixels of the original image. Edges 0-1 and 2-3 run
        across the bars (along the reading axis); edges 1-2 and 3-0 run along
        the bars.
    angle : float
        Direction of edge 0-1 in degrees, clockwise from +x (y down), in
        [0, 180): the axis along which scanlines cross the bars.
    score : float
        Localizer-specific strength; larger is more likely a barcode. Only
        the order of scores is meaningful across images.
    module_size : float
        Estimated width of one module (narrowest bar) in pixels, or NaN when
        unknown.
    """

    polygon: np.ndarray
    angle: float
    score: float
    module_size: float = float("nan")

    def __repr__(self) -> str:
        return (
            f"Region(polygon={_corners_repr(self.polygon)}, angle={self.angle:.1f}, "
            f"score={self.score:.3g}, module_size={self.module_size:.2f})"
        )


def as_region(region) -> Region:
    """A :class:`Region` from a Region or from a (4, 2) array of corners (edge 0-1 along the reading direction).

    Raises
    ------
    InvalidArgumentError
        If ``region`` is neither.
    """
    if isinstance(region, Region):
        return region
    polygon = np.asarray(region, dtype=np.float64)
    if polygon.shape != (4, 2) or not np.isfinite(polygon).all():
        raise InvalidArgumentError(f"a region must be a Region or a (4, 2) array of finite corners, got shape {polygon.shape}")
    along = polygon[1] - polygon[0]
    return Region(polygon, math.degrees(math.atan2(along[1], along[0])) % 180.0, 0.0)
