"""Code 39 profile decoder: character templates, constrained best string."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d

from barreader.decode.code39 import Code39Options, decode_profile
from barreader.decode.code39_constraints import automaton, best_checked_by, best_path, best_path_reference, parse_pattern
from barreader.errors import InvalidArgumentError
from barreader.symbology.code39 import ALPHABET, code_modules, is_valid_hetu, mod43_check
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
    found = decode_profile(profile, start, end, allowed=parse_pattern("[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9]."))
    assert found is not None and found.text == text


def brute_force(loglik, masks, check):
    """Best allowed string, its log posterior and marginals by enumeration (tiny cases)."""
    strings = []
    for combo in itertools.product(*[np.flatnonzero(m) for m in masks]):
        text = "".join(ALPHABET[c] for c in combo)
        if check == "mod43" and mod43_check(text[:-1]) != text[-1]:
            continue
        strings.append(combo)
    if not strings:
        return None, None, None
    scores = np.array([loglik[np.arange(len(s)), list(s)].sum() for s in strings])
    logz = np.logaddexp.reduce(scores)
    marginals = np.zeros_like(loglik)
    for s, score in zip(strings, scores):
        marginals[np.arange(len(s)), list(s)] += np.exp(score - logz)
    best = int(scores.argmax())
    return strings[best], scores[best] - logz, marginals


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), pattern=st.sampled_from(["..", "[0-2][A-D].", "[0-9]-[A-Z]"]),
       check=st.sampled_from([None, "mod43"]))
def test_best_path_matches_enumeration(seed, pattern, check):
    masks = parse_pattern(pattern)
    loglik = np.random.default_rng(seed).normal(0.0, 3.0, (len(masks), len(ALPHABET)))
    found = best_path(loglik, automaton(len(masks), masks, check))
    expected, expected_log_post, expected_marginals = brute_force(loglik, masks, check)
    if expected is None:
        assert found is None
        return
    idx, log_post, marginals = found
    assert tuple(idx) == tuple(expected)
    assert log_post == pytest.approx(expected_log_post)
    np.testing.assert_allclose(marginals, expected_marginals, atol=1e-9)
    if check == "mod43":
        assert ALPHABET[idx[-1]] == mod43_check("".join(ALPHABET[i] for i in idx[:-1]))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       pattern=st.sampled_from(["[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]", "....", "[A-C]0[5-9]"]),
       check=st.sampled_from([None, "mod43", "hetu"]))
def test_search_kernel_matches_its_numpy_twin(seed, pattern, check):
    masks = parse_pattern(pattern)
    if check == "hetu" and len(masks) != 11:
        check = "mod43"
    rng = np.random.default_rng(seed)
    loglik = rng.normal(0.0, 3.0, (len(masks), len(ALPHABET)))
    machine = automaton(len(masks), masks, check)
    found, want = best_path(loglik, machine), best_path_reference(loglik, machine)
    assert (found is None) == (want is None)
    if found is not None:
        assert tuple(found[0]) == tuple(want[0])
        assert found[1] == pytest.approx(want[1], abs=1e-9)
        np.testing.assert_allclose(found[2], want[2], atol=1e-9)


def test_hetu_automaton_accepts_only_valid_identity_codes():
    pattern = "[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"
    rng = np.random.default_rng(5)
    machine = automaton(11, parse_pattern(pattern), "hetu")
    for _ in range(20):
        idx, _, marginals = best_path(rng.normal(0.0, 2.0, (11, len(ALPHABET))), machine)
        text = "".join(ALPHABET[i] for i in idx)
        assert is_valid_hetu(text) and text[6] == "-"
        np.testing.assert_allclose(marginals.sum(axis=1), 1.0)


def test_a_callable_check_is_honoured():
    loglik = np.random.default_rng(2).normal(0.0, 2.0, (4, len(ALPHABET)))
    machine = automaton(4, parse_pattern("[0-9][0-9][0-9][0-9]"))
    idx, _, _ = best_checked_by(loglik, machine, lambda text: int(text) % 7 == 0)
    assert int("".join(ALPHABET[i] for i in idx)) % 7 == 0


@pytest.mark.parametrize("pattern, message", [("", "non-empty"), ("[0-9", "unclosed"), ("a", "not a Code 39"),
                                              ("[9-0]", "bad range"), ("*", "not a Code 39")])
def test_bad_patterns_are_named(pattern, message):
    with pytest.raises(InvalidArgumentError, match=message):
        parse_pattern(pattern)


def test_a_smudged_blurred_code_reads_with_local_levels():
    text = "131052-308T"
    profile, start, end = profile_of(text, blur=1.5, noise=0.02, seed=4)
    middle = slice(int(start + 0.4 * (end - start)), int(start + 0.6 * (end - start)))
    profile[middle] = 0.3 * profile[middle] + 0.7 * 0.45
    pattern = parse_pattern("[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]")
    found = decode_profile(profile, start, end, allowed=pattern, check="hetu", options=Code39Options(local_levels=True))
    assert found is not None and found.text == text


def test_start_stop_screening_equals_the_slot_costs_of_star():
    from barreader.decode.code39 import STAR, _end_spill, _end_windows, _frame_costs, slot_costs

    rng = np.random.default_rng(3)
    cumulative = np.concatenate(([0.0], np.cumsum(rng.uniform(size=600))))
    narrow = np.array([2.0, 2.1, 1.9])
    ends = _end_windows(cumulative, np.array([50.0, 52.0, 49.0]), narrow, 2.5, 1.0, 13, 2)
    blurs = (0.0, 0.7, 1.5)
    frames = _frame_costs(ends, 2.5, 1.0, 0.0, blurs, 0.1, 0.9)
    for j, blur in enumerate(blurs):
        costs = slot_costs(ends, 2.5, blur, 0.1, 0.9, _end_spill(2.5, blur, 1.0, 0.0), gap=1.0)
        np.testing.assert_allclose(frames[:, j], (costs[:, 0, STAR] + costs[:, 1, STAR]) / narrow, rtol=1e-9)
