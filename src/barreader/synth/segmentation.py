"""Training samples for a segmentation localizer, in the manner of Barcode-30k.

BarcodeNet's data (S000; ALGORITHMS.md §6.1) pastes code crops onto
background photographs: Poisson(2) codes per image, each resized 0.2-5
times, rotated, with a corner cut off one time in ten, darkened by a
factor 1-0.5 and sometimes resampled down and up again, cropped where it
leaves the background; the pixel labels come for free. Here the codes are
rendered (EAN/UPC and Code 39), the backgrounds are scikit-image's sample
photographs and procedural clutter with hard negatives
(:mod:`barreader.synth.clutter`), and the rotation covers every angle half
of the time (our reader reads at any angle), ±45° otherwise.

Beyond those rules, the looks vary the way real photographs do, so that a
network trained on them does not learn one synthesizer's look: most
EAN/UPC codes carry their digits under the bars (outside the bar mask),
some codes are printed straight onto the background with no label, labels
are tinted, lit unevenly and sometimes blurred, and whole images are
blurred, noisier or JPEG-compressed at random.

The mask marks the bars of every visible code: from the first bar's edge
to the last bar's, the full bar height, less what a corner cut or a later
label hides. The region mask marks each code's whole label (bars, quiet
zones, digits and border; for bars printed with no label, the bars and
half their quiet zones), the coarser "polygon-level" mask a mutually guided
network (S003) learns beside it; the bar mask always lies inside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from ..formats import Format
from ..symbology.code39 import ALPHABET, code_widths
from ..symbology.upcean import module_pattern
from .card import SUBSAMPLE
from .degrade import degrade
from .render import FORMATS, random_text, render_modules
from .scene import BACKGROUNDS, SceneCode, _background, _size

__all__ = ["SegmentationSample", "render_segmentation_sample"]

MEAN_CODES = 2.0  # Poisson mean of the codes per image (S000)
MAX_CODES = 9  # "fewer than 10 per image"
SCALE = (0.2, 5.0)  # resize of a code against BASE_LENGTH, drawn log-uniformly
BASE_LENGTH = 0.3  # bar-area length of a code at scale 1, times the image's short side
ANY_ANGLE = 0.5  # probability of a rotation anywhere in [0, 360) rather than within ±45°
CORNER_CUT = 0.1  # probability of cutting a corner off a code's label
CUT_RATIO = (0.5, 1.0)  # legs of the cut triangle, times the label's sides
DARKEN = (0.5, 1.0)  # factor the pasted label is multiplied by
LOW_RESOLUTION = 0.3  # probability of resampling a code down and up again
DOWN_FACTOR = (2.0, 4.0)
QUIET_ZONE = 10.0  # modules (narrow widths for Code 39) of light label on each side
DIGITS = 0.6  # probability that a code carries human-readable text under its bars
NO_LABEL = 0.25  # probability of bars printed straight onto the background
UNEVEN_LIGHT = 0.3  # probability of light falling off across a label, to a factor in LIGHT_FALLOFF
LIGHT_FALLOFF = (0.4, 0.9)
CODE_BLUR = 0.25  # probability of a label blurred by CODE_BLUR_MODULES (Gaussian sigma, modules)
CODE_BLUR_MODULES = (0.3, 1.0)
IMAGE_BLUR = 0.3  # probability of the whole image blurred by IMAGE_BLUR_PX (sigma, pixels)
IMAGE_BLUR_PX = (0.5, 2.0)
JPEG = 0.3  # probability of a JPEG round trip at a quality in JPEG_QUALITY
JPEG_QUALITY = (25, 90)
_FORMATS = FORMATS + (Format.CODE39,)


@dataclass(frozen=True)
class SegmentationSample:
    """An image, its pixel labels and the codes in it.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W)
    mask : ndarray of uint8, shape (H, W)
        1 on the visible bars of a code, 0 elsewhere.
    region : ndarray of uint8, shape (H, W)
        1 on the visible label of a code (bars, quiet zones, border), 0
        elsewhere; ``mask`` is 1 only where ``region`` is.
    codes : tuple of SceneCode
        Every code pasted, with the corners of its whole bar area (parts may
        lie outside the image, be cut off or be hidden by a later code).
    """

    image: np.ndarray
    mask: np.ndarray
    region: np.ndarray
    codes: tuple[SceneCode, ...]


def render_segmentation_sample(size=(320, 320), *, background: str = "mixed", noise: float = 0.02,
                               varied: bool = True, rng=None) -> SegmentationSample:
    """Draw one training sample: codes pasted on a background, with the mask of their bars.

    Parameters
    ----------
    size : (int, int)
        Height and width of the image.
    background : {"plain", "photo", "clutter", "mixed"}
        As for :func:`~barreader.synth.render_scene`.
    noise : float
        Typical Gaussian noise sigma added to the whole image, in grey levels
        of [0, 1]; a varied sample draws its own between half and twice this.
    varied : bool
        Vary the looks beyond S000's rules (see the module docstring);
        False draws S000's samples alone, with exactly this ``noise``.
    rng : numpy.random.Generator or int or None

    Returns
    -------
    SegmentationSample

    Examples
    --------
    >>> sample = render_segmentation_sample((240, 320), rng=1)
    >>> sample.image.shape, sample.mask.shape, sorted(set(sample.mask.ravel().tolist()))
    ((240, 320), (240, 320), [0, 1])
    """
    shape = _size(size)
    if background not in BACKGROUNDS:
        raise InvalidArgumentError(f"background must be one of {BACKGROUNDS}, got {background!r}")
    if not (isinstance(noise, (int, float)) and 0.0 <= noise <= 1.0):
        raise InvalidArgumentError(f"noise must be a number in [0, 1], got {noise!r}")
    rng = np.random.default_rng(rng)
    canvas = np.asarray(_background(background, shape, rng), dtype=np.float32).copy()
    mask = np.zeros(shape, dtype=np.uint8)
    region = np.zeros(shape, dtype=np.uint8)
    codes = []
    for _ in range(min(int(rng.poisson(MEAN_CODES)), MAX_CODES)):
        codes.append(_paste(canvas, mask, region, rng, varied))
    if varied:
        blur = rng.uniform(*IMAGE_BLUR_PX) if rng.uniform() < IMAGE_BLUR else 0.0
        jpeg = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)) if rng.uniform() < JPEG else None
        image = degrade(canvas, blur=blur, noise=noise * rng.uniform(0.5, 2.0), jpeg_quality=jpeg, rng=rng)
    else:
        image = degrade(canvas, noise=noise, rng=rng) if noise > 0 else np.clip(canvas, 0.0, 1.0)
    return SegmentationSample(np.round(255.0 * image).astype(np.uint8), mask, region, tuple(codes))


def _flat_label(rng: np.random.Generator, length: float,
                varied: bool) -> tuple[np.ndarray, np.ndarray, str, Format, float]:
    """A light label holding one random code whose bar area is ``length`` pixels long.

    Returns the label (float32, 1 = light), its bar mask, the text, the
    format and the module (for Code 39 the narrow element) width in pixels.
    """
    fmt = _FORMATS[int(rng.integers(len(_FORMATS)))]
    if fmt is Format.CODE39:
        text = "".join(ALPHABET[i] for i in rng.integers(0, len(ALPHABET), int(rng.integers(3, 11))))
        ratio = float(rng.choice([2.0, 2.5, 3.0]))
        widths = np.round(code_widths(text, ratio) * SUBSAMPLE).astype(int)
        modules = np.repeat((np.arange(len(widths)) % 2 == 0).astype(np.uint8), widths)
        module = length / len(modules)
        narrow = module * SUBSAMPLE
        quiet = QUIET_ZONE * SUBSAMPLE
    else:
        text = random_text(fmt, rng)
        modules = module_pattern(text, fmt)
        module = narrow = length / len(modules)
        quiet = QUIET_ZONE
    height = max(4, round(length * rng.uniform(0.25, 0.6)))
    border = round(length * rng.uniform(0.02, 0.1))
    label = render_modules(modules, px_per_module=module, quiet_zone=quiet, height=height)
    if varied and rng.uniform() < DIGITS:
        label = np.vstack([label, _caption(text, label.shape[1], length, rng)])
    label = np.pad(label, border, mode="constant", constant_values=1.0)
    bars = np.zeros(label.shape, dtype=np.float32)
    first = border + quiet * module
    bars[border : border + height, :] = _coverage(label.shape[1], first, first + len(modules) * module)[None, :]
    contrast = rng.uniform(0.5, 1.0)
    label = 0.5 + contrast * (label - 0.5)
    if varied and rng.uniform() < UNEVEN_LIGHT:
        label *= _ramp(label.shape, rng)
    if varied and rng.uniform() < CODE_BLUR:
        sigma = module * rng.uniform(*CODE_BLUR_MODULES)
        label = cv2.GaussianBlur(label, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return label.astype(np.float32), bars, text, fmt, narrow


def _caption(text: str, width: int, length: float, rng: np.random.Generator) -> np.ndarray:
    """A light band with the code's text centred in dark digits, as printed under most codes."""
    band = max(3, round(length * rng.uniform(0.08, 0.16)))
    font = cv2.FONT_HERSHEY_SIMPLEX if rng.uniform() < 0.7 else cv2.FONT_HERSHEY_PLAIN
    (tw, th), base = cv2.getTextSize(text, font, 1.0, 1)
    scale = min(0.8 * band / max(th + base, 1), 0.95 * width / max(tw, 1))
    thickness = max(1, round(scale * rng.uniform(1.0, 2.5)))
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    ink = np.zeros((band, width), np.uint8)
    cv2.putText(ink, text, ((width - tw) // 2, (band + th) // 2), font, scale, 255, thickness, cv2.LINE_AA)
    return 1.0 - ink.astype(np.float32) / 255.0


def _ramp(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Light falling off linearly across a label, in a random direction, to a random factor."""
    h, w = shape
    direction = rng.uniform(0.0, 2.0 * math.pi)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (x - w / 2) * math.cos(direction) + (y - h / 2) * math.sin(direction)
    t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
    return (1.0 - (1.0 - rng.uniform(*LIGHT_FALLOFF)) * t).astype(np.float32)


def _coverage(n: int, start: float, stop: float) -> np.ndarray:
    """Fraction of each pixel ``[i, i + 1)`` covered by ``[start, stop)``."""
    left = np.arange(n, dtype=np.float64)
    return np.clip(np.minimum(left + 1, stop) - np.maximum(left, start), 0.0, 1.0).astype(np.float32)


def _cut_corner(alpha: np.ndarray, rng: np.random.Generator) -> None:
    """Zero a right triangle at one corner of ``alpha``, legs a random share of its sides."""
    h, w = alpha.shape
    a, b = rng.uniform(*CUT_RATIO) * w, rng.uniform(*CUT_RATIO) * h
    corner = int(rng.integers(4))
    x0, y0 = (0.0 if corner in (0, 3) else float(w)), (0.0 if corner in (0, 1) else float(h))
    sx, sy = (1.0 if x0 == 0 else -1.0), (1.0 if y0 == 0 else -1.0)
    triangle = np.array([[x0, y0], [x0 + sx * a, y0], [x0, y0 + sy * b]])
    cv2.fillPoly(alpha, [np.round(triangle - 0.5).astype(np.int32)], 0.0)


def _paste(canvas: np.ndarray, mask: np.ndarray, region: np.ndarray, rng: np.random.Generator,
           varied: bool) -> SceneCode:
    """Paste one random code onto the canvas and update the masks; returns its ground truth."""
    h, w = canvas.shape
    scale = math.exp(rng.uniform(math.log(SCALE[0]), math.log(SCALE[1])))
    length = max(BASE_LENGTH * min(h, w) * scale, 8.0)
    label, bars, text, fmt, module = _flat_label(rng, length, varied)
    alpha = np.ones(label.shape, dtype=np.float32)
    if rng.uniform() < LOW_RESOLUTION:
        factor = rng.uniform(*DOWN_FACTOR)
        small = (max(1, round(label.shape[1] / factor)), max(1, round(label.shape[0] / factor)))
        label = cv2.resize(cv2.resize(label, small, interpolation=cv2.INTER_AREA), label.shape[::-1],
                           interpolation=cv2.INTER_LINEAR)
    label *= rng.uniform(*DARKEN)
    rows, columns = np.flatnonzero(bars.max(axis=1) > 0), np.flatnonzero(bars.max(axis=0) > 0.5)
    box = np.array([[columns[0], rows[0]], [columns[-1], rows[0]], [columns[-1], rows[-1]], [columns[0], rows[-1]]],
                   dtype=np.float64) + np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    keep = np.ones(label.shape, dtype=np.float32)  # what of the label is there after a corner cut
    printed = varied and rng.uniform() < NO_LABEL
    if printed:
        # Ink straight on the surface: only what is darker than the label's
        # light covers the background, and the "label" is the bars and half
        # their quiet zones.
        light = float(label.max())
        alpha = np.clip((light - label) / max(light, 1e-3), 0.0, 1.0)
        label = np.full(label.shape, min(light, 0.5) * rng.uniform(0.0, 0.6), dtype=np.float32)
        edge = int(round(module * QUIET_ZONE * 0.5))
        outline = np.zeros(label.shape, np.float32)
        outline[max(rows[0] - edge, 0) : rows[-1] + 1, max(columns[0] - edge, 0) : columns[-1] + edge + 1] = 1.0
    if rng.uniform() < CORNER_CUT:
        _cut_corner(keep, rng)
    alpha *= keep
    bars *= keep
    angle = rng.uniform(0.0, 360.0) if rng.uniform() < ANY_ANGLE else rng.uniform(-45.0, 45.0) % 360.0
    centre = np.array([rng.uniform(0, w - 1), rng.uniform(0, h - 1)])
    lh, lw = label.shape
    theta = math.radians(angle)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    # Label pixel centres (x, y) map to rotation @ (p - label centre) + centre.
    matrix = np.hstack([rotation, (centre - rotation @ np.array([(lw - 1) / 2, (lh - 1) / 2]))[:, None]])

    def warp(image: np.ndarray) -> np.ndarray:
        return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=0.0)

    placed_alpha, placed_bars = warp(alpha), warp(bars)
    canvas *= 1.0 - placed_alpha
    canvas += warp(label * alpha)
    covered = warp(outline * keep if printed else keep) > 0.5
    if not printed:
        mask[covered] = 0  # a label hides the codes under it; printed bars leave theirs in sight
    mask[covered & (placed_bars > 0.5)] = 1
    region[covered] = 1
    return SceneCode(text, fmt, box @ matrix[:, :2].T + matrix[:, 2], module, angle)
