"""EAN/UPC tables, check digits and text conventions."""

import pytest

from barreader import Format, InvalidArgumentError
from barreader.symbology.upcean import (
    EAN13_FIRST_DIGIT_PARITY,
    L_WIDTHS,
    gtin_check_digit,
    is_valid_gtin,
    module_pattern,
    normalize_text,
    upce_to_upca,
)


@pytest.mark.parametrize(
    "payload, check",
    [("03600029145", 2), ("400638133393", 1), ("9638507", 4), ("978044101498", 9), ("01234500006", 5)],
)
def test_check_digits(payload, check):
    assert gtin_check_digit(payload) == check
    assert is_valid_gtin(payload + str(check))
    assert not is_valid_gtin(payload + str((check + 1) % 10))


@pytest.mark.parametrize(
    "upce, upca",
    [
        ("01234565", "012345000065"),  # last digit 5-9
        ("04252614", "042100005264"),  # last digit 0-2
        ("01234531", "012300000451"),  # last digit 3  (x1..x3, 00000, x4 x5)
        ("01234546", "012340000056"),  # last digit 4
    ],
)
def test_upce_expansion(upce, upca):
    assert upce_to_upca(upce) == upca


def test_every_digit_spans_seven_modules_with_two_bars():
    assert (L_WIDTHS.sum(axis=1) == 7).all()
    assert len(set(EAN13_FIRST_DIGIT_PARITY)) == 10


@pytest.mark.parametrize(
    "text, fmt, modules",
    [("036000291452", "UPC-A", 95), ("4006381333931", "EAN-13", 95), ("96385074", "EAN-8", 67), ("01234565", "UPC-E", 51)],
)
def test_module_patterns(text, fmt, modules):
    bits = module_pattern(text, fmt)
    assert len(bits) == modules
    assert list(bits[:3]) == [1, 0, 1]


def test_upca_is_ean13_with_leading_zero():
    assert (module_pattern("036000291452", "UPC-A") == module_pattern("0036000291452", "EAN-13")).all()


@pytest.mark.parametrize(
    "text, fmt",
    [("036000291453", Format.UPCA), ("12345", Format.EAN13), ("21234565", Format.UPCE), ("96385075", Format.EAN8), ("abc", Format.EAN8)],
)
def test_invalid_texts_are_refused(text, fmt):
    with pytest.raises(InvalidArgumentError):
        normalize_text(text, fmt)
