"""Regions from a segmentation network run with onnxruntime (the ``onnx`` extra).

The network (:mod:`barreader.segment.model`, trained on synthetic
Barcode-30k-style images by :mod:`barreader.segment.train`) scores every
pixel of a fixed-size grey input as code or not. The image is resized to
that input, both sides independently (a stretch, so no pixel of the input is
wasted on padding), the code probability is taken from the scores, and
:func:`~barreader.localize.mask.mask_regions` turns it into rotated
regions in image pixels, each fitted to the bars it holds and kept only if
they pass the bar test the QuaggaJS-style localizer uses
(:mod:`barreader.localize.bars`).

onnxruntime is imported on first use, never by ``import barreader``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import cv2
import numpy as np

from ..errors import InvalidArgumentError
from ..results import Region
from .mask import mask_regions
from .overlap import distinct

__all__ = ["DEFAULT_MODEL", "code_probability", "segmentation_regions"]

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "segment" / "barcodes.onnx"
DEFAULT_INPUT = 320  # input side used when the model's input size is not fixed
THREADS = 1  # onnxruntime threads; the rest of the pipeline runs on one core too
LEVELS = (0.5, 0.8, 0.95)  # probability thresholds, each cutting again what the one before left unexplained
# A second, independent cut starting lower, whose regions join the first's:
# the network is unsure of codes unlike its training samples, and its
# probability over a real photo's code is often patchy, so that at 0.5 only
# part of the code is a component and its box misses the rest. Starting at
# 0.2 alone joins other codes to their surroundings instead. On 580 codes in
# real photos, both cuts together hold 85 % (0.5 alone 81 %, 0.2 alone 84 %)
# with the stride-16 model these levels were chosen on.
LOW_LEVELS = (0.2, 0.5, 0.8)


def _onnxruntime():
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError("the 'onnx' localizer needs onnxruntime, which is an optional extra: "
                          "pip install 'barreader[onnx]'") from error
    return onnxruntime


@functools.lru_cache(maxsize=4)
def _session(path: str):
    """An inference session for the model file, checked to map one grey image to class scores."""
    ort = _onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own exception types
        raise InvalidArgumentError(f"model {path!r} is not a usable ONNX model: {error}") from error
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[1] != 1:
        raise InvalidArgumentError(f"model {path!r} must take one input of shape (N, 1, H, W), "
                                   f"got {[tuple(i.shape) for i in inputs]}")
    if not outputs or len(outputs[0].shape) != 4:
        raise InvalidArgumentError(f"model {path!r} must give scores of shape (N, C, H, W)")
    return session


def _model_path(model) -> str:
    path = DEFAULT_MODEL if model is None else model
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"model must be a path to an ONNX file or None, got {type(model).__name__}")
    path = Path(path)
    if not path.is_file():
        raise InvalidArgumentError(f"model file not found: {str(path)!r}")
    return str(path.resolve())


def _input_size(session) -> tuple[int, int]:
    height, width = session.get_inputs()[0].shape[2:]
    fixed = isinstance(height, int) and isinstance(width, int) and height > 0 and width > 0
    return (height, width) if fixed else (DEFAULT_INPUT, DEFAULT_INPUT)


def code_probability(gray: np.ndarray, model=None) -> np.ndarray:
    """The network's probability of a code at each pixel of its (stretched) input.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        Grey image in [0, 1].
    model : str or os.PathLike, optional
        ONNX file: input ``(N, 1, h, w)`` grey in [0, 1], output ``(N, C, h', w')``
        scores, the last channel the code class (two or more channels:
        softmax; one: logistic). Default: the model shipped with barreader.

    Returns
    -------
    ndarray of float32, shape (h', w')
        Covers the whole image, each axis scaled on its own.

    Raises
    ------
    ImportError
        If onnxruntime is not installed.
    InvalidArgumentError
        If the model file is missing or does not have that form.
    """
    return _run(gray, model)[1]


def _run(gray: np.ndarray, model) -> tuple[np.ndarray, np.ndarray]:
    """The network's input (the resized grey image) and its code probability."""
    session = _session(_model_path(model))
    height, width = _input_size(session)
    small = cv2.resize(np.ascontiguousarray(gray, dtype=np.float32), (width, height), interpolation=cv2.INTER_AREA)
    scores = session.run(None, {session.get_inputs()[0].name: small[None, None]})[0][0].astype(np.float32)
    if scores.shape[0] == 1:
        return small, 1.0 / (1.0 + np.exp(-scores[0]))
    scores -= scores.max(axis=0, keepdims=True)
    exp = np.exp(scores)
    return small, exp[-1] / exp.sum(axis=0)


def segmentation_regions(gray: np.ndarray, model=None, threshold=LEVELS, low=LOW_LEVELS) -> list[Region]:
    """Regions of the connected parts of the network's code mask: the first cut's, then the second's.

    Parameters
    ----------
    gray : ndarray of float32, shape (H, W)
        Grey image in [0, 1].
    model : str or os.PathLike, optional
        As for :func:`code_probability`.
    threshold : float or sequence of float
        Probability at which a pixel counts as code, or rising levels (see
        :func:`~barreader.localize.mask.mask_regions`).
    low : float or sequence of float or None
        Levels of a second cut, made independently of the first; its
        regions follow the first cut's, less those whose centre lies in
        one of them. None skips it.

    Returns
    -------
    list of Region
        As :func:`~barreader.localize.mask.mask_regions` gives them, each
        cut's strongest first.
    """
    small, probability = _run(gray, model)
    regions = mask_regions(gray, probability, threshold=threshold, map_gray=small, fit=True)
    if low is None:
        return regions
    # The first cut's regions come first and stay; the second's join where
    # their centres lie outside all of them.
    return distinct(regions + mask_regions(gray, probability, threshold=low, map_gray=small, fit=True))
