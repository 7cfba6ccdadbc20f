"""Finding and reading strongly blurred codes: edges, light-and-blur fit, search."""

import numpy as np
import pytest

from barreader import Format
from barreader._kernels.blurred import blurred_whiteness, blurred_whiteness_reference
from barreader.decode.blursearch import code_edges, refine_fit, relative_profile, search_blurred
from barreader.decode.upcean import LAYOUTS, layouts_for
from barreader.formats import parse_formats
from barreader.symbology.upcean import module_pattern
from barreader.synth import random_text


def _profile(text, fmt, *, start, module, blur, light=(0.15, 0.05, 0.6, -0.15), noise=0.005, n=None, seed=0):
    """A profile drawn from the blurred model itself: bars ``a(t)``, spaces ``a(t) + b(t)``."""
    bars = module_pattern(text, fmt).astype(np.int64)
    n = n or int(start + len(bars) * module + 40)
    boundaries = start + module * np.arange(len(bars) + 1)
    whiteness = blurred_whiteness(boundaries, bars, blur * module, 0, n)
    t = np.linspace(-1, 1, n)
    a0, a1, b0, b1 = light
    rng = np.random.default_rng(seed)
    return a0 + a1 * t + (b0 + b1 * t) * whiteness + rng.normal(0, noise, n), bars


@pytest.mark.parametrize("sigma", [0.0, 0.6, 2.5])
def test_blurred_whiteness_matches_twin(sigma):
    bars = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1], dtype=np.int64)
    boundaries = 20.4 + 1.7 * np.arange(len(bars) + 1)
    fast = blurred_whiteness(boundaries, bars, sigma, 0, 56)
    slow = blurred_whiteness_reference(boundaries, bars, sigma, 0, 56)
    np.testing.assert_allclose(fast, slow, atol=2e-4)
    assert fast[0] == pytest.approx(1.0) and fast[-1] == pytest.approx(1.0)


def test_code_edges_find_both_ends_under_heavy_blur():
    profile, bars = _profile("036000291452", "UPC-A", start=40.3, module=1.6, blur=1.5)
    falls, rises = code_edges(profile)
    end = 40.3 + len(bars) * 1.6
    assert np.abs(falls - 40.3).min() < 1.6
    assert np.abs(rises - end).min() < 1.6


def test_relative_profile_removes_light_fall_off():
    profile, bars = _profile("036000291452", "UPC-A", start=40.0, module=2.0, blur=0.3, noise=0.0)
    end = 40.0 + 95 * 2.0
    relative = relative_profile(profile, 40.0, end, 2.0)
    # Both quiet zones come out at the same grey, though the light differs.
    assert profile[36] / profile[int(end) + 4] > 1.15
    assert relative[36] == pytest.approx(relative[int(end) + 4], abs=0.02)


def test_refine_fit_recovers_placement_blur_and_light():
    light = (0.2, -0.05, 0.5, 0.1)
    profile, bars = _profile("4006381333931", "EAN-13", start=35.2, module=1.8, blur=1.4, light=light, noise=0.002)
    shading = refine_fit(profile, bars, 36.0, 1.78, 1.0)
    assert shading.start == pytest.approx(35.2, abs=0.15)
    assert shading.module == pytest.approx(1.8, abs=0.01)
    assert shading.blur == pytest.approx(1.4, abs=0.1)
    np.testing.assert_allclose(shading.coef, light, atol=0.03)
    normalized = shading.normalize(profile)
    assert np.percentile(normalized, 99) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("seed", range(4))
def test_search_reads_codes_blurred_past_the_templates(seed):
    rng = np.random.default_rng(seed)
    fmt = (Format.UPCA, Format.EAN13)[seed % 2]
    text = random_text(fmt, rng)
    module = rng.uniform(1.3, 2.5)
    profile, _ = _profile(text, fmt, start=rng.uniform(25, 45), module=module, blur=rng.uniform(1.2, 1.8), seed=seed)
    formats = parse_formats("upca,ean13")
    results = search_blurred(profile, layouts_for(formats), formats)
    assert results
    best = min(results, key=lambda r: r.sse)
    layout = LAYOUTS[best.layout]
    run = layout.runs[best.run]
    digits = best.digits[::-1] if run.reverse else best.digits
    got = run.prefix + "".join(map(str, digits)) + run.suffix
    assert got == text.rjust(13, "0")
    assert best.margin > 10


def test_search_finds_nothing_on_a_flat_profile():
    formats = parse_formats(None)
    assert search_blurred(np.full(200, 0.7), layouts_for(formats), formats) == []
