"""Regions: what the localizers found, merged across localizers, and the scanlines that cross them."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from ..pyramid import Pyramid
from ..results import Region
from ..scanning import LOCALIZERS, MODEL_LOCALIZER, localize
from ..scanline import Scanline, find_extents, sample_profile

__all__ = ["localizer_names", "locate", "region_scanlines", "region_level", "whole_image_regions", "covers", "same_place", "inside", "CODE_REACH", "WHOLE_CODE"]


def localizer_names(localizer: str | Sequence[str], model=None) -> list[str]:
    """The localizers named by ``read``'s ``localizer`` argument, checked.

    Raises
    ------
    InvalidArgumentError
        If no localizer or an unknown one is named, or ``model`` is given
        without the one localizer that takes it.
    """
    names = [localizer] if isinstance(localizer, str) else list(localizer)
    if not names:
        raise InvalidArgumentError("localizer must name at least one localizer")
    unknown = [name for name in names if not isinstance(name, str) or name not in LOCALIZERS]
    if unknown:
        raise InvalidArgumentError(f"localizer must name localizers among {sorted(LOCALIZERS)}, got {unknown[0]!r}")
    if model is not None and MODEL_LOCALIZER not in names:
        raise InvalidArgumentError(f"model is only used by localizer {MODEL_LOCALIZER!r}, not by {names}")
    return names


def locate(picture: Pyramid, names: Sequence[str], model=None) -> list[Region]:
    """Regions of the named localizers, in order, less those an earlier one already found (:func:`same_place`).

    The localizers work on the pyramid level
    :meth:`~barreader.pyramid.Pyramid.localizing_level` picks, so that a
    large image is never localized at full resolution; their regions
    come back in original pixels.
    """
    k = picture.localizing_level()
    gray = picture.level(k)
    found: list[Region] = []
    for name in names:
        regions = [enlarged(r, 2.0**k) for r in localize(gray, name, model)]
        found += [r for r in regions if not any(same_place(r, earlier) for earlier in found)]
    return found


def enlarged(region: Region, factor: float) -> Region:
    """A region found on a level reduced ``factor`` times, in original pixels (the score as if found there)."""
    if factor == 1.0:
        return region
    return Region((np.asarray(region.polygon) + 0.5) * factor - 0.5, region.angle, region.score * factor * factor,
                  region.module_size * factor)


CODE_REACH = 120.0  # modules: an EAN-13 (95) and its quiet zones (2 x 11, rounded up)


WHOLE_CODE = 45.0  # modules: a region at least this long holds a whole code (a UPC-E is 51)


def region_scanlines(gray: np.ndarray, region: Region, count: int, extra: float = 0.0,
                     factor: float = 1.0) -> list[Scanline]:
    """Parallel scanlines across a region's bars, centre first, extended past its ends.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        The image, or a level of its pyramid reduced ``factor`` times
        (:meth:`barreader.pyramid.Pyramid.level`).
    region : Region
        In original-image pixels.
    count : int
        Scanlines wanted.
    extra : float
        Original-image pixels added to the usual extension at each end.
    factor : float
        How many times ``gray`` is reduced; the lines are sampled on it,
        one sample per reduced pixel, and returned in original pixels.
    """
    poly = np.asarray(region.polygon, dtype=np.float64)
    if factor != 1.0:
        poly = (poly + 0.5) / factor - 0.5
    along = poly[1] - poly[0]
    length = float(np.hypot(*along))
    if length < 4:
        return []
    unit = along / length
    across = poly[3] - poly[0]
    height = float(np.hypot(*across))
    margin = 0.2 * length + 8.0
    module = region.module_size / factor
    if np.isfinite(module) and module > 0 and length < WHOLE_CODE * module:
        # The region holds only part of a code (a localizer's box cut
        # short): reach far enough for a whole 95-module code and its quiet
        # zones to be on the scanline, and hence for its quiet zones to be
        # checked, whatever part of it the region holds. A region as long
        # as a code is not stretched: what lies beyond its quiet zones only
        # confuses the extent finder's module estimate.
        margin = max(margin, CODE_REACH * module - length)
    margin += extra / factor
    h, w = gray.shape
    fractions = [0.5]
    for i in range(1, count):
        step = (i + 1) // 2 / (count + 1)
        fractions.append(0.5 + step if i % 2 else 0.5 - step)
    half_band = max(0.0, min(4.0, height / (4.0 * count)))
    lines = []
    for f in fractions:
        base = poly[0] + f * across
        p0 = base - margin * unit
        p1 = base + (length + margin) * unit
        p0 = np.clip(p0, [0, 0], [w - 1, h - 1])
        p1 = np.clip(p1, [0, 0], [w - 1, h - 1])
        if np.hypot(*(p1 - p0)) < 8:
            continue
        lines.append(sample_profile(gray, p0, p1, half_band).rescaled(factor))
    return lines


def whole_image_regions(gray: np.ndarray) -> list[Region]:
    """The whole image, read along rows and along columns."""
    h, w = gray.shape
    full_rows = Region(np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=float), 0.0, 0.0)
    full_cols = Region(np.array([[0, 0], [0, h - 1], [w - 1, h - 1], [w - 1, 0]], dtype=float), 90.0, 0.0)
    return [full_rows, full_cols]


def covers(segment: tuple[np.ndarray, np.ndarray], region: Region) -> bool:
    """Whether a region's centre lies on a code already read."""
    a0, a1 = segment
    length = float(np.hypot(*(a1 - a0)))
    axis = (a1 - a0) / max(length, 1e-9)
    offset = np.asarray(region.polygon).mean(axis=0) - a0
    along = float(offset @ axis)
    across = abs(float(offset @ np.array([-axis[1], axis[0]])))
    return -0.1 * length <= along <= 1.1 * length and across < 0.5 * length


