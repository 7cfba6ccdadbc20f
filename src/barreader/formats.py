"""Barcode format names and their parsing."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .errors import InvalidArgumentError

__all__ = ["Format", "parse_formats"]


class Format(str, enum.Enum):
    """A symbology barreader can read.

    The value is the display name (as zxing-cpp prints it). Members compare
    equal to their value, so ``barcode.format == "EAN-13"`` works.
    """

    UPCA = "UPC-A"
    EAN13 = "EAN-13"
    EAN8 = "EAN-8"
    UPCE = "UPC-E"
    CODE39 = "Code39"

    def __str__(self) -> str:
        return self.value


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " -_/")


_BY_SQUASHED = {_squash(f.value): f for f in Format} | {_squash(f.name): f for f in Format}
_GROUPS = {"upcean": frozenset({Format.UPCA, Format.EAN13, Format.EAN8, Format.UPCE})}


def parse_formats(formats: str | Format | Iterable[str | Format] | None) -> frozenset[Format]:
    """Turn a user's ``formats`` argument into a set of :class:`Format`.

    Parameters
    ----------
    formats : str, Format, iterable of those, or None
        ``None`` means every supported format. Names are matched ignoring case
        and the characters `` -_/`` (``"ean13"``, ``"EAN-13"`` and
        ``Format.EAN13`` are the same). A single string may hold several names
        separated by commas. ``"upcean"`` stands for the whole EAN/UPC family.

    Returns
    -------
    frozenset of Format

    Raises
    ------
    InvalidArgumentError
        If a name is unknown or the selection is empty.
    """
    if formats is None:
        return frozenset(Format)
    if isinstance(formats, (str, Format)):
        formats = [formats]
    chosen: set[Format] = set()
    for item in formats:
        if isinstance(item, Format):
            chosen.add(item)
            continue
        if not isinstance(item, str):
            raise InvalidArgumentError(
                f"formats must be names or barreader.Format members, got {type(item).__name__}"
            )
        for part in item.split(","):
            key = _squash(part)
            if not key:
                continue
            if key in _GROUPS:
                chosen |= _GROUPS[key]
            elif key in _BY_SQUASHED:
                chosen.add(_BY_SQUASHED[key])
            else:
                known = ", ".join(f.value for f in Format)
                raise InvalidArgumentError(f"unknown barcode format {part.strip()!r}; known formats: {known}")
    if not chosen:
        raise InvalidArgumentError("formats selects no format; pass None for all formats")
    return frozenset(chosen)
