"""The extent finder's kernel against its twin (SciPy's filter and peak finder, NumPy's quantiles)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barreader._kernels.extents import extents, extents_reference, smoothing_weights
from barreader.scanline import find_extents
from barreader.synth import render_code

WEIGHTS = smoothing_weights()


def _same(profile, min_bars=6, quiet_modules=5.5, max_extents=4):
    profile = np.asarray(profile, dtype=np.float64)
    got = extents(profile, WEIGHTS, min_bars, quiet_modules, max_extents)
    want = extents_reference(profile, min_bars, quiet_modules, max_extents)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    return got


def test_the_taps_are_scipys():
    from scipy.ndimage import gaussian_filter1d

    impulse = np.zeros(11)
    impulse[5] = 1.0
    np.testing.assert_allclose(gaussian_filter1d(impulse, 0.5)[3:8], WEIGHTS, rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", range(6))
def test_rendered_codes_match_the_twin_and_sharp_ones_give_the_codes_bars(seed):
    text = ["036000291452", "5901234123457", "96385074"][seed % 3]
    fmt = ["UPC-A", "EAN-13", "EAN-8"][seed % 3]
    image = render_code(text, fmt, px_per_module=1.5 + seed, blur=0.15 * seed, noise=0.02, rng=seed).image
    profile = image[image.shape[0] // 2].astype(np.float64) / 255.0
    rows = _same(profile)
    bars = {"UPC-A": 30, "EAN-13": 30, "EAN-8": 22}[fmt]
    assert len(rows) >= 1
    if seed < 3:  # heavier blur merges narrow bars
        assert abs(rows[0, 2] - bars) <= 1


def test_two_codes_side_by_side_are_two_extents():
    image = render_code("036000291452", "UPC-A", px_per_module=2.0, rng=0).image
    row = image[image.shape[0] // 2].astype(np.float64) / 255.0
    profile = np.concatenate([row, row])
    rows = _same(profile)
    assert rows[:, 2].tolist()[:2] == [30.0, 30.0]
    assert rows[0, 1] < rows[1, 0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=0, max_size=80), st.integers(1, 8), st.sampled_from([1.5, 5.5]))
def test_plateaus_ties_and_edges_match_the_twin(values, min_bars, quiet_modules):
    _same(np.array(values, dtype=np.float64), min_bars, quiet_modules)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_noise_matches_the_twin(seed):
    rng = np.random.default_rng(seed)
    _same(rng.normal(0.5, 0.2, int(rng.integers(2, 600))))


def test_find_extents_returns_the_kernels_rows():
    image = render_code("5901234123457", "EAN-13", px_per_module=3.0, blur=0.3, rng=1).image
    profile = image[image.shape[0] // 2].astype(np.float64) / 255.0
    (extent,) = find_extents(profile)[:1]
    row = extents_reference(profile, 6, 5.5, 4)[0]
    assert (extent.start, extent.end, extent.n_bars) == pytest.approx((row[0], row[1], row[2]), abs=1e-9)
    assert extent.module == pytest.approx(row[4], abs=1e-9) and 2.0 < extent.module < 4.5
