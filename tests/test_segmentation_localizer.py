"""The segmentation localizer: the shipped ONNX model through scan() and read(), and its errors."""

import subprocess
import sys

import numpy as np
import onnxruntime  # noqa: F401 - in the test extra; the localizer needs it
import pytest

import barreader
from barreader import InvalidArgumentError
from barreader.localize import segmentation
from barreader.localize.overlap import polygon_iou
from barreader.synth import render_code, render_negative, render_scene


def test_import_barreader_does_not_import_onnxruntime():
    code = "import sys, barreader; barreader.scan; sys.exit('onnxruntime' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_missing_onnxruntime_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes the import fail
    segmentation._session.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"barreader\[onnx\]"):
            barreader.scan(np.zeros((64, 64)), method="onnx")
    finally:
        segmentation._session.cache_clear()


def test_the_model_ships_with_the_package_and_is_small():
    assert segmentation.DEFAULT_MODEL.is_file()
    assert segmentation.DEFAULT_MODEL.stat().st_size <= 5_000_000


@pytest.mark.parametrize("angle", [0.0, 30.0, 75.0, 135.0, 200.0])
def test_a_lone_code_is_boxed_along_its_axis(angle):
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, angle=angle, blur=0.3, noise=0.01,
                       background_margin=60, rng=2)
    regions = barreader.scan(code.image, method="onnx")
    assert regions
    best = max(regions, key=lambda r: polygon_iou(r.polygon, code.corners))
    assert polygon_iou(best.polygon, code.corners) > 0.5
    assert abs((best.angle - angle + 90.0) % 180.0 - 90.0) < 5.0


def test_codes_in_a_cluttered_scene_are_located_and_read():
    found = read = total = 0
    for seed in range(6):
        scene = render_scene(3, px_per_module=(2.5, 4.0), rng=100 + seed)
        regions = barreader.scan(scene.image, method="onnx")
        texts = {b.text for b in barreader.read(scene.image, localizer="onnx")}
        for code in scene.codes:
            total += 1
            found += any(polygon_iou(r.polygon, code.corners) >= 0.5 for r in regions)
            read += code.text in texts
        assert texts <= {c.text for c in scene.codes}  # nothing wrong
    assert found >= 0.8 * total and read >= 0.8 * total


def test_blank_and_negative_images_give_no_region():
    assert barreader.scan(np.full((240, 320), 0.5), method="onnx") == []
    assert barreader.read(render_negative(rng=3), localizer="onnx") == []


def test_probability_map_has_the_model_input_size_and_is_a_probability():
    probability = segmentation.code_probability(np.random.default_rng(0).uniform(size=(300, 500)).astype(np.float32))
    assert probability.shape == (320, 320)
    assert probability.dtype == np.float32 and 0.0 <= probability.min() <= probability.max() <= 1.0


def test_model_argument(tmp_path):
    code = render_code("5012345678900", "EAN-13", px_per_module=3.0, angle=20.0, rng=4)
    shipped = barreader.scan(code.image, method="onnx")
    explicit = barreader.scan(code.image, method="onnx", model=segmentation.DEFAULT_MODEL)
    assert [r.polygon.tolist() for r in explicit] == [r.polygon.tolist() for r in shipped]
    assert [b.text for b in barreader.read(code.image, localizer="onnx", model=str(segmentation.DEFAULT_MODEL))] == [
        "5012345678900"]
    with pytest.raises(InvalidArgumentError, match="not found"):
        barreader.scan(code.image, method="onnx", model=tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(InvalidArgumentError, match="not a usable ONNX model"):
        barreader.scan(code.image, method="onnx", model=junk)
    with pytest.raises(InvalidArgumentError, match="path"):
        barreader.scan(code.image, method="onnx", model=3)
    with pytest.raises(InvalidArgumentError, match="only used by"):
        barreader.scan(code.image, method="quagga", model=junk)
    with pytest.raises(InvalidArgumentError, match="only used by"):
        barreader.read(code.image, localizer="quagga", model=junk)


def test_a_code_the_network_is_unsure_of_is_boxed_whole(monkeypatch):
    # The probability over a code is patchy: above 0.5 on its left third
    # only. The cut from 0.5 boxes that third; the second cut, from 0.2,
    # boxes the whole code beside it.
    code = render_code("036000291452", "UPC-A", px_per_module=3.0, background_margin=20, rng=0)
    gray = code.image.astype(np.float32) / 255.0
    h, w = gray.shape
    probability = np.zeros((h // 2, w // 2), np.float32)
    x0, y0 = np.floor(code.corners.min(axis=0) / 2).astype(int)
    x1, y1 = np.ceil(code.corners.max(axis=0) / 2).astype(int)
    probability[y0:y1, x0:x1] = 0.3
    probability[y0:y1, x0 : x0 + (x1 - x0) // 3] = 0.6
    monkeypatch.setattr(segmentation, "_run", lambda image, model: (None, probability))

    def best_iou(regions):
        return max((polygon_iou(r.polygon, code.corners) for r in regions), default=0.0)

    assert best_iou(segmentation.segmentation_regions(gray, low=None)) < 0.5
    assert best_iou(segmentation.segmentation_regions(gray)) > 0.8
