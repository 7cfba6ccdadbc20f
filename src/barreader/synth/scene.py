"""Scenes: several codes on light labels over a background, with ground truth.

:func:`render_scene` pastes codes drawn by :func:`~barreader.synth.render_code`
onto a plain, photographic or procedurally cluttered background and returns
the image with every code's text, format and exact corners.
:func:`render_negative` draws a background alone.

Coordinates put pixel centres at integers (the OpenCV convention); angles are
clockwise on screen (y points down), in degrees.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from numbers import Integral

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from ..formats import Format, parse_formats
from ..symbology.upcean import TOTAL_MODULES, normalize_text
from .clutter import clutter
from .degrade import degrade, rotate
from .render import FORMATS, _as_format, random_text, render_code

__all__ = ["BACKGROUNDS", "PHOTOS", "Scene", "SceneCode", "render_negative", "render_scene"]

BACKGROUNDS = ("plain", "photo", "clutter", "mixed")

# Images shipped inside scikit-image (no download needed).
PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "cell",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "page",
    "rocket",
    "text",
)

# "mixed" draws plain, photo and clutter backgrounds with these odds.
_MIXED_ODDS = (0.2, 0.4, 0.4)

_QUIET_ZONE = 10.0  # modules, each side
_BAR_HEIGHT = (0.3, 0.6)  # times the code length
_LABEL_BORDER = (1.0, 4.0)  # light margin beyond the quiet zone, in modules
_LABEL_LIGHTNESS = (0.8, 1.0)
_GAP = 4.0  # minimum distance between labels, in pixels
_EDGE = 2.0  # minimum distance from a label to the image border, in pixels
_LAYOUTS = 20  # fresh starts of the placement before giving up


@dataclass(frozen=True)
class SceneCode:
    """Ground truth of one code in a :class:`Scene`.

    Attributes
    ----------
    text : str
        Normalized human-readable text.
    format : Format
    corners : ndarray of float64, shape (4, 2)
        ``x, y`` of the bar area (first bar's left edge to last bar's right
        edge, full bar height) in the scene image, ordered start-top, end-top,
        end-bottom, start-bottom, as in
        :attr:`~barreader.synth.SyntheticCode.corners`.
    px_per_module : float
    angle : float
        Clockwise angle of the reading direction (start to end), in degrees,
        in [0, 360).
    """

    text: str
    format: Format
    corners: np.ndarray
    px_per_module: float
    angle: float


@dataclass(frozen=True)
class Scene:
    """A synthetic scene and the codes in it.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W)
        The grey image.
    codes : tuple of SceneCode
        Every code placed, in placement order.
    """

    image: np.ndarray
    codes: tuple[SceneCode, ...]


# --------------------------------------------------------------------------- arguments


def _bounds(value, name: str, *, low: float = -math.inf, high: float = math.inf, open_low: bool = False):
    """Turn a scalar or (lo, hi) argument into a checked (lo, hi) pair."""
    try:
        lo, hi = (float(value), float(value)) if np.ndim(value) == 0 else (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a number or a (low, high) pair, got {value!r}") from None
    too_low = (lambda v: v <= low) if open_low else (lambda v: v < low)
    if not (lo <= hi) or too_low(lo) or hi > high:
        side = "(" if open_low else "["
        raise InvalidArgumentError(
            f"{name} must lie in {side}{low}, {high}] with low <= high, got {value!r}"
        )
    return lo, hi


def _draw(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return lo if lo == hi else float(rng.uniform(lo, hi))


def _jpeg_bounds(jpeg_quality):
    if jpeg_quality is None:
        return None
    lo, hi = _bounds(jpeg_quality, "jpeg_quality", low=1, high=100)
    lo, hi = math.ceil(lo), math.floor(hi)
    if lo > hi:
        raise InvalidArgumentError(f"jpeg_quality range holds no integer: {jpeg_quality!r}")
    return lo, hi


def _size(size) -> tuple[int, int]:
    try:
        h, w = size
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"size must be (height, width), got {size!r}") from None
    if not all(isinstance(v, Integral) and v >= 1 for v in (h, w)):
        raise InvalidArgumentError(f"size must be two positive integers, got {size!r}")
    return int(h), int(w)


def _code_list(n_codes, codes, formats, rng: np.random.Generator) -> list[tuple[str, Format]]:
    if codes is not None:
        out = []
        for item in codes:
            try:
                text, fmt = item
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"codes must hold (text, format) pairs, got {item!r}") from None
            fmt = _as_format(fmt)
            out.append((normalize_text(str(text), fmt), fmt))
        return out
    if isinstance(n_codes, bool) or not isinstance(n_codes, Integral) or n_codes < 0:
        raise InvalidArgumentError(f"n_codes must be an integer >= 0, got {n_codes!r}")
    chosen = parse_formats(formats)
    # A fixed order keeps draws reproducible (set order depends on string hashing).
    pool = [f for f in FORMATS if f in chosen]
    out = []
    for _ in range(int(n_codes)):
        fmt = pool[int(rng.integers(len(pool)))]
        out.append((random_text(fmt, rng), fmt))
    return out


# --------------------------------------------------------------------------- backgrounds


@functools.lru_cache(maxsize=None)
def _photo(name: str) -> np.ndarray:
    """A scikit-image sample image as 8-bit grey."""
    try:
        import skimage.data
    except ImportError as exc:
        raise ImportError('photo backgrounds need scikit-image: pip install "barreader[synth]" '
                          '(or ".[synth]" from a clone)') from exc

    image = np.asarray(getattr(skimage.data, name)())
    if image.dtype != np.uint8:
        image = np.round(255.0 * image.astype(np.float64) / max(float(image.max()), 1e-12)).astype(np.uint8)
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)
    image.setflags(write=False)
    return image


def _photo_background(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A random crop of a sample photo, resized to ``shape``, possibly flipped."""
    h, w = shape
    source = _photo(PHOTOS[int(rng.integers(len(PHOTOS)))])
    sh, sw = source.shape
    crop_h = min(sh, sw * h / w) * rng.uniform(0.4, 1.0)
    crop_w = crop_h * w / h
    ch, cw = max(1, round(crop_h)), max(1, round(crop_w))
    y0 = int(rng.integers(0, sh - ch + 1))
    x0 = int(rng.integers(0, sw - cw + 1))
    crop = source[y0 : y0 + ch, x0 : x0 + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    shrink = ch > h or cw > w
    out = cv2.resize(
        np.ascontiguousarray(crop), (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    )
    return out.astype(np.float32) / 255.0


def _background(kind: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    if kind == "mixed":
        kind = ("plain", "photo", "clutter")[int(rng.choice(3, p=_MIXED_ODDS))]
    if kind == "plain":
        return np.full(shape, rng.uniform(0.15, 0.85), np.float32)
    if kind == "photo":
        return _photo_background(shape, rng)
    return clutter(shape, rng)


# --------------------------------------------------------------------------- placement


def _separated(a: np.ndarray, b: np.ndarray, gap: float) -> bool:
    """True if convex polygons ``a`` and ``b`` are at least ``gap`` apart along
    one of their edge normals (separating axis test, conservative)."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        normals = np.stack([-edges[:, 1], edges[:, 0]], axis=1)
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        pa, pb = a @ normals.T, b @ normals.T
        if np.any(np.maximum(pb.min(axis=0) - pa.max(axis=0), pa.min(axis=0) - pb.max(axis=0)) >= gap):
            return True
    return False


def _rotation(angle: float) -> np.ndarray:
    theta = math.radians(angle)
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _paste_code(scene: np.ndarray, text: str, fmt: Format, look: dict, centre: np.ndarray, rng):
    """Render one labelled code and paste it centred near ``centre``; return
    its bar corners in scene coordinates."""
    ppm, angle = look["px_per_module"], look["angle"]
    flat = render_code(
        text,
        fmt,
        px_per_module=ppm,
        contrast=look["contrast"],
        quiet_zone=_QUIET_ZONE,
        height=look["height"],
        phase=look["phase"],
        background_margin=look["border"],
        rng=rng,
    )
    label = flat.image.astype(np.float32) * (look["lightness"] / 255.0)
    light = (0.5 + 0.5 * look["contrast"]) * look["lightness"]
    patch, matrix = rotate(label, angle, background=light)
    alpha, _ = rotate(np.ones(label.shape, np.float32), angle, background=0.0)
    sigma = look["blur"] * ppm
    if sigma > 0:
        patch = degrade(patch, blur=sigma)
        alpha = degrade(alpha, blur=sigma)

    ph, pw = patch.shape
    h, w = scene.shape
    # rotate() keeps the label centred in its canvas, so centring the canvas
    # centres the label; clipping only absorbs rounding.
    ox = min(max(round(centre[0] - (pw - 1) / 2), 0), w - pw)
    oy = min(max(round(centre[1] - (ph - 1) / 2), 0), h - ph)
    region = scene[oy : oy + ph, ox : ox + pw]
    region *= 1.0 - alpha
    region += patch * alpha

    return flat.corners @ matrix[:, :2].T + matrix[:, 2] + np.array([ox, oy], dtype=np.float64)


def _draw_look(rng, fmt: Format, ranges: dict) -> dict:
    """Draw the size, angle and appearance of one code."""
    ppm = _draw(rng, ranges["px_per_module"])
    length = TOTAL_MODULES[fmt] * ppm
    return {
        "px_per_module": ppm,
        "angle": _draw(rng, ranges["angle"]) % 360.0,
        "contrast": _draw(rng, ranges["contrast"]),
        "blur": _draw(rng, ranges["blur"]),
        "height": max(1, round(_draw(rng, _BAR_HEIGHT) * length)),
        "phase": float(rng.uniform(0.0, 1.0)),
        "border": max(2, round(_draw(rng, _LABEL_BORDER) * ppm)),
        "lightness": _draw(rng, _LABEL_LIGHTNESS),
    }


def _label_outline(fmt: Format, look: dict) -> np.ndarray:
    """The label's corners relative to its centre, rotated (up to a pixel of rounding)."""
    ppm = look["px_per_module"]
    w = (TOTAL_MODULES[fmt] + 2 * _QUIET_ZONE) * ppm + look["phase"] + 2 * look["border"] + 1.0
    h = look["height"] + 2 * look["border"]
    half = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    return half @ _rotation(look["angle"]).T


def _place_one(fmt: Format, ranges: dict, shape, outlines: list, rng, max_tries: int):
    """Draw looks and positions for one code until its label fits; None if none did."""
    h, w = shape
    for _ in range(max_tries):
        look = _draw_look(rng, fmt, ranges)
        rel = _label_outline(fmt, look)
        reach = np.abs(rel).max(axis=0) + _EDGE
        # Usable centres: the label stays inside [-0.5, size - 0.5].
        lo_x, hi_x = reach[0] - 0.5, w - 0.5 - reach[0]
        lo_y, hi_y = reach[1] - 0.5, h - 0.5 - reach[1]
        if lo_x > hi_x or lo_y > hi_y:
            continue
        centre = np.array([rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y)])
        if all(_separated(rel + centre, other, _GAP) for other in outlines):
            outlines.append(rel + centre)
            return look, centre
    return None


def _layout(specs, ranges: dict, shape, rng, max_tries: int) -> list:
    """Look and label centre of every code, none overlapping.

    When a code finds no place, the whole layout starts again (a large label
    placed early in the middle can leave no room), up to ``_LAYOUTS`` times.
    """
    best = 0
    for _layout_try in range(_LAYOUTS):
        outlines: list[np.ndarray] = []
        plan = []
        for _, fmt in specs:
            spot = _place_one(fmt, ranges, shape, outlines, rng, max_tries)
            if spot is None:
                break
            plan.append(spot)
        else:
            return plan
        best = max(best, len(plan))
        if best == 0:  # the first code alone does not fit: retrying will not help
            break
    raise InvalidArgumentError(
        f"only {best} of {len(specs)} codes fit in a {shape[0]}x{shape[1]} image "
        f"({max_tries} tries per code, {_LAYOUTS} layouts); "
        "use a larger size, fewer codes or smaller px_per_module"
    )


# --------------------------------------------------------------------------- public


def render_scene(
    n_codes: int = 1,
    *,
    size=(480, 640),
    formats=FORMATS,
    px_per_module=(1.5, 4.0),
    angle=(0.0, 360.0),
    background: str = "mixed",
    blur=(0.0, 0.3),
    noise=(0.0, 0.03),
    jpeg_quality=None,
    contrast=(0.6, 1.0),
    codes=None,
    rng=None,
    max_tries: int = 50,
) -> Scene:
    """Render a grey scene holding several EAN/UPC codes, with ground truth.

    Each code is drawn by :func:`~barreader.synth.render_code` with a quiet
    zone of 10 modules and a further light border, so that it sits on a
    light rectangular label (a sticker) of lightness 0.8-1.0; the rotated
    label is pasted over the background, not overlapping other labels and
    fully inside the image. Bars are 0.3-0.6 times the code length high.
    Noise and JPEG compression are then applied to the whole image.

    Numeric range arguments take either a number (fixed) or a ``(low, high)``
    pair, drawn uniformly per code (``px_per_module``, ``angle``, ``blur``,
    ``contrast``) or per scene (``noise``, ``jpeg_quality``).

    Parameters
    ----------
    n_codes : int, optional
        Number of random codes, >= 0; ignored when ``codes`` is given.
    size : tuple of int, optional
        ``(height, width)`` of the image.
    formats : optional
        Formats to draw random codes from (anything
        :func:`~barreader.formats.parse_formats` accepts).
    px_per_module : float or (float, float), optional
        Module width in pixels, > 0.
    angle : float or (float, float), optional
        Clockwise angle of the reading direction, in degrees.
    background : {"mixed", "plain", "photo", "clutter"}, optional
        ``"plain"`` is a uniform grey, ``"photo"`` a random crop of one of the
        scikit-image sample images in :data:`PHOTOS`, ``"clutter"`` comes from
        :func:`~barreader.synth.clutter` and ``"mixed"`` picks one of these
        per scene (plain 20 %, photo 40 %, clutter 40 %).
    blur : float or (float, float), optional
        Gaussian blur sigma of each code's label, in module widths, >= 0.
    noise : float or (float, float), optional
        Sigma of Gaussian noise over the whole image, in intensity units
        (0..1 being the full range), >= 0.
    jpeg_quality : int or (int, int) or None, optional
        JPEG quality 1..100 for the final image, or None for no compression.
    contrast : float or (float, float), optional
        Bar/space contrast of each code before the label's lightness is
        applied, in (0, 1] (see :func:`~barreader.synth.render_code`).
    codes : sequence of (str, Format or str), optional
        Texts and formats to place instead of random ones, in this order.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness; a given seed gives a given scene.
    max_tries : int, optional
        Attempts per code. Each attempt draws a new size, angle, look and
        position (so crowded scenes favour smaller codes); the first that
        fits is kept. If a code finds no place, the whole layout is drawn
        again, up to 20 times.

    Returns
    -------
    Scene

    Raises
    ------
    InvalidArgumentError
        If an argument is invalid, or a code cannot be placed in
        ``max_tries`` attempts (the message says how many fitted).

    Examples
    --------
    >>> scene = render_scene(2, size=(400, 600), background="plain", rng=7)
    >>> scene.image.shape, len(scene.codes)
    ((400, 600), 2)
    """
    rng = np.random.default_rng(rng)
    h, w = _size(size)
    if background not in BACKGROUNDS:
        raise InvalidArgumentError(f"background must be one of {BACKGROUNDS}, got {background!r}")
    if isinstance(max_tries, bool) or not isinstance(max_tries, Integral) or max_tries < 1:
        raise InvalidArgumentError(f"max_tries must be an integer >= 1, got {max_tries!r}")
    ranges = {
        "px_per_module": _bounds(px_per_module, "px_per_module", low=0.0, open_low=True),
        "angle": _bounds(angle, "angle"),
        "contrast": _bounds(contrast, "contrast", low=0.0, high=1.0, open_low=True),
        "blur": _bounds(blur, "blur", low=0.0),
    }
    noise_bounds = _bounds(noise, "noise", low=0.0)
    jpeg_bounds = _jpeg_bounds(jpeg_quality)
    specs = _code_list(n_codes, codes, formats, rng)

    scene = _background(background, (h, w), rng)
    placed = []
    for (text, fmt), (look, centre) in zip(specs, _layout(specs, ranges, (h, w), rng, max_tries)):
        corners = _paste_code(scene, text, fmt, look, centre, rng)
        placed.append(SceneCode(text, fmt, corners, look["px_per_module"], look["angle"]))

    sigma = _draw(rng, noise_bounds)
    quality = None if jpeg_bounds is None else int(rng.integers(jpeg_bounds[0], jpeg_bounds[1] + 1))
    final = degrade(scene, noise=sigma, jpeg_quality=quality, rng=rng)
    return Scene(image=np.round(final * 255.0).astype(np.uint8), codes=tuple(placed))


def render_negative(
    *, size=(480, 640), background: str = "clutter", noise=(0.0, 0.03), jpeg_quality=None, rng=None
) -> np.ndarray:
    """Render a background with no code in it.

    The same as ``render_scene(0, ...).image``.

    Parameters
    ----------
    size : tuple of int, optional
        ``(height, width)``.
    background : {"clutter", "plain", "photo", "mixed"}, optional
    noise : float or (float, float), optional
        Gaussian noise sigma in intensity units.
    jpeg_quality : int or (int, int) or None, optional
    rng : numpy.random.Generator or int or None, optional

    Returns
    -------
    ndarray of uint8, shape (height, width)

    Examples
    --------
    >>> render_negative(size=(60, 80), rng=0).shape
    (60, 80)
    """
    scene = render_scene(0, size=size, background=background, noise=noise, jpeg_quality=jpeg_quality, rng=rng)
    return scene.image
