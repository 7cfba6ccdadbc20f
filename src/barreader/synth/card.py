"""Synthetic identity-card-like images with a Code 39, for the constrained recovery.

The data are invented: :func:`random_hetu` draws valid Finnish identity
codes of no one in particular, and the card carries made-up words. Nothing
here reproduces a real document.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from ..symbology.code39 import code_widths, hetu_check
from .render import render_modules

__all__ = ["LicenceCard", "random_hetu", "render_code39", "render_licence_card"]

SUBSAMPLE = 4  # modules per narrow width when drawing (ratios in quarters)


def random_hetu(rng: np.random.Generator, century: str = "-") -> str:
    """A valid, invented Finnish identity code ``DDMMYYCZZZQ``."""
    day, month, year = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(0, 100))
    number = int(rng.integers(2, 900))
    payload = f"{day:02d}{month:02d}{year:02d}{century}{number:03d}"
    return payload + hetu_check(payload)


def render_code39(text: str, *, narrow: float = 2.0, ratio: float = 2.75, quiet_zone: float = 10.0,
                  height: int | None = None, phase: float = 0.0) -> np.ndarray:
    """Draw ``*text*`` as a clean, axis-aligned Code 39 (float32, 1 = light).

    Parameters
    ----------
    text : str
        Data characters (no ``*``).
    narrow : float
        Narrow element width in pixels.
    ratio : float
        Wide-to-narrow ratio, a multiple of 0.25.
    quiet_zone : float
        Light margin on each side, in narrow widths.
    height : int, optional
        Image height (default: 0.15 of the code's length, at least 8).
    phase : float
        Sub-pixel offset of the code, in pixels.
    """
    if abs(ratio * SUBSAMPLE - round(ratio * SUBSAMPLE)) > 1e-9:
        raise InvalidArgumentError(f"ratio must be a multiple of 1/{SUBSAMPLE}, got {ratio!r}")
    widths = np.round(code_widths(text, ratio) * SUBSAMPLE).astype(int)
    modules = np.repeat((np.arange(len(widths)) % 2 == 0).astype(np.uint8), widths)
    if height is None:
        height = max(8, round(0.15 * len(modules) * narrow / SUBSAMPLE))
    return render_modules(modules, px_per_module=narrow / SUBSAMPLE, quiet_zone=quiet_zone * SUBSAMPLE,
                          height=height, phase=phase)


@dataclasses.dataclass(frozen=True)
class LicenceCard:
    """A rendered card and where its code is.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W)
    text : str
        The code's data characters.
    corners : ndarray, shape (4, 2)
        The code's bars (first to last bar edge, full height) in image
        pixels, in reading order: start-top, end-top, end-bottom, start-bottom.
    """

    image: np.ndarray
    text: str
    corners: np.ndarray


def render_licence_card(text: str, *, narrow: float = 2.0, ratio: float = 2.75, blur: float = 1.5,
                        smudge: float = 0.0, angle: float = 0.0, noise: float = 0.02,
                        rng: np.random.Generator | int | None = None) -> LicenceCard:
    """A card with invented text and a Code 39 near its bottom edge, degraded.

    Parameters
    ----------
    text : str
        The code's data characters.
    narrow : float
        Narrow element width in pixels (2: a code of 13 characters is
        about 400 pixels long).
    ratio : float
        Wide-to-narrow ratio.
    blur : float
        Gaussian blur of the whole image, in narrow widths.
    smudge : float
        Width of a dark, semi-transparent smudge (70 % opaque) over the
        code, as a fraction of the code's length; 0 for none.
    angle : float
        Rotation of the card, in degrees (counter-clockwise as displayed).
    noise : float
        Standard deviation of Gaussian noise, on a 0-1 grey scale.
    rng : Generator, int or None

    Returns
    -------
    LicenceCard
    """
    rng = np.random.default_rng(rng)
    phase = float(rng.uniform(0, 1))
    code = render_code39(text, narrow=narrow, ratio=ratio, quiet_zone=0, height=max(12, round(18 * narrow)), phase=phase)
    code_length = float(code_widths(text, ratio).sum()) * narrow
    quiet = 12 * narrow
    width = int(math.ceil(code.shape[1] + 2 * quiet + 40))
    height = int(round(width * 0.5))
    canvas = np.full((height, width), 224, dtype=np.uint8)  # OpenCV draws text on 8-bit images only
    words = ["AJOKORTTI", "KORT", "SAMPLE", "NIMI", "ESIMERKKI", "TESTI"]
    for row in range(3):
        label = " ".join(rng.choice(words, size=2))
        cv2.putText(canvas, label, (int(0.35 * width), int((0.16 + 0.12 * row) * height)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.45 * width / 640, 38, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (int(0.05 * width), int(0.08 * height)), (int(0.28 * width), int(0.55 * height)), 140, -1)
    card = canvas.astype(np.float32) / 255.0
    x0, y0 = int(20 + quiet), height - code.shape[0] - int(0.08 * height)
    window = card[y0 : y0 + code.shape[0], x0 : x0 + code.shape[1]]
    window[...] = np.minimum(window, 0.08 + 0.8 * code)
    # Pixel centres at integers: the first bar edge is at x0 + phase - 0.5.
    start = x0 + phase - 0.5
    top, bottom = y0 - 0.5, y0 + code.shape[0] - 0.5
    corners = np.array([[start, top], [start + code_length, top], [start + code_length, bottom], [start, bottom]])
    if smudge > 0:
        centre = start + float(rng.uniform(0.2, 0.8)) * code_length
        yy, xx = np.mgrid[0:height, 0:width]
        shape = ((xx - centre) / (0.5 * smudge * code_length)) ** 2 + ((yy - (y0 + 0.5 * code.shape[0])) / code.shape[0]) ** 2
        alpha = 0.7 * np.clip(1.5 - shape, 0.0, 1.0)  # 70 % opaque core, soft rim
        card = (1 - alpha) * card + alpha * 0.4
    if angle:
        centre = (width / 2.0 - 0.5, height / 2.0 - 0.5)
        rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
        cos, sin = abs(rotation[0, 0]), abs(rotation[0, 1])
        new_w, new_h = int(math.ceil(width * cos + height * sin)), int(math.ceil(width * sin + height * cos))
        rotation[:, 2] += [(new_w - width) / 2.0, (new_h - height) / 2.0]
        card = cv2.warpAffine(card, rotation, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=0.3)
        corners = np.c_[corners, np.ones(4)] @ rotation.T
    if blur > 0:
        card = cv2.GaussianBlur(card, (0, 0), blur * narrow)
    card = card + rng.normal(0.0, noise, card.shape).astype(np.float32)
    image = np.clip(np.round(card * 255), 0, 255).astype(np.uint8)
    return LicenceCard(image, text, corners)
