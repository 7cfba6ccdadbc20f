"""Code 39 tables, check characters and text conventions.

Data and checksums only; no image processing. The character table, the
mod-43 values, Full ASCII and the Finnish identity-code (HETU) check follow
ALGORITHMS.md §4.1-4.2.

A character is nine elements, bar first, alternating bar/space: five bars
and four spaces, exactly three of them wide. Characters are separated by a
narrow space (the inter-character gap) and a code is framed by ``*``.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError

__all__ = [
    "ALPHABET",
    "START_STOP",
    "PATTERNS",
    "WIDE",
    "element_widths",
    "code_widths",
    "code_modules",
    "mod43_value",
    "mod43_check",
    "HETU_ALPHABET",
    "hetu_check",
    "is_valid_hetu",
    "decode_full_ascii",
    "encode_full_ascii",
]

# Characters in order of their mod-43 value.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
START_STOP = "*"

# 9-bit patterns, most significant bit = first bar; 1 = wide element.
_BITS = {
    "0": 0x034, "1": 0x121, "2": 0x061, "3": 0x160, "4": 0x031, "5": 0x130, "6": 0x070,
    "7": 0x025, "8": 0x124, "9": 0x064, "A": 0x109, "B": 0x049, "C": 0x148, "D": 0x019,
    "E": 0x118, "F": 0x058, "G": 0x00D, "H": 0x10C, "I": 0x04C, "J": 0x01C, "K": 0x103,
    "L": 0x043, "M": 0x142, "N": 0x013, "O": 0x112, "P": 0x052, "Q": 0x007, "R": 0x106,
    "S": 0x046, "T": 0x016, "U": 0x181, "V": 0x0C1, "W": 0x1C0, "X": 0x091, "Y": 0x190,
    "Z": 0x0D0, "-": 0x085, ".": 0x184, " ": 0x0C4, "$": 0x0A8, "/": 0x0A2, "+": 0x08A,
    "%": 0x02A, "*": 0x094,
}  # fmt: skip

#: Character -> tuple of 9 booleans (True = wide), in drawing order.
PATTERNS: dict[str, tuple[bool, ...]] = {
    char: tuple(bool(bits >> (8 - i) & 1) for i in range(9)) for char, bits in _BITS.items()
}
#: (44, 9) array of the same, rows in the order ``ALPHABET + START_STOP``.
WIDE = np.array([PATTERNS[c] for c in ALPHABET + START_STOP], dtype=bool)


def element_widths(char: str, ratio: float = 3.0) -> np.ndarray:
    """Widths of a character's nine elements in narrow-element units.

    Parameters
    ----------
    char : str
        One Code 39 character, ``*`` included.
    ratio : float
        Wide-to-narrow ratio, 2 to 3 in practice.
    """
    if char not in PATTERNS:
        raise InvalidArgumentError(f"{char!r} is not a Code 39 character")
    return np.where(PATTERNS[char], float(ratio), 1.0)


def code_widths(text: str, ratio: float = 3.0, gap: float = 1.0) -> np.ndarray:
    """Element widths of a whole code ``*text*``, gaps included, bar first.

    Parameters
    ----------
    text : str
        Data characters (check character included, no ``*``).
    ratio : float
        Wide-to-narrow ratio.
    gap : float
        Inter-character space in narrow units.
    """
    chars = START_STOP + text + START_STOP
    widths = []
    for i, char in enumerate(chars):
        widths.extend(element_widths(char, ratio))
        if i < len(chars) - 1:
            widths.append(gap)
    return np.asarray(widths)


def code_modules(text: str, ratio: int = 3) -> np.ndarray:
    """Module colours (1 = bar) of ``*text*`` with an integer ratio and one-module gaps."""
    if int(ratio) != ratio or ratio < 2:
        raise InvalidArgumentError(f"ratio must be an integer >= 2 to draw modules, got {ratio!r}")
    widths = code_widths(text, ratio).astype(int)
    colours = np.arange(len(widths)) % 2 == 0
    return np.repeat(colours.astype(np.uint8), widths)


def mod43_value(char: str) -> int:
    """The mod-43 value of a data character."""
    index = ALPHABET.find(char)
    if index < 0 or len(char) != 1:
        raise InvalidArgumentError(f"{char!r} is not a Code 39 data character")
    return index


def mod43_check(data: str) -> str:
    """The mod-43 check character of ``data`` (appended after it, before the stop)."""
    return ALPHABET[sum(mod43_value(c) for c in data) % 43]


# The Finnish identity code's check symbols, indexed by the remainder mod 31.
HETU_ALPHABET = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURIES = "+-YXWVUABCDEF"


def hetu_check(payload: str) -> str:
    """The check character of a Finnish identity code ``DDMMYYCZZZ`` (10 characters).

    The nine digits without the century sign, as one integer, modulo 31,
    index ``HETU_ALPHABET``.
    """
    if len(payload) != 10 or payload[6] not in _HETU_CENTURIES:
        raise InvalidArgumentError(f"a HETU payload is DDMMYYCZZZ with the century sign C one of {_HETU_CENTURIES!r}, got {payload!r}")
    digits = payload[:6] + payload[7:]
    if not digits.isdigit():
        raise InvalidArgumentError(f"a HETU payload has digits around its century sign, got {payload!r}")
    return HETU_ALPHABET[int(digits) % 31]


def is_valid_hetu(code: str) -> bool:
    """Whether an 11-character ``DDMMYYCZZZQ`` carries the right check character."""
    try:
        return len(code) == 11 and hetu_check(code[:10]) == code[10]
    except InvalidArgumentError:
        return False


# Full ASCII: a shift character (one of $ % / +) and a letter stand for one
# ASCII character; built from ALGORITHMS.md §4.1.
def _full_ascii_table() -> dict[str, str]:
    table = {}
    for i, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        table["$" + letter] = chr(1 + i)
        table["+" + letter] = chr(ord("a") + i)
    for i, letter in enumerate("ABCDE"):
        table["%" + letter] = chr(27 + i)
    for letters, first in (("FGHIJ", ";"), ("KLMNO", "["), ("PQRST", "{")):
        for i, letter in enumerate(letters):
            table["%" + letter] = chr(ord(first) + i)
    table.update({"%U": "\x00", "%V": "@", "%W": "`", "%X": "\x7f", "%Y": "\x7f", "%Z": "\x7f"})
    for i, letter in enumerate("ABCDEFGHIJKLMNO"):
        table["/" + letter] = chr(ord("!") + i)
    table["/Z"] = ":"
    return table


_FULL_ASCII = _full_ascii_table()
_TO_FULL_ASCII = {}
for _pair, _char in _FULL_ASCII.items():
    _TO_FULL_ASCII.setdefault(_char, _pair)
for _char in ALPHABET:
    if _char not in "$%/+":
        _TO_FULL_ASCII[_char] = _char


def decode_full_ascii(text: str) -> str | None:
    """Expand Full ASCII shift pairs; None when a shift character is not followed by a valid letter."""
    out = []
    i = 0
    while i < len(text):
        if text[i] in "$%/+":
            pair = text[i : i + 2]
            if pair not in _FULL_ASCII:
                return None
            out.append(_FULL_ASCII[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def encode_full_ascii(text: str) -> str:
    """Code 39 characters that encode an ASCII string in Full ASCII."""
    try:
        return "".join(_TO_FULL_ASCII[c] for c in text)
    except KeyError as exc:
        raise InvalidArgumentError(f"{exc.args[0]!r} has no Full ASCII Code 39 encoding") from None

