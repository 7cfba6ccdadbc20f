"""Segmentation localizer benchmark: mask quality, codes found in real photos, time.

* **mIoU** of each model's bar mask on held-out synthetic samples
  (``barreader.synth.render_segmentation_sample`` with seeds no training
  run uses: ``7_900_000 + i``), thresholded at 0.5, as training reports it:
  on samples with varied looks (what training draws) and on S000's plain
  samples (``varied=False``).
* **Real photos** (the shared EAN/UPC and Code 39 rows): every code that
  barreader's default reader reads with the expected text gives a verified
  box (its ``position``). Per localizer (``quagga``, ``gradient``,
  ``onnx``): recall (verified codes matched by a region with polygon IoU
  >= 0.5, and by a region holding the code's centre within 10° of its
  axis), regions per image, median ms per image.
* **Time** of the ``onnx`` localizer on 800x600 images (real photos
  resized), one onnxruntime thread: the network alone and with the
  regions, median over images of the best of ``--repeat`` runs.
* ``--figure``: the code probability and the regions on a few real photos.

The verified boxes are the codes barreader reads, so codes no localizer
finds are missing from the recall's denominator; the end-to-end reads of
each localizer alone come from ``bench_real.py --readers
barreader-gradient,barreader-quagga,barreader-onnx``.

Usage::

    python benchmarks/bench_segment.py [--models a.onnx,b.onnx] [--validation 300]
        [--sets quagga2,zxing,zxing-cpp] [--figure docs/figures/segmentation_real.png] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from _env import csv_list, environment, print_environment  # noqa: E402
from _manifest import default_data_root, find_manifest_folders, load_gray, load_manifest, select_rows  # noqa: E402
from _readers import SYMBOLOGIES, normalize_text, use_checkout_barreader  # noqa: E402

use_checkout_barreader()

import barreader  # noqa: E402
from barreader.image import to_gray  # noqa: E402
from barreader.localize import segmentation  # noqa: E402
from barreader.localize.overlap import polygon_iou  # noqa: E402
from barreader.scanning import localize  # noqa: E402
from barreader.segment.metrics import mean_iou, pixel_counts  # noqa: E402
from barreader.synth import render_segmentation_sample  # noqa: E402

FAMILY = {"UPC-A": "upca", "EAN-13": "ean13", "EAN-8": "ean8", "UPC-E": "upce", "Code39": "code39"}
METHODS = ("quagga", "gradient", "onnx")
HELD_OUT = 7_900_000  # first seed of the held-out samples; training uses seed * 1e6 + i for small seeds
SAME_AXIS = 10.0  # degrees


def held_out_miou(model: Path, count: int, varied: bool = True) -> float:
    """Bar-mask mIoU of ``model`` on ``count`` held-out synthetic samples (varied looks, or S000's plain ones)."""
    counts = np.zeros((2, 2), dtype=np.int64)
    for i in range(count):
        sample = render_segmentation_sample(rng=HELD_OUT + i, varied=varied)
        predicted = segmentation.code_probability(sample.image.astype(np.float32) / 255.0, model) >= 0.5
        counts += pixel_counts(sample.mask, predicted)
    return mean_iou(counts)


@dataclasses.dataclass
class Verified:
    """A code read with the expected text: where it is and which way it reads."""

    position: np.ndarray
    orientation: float


def verified_codes(data: Path, sets: list[str], cache: Path | None = None) -> list[tuple[Path, list[Verified]]]:
    """(image, codes read with the expected text) for every positive row of the sets.

    Reading every image takes minutes; ``cache`` (a JSON file) keeps the
    answer for later runs on the same sets.
    """
    if cache is not None and cache.exists():
        saved = json.loads(cache.read_text())
        if saved["sets"] == sets:
            return [(Path(path), [Verified(np.array(c["position"]), c["orientation"]) for c in codes])
                    for path, codes in saved["images"]]
    out = []
    for name in sets:
        for folder in find_manifest_folders(data / name):
            for row in select_rows(load_manifest(folder), SYMBOLOGIES):
                if row.negative:
                    continue
                found = barreader.read(load_gray(row.path))
                codes = [Verified(np.asarray(c.position, dtype=float), float(c.orientation)) for c in found
                         if normalize_text(c.text, FAMILY[c.format.value]) == row.expected]
                out.append((row.path, codes))
    if cache is not None:
        images = [[str(path), [{"position": c.position.tolist(), "orientation": c.orientation} for c in codes]]
                  for path, codes in out]
        cache.write_text(json.dumps({"sets": sets, "images": images}))
    return out


def _holds(region, code) -> bool:
    centre = code.position.mean(axis=0)
    inside = cv2.pointPolygonTest(region.polygon.astype(np.float32), (float(centre[0]), float(centre[1])), False) >= 0
    turn = abs(region.angle - code.orientation) % 180.0
    return inside and min(turn, 180.0 - turn) <= SAME_AXIS


def real_localization(images: list[tuple[Path, list]]) -> dict:
    """Per localizer: recall against the verified boxes, regions per image, median ms."""
    table = {}
    codes = sum(len(c) for _, c in images)
    for method in METHODS:
        matched = held = regions_total = 0
        times = []
        for path, verified in images:
            gray = to_gray(load_gray(path))
            start = time.perf_counter()
            regions = localize(gray, method)
            times.append(1000.0 * (time.perf_counter() - start))
            regions_total += len(regions)
            matched += sum(any(polygon_iou(r.polygon, c.position) >= 0.5 for r in regions) for c in verified)
            held += sum(any(_holds(r, c) for r in regions) for c in verified)
        table[method] = {"codes": codes, "recall_iou": matched / max(codes, 1), "recall_centre": held / max(codes, 1),
                         "regions_per_image": regions_total / max(len(images), 1),
                         "median_ms": statistics.median(times) if times else math.nan}
    return table


def timing(paths: list[Path], repeat: int) -> dict:
    """Median over 800x600 images of the best of ``repeat`` runs: network alone, and with the regions."""
    network, whole = [], []
    for path in paths:
        gray = to_gray(cv2.resize(load_gray(path), (800, 600), interpolation=cv2.INTER_AREA))
        best_network = best_whole = math.inf
        for _ in range(repeat):
            start = time.perf_counter()
            segmentation.code_probability(gray)
            middle = time.perf_counter()
            segmentation.segmentation_regions(gray)
            end = time.perf_counter()
            best_network, best_whole = min(best_network, middle - start), min(best_whole, end - middle)
        network.append(1000.0 * best_network)
        whole.append(1000.0 * best_whole)
    return {"images": len(paths), "network_ms": statistics.median(network), "localizer_ms": statistics.median(whole),
            "threads": segmentation.THREADS}


def figure(paths: list[Path], target: Path, columns: int = 3) -> None:
    """Tiles of real photos with the code probability in red and the ``onnx`` regions in green."""
    side = 300  # pixels of a tile's long side
    tiles = []
    for path in paths:
        gray8 = load_gray(path)
        scale = side / max(gray8.shape)
        small = cv2.resize(gray8, (round(gray8.shape[1] * scale), round(gray8.shape[0] * scale)),
                           interpolation=cv2.INTER_AREA)
        gray = to_gray(gray8)
        probability = cv2.resize(segmentation.code_probability(gray), small.shape[::-1], interpolation=cv2.INTER_LINEAR)
        tile = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR).astype(np.float32)
        tile[..., 2] = np.maximum(tile[..., 2], 255.0 * probability)
        tile[..., :2] *= 1.0 - 0.6 * probability[..., None]
        tile = tile.astype(np.uint8)
        for region in barreader.scan(gray, method="onnx"):
            cv2.polylines(tile, [np.round((region.polygon + 0.5) * scale - 0.5).astype(np.int32)], True, (0, 200, 0), 2)
        tiles.append(tile)
    height = max(t.shape[0] for t in tiles)
    tiles = [np.pad(t, ((0, height - t.shape[0] + 4), (0, side - t.shape[1] + 4), (0, 0)), constant_values=255)
             for t in tiles]
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % columns)
    rows = [np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)]
    target.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(target), np.vstack(rows))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=csv_list, default=[str(segmentation.DEFAULT_MODEL)],
                        help="ONNX files whose held-out mIoU is measured (default: the shipped model)")
    parser.add_argument("--validation", type=int, default=300, help="held-out synthetic samples")
    parser.add_argument("--data", type=Path, default=default_data_root())
    parser.add_argument("--sets", type=csv_list, default=["quagga2", "zxing", "zxing-cpp"])
    parser.add_argument("--timing-images", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--figure", type=Path, help="where to write the picture of masks on real photos")
    parser.add_argument("--verified", type=Path, help="JSON file keeping the verified codes between runs")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    env = environment([])
    env["onnxruntime"] = __import__("onnxruntime").__version__
    print_environment(env)
    report: dict = {"environment": env, "arguments": {k: str(v) for k, v in vars(args).items()}}

    for varied, key in ((True, "miou"), (False, "miou_plain")):
        report[key] = {model: held_out_miou(Path(model), args.validation, varied) for model in args.models}
        for model, miou in report[key].items():
            print(f"held-out mIoU {miou:.4f} on {args.validation} {'varied' if varied else 'plain (S000)'} samples: "
                  f"{model}", flush=True)

    available = [s for s in args.sets if (args.data / s).is_dir()]
    if not available:
        print(f"no shared sets under {args.data}: real-photo figures skipped")
    else:
        images = verified_codes(args.data, available, args.verified)
        report["real"] = real_localization(images)
        print(f"\nreal photos ({', '.join(available)}): {len(images)} images, "
              f"{report['real']['onnx']['codes']} verified codes")
        print(f"{'localizer':10} {'recall IoU>=0.5':>16} {'recall centre':>14} {'regions/img':>12} {'median ms':>10}")
        for method, row in report["real"].items():
            print(f"{method:10} {row['recall_iou']:16.3f} {row['recall_centre']:14.3f} "
                  f"{row['regions_per_image']:12.2f} {row['median_ms']:10.1f}")
        paths = [p for p, _ in images][:: max(1, len(images) // args.timing_images)][: args.timing_images]
        report["timing_800x600"] = timing(paths, args.repeat)
        t = report["timing_800x600"]
        print(f"\n800x600, {t['threads']} thread, {t['images']} images: network {t['network_ms']:.1f} ms, "
              f"localizer {t['localizer_ms']:.1f} ms (median of best of {args.repeat})")
        if args.figure:
            figure([p for p, c in images if c][:: max(1, len(images) // 6)][:6], args.figure)
            print(f"figure: {args.figure}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
