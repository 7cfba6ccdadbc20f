"""The command line."""

import json
import subprocess
import sys

import pytest

from barreader.cli import main
from barreader.synth import render_code


@pytest.fixture(scope="module")
def image_path(tmp_path_factory):
    import cv2
    sc = render_code("4006381333931", "EAN-13", px_per_module=2.5, background_margin=20, rng=1)
    path = tmp_path_factory.mktemp("cli") / "ean13.png"
    cv2.imwrite(str(path), sc.image)
    return path


@pytest.fixture(scope="module")
def blank_path(tmp_path_factory):
    import cv2
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


def test_json_lines_one_object_per_image(image_path, blank_path, capsys):
    assert main(["--json", str(image_path), str(blank_path)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["path"] == str(image_path) and first["barcodes"][0]["text"] == "4006381333931"
    assert len(first["barcodes"][0]["position"]) == 4
    assert second == {"path": str(blank_path), "barcodes": []}


def test_csv_a_row_per_code_or_per_image(image_path, blank_path, tmp_path, capsys):
    import csv

    assert main(["--csv", str(image_path), str(blank_path), str(tmp_path / "nope.png")]) == 2
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [row["path"] for row in rows] == [str(image_path), str(blank_path), str(tmp_path / "nope.png")]
    assert rows[0]["text"] == "4006381333931" and rows[0]["format"] == "EAN-13" and float(rows[0]["x2"]) > 0
    assert rows[1]["text"] == "" and rows[1]["error"] == ""
    assert "not found" in rows[2]["error"]


def test_json_and_csv_exclude_each_other(image_path):
    with pytest.raises(SystemExit) as info:
        main(["--json", "--csv", str(image_path)])
    assert info.value.code == 2


def test_folders_are_searched_recursively_in_order(image_path, blank_path, tmp_path, capsys):
    import shutil

    (tmp_path / "b" / "deeper").mkdir(parents=True)
    shutil.copy(image_path, tmp_path / "b" / "deeper" / "code.png")
    shutil.copy(blank_path, tmp_path / "a.png")
    (tmp_path / "notes.txt").write_text("not an image")
    assert main(["--json", str(tmp_path)]) == 0
    paths = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
    assert paths == [str(tmp_path / "a.png"), str(tmp_path / "b" / "deeper" / "code.png")]
    assert main(["--json", "--glob", "code*", str(tmp_path)]) == 0
    assert [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()] == [paths[1]]
    assert main(["--glob", "*.tiff", str(tmp_path)]) == 2
    assert "no images found matching *.tiff" in capsys.readouterr().err


def test_each_result_is_printed_before_the_next_image_is_read(image_path, blank_path, monkeypatch, capsys):
    import barreader.batch

    events = []
    real_read = barreader.batch.read

    def logged_read(source, **options):
        events.append(("read", str(source), len(capsys.readouterr().out.splitlines())))
        return real_read(source, **options)

    monkeypatch.setattr(barreader.batch, "read", logged_read)
    assert main([str(image_path), str(blank_path), str(image_path)]) == 0
    # When the second and third images are read, the lines of the ones before are out already.
    assert [printed for _, _, printed in events] == [0, 1, 1]


def test_jobs_reads_in_a_pool_in_order(image_path, blank_path, capsys):
    assert main(["--json", "--jobs", "2", str(image_path), str(blank_path), str(image_path)]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["path"] for e in entries] == [str(image_path), str(blank_path), str(image_path)]
    assert [len(e["barcodes"]) for e in entries] == [1, 0, 1]
    with pytest.raises(SystemExit) as info:
        main(["--jobs", "-1", str(image_path)])
    assert info.value.code == 2


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


def test_missing_or_broken_inputs_exit_2_with_one_line_each_and_the_rest_read(image_path, tmp_path, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 truncated")
    assert main([str(tmp_path / "nope.png"), str(image_path), str(broken)]) == 2
    captured = capsys.readouterr()
    assert "EAN-13 4006381333931" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2 and "not found" in errors[0] and str(broken) in errors[1]
    assert "Traceback" not in captured.err


def test_onnx_without_onnxruntime_is_a_usage_error(image_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    with pytest.raises(SystemExit) as info:
        main(["--localizer", "onnx", str(image_path)])
    assert info.value.code == 2
    assert "barreader[onnx]" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(image_path):
    reader = subprocess.Popen([sys.executable, "-m", "barreader", *[str(image_path)] * 200],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.readline()
    reader.stdout.close()  # as `| head -1` does
    _, err = reader.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    assert reader.returncode == 0


def test_help_names_every_format_and_the_exit_codes(capsys):
    from barreader.formats import Format

    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert all(f.value in out for f in Format)
    assert "Exit status: 0" in out and "2 on bad usage" in out


def test_module_entry_point(image_path):
    done = subprocess.run([sys.executable, "-m", "barreader", str(image_path)], capture_output=True, text=True)
    assert done.returncode == 0
    assert "4006381333931" in done.stdout
