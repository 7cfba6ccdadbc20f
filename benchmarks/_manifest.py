"""Test-set manifests: loading, filtering and image reading.

A test set is a folder holding ``manifest.csv`` with the columns
``file,symbology,expected_text``. ``file`` is relative to that folder and its
first path component is the row's *folder* (``upca-1/01.png`` is in folder
``upca-1``). ``symbology`` is a key such as ``upca``, ``ean13``, ``ean8``,
``upce``, ``code39`` (anything else is kept as is). An empty
``expected_text`` marks a negative: nothing may be read from that image.

A folder laid out as the Tekin-Coughlan UPC sets were published needs no
manifest (:func:`load_tekin_coughlan`): ``Clean/`` and ``Hard/`` folders of
photos whose names start with the 12 digits of their UPC-A, then a letter
or two for repeated shots (``075403333574Xb.jpg``).
"""

from __future__ import annotations

import csv
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _readers import REPO_ROOT, has_addon, normalize_text

MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class Row:
    """One image of a test set.

    Attributes
    ----------
    path : Path
        Image file.
    file : str
        Path relative to the manifest folder, as listed.
    dataset : str
        Name of the manifest folder (``zxing``, ``negatives``, ...).
    folder : str
        First path component of ``file``.
    symbology : str
        Symbology key from the manifest.
    expected : str
        Expected text, normalized with :func:`_readers.normalize_text`;
        empty for a negative.
    expected_raw : str
        Expected text as listed.
    """

    path: Path
    file: str
    dataset: str
    folder: str
    symbology: str
    expected: str
    expected_raw: str

    @property
    def label(self) -> str:
        """``dataset/folder``, the row's group in the tables."""
        return f"{self.dataset}/{self.folder}"

    @property
    def negative(self) -> bool:
        """True if nothing may be read from this image."""
        return not self.expected


def default_data_root() -> Path:
    """``../shared/data`` relative to the repository root."""
    return REPO_ROOT.parent / "shared" / "data"


def find_manifest_folders(path: Path) -> list[Path]:
    """Manifest folders named by a command-line path.

    Parameters
    ----------
    path : Path
        A ``manifest.csv`` file, a folder holding one, or a data folder whose
        immediate sub-folders hold manifests.

    Returns
    -------
    list of Path
        Folders with a ``manifest.csv``; empty if there are none.
    """
    path = Path(path)
    if path.is_file() and path.name == MANIFEST:
        return [path.parent]
    if (path / MANIFEST).is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.iterdir() if (p / MANIFEST).is_file())
    return []


def load_manifest(folder: Path) -> list[Row]:
    """Read one manifest folder.

    Parameters
    ----------
    folder : Path
        Folder holding ``manifest.csv``.

    Returns
    -------
    list of Row

    Raises
    ------
    ValueError
        If the CSV lacks one of the required columns.
    """
    folder = Path(folder)
    rows = []
    with open(folder / MANIFEST, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "symbology", "expected_text"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{folder / MANIFEST}: missing column(s) {', '.join(sorted(missing))}")
        for rec in reader:
            file = rec["file"].strip()
            symbology = rec["symbology"].strip().lower()
            raw = rec["expected_text"] or ""
            rows.append(
                Row(
                    path=folder / file,
                    file=file,
                    dataset=folder.name,
                    folder=Path(file).parts[0] if len(Path(file).parts) > 1 else ".",
                    symbology=symbology,
                    expected=normalize_text(raw, symbology) if raw.strip() else "",
                    expected_raw=raw,
                )
            )
    return rows


TEKIN_COUGHLAN_FOLDERS = ("Clean", "Hard")
_UPCA_NAME = re.compile(r"^(\d{12})(?!\d)")
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def is_tekin_coughlan(path: Path) -> bool:
    """Whether ``path`` is a folder holding a ``Clean`` or ``Hard`` folder (any case) and no manifest."""
    path = Path(path)
    return path.is_dir() and not (path / MANIFEST).is_file() and bool(_tekin_coughlan_parts(path))


def _tekin_coughlan_parts(path: Path) -> list[Path]:
    wanted = {name.lower() for name in TEKIN_COUGHLAN_FOLDERS}
    return sorted(p for p in path.iterdir() if p.is_dir() and p.name.lower() in wanted)


def load_tekin_coughlan(path: Path) -> list[Row]:
    """Rows of a folder in the Tekin-Coughlan layout, the UPC-A text taken from each file's name.

    Files whose names do not start with 12 digits, or that are not images,
    are left out.
    """
    path = Path(path)
    rows = []
    for part in _tekin_coughlan_parts(path):
        for image in sorted(p for p in part.rglob("*") if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES):
            match = _UPCA_NAME.match(image.name)
            if match is None:
                continue
            file = image.relative_to(path).as_posix()
            rows.append(Row(path=image, file=file, dataset=path.name, folder=part.name, symbology="upca",
                            expected=normalize_text(match.group(1), "upca"), expected_raw=match.group(1)))
    return rows


def _matches(row: Row, patterns: Sequence[str]) -> bool:
    """True if the row's folder or ``dataset/folder`` matches a glob pattern."""
    return any(fnmatch.fnmatch(row.folder, p) or fnmatch.fnmatch(row.label, p) for p in patterns)


def select_rows(
    rows: Iterable[Row],
    symbologies: Sequence[str],
    folders: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> list[Row]:
    """Keep the rows a benchmark runs on.

    Parameters
    ----------
    rows : iterable of Row
    symbologies : sequence of str
        Positive rows are kept if their symbology is one of these. Negative
        rows (empty expected text) are kept whatever their symbology.
    folders : sequence of str, optional
        If given, keep only rows whose folder (or ``dataset/folder``) matches
        one of these glob patterns.
    exclude : sequence of str
        Drop rows whose folder (or ``dataset/folder``) matches one of these.

    Returns
    -------
    list of Row
    """
    kept = []
    for row in rows:
        if not row.negative and row.symbology not in symbologies:
            continue
        if folders and not _matches(row, folders):
            continue
        if exclude and _matches(row, exclude):
            continue
        kept.append(row)
    return kept


def count_addons(rows: Iterable[Row]) -> int:
    """Number of rows whose expected text carries add-on digits."""
    return sum(has_addon(r.expected_raw, r.symbology) for r in rows)


def load_gray(path: Path) -> np.ndarray:
    """Load an image as 8-bit grayscale.

    Parameters
    ----------
    path : Path

    Returns
    -------
    ndarray of uint8, shape (H, W)

    Raises
    ------
    OSError
        If neither OpenCV nor Pillow can decode the file.

    Notes
    -----
    OpenCV is tried first (``IMREAD_GRAYSCALE``); Pillow is the fallback for
    files OpenCV cannot decode (some WebP and GIF files).
    """
    import cv2

    can_read = getattr(cv2, "haveImageReader", lambda _: True)
    if can_read(str(path)):
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is not None and img.size:
            return np.ascontiguousarray(img)
    try:
        from PIL import Image

        with Image.open(path) as im:
            return np.ascontiguousarray(np.asarray(im.convert("L"), dtype=np.uint8))
    except Exception as exc:  # noqa: BLE001 - reported as one unreadable file
        raise OSError(f"cannot decode {path}: {exc}") from exc
