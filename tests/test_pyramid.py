"""The scale pyramid: its levels, the level each region is read on, and positions brought back to the original."""

import numpy as np
import pytest

import barreader
from barreader.formats import parse_formats
from barreader.options import ReaderOptions
from barreader.pyramid import LOCALIZE_SIZE, MIN_MODULE, MIN_SIDE, Pyramid
from barreader.results import Region
from barreader.scanline import sample_profile
from barreader.stages import templates
from barreader.stages.regions import locate, region_level, region_scanlines
from barreader.synth import render_code

from conftest import templates_only


def test_each_level_is_the_two_by_two_means_of_the_one_before():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (101, 66)).astype(np.uint8)
    picture = Pyramid(image)
    gray = image.astype(np.float64) / 255.0
    assert picture.level(0) is picture.gray
    one = picture.level(1)
    assert one.shape == (50, 33)
    expected = gray[:100, :66].reshape(50, 2, 33, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(one, expected, atol=1e-6)
    two = picture.level(2)
    assert two.shape == (25, 16)
    np.testing.assert_allclose(two, expected[:50, :32].reshape(25, 2, 16, 2).mean(axis=(1, 3)), atol=1e-6)
    assert picture.level(1) is one  # made once


def test_levels_are_chosen_from_module_width_and_image_size():
    picture = Pyramid(np.zeros((1200, 1600), np.uint8))
    assert picture.deepest() == int(np.floor(np.log2(1200 / MIN_SIDE)))
    assert picture.level_for(float("nan")) == 0
    assert picture.level_for(2 * MIN_MODULE - 0.01) == 0  # never finer than the original
    assert picture.level_for(2 * MIN_MODULE) == 1
    for module in (3.0, 5.0, 8.0, 12.0, 20.0):
        k = picture.level_for(module)
        assert MIN_MODULE <= module / 2**k < 2 * MIN_MODULE
    assert Pyramid(np.zeros((60, 4000), np.uint8)).level_for(20.0) == 0  # too thin to reduce
    assert picture.localizing_level() == 1  # 800 px long: the smallest level at least LOCALIZE_SIZE long
    assert max(picture.level(1).shape) >= LOCALIZE_SIZE > max(picture.level(2).shape)
    assert Pyramid(np.zeros((480, 640), np.uint8)).localizing_level() == 0


def test_a_line_sampled_on_a_level_maps_to_the_same_image_points():
    rng = np.random.default_rng(1)
    picture = Pyramid(rng.random((200, 300)).astype(np.float32))
    p0, p1 = np.array([20.5, 40.0]), np.array([260.5, 150.0])
    fine = sample_profile(picture.gray, p0, p1)
    line = sample_profile(picture.level(2), (p0 + 0.5) / 4 - 0.5, (p1 + 0.5) / 4 - 0.5).rescaled(4.0)
    np.testing.assert_allclose(line.to_image(0.5), p0, atol=1e-9)
    np.testing.assert_allclose(np.hypot(*line.step), 4.0)
    np.testing.assert_allclose(line.step / 4.0, fine.step)
    assert line.rescaled(1.0) is line


def test_region_scanlines_on_a_level_cover_the_same_stretch_in_original_pixels():
    picture = Pyramid(np.full((400, 600), 128, np.uint8))
    region = Region(np.array([[100.0, 150.0], [500.0, 150.0], [500.0, 250.0], [100.0, 250.0]]), 0.0, 1.0)
    fine = region_scanlines(picture.gray, region, 3)
    coarse = region_scanlines(picture.level(2), region, 3, factor=4.0)
    assert len(fine) == len(coarse) == 3
    for a, b in zip(fine, coarse):
        start_a, end_a = a.to_image(0.5), a.to_image(len(a.profile) - 0.5)
        start_b, end_b = b.to_image(0.5), b.to_image(len(b.profile) - 0.5)
        # The same line, reaching at least as far past the region's ends (the
        # fixed part of the margin is in the level's pixels).
        assert abs(start_a[1] - start_b[1]) < 1.0 and abs(end_a[1] - end_b[1]) < 1.0
        assert start_b[0] <= start_a[0] + 4.0 and end_b[0] >= end_a[0] - 4.0
        assert start_b[0] >= 100.0 - 0.3 * 400.0 - 4 * 8.0 and end_b[0] <= 500.0 + 0.3 * 400.0 + 4 * 8.0
        assert len(b.profile) < len(a.profile) / 3


def _blurred_scene(ppm: float, shape=(1200, 1600)):
    """An EAN-13 at ``ppm`` px/module, blurred by 0.6 module (too blurred for the fast decoder), in a light scene."""
    code = render_code("5901234123457", "EAN-13", px_per_module=ppm, blur=0.6, noise=0.02, height=int(25 * ppm),
                       rng=3)
    scene = np.full(shape, 205, np.uint8)
    top, left = (shape[0] - code.image.shape[0]) // 2, (shape[1] - code.image.shape[1]) // 3
    scene[top : top + code.image.shape[0], left : left + code.image.shape[1]] = code.image
    return scene, (left, top), code.image.shape


@pytest.mark.parametrize("ppm", [6.0, 10.0])
def test_the_templates_read_a_large_code_on_a_reduced_level(ppm):
    scene, (left, top), (height, width) = _blurred_scene(ppm)
    picture = Pyramid(scene)
    box = np.array([[left, top], [left + width, top], [left + width, top + height], [left, top + height]], float)
    region = Region(box, 0.0, 1.0)
    lines = region_scanlines(picture.gray, region, 7)
    level = region_level(picture, region, lines)
    # The module is estimated from the bars, so the level may be one off the exact choice at a boundary.
    assert level >= 2 and MIN_MODULE <= ppm / 2**level <= 2 * MIN_MODULE
    scans = templates.scan_regions(picture, [region], parse_formats("ean13"), ReaderOptions())
    assert scans[0].confirmed
    texts = {h.candidate.text for h in scans[0].found if h.candidate.text == "5901234123457"}
    assert texts == {"5901234123457"}
    # The hits' lines are in original pixels: the code starts at its quiet zone's end.
    hit = next(h for h in scans[0].found if h.candidate.text == "5901234123457")
    start, end = sorted(p[0] for p in hit.endpoints())
    quiet = (width - 95 * ppm) / 2
    assert abs(start - (left + quiet)) < 1.5 * ppm and abs(end - (left + width - quiet)) < 1.5 * ppm


def test_a_blurred_large_code_is_read_by_the_templates_and_placed_in_original_pixels():
    ppm = 8.0
    scene, (left, top), (height, width) = _blurred_scene(ppm)
    found = barreader.read(scene, effort=templates_only())
    assert [b.text for b in found] == ["5901234123457"]
    assert found[0].extra["decoder"] != "fast"
    box = found[0].position
    assert left - 2 * ppm <= box[:, 0].min() and box[:, 0].max() <= left + width + 2 * ppm
    assert top - 2 * ppm <= box[:, 1].min() and box[:, 1].max() <= top + height + 2 * ppm


def test_large_images_are_localized_on_a_reduced_level_and_boxed_in_original_pixels():
    scene, (left, top), (height, width) = _blurred_scene(8.0, shape=(3000, 4000))
    picture = Pyramid(scene)
    assert picture.localizing_level() == 2
    regions = locate(picture, ["gradient", "quagga"])
    centre = np.array([left + width / 2, top + height / 2])
    assert any(np.hypot(*(r.polygon.mean(axis=0) - centre)) < 0.2 * width for r in regions)


def test_the_sweep_reads_a_large_image_on_the_localizers_level_and_places_the_code_in_original_pixels():
    from barreader.options import EFFORTS, ReaderOptions
    from barreader.stages import sweep

    ppm = 12.0
    code = render_code("036000291452", "UPC-A", px_per_module=ppm, blur=0.3, noise=0.02, height=int(30 * ppm), rng=5)
    scene = np.full((3000, 4000), 210, np.uint8)
    top, left = 1200, 900
    scene[top : top + code.image.shape[0], left : left + code.image.shape[1]] = code.image
    picture = Pyramid(scene)
    found, results = sweep.sweep_picture(picture, parse_formats("upca"), EFFORTS["fast"].sweep, ReaderOptions().code39)
    assert found.factor == 4.0
    assert [r.text for r in results] == ["036000291452"]
    box = results[0].position
    width = code.image.shape[1]
    assert left - 2 * ppm <= box[:, 0].min() and box[:, 0].max() <= left + width + 2 * ppm
    assert abs(results[0].extra["module_size"] - ppm) < 0.1 * ppm


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_block_means_match_twin(factor, dtype):
    from barreader._kernels.reduce import block_means, block_means_reference

    rng = np.random.default_rng(factor)
    image = rng.integers(0, 256, (37, 53)).astype(dtype)
    if dtype is np.float32:
        image = image / np.float32(255.0)
    scale = 1.0 / 255.0 if dtype is np.uint8 else 1.0
    got = block_means(image, factor, scale)
    assert got.dtype == np.float32 and got.shape == (37 // factor, 53 // factor)
    np.testing.assert_allclose(got, block_means_reference(image, factor, scale), rtol=1e-6, atol=1e-7)
    strided = block_means(np.ascontiguousarray(image[::-1, ::2]), factor, scale)
    np.testing.assert_allclose(block_means(image[::-1, ::2], factor, scale), strided)


def test_a_deep_level_is_the_mean_of_its_blocks_whatever_the_input_type():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (130, 70)).astype(np.uint8)
    as_bytes, as_floats = Pyramid(image), Pyramid(image.astype(np.float32) / np.float32(255.0))
    expected = (image[:128, :64].astype(np.float64) / 255.0).reshape(16, 8, 8, 8).mean(axis=(1, 3))
    for picture in (as_bytes, as_floats):
        np.testing.assert_allclose(picture.level(3), expected, atol=1e-6)
        assert picture.level(3) is picture.level(3)
