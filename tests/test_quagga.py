"""QuaggaJS-style localizer: patch kernels against their twins, regions, scan()."""

import math

import cv2
import numpy as np
import pytest

import barreader
from barreader import InvalidArgumentError, Region
from barreader._kernels.patches import (
    describe_patches,
    describe_patches_reference,
    label8,
    label8_reference,
    patch_lines,
    patch_lines_reference,
    skeletonize,
    skeletonize_reference,
)
from barreader.image import to_gray
from barreader.localize.overlap import polygon_iou
from barreader.localize.quagga import locate_patches, patch_size, quagga_regions
from barreader.synth import render_code, render_negative, render_scene


def _blobs(seed, shape=(16, 16)):
    rng = np.random.default_rng(seed)
    smooth = cv2.GaussianBlur(rng.uniform(size=shape).astype(np.float32), (0, 0), 1.5)
    return (smooth > np.median(smooth)).astype(np.uint8)


def _bars(angle_deg, shape=(32, 32), pitch=5.0, width=2.0):
    y, x = np.mgrid[: shape[0], : shape[1]]
    a = math.radians(angle_deg)
    along = x * math.cos(a) + y * math.sin(a)
    return ((along % pitch) < width).astype(np.uint8)


@pytest.mark.parametrize("seed", range(5))
def test_skeleton_and_labels_match_twins(seed):
    binary = _blobs(seed) if seed < 3 else _bars(17.0 + 40 * seed)
    skeleton = skeletonize(binary)
    np.testing.assert_array_equal(skeleton, skeletonize_reference(binary))
    labels, count = label8(skeleton)
    want, want_count = label8_reference(skeleton)
    assert count == want_count
    np.testing.assert_array_equal(labels, want)


def test_skeleton_of_a_thick_bar_is_a_thin_line_inside_it():
    binary = np.zeros((16, 16), dtype=np.uint8)
    binary[2:14, 6:11] = 1
    skeleton = skeletonize(binary)
    assert skeleton.sum() > 0
    assert np.all(binary[skeleton == 1] == 1)
    assert skeleton.sum(axis=1).max() <= 3  # thin across the bar


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 135.0, 178.0])
def test_patch_lines_match_twin_and_measure_the_bar_direction(angle):
    binary = _bars(angle, shape=(48, 64), pitch=6.0, width=2.5)
    side, max_lines = 16, 64
    count = np.zeros((3, 4), dtype=np.int64)
    mass, theta = np.zeros((3, 4, max_lines)), np.zeros((3, 4, max_lines))
    patch_lines(binary, side, count, mass, theta)
    want = patch_lines_reference(binary, side, max_lines)
    np.testing.assert_array_equal(count, want[0])
    np.testing.assert_allclose(mass, want[1])
    np.testing.assert_allclose(theta, want[2], atol=1e-9)
    # Bars run perpendicular to the stripe normal.
    bars = math.radians(angle + 90.0) % math.pi
    long_lines = mass > 8
    diff = np.abs(((theta[long_lines] - bars) + math.pi / 2) % math.pi - math.pi / 2)
    assert np.median(diff) < math.radians(8)


@pytest.mark.parametrize("seed", range(4))
def test_describe_patches_matches_twin(seed):
    rng = np.random.default_rng(seed)
    rows, cols, k = 5, 6, 12
    count = rng.integers(0, k + 1, (rows, cols))
    mass = rng.uniform(0, 20, (rows, cols, k))
    # Orientations clustered near 0/pi in half of the patches: the wrap-around case.
    base = np.where(rng.uniform(size=(rows, cols, 1)) < 0.5, 0.0, rng.uniform(0, math.pi, (rows, cols, 1)))
    theta = (base + rng.normal(0, 0.15, (rows, cols, k))) % math.pi
    accepted = np.zeros((rows, cols), dtype=bool)
    mean, lines = np.zeros((rows, cols)), np.zeros((rows, cols), dtype=np.int64)
    describe_patches(count, mass, theta, 6.0, math.acos(0.9), accepted, mean, lines)
    want = describe_patches_reference(count, mass, theta, 6.0, math.acos(0.9))
    np.testing.assert_array_equal(accepted, want[0])
    np.testing.assert_allclose(mean, want[1], atol=1e-9)
    np.testing.assert_array_equal(lines, want[2])
    assert accepted.any()


