"""read_frames: a video written by OpenCV, iterables of frames, codes reported once with unique."""

import numpy as np
import pytest

import barreader
from barreader import InvalidArgumentError
from barreader.synth import render_code

SIZE = (240, 320)  # frame height, width


def _frame(text, fmt, shift):
    """A frame with one code, moved ``shift`` pixels right."""
    frame = np.full(SIZE, 200, np.uint8)
    code = render_code(text, fmt, px_per_module=2.0, background_margin=10, rng=0).image
    h, w = code.shape
    y, x = (SIZE[0] - h) // 2, 20 + shift
    frame[y : y + h, x : x + w] = code
    return frame


@pytest.fixture(scope="module")
def frames():
    blank = np.full(SIZE, 200, np.uint8)
    return ([_frame("036000291452", "UPC-A", 2 * i) for i in range(6)] + [blank] * 2
            + [_frame("4006381333931", "EAN-13", 3 * i) for i in range(6)])


@pytest.fixture(scope="module")
def video(frames, tmp_path_factory):
    import cv2
    path = tmp_path_factory.mktemp("video") / "codes.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (SIZE[1], SIZE[0]), False)
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def _texts(results):
    return [(index, [code.text for code in codes]) for index, codes in results]


def test_a_video_file_is_read_frame_by_frame(video, frames):
    got = _texts(barreader.read_frames(video))
    assert [index for index, _ in got] == list(range(len(frames)))
    assert all(texts == ["036000291452"] for _, texts in got[:6])
    assert all(texts == [] for _, texts in got[6:8])
    assert all(texts == ["4006381333931"] for _, texts in got[8:])


def test_unique_reports_each_code_once_and_every_skips_frames(video, frames):
    got = _texts(barreader.read_frames(video, unique=True))
    reported = [(index, texts) for index, texts in got if texts]
    assert reported == [(0, ["036000291452"]), (8, ["4006381333931"])]
    assert [index for index, _ in barreader.read_frames(video, every=3)] == list(range(0, len(frames), 3))
    # From a plain list of frames, the same.
    assert _texts(barreader.read_frames(frames, unique=True)) == got


def test_a_code_seen_again_after_the_memory_is_reported_again():
    a = _frame("036000291452", "UPC-A", 0)
    blank = np.full(SIZE, 200, np.uint8)
    got = _texts(barreader.read_frames([a, blank, blank, a], unique=True, memory=2))
    assert [texts for _, texts in got] == [["036000291452"], [], [], ["036000291452"]]


def test_bad_sources_and_options(tmp_path):
    with pytest.raises(FileNotFoundError):
        barreader.read_frames(tmp_path / "missing.avi")
    not_video = tmp_path / "notes.avi"
    not_video.write_text("not a video")
    with pytest.raises(InvalidArgumentError, match="cannot open video file"):
        barreader.read_frames(not_video)
    for bad in ({"every": 0}, {"memory": -1}, {"effort": "hasty"}, {"colour": 1}):
        with pytest.raises(InvalidArgumentError):
            barreader.read_frames([], **bad)
