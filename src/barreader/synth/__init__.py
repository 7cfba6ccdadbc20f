"""Synthetic EAN/UPC images with known ground truth, for tests and benchmarks.

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

from .clutter import CLUTTER_KINDS, clutter
from .degrade import degrade, rotate
from .render import FORMATS, SyntheticCode, random_text, render_code, render_modules
from .scene import BACKGROUNDS, PHOTOS, Scene, SceneCode, render_negative, render_scene

__all__ = [
    "BACKGROUNDS",
    "CLUTTER_KINDS",
    "FORMATS",
    "PHOTOS",
    "Scene",
    "SceneCode",
    "SyntheticCode",
    "clutter",
    "degrade",
    "random_text",
    "render_code",
    "render_modules",
    "render_negative",
    "render_scene",
    "rotate",
]
