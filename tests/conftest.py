"""Shared fixtures: the shared image sets, when present."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def manifest(name: str) -> list[dict]:
    """Rows of ``../shared/data/<name>/manifest.csv``; skip the test when absent."""
    path = DATA / name / "manifest.csv"
    if not path.exists():
        pytest.skip(f"image set {name!r} not found at {path.parent} (the shared data is only on CI)")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
