"""The command line."""

import json
import subprocess
import sys

import pytest

from barreader.cli import main
from barreader.synth import render_code


@pytest.fixture(scope="module")
def image_path(tmp_path_factory):
    cv2 = pytest.importorskip("cv2")
    sc = render_code("4006381333931", "EAN-13", px_per_module=2.5, background_margin=20, rng=1)
    path = tmp_path_factory.mktemp("cli") / "ean13.png"
    cv2.imwrite(str(path), sc.image)
    return path


@pytest.fixture(scope="module")
def blank_path(tmp_path_factory):
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    path = tmp_path_factory.mktemp("cli") / "blank.png"
    cv2.imwrite(str(path), np.full((40, 60), 200, np.uint8))
    return path


def test_text_output_and_status(image_path, blank_path, capsys):
    assert main([str(image_path), str(blank_path)]) == 0
    out = capsys.readouterr().out
    assert "EAN-13 4006381333931" in out
    assert f"{blank_path}: no barcode found" in out


def test_nothing_read_exits_1(blank_path, capsys):
    assert main([str(blank_path)]) == 1


def test_json(image_path, capsys):
    assert main(["--json", str(image_path)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["barcodes"][0]["text"] == "4006381333931"
    assert len(entry["barcodes"][0]["position"]) == 4


def test_formats_option(image_path, capsys):
    assert main(["--formats", "ean8,upce", str(image_path)]) == 1
    with pytest.raises(SystemExit) as info:
        main(["--formats", "code128", str(image_path)])
    assert info.value.code == 2
    assert "unknown barcode format" in capsys.readouterr().err


def test_localizer_option(image_path, capsys):
    assert main(["--localizer", "gradient", str(image_path)]) == 0
    assert "EAN-13 4006381333931" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["--localizer", "quagga,magic", str(image_path)])
    assert info.value.code == 2
    assert "unknown localizer magic" in capsys.readouterr().err


def test_missing_file_is_reported(tmp_path, capsys):
    assert main([str(tmp_path / "nope.png")]) == 1
    assert "not found" in capsys.readouterr().err


def test_module_entry_point(image_path):
    done = subprocess.run([sys.executable, "-m", "barreader", str(image_path)], capture_output=True, text=True)
    assert done.returncode == 0
    assert "4006381333931" in done.stdout
