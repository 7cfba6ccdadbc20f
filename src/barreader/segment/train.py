"""Train the segmentation network on synthetic samples and export it to ONNX.

Run ``python -m barreader.segment.train --help``. Every sample comes from
:func:`~barreader.synth.render_segmentation_sample` with its own seed:
training samples use seeds ``seed * 1_000_000 + i``, validation samples
``seed * 1_000_000 + 900_000 + i``, so a run is reproducible from its
arguments (up to the nondeterminism of multithreaded CPU kernels) and the
validation set never overlaps the training set. The loss is
cross-entropy plus a soft Dice loss on the code class; the learning rate
falls tenfold at 60 % and 85 % of the iterations, as BarcodeNet's
schedule does at epochs 50 and 80 of 90.

``--model guided`` trains :class:`~barreader.segment.model.MutuallyGuidedSegNet`
as S003 does: first with the guidance loop open (both heads unguided,
each scored against its own mask), then, from ``--guided-from`` of the
iterations on, with the loop closed, both passes scored, and the subset
loss added, which charges bar probability that falls outside the label
head's.

``--stretch`` draws a share of the samples at another aspect ratio and
squeezes them to the square input, as the localizer squeezes a photo.

The shipped model is ``--plain --decoder --iterations 3500 --every 500
--validation 200 --threads 2``.

Requires torch (and onnx to export): ``pip install ".[train]"``. On a
machine without a GPU, installing PyTorch's CPU build first avoids pulling
the much larger CUDA build.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from ..synth import render_segmentation_sample
from .metrics import mean_iou, pixel_counts
from .model import INPUT_SIZE, BarcodeSegNet, MutuallyGuidedSegNet

VALIDATION_OFFSET = 900_000


def _batch(seeds, size: int, varied: bool = True,
           stretch: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Images (N, 1, size, size) in [0, 1], bar masks and label masks (N, size, size).

    With probability ``stretch`` a sample is drawn with another aspect ratio
    and resized to the square (:func:`_stretched`).
    """
    samples = [_sample(int(s), size, varied, stretch) for s in seeds]
    images = np.stack([s[0] for s in samples]).astype(np.float32) / 255.0
    masks = np.stack([s[1] for s in samples]).astype(np.int64)
    regions = np.stack([s[2] for s in samples]).astype(np.int64)
    return torch.from_numpy(images)[:, None], torch.from_numpy(masks), torch.from_numpy(regions)


STRETCH_ASPECT = 1.8  # largest width / height ratio of a stretched sample, either way


