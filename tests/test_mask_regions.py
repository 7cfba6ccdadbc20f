"""Regions from a code-probability map (the segmentation localizer's post-processing)."""

import cv2
import numpy as np
import pytest

from barreader.image import to_gray
from barreader.localize import mask
from barreader.localize.mask import mask_regions
from barreader.localize.overlap import polygon_iou
from barreader.synth import render_code


def _map_of(corners, shape, factor, factor_x=None):
    """A probability map at 1/factor of the image (1/factor_x across), 0.9 inside the polygon, 0.05 outside."""
    h, w = shape
    factors = np.array([factor_x or factor, factor])
    small = np.full((round(h / factor), round(w / factors[0])), 0.05, np.float32)
    cv2.fillPoly(small, [np.round((corners + 0.5) / factors - 0.5).astype(np.int32)], 0.9)
    return small


@pytest.mark.parametrize("angle", [0.0, 30.0, 95.0, 150.0])
def test_a_masked_code_becomes_a_box_along_its_reading_axis(angle):
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=angle, background_margin=40, rng=0)
    gray = to_gray(code.image)
    regions = mask_regions(gray, _map_of(code.corners, gray.shape, 2))
    assert len(regions) == 1
    region = regions[0]
    assert abs((region.angle - angle + 90.0) % 180.0 - 90.0) < 3.0
    assert polygon_iou(region.polygon, code.corners) > 0.8
    assert np.isnan(region.module_size)


@pytest.mark.parametrize("angle", [20.0, 60.0, 130.0])
def test_a_map_stretched_unequally_gives_the_true_angle(angle):
    # a segmentation network's input is the image resized to a square
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=angle, background_margin=40, rng=0)
    gray = to_gray(code.image)
    regions = mask_regions(gray, _map_of(code.corners, gray.shape, 1.2, factor_x=2.5))
    assert abs((regions[0].angle - angle + 90.0) % 180.0 - 90.0) < 3.0
    assert polygon_iou(regions[0].polygon, code.corners) > 0.7


def test_separate_blobs_are_separate_regions_and_specks_are_dropped():
    gray = np.full((200, 300), 0.8, np.float32)
    gray[20:80, 20:120] = np.tile((np.arange(100) // 3 % 2).astype(np.float32), (60, 1))
    gray[120:180, 150:280] = np.tile((np.arange(130) // 4 % 2).astype(np.float32), (60, 1))
    probability = np.zeros((100, 150), np.float32)
    probability[10:40, 10:60] = 0.8
    probability[60:90, 75:140] = 0.95
    probability[5, 140] = 1.0  # one pixel: below the least area
    regions = mask_regions(gray, probability)
    assert len(regions) == 2
    assert regions[0].score > regions[1].score
    assert all(abs((r.angle + 90.0) % 180.0 - 90.0) < 3.0 for r in regions)


def test_an_empty_map_gives_no_region():
    assert mask_regions(np.zeros((50, 60), np.float32), np.zeros((25, 30), np.float32)) == []


def _code_over_text():
    """A horizontal code above a block of text-like marks, and a map joining them weakly."""
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, background_margin=20, rng=0)
    gray = to_gray(code.image)
    h, w = gray.shape
    page = np.full((h + 4 * h, w), 0.85, np.float32)
    page[:h] = gray
    rng = np.random.default_rng(0)
    for _ in range(400):  # letters: small dark dots and strokes
        y, x = rng.integers(h + 5, 5 * h - 10), rng.integers(5, w - 10)
        page[y : y + rng.integers(2, 8), x : x + rng.integers(2, 6)] = 0.1
    probability = np.zeros((page.shape[0] // 2, w // 2), np.float32)
    x0, y0 = np.floor(code.corners.min(axis=0) / 2).astype(int)
    x1, y1 = np.ceil(code.corners.max(axis=0) / 2).astype(int)
    probability[y0:, x0:x1] = 0.6  # the mask runs on from the code over the text
    probability[y0:y1, x0:x1] = 0.9
    return page, probability, code


def test_fitting_boxes_the_bars_and_rejects_what_is_not_a_code():
    page, probability, code = _code_over_text()
    text_only = probability.copy()
    text_only[: probability.shape[0] // 3] = 0.0
    assert mask_regions(page, text_only, fit=True) == []
    (region,) = mask_regions(page, probability, threshold=(0.5, 0.8), fit=True)
    assert polygon_iou(region.polygon, code.corners) > 0.8
    assert 2.5 < region.module_size < 3.5


def test_a_code_joined_to_text_is_cut_free_at_the_next_level():
    page, probability, code = _code_over_text()
    one_level = mask_regions(page, probability, threshold=0.5, fit=True)
    assert not any(polygon_iou(r.polygon, code.corners) > 0.5 for r in one_level)
    two_levels = mask_regions(page, probability, threshold=(0.5, 0.8), fit=True)
    assert any(polygon_iou(r.polygon, code.corners) > 0.8 for r in two_levels)


def _glyphs(text):
    """Dark letters on a light page, and a map covering them as a stride-2 network might."""
    page = np.full((60, 120), 230, np.uint8)
    cv2.putText(page, text, (10, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 25, 4)
    ys, xs = np.nonzero(page < 128)
    probability = np.zeros((30, 60), np.float32)
    probability[ys.min() // 2 : ys.max() // 2 + 1, xs.min() // 2 : xs.max() // 2 + 1] = 0.9
    return page.astype(np.float32) / 255.0, probability


@pytest.mark.parametrize("text", ["H", "4", "7"])
def test_a_masked_glyph_is_not_a_code(text, monkeypatch):
    page, probability = _glyphs(text)
    assert mask_regions(page, probability, fit=True) == []
    # the bar test alone keeps it: the count of dark bars is what drops it
    monkeypatch.setattr(mask, "MIN_BARS", 0)
    assert len(mask_regions(page, probability, fit=True)) == 1


def test_a_mask_over_a_third_of_a_code_still_gives_its_region():
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, background_margin=20, rng=0)
    gray = to_gray(code.image)
    x0, y0 = code.corners.min(axis=0)
    x1, y1 = code.corners.max(axis=0)
    third = x0 + (x1 - x0) / 3.0  # the left guard and three digits: eight dark bars
    probability = np.zeros((gray.shape[0] // 2, gray.shape[1] // 2), np.float32)
    probability[int(y0 / 2) : int(y1 / 2), int(x0 / 2) : int(third / 2)] = 0.9
    (region,) = mask_regions(gray, probability, fit=True)
    assert polygon_iou(region.polygon, code.corners) > 0.2
