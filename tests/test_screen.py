"""The screen before the template decoder: regions with bars pass, texture and blank regions do not."""

import numpy as np
import pytest

from barreader.results import Region
from barreader.stages.screen import MIN_ACROSS, across_share, looks_like_code, two_widths
from barreader.synth import render_code, render_code39


def _whole(image: np.ndarray, angle: float = 0.0) -> Region:
    h, w = image.shape[:2]
    if angle == 90.0:
        return Region(np.array([[0, 0], [0, h - 1], [w - 1, h - 1], [w - 1, 0]], dtype=float), 90.0, 0.0)
    return Region(np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=float), 0.0, 0.0)


@pytest.mark.parametrize("blur", [0.0, 1.5])
def test_a_code_passes_sharp_or_blurred(blur):
    image = render_code("5901234123457", "EAN-13", px_per_module=3.0, blur=blur, noise=0.02, rng=1).image
    gray = image.astype(np.float32) / 255.0
    assert across_share(gray, _whole(gray)) > 0.9
    assert looks_like_code(gray, _whole(gray))


def test_a_region_across_the_bars_fails():
    gray = render_code("5901234123457", "EAN-13", px_per_module=3.0, rng=1).image.astype(np.float32) / 255.0
    assert across_share(gray, _whole(gray, 90.0)) < 0.2
    assert not looks_like_code(gray, _whole(gray, 90.0))


def test_texture_and_blank_regions_fail():
    rng = np.random.default_rng(0)
    texture = rng.uniform(0, 1, size=(120, 300)).astype(np.float32)
    assert abs(across_share(texture, _whole(texture)) - 0.5) < 0.1 < MIN_ACROSS - 0.5
    assert not looks_like_code(texture, _whole(texture))
    blank = np.full((120, 300), 0.5, dtype=np.float32)
    assert not looks_like_code(blank, _whole(blank))


def test_large_regions_are_measured_on_a_smaller_copy_alike():
    gray = render_code("5901234123457", "EAN-13", px_per_module=3.0, blur=1.0, rng=2).image.astype(np.float32) / 255.0
    import cv2

    big = cv2.resize(gray, None, fx=4, fy=4, interpolation=cv2.INTER_LINEAR)
    assert abs(across_share(big, _whole(big)) - across_share(gray, _whole(gray))) < 0.05


def test_an_image_without_bars_never_reaches_the_whole_image_stage():
    import cv2

    import barreader
    from barreader.stages.timing import collect

    for seed in range(3):
        blotches = cv2.GaussianBlur(np.random.default_rng(seed).uniform(0, 1, (480, 640)).astype(np.float32), (0, 0), 2 + seed)
        blotches = (blotches - blotches.min()) / (blotches.max() - blotches.min())
        with collect() as seconds:
            assert barreader.read(blotches) == []
        assert "localize" in seconds and "whole image" not in seconds, sorted(seconds)
    with collect() as seconds:
        barreader.read(blotches, effort="thorough")
    assert "whole image" in seconds


@pytest.mark.parametrize("ratio", [2.0, 2.5, 3.0])
@pytest.mark.parametrize("narrow", [1.5, 3.0])
def test_code39_shows_two_widths(narrow, ratio):
    image = render_code39("TWO WIDTHS 39", narrow=narrow, ratio=ratio, quiet_zone=12, height=30)
    profile = image[15].astype(np.float64)
    assert two_widths(profile)
    assert two_widths(profile[::-1])


@pytest.mark.parametrize("text, fmt", [("5901234123457", "EAN-13"), ("036000291452", "UPC-A"), ("96385074", "EAN-8")])
@pytest.mark.parametrize("ppm", [1.5, 2.5, 4.0])
def test_ean_upc_widths_are_not_two(text, fmt, ppm):
    image = render_code(text, fmt, px_per_module=ppm, rng=1).image
    assert not two_widths(image[image.shape[0] // 2].astype(np.float64) / 255.0)


def test_flat_or_short_profiles_show_no_widths():
    assert not two_widths(np.full(200, 0.5))
    assert not two_widths(np.array([0.0, 1.0] * 10))
