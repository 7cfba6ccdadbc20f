"""Reading video: the frames of a file, a camera or any iterable of images, and codes told apart across frames."""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .errors import InvalidArgumentError
from .options import positive_int
from .reader import check_read_options, read
from .results import Barcode

__all__ = ["read_frames"]


def read_frames(
    source: str | os.PathLike | int | Iterable[Any],
    *,
    every: int = 1,
    unique: bool = False,
    memory: int = 30,
    **read_options,
) -> Iterator[tuple[int, list[Barcode]]]:
    """Read the barcodes in the frames of a video, a camera or a sequence of images.

    Parameters
    ----------
    source : str, os.PathLike, int or iterable
        A video file OpenCV opens, a camera index (``0`` for the first),
        or an iterable of images (anything :func:`barreader.read` takes).
    every : int
        Read every ``every``-th frame (the first, then ``every`` later...);
        the others are skipped without being decoded where the source allows.
    unique : bool
        Report each code once while it stays in view: a code is left out
        of a frame's results when a code of the same format and text was
        read on one of the ``memory`` frames read before, about where it
        is now (centres apart by less than the code's length).
    memory : int
        Frames read that ``unique`` looks back over.
    **read_options
        Keyword arguments of :func:`barreader.read`, checked before any
        frame is read.

    Yields
    ------
    index : int
        The frame's number in the source, from 0.
    codes : list of Barcode
        What :func:`barreader.read` found on it (with ``unique``, only the
        codes not reported before).

    Raises
    ------
    FileNotFoundError
        If ``source`` names a file that does not exist.
    InvalidArgumentError
        If the video or camera cannot be opened, or an option is invalid.

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> frame = render_code("036000291452", "UPC-A", px_per_module=2.5, rng=0).image
    >>> [(i, [c.text for c in codes]) for i, codes in barreader.read_frames([frame] * 3, unique=True)]
    [(0, ['036000291452']), (1, []), (2, [])]
    """
    positive_int("every", every)
    positive_int("memory", memory)
    check_read_options(read_options, "read_frames")
    frames = _video_frames(source, every) if isinstance(source, (str, os.PathLike, int)) else _every(source, every)
    return _read(frames, unique, memory, read_options)


def _read(frames: Iterator[tuple[int, Any]], unique: bool, memory: int,
          read_options: dict) -> Iterator[tuple[int, list[Barcode]]]:
    seen: collections.deque = collections.deque(maxlen=memory)  # codes reported, per frame read
    for index, frame in frames:
        codes = read(frame, **read_options)
        if unique:
            earlier = [code for frame_codes in seen for code in frame_codes]
            new = [code for code in codes if not any(_same_code(code, other) for other in earlier)]
            # What is seen now, reported or not, is what later frames are compared with.
            seen.append(codes)
            codes = new
        yield index, codes


def _same_code(a: Barcode, b: Barcode) -> bool:
    """Same format and text, centres closer than the longer code's length."""
    if a.format != b.format or a.text != b.text:
        return False
    corners_a, corners_b = np.asarray(a.position, dtype=float), np.asarray(b.position, dtype=float)
    length = max(np.hypot(*(corners_a[1] - corners_a[0])), np.hypot(*(corners_b[1] - corners_b[0])))
    gap = corners_a.mean(axis=0) - corners_b.mean(axis=0)
    return math.hypot(*gap) < max(length, 1.0)


def _every(frames: Iterable[Any], every: int) -> Iterator[tuple[int, Any]]:
    for index, frame in enumerate(frames):
        if index % every == 0:
            yield index, frame


def _video_frames(source: str | os.PathLike | int, every: int) -> Iterator[tuple[int, np.ndarray]]:
    import cv2

    if not isinstance(source, int):
        source = os.fspath(source)
        if not os.path.exists(source):
            raise FileNotFoundError(f"video file not found: {source!r}")
    logging = cv2.utils.logging
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        capture = cv2.VideoCapture(source)
        opened = capture.isOpened()
    finally:
        logging.setLogLevel(level)
    if not opened:
        kind = "camera" if isinstance(source, int) else "video file"
        raise InvalidArgumentError(f"cannot open {kind} {source!r} with OpenCV")
    return _captured(capture, every)


def _captured(capture, every: int) -> Iterator[tuple[int, np.ndarray]]:
    try:
        index = 0
        while True:
            if index % every == 0:
                ok, frame = capture.read()
                if not ok:
                    return
                yield index, frame
            elif not capture.grab():  # skipped: not decoded
                return
            index += 1
    finally:
        capture.release()
