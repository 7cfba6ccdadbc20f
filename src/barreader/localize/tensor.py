"""Blur-tolerant localizer: regions where the grey gradient keeps one direction (structure tensor).

Bars blurred until they no longer binarize still leave a gradient that
points across them everywhere on the code: the structure tensor, the local
mean of ``(gx^2, gy^2, gx gy)``, is then strongly anisotropic (coherent).
Text, photos and flat areas are not. Coherent, energetic pixels are grouped
into connected regions, and each becomes a rotated box along the
dominant gradient direction. This finds codes at any angle whose bars the
QuaggaJS localizer can no longer thin to lines; it is the localizer of the
constrained Code 39 recovery.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..results import Region
from .overlap import box_region, distinct, frame
from .percentile import percentiles

__all__ = ["tensor_regions"]

WORK_SIZE = 200  # long side of the working image: blurred bars need no detail
WINDOW = 5  # working pixels over which the tensor is averaged
MIN_COHERENCE = 0.7  # (l1 - l2) / (l1 + l2) of the averaged tensor
MIN_AREA = 40  # working pixels a region needs
CLOSING = 5  # working pixels: gaps of the mask closed inside a code
ORIENTATION_BINS = 8  # directions grouped separately (22.5° each)
MAX_ONE_SIGN = 0.5  # |sum of gradients across| / sum of their sizes above which it is an edge


def tensor_regions(gray: np.ndarray, *, work_size: int = WORK_SIZE) -> list[Region]:
    """Rotated boxes of coherent gradient, strongest first.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        Grey image in [0, 1].
    work_size : int
        Long side, in pixels, of the image the tensor is computed on.

    Returns
    -------
    list of Region
        ``angle`` is the reading direction (across the bars), ``score`` the
        coherent gradient energy inside; ``module_size`` is unknown (NaN).
    """
    height, width = gray.shape
    scale = min(1.0, work_size / max(height, width))
    work = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    work = np.ascontiguousarray(work, dtype=np.float32)
    gx = cv2.Scharr(work, cv2.CV_32F, 1, 0)
    gy = cv2.Scharr(work, cv2.CV_32F, 0, 1)
    size = (WINDOW, WINDOW)
    jxx, jyy, jxy = (cv2.blur(g, size) for g in (gx * gx, gy * gy, gx * gy))
    energy = jxx + jyy
    anisotropy = np.sqrt((jxx - jyy) ** 2 + 4.0 * jxy * jxy)
    coherence = anisotropy / np.maximum(energy, 1e-12)
    # Energetic: well above the image's typical gradient energy.
    floor = 4.0 * float(np.median(energy)) + 1e-6
    strong = (coherence > MIN_COHERENCE) & (energy > floor)
    # Direction of the gradient (across the bars) in units of a bin: bin k
    # is centred on k * pi / ORIENTATION_BINS and reaches half-way to its
    # neighbours' centres on both sides, so each pixel lies in the two bins
    # either side of its direction.
    doubled = cv2.phase(jxx - jyy, 2.0 * jxy)  # radians in [0, 2 pi)
    position = doubled * (ORIENTATION_BINS / (2.0 * math.pi))
    lower = np.floor(position).astype(np.int8) % ORIENTATION_BINS
    upper = (lower + 1) % ORIENTATION_BINS
    lower[~strong] = upper[~strong] = -1
    fields = np.stack([q.ravel() for q in (jxx, jyy, jxy, gx, gy)]).astype(np.float64)  # per-pixel sums wanted
    regions = []
    # Group pixels of about one direction only, so that a code does not merge
    # with an edge running along it (a card's border, a shadow).
    for k in range(ORIENTATION_BINS):
        mask = ((lower == k) | (upper == k)).astype(np.uint8)
        if mask.sum() < MIN_AREA:
            continue
        # Blurred wide bars and spaces leave gaps in the mask inside a code.
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (CLOSING, CLOSING)))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for label, across in _bar_components(labels, count, stats, fields):
            x, y, w, h = stats[label, :4]
            ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
            region = _box(xs + x, ys + y, across, anisotropy, scale)
            if region is not None:
                regions.append(region)
    regions.sort(key=lambda r: r.score, reverse=True)
    return distinct(regions)


def _bar_components(labels, count, stats, fields) -> list[tuple[int, float]]:
    """Components large enough and with edges of both signs across them, with that direction.

    Per component, the summed tensor gives the direction across the bars;
    bars have edges of both signs along it, while a single edge (or a
    ramp) has one. Sums over all components at once by label; ``fields``
    holds ``jxx, jyy, jxy, gx, gy`` per pixel, shape (5, pixels).
    """
    flat = labels.ravel()
    inside = flat > 0
    flat, fields = flat[inside], fields[:, inside]
    sxx, syy, sxy, sgx, sgy = (np.bincount(flat, weights=q, minlength=count) for q in fields)
    across = 0.5 * np.arctan2(2.0 * sxy, sxx - syy)
    ux, uy = np.cos(across), np.sin(across)
    along = np.abs(fields[3] * ux[flat] + fields[4] * uy[flat])
    spread = np.bincount(flat, weights=along, minlength=count)
    net = np.abs(sgx * ux + sgy * uy)
    keep = (stats[:, cv2.CC_STAT_AREA] >= MIN_AREA) & (net <= MAX_ONE_SIGN * spread)
    keep[0] = False  # the background
    return [(int(label), float(across[label])) for label in np.flatnonzero(keep)]


def _box(xs, ys, across: float, anisotropy, scale: float) -> Region | None:
    """The rotated box, in original-image pixels, of one group of coherent pixels."""
    u, v = frame(across)
    points = (np.stack([xs, ys], axis=1) + 0.5) / scale - 0.5
    a, b = points @ u, points @ v
    a0, a1 = percentiles(a, 1, 99)
    b0, b1 = percentiles(b, 2, 98)
    if a1 - a0 < 8 or b1 - b0 < 3:
        return None
    return box_region(across, a0, a1, b0, b1, float(anisotropy[ys, xs].sum()))
