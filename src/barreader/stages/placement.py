"""Where a read code lies: its true axis from the scanlines that read it, and its box of bars.

Every stage that reads codes ends here: the scanlines that agree on a text
give its start and end points, and the box spans the bars across them.
"""

from __future__ import annotations

import math

import numpy as np

from ..scanline import bar_extent

__all__ = ["true_axis", "code_box"]


def true_axis(starts: np.ndarray, ends: np.ndarray, min_spread: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """The code's start and end on its own axis, when its scanlines crossed it slantwise.

    Scanlines at different offsets enter a code along its first bar's edge
    and leave it along its last bar's: the line through their start points
    (and through their end points) runs along the bars. A scanline tilted
    against the code (a row across a code rotated by 20°, say) still reads
    it, over a stretch longer by 1 / cos(tilt); the axis perpendicular to
    the bars gives the true orientation and length. Unchanged when the
    scanlines do not spread across the bars enough to tell (``min_spread``
    pixels, or a tenth of the code if less), or the tilt is under 2° or
    over 60°.

    Parameters
    ----------
    starts, ends : ndarray, shape (n, 2)
        Image points where each agreeing scanline found the code's start
        (start guard side) and end.
    min_spread : float
        Pixels the scanlines must spread across: ten for the template
        decoders' fitted ends, fewer for the fast decoder's edges, which
        are placed to a tenth of a pixel.

    Returns
    -------
    start, end : ndarray of shape (2,)
        On the code's axis, through the mean of the scanlines' segments.
    """
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    ends = np.asarray(ends, dtype=np.float64).reshape(-1, 2)
    start, end = starts.mean(axis=0), ends.mean(axis=0)
    if len(starts) < 2:
        return start, end
    # Plain floats: a code is read by a handful of scanlines.
    (sx, sy), (ex, ey) = start.tolist(), end.tolist()
    length = math.hypot(ex - sx, ey - sy)
    if length <= 0:
        return start, end
    ax, ay = (ex - sx) / length, (ey - sy) / length
    points = [(x - sx, y - sy) for x, y in starts.tolist()] + [(x - ex, y - ey) for x, y in ends.tolist()]
    across = [y * ax - x * ay for x, y in points]
    if max(across) - min(across) < min(min_spread, 0.1 * length):
        return start, end
    # The principal direction of the points (that of the bars), in closed form.
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    syy = sum((y - my) ** 2 for _, y in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    angle = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    cx, cy = math.sin(angle), -math.cos(angle)
    cos_tilt = cx * ax + cy * ay
    if cos_tilt < 0:
        cx, cy, cos_tilt = -cx, -cy, -cos_tilt
    if cos_tilt > math.cos(math.radians(2.0)) or cos_tilt < math.cos(math.radians(60.0)):
        return start, end
    half = 0.5 * length * cos_tilt
    mid_x, mid_y = 0.5 * (sx + ex), 0.5 * (sy + ey)
    return np.array([mid_x - half * cx, mid_y - half * cy]), np.array([mid_x + half * cx, mid_y + half * cy])


def code_box(gray: np.ndarray, start: np.ndarray, end: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, float]:
    """Corners of the code from ``start`` to ``end``, across the full height of its bars, and its orientation.

    Parameters
    ----------
    gray : ndarray, shape (H, W)
        Grey levels, as :func:`barreader.scanline.bar_extent` takes them.
    start, end : ndarray of shape (2,)
        The code's axis (start guard side first).
    starts : ndarray, shape (n, 2)
        Where the agreeing scanlines found the code's start: their offsets
        across the axis are where the bars surely reach.

    Returns
    -------
    corners : ndarray of shape (4, 2)
        start-top, end-top, end-bottom, start-bottom.
    orientation : float
        Reading direction in degrees, clockwise from +x, in [0, 360).
    """
    (x0, y0), (x1, y1) = np.asarray(start, dtype=np.float64).tolist(), np.asarray(end, dtype=np.float64).tolist()
    orientation = math.degrees(math.atan2(y1 - y0, x1 - x0)) % 360.0
    length = max(math.hypot(x1 - x0, y1 - y0), 1e-9)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    offsets = [(x - x0) * nx + (y - y0) * ny for x, y in np.asarray(starts, dtype=np.float64).reshape(-1, 2).tolist()]
    low, high = bar_extent(gray, (x0, y0), (x1, y1), offsets)
    corners = np.array([[x0 + low * nx, y0 + low * ny], [x1 + low * nx, y1 + low * ny],
                        [x1 + high * nx, y1 + high * ny], [x0 + high * nx, y0 + high * ny]])
    return corners, orientation
