"""Scanlines: grey profiles across the bars, and where a code may lie on them.

Profile coordinates: sample ``n`` of a profile covers ``[n, n + 1)``, so its
centre is at ``n + 0.5``. A profile sampled from ``p0`` towards ``p1`` maps
profile coordinate ``x`` to the image point ``p0 + (x - 0.5) * u`` with ``u``
the unit step along the line. Image points are (x, y) with pixel centres at
integer coordinates (OpenCV's convention).
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from ._kernels.extents import extents, smoothing_weights
from ._kernels.rows import bar_span
from ._kernels.valleys import valleys

__all__ = ["Scanline", "sample_profile", "Extent", "find_extents", "valley_centres"]


@dataclasses.dataclass(frozen=True)
class Scanline:
    """A profile and the image line it was sampled along."""

    profile: np.ndarray
    origin: np.ndarray  # (x, y) of sample 0's centre
    step: np.ndarray  # (dx, dy) image displacement of one sample
    normal: np.ndarray  # unit vector across the line (band direction)

    def to_image(self, position: float) -> np.ndarray:
        """Image point (x, y) of a profile coordinate."""
        return self.origin + (position - 0.5) * self.step

    def rescaled(self, factor: float) -> Scanline:
        """The same line in the coordinates of an image ``factor`` times larger.

        A line sampled on a pyramid level, whose pixel ``i`` covers pixels
        ``[i * factor, (i + 1) * factor)`` of the original, in original pixels.
        """
        if factor == 1.0:
            return self
        return Scanline(self.profile, (self.origin + 0.5) * factor - 0.5, self.step * factor, self.normal)


def sample_profile(gray: np.ndarray, p0, p1, half_band: float = 0.0) -> Scanline:
    """Sample a grey profile from ``p0`` to ``p1``, averaged across a band.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
    p0, p1 : array_like of 2 floats
        Image points (x, y); one sample per pixel of length along the line.
    half_band : float
        The profile averages bilinear samples on parallel lines at every
        whole-pixel offset up to ``half_band`` on either side.

    Returns
    -------
    Scanline
    """
    p0 = np.asarray(p0, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    length = float(np.hypot(*(p1 - p0)))
    count = max(int(math.floor(length)) + 1, 2)
    step = (p1 - p0) / max(length, 1e-9)
    normal = np.array([-step[1], step[0]])
    offsets = np.arange(-math.floor(half_band), math.floor(half_band) + 1, dtype=np.float64)
    t = np.arange(count, dtype=np.float64)
    xs = p0[0] + t[None, :] * step[0] + offsets[:, None] * normal[0]
    ys = p0[1] + t[None, :] * step[1] + offsets[:, None] * normal[1]
    samples = cv2.remap(
        gray, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Scanline(samples.mean(axis=0, dtype=np.float64), p0, step, normal)


@dataclasses.dataclass(frozen=True)
class Extent:
    """A stretch of a profile that may hold a code.

    Attributes
    ----------
    start, end : float
        Leading edge of the first bar and trailing edge of the last bar
        (profile coordinates), where the profile leaving the quiet zone has
        darkened 35 % of the way to the outermost bars' darkest grey.
    n_bars : int
        Bars (prominent dark valleys) between them.
    sharpness : float
        Median depth of those valleys relative to the quiet-zone-to-darkest
        contrast: near 1 for a sharp code, low when blur merges and fills in
        narrow elements.
    module : float
        The module width (samples) of the whole profile's bars: the lower
        quartile of their half-depth widths.
    """

    start: float
    end: float
    n_bars: int
    sharpness: float
    module: float = math.nan


def _valleys(smooth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bars: prominent local minima of a smoothed profile.

    Returns their sample indices, depths, and left and right half-depth
    crossings (profile coordinates).
    """
    empty = np.empty(0)
    low, high = np.percentile(smooth, [5, 95])
    span = float(high - low)
    if span <= 1e-6:
        return empty.astype(np.int64), empty, empty, empty
    # Noise from the sample-to-sample differences of the flattest tenth.
    noise = float(np.quantile(np.abs(np.diff(smooth)), 0.1)) / 0.126
    prominence = max(0.08 * span, 3.0 * noise)
    centres, depths, left, right = valleys(np.asarray(smooth, dtype=np.float64), prominence)
    # Half-depth crossings, in profile coordinates (sample n's centre is n + 0.5).
    return centres, depths, left + 0.5, right + 0.5


