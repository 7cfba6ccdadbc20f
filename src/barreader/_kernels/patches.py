"""Per-patch skeletons, line components and their orientations (ALGORITHMS.md §3.2).

The QuaggaJS localizer cuts a binarized image into square patches and, in
each, thins the dark pixels to one-pixel lines, labels the lines (8-connected)
and measures each line's orientation from its central moments. Bars of a
code give many lines of one orientation; text and texture do not.

``patch_lines`` does this for every patch of the grid in one pass; the patch
description (clustering the orientations of one patch) is
``describe_patches``. Angles are the direction of a line's major axis in
radians in [0, pi), measured like image angles (x right, y down).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "skeletonize",
    "label8",
    "patch_lines",
    "describe_patches",
    "skeletonize_reference",
    "label8_reference",
    "patch_lines_reference",
    "describe_patches_reference",
]

# The diagonal-X structuring element: the centre and its four diagonal neighbours.
_X = ((0, 0), (-1, -1), (-1, 1), (1, -1), (1, 1))


@njit(cache=True)
def _skeletonize_into(binary, current, eroded, skeleton):  # pragma: no cover - jitted
    """:func:`skeletonize` writing into caller-owned buffers of ``binary``'s shape.

    Returns the number of skeleton pixels.
    """
    h, w = binary.shape
    current[:, :] = binary
    skeleton[:, :] = 0
    while True:
        remaining = 0
        for y in range(h):
            for x in range(w):
                keep = 0
                if 0 < y < h - 1 and 0 < x < w - 1 and current[y, x] != 0:
                    if (current[y - 1, x - 1] != 0 and current[y - 1, x + 1] != 0
                            and current[y + 1, x - 1] != 0 and current[y + 1, x + 1] != 0):
                        keep = 1
                eroded[y, x] = keep
                remaining += keep
        for y in range(h):
            for x in range(w):
                if current[y, x] == 0:
                    continue
                opened = eroded[y, x]
                if opened == 0 and y > 0:
                    if (x > 0 and eroded[y - 1, x - 1] != 0) or (x < w - 1 and eroded[y - 1, x + 1] != 0):
                        opened = 1
                if opened == 0 and y < h - 1:
                    if (x > 0 and eroded[y + 1, x - 1] != 0) or (x < w - 1 and eroded[y + 1, x + 1] != 0):
                        opened = 1
                if opened == 0:
                    skeleton[y, x] = 1
        if remaining == 0:
            break
        current[:, :] = eroded
    for x in range(w):
        skeleton[0, x] = 0
        skeleton[h - 1, x] = 0
    for y in range(h):
        skeleton[y, 0] = 0
        skeleton[y, w - 1] = 0
    total = 0
    for y in range(h):
        for x in range(w):
            total += skeleton[y, x]
    return total


@njit(cache=True)
def skeletonize(binary):  # pragma: no cover - jitted
    """Morphological skeleton with the diagonal-X element, border zeroed.

    Repeats ``E = erode(S); skel |= S - dilate(E); S = E`` until ``S`` is
    empty; pixels outside the patch count as background.
    """
    h, w = binary.shape
    current = np.empty((h, w), dtype=np.uint8)
    eroded = np.empty((h, w), dtype=np.uint8)
    skeleton = np.empty((h, w), dtype=np.uint8)
    _skeletonize_into(binary, current, eroded, skeleton)
    return skeleton


@njit(cache=True)
def _label8_into(binary, labels, stack):  # pragma: no cover - jitted
    """:func:`label8` writing into caller-owned ``labels`` and a ``(h * w, 2)`` stack; returns the count."""
    h, w = binary.shape
    labels[:, :] = 0
    count = 0
    for y0 in range(h):
        for x0 in range(w):
            if binary[y0, x0] == 0 or labels[y0, x0] != 0:
                continue
            count += 1
            labels[y0, x0] = count
            stack[0, 0] = y0
            stack[0, 1] = x0
            top = 1
            while top > 0:
                top -= 1
                y = stack[top, 0]
                x = stack[top, 1]
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        yy = y + dy
                        xx = x + dx
                        if 0 <= yy < h and 0 <= xx < w and binary[yy, xx] != 0 and labels[yy, xx] == 0:
                            labels[yy, xx] = count
                            stack[top, 0] = yy
                            stack[top, 1] = xx
                            top += 1
    return count


@njit(cache=True)
def label8(binary):  # pragma: no cover - jitted
    """8-connected component labels (1, 2, ... in raster order of first pixel) and their count."""
    h, w = binary.shape
    labels = np.empty((h, w), dtype=np.int32)
    stack = np.empty((h * w, 2), dtype=np.int32)
    count = _label8_into(binary, labels, stack)
    return labels, count


@njit(cache=True)
def patch_lines(binary, side, out_count, out_mass, out_angle):  # pragma: no cover - jitted
    """Skeleton lines of every ``side`` x ``side`` patch: pixel count and orientation of each.

    Parameters
    ----------
    binary : ndarray of uint8, shape (rows * side, cols * side)
        1 on dark pixels.
    side : int
    out_count : ndarray of int64, shape (rows, cols)
        Lines found in each patch.
    out_mass, out_angle : ndarray of float64, shape (rows, cols, max_lines)
        ``m00`` and major-axis angle (radians, [0, pi)) of each line, in
        label order; lines beyond ``max_lines`` are dropped.
    """
    rows, cols = out_count.shape
    max_lines = out_mass.shape[2]
    # One set of scratch buffers for all patches: allocating per patch cost
    # as much as the skeletons themselves.
    current = np.empty((side, side), dtype=np.uint8)
    eroded = np.empty((side, side), dtype=np.uint8)
    skeleton = np.empty((side, side), dtype=np.uint8)
    labels = np.empty((side, side), dtype=np.int32)
    stack = np.empty((side * side, 2), dtype=np.int32)
    m = np.empty((side * side + 1, 6))
    for gy in range(rows):
        for gx in range(cols):
            out_count[gy, gx] = 0
            patch = binary[gy * side : (gy + 1) * side, gx * side : (gx + 1) * side]
            if _skeletonize_into(patch, current, eroded, skeleton) == 0:
                continue
            count = _label8_into(skeleton, labels, stack)
            m[: count + 1, :] = 0.0
            for y in range(side):
                for x in range(side):
                    lab = labels[y, x]
                    if lab == 0:
                        continue
                    m[lab, 0] += 1.0
                    m[lab, 1] += x
                    m[lab, 2] += y
                    m[lab, 3] += x * y
                    m[lab, 4] += x * x
                    m[lab, 5] += y * y
            n = min(count, max_lines)
            out_count[gy, gx] = n
            for lab in range(1, n + 1):
                m00 = m[lab, 0]
                cx = m[lab, 1] / m00
                cy = m[lab, 2] / m00
                mu11 = m[lab, 3] / m00 - cx * cy
                mu20 = m[lab, 4] / m00 - cx * cx
                mu02 = m[lab, 5] / m00 - cy * cy
                theta = 0.5 * math.atan2(2.0 * mu11, mu20 - mu02)
                if theta < 0.0:
                    theta += math.pi
                out_mass[gy, gx, lab - 1] = m00
                out_angle[gy, gx, lab - 1] = theta


@njit(cache=True)
def describe_patches(count, mass, angle, min_mass, max_spread, out_accepted, out_angle, out_lines):  # pragma: no cover - jitted
    """Which patches hold parallel lines, and their common orientation.

    A line with more than ``min_mass`` pixels is eligible. Eligible lines
    are clustered greedily by orientation: a line joins the first cluster
    whose mean orientation is within ``max_spread`` radians, else starts
    one. Means are taken on doubled angles (``2 theta``), so lines at 1°
    and 179° agree. A patch is accepted when its largest cluster has more
    than one line, at least 3/4 of the eligible lines and more than 1/4 of
    all lines.

    Parameters
    ----------
    count, mass, angle : as written by :func:`patch_lines`
    min_mass : float
    max_spread : float
    out_accepted : ndarray of bool, shape (rows, cols)
    out_angle : ndarray of float64, shape (rows, cols)
        Mean orientation of the largest cluster, in [0, pi).
    out_lines : ndarray of int64, shape (rows, cols)
        Lines in the largest cluster.
    """
    rows, cols = count.shape
    max_lines = mass.shape[2]
    sums = np.zeros((max_lines, 2))
    members = np.zeros(max_lines, dtype=np.int64)
    limit = math.cos(2.0 * max_spread)
    for gy in range(rows):
        for gx in range(cols):
            out_accepted[gy, gx] = False
            out_angle[gy, gx] = 0.0
            out_lines[gy, gx] = 0
            n = count[gy, gx]
            eligible = 0
            clusters = 0
            for i in range(n):
                if mass[gy, gx, i] <= min_mass:
                    continue
                eligible += 1
                c2 = math.cos(2.0 * angle[gy, gx, i])
                s2 = math.sin(2.0 * angle[gy, gx, i])
                joined = -1
                for c in range(clusters):
                    norm = math.hypot(sums[c, 0], sums[c, 1])
                    if norm > 0 and (sums[c, 0] * c2 + sums[c, 1] * s2) / norm > limit:
                        joined = c
                        break
                if joined < 0:
                    joined = clusters
                    sums[joined, 0] = 0.0
                    sums[joined, 1] = 0.0
                    members[joined] = 0
                    clusters += 1
                sums[joined, 0] += c2
                sums[joined, 1] += s2
                members[joined] += 1
            if eligible < 2:
                continue
            top = 0
            for c in range(1, clusters):
                if members[c] > members[top]:
                    top = c
            size = members[top]
            if size > 1 and 4 * size >= 3 * eligible and 4 * size > n:
                mean = 0.5 * math.atan2(sums[top, 1], sums[top, 0])
                if mean < 0.0:
                    mean += math.pi
                out_accepted[gy, gx] = True
                out_angle[gy, gx] = mean
                out_lines[gy, gx] = size


# --- plain-Python twins ------------------------------------------------------


def skeletonize_reference(binary: np.ndarray) -> np.ndarray:
    """Twin of :func:`skeletonize` with scipy's binary morphology."""
    from scipy import ndimage

    element = np.zeros((3, 3), dtype=bool)
    for dy, dx in _X:
        element[1 + dy, 1 + dx] = True
    current = binary.astype(bool)
    skeleton = np.zeros_like(current)
    while True:
        eroded = ndimage.binary_erosion(current, element, border_value=0)
        opened = ndimage.binary_dilation(eroded, element)
        skeleton |= current & ~opened
        if not eroded.any():
            break
        current = eroded
    skeleton[0, :] = skeleton[-1, :] = False
    skeleton[:, 0] = skeleton[:, -1] = False
    return skeleton.astype(np.uint8)


