"""Drawing of EAN/UPC codes with exact sub-pixel bar edges."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ..formats import Format, parse_formats
from ..symbology.upcean import gtin_check_digit, module_pattern, normalize_text, upce_to_upca
from .degrade import degrade, rotate

__all__ = ["FORMATS", "SyntheticCode", "random_text", "render_modules", "render_code"]

FORMATS = (Format.UPCA, Format.EAN13, Format.EAN8, Format.UPCE)

# Digits drawn before the check digit, per format.
_PAYLOAD_LENGTH = {Format.UPCA: 11, Format.EAN13: 12, Format.EAN8: 7}


def _as_format(fmt: Format | str) -> Format:
    if isinstance(fmt, Format):
        return fmt
    chosen = parse_formats(fmt)
    if len(chosen) != 1:
        raise InvalidArgumentError(f"expected a single barcode format, got {fmt!r}")
    return next(iter(chosen))


def random_text(fmt: Format | str, rng: np.random.Generator) -> str:
    """Draw a random valid human-readable text for a format.

    Parameters
    ----------
    fmt : Format or str
        The format, or its name.
    rng : numpy.random.Generator
        Source of randomness (an int seed or None is also accepted).

    Returns
    -------
    str
        12 digits for UPC-A, 13 for EAN-13, 8 for EAN-8 and UPC-E, the check
        digit last. A UPC-E has number system 0 or 1; its check digit is that of
        its UPC-A expansion.

    Examples
    --------
    >>> import numpy as np
    >>> len(random_text("EAN-13", np.random.default_rng(0)))
    13
    """
    fmt = _as_format(fmt)
    rng = np.random.default_rng(rng)
    if fmt is Format.UPCE:
        body = str(int(rng.integers(0, 2))) + "".join(str(d) for d in rng.integers(0, 10, 6))
        return body + str(gtin_check_digit(upce_to_upca(body + "0")[:-1]))
    payload = "".join(str(d) for d in rng.integers(0, 10, _PAYLOAD_LENGTH[fmt]))
    return payload + str(gtin_check_digit(payload))


def _code_start(quiet_zone: float, px_per_module: float, phase: float) -> float:
    """x of the first module's left edge, pixel n spanning [n, n + 1)."""
    return phase + quiet_zone * px_per_module


def _check_render_args(px_per_module: float, quiet_zone: float, phase: float) -> None:
    if not px_per_module > 0:
        raise InvalidArgumentError(f"px_per_module must be > 0, got {px_per_module!r}")
    if not quiet_zone >= 0:
        raise InvalidArgumentError(f"quiet_zone must be >= 0, got {quiet_zone!r}")
    if not 0 <= phase < 1:
        raise InvalidArgumentError(f"phase must be in [0, 1), got {phase!r}")


def render_modules(
    modules,
    *,
    px_per_module: float = 3.0,
    quiet_zone: float = 10.0,
    height: int | None = None,
    phase: float = 0.0,
    dark: float = 0.0,
    light: float = 1.0,
) -> np.ndarray:
    """Draw a clean, axis-aligned code from its module colours.

    Every pixel is the exact area-weighted average of what covers it (a box
    filter), so bars may have fractional widths in pixels.

    Parameters
    ----------
    modules : array_like of int, shape (N,)
        Module colours, 1 = bar, 0 = space.
    px_per_module : float, optional
        Module width in pixels, > 0; need not be an integer.
    quiet_zone : float, optional
        Light margin on each side, in modules.
    height : int, optional
        Image height in pixels. Default ``round(0.4 * N * px_per_module)``,
        at least 1.
    phase : float, optional
        Sub-pixel shift of the whole code to the right, in pixels, in [0, 1).
    dark, light : float, optional
        Values of bars and spaces.

    Returns
    -------
    ndarray of float32, shape (height, W)
        Every row is the same profile. With pixel column ``n`` covering
        ``[n, n + 1)``, the first module starts at
        ``phase + quiet_zone * px_per_module`` and
        ``W = ceil(phase + (N + 2 * quiet_zone) * px_per_module)``.

    Examples
    --------
    >>> render_modules([1, 0, 1], px_per_module=1.5, quiet_zone=0, height=1)
    array([[0. , 0.5, 1. , 0. , 0.5]], dtype=float32)
    """
    bars = np.asarray(modules, dtype=np.float64).ravel()
    if bars.size == 0 or not np.all((bars == 0) | (bars == 1)):
        raise InvalidArgumentError("modules must be a non-empty sequence of 0/1 values")
    _check_render_args(px_per_module, quiet_zone, phase)
    n = bars.size
    start = _code_start(quiet_zone, px_per_module, phase)
    width = math.ceil(phase + (n + 2 * quiet_zone) * px_per_module - 1e-9)
    if height is None:
        height = max(1, round(0.4 * n * px_per_module))
    if int(height) < 1:
        raise InvalidArgumentError(f"height must be >= 1, got {height!r}")

    # Ink (bar area, in pixels) left of each pixel boundary x = 0..width:
    # whole modules before x's module, plus the covered part of that module.
    # Working in pixels rather than modules keeps integer scales exact.
    before = np.concatenate(([0.0], np.cumsum(bars)))
    x = np.arange(width + 1, dtype=np.float64)
    k = np.clip(np.floor((x - start) / px_per_module), 0, n - 1).astype(np.int64)
    covered = np.clip(x - (start + k * px_per_module), 0.0, px_per_module)
    ink = before[k] * px_per_module + bars[k] * covered
    coverage = np.clip(np.diff(ink), 0.0, 1.0)  # clip only removes rounding error

    profile = light + (dark - light) * coverage
    return np.repeat(profile[None, :].astype(np.float32), int(height), axis=0)


