"""The segmentation network and its training helpers (need torch: the ``train`` extra)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is only installed for training (pip install '.[train]')")

from barreader.segment.model import BarcodeSegNet, MutuallyGuidedSegNet  # noqa: E402
from barreader.segment.train import (  # noqa: E402
    _sample,
    confusion,
    export_onnx,
    guided_loss,
    mean_iou,
    soft_dice_loss,
    subset_loss,
)


@pytest.mark.parametrize("decoder", [False, True])
def test_output_matches_the_input_size_and_the_model_is_small(decoder):
    model = BarcodeSegNet(size=128, decoder=decoder).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 1, 128, 128))
    assert out.shape == (2, 2, 128, 128)
    assert sum(p.numel() for p in model.parameters()) * 4 <= 5_000_000


def test_the_decoder_draws_finer_outlines_than_stride_16():
    # Scores upsampled 16 times from a 4 x 4 grid are smooth across each
    # 16-pixel cell; the decoder's come from a 16 x 16 grid and can change
    # within one. Measured on random weights: the largest jump between
    # neighbouring output pixels, relative to the score range.
    torch.manual_seed(0)
    x = torch.rand(1, 1, 64, 64)
    def roughness(model):
        with torch.no_grad():
            scores = model.eval()(x)[0, 1]
        return float(scores.diff(dim=1).abs().max() / (scores.max() - scores.min()))
    assert roughness(BarcodeSegNet(size=64, decoder=True)) > 2 * roughness(BarcodeSegNet(size=64))


def test_stretched_samples_are_squeezed_other_aspect_samples():
    from barreader.synth import render_segmentation_sample

    square = render_segmentation_sample((96, 96), varied=False, rng=3)
    image, mask, region = _sample(3, 96, False, 0.0)
    assert np.array_equal(image, square.image) and np.array_equal(mask, square.mask)
    redrawn = 0
    for seed in range(6):
        image, mask, region = _sample(seed, 96, False, 1.0)
        assert image.shape == mask.shape == region.shape == (96, 96)
        assert set(np.unique(mask)) <= {0, 1} and mask.sum() <= region.sum()
        redrawn += not np.array_equal(image, render_segmentation_sample((96, 96), varied=False, rng=seed).image)
    assert redrawn == 6


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


def _logits(probability: torch.Tensor) -> torch.Tensor:
    p = probability.clamp(1e-4, 1 - 1e-4)
    return torch.stack([torch.zeros_like(p), torch.log(p / (1 - p))], dim=1)


def test_subset_loss_charges_bars_outside_the_label_only():
    inside = torch.zeros(1, 4, 4)
    inside[:, 1:3, 1:3] = 0.99
    label = torch.zeros(1, 4, 4)
    label[:, :, :3] = 0.99
    outside = torch.zeros(1, 4, 4)
    outside[:, 1:3, 3:] = 0.99
    # bars inside the label cost little; the same bars outside it cost much more
    assert subset_loss(_logits(inside), _logits(label)) < 0.1 * subset_loss(_logits(outside), _logits(label))
    # a label wider than the bars is not charged: the loss is not symmetric
    assert subset_loss(_logits(inside), _logits(label)) < 0.1 * subset_loss(_logits(label), _logits(inside))


def test_guided_model_passes_and_export(tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra")
    pytest.importorskip("onnx", reason="onnx is needed to export")
    torch.manual_seed(0)
    model = MutuallyGuidedSegNet(size=128).eval()
    x = torch.rand(2, 1, 128, 128)
    with torch.no_grad():
        passes = model.passes(x)
        first_only = model.passes(x, guided=False)
        final = model(x)
    assert len(passes) == 2 and len(first_only) == 1
    assert all(t.shape == (2, 2, 128, 128) for pair in passes for t in pair)
    torch.testing.assert_close(final, passes[1][0])
    torch.testing.assert_close(first_only[0][0], passes[0][0])
    assert not torch.allclose(passes[0][0], passes[1][0])  # the guidance changes the bar scores
    masks = torch.zeros(2, 128, 128, dtype=torch.long)
    assert torch.isfinite(guided_loss(passes, masks, masks, 1.0))
    assert sum(p.numel() for p in model.parameters()) * 4 <= 5_000_000
    path = tmp_path / "g.onnx"
    export_onnx(model, path, 128)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"image": x.numpy()})[0]
    np.testing.assert_allclose(got, final.numpy(), atol=1e-4)


@pytest.mark.parametrize("model", [["--model", "guided"], ["--decoder"]])
def test_a_run_saves_weights_that_export_at_another_size(tmp_path, model):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is an optional extra")
    pytest.importorskip("onnx", reason="onnx is needed to export")
    from barreader.segment.train import main

    main([*model, "--iterations", "1", "--batch", "2", "--validation", "2", "--every", "1",
          "--threads", "1", "--size", "128", "--out", str(tmp_path / "m.onnx")])
    assert (tmp_path / "m.onnx").is_file() and (tmp_path / "m.json").is_file()
    main(["--export-from", str(tmp_path / "m.pt"), "--size", "192", "--out", str(tmp_path / "big.onnx")])
    session = ort.InferenceSession(str(tmp_path / "big.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[2:] == [192, 192]
    scores = session.run(None, {"image": np.zeros((1, 1, 192, 192), np.float32)})[0]
    assert scores.shape == (1, 2, 192, 192) and np.isfinite(scores).all()