def test_angles_either_side_of_zero_average_to_zero_not_ninety():
    count = np.array([[4]])
    mass = np.full((1, 1, 4), 10.0)
    theta = np.array([[[0.02, math.pi - 0.02, 0.03, math.pi - 0.01]]])
    accepted, mean, lines = np.zeros((1, 1), bool), np.zeros((1, 1)), np.zeros((1, 1), np.int64)
    describe_patches(count, mass, theta, 6.0, math.acos(0.9), accepted, mean, lines)
    assert accepted[0, 0] and lines[0, 0] == 4
    assert min(mean[0, 0], math.pi - mean[0, 0]) < 0.02


@pytest.mark.parametrize("angle", [30.0, 150.0])
def test_patch_orientations_of_fine_bars_come_from_the_gradient(angle):
    # At about 3 px/module skeletons follow the pixel grid (they spread over
    # tens of degrees); the accepted patches' orientations must not.
    code = render_code("5440963593884", "EAN-13", px_per_module=3.0, angle=angle, blur=0.3, noise=0.02,
                       background_margin=24, rng=2)
    grid = locate_patches(to_gray(code.image))
    bars = math.radians((angle + 90.0) % 180.0)
    error = np.abs((grid.angle[grid.accepted] - bars + math.pi / 2) % math.pi - math.pi / 2)
    assert grid.accepted.sum() >= 20
    assert np.median(error) < math.radians(2.0)
    assert np.mean(error < math.radians(5.0)) > 0.8


def test_patch_size_follows_quagga():
    assert patch_size(320, 240) == 16  # 640x480 half-sampled: a 20 x 15 grid
    assert patch_size(400, 300) in (20, 25)
    assert patch_size(97, 61) >= 4


def _angle_error(region_angle, code_angle):
    """Difference of reading axes, modulo 180 degrees."""
    return abs((region_angle - code_angle + 90.0) % 180.0 - 90.0)


@pytest.mark.parametrize("angle", [0.0, 17.0, 45.0, 90.0, 133.0, 179.0, 200.0, 301.0])
def test_a_rotated_code_is_boxed_along_its_axis(angle):
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=angle, blur=0.2, noise=0.01,
                       background_margin=40, rng=1)
    regions = quagga_regions(to_gray(code.image))
    assert regions
    best = regions[0]
    assert _angle_error(best.angle, angle) < 4.0
    assert polygon_iou(best.polygon, code.corners) > 0.5
    assert 1.5 < best.module_size < 6.0


def test_scene_codes_are_located():
    found = total = 0
    for seed in range(4):
        scene = render_scene(3, size=(480, 640), px_per_module=(2.5, 4.0), rng=seed)
        regions = barreader.scan(scene.image)
        for truth in scene.codes:
            total += 1
            found += any(polygon_iou(r.polygon, truth.corners) >= 0.5 for r in regions)
    assert found >= total - 1


def test_noise_and_photos_give_few_regions():
    rng = np.random.default_rng(0)
    noise = np.clip(0.5 + rng.normal(0, 0.2, (480, 640)), 0, 1).astype(np.float32)
    assert quagga_regions(noise) == []
    # Photographs without bars (the procedural clutter has barcode-like stripes on purpose).
    regions = [len(barreader.scan(render_negative(size=(480, 640), background="photo", rng=s))) for s in range(6)]
    assert sum(regions) <= 2


def test_scan_api():
    code = render_code("4006381333931", "EAN-13", px_per_module=3.0, angle=60.0, background_margin=30, rng=0)
    for method in ("quagga", "gradient"):
        regions = barreader.scan(code.image, method=method)
        assert all(isinstance(r, Region) and r.polygon.shape == (4, 2) for r in regions)
        assert [r.score for r in regions] == sorted((r.score for r in regions), reverse=True)
    with pytest.raises(InvalidArgumentError, match="method"):
        barreader.scan(code.image, method="sonar")
    with pytest.raises(ValueError, match="image"):
        barreader.scan(None)
    assert barreader.scan(np.zeros((5, 5))) == []


