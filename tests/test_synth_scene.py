"""Tests of the multi-code scene renderer and clutter backgrounds in barreader.synth."""

from __future__ import annotations

import math
import time

import cv2
import numpy as np
import pytest

from barreader.errors import InvalidArgumentError
from barreader.formats import Format
from barreader.symbology.upcean import module_pattern, upce_to_upca
from barreader.synth import (
    BACKGROUNDS,
    CLUTTER_KINDS,
    PHOTOS,
    Scene,
    SceneCode,
    clutter,
    render_negative,
    render_scene,
)

UPCEAN_NAMES = {"EAN-13", "EAN-8", "UPC-A", "UPC-E", "EAN13", "EAN8", "UPCA", "UPCE"}


def bilinear(image, x, y):
    """Sample an image at pixel-centre coordinates (x, y), bilinearly."""
    x0, y0 = int(math.floor(x)), int(math.floor(y))
    fx, fy = x - x0, y - y0
    p = image[y0 : y0 + 2, x0 : x0 + 2].astype(np.float64)
    return (p[0, 0] * (1 - fx) + p[0, 1] * fx) * (1 - fy) + (p[1, 0] * (1 - fx) + p[1, 1] * fx) * fy


def mid_line(corners):
    """Midpoints of the start edge and of the end edge of a bar area."""
    return (corners[0] + corners[3]) / 2, (corners[1] + corners[2]) / 2


def read_modules(image, start, end, n_modules):
    """Module colours sampled at module centres on start -> end, thresholded
    halfway between the darkest and lightest sample (bars on the label)."""
    samples = np.array(
        [bilinear(image, *(start + (end - start) * (i + 0.5) / n_modules)) for i in range(n_modules)]
    )
    threshold = (samples.min() + samples.max()) / 2
    return (samples < threshold).astype(np.uint8)


def profile_shift(image, code, sub=16):
    """Shift in pixels along the reading direction that best aligns the image
    profile on the mid line with the module pattern (cross-correlation with
    parabolic refinement, searched over +-1 module)."""
    modules = module_pattern(code.text, code.format).astype(np.float64)
    n = modules.size
    start, end = mid_line(code.corners)
    t = (np.arange(-2 * sub, (n + 2) * sub) + 0.5) / sub  # in modules
    values = np.array([bilinear(image, x, y) for x, y in start + np.outer(t / n, end - start)])
    ink = (values.max() - values) / (values.max() - values.min())
    index = np.floor(t).astype(int)
    ideal = np.where((index >= 0) & (index < n), modules[np.clip(index, 0, n - 1)], 0.0)
    ink -= ink.mean()
    ideal -= ideal.mean()
    lags = np.arange(-sub, sub + 1)
    score = np.array([np.dot(np.roll(ideal, k), ink) for k in lags])
    i = int(np.argmax(score))
    frac = 0.0
    if 0 < i < lags.size - 1:
        a, b, c = score[i - 1 : i + 2]
        frac = 0.5 * (a - c) / (a - 2 * b + c)
    return (lags[i] + frac) / sub * code.px_per_module


def guard_extent(image, code, step=0.05):
    """Where the first guard bar starts and ends along the bars, relative to
    the top and bottom edges of the bar area, in pixels."""
    c = code.corners
    down = c[3] - c[0]
    height = np.hypot(*down)
    down /= height
    along = (c[1] - c[0]) / np.hypot(*(c[1] - c[0]))
    base = c[0] + along * 0.5 * code.px_per_module
    # The label's border beyond the bars is at least 2 pixels wide.
    s = np.arange(-1.5, height + 1.5, step)
    values = np.array([bilinear(image, *(base + down * v)) for v in s])
    dark = np.flatnonzero(values < (values.min() + values.max()) / 2)
    return s[dark[0]] - step / 2, s[dark[-1]] + step / 2 - height


def bar_mask(shape, corners):
    mask = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners * 16).astype(np.int32), 1, cv2.LINE_8, shift=4)
    return mask


def gtin13(text: str, fmt: str) -> str:
    """A text as a 13-digit GTIN, UPC-E expanded to UPC-A."""
    if fmt in ("UPC-E", "UPCE") and len(text) == 8:
        text = upce_to_upca(text)
    return text.zfill(13)


