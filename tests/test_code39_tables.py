"""Code 39 tables, mod-43 and HETU check characters, Full ASCII."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barreader import InvalidArgumentError
from barreader.symbology.code39 import (
    ALPHABET,
    PATTERNS,
    WIDE,
    code_modules,
    code_widths,
    decode_full_ascii,
    encode_full_ascii,
    hetu_check,
    is_valid_hetu,
    mod43_check,
)
from barreader.synth import render_modules


def test_every_character_has_three_wide_elements_and_a_distinct_pattern():
    assert len(PATTERNS) == 44 and WIDE.shape == (44, 9)
    assert (WIDE.sum(axis=1) == 3).all()
    assert len({tuple(row) for row in WIDE}) == 44
    # 40 characters have two wide bars and one wide space; $ / + % three wide spaces.
    bars = WIDE[:, ::2].sum(axis=1)
    assert sorted(c for c, n in zip(ALPHABET + "*", bars) if n == 0) == sorted("$/+%")


def test_code_widths_alternate_and_count():
    widths = code_widths("AB", ratio=2.5)
    # 4 characters of 9 elements and 3 gaps.
    assert len(widths) == 4 * 9 + 3
    assert widths.sum() == pytest.approx(4 * (6 + 3 * 2.5) + 3)


@pytest.mark.parametrize("data, check", [("CODE39", "W"), ("12345", "F"), ("ABC-123", "W")])
def test_mod43_check(data, check):
    assert mod43_check(data) == check


@pytest.mark.parametrize("code", ["131052-308T", "311280-999J"])
def test_valid_hetu(code):
    assert is_valid_hetu(code)
    assert hetu_check(code[:10]) == code[10]


def test_blog_figure_string_is_not_a_valid_hetu():
    assert not is_valid_hetu("010185-710P")
    assert hetu_check("010185-710") == "9"


def test_hetu_rejects_malformed_payloads():
    with pytest.raises(InvalidArgumentError, match="century"):
        hetu_check("131052Q308")
    assert not is_valid_hetu("13105-308T")


@given(st.text(alphabet=[chr(i) for i in range(128)], max_size=20))
def test_full_ascii_round_trip(text):
    encoded = encode_full_ascii(text)
    assert set(encoded) <= set(ALPHABET)
    assert decode_full_ascii(encoded) == text


def test_full_ascii_rejects_a_dangling_shift():
    assert decode_full_ascii("AB$") is None
    assert decode_full_ascii("%%") is None


@pytest.mark.parametrize("text", ["0123456789", "ABCDEFGHIJKLM", "NOPQRSTUVWXYZ", "-. $/+%", "CODE39W"])
def test_an_independent_reader_agrees_with_the_table(text):
    import zxingcpp
    image = (255 * render_modules(code_modules(text, ratio=3), px_per_module=3.0, height=60)).astype(np.uint8)
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code39)
    assert [r.text for r in found] == [text]
