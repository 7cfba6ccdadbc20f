"""The segmentation network and its training helpers (need torch: the ``train`` extra)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is only installed for training (pip install '.[train]')")

from barreader.segment.model import BarcodeSegNet  # noqa: E402
from barreader.segment.train import confusion, export_onnx, mean_iou, soft_dice_loss  # noqa: E402


def test_output_matches_the_input_size_and_the_model_is_small():
    model = BarcodeSegNet(size=128).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 1, 128, 128))
    assert out.shape == (2, 2, 128, 128)
    assert sum(p.numel() for p in model.parameters()) * 4 <= 5_000_000


def test_metrics():
    target = torch.tensor([[[0, 1], [1, 1]]])
    perfect = torch.stack([1.0 - target.float(), target.float()], dim=1) * 20.0
    assert soft_dice_loss(perfect, target) == pytest.approx(0.0, abs=1e-6)
    counts = confusion(perfect, target)
    np.testing.assert_array_equal(counts, [[1, 0], [0, 3]])
    assert mean_iou(counts) == 1.0
    assert mean_iou(np.array([[1, 1], [0, 2]])) == pytest.approx((0.5 + 2 / 3) / 2)


def test_onnx_export_gives_the_same_scores(tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra")
    pytest.importorskip("onnx", reason="onnx is needed to export")
    torch.manual_seed(0)
    model = BarcodeSegNet(size=128).eval()
    path = tmp_path / "m.onnx"
    export_onnx(model, path, 128)
    image = np.random.default_rng(0).uniform(size=(1, 1, 128, 128)).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"image": image})[0]
    with torch.no_grad():
        want = model(torch.from_numpy(image)).numpy()
    np.testing.assert_allclose(got, want, atol=1e-4)
