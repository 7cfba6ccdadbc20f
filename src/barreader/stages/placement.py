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
    direction = end - start
    length = float(np.hypot(*direction))
    if length <= 0:
        return start, end
    axis = direction / length
    points = np.concatenate([starts - start, ends - end])
    across = points @ np.array([-axis[1], axis[0]])
    if np.ptp(across) < min(min_spread, 0.1 * length):
        return start, end
    # The principal direction of the points (that of the bars), in closed form.
    centred = points - points.mean(axis=0)
    sxx, syy, sxy = float(centred[:, 0] @ centred[:, 0]), float(centred[:, 1] @ centred[:, 1]), float(centred[:, 0] @ centred[:, 1])
    angle = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    code_axis = np.array([math.sin(angle), -math.cos(angle)])
    cos_tilt = float(code_axis @ axis)
    if cos_tilt < 0:
        code_axis, cos_tilt = -code_axis, -cos_tilt
    if cos_tilt > math.cos(math.radians(2.0)) or cos_tilt < math.cos(math.radians(60.0)):
        return start, end
    centre = 0.5 * (start + end)
    half = 0.5 * length * cos_tilt * code_axis
    return centre - half, centre + half


def code_box(gray: np.ndarray, start: np.ndarray, end: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, float]:
    """Corners of the code from ``start`` to ``end``, across the full height of its bars, and its orientation.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
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
    direction = end - start
    orientation = math.degrees(math.atan2(direction[1], direction[0])) % 360.0
    normal = np.array([-direction[1], direction[0]]) / max(float(np.hypot(*direction)), 1e-9)
    offsets = [float((s - start) @ normal) for s in np.asarray(starts).reshape(-1, 2)]
    low, high = bar_extent(gray, start, end, offsets)
    corners = np.array([start + low * normal, end + low * normal, end + high * normal, start + high * normal])
    return corners, orientation