def label8_reference(binary: np.ndarray) -> tuple[np.ndarray, int]:
    """Twin of :func:`label8` with scipy's labelling."""
    from scipy import ndimage

    labels, count = ndimage.label(binary, structure=np.ones((3, 3), dtype=int))
    return labels.astype(np.int32), int(count)


def patch_lines_reference(binary: np.ndarray, side: int, max_lines: int):
    """Twin of :func:`patch_lines`: returns ``count, mass, angle`` arrays."""
    rows, cols = binary.shape[0] // side, binary.shape[1] // side
    count = np.zeros((rows, cols), dtype=np.int64)
    mass = np.zeros((rows, cols, max_lines))
    angle = np.zeros((rows, cols, max_lines))
    for gy in range(rows):
        for gx in range(cols):
            patch = binary[gy * side : (gy + 1) * side, gx * side : (gx + 1) * side]
            labels, n = label8_reference(skeletonize_reference(patch))
            n = min(n, max_lines)
            count[gy, gx] = n
            ys, xs = np.mgrid[:side, :side]
            for lab in range(1, n + 1):
                inside = labels == lab
                x, y = xs[inside].astype(float), ys[inside].astype(float)
                mu20, mu02 = np.var(x), np.var(y)
                mu11 = np.mean(x * y) - x.mean() * y.mean()
                mass[gy, gx, lab - 1] = inside.sum()
                angle[gy, gx, lab - 1] = (0.5 * math.atan2(2 * mu11, mu20 - mu02)) % math.pi
    return count, mass, angle


