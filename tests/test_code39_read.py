"""Standard Code 39 reading through barreader.read: rendered codes, options, no false reads."""

import numpy as np
import pytest

import barreader
from barreader.code39_reader import Code39ReadOptions
from barreader.reader import ReaderOptions
from barreader.symbology.code39 import encode_full_ascii, mod43_check
from barreader.synth import render_code, render_code39


def code_image(text, narrow=2.5, ratio=3.0, flip=False):
    image = render_code39(text, narrow=narrow, ratio=ratio, quiet_zone=12, height=60, phase=0.3)
    image = np.pad(image, ((20, 20), (10, 10)), constant_values=1.0)
    image = (np.clip(0.1 + 0.8 * image, 0, 1) * 255).astype(np.uint8)
    return image[:, ::-1].copy() if flip else image


@pytest.mark.parametrize("chunk", ["0123456789", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ-. ", "$/+%"])
def test_every_character_round_trips_through_an_image(chunk):
    results = barreader.read(code_image(chunk), formats="code39")
    assert [(r.format, r.text) for r in results] == [(barreader.Format.CODE39, chunk)]
    assert results[0].quality >= 0.9


@pytest.mark.parametrize("ratio", [2.0, 2.5, 3.0])
def test_ratios_and_an_upside_down_code(ratio):
    assert [r.text for r in barreader.read(code_image("CODE39", ratio=ratio, flip=True), formats="code39")] == ["CODE39"]


def test_position_spans_the_bars():
    image = code_image("ABC123", narrow=2.0)
    result = barreader.read(image, formats="code39")[0]
    xs = result.position[:, 0]
    bars = np.flatnonzero((image < 128).any(axis=0))
    assert abs(xs.min() - bars[0]) < 3 and abs(xs.max() - bars[-1]) < 3
    assert result.orientation == pytest.approx(0.0, abs=2)


def test_mod43_is_reported_and_enforced_when_asked():
    data = "PART42"
    checked = data + mod43_check(data)
    plain = barreader.read(code_image(checked), formats="code39")[0]
    assert plain.text == checked and plain.extra["mod43"]
    enforce = ReaderOptions(code39=Code39ReadOptions(mod43=True))
    strict = barreader.read(code_image(checked), formats="code39", options=enforce)[0]
    assert strict.text == data and strict.extra["check"] == checked[-1]
    assert barreader.read(code_image(data + "X"), formats="code39", options=enforce) == []


def test_full_ascii_is_an_option():
    raw = encode_full_ascii("Hi!")
    assert barreader.read(code_image(raw), formats="code39")[0].text == raw
    options = ReaderOptions(code39=Code39ReadOptions(full_ascii=True))
    assert barreader.read(code_image(raw), formats="code39", options=options)[0].text == "Hi!"


def test_ean_codes_are_not_read_as_code39():
    for text, fmt in [("036000291452", "UPC-A"), ("4006381333931", "EAN-13"), ("96385074", "EAN-8")]:
        image = render_code(text, fmt, px_per_module=2.5, rng=0).image
        assert barreader.read(image, formats="code39") == []
        assert [r.format for r in barreader.read(image)] != [] and all(r.format != barreader.Format.CODE39 for r in barreader.read(image))


def test_noise_reads_nothing():
    rng = np.random.default_rng(0)
    image = (rng.random((120, 400)) * 255).astype(np.uint8)
    assert barreader.read(image, formats="code39") == []


def test_perspective_is_fitted_and_undone():
    """A code seen at a slant: one end drawn 40 % larger than the other."""
    from barreader.code39_reader import Perspective

    flat = code_image("PERSPECTIVE", narrow=2.0)
    height, width = flat.shape
    k_true = 0.2
    start, length = 10 + 12 * 2.0 + 0.3, width - 2 * (10 + 12 * 2.0)
    # Each output column x shows the flat code at the u whose perspective position is x.
    x = np.arange(width, dtype=np.float64) + 0.5
    u = (x - start) / length
    inside = (u >= 0) & (u <= 1)
    u_flat = np.where(inside, u / (1 + k_true - k_true * u), u)  # inverse of u (1 + k) / (1 + k u)
    source = start + length * u_flat - 0.5
    warped = np.stack([np.interp(source, np.arange(width), row) for row in flat.astype(np.float64)])
    image = warped.astype(np.uint8)
    fitted = Perspective.fit(image[height // 2].astype(np.float64) / 255, start, start + length)
    assert fitted.k == pytest.approx(k_true, abs=0.08)
    assert [r.text for r in barreader.read(image, formats="code39")] == ["PERSPECTIVE"]