def valley_centres(smooth: np.ndarray) -> np.ndarray:
    """Profile positions (sample ``n``'s centre is ``n + 0.5``) of the bars of a smoothed profile."""
    return _valleys(smooth)[0] + 0.5


def find_extents(profile: np.ndarray, *, min_bars: int = 6, quiet_modules: float = 5.5, max_extents: int = 4) -> list[Extent]:
    """Stretches of a profile dense in bars and bounded by quiet zones.

    Bars are the prominent local minima of the profile. The module width is
    estimated as the lower quartile of the bars' half-depth widths (at
    least a quarter of an EAN/UPC code's bars are one module wide), and two
    neighbouring bars belong to one stretch unless the space between them
    exceeds ``quiet_modules`` modules: inside a code no space is wider than
    4 modules, while quiet zones are 7 modules or more.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
    min_bars : int
        Stretches with fewer bars are dropped.
    quiet_modules : float
    max_extents : int

    Returns
    -------
    list of Extent
        Most bars first.
    """
    rows = extents(np.ascontiguousarray(profile, dtype=np.float64), _WEIGHTS, min_bars, float(quiet_modules), max_extents)
    return [Extent(float(start), float(end), int(n_bars), float(sharpness), float(module))
            for start, end, n_bars, sharpness, module in rows]


_WEIGHTS = smoothing_weights()


REFERENCE_ROWS = 16  # rows averaged into the code's reference row


def bar_extent(gray: np.ndarray, start, end, offsets, *, limit: float | None = None) -> tuple[float, float]:
    """How far the bars of a code reach on either side of its scanlines.

    Rows parallel to the reading axis, from ``start`` to ``end``, are
    sampled at whole-pixel offsets across it; a row belongs to the bars while
    it still correlates with the mean of the rows the code was read on
    (:data:`REFERENCE_ROWS` of them, evenly spread). Rows are first
    examined every few pixels, then one by one between the last that
    belongs and the first that does not.

    Parameters
    ----------
    gray : ndarray, shape (H, W)
        Grey levels, uint8 or float32 at any scale (a row's correlation
        does not depend on it); other dtypes are converted.
    start, end : array_like of 2 floats
        Image points of the code's start and end on one scanline.
    offsets : array_like of float
        Offsets (pixels, along the normal ``(-dy, dx)`` of the reading
        direction) of the scanlines that read the code, relative to the
        ``start``-``end`` line.
    limit : float, optional
        Farthest offset examined; default the code's length.

    Returns
    -------
    low, high : float
        Offsets of the bars' two ends along the normal.
    """
    x0, y0 = float(start[0]), float(start[1])
    dx, dy = float(end[0]) - x0, float(end[1]) - y0
    length = math.hypot(dx, dy)
    offsets = [float(v) for v in offsets]
    lowest, highest = min(offsets), max(offsets)
    if length < 4:
        return lowest, highest
    ux, uy = dx / length, dy / length
    limit = length if limit is None else limit
    count = max(int(length), 8)
    spacing = length / (count - 1)
    first, last = math.ceil(lowest), math.floor(highest)
    if last < first:
        return lowest, highest
    # The reference: the mean of (at most REFERENCE_ROWS of) the rows the code was read between;
    # rows that leave the image never count.
    inside = last - first + 1
    picks = sorted({round(k * (inside - 1) / max(min(inside, REFERENCE_ROWS) - 1, 1)) for k in range(min(inside, REFERENCE_ROWS))})
    rows = np.array([first + k for k in picks], dtype=np.float64)
    image = gray if gray.dtype in (np.uint8, np.float32) and gray.flags.c_contiguous else np.ascontiguousarray(gray, np.float32)
    out = np.empty(2)
    if not bar_span(image, np.array([x0, y0]), np.array([ux * spacing, uy * spacing]), np.array([-uy, ux]), count, rows,
                    float(first), float(last), float(limit), max(1, int(limit // 24)), out):
        return lowest, highest
    return out[0] - 0.5, out[1] + 0.5
