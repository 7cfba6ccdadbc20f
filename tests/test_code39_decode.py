"""Code 39 profile decoder: character templates, constrained best string."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d

from barreader.decode.code39 import STAR, best_string, decode_profile
from barreader.symbology.code39 import ALPHABET, code_modules, mod43_check
from barreader.synth import render_modules


def profile_of(text, ppm=2.0, ratio=3, blur=0.0, noise=0.0, phase=0.3, seed=0):
    modules = code_modules(text, ratio)
    image = render_modules(modules, px_per_module=ppm, height=2, phase=phase, quiet_zone=10)
    profile = image.mean(axis=0).astype(np.float64)
    if blur:
        profile = gaussian_filter1d(profile, blur * ppm)
    profile += np.random.default_rng(seed).normal(0.0, noise, profile.size)
    start = phase + 10 * ppm
    return profile, start, start + len(modules) * ppm


@pytest.mark.parametrize("chunk", ["0123456789", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ-. ", "$/+%"])
def test_every_character_reads_back_from_a_sharp_profile(chunk):
    profile, start, end = profile_of(chunk)
    found = decode_profile(profile, start, end)
    assert found is not None and found.text == chunk
    assert found.ratio == 3.0 and found.narrow == pytest.approx(2.0, rel=0.02)


@pytest.mark.parametrize("ratio", [2, 3])
def test_ratio_is_estimated(ratio):
    profile, start, end = profile_of("RATIO", ratio=ratio, noise=0.02)
    found = decode_profile(profile, start, end)
    assert found.text == "RATIO" and found.ratio == ratio


def test_known_pattern_reads_a_strongly_blurred_code():
    text = "131052-308T"
    profile, start, end = profile_of(text, blur=1.5, noise=0.02, seed=3)
    allowed = [np.array([c in ("0123456789" if ch.isdigit() else ALPHABET) for c in ALPHABET + "*"]) for ch in text]
    allowed[6] = np.array([c == "-" for c in ALPHABET + "*"])
    found = decode_profile(profile, start, end, allowed=allowed)
    assert found is not None and found.text == text


def brute_force(loglik, check):
    """Best allowed string and its log posterior by enumeration (tiny cases)."""
    data = loglik[1:-1, :STAR]
    strings = [s for s in itertools.product(range(STAR), repeat=data.shape[0])
               if check is None or sum(s[:-1]) % 43 == s[-1]]
    scores = np.array([data[np.arange(len(s)), list(s)].sum() for s in strings])
    best = int(scores.argmax())
    return strings[best], scores[best] - np.logaddexp.reduce(scores)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), slots=st.integers(2, 3), check=st.sampled_from([None, "mod43"]))
def test_best_string_matches_enumeration(seed, slots, check):
    loglik = np.random.default_rng(seed).normal(0.0, 3.0, (slots + 2, STAR + 1))
    idx, log_post, posteriors = best_string(loglik, check=check)
    expected, expected_log_post = brute_force(loglik, check)
    assert tuple(idx) == expected
    assert log_post == pytest.approx(expected_log_post)
    assert ((posteriors > 0) & (posteriors <= 1 + 1e-9)).all()
    if check == "mod43":
        assert ALPHABET[idx[-1]] == mod43_check("".join(ALPHABET[i] for i in idx[:-1]))


def test_mod43_marginals_match_enumeration():
    loglik = np.random.default_rng(7).normal(0.0, 2.0, (5, STAR + 1))
    idx, _, posteriors = best_string(loglik, check="mod43")
    data = loglik[1:-1, :STAR]
    strings = [s for s in itertools.product(range(STAR), repeat=3) if (s[0] + s[1]) % 43 == s[2]]
    scores = np.array([data[np.arange(3), list(s)].sum() for s in strings])
    weights = np.exp(scores - np.logaddexp.reduce(scores))
    for j in range(3):
        assert posteriors[j] == pytest.approx(sum(w for s, w in zip(strings, weights) if s[j] == idx[j]))
