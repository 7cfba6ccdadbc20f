"""read_many: the same results as read, in order or not, bad items reported in place, options checked up front."""

from pathlib import Path

import numpy as np
import pytest

import barreader
from barreader import InvalidArgumentError, InvalidImageError

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.png"))


def _summary(results):
    """What a result list says, comparable across processes: texts, formats and corners."""
    return [(code.text, code.format, np.round(np.asarray(code.position), 6).tolist()) for code in results]


@pytest.fixture(scope="module")
def serial():
    return {path: _summary(barreader.read(path)) for path in EXAMPLES}


def test_one_worker_gives_what_read_gives_in_input_order(serial):
    got = list(barreader.read_many(EXAMPLES, workers=1))
    assert [source for source, _ in got] == EXAMPLES
    assert {source: _summary(result) for source, result in got} == serial
    assert sum(bool(result) for _, result in got) >= len(EXAMPLES) - 1


def test_a_pool_of_two_gives_the_serial_results_in_order_and_out_of_order(serial):
    ordered = list(barreader.read_many(EXAMPLES, workers=2))
    assert [source for source, _ in ordered] == EXAMPLES
    assert {source: _summary(result) for source, result in ordered} == serial
    unordered = list(barreader.read_many(EXAMPLES, workers=2, ordered=False))
    assert sorted(source for source, _ in unordered) == EXAMPLES
    assert {source: _summary(result) for source, result in unordered} == serial


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_item_yields_its_error_and_the_batch_goes_on(workers, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    items = [EXAMPLES[0], tmp_path / "missing.png", np.zeros((2, 3, 4, 5)), broken, EXAMPLES[1]]
    got = list(barreader.read_many(items, workers=workers))
    assert len(got) == len(items)
    assert got[0][1] and got[4][1]
    assert isinstance(got[1][1], FileNotFoundError)
    assert isinstance(got[2][1], InvalidImageError)
    assert isinstance(got[3][1], (InvalidImageError, OSError))
    assert got[2][0] is items[2]


def test_options_are_passed_to_read_and_checked_before_reading():
    path = next(p for p in EXAMPLES if "upca" in p.name)
    (_, found), = barreader.read_many([path], workers=1, formats="ean8")
    assert found == []
    (_, found), = barreader.read_many([path], workers=1, effort="fast")
    assert _summary(found) == _summary(barreader.read(path, effort="fast"))
    consumed = []

    def images():
        consumed.append(1)
        yield path

    for bad in ({"effort": "hasty"}, {"formats": "qr"}, {"localizer": "nowhere"}, {"colour": True}, {"image": path}):
        with pytest.raises(InvalidArgumentError):
            barreader.read_many(images(), workers=1, **bad)
    for workers in (0, -1, 1.5, True):
        with pytest.raises(InvalidArgumentError, match="workers"):
            barreader.read_many(images(), workers=workers)
    assert consumed == []


def test_images_are_taken_lazily_and_stopping_early_ends_the_pool():
    taken = []

    def images():
        for path in EXAMPLES * 20:
            taken.append(path)
            yield path

    for count, _ in enumerate(barreader.read_many(images(), workers=2), start=1):
        if count == 2:
            break
    from barreader.batch import HELD_PER_WORKER

    assert len(taken) <= 2 * HELD_PER_WORKER < len(EXAMPLES) * 20  # some ahead per worker, not the whole iterable


def test_progress_bar_counts_every_image(capsys):
    got = list(barreader.read_many(EXAMPLES[:3], workers=1, progress=True))
    assert len(got) == 3
    err = capsys.readouterr().err
    assert "3/3" in err and "image" in err
