"""Camera-like degradations of a rendered image: blur, contrast, noise, JPEG, rotation."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..errors import InvalidArgumentError, InvalidImageError

__all__ = ["degrade", "rotate"]


def _as_grey_float(image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 2 or image.size == 0:
        raise InvalidImageError(f"expected a non-empty 2-D grey image, got shape {image.shape}")
    return image.astype(np.float64)


def degrade(
    image,
    *,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    contrast: float = 1.0,
    rng=None,
) -> np.ndarray:
    """Blur, reduce contrast, add noise and JPEG-compress a grey image.

    The steps are applied in that order, with clipping to [0, 1] after the
    noise.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Float image with values in [0, 1].
    blur : float, optional
        Gaussian sigma in pixels over the whole 2-D image; 0 means none.
    noise : float, optional
        Sigma of additive Gaussian noise, in intensity units (the full range
        being 0..1).
    jpeg_quality : int, optional
        JPEG quality 1..100 for an 8-bit encode/decode round trip, or None.
    contrast : float, optional
        In (0, 1]: values are scaled around 0.5 so that a 0..1 difference
        becomes ``contrast``.
    rng : numpy.random.Generator or int or None, optional
        Randomness for the noise; a given seed gives a given output.

    Returns
    -------
    ndarray of float32, shape (H, W)
        Values in [0, 1].
    """
    out = _as_grey_float(image)
    if blur < 0:
        raise InvalidArgumentError(f"blur must be >= 0, got {blur!r}")
    if noise < 0:
        raise InvalidArgumentError(f"noise must be >= 0, got {noise!r}")
    if not 0 < contrast <= 1:
        raise InvalidArgumentError(f"contrast must be in (0, 1], got {contrast!r}")
    if jpeg_quality is not None and not 1 <= int(jpeg_quality) <= 100:
        raise InvalidArgumentError(f"jpeg_quality must be in 1..100 or None, got {jpeg_quality!r}")

    if blur > 0:
        ksize = 2 * math.ceil(4 * blur) + 1
        # Replicating the border keeps the light background light at the edges.
        out = cv2.GaussianBlur(out, (ksize, ksize), blur, borderType=cv2.BORDER_REPLICATE)
    if contrast != 1:
        out = 0.5 + (out - 0.5) * contrast
    if noise > 0:
        out = out + np.random.default_rng(rng).normal(0.0, noise, out.shape)
    out = np.clip(out, 0.0, 1.0)
    if jpeg_quality is not None:
        ok, buf = cv2.imencode(
            ".jpg", np.round(out * 255.0).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)]
        )
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) / 255.0
    return out.astype(np.float32)


def rotate(image, angle: float, *, background: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Rotate an image clockwise (as seen on screen), enlarging the canvas.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Float grey image.
    angle : float
        Clockwise rotation in degrees (the image y axis points down).
    background : float, optional
        Value of the canvas outside the rotated image.

    Returns
    -------
    rotated : ndarray of float32, shape (H', W')
        Bilinearly resampled; large enough that nothing is cut off.
    matrix : ndarray of float64, shape (2, 3)
        Maps original ``x, y`` to rotated ``x, y``, pixel centres being at
        integer coordinates: ``[x', y'] = matrix[:, :2] @ [x, y] + matrix[:, 2]``.

    Examples
    --------
    >>> import numpy as np
    >>> out, m = rotate(np.zeros((2, 5), np.float32), 90)
    >>> out.shape
    (5, 2)
    """
    src = _as_grey_float(image).astype(np.float32)
    h, w = src.shape
    theta = math.radians(angle)
    c, s = math.cos(theta), math.sin(theta)
    # With y pointing down, [[c, -s], [s, c]] turns +x towards +y: clockwise on screen.
    lin = np.array([[c, -s], [s, c]])
    # Outer corners of the pixel area (pixel centres are at integers).
    outline = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]]) @ lin.T
    span = outline.max(axis=0) - outline.min(axis=0)
    # The tolerance keeps exact multiples of 90 degrees from gaining a column.
    new_w, new_h = (int(math.ceil(v - 1e-6)) for v in span)
    centre = np.array([(w - 1) / 2, (h - 1) / 2])
    new_centre = np.array([(new_w - 1) / 2, (new_h - 1) / 2])
    matrix = np.hstack([lin, (new_centre - lin @ centre)[:, None]])
    rotated = cv2.warpAffine(
        src,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=float(background),
    )
    return rotated, matrix
