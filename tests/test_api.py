"""Public API: inputs, errors, result fields, options."""

import math
from pathlib import Path

import numpy as np
import pytest

import barreader
from barreader import Barcode, Format, InvalidArgumentError, InvalidImageError
from barreader.synth import render_code

UPCA = "036000291452"


@pytest.fixture(scope="module")
def code():
    return render_code(UPCA, "UPC-A", px_per_module=2.5, blur=0.2, noise=0.01, background_margin=25, rng=3)


def _texts(image, **kwargs):
    return [b.text for b in barreader.read(image, **kwargs)]


# --- inputs that work -------------------------------------------------------


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a,
        lambda a: a.astype(np.uint16) * 257,
        lambda a: a.astype(np.float32) / 255.0,
        lambda a: a.astype(np.float64) * 3.0 - 100.0,
        lambda a: a.astype(np.int32),
        lambda a: a > 127,
        lambda a: np.dstack([a, a, a]),
        lambda a: np.dstack([a, a, a, np.full_like(a, 255)]),
        lambda a: a[:, :, None],
        lambda a: np.asfortranarray(a),
    ],
    ids=["uint8", "uint16", "float32", "float64-offset", "int32", "bool", "bgr", "bgra", "hw1", "fortran"],
)
def test_array_inputs(code, convert):
    assert _texts(convert(code.image)) == [UPCA]


def test_pil_and_path_inputs(code, tmp_path):
    from PIL import Image
    pil = Image.fromarray(code.image)
    assert _texts(pil) == [UPCA]
    assert _texts(pil.convert("RGB")) == [UPCA]
    path = tmp_path / "code.png"
    pil.save(path)
    assert _texts(path) == [UPCA]
    assert _texts(str(path)) == [UPCA]


def test_encoded_bytes_buffers_and_file_objects(code, tmp_path):
    import io

    import cv2

    ok, png = cv2.imencode(".png", code.image)
    assert ok
    data = png.tobytes()
    assert _texts(data) == [UPCA]
    assert _texts(bytearray(data)) == [UPCA]
    assert _texts(memoryview(data)) == [UPCA]
    assert _texts(io.BytesIO(data)) == [UPCA]
    path = tmp_path / "code.jpg"
    path.write_bytes(cv2.imencode(".jpg", code.image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())
    with open(path, "rb") as fh:
        assert _texts(fh) == [UPCA]
    assert _texts(memoryview(np.ascontiguousarray(code.image))) == [UPCA]  # a 2-D buffer is pixels
    with open(path, encoding="latin-1") as fh, pytest.raises(InvalidImageError, match="binary mode"):
        barreader.read(fh)
    with pytest.raises(InvalidImageError, match="cannot decode bytes"):
        barreader.read(b"not an image at all")
    with pytest.raises(InvalidImageError, match="cannot decode"):
        barreader.read(b"")


# --- bad inputs -------------------------------------------------------------


@pytest.mark.parametrize(
    "image, message",
    [
        (None, "numpy array"),
        (42, "numpy array"),
        ({"pixels": 1}, "numpy array"),
        (np.zeros((0, 10)), "empty"),
        (np.zeros((10, 0, 3)), "empty"),
        (np.zeros((4, 4, 4, 4)), "2-D"),
        (np.zeros(10), "2-D"),
        (np.zeros((5, 5, 2)), "2-D"),
        (np.full((5, 5), np.nan), "non-finite"),
        (np.array([[0.0, np.inf]]), "non-finite"),
        (np.zeros((5, 5), dtype=complex), "real"),
        (np.array([["a", "b"]]), "real"),
        (np.empty((2, 2), dtype=object), "real"),
    ],
)
def test_bad_images_raise_value_errors_that_say_why(image, message):
    with pytest.raises(InvalidImageError, match=message) as info:
        barreader.read(image)
    assert isinstance(info.value, ValueError)


def test_huge_images_are_refused(monkeypatch):
    monkeypatch.setattr(barreader.image, "MAX_PIXELS", 100)
    with pytest.raises(InvalidImageError, match="downscale"):
        barreader.read(np.zeros((20, 20)))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        barreader.read(tmp_path / "missing.png")
    with pytest.raises(InvalidImageError, match="directory"):
        barreader.read(tmp_path)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"this is not an image")
    with pytest.raises(InvalidImageError, match="cannot decode"):
        barreader.read(junk)


@pytest.mark.parametrize("formats", ["QR", ["EAN-13", "nope"], [3], ""])
def test_bad_formats(formats, code):
    with pytest.raises(InvalidArgumentError):
        barreader.read(code.image, formats=formats)


def test_bad_regions_and_options(code):
    with pytest.raises(InvalidArgumentError, match="region"):
        barreader.read(code.image, regions=[np.zeros((3, 2))])
    with pytest.raises(InvalidArgumentError, match="ReaderOptions"):
        barreader.read(code.image, options={"scanlines": 3})


# --- hard images give nothing, never an exception ---------------------------


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((1, 1)),
        np.zeros((1, 100)),
        np.zeros((100, 1)),
        np.full((50, 50), 0.5),
        np.random.default_rng(0).uniform(size=(120, 160)),
        np.tile((np.arange(200) // 3 % 2).astype(float), (60, 1)),
    ],
    ids=["1x1", "1x100", "100x1", "flat", "noise", "grating"],
)
def test_hard_images_read_nothing(image):
    assert barreader.read(image) == []


