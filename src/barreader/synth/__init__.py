"""Synthetic EAN/UPC and Code 39 images with known ground truth, for tests and benchmarks.

:func:`render_modules` draws a clean code with exact, area-weighted sub-pixel
bar edges; :func:`degrade` and :func:`rotate` add blur, contrast loss, noise,
JPEG artefacts and rotation; :func:`render_code` chains them for a given text
and returns a :class:`SyntheticCode` holding the image, the text and the bar
area's corners. :func:`random_text` draws valid texts.

:func:`render_scene` places several codes on light labels over a plain,
photographic or cluttered background and returns a :class:`Scene` with each
code's ground truth (:class:`SceneCode`); :func:`render_negative` draws a
background alone, and :func:`clutter` the procedural hard negatives
(code-like stripes, gratings, text, grids, blobs).

:func:`render_segmentation_sample` draws Barcode-30k-style training samples
for a segmentation localizer: codes pasted at any scale and angle, cut,
darkened and resampled, with the pixel mask of their bars.

:func:`render_code39` draws a Code 39 with any wide-to-narrow ratio, and
:func:`render_licence_card` an identity-card-like image with an invented
Finnish identity code (:func:`random_hetu`) as its Code 39, blurred,
smudged and rotated at will.

Coordinates put pixel centres at integers (the OpenCV convention): pixel
``image[i, j]`` is centred at ``x = j, y = i``.

Examples
--------
>>> import numpy as np
>>> from barreader.synth import random_text, render_code
>>> rng = np.random.default_rng(1)
>>> code = render_code(random_text("EAN-13", rng), "EAN-13", blur=0.5, noise=0.05, angle=20, rng=rng)
>>> code.image.dtype
dtype('uint8')
"""

from .card import LicenceCard, random_hetu, render_code39, render_licence_card
from .clutter import CLUTTER_KINDS, clutter
from .degrade import degrade, rotate
from .render import FORMATS, SyntheticCode, random_text, render_code, render_modules
from .scene import BACKGROUNDS, PHOTOS, Scene, SceneCode, render_negative, render_scene
from .segmentation import SegmentationSample, render_segmentation_sample

__all__ = [
    "BACKGROUNDS",
    "CLUTTER_KINDS",
    "FORMATS",
    "LicenceCard",
    "PHOTOS",
    "Scene",
    "SceneCode",
    "SegmentationSample",
    "SyntheticCode",
    "clutter",
    "degrade",
    "random_hetu",
    "random_text",
    "render_code",
    "render_code39",
    "render_modules",
    "render_licence_card",
    "render_negative",
    "render_scene",
    "render_segmentation_sample",
    "rotate",
]
