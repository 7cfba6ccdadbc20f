"""Barcode-30k-style segmentation samples: masks, counts, reproducibility, arguments."""

import cv2
import numpy as np
import pytest

from barreader import InvalidArgumentError
from barreader.formats import Format
from barreader.synth import render_segmentation_sample


def test_same_seed_same_sample():
    a, b = render_segmentation_sample(rng=7), render_segmentation_sample(rng=7)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.mask, b.mask)
    assert [c.text for c in a.codes] == [c.text for c in b.codes]


def test_image_and_mask_shapes_and_values():
    sample = render_segmentation_sample((200, 300), rng=1)
    assert sample.image.shape == sample.mask.shape == (200, 300)
    assert sample.image.dtype == sample.mask.dtype == np.uint8
    assert set(np.unique(sample.mask)) <= {0, 1}
    assert sample.region.shape == (200, 300) and set(np.unique(sample.region)) <= {0, 1}


@pytest.mark.parametrize("varied", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_bars_lie_inside_the_labels_and_labels_reach_beyond_them(seed, varied):
    sample = render_segmentation_sample(rng=seed, varied=varied)
    assert not np.any(sample.mask & (1 - sample.region))
    if sample.mask.any():
        # quiet zones and borders: the label is larger than its bars
        assert sample.region.sum() > 1.1 * sample.mask.sum()


@pytest.mark.parametrize("varied", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_mask_lies_on_the_codes_bars(seed, varied):
    sample = render_segmentation_sample(rng=seed, varied=varied)
    inside = np.zeros(sample.mask.shape, np.uint8)
    for code in sample.codes:
        cv2.fillPoly(inside, [np.round(code.corners).astype(np.int32)], 1)
    inside = cv2.dilate(inside, np.ones((3, 3), np.uint8))
    assert not np.any(sample.mask & (1 - inside))
    if not sample.codes:
        assert not sample.mask.any()


def test_codes_per_image_follow_poisson_two_and_include_code39():
    samples = [render_segmentation_sample((96, 128), rng=seed) for seed in range(150)]
    counts = np.array([len(s.codes) for s in samples])
    assert 1.6 < counts.mean() < 2.4
    assert counts.max() <= 9
    formats = {c.format for s in samples for c in s.codes}
    assert Format.CODE39 in formats and Format.EAN13 in formats


def test_a_code_alone_covers_its_visible_bar_area():
    # Over many samples, the mask of an image holding a single code inside the
    # frame is that code's bar area, less at most a cut corner.
    checked = 0
    for seed in range(200):
        sample = render_segmentation_sample(rng=seed)
        if len(sample.codes) != 1:
            continue
        corners = sample.codes[0].corners
        if corners.min() < 0 or corners.max() > 319:
            continue
        area = cv2.contourArea(corners.astype(np.float32))
        if area < 400:
            continue
        checked += 1
        assert 0.5 * area <= sample.mask.sum() <= area + cv2.arcLength(corners.astype(np.float32), True)
    assert checked >= 5


@pytest.mark.parametrize("kwargs, match", [
    ({"background": "forest"}, "background"),
    ({"noise": -0.1}, "noise"),
    ({"size": (0, 10)}, "size"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        render_segmentation_sample(**kwargs)


def test_varied_looks_put_dark_text_on_labels_outside_the_bars():
    # Digits under the bars (and printed bars' surroundings) are part of a
    # code's label but not of its bars; S000's plain labels are light there.
    def dark_label_share(varied):
        shares = []
        for seed in range(40):
            sample = render_segmentation_sample(rng=seed, varied=varied, noise=0.0)
            outside = (sample.region == 1) & (sample.mask == 0)
            if outside.sum() > 200:
                shares.append(float(np.mean(sample.image[outside] < 64)))
        return np.mean(shares)
    assert dark_label_share(False) < 0.002 < dark_label_share(True)
