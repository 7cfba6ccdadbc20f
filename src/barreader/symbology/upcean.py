"""EAN/UPC tables, check digits and text conventions.

Data and checksums only; no image processing. Element widths are in modules.
The tables follow GS1's definitions (as restated in ALGORITHMS.md §5).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..formats import Format

__all__ = [
    "L_WIDTHS",
    "FAMILY_L",
    "FAMILY_G",
    "FAMILY_R",
    "FAMILY_RG",
    "EAN13_FIRST_DIGIT_PARITY",
    "UPCE_PARITY_NS0",
    "TOTAL_MODULES",
    "gtin_check_digit",
    "is_valid_gtin",
    "upce_to_upca",
    "upce_parity",
    "normalize_text",
    "module_pattern",
]

# L-code ("odd parity") element widths, space-bar-space-bar, per digit 0..9.
L_WIDTHS = np.array(
    [
        [3, 2, 1, 1],
        [2, 2, 2, 1],
        [2, 1, 2, 2],
        [1, 4, 1, 1],
        [1, 1, 3, 2],
        [1, 2, 3, 1],
        [1, 1, 1, 4],
        [1, 3, 1, 2],
        [1, 2, 1, 3],
        [3, 1, 1, 2],
    ],
    dtype=np.int64,
)

# Template families. A digit is drawn as four elements; what differs between
# families is the width order and whether the first element is a space or a bar.
#   L : L widths, space first (left half, odd parity)
#   G : L widths reversed, space first (left half, even parity)
#   R : L widths, bar first (right half)
#   RG: L widths reversed, bar first. Never printed, but a G digit read
#       backwards is an R digit and an L digit read backwards is an RG digit,
#       so these four families cover both reading directions.
FAMILY_L, FAMILY_G, FAMILY_R, FAMILY_RG = 0, 1, 2, 3
FAMILY_NAMES = ("L", "G", "R", "RG")
FAMILY_BAR_FIRST = (False, False, True, True)
FAMILY_REVERSED = (False, True, False, True)


def family_widths(family: int) -> np.ndarray:
    """Element widths (10, 4) of a template family, in drawing order."""
    return L_WIDTHS[:, ::-1].copy() if FAMILY_REVERSED[family] else L_WIDTHS.copy()


# EAN-13: the parity (L=0, G=1) of drawn left digits d2..d7, most significant
# bit first, encodes the undrawn first digit d1.
EAN13_FIRST_DIGIT_PARITY = (0x00, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A)

# UPC-E: the parity of the six drawn digits encodes the check digit; number
# system 1 uses the complement of number system 0's pattern.
UPCE_PARITY_NS0 = (0x38, 0x34, 0x32, 0x31, 0x2C, 0x26, 0x23, 0x2A, 0x29, 0x25)

TOTAL_MODULES = {Format.UPCA: 95, Format.EAN13: 95, Format.EAN8: 67, Format.UPCE: 51}
_TEXT_LENGTH = {Format.UPCA: 12, Format.EAN13: 13, Format.EAN8: 8, Format.UPCE: 8}


def gtin_check_digit(payload: str) -> int:
    """Check digit of a GTIN payload (every digit but the check digit).

    Weights 3, 1, 3, ... are applied from the rightmost payload digit.

    >>> gtin_check_digit("03600029145")
    2
    """
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True if ``code`` (digits, check digit last) has a correct check digit."""
    return code.isdigit() and len(code) >= 2 and gtin_check_digit(code[:-1]) == int(code[-1])


def upce_to_upca(upce: str) -> str:
    """Expand an 8-digit UPC-E (number system, six digits, check) to UPC-A.

    >>> upce_to_upca("01234565")
    '012345000065'
    """
    if len(upce) != 8 or not upce.isdigit():
        raise InvalidArgumentError(f"UPC-E text must be 8 digits, got {upce!r}")
    ns, x, check = upce[0], upce[1:7], upce[7]
    last = x[5]
    if last in "012":
        body = x[0:2] + last + "0000" + x[2:5]
    elif last == "3":
        body = x[0:3] + "00000" + x[3:5]
    elif last == "4":
        body = x[0:4] + "00000" + x[4]
    else:
        body = x[0:5] + "0000" + last
    return ns + body + check