def _sample(seed: int, size: int, varied: bool, stretch: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image, bar mask and label mask of the sample with this seed."""
    rng = np.random.default_rng(seed)
    if stretch <= 0.0 or rng.uniform() >= stretch:
        sample = render_segmentation_sample((size, size), varied=varied, rng=rng)
        return sample.image, sample.mask, sample.region
    return _stretched(size, varied, rng)


def _stretched(size: int, varied: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sample drawn at another aspect ratio and resized to ``size`` x ``size``, as the localizer resizes a photo.

    The localizer squeezes a 4:3 or 16:9 photo into the network's square
    input, which shears every code not aligned with the image axes; square
    samples never show that.
    """
    aspect = math.exp(rng.uniform(-math.log(STRETCH_ASPECT), math.log(STRETCH_ASPECT)))
    shape = (size, round(size * aspect)) if aspect >= 1.0 else (round(size / aspect), size)
    sample = render_segmentation_sample(shape, varied=varied, rng=rng)
    square = (size, size)
    image = cv2.resize(sample.image, square, interpolation=cv2.INTER_AREA)
    masks = [(cv2.resize(m.astype(np.float32), square, interpolation=cv2.INTER_AREA) >= 0.5).astype(np.uint8)
             for m in (sample.mask, sample.region)]
    return image, masks[0], masks[1]


def supervised_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy plus soft Dice."""
    return F.cross_entropy(logits, target) + soft_dice_loss(logits, target)


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice of the code class's probability against the mask."""
    code = torch.softmax(logits, dim=1)[:, 1]
    truth = target.float()
    overlap = (code * truth).sum(dim=(1, 2))
    total = code.sum(dim=(1, 2)) + truth.sum(dim=(1, 2))
    return (1.0 - (2.0 * overlap + 1.0) / (total + 1.0)).mean()


def subset_loss(inner: torch.Tensor, outer: torch.Tensor) -> torch.Tensor:
    """S003's subset loss: the inner mask's probability should lie inside the outer's.

    The cross-entropy of the inner code probability ``z`` against the outer
    one ``y``, weighted by ``z`` and averaged over pixels, so it charges
    pixels the inner head calls code and the outer head does not, and
    not the other way round. Both arguments are two-class logits.
    """
    z = torch.softmax(inner, dim=1)[:, 1].clamp(1e-6, 1 - 1e-6)
    y = torch.softmax(outer, dim=1)[:, 1]
    return -(z * (y * torch.log(z) + (1 - y) * torch.log1p(-z))).mean()


def guided_loss(passes, masks: torch.Tensor, regions: torch.Tensor, subset_weight: float) -> torch.Tensor:
    """Supervised loss of every head in every pass, plus the subset loss once the loop is closed."""
    loss = sum(supervised_loss(bars, masks) + supervised_loss(labels, regions) for bars, labels in passes)
    if len(passes) > 1:
        loss = loss + subset_weight * sum(subset_loss(bars, labels) for bars, _ in passes for _, labels in passes)
    return loss


def confusion(logits: torch.Tensor, target: torch.Tensor) -> np.ndarray:
    """2 x 2 pixel counts (:func:`~barreader.segment.metrics.pixel_counts`) of the scores' argmax."""
    return pixel_counts(target.numpy(), logits.argmax(dim=1).numpy())


def evaluate(model: torch.nn.Module, seed: int, n: int, size: int, batch: int, predict=None,
             varied: bool = True) -> float:
    """Bar-mask mIoU on ``n`` held-out samples; ``predict`` (default: the model) maps images to scores."""
    predict = predict or model
    model.eval()
    counts = np.zeros((2, 2), dtype=np.int64)
    with torch.no_grad():
        for start in range(0, n, batch):
            seeds = [seed * 1_000_000 + VALIDATION_OFFSET + i for i in range(start, min(start + batch, n))]
            images, masks, _ = _batch(seeds, size, varied)
            counts += confusion(predict(images), masks)
    model.train()
    return mean_iou(counts)


def export_onnx(model: torch.nn.Module, path: Path, size: int) -> None:
    """Write the model as ONNX: input ``image`` (N, 1, size, size) in [0, 1], output ``logits``."""
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, size, size), str(path), input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validation", type=int, default=200, help="held-out samples for mIoU")
    parser.add_argument("--every", type=int, default=500, help="iterations between validations")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", choices=("single", "guided"), default="single",
                        help="one bar head, or bar and label heads guiding each other (S003)")
    parser.add_argument("--decoder", action="store_true",
                        help="classify at stride 4 through a DeepLabv3+-style decoder (single model)")
    parser.add_argument("--guided-from", type=float, default=0.3,
                        help="share of the iterations after which the guidance loop is closed (guided model)")
    parser.add_argument("--subset-weight", type=float, default=1.0, help="weight of the subset loss (guided model)")
    parser.add_argument("--out", type=Path, default=Path("segmentation.onnx"))
    parser.add_argument("--size", type=int, default=INPUT_SIZE, help="input side in pixels, a multiple of 64")
    parser.add_argument("--plain", action="store_true",
                        help="train and validate on S000's plain samples only (render_segmentation_sample(varied=False))")
    parser.add_argument("--stretch", type=float, default=0.0,
                        help="share of training samples drawn at another aspect ratio and squeezed to the square")
    parser.add_argument("--export-from", type=Path,
                        help="export the weights a run saved (its .pt file) at --size to --out, without training")
    args = parser.parse_args(argv)

    if args.decoder and args.model == "guided":
        parser.error("--decoder is available for the single model only")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    size = args.size
    if args.export_from:
        saved = torch.load(args.export_from)
        model = (MutuallyGuidedSegNet(size=size) if saved["model"] == "guided"
                 else BarcodeSegNet(size=size, decoder=saved.get("decoder", False)))
        model.load_state_dict(saved["state"])
        export_onnx(model, args.out, size)
        print(f"saved {args.out}", flush=True)
        return
    guided = args.model == "guided"
    model = MutuallyGuidedSegNet(size=size) if guided else BarcodeSegNet(size=size, decoder=args.decoder)
    closed_from = int(args.guided_from * args.iterations)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)
    milestones = [int(0.6 * args.iterations), int(0.85 * args.iterations)]
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1)
    log = []
    started = time.perf_counter()
    for step in range(args.iterations):
        seeds = [args.seed * 1_000_000 + step * args.batch + i for i in range(args.batch)]
        images, masks, regions = _batch(seeds, size, not args.plain, args.stretch)
        if guided:
            loss = guided_loss(model.passes(images, guided=step >= closed_from), masks, regions, args.subset_weight)
        else:
            loss = supervised_loss(model(images), masks)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % args.every == 0 or step + 1 == args.iterations:
            unguided = guided and step < closed_from
            predict = (lambda x: model.passes(x, guided=False)[0][0]) if unguided else None
            miou = evaluate(model, args.seed, args.validation, size, args.batch, predict, not args.plain)
            entry = {"iteration": step + 1, "loss": loss.item(), "miou": miou,
                     "minutes": (time.perf_counter() - started) / 60.0}
            log.append(entry)
            print(json.dumps(entry), flush=True)
    # The weights too: the pooling bins are relative, so they can be exported for another input size.
    torch.save({"model": args.model, "decoder": args.decoder, "state": model.state_dict()},
               args.out.with_suffix(".pt"))
    export_onnx(model, args.out, size)
    summary = {"arguments": {k: str(v) for k, v in vars(args).items()}, "samples": args.iterations * args.batch,
               "minutes": (time.perf_counter() - started) / 60.0, "log": log}
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    print(f"saved {args.out}", flush=True)


if __name__ == "__main__":
    main()