def zxing_upcean(image):
    import zxingcpp
    found = []
    for barcode in zxingcpp.read_barcodes(image):
        name = str(barcode.format).split(".")[-1]
        if name in UPCEAN_NAMES:
            found.append(gtin13(barcode.text, name))
    return found


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("n_codes", [0, 1, 3])
def test_scene_has_the_requested_codes_inside_and_apart(background, n_codes):
    for seed in range(3):
        scene = render_scene(n_codes, background=background, rng=seed)
        assert isinstance(scene, Scene)
        assert scene.image.shape == (480, 640) and scene.image.dtype == np.uint8
        assert len(scene.codes) == n_codes
        total = np.zeros(scene.image.shape, np.int32)
        for code in scene.codes:
            assert isinstance(code, SceneCode)
            assert code.corners.shape == (4, 2) and code.corners.dtype == np.float64
            assert np.all(code.corners >= -0.5)
            assert np.all(code.corners[:, 0] <= 639.5) and np.all(code.corners[:, 1] <= 479.5)
            assert 1.5 <= code.px_per_module <= 4.0 and 0 <= code.angle < 360
            assert module_pattern(code.text, code.format).size  # a valid text for its format
            total += bar_mask(scene.image.shape, code.corners)
        assert total.max() <= 1, "bar areas overlap"


def test_scene_codes_follow_the_requested_list_and_formats():
    wanted = [("036000291452", "UPC-A"), ("96385074", Format.EAN8), ("01234565", "UPC-E")]
    scene = render_scene(5, codes=wanted, size=(600, 800), rng=4)
    assert [(c.text, c.format) for c in scene.codes] == [
        ("036000291452", Format.UPCA),
        ("96385074", Format.EAN8),
        ("01234565", Format.UPCE),
    ]
    scene = render_scene(4, formats="EAN-8", rng=5)
    assert {c.format for c in scene.codes} == {Format.EAN8}


def test_scene_fixed_parameters_are_kept():
    scene = render_scene(2, px_per_module=2.5, angle=37.0, contrast=1.0, rng=6)
    assert all(c.px_per_module == 2.5 and c.angle == 37.0 for c in scene.codes)
    # A code's bar area is as long as its modules and turned by its angle.
    for code in scene.codes:
        start, end = mid_line(code.corners)
        n = module_pattern(code.text, code.format).size
        assert np.hypot(*(end - start)) == pytest.approx(n * 2.5)
        assert math.degrees(math.atan2(*(end - start)[::-1])) == pytest.approx(37.0)


def test_scene_is_deterministic_by_seed():
    a = render_scene(3, background="mixed", noise=0.02, jpeg_quality=(60, 90), rng=11)
    b = render_scene(3, background="mixed", noise=0.02, jpeg_quality=(60, 90), rng=11)
    c = render_scene(3, background="mixed", noise=0.02, jpeg_quality=(60, 90), rng=12)
    np.testing.assert_array_equal(a.image, b.image)
    assert [(x.text, x.format, x.px_per_module, x.angle) for x in a.codes] == [
        (x.text, x.format, x.px_per_module, x.angle) for x in b.codes
    ]
    for x, y in zip(a.codes, b.codes):
        np.testing.assert_array_equal(x.corners, y.corners)
    assert not np.array_equal(a.image, c.image)


# --------------------------------------------------------------------------- ground truth


@pytest.mark.parametrize("angle", [0.0, 90.0, 180.0, 37.0, 251.5])
@pytest.mark.parametrize("background", ["plain", "clutter", "photo"])
def test_corners_locate_the_bars(angle, background):
    scene = render_scene(3, px_per_module=3.0, angle=angle, blur=0, noise=0, background=background, rng=21)
    for code in scene.codes:
        modules = module_pattern(code.text, code.format)
        start, end = mid_line(code.corners)
        np.testing.assert_array_equal(read_modules(scene.image, start, end, modules.size), modules)
        # The check has teeth: corners off by one module do not read.
        step = (end - start) / modules.size
        assert not np.array_equal(read_modules(scene.image, start + step, end + step, modules.size), modules)
        # Sub-pixel: the bars sit where the corners say along and across them.
        assert abs(profile_shift(scene.image, code)) < 0.2
        top, bottom = guard_extent(scene.image, code)
        assert abs(top) < 0.2 and abs(bottom) < 0.2


def test_corners_locate_the_bars_with_default_ranges():
    # Fractional module sizes, any angle, mild blur and noise: compare with
    # the module pattern allowing a few misread modules at the finest sizes.
    for seed in range(6):
        scene = render_scene(3, noise=0.01, rng=100 + seed)
        for code in scene.codes:
            modules = module_pattern(code.text, code.format)
            start, end = mid_line(code.corners)
            read = read_modules(scene.image, start, end, modules.size)
            assert np.mean(read != modules) < 0.05, (seed, code)
            assert abs(profile_shift(scene.image, code)) < 0.2
            assert max(abs(v) for v in guard_extent(scene.image, code)) < 0.4


