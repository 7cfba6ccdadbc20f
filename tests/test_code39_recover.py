"""Constrained Code 39 recovery: barreader.code39.recover on rendered licence-like cards."""

import numpy as np
import pytest

import barreader
import barreader.code39
from barreader.errors import InvalidArgumentError
from barreader.localize.overlap import polygon_iou
from barreader.localize.tensor import tensor_regions
from barreader.synth import random_hetu, render_licence_card
from barreader.symbology.code39 import is_valid_hetu

LICENCE = "[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"


@pytest.mark.parametrize("seed, angle, smudge", [(1, 0.0, 0.0), (2, 8.0, 0.0), (3, -6.0, 0.2), (4, 175.0, 0.2)])
def test_a_blurred_licence_code_is_recovered_exactly(seed, angle, smudge):
    rng = np.random.default_rng(seed)
    card = render_licence_card(random_hetu(rng), blur=1.5, smudge=smudge, angle=angle, rng=rng)
    result = barreader.code39.recover(card.image, LICENCE, check="hetu")
    assert result is not None and result.text == card.text
    assert result.format == barreader.Format.CODE39
    assert 0.5 <= result.quality <= 1.0 and len(result.extra["posteriors"]) == 11
    assert polygon_iou(result.position, card.corners) > 0.5


def test_plain_reading_does_not_read_what_is_recovered():
    """At blur 1.5 narrow widths the code is beyond reading without its pattern."""
    rng = np.random.default_rng(5)
    card = render_licence_card(random_hetu(rng), blur=1.5, rng=rng)
    assert barreader.code39.recover(card.image, LICENCE, check="hetu").text == card.text
    assert all(r.text != card.text for r in barreader.read(card.image))


def test_a_given_region_is_used():
    rng = np.random.default_rng(6)
    card = render_licence_card(random_hetu(rng), blur=1.2, rng=rng)
    result = barreader.code39.recover(card.image, LICENCE, check="hetu", region=card.corners)
    assert result.text == card.text and is_valid_hetu(result.text)


def test_nothing_is_made_up_from_a_blank_card():
    image = np.full((240, 480), 200, dtype=np.uint8)
    assert barreader.code39.recover(image, LICENCE, check="hetu") is None


def test_a_code_of_other_length_is_not_forced_into_the_pattern():
    rng = np.random.default_rng(7)
    card = render_licence_card("ABC-123", blur=1.0, rng=rng)
    assert barreader.code39.recover(card.image, LICENCE, check="hetu") is None


def test_callable_check():
    rng = np.random.default_rng(8)
    card = render_licence_card(random_hetu(rng), blur=1.0, rng=rng)
    result = barreader.code39.recover(card.image, LICENCE, check=is_valid_hetu)
    assert result is not None and result.text == card.text


@pytest.mark.parametrize("kwargs, message", [
    ({"pattern": ""}, "non-empty"),
    ({"pattern": "[0-9]", "check": "luhn"}, "check must be"),
    ({"pattern": "[0-9]", "check": "hetu"}, "11 characters"),
    ({"pattern": "[0-9]", "min_confidence": 2.0}, "min_confidence"),
    ({"pattern": "[0-9]", "localizer": "sonar"}, "localizer"),
    ({"pattern": "[0-9]", "region": np.zeros((3, 2))}, "region"),
])
def test_bad_arguments_are_named(kwargs, message):
    image = np.full((60, 120), 200, dtype=np.uint8)
    with pytest.raises(InvalidArgumentError, match=message):
        barreader.code39.recover(image, **kwargs)


def test_tensor_localizer_finds_a_blurred_tilted_code():
    rng = np.random.default_rng(9)
    card = render_licence_card(random_hetu(rng), blur=1.5, angle=25.0, rng=rng)
    from barreader.image import to_gray

    regions = tensor_regions(to_gray(card.image))
    code_angle = np.degrees(np.arctan2(*(card.corners[1] - card.corners[0])[::-1])) % 180
    on_code = [r for r in regions if polygon_iou(r.polygon, card.corners) > 0.1]
    assert on_code and min(abs((r.angle - code_angle + 90) % 180 - 90) for r in on_code) < 3