SAME_ANGLE = 10.0  # degrees within which two regions' reading axes count as one


def same_place(region: Region, earlier: Region) -> bool:
    """Whether a region and an earlier one of about the same angle each hold the other's centre.

    Later localizers are there for the codes earlier ones missed: a region
    that an earlier one already covers adds scanlines (and rival readings
    of their blur) but no code. A small region inside a much larger one
    (a code in a box that also took in its neighbour) is not covered: the
    larger region's scanlines pass through its own middle, not the small
    one's.
    """
    turn = abs(region.angle - earlier.angle) % 180.0
    if min(turn, 180.0 - turn) > SAME_ANGLE:
        return False
    return (inside(np.mean(region.polygon, axis=0), earlier.polygon)
            and inside(np.mean(earlier.polygon, axis=0), region.polygon))


def inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    """Whether an image point lies in (or on) a polygon."""
    return cv2.pointPolygonTest(np.asarray(polygon, dtype=np.float32), (float(point[0]), float(point[1])), False) >= 0


def region_level(picture: Pyramid, region: Region, lines: list[Scanline]) -> int:
    """The pyramid level a region is decoded on, from the module width of the bars its scanlines cross.

    ``lines`` are the region's scanlines on the original image. The width
    is measured on the extent with the most bars among them: the lower
    quartile of its bars' widths (:attr:`barreader.scanline.Extent.module`),
    which blur widens, but at most its length over an EAN-13's 95 modules,
    which a shorter code, or blur splitting a code into several extents,
    makes too small; what is then read on too fine a level must be surer
    to count (see :func:`barreader.stages.templates.scan_regions`).
    :meth:`Pyramid.level_for` turns the width into a level.
    """
    extents = [e for line in lines for e in find_extents(line.profile)[:1]]
    if not extents:
        return 0
    extent = max(extents, key=lambda e: e.n_bars)
    return picture.level_for(min(extent.module, (extent.end - extent.start) / EAN13_MODULES))


EAN13_MODULES = 95  # the longest EAN/UPC code, guards included
