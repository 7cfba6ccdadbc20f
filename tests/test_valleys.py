"""The valley finder against its twin, SciPy's peak finder on the negated profile."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barreader._kernels.valleys import valleys, valleys_reference
from barreader.synth import render_code


def _same(profile, prominence):
    got = valleys(np.asarray(profile, dtype=np.float64), prominence)
    want = valleys_reference(profile, prominence)
    np.testing.assert_array_equal(got[0], want[0])
    for a, b in zip(got[1:], want[1:]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_valleys_of_rendered_codes_match_the_twin(seed):
    image = render_code("036000291452", "UPC-A", px_per_module=1.5 + seed, blur=0.3 * seed, noise=0.02, rng=seed).image
    profile = image[image.shape[0] // 2].astype(np.float64) / 255.0
    for prominence in (0.0, 0.02, 0.1, 0.4):
        _same(profile, prominence)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=0, max_size=40), st.sampled_from([0.0, 0.5, 1.0, 2.5]))
def test_plateaus_ties_and_edges_match_the_twin(values, prominence):
    # Small integers make flat bottoms, equal tops and valleys at the ends.
    _same(np.array(values, dtype=np.float64), prominence)


def test_a_flat_bottom_is_centred_and_its_crossings_interpolated():
    centres, depths, left, right = valleys(np.array([1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0]), 0.1)
    assert centres.tolist() == [3] and depths.tolist() == [1.0]
    assert left.tolist() == [1.5] and right.tolist() == [4.5]