@dataclass(frozen=True)
class SyntheticCode:
    """A rendered code and its ground truth.

    Coordinates put pixel centres at integers (the OpenCV convention): pixel
    ``image[i, j]`` is centred at ``x = j, y = i`` and spans ``[j - 0.5, j + 0.5]``.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W)
        The grey image.
    text : str
        Normalized human-readable text.
    format : Format
    corners : ndarray of float64, shape (4, 2)
        ``x, y`` of the bar area (first bar's left edge to last bar's right
        edge, full bar height), ordered start-top, end-top, end-bottom,
        start-bottom; "start" is the start guard's side and "top" the top of
        the bars before rotation.
    px_per_module : float
    angle : float
        Clockwise rotation in degrees.
    """

    image: np.ndarray
    text: str
    format: Format
    corners: np.ndarray
    px_per_module: float
    angle: float


def render_code(
    text: str,
    fmt: Format | str,
    *,
    px_per_module: float = 3.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    angle: float = 0.0,
    contrast: float = 1.0,
    quiet_zone: float = 10.0,
    height: int | None = None,
    phase: float = 0.0,
    rng=None,
    background_margin: float = 0.0,
) -> SyntheticCode:
    """Render an EAN/UPC code as a degraded, possibly rotated, grey image.

    The steps are :func:`render_modules`, a light border of
    ``background_margin`` pixels, :func:`rotate` (light background), then
    :func:`degrade` and rounding to 8 bits.

    Parameters
    ----------
    text : str
        Human-readable text with check digit; normalized with
        :func:`~barreader.symbology.upcean.normalize_text`.
    fmt : Format or str
    px_per_module : float, optional
        Module width in pixels (fractional allowed).
    blur : float, optional
        Gaussian sigma in module widths (``blur * px_per_module`` pixels).
    noise : float, optional
        Noise sigma as a fraction of the dark/light difference, i.e.
        ``noise * contrast`` in intensity units.
    jpeg_quality : int, optional
        JPEG quality 1..100, or None for no compression.
    angle : float, optional
        Clockwise rotation in degrees.
    contrast : float, optional
        Dark/light difference in (0, 1], centred on 0.5.
    quiet_zone : float, optional
        Quiet zone on each side, in modules.
    height : int, optional
        Bar height in pixels (see :func:`render_modules`).
    phase : float, optional
        Sub-pixel shift of the code, in pixels, in [0, 1).
    rng : numpy.random.Generator or int or None, optional
        Randomness for the noise.
    background_margin : float, optional
        Light border added on every side before rotating, in whole pixels.

    Returns
    -------
    SyntheticCode

    Examples
    --------
    >>> code = render_code("96385074", "EAN-8", px_per_module=2)
    >>> code.image.shape
    (54, 174)
    """
    fmt = _as_format(fmt)
    text = normalize_text(text, fmt)
    margin = int(round(background_margin))
    if margin < 0:
        raise InvalidArgumentError(f"background_margin must be >= 0, got {background_margin!r}")
    rng = np.random.default_rng(rng)

    modules = module_pattern(text, fmt)
    image = render_modules(
        modules, px_per_module=px_per_module, quiet_zone=quiet_zone, height=height, phase=phase
    )
    if margin:
        image = np.pad(image, margin, mode="constant", constant_values=1.0)

    # Bar area in pixel-centre coordinates: an edge at x = a in render_modules'
    # [n, n + 1) convention is at a - 0.5 here.
    left = margin + _code_start(quiet_zone, px_per_module, phase) - 0.5
    right = left + modules.size * px_per_module
    top = margin - 0.5
    bottom = image.shape[0] - margin - 0.5
    corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float64)

    image, matrix = rotate(image, angle, background=1.0)
    corners = corners @ matrix[:, :2].T + matrix[:, 2]

    image = degrade(
        image,
        blur=blur * px_per_module,
        noise=noise * contrast,
        jpeg_quality=jpeg_quality,
        contrast=contrast,
        rng=rng,
    )
    image8 = np.round(image * 255.0).astype(np.uint8)
    return SyntheticCode(
        image=image8, text=text, format=fmt, corners=corners, px_per_module=float(px_per_module), angle=angle
    )
