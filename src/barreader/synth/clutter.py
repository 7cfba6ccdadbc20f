"""Procedural cluttered backgrounds: hard negatives for a barcode reader.

:func:`clutter` layers shapes that a 1D barcode localizer or decoder may
mistake for a code: patches of random-width bars (the hardest), regular
gratings, lines of text and digits, grids and checkerboards, and smooth
blobs, on a shaded base.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from .render import render_modules

__all__ = ["CLUTTER_KINDS", "clutter"]

CLUTTER_KINDS = ("stripes", "gratings", "text", "grids", "blobs")

# Relative frequency of each kind when several are allowed; random-width
# stripes look most like codes, so they come most often.
_KIND_WEIGHTS = {"stripes": 3.0, "gratings": 1.5, "text": 2.0, "grids": 1.0, "blobs": 1.5}

_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_COMPLEX_SMALL,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _ink_pair(rng: np.random.Generator) -> tuple[float, float]:
    """A (dark, light) pair of grey levels at least 0.2 apart."""
    a, b = sorted(rng.uniform(0.0, 1.0, 2))
    if b - a < 0.2:
        a, b = max(0.0, a - 0.1), min(1.0, b + 0.1)
    return float(a), float(b)


def _paste(canvas: np.ndarray, patch: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, angle=None):
    """Blend a patch onto the canvas in place, rotated about a random centre.

    The centre may lie anywhere in the canvas, so patches are often cut by
    the border, as in real photos.
    """
    h, w = canvas.shape
    ph, pw = patch.shape
    if angle is None:
        angle = rng.uniform(0.0, 360.0)
    centre = np.array([rng.uniform(0, w - 1), rng.uniform(0, h - 1)])
    theta = math.radians(angle)
    c, s = math.cos(theta), math.sin(theta)
    lin = np.array([[c, -s], [s, c]])
    offset = centre - lin @ np.array([(pw - 1) / 2, (ph - 1) / 2])
    # Warp only into the patch's bounding box, clipped to the canvas.
    outline = np.array([[-1, -1], [pw, -1], [pw, ph], [-1, ph]]) @ lin.T + offset
    x0, y0 = np.maximum(np.floor(outline.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(outline.max(axis=0)).astype(int) + 1, [w, h])
    if x1 <= x0 or y1 <= y0:
        return
    matrix = np.hstack([lin, (offset - [x0, y0])[:, None]])
    size = (int(x1 - x0), int(y1 - y0))
    warped = cv2.warpAffine(patch.astype(np.float32), matrix, size, flags=cv2.INTER_LINEAR, borderValue=0.0)
    weight = cv2.warpAffine(alpha.astype(np.float32), matrix, size, flags=cv2.INTER_LINEAR, borderValue=0.0)
    region = canvas[y0:y1, x0:x1]
    region *= 1.0 - weight
    region += warped * weight


def _stripes(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """Bars and spaces of 1-4 modules in random order: code-like, but not a code."""
    n_bars = int(rng.integers(15, 61))
    # Narrow elements are the most common, as in EAN/UPC.
    widths = rng.choice([1, 2, 3, 4], size=2 * n_bars - 1, p=[0.4, 0.3, 0.2, 0.1])
    modules = np.repeat(np.arange(widths.size) % 2 == 0, widths).astype(np.uint8)
    # Module sizes like those of real codes, but no longer than the canvas allows.
    px = min(rng.uniform(1.2, 5.0), max(1.0, 0.5 * max(canvas.shape) / modules.size))
    length = modules.size * px
    height = max(2, round(rng.uniform(0.15, 0.6) * length))
    # Half the time with a light quiet zone around it, like a printed label.
    quiet = float(rng.uniform(3.0, 12.0)) if rng.random() < 0.5 else 0.0
    phase = rng.uniform(0.0, 1.0)
    profile = render_modules(modules, px_per_module=px, quiet_zone=quiet, height=height, phase=phase)
    dark, light = _ink_pair(rng)
    if quiet:
        light = max(light, 0.75)
    patch = light + (dark - light) * (1.0 - profile)
    patch = np.pad(patch, round(quiet * px / 2), constant_values=light)
    _paste(canvas, patch, np.ones_like(patch), rng)


def _gratings(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """Regular bars: fences, blinds, shelves, ruled paper."""
    period = rng.uniform(3.0, 24.0)
    on = int(rng.integers(1, 6))
    off = int(rng.integers(1, 6))
    repeats = int(rng.integers(5, max(6, min(40, 0.6 * max(canvas.shape) / period))))
    modules = np.tile(np.r_[np.ones(on), np.zeros(off)], repeats).astype(np.uint8)
    px = period / (on + off)
    length = modules.size * px
    height = max(2, round(min(rng.uniform(0.2, 2.0) * length, 0.6 * max(canvas.shape))))
    profile = render_modules(modules, px_per_module=px, quiet_zone=0, height=height)
    dark, light = _ink_pair(rng)
    patch = light + (dark - light) * (1.0 - profile)
    _paste(canvas, patch, np.ones_like(patch), rng)


def _random_line(rng: np.random.Generator) -> str:
    kind = rng.integers(0, 4)
    if kind == 0:  # a row of digits, as printed under codes or in price labels
        groups = [int(rng.integers(1, 8)) for _ in range(int(rng.integers(1, 4)))]
        return " ".join("".join(str(d) for d in rng.integers(0, 10, g)) for g in groups)
    if kind == 1:
        return f"{rng.integers(0, 1000)}.{rng.integers(0, 100):02d}"
    words = []
    for _ in range(int(rng.integers(1, 5))):
        letters = rng.integers(0, len(_LETTERS), int(rng.integers(2, 9)))
        words.append("".join(_LETTERS[i] for i in letters))
    return " ".join(words)


def _text(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """A few lines of words and digits in one font."""
    font = int(rng.choice(_FONTS))
    if rng.random() < 0.3:
        font |= cv2.FONT_ITALIC
    scale = rng.uniform(0.4, 2.0)
    thickness = int(rng.integers(1, 4))
    lines = [_random_line(rng) for _ in range(int(rng.integers(1, 5)))]
    sizes = [cv2.getTextSize(line, font, scale, thickness) for line in lines]
    line_h = max(h + base for (_, h), base in sizes) + 4
    width = max(w for (w, _), _ in sizes) + 8
    ink = np.zeros((line_h * len(lines) + 4, width), np.uint8)
    for i, line in enumerate(lines):
        cv2.putText(ink, line, (4, (i + 1) * line_h - 4), font, scale, 255, thickness, cv2.LINE_AA)
    dark, light = _ink_pair(rng)
    colour = dark if rng.random() < 0.75 else light
    alpha = ink.astype(np.float32) / 255.0
    # Text runs mostly horizontal, sometimes at any angle.
    angle = rng.normal(0.0, 5.0) if rng.random() < 0.6 else rng.uniform(0.0, 360.0)
    _paste(canvas, np.full(ink.shape, colour, np.float32), alpha, rng, angle=angle)


def _grids(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """A checkerboard or a grid of lines."""
    cell = rng.uniform(4.0, 30.0)
    most = max(3, int(0.5 * max(canvas.shape) / cell))
    rows, cols = (int(v) for v in rng.integers(3, min(15, most) + 1, 2))
    h, w = max(2, round(rows * cell)), max(2, round(cols * cell))
    y = np.arange(h, dtype=np.float32)[:, None] + 0.5
    x = np.arange(w, dtype=np.float32)[None, :] + 0.5
    if rng.random() < 0.5:
        mask = ((np.floor(x / cell) + np.floor(y / cell)) % 2).astype(np.float32)
    else:
        line = rng.uniform(1.0, max(1.5, cell / 3))
        mask = (((x % cell) < line) | ((y % cell) < line)).astype(np.float32)
    dark, light = _ink_pair(rng)
    patch = light + (dark - light) * mask
    _paste(canvas, patch, np.ones_like(patch), rng)


def _blobs(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """A few soft-edged ellipses of random grey."""
    size = max(canvas.shape)
    for _ in range(int(rng.integers(1, 4))):
        a, b = rng.uniform(0.02, 0.25, 2) * size
        sigma = min(rng.uniform(0.0, 0.3) * min(a, b), 6.0)
        pad = math.ceil(3 * sigma) + 2
        shape = (2 * (math.ceil(b) + pad) + 1, 2 * (math.ceil(a) + pad) + 1)
        alpha = np.zeros(shape, np.float32)
        centre = (shape[1] // 2, shape[0] // 2)
        cv2.ellipse(alpha, centre, (round(a), round(b)), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
        if sigma > 0.5:
            alpha = cv2.GaussianBlur(alpha, (0, 0), sigma)
        _paste(canvas, np.full(shape, rng.uniform(0.0, 1.0), np.float32), alpha, rng)


_DRAW = {"stripes": _stripes, "gratings": _gratings, "text": _text, "grids": _grids, "blobs": _blobs}


def _shaded_base(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A grey level with a linear gradient and some low-frequency shading."""
    h, w = shape
    direction = rng.uniform(0, 2 * math.pi)
    slope = rng.uniform(-0.3, 0.3) / max(h, w)
    ramp_x = (np.arange(w, dtype=np.float32) * (slope * math.cos(direction)))[None, :]
    ramp_y = (np.arange(h, dtype=np.float32) * (slope * math.sin(direction)))[:, None]
    coarse = rng.uniform(-1.0, 1.0, (4, 5)).astype(np.float32) * rng.uniform(0.0, 0.15)
    # Cubic to an eighth of the size, then linear: as smooth, and much faster
    # than one cubic resize from a tiny grid.
    mid = cv2.resize(coarse, (max(5, w // 8), max(4, h // 8)), interpolation=cv2.INTER_CUBIC)
    base = cv2.resize(mid, (w, h), interpolation=cv2.INTER_LINEAR)
    base += ramp_x
    base += ramp_y
    base += rng.uniform(0.2, 0.8)
    return np.clip(base, 0.0, 1.0, out=base)


def clutter(shape, rng=None, kinds=None) -> np.ndarray:
    """Draw a procedural cluttered background with no barcode in it.

    Several elements are drawn over a shaded base, each of a kind from
    ``kinds``:

    ``"stripes"``
        Patches of 15-60 bars and spaces of random widths (1-4 modules) at
        random module sizes and angles, sometimes with a light quiet zone:
        they look like codes but fail the guards and check digits.
    ``"gratings"``
        Regular bars: fences, blinds, ruled lines.
    ``"text"``
        Lines of words, prices and digit rows in several Hershey fonts.
    ``"grids"``
        Checkerboards and line grids.
    ``"blobs"``
        Smooth, possibly blurred, ellipses.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the image, each >= 1.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness; a given seed gives a given image.
    kinds : iterable of str, optional
        Kinds of element to draw, from :data:`CLUTTER_KINDS`; default all.
        Random-width stripes are drawn most often.

    Returns
    -------
    ndarray of float32, shape (height, width)
        Values in [0, 1].

    Raises
    ------
    InvalidArgumentError
        If the shape is not two positive integers or a kind is unknown.

    Examples
    --------
    >>> image = clutter((120, 160), rng=0, kinds=("stripes", "text"))
    >>> image.shape, image.dtype
    ((120, 160), dtype('float32'))
    """
    try:
        h, w = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"shape must be (height, width), got {shape!r}") from None
    if h < 1 or w < 1:
        raise InvalidArgumentError(f"shape must be positive, got {shape!r}")
    if kinds is None:
        kinds = CLUTTER_KINDS
    elif isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in _DRAW]
    if unknown or not kinds:
        raise InvalidArgumentError(f"unknown clutter kinds {unknown!r}; choose from {CLUTTER_KINDS}")
    rng = np.random.default_rng(rng)

    canvas = _shaded_base((h, w), rng)
    weights = np.array([_KIND_WEIGHTS[k] for k in kinds])
    # About 12 elements at 480 x 640, more or fewer with the image size.
    n = max(1, int(rng.integers(8, 17) * math.sqrt(h * w / (480 * 640))))
    for index in rng.choice(len(kinds), size=n, p=weights / weights.sum()):
        _DRAW[kinds[index]](canvas, rng)
    return np.clip(canvas, 0.0, 1.0)
