"""Recover the Code 39 of a blurred, smudged licence-like card from what is known of its string.

The card in ``licence_card_blurred.png`` is synthetic (``make_examples.py``):
an invented Finnish identity code ``DDMMYY-ZZZQ`` printed as a Code 39, the
whole card blurred by 1.5 narrow bar widths, a dark smudge over a fifth of
the code, turned by 4°. No reader decodes it as it is; knowing the
format and its mod-31 check character, barreader recovers it.

Run from the repository root: ``python examples/recover_licence.py``.
"""

from pathlib import Path

import barreader
import barreader.code39

HERE = Path(__file__).resolve().parent
# Day 01-31, month 01-12, year, '-' (1900s), individual number 000-899, check.
LICENCE = "[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"


def main() -> None:
    image = HERE / "licence_card_blurred.png"
    print("plain read:", [(r.format.value, r.text) for r in barreader.read(image)])
    result = barreader.code39.recover(image, LICENCE, check="hetu")
    if result is None:
        print("no valid string is credible")
        return
    print(f"recovered: {result.text}  (posterior {result.quality:.4f})")
    print("per character:", " ".join(f"{c}:{p:.2f}" for c, p in zip(result.text, result.extra["posteriors"])))


if __name__ == "__main__":
    main()