def describe_patches_reference(count, mass, angle, min_mass, max_spread):
    """Twin of :func:`describe_patches`: returns ``accepted, angle, lines`` arrays."""
    rows, cols = count.shape
    accepted = np.zeros((rows, cols), dtype=bool)
    mean_angle = np.zeros((rows, cols))
    lines = np.zeros((rows, cols), dtype=np.int64)
    for gy in range(rows):
        for gx in range(cols):
            n = int(count[gy, gx])
            clusters: list[list[complex]] = []
            eligible = 0
            for i in range(n):
                if mass[gy, gx, i] <= min_mass:
                    continue
                eligible += 1
                z = complex(math.cos(2 * angle[gy, gx, i]), math.sin(2 * angle[gy, gx, i]))
                for cluster in clusters:
                    centre = sum(cluster)
                    if abs(centre) > 0 and (centre.conjugate() * z).real / abs(centre) > math.cos(2 * max_spread):
                        cluster.append(z)
                        break
                else:
                    clusters.append([z])
            if eligible < 2:
                continue
            top = max(clusters, key=len)  # the first of the largest, as the kernel
            if len(top) > 1 and 4 * len(top) >= 3 * eligible and 4 * len(top) > n:
                accepted[gy, gx] = True
                mean_angle[gy, gx] = (0.5 * math.atan2(sum(top).imag, sum(top).real)) % math.pi
                lines[gy, gx] = len(top)
    return accepted, mean_angle, lines