# --------------------------------------------------------------------------- zxing-cpp cross-check


@pytest.mark.parametrize("background", ["plain", "photo"])
def test_zxing_reads_every_placed_code(background):
    import zxingcpp  # noqa: F401 - the test extra installs it
    for seed in range(4):
        scene = render_scene(
            3,
            size=(600, 800),
            px_per_module=3.0,
            angle=180.0 * (seed % 2),
            blur=0.0,
            noise=0.0,
            background=background,
            rng=300 + seed,
        )
        want = sorted(gtin13(c.text, c.format.value) for c in scene.codes)
        assert sorted(zxing_upcean(scene.image)) == want, (background, seed)


def test_zxing_finds_no_code_in_clutter():
    import zxingcpp  # noqa: F401 - the test extra installs it
    found = []
    for seed in range(30):
        image = render_negative(rng=seed)
        found += [(seed, text) for text in zxing_upcean(image)]
    for seed in range(15):
        image = np.round(clutter((480, 640), seed, kinds=("stripes",)) * 255).astype(np.uint8)
        found += [("stripes", seed, text) for text in zxing_upcean(image)]
    assert not found


# --------------------------------------------------------------------------- clutter and negatives


def test_clutter_images():
    for kinds in [None, ("stripes",), ("text", "grids"), "blobs", ("gratings",)]:
        image = clutter((120, 200), 3, kinds=kinds)
        assert image.shape == (120, 200) and image.dtype == np.float32
        assert image.min() >= 0 and image.max() <= 1
        assert image.std() > 0.01
    np.testing.assert_array_equal(clutter((60, 80), 5), clutter((60, 80), 5))
    assert not np.array_equal(clutter((60, 80), 5), clutter((60, 80), 6))
    assert set(CLUTTER_KINDS) == {"stripes", "gratings", "text", "grids", "blobs"}
    with pytest.raises(InvalidArgumentError):
        clutter((60, 80), 0, kinds=("stripes", "zebras"))
    with pytest.raises(InvalidArgumentError):
        clutter((0, 80), 0)


def test_stripes_have_code_like_edges():
    # Many bar edges across a row: the stripe generator draws bars, not blobs.
    image = clutter((300, 300), 8, kinds=("stripes",))
    edges = np.abs(np.diff(image, axis=1)) > 0.1
    assert edges.sum(axis=1).max() >= 20


def test_render_negative():
    image = render_negative(size=(100, 150), rng=3)
    assert image.shape == (100, 150) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, render_scene(0, size=(100, 150), background="clutter", rng=3).image)
    noisy = render_negative(size=(100, 150), background="plain", noise=0.05, jpeg_quality=50, rng=3)
    assert noisy.std() > 5
    assert render_negative(size=(100, 150), background="plain", noise=0, rng=3).std() == 0


def test_photo_backgrounds_load_offline():
    for seed in range(12):
        image = render_negative(size=(64, 96), background="photo", noise=0, rng=seed)
        assert image.shape == (64, 96)
    assert len(PHOTOS) >= 10


def test_scene_speed():
    render_scene(3, rng=0)  # warm the photo cache
    start = time.perf_counter()
    for seed in range(5):
        render_scene(3, rng=seed)
    # Typically about 25 ms; the bound only catches gross regressions.
    assert (time.perf_counter() - start) / 5 < 0.5


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_codes": -1},
        {"n_codes": 1.5},
        {"n_codes": 1, "size": (60, 80)},
        {"n_codes": 8, "size": (300, 300), "px_per_module": 3.0},
        {"size": (0, 640)},
        {"size": (480,)},
        {"background": "forest"},
        {"px_per_module": 0},
        {"px_per_module": (3.0, 2.0)},
        {"contrast": (0.5, 1.5)},
        {"blur": -0.1},
        {"noise": -0.1},
        {"jpeg_quality": 0},
        {"max_tries": 0},
        {"formats": "QR"},
        {"codes": [("036000291453", "UPC-A")]},
        {"codes": [("96385074",)]},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(InvalidArgumentError):
        render_scene(**kwargs, rng=0)


def test_too_many_codes_says_how_many_fit():
    with pytest.raises(InvalidArgumentError, match=r"only \d+ of 8 codes fit"):
        render_scene(8, size=(300, 300), px_per_module=3.0, rng=0)
