"""Draw what barreader reads on each example image, beside what zxing-cpp reads, for docs/gallery.md.

Usage: ``python docs/make_gallery.py`` (needs zxing-cpp: ``pip install ".[test]"``).
Writes ``docs/figures/gallery/*.png`` and the table between the gallery markers of
``docs/gallery.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import zxingcpp

import barreader

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "figures" / "gallery"
PAGE = REPO / "docs" / "gallery.md"
WIDTH = 420  # pixels of each picture in the gallery


def _zxing_texts(gray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(gray)]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = ["| example | barreader | zxing-cpp |", "|---|---|---|"]
    for path in sorted((REPO / "examples").glob("*.png")):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        codes = barreader.read(image)
        drawn = barreader.draw(image, codes)
        scale = WIDTH / drawn.shape[1]
        if scale < 1:
            drawn = cv2.resize(drawn, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(OUT / path.name), drawn)
        ours = "<br>".join(f"{c.format.value} {c.text}" for c in codes) or "nothing"
        theirs = "<br>".join(_zxing_texts(image)) or "nothing"
        rows.append(f"| ![{path.stem}](figures/gallery/{path.name})<br>`{path.name}` | {ours} | {theirs} |")
    page = PAGE.read_text()
    table = "\n".join(rows)
    page = re.sub(r"(<!-- gallery: made by docs/make_gallery.py -->\n).*?(<!-- /gallery -->)",
                  lambda m: m.group(1) + table + "\n" + m.group(2), page, flags=re.S)
    PAGE.write_text(page)
    print(table)


if __name__ == "__main__":
    main()
