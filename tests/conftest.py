"""Shared fixtures: the shared image sets, when present."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

# The shared image sets sit beside the repository (``../shared/data``);
# BARREADER_DATA points elsewhere.
DATA = Path(os.environ.get("BARREADER_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def manifest(name: str) -> list[dict]:
    """Rows of ``../shared/data/<name>/manifest.csv``; skip the test when absent."""
    path = DATA / name / "manifest.csv"
    if not path.exists():
        pytest.skip(f"image set {name!r} not found at {path.parent} (the shared data is only on CI)")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def templates_only():
    """An effort that skips the fast decoder: every image goes through the template stages."""
    import dataclasses

    from barreader.options import EFFORTS

    return dataclasses.replace(EFFORTS["thorough"], name="templates", sweep=None, region_sweep=False)
