"""Reading codes lit unevenly, codes whose given box holds only part of them, and codes blurred
until half their bars merge."""

import dataclasses
import math

import numpy as np
import pytest

import barreader
from barreader.decode.upcean import DecoderOptions, ProfileModel
from barreader.reader import ReaderOptions
from barreader.synth import degrade, random_text, render_code


def test_one_piece_keeps_both_levels_constant():
    # The paper's model: the darker half of the code's samples gives mu_b,
    # the lighter half mu_w, sigma^2 the mean of the two halves' variances.
    rng = np.random.default_rng(0)
    for _ in range(20):
        profile = rng.uniform(0.0, 1.0, 200)
        start, end = rng.uniform(0, 50), rng.uniform(120, 200)
        model = ProfileModel(profile, start, end, "pooled", pieces=1)
        inside = np.sort(profile[math.floor(start) : math.ceil(end)])
        dark, light = np.split(inside, [len(inside) // 2])
        assert model.mu_black == pytest.approx(dark.mean())
        assert model.mu_white == pytest.approx(light.mean())
        assert model.sigma2 == pytest.approx(0.5 * (dark.var() + light.var()))
        penalty_white = np.maximum(light.mean() - profile, 0.0) ** 2 / (2 * model.sigma2)
        np.testing.assert_allclose(np.diff(model.prefix_white), penalty_white, rtol=1e-9, atol=1e-9)


def test_levels_follow_light_falling_off_along_the_code():
    # Bars at 0.1, spaces lit from 0.3 at one end to 0.9 at the other.
    x = np.arange(400)
    light = 0.3 + 0.6 * x / 399
    profile = np.where((x // 5) % 2 == 0, 0.1, light)
    model = ProfileModel(profile, 0, 400, "pooled", pieces=4)
    spaces = (x // 5) % 2 == 1
    # With the level drifting, spaces at either end cost little as white ...
    white_cost = np.diff(model.prefix_white)[spaces]
    assert white_cost[:20].mean() < 0.5 and white_cost[-20:].mean() < 0.5
    # ... while one level for the whole code calls the dim spaces dark.
    flat = ProfileModel(profile, 0, 400, "pooled", pieces=1)
    assert np.diff(flat.prefix_white)[spaces][:20].mean() > 5 * max(white_cost[:20].mean(), 0.1)


def _dimming_code(seed: int) -> tuple[str, np.ndarray]:
    """A blurred EAN-13 whose light falls to a quarter from its right end to its left."""
    rng = np.random.default_rng(seed)
    text = random_text("EAN-13", rng)
    image = render_code(text, "EAN-13", px_per_module=2.0, rng=seed).image.astype(np.float32) / 255.0
    ramp = np.linspace(0.25, 1.0, image.shape[1])[None, :]
    image = degrade(image * ramp, blur=1.6, noise=0.01, rng=seed)
    return text, np.round(255 * image).astype(np.uint8)


def test_codes_lit_unevenly_are_read_and_never_misread():
    constant = ReaderOptions(decoder=dataclasses.replace(DecoderOptions(), level_pieces=1))
    read = {"drifting": 0, "constant": 0}
    for seed in range(12):
        text, image = _dimming_code(seed)
        drifting = [r.extra["gtin13"] for r in barreader.read(image)]
        assert drifting in ([], [text]), f"seed {seed}: read {drifting}, expected {text}"
        read["drifting"] += drifting == [text]
        read["constant"] += [r.extra["gtin13"] for r in barreader.read(image, options=constant)] == [text]
    assert read["drifting"] >= 10
    assert read["drifting"] > read["constant"]


@pytest.mark.parametrize("share", [0.35, 0.45])
@pytest.mark.parametrize("fmt", ["UPC-A", "EAN-13"])
def test_a_box_holding_part_of_a_code_reads_the_whole_code(fmt, share):
    # The box leaves out the code's left part: its scanlines would start
    # inside the code, where no quiet zone can be seen.
    rng = np.random.default_rng(int(100 * share) + len(fmt))
    text = random_text(fmt, rng)
    module = 2.5
    code = render_code(text, fmt, px_per_module=module, rng=1)
    height, width = code.image.shape[:2]
    first_bar = (width - 95 * module) / 2
    x0, x1 = first_bar + share * 95 * module, first_bar + 95 * module
    box = barreader.Region(np.array([[x0, 0.2 * height], [x1, 0.2 * height], [x1, 0.8 * height],
                                     [x0, 0.8 * height]]), 0.0, 1.0, module)
    assert [r.extra["gtin13"] for r in barreader.read(code.image, regions=[box])] == [text.rjust(13, "0")]


def test_evenly_lit_codes_are_decoded_with_constant_levels(monkeypatch):
    # Drifting levels fit more freely; they are tried only where the
    # whole-code fit sees the light change along the code.
    from barreader.stages import templates
    from conftest import templates_only

    calls = []

    class Counted(ProfileModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            calls.append(args[4] if len(args) > 4 else kwargs.get("pieces", 1))

    monkeypatch.setattr(templates, "ProfileModel", Counted)
    rng = np.random.default_rng(4)
    for seed in range(3):
        text = random_text("EAN-13", rng)
        image = render_code(text, "EAN-13", px_per_module=2.5, blur=0.6, noise=0.01, rng=seed).image
        assert [r.extra["gtin13"] for r in barreader.read(image, effort=templates_only())] == [text]
    assert calls and all(pieces == 1 for pieces in calls)
    _, dimming = _dimming_code(0)
    barreader.read(dimming, effort=templates_only())
    assert any(pieces != 1 for pieces in calls)


def test_a_blurred_ean13_showing_half_its_bars_is_not_read_as_one_ean8():
    # At 2 px/module and a blur of 0.8 module this EAN-13 shows 15 of its 30
    # bars at a sharpness of 0.63; were that counted as sharp, only an EAN-8
    # could hold so few bars, and one was read across the whole code.
    rng = np.random.default_rng(4)
    random_text("EAN-13", rng)
    text = random_text("EAN-13", rng)
    image = render_code(text, "EAN-13", px_per_module=2.0, blur=0.8, noise=0.01, rng=1).image
    assert [(r.format.value, r.text) for r in barreader.read(image)] == [("EAN-13", text)]


def test_longer_lines_from_a_box_beside_a_code_do_not_hide_that_codes_own_box():
    # The first box lies below an EAN-13 (a scene's onnx regions); its
    # longer scanlines cross the code's lower part and confirm a UPC-E read
    # on half of it. The code's own box, next, must still be read.
    from barreader.synth import render_scene

    rng = np.random.default_rng(0)
    for _ in range(17):
        render_scene(3, size=(480, 640), px_per_module=(2.0, 4.0), background="mixed", rng=rng)
    scene = render_scene(3, size=(480, 640), px_per_module=(2.0, 4.0), background="mixed", rng=rng)
    beside = barreader.Region(np.array([[339, 339], [370, 270], [477, 318], [446, 387]]), 114.0, 1.0, float("nan"))
    own = barreader.Region(np.array([[339, 323], [427, 125], [545, 178], [456, 376]]), 114.1, 1.0, 2.21)
    code = next(c for c in scene.codes if c.format.value == "EAN-13")
    assert [r.text for r in barreader.read(scene.image, regions=[beside, own])] == [code.text]