def upce_parity(number_system: int, check_digit: int) -> int:
    """6-bit parity pattern (1 = G, first digit most significant) of a UPC-E."""
    pattern = UPCE_PARITY_NS0[check_digit]
    return pattern if number_system == 0 else pattern ^ 0x3F


def normalize_text(text: str, fmt: Format) -> str:
    """Validate a human-readable text for ``fmt`` and return it canonically.

    A UPC-A given with its leading EAN-13 ``0`` is shortened to 12 digits.

    Raises
    ------
    InvalidArgumentError
        If the length or check digit is wrong.
    """
    text = text.strip()
    if fmt is Format.UPCA and len(text) == 13 and text.startswith("0"):
        text = text[1:]
    want = _TEXT_LENGTH[fmt]
    if len(text) != want or not text.isdigit():
        raise InvalidArgumentError(f"{fmt.value} text must be {want} digits, got {text!r}")
    if fmt is Format.UPCE:
        if text[0] not in "01":
            raise InvalidArgumentError(f"UPC-E number system must be 0 or 1, got {text[0]!r}")
        if not is_valid_gtin(upce_to_upca(text)):
            raise InvalidArgumentError(f"bad UPC-E check digit in {text!r}")
    elif not is_valid_gtin(text):
        raise InvalidArgumentError(f"bad {fmt.value} check digit in {text!r}")
    return text


def _digit_modules(digit: int, family: int) -> list[int]:
    widths = family_widths(family)[digit]
    colour = 1 if FAMILY_BAR_FIRST[family] else 0
    bits: list[int] = []
    for width in widths:
        bits += [colour] * int(width)
        colour ^= 1
    return bits


def module_pattern(text: str, fmt: Format | str) -> np.ndarray:
    """Module colours (1 = bar) of a code, guards included, quiet zones not.

    Parameters
    ----------
    text : str
        Human-readable text with its check digit (see :func:`normalize_text`).
    fmt : Format or str

    Returns
    -------
    ndarray of uint8, shape (95,), (67,) or (51,)

    Examples
    --------
    >>> module_pattern("96385074", "EAN-8")[:10]
    array([1, 0, 1, 0, 0, 0, 1, 0, 1, 1], dtype=uint8)
    """
    fmt = Format(fmt) if not isinstance(fmt, Format) else fmt
    text = normalize_text(text, fmt)
    digits = [int(c) for c in text]
    bits = [1, 0, 1]
    if fmt in (Format.UPCA, Format.EAN13):
        if fmt is Format.UPCA:
            digits = [0] + digits
        parity = EAN13_FIRST_DIGIT_PARITY[digits[0]]
        for i, d in enumerate(digits[1:7]):
            bits += _digit_modules(d, FAMILY_G if parity >> (5 - i) & 1 else FAMILY_L)
        bits += [0, 1, 0, 1, 0]
        for d in digits[7:13]:
            bits += _digit_modules(d, FAMILY_R)
        bits += [1, 0, 1]
    elif fmt is Format.EAN8:
        for d in digits[0:4]:
            bits += _digit_modules(d, FAMILY_L)
        bits += [0, 1, 0, 1, 0]
        for d in digits[4:8]:
            bits += _digit_modules(d, FAMILY_R)
        bits += [1, 0, 1]
    else:
        parity = upce_parity(digits[0], digits[7])
        for i, d in enumerate(digits[1:7]):
            bits += _digit_modules(d, FAMILY_G if parity >> (5 - i) & 1 else FAMILY_L)
        bits += [0, 1, 0, 1, 0, 1]
    return np.array(bits, dtype=np.uint8)