@pytest.mark.parametrize("angle", range(0, 360, 45))
def test_read_at_any_angle(angle):
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=float(angle), blur=0.3, noise=0.01,
                       background_margin=40, rng=angle)
    results = barreader.read(code.image)
    assert [r.text for r in results] == ["036000291452"]
    assert abs((results[0].orientation - angle + 180.0) % 360.0 - 180.0) < 3.0


@pytest.mark.parametrize("angle", [7.0, 13.0, 193.0, 350.0, 100.0])
def test_slanted_scanlines_report_the_codes_own_axis(angle):
    # The gradient localizer's regions are horizontal or vertical; a code
    # tilted against them is read slantwise, yet its orientation and full-
    # height corners must be the code's own.
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=angle, blur=0.3, noise=0.02,
                       background_margin=30, rng=1)
    results = barreader.read(code.image, localizer="gradient")
    assert [r.text for r in results] == ["036000291452"]
    assert abs((results[0].orientation - angle + 180.0) % 360.0 - 180.0) < 1.5
    assert polygon_iou(results[0].position, code.corners) > 0.9


def test_read_scanned_regions_and_localizer_choice():
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=35.0, background_margin=40, rng=2)
    regions = barreader.scan(code.image)
    assert [r.text for r in barreader.read(code.image, regions=regions[:1])] == ["036000291452"]
    assert [r.text for r in barreader.read(code.image, localizer="quagga")] == ["036000291452"]
    with pytest.raises(InvalidArgumentError, match="localizer.*'sonar'"):
        barreader.read(code.image, localizer="sonar")
    with pytest.raises(InvalidArgumentError, match="localizer"):
        barreader.read(code.image, localizer=[])


def test_grid_is_exposed_for_inspection():
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, background_margin=40, rng=0)
    grid = locate_patches(to_gray(code.image))
    assert grid is not None and grid.accepted.sum() >= 5
    bars = grid.angle[grid.accepted]
    assert np.median(np.minimum(np.abs(bars - math.pi / 2), math.pi)) < math.radians(5)


def _box(x0, x1, y0, y1, angle=0.0):
    return Region(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float), angle, 1.0)


def test_a_small_region_inside_a_large_one_is_still_read():
    from barreader.stages.regions import same_place as _same_place

    large = _box(0, 400, 0, 100)
    assert _same_place(_box(10, 390, 5, 95), large)
    assert not _same_place(_box(300, 360, 20, 80), large)  # a code in a box that also took its neighbour
    assert not _same_place(_box(10, 390, 5, 95, angle=40.0), large)


def test_neighbours_of_a_slanted_read_are_still_read():
    # A code to the side of one read through a slanted region must not count as covered by that
    # read's (slanted) segment, nor a small region as the same place as a large one around it.
    rng = np.random.default_rng(0)
    scenes = [render_scene(3, size=(480, 640), px_per_module=(2.0, 4.0), background="mixed", rng=rng) for _ in range(32)]
    for scene in (scenes[17], scenes[31]):
        texts = {r.text.lstrip("0") for r in barreader.read(scene.image)}
        assert {c.text.lstrip("0") for c in scene.codes} <= texts


@pytest.mark.parametrize("n", [1, 2, 3, 10, 101])
def test_percentiles_interpolate_as_numpy_does(n):
    from barreader.localize.percentile import percentiles

    values = np.random.default_rng(n).normal(size=n)
    np.testing.assert_allclose(percentiles(values, 1, 5, 95, 99), np.percentile(values, (1, 5, 95, 99)))


@pytest.mark.parametrize("start", [-0.5, -1.0])
def test_fitting_a_box_that_samples_almost_nothing_inside_the_image_finds_no_bars(start):
    # A box at the image edge whose every other sample lies outside: the
    # grey levels sampled are all missing, which once raised an IndexError.
    from barreader.localize.bars import fit_to_bars

    gray = np.random.default_rng(0).random((20, 20)).astype(np.float32)
    box = (start + 1, start + 1, 5, 5)
    assert fit_to_bars(gray, np.array([1.0, 0.0]), np.array([0.0, 1.0]), box, 0.5) is None
