"""Tests of the synthetic code renderer barreader.synth."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barreader.errors import InvalidArgumentError
from barreader.formats import Format
from barreader.symbology.upcean import gtin_check_digit, is_valid_gtin, module_pattern, normalize_text, upce_to_upca
from barreader.synth import (
    FORMATS,
    SyntheticCode,
    degrade,
    random_text,
    render_code,
    render_modules,
    rotate,
)

FAST = settings(max_examples=60, deadline=None)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
MODULES = st.lists(st.integers(0, 1), min_size=1, max_size=40)


def runs(values):
    """(value, length) of the runs of equal values of a 1-D sequence."""
    values = np.asarray(values)
    edges = np.flatnonzero(np.diff(values)) + 1
    bounds = np.concatenate(([0], edges, [values.size]))
    return [(values[a].item(), int(b - a)) for a, b in zip(bounds[:-1], bounds[1:])]


def bilinear(image, x, y):
    """Sample an image at pixel-centre coordinates (x, y), bilinearly."""
    x0, y0 = int(math.floor(x)), int(math.floor(y))
    fx, fy = x - x0, y - y0
    p = image[y0 : y0 + 2, x0 : x0 + 2].astype(np.float64)
    return (p[0, 0] * (1 - fx) + p[0, 1] * fx) * (1 - fy) + (p[1, 0] * (1 - fx) + p[1, 1] * fx) * fy


def read_along(image, start, end, n_modules):
    """Module colours sampled at module centres on the segment start -> end."""
    bits = []
    for i in range(n_modules):
        x, y = start + (end - start) * (i + 0.5) / n_modules
        bits.append(1 if bilinear(image, x, y) < 127.5 else 0)
    return np.array(bits, dtype=np.uint8)


# --------------------------------------------------------------------------- texts


@pytest.mark.parametrize(
    ("fmt", "length"), [(Format.UPCA, 95), (Format.EAN13, 95), (Format.EAN8, 67), (Format.UPCE, 51)]
)
def test_module_pattern_lengths(fmt, length):
    rng = np.random.default_rng(5)
    for _ in range(20):
        bits = module_pattern(random_text(fmt, rng), fmt)
        assert bits.size == length
        assert list(bits[:3]) == [1, 0, 1]
        # Every digit has two bars; the guards add 2 + 2 + 2 bars (2 + 3 for UPC-E).
        n_digits = {95: 12, 67: 8, 51: 6}[length]
        assert sum(1 for v, _ in runs(bits) if v == 1) == 2 * n_digits + (5 if fmt is Format.UPCE else 6)


def test_formats_constant():
    assert FORMATS == (Format.UPCA, Format.EAN13, Format.EAN8, Format.UPCE)


@FAST
@given(seed=SEEDS, fmt=st.sampled_from(FORMATS))
def test_random_text_is_valid(seed, fmt):
    text = random_text(fmt, np.random.default_rng(seed))
    assert text.isdigit()
    assert len(text) == {Format.UPCA: 12, Format.EAN13: 13, Format.EAN8: 8, Format.UPCE: 8}[fmt]
    assert normalize_text(text, fmt) == text
    if fmt is Format.UPCE:
        assert text[0] in "01"
        assert is_valid_gtin(upce_to_upca(text))
    else:
        assert is_valid_gtin(text)


def test_random_text_accepts_names_and_covers_digits():
    rng = np.random.default_rng(0)
    eans = [random_text("EAN-13", rng) for _ in range(300)]
    assert {t[0] for t in eans} == set("0123456789")
    assert {t[-1] for t in eans} == set("0123456789")
    upces = [random_text("upce", rng) for _ in range(100)]
    assert {t[0] for t in upces} == {"0", "1"}
    assert random_text(Format.EAN8, np.random.default_rng(3)) == random_text("EAN-8", np.random.default_rng(3))


# --------------------------------------------------------------------------- render_modules


@FAST
@given(modules=MODULES, ppm=st.integers(1, 5), quiet=st.integers(0, 6))
def test_render_modules_integer_scale_is_exact(modules, ppm, quiet):
    image = render_modules(modules, px_per_module=ppm, quiet_zone=quiet, height=3)
    assert image.dtype == np.float32
    assert image.shape == (3, (len(modules) + 2 * quiet) * ppm)
    assert set(np.unique(image)) <= {0.0, 1.0}
    assert (image == image[0]).all()
    colours = [0] * quiet + list(modules) + [0] * quiet
    expected = [(1.0 - v, n * ppm) for v, n in runs(colours)]
    assert runs(image[0]) == expected


@FAST
@given(
    modules=MODULES,
    ppm=st.floats(0.6, 6.0),
    quiet=st.floats(0.0, 5.0),
    phase=st.floats(0.0, 0.999),
)
def test_render_modules_fractional_scale_is_area_weighted(modules, ppm, quiet, phase):
    image = render_modules(modules, px_per_module=ppm, quiet_zone=quiet, height=2, phase=phase)
    profile = image[0].astype(np.float64)
    assert image.shape[1] == math.ceil(phase + (len(modules) + 2 * quiet) * ppm - 1e-9)
    assert profile.min() >= 0.0 and profile.max() <= 1.0
    # Area conservation: the ink equals the bar area, i.e. over the code the
    # mean value is the fraction of light modules.
    assert np.isclose((1.0 - profile).sum(), sum(modules) * ppm, rtol=1e-5, atol=1e-4)
    # Against a brute-force box filter: 2000 point samples per pixel.
    sub = 2000
    x = (np.arange(profile.size * sub) + 0.5) / sub
    k = np.floor((x - phase - quiet * ppm) / ppm).astype(int)
    inside = (k >= 0) & (k < len(modules))
    dark = np.zeros_like(x)
    dark[inside] = np.asarray(modules)[k[inside]]
    reference = 1.0 - dark.reshape(-1, sub).mean(axis=1)
    assert np.abs(profile - reference).max() < 2.5e-3


def test_render_modules_values_and_default_height():
    image = render_modules([1, 0, 1], px_per_module=1.5, quiet_zone=0, height=1, dark=0.2, light=0.9)
    np.testing.assert_allclose(image[0], [0.2, 0.55, 0.9, 0.2, 0.55], atol=1e-6)
    assert render_modules([1] * 95, px_per_module=2.5).shape[0] == round(0.4 * 95 * 2.5)
    assert render_modules([1], px_per_module=1.0).shape[0] == 1


@FAST
@given(modules=MODULES, ppm=st.integers(1, 4), phase=st.floats(0.01, 0.99))
def test_render_modules_phase_shifts_profile(modules, ppm, phase):
    base = render_modules(modules, px_per_module=ppm, quiet_zone=2, height=1)[0].astype(np.float64)
    shifted = render_modules(modules, px_per_module=ppm, quiet_zone=2, height=1, phase=phase)[0]
    assert shifted.size == base.size + 1
    # At integer scale each pixel of the unshifted code is uniform, so a
    # shift by `phase` mixes each pixel with its left neighbour.
    padded = np.concatenate(([1.0], base, [1.0]))
    expected = (1 - phase) * padded[1:] + phase * padded[:-1]
    np.testing.assert_allclose(shifted, expected, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"px_per_module": 0},
        {"px_per_module": -1.0},
        {"phase": 1.0},
        {"phase": -0.1},
        {"quiet_zone": -1},
        {"height": 0},
    ],
)
def test_render_modules_rejects_bad_arguments(kwargs):
    with pytest.raises(InvalidArgumentError):
        render_modules([1, 0, 1], **kwargs)


def test_render_modules_rejects_bad_modules():
    with pytest.raises(InvalidArgumentError):
        render_modules([])
    with pytest.raises(InvalidArgumentError):
        render_modules([0, 2, 1])


# --------------------------------------------------------------------------- degrade


def test_degrade_without_effects_is_identity():
    image = np.random.default_rng(0).random((20, 30))
    out = degrade(image, blur=0.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, image.astype(np.float32))


def test_degrade_blur_sigma_is_in_pixels():
    image = np.zeros((121, 121))
    image[60, 60] = 1.0
    out = degrade(image, blur=4.0).astype(np.float64)
    assert np.isclose(out.sum(), 1.0, rtol=1e-4)
    y, x = np.mgrid[:121, :121]
    assert np.isclose(np.sqrt((out * (x - 60) ** 2).sum()), 4.0, rtol=0.03)
    assert np.isclose(np.sqrt((out * (y - 60) ** 2).sum()), 4.0, rtol=0.03)


def test_degrade_contrast_and_noise_statistics():
    image = np.tile(np.array([0.0, 1.0]), (200, 200))
    low = degrade(image, contrast=0.4)
    np.testing.assert_allclose(np.unique(low), [0.3, 0.7], atol=1e-6)
    flat = np.full((300, 300), 0.5)
    noisy = degrade(flat, noise=0.1, rng=np.random.default_rng(1)).astype(np.float64)
    assert abs(noisy.mean() - 0.5) < 0.002
    assert abs(noisy.std() - 0.1) < 0.003
    clipped = degrade(flat, noise=2.0, rng=1)
    assert clipped.min() == 0.0 and clipped.max() == 1.0


def test_degrade_jpeg_returns_float_in_range():
    image = render_modules(module_pattern("96385074", Format.EAN8), px_per_module=2.3, phase=0.4)
    out = degrade(image, jpeg_quality=30)
    assert out.dtype == np.float32 and out.shape == image.shape
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.array_equal(out, image)
    assert np.abs(out - image).mean() < 0.05
    assert np.all(np.round(out * 255) == out * np.float32(255))  # 8-bit levels


def test_degrade_is_deterministic_per_seed():
    image = np.full((40, 50), 0.5)
    kwargs = {"blur": 1.2, "noise": 0.1, "jpeg_quality": 60, "contrast": 0.7}
    a = degrade(image, rng=np.random.default_rng(7), **kwargs)
    b = degrade(image, rng=np.random.default_rng(7), **kwargs)
    c = degrade(image, rng=np.random.default_rng(8), **kwargs)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs",
    [{"blur": -1}, {"noise": -0.1}, {"contrast": 0}, {"contrast": 1.5}, {"jpeg_quality": 0}, {"jpeg_quality": 101}],
)
def test_degrade_rejects_bad_arguments(kwargs):
    with pytest.raises(InvalidArgumentError):
        degrade(np.ones((4, 4)), **kwargs)


# --------------------------------------------------------------------------- rotate


def dark_centroid(image):
    ink = 1.0 - image.astype(np.float64)
    y, x = np.mgrid[: image.shape[0], : image.shape[1]]
    return np.array([(ink * x).sum(), (ink * y).sum()]) / ink.sum()


@pytest.mark.parametrize("angle", [0.0, 17.0, 90.0, 135.0, -40.0, 200.0])
def test_rotate_matrix_tracks_a_dot(angle):
    image = np.ones((41, 61), np.float32)
    image[10, 15] = 0.0
    rotated, matrix = rotate(image, angle)
    assert rotated.dtype == np.float32 and matrix.shape == (2, 3)
    expected = matrix[:, :2] @ [15.0, 10.0] + matrix[:, 2]
    assert np.abs(dark_centroid(rotated) - expected).max() < 0.1
    assert rotated.min() >= 0.0 and rotated.max() <= 1.0


def test_rotate_is_clockwise_on_screen_and_swaps_shape():
    image = np.ones((41, 61), np.float32)
    image[20, 50] = 0.0  # right of the centre (30, 20)
    rotated, matrix = rotate(image, 90)
    assert rotated.shape == (61, 41)
    x, y = dark_centroid(rotated)
    assert abs(x - 20) < 0.1 and abs(y - 50) < 0.1  # now below the centre (20, 30)
    np.testing.assert_allclose(matrix[:, :2], [[0, -1], [1, 0]], atol=1e-12)


def test_rotate_zero_is_identity_and_background_fills_corners():
    image = np.random.default_rng(0).random((9, 13)).astype(np.float32)
    same, matrix = rotate(image, 0)
    np.testing.assert_array_equal(same, image)
    np.testing.assert_allclose(matrix, [[1, 0, 0], [0, 1, 0]])
    turned, _ = rotate(np.zeros((20, 20), np.float32), 45, background=0.75)
    assert turned.shape == (29, 29)
    assert turned[0, 0] == pytest.approx(0.75)


# --------------------------------------------------------------------------- render_code


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("ppm", "phase", "margin"), [(3.0, 0.0, 0), (2.3, 0.6, 5)])
def test_render_code_corners_enclose_the_bars(fmt, ppm, phase, margin):
    text = random_text(fmt, np.random.default_rng(11))
    code = render_code(text, fmt, px_per_module=ppm, phase=phase, background_margin=margin)
    assert isinstance(code, SyntheticCode)
    assert code.image.dtype == np.uint8 and code.format is fmt and code.text == text
    modules = module_pattern(text, fmt)
    (left, top), (right, top2), (right2, bottom), (left2, bottom2) = code.corners
    assert (left, right, top, bottom) == (left2, right2, top2, bottom2)
    assert right - left == pytest.approx(modules.size * ppm)
    assert (top, bottom) == (margin - 0.5, code.image.shape[0] - margin - 0.5)

    ink = 1.0 - code.image.astype(np.float64) / 255.0
    profile = ink[margin + 1]
    rows = ink.sum(axis=1)
    assert np.all(rows[:margin] == 0) and np.all(rows[code.image.shape[0] - margin :] == 0)
    # Pixel column j spans [j - 0.5, j + 0.5]: no ink outside [left, right],
    # and the guard bars reach both edges.
    cols = np.arange(profile.size)
    assert np.all(profile[cols + 0.5 <= left] == 0) and np.all(profile[cols - 0.5 >= right] == 0)
    j0, j1 = int(math.floor(left + 0.5)), int(math.floor(right + 0.5 - 1e-9))
    assert profile[j0] == pytest.approx(min(1.0, j0 + 0.5 - left), abs=1 / 255)
    assert profile[j1] == pytest.approx(min(1.0, right - (j1 - 0.5)), abs=1 / 255)
    assert profile.sum() == pytest.approx(modules.sum() * ppm, abs=profile.size / 255)


def test_render_code_at_90_degrees_reads_top_to_bottom():
    text = "96385074"
    code = render_code(text, Format.EAN8, px_per_module=3, angle=90)
    start_top, end_top, end_bottom, start_bottom = code.corners
    assert start_top[1] < end_top[1] and start_top[0] == pytest.approx(end_top[0])
    assert start_top[0] > start_bottom[0]  # the bars' top now faces right
    column = int(round((start_top[0] + start_bottom[0]) / 2))
    modules = module_pattern(text, Format.EAN8)
    start = np.array([column, start_top[1]])
    end = np.array([column, end_top[1]])
    np.testing.assert_array_equal(read_along(code.image, start, end, modules.size), modules)


@pytest.mark.parametrize("angle", [0.0, 37.0, 90.0, 180.0, -123.0])
def test_render_code_corners_follow_the_rotation(angle):
    text = "036000291452"
    kwargs = {"px_per_module": 4.0, "background_margin": 3, "phase": 0.25}
    flat = render_code(text, "UPC-A", **kwargs)
    turned = render_code(text, "UPC-A", angle=angle, **kwargs)
    assert turned.angle == angle
    image, matrix = rotate(flat.image / 255.0, angle)
    assert image.shape == turned.image.shape
    np.testing.assert_allclose(turned.corners, flat.corners @ matrix[:, :2].T + matrix[:, 2], atol=1e-9)
    # The bars are where the corners say: reading along the middle line of
    # the bar area, from the start side, gives the module pattern.
    modules = module_pattern(text, Format.UPCA)
    start = (turned.corners[0] + turned.corners[3]) / 2
    end = (turned.corners[1] + turned.corners[2]) / 2
    np.testing.assert_array_equal(read_along(turned.image, start, end, modules.size), modules)


def test_render_code_degradation_parameters():
    text = "4006381333931"
    rendered = render_modules(module_pattern(text, Format.EAN13), px_per_module=2.0)
    # blur is in module widths.
    code = render_code(text, Format.EAN13, px_per_module=2.0, blur=0.75)
    expected = np.round(degrade(rendered, blur=1.5) * 255.0).astype(np.uint8)
    np.testing.assert_array_equal(code.image, expected)
    # noise is relative to the contrast; the quiet zone is flat at 0.5 + contrast / 2.
    noisy = render_code(text, Format.EAN13, px_per_module=2.0, contrast=0.5, noise=0.1, rng=3)
    quiet = noisy.image[:, :18].astype(np.float64) / 255.0
    assert abs(quiet.mean() - 0.75) < 0.01
    assert abs(quiet.std() - 0.05) < 0.005
    again = render_code(text, Format.EAN13, px_per_module=2.0, contrast=0.5, noise=0.1, rng=3)
    np.testing.assert_array_equal(noisy.image, again.image)


def test_render_code_normalizes_text_and_rejects_bad_text():
    code = render_code("0036000291452", "UPC-A")
    assert code.text == "036000291452" and code.format is Format.UPCA
    with pytest.raises(InvalidArgumentError):
        render_code("036000291453", Format.UPCA)
    with pytest.raises(InvalidArgumentError):
        render_code("96385074", "EAN-13")
    with pytest.raises(InvalidArgumentError):
        render_code("96385074", "EAN-8", background_margin=-2)


# --------------------------------------------------------------------------- zxing-cpp cross-check


def gtin13(text: str, fmt: str) -> str:
    """A read text as a 13-digit GTIN, UPC-E expanded to UPC-A."""
    if fmt == "UPC-E" and len(text) == 8:
        text = upce_to_upca(text)
    return text.zfill(13)


def zxing_reads(image):
    import zxingcpp
    found = zxingcpp.read_barcodes(image)
    names = {"EAN-13", "EAN-8", "UPC-A", "UPC-E", "EAN13", "EAN8", "UPCA", "UPCE"}
    return [(b.text, str(b.format).split(".")[-1]) for b in found if str(b.format).split(".")[-1] in names]


@pytest.mark.parametrize("fmt", FORMATS)
def test_zxing_reads_clean_renders(fmt):
    import zxingcpp  # noqa: F401 - the test extra installs it
    rng = np.random.default_rng(2024)
    failures = []
    for i in range(30):
        text = random_text(fmt, rng)
        if fmt is Format.UPCE:  # cover every UPC-E expansion rule (last of the six digits)
            body = text[:6] + str(i % 10)
            text = body + str(gtin_check_digit(upce_to_upca(body + "0")[:-1]))
        code = render_code(text, fmt, px_per_module=3)
        want = gtin13(upce_to_upca(text) if fmt is Format.UPCE else text, fmt.value)
        got = [gtin13(t, f.replace("UPCE", "UPC-E")) for t, f in zxing_reads(code.image)]
        if got != [want]:
            failures.append((text, "".join(map(str, module_pattern(text, fmt))), got))
    assert not failures, f"zxing-cpp disagrees on {fmt.value}: {failures}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_zxing_reads_shifted_and_rotated_renders(fmt):
    import zxingcpp  # noqa: F401 - the test extra installs it
    rng = np.random.default_rng(99)
    for angle in (90.0, 180.0, 8.0):
        text = random_text(fmt, rng)
        code = render_code(text, fmt, px_per_module=3.4, phase=0.3, angle=angle, background_margin=10, blur=0.2)
        want = gtin13(upce_to_upca(text) if fmt is Format.UPCE else text, fmt.value)
        got = [gtin13(t, f.replace("UPCE", "UPC-E")) for t, f in zxing_reads(code.image)]
        assert got == [want], (fmt.value, text, angle, got)


def test_cv2_is_the_jpeg_codec():
    # degrade relies on cv2 for JPEG; make sure the codec is present.
    ok, buf = cv2.imencode(".jpg", np.zeros((8, 8), np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert ok and buf.size > 0
