"""draw: boxes, arrows and texts on a copy of the image."""

import numpy as np
import pytest

import barreader
from barreader import InvalidArgumentError
from barreader.drawing import CODE_COLOUR, REGION_COLOUR
from barreader.synth import render_code


@pytest.fixture(scope="module")
def code():
    return render_code("036000291452", "UPC-A", px_per_module=2.5, background_margin=40, rng=0)


def _painted(canvas, colour):
    return np.all(canvas == np.array(colour, dtype=np.uint8), axis=2)


def test_a_read_code_is_boxed_on_a_colour_copy(code):
    image = code.image.copy()
    results = barreader.read(image)
    assert results
    drawn = barreader.draw(image, results, thickness=2)
    assert drawn.shape == image.shape + (3,) and drawn.dtype == np.uint8
    assert np.array_equal(image, code.image)  # the input is left alone
    painted = _painted(drawn, CODE_COLOUR)
    ys, xs = np.nonzero(painted)
    corners = np.asarray(results[0].position)
    # Below the text, the green pixels lie on and about the code's box, and reach each of its corners.
    below = ys >= corners[:, 1].min() - 3
    assert xs[below].min() >= corners[:, 0].min() - 3 and xs[below].max() <= corners[:, 0].max() + 3
    for x, y in corners:
        assert np.hypot(xs - x, ys - y).min() < 3
    # The text is written above the box.
    assert ys.min() < corners[:, 1].min() - 3


def test_regions_and_colour_images(code):
    regions = barreader.scan(code.image)
    bgr = np.dstack([code.image, code.image // 2, code.image])
    drawn = barreader.draw(bgr, regions)
    assert _painted(drawn, REGION_COLOUR).any()
    untouched = ~np.any(drawn != bgr, axis=2)
    assert untouched.mean() > 0.5  # colours kept where nothing is drawn


def test_float_images_and_bad_items(code):
    drawn = barreader.draw(code.image.astype(np.float32) / 255.0, [])
    assert np.array_equal(drawn[:, :, 0], code.image)
    with pytest.raises(InvalidArgumentError, match="Barcode or Region"):
        barreader.draw(code.image, ["036000291452"])
    with pytest.raises(InvalidArgumentError, match="thickness"):
        barreader.draw(code.image, [], thickness=0)