# --- results ----------------------------------------------------------------


@pytest.mark.parametrize("angle", [0, 90, 180, 270])
def test_result_fields(angle):
    sc = render_code(UPCA, "UPC-A", px_per_module=3, angle=angle, background_margin=20, rng=1)
    (result,) = barreader.read(sc.image)
    assert isinstance(result, Barcode)
    assert result.text == UPCA and result.format is Format.UPCA and result.format == "UPC-A"
    assert result.position.shape == (4, 2)
    np.testing.assert_allclose(result.position, sc.corners, atol=2.0)
    assert result.orientation == pytest.approx(angle, abs=1.0)
    assert 0.9 <= result.quality <= 1.0
    assert result.extra["gtin13"] == "0" + UPCA
    assert result.extra["module_size"] == pytest.approx(3.0, rel=0.05)
    assert "UPC-A" in repr(result)
    assert result.to_dict()["text"] == UPCA


def test_format_selection(code):
    (result,) = barreader.read(code.image, formats=["EAN-13"])
    assert result.format is Format.EAN13 and result.text == "0" + UPCA
    assert barreader.read(code.image, formats="ean8,upce") == []
    assert _texts(code.image, formats="upcean") == [UPCA]


@pytest.mark.parametrize(
    "text, fmt", [("4006381333931", "EAN-13"), ("96385074", "EAN-8"), ("01234565", "UPC-E"), ("12345670", "UPC-E")]
)
def test_other_formats(text, fmt):
    sc = render_code(text, fmt, px_per_module=2.5, blur=0.2, noise=0.01, background_margin=25, rng=5)
    (result,) = barreader.read(sc.image)
    assert (result.text, result.format.value) == (text, fmt)
    if fmt == "UPC-E":
        assert result.extra["upca"] == barreader.symbology.upcean.upce_to_upca(text)


def test_given_regions(code):
    polygon = code.corners.copy()
    assert _texts(code.image, regions=[polygon]) == [UPCA]
    region = barreader.Region(polygon, 0.0, 1.0)
    assert _texts(code.image, regions=[region]) == [UPCA]
    # A region elsewhere holds no code.
    assert barreader.read(code.image, regions=[polygon + [0, 200]]) == []


def test_two_codes_in_one_image():
    a = render_code(UPCA, "UPC-A", px_per_module=2, background_margin=10, rng=1).image
    b = render_code("96385074", "EAN-8", px_per_module=2, background_margin=10, rng=2).image
    canvas = np.full((a.shape[0] + b.shape[0] + 40, max(a.shape[1], b.shape[1])), 255, np.uint8)
    canvas[: a.shape[0], : a.shape[1]] = a
    canvas[a.shape[0] + 40 :, : b.shape[1]] = b
    assert sorted(_texts(canvas)) == sorted([UPCA, "96385074"])


def test_reading_is_deterministic(code):
    first = barreader.read(code.image)
    second = barreader.read(code.image)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in second]


def test_quality_is_a_probability(code):
    for result in barreader.read(code.image):
        assert 0.0 <= result.quality <= 1.0 and math.isfinite(result.quality)


def test_package_surface():
    for name in ("read", "Barcode", "Region", "Format", "ReaderOptions", "InvalidImageError", "__version__"):
        assert hasattr(barreader, name)
    assert Path(barreader.__file__).name == "__init__.py"


def test_lazy_names_stay_functions_whatever_is_imported_first():
    import subprocess
    import sys

    code = (
        "import sys, barreader.reader, barreader.cli, barreader;"
        "sys.exit(not (callable(barreader.scan) and callable(barreader.read)))"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    light = "import sys, barreader; sys.exit('barreader.reader' in sys.modules or 'numba' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", light]).returncode == 0


def test_a_text_with_an_almost_as_credible_rival_is_not_reported(code):
    from barreader.quality import Evidence
    from barreader.reader import ReaderOptions
    from barreader.stages.fuse import credible as _credible
    from conftest import templates_only

    result = barreader.read(code.image, effort=templates_only())[0]
    evidence = Evidence(0.05, 0.08, 1.0, 0.0, 1.0, 0.0, 0.5, 3, "ean13")
    assert result.extra["rival_quality"] < 0.8 * result.quality
    assert _credible(result, evidence, ReaderOptions())
    extra = dict(result.extra, rival_quality=0.85 * result.quality)
    rivalled = Barcode(result.text, result.format, result.position, result.orientation, result.quality, extra)
    assert not _credible(rivalled, evidence, ReaderOptions())
    assert _credible(rivalled, evidence, ReaderOptions(max_rival=0.9))


def test_an_undecodable_file_raises_and_opencv_prints_nothing(tmp_path, capfd):
    broken = tmp_path / "tiny.webp"
    broken.write_bytes(b"RIFF\x1a\x00\x00\x00WEBPVP8 ")
    with pytest.raises(barreader.InvalidImageError, match="cannot decode"):
        barreader.read(broken)
    assert capfd.readouterr().err == ""
