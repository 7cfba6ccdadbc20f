"""Localization benchmark: where codes are, by each barreader localizer, and reading cluttered scenes.

For synthetic 640x480 scenes with several codes at random angles, places
and scales on cluttered backgrounds (``barreader.synth.render_scene``):

* per localizer (``barreader.scan(method=...)``): recall (codes matched by a
  region with polygon IoU >= 0.5), precision (regions matching a code),
  false regions per image, and median ms per image;
* per reader (barreader and the peers): codes read, wrong texts, median ms.

Then false regions per image on code-free images: synthetic clutter and,
when present, the shared ``negatives`` photographs; and, with ``--overlays``,
pictures of each localizer's regions on a few real photographs.

Usage::

    python benchmarks/bench_locate.py [--scenes 50] [--codes 3] [--seed 0]
        [--readers barreader,zxing-cpp,zbar,opencv] [--overlays docs/figures]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from _env import csv_list, environment, print_environment  # noqa: E402
from _manifest import default_data_root, find_manifest_folders, load_gray, load_manifest  # noqa: E402
from _readers import READER_NAMES, make_readers, normalize_text, timed_read  # noqa: E402

import barreader  # noqa: E402  (the checkout's, put first on sys.path by _readers)
from barreader.image import to_gray  # noqa: E402
from barreader.localize.overlap import polygon_iou  # noqa: E402
from barreader.scanning import LOCALIZERS  # noqa: E402
from barreader.synth import render_negative, render_scene  # noqa: E402

FAMILY = {"UPC-A": "upca", "EAN-13": "ean13", "EAN-8": "ean8", "UPC-E": "upce"}
OVERLAY_PHOTOS = ("quagga2", "zxing")  # data sets the overlay pictures come from


def median_ms(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times), out


def localization(scenes, repeat: int) -> dict:
    """Recall, precision, false regions and time of each localizer on the scenes."""
    out = {}
    for method in LOCALIZERS:
        barreader.scan(scenes[0].image, method=method)  # JIT warm-up
        found = total = true_regions = all_regions = 0
        times = []
        for scene in scenes:
            gray = to_gray(scene.image)
            ms, regions = median_ms(lambda: LOCALIZERS[method](gray), repeat)
            times.append(ms)
            total += len(scene.codes)
            found += sum(any(polygon_iou(r.polygon, c.corners) >= 0.5 for r in regions) for c in scene.codes)
            true_regions += sum(any(polygon_iou(r.polygon, c.corners) >= 0.5 for c in scene.codes) for r in regions)
            all_regions += len(regions)
        out[method] = {
            "recall": found / max(total, 1),
            "precision": true_regions / max(all_regions, 1),
            "false_per_image": (all_regions - true_regions) / len(scenes),
            "median_ms": statistics.median(times),
            "codes": total,
            "located": found,
        }
    return out


def reading(scenes, readers) -> dict:
    """Codes read and wrong texts per reader on the scenes."""
    out = {}
    for reader in readers:
        timed_read(reader, to_gray(scenes[0].image))
        read = wrong = 0
        times = []
        for scene in scenes:
            gray8 = np.asarray(scene.image)
            result = timed_read(reader, gray8)
            times.append(result["ms"])
            texts = {normalize_text(t, f) for t, f in result["results"]} if not result["error"] else set()
            expected = {normalize_text(c.text, FAMILY[c.format.value]) for c in scene.codes}
            read += len(texts & expected)
            wrong += len(texts - expected)
        out[reader.name] = {"read": read, "codes": sum(len(s.codes) for s in scenes), "wrong": wrong,
                            "median_ms": statistics.median(times)}
    return out


def negatives(images: list[np.ndarray]) -> dict:
    """False regions per image of each localizer on images without codes."""
    return {
        method: sum(len(LOCALIZERS[method](to_gray(im))) for im in images) / max(len(images), 1)
        for method in LOCALIZERS
    }


def overlays(folder: Path, data: Path, count: int = 4) -> list[Path]:
    """Draw each localizer's regions on a few real photographs; returns the files written."""
    paths = []
    for name in OVERLAY_PHOTOS:
        for manifest_folder in find_manifest_folders(data / name):
            rows = [r for r in load_manifest(manifest_folder) if not r.negative]
            paths += [r.path for r in rows[:: max(1, len(rows) // count)][:count]]
        if len(paths) >= count:
            break
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    colours = {"quagga": (0, 200, 0), "gradient": (0, 0, 255)}
    tiles = []
    for path in paths[:count]:
        gray = load_gray(path)
        scale = 320.0 / max(gray.shape)
        canvas = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        for method, colour in colours.items():
            for region in barreader.scan(gray, method=method):
                cv2.polylines(canvas, [np.round(region.polygon).astype(np.int32)], True, colour, 2)
        tiles.append(cv2.resize(canvas, (int(gray.shape[1] * scale), int(gray.shape[0] * scale))))
    if tiles:
        height = max(t.shape[0] for t in tiles)
        row = np.hstack([np.pad(t, ((0, height - t.shape[0]), (0, 4), (0, 0)), constant_values=255) for t in tiles])
        target = folder / "regions_real.png"
        cv2.imwrite(str(target), row)
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=50, help="synthetic scenes (default 50)")
    parser.add_argument("--codes", type=int, default=3, help="codes per scene (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per localization timing; the median is kept")
    parser.add_argument("--readers", type=csv_list, default=list(READER_NAMES))
    parser.add_argument("--data", type=Path, default=default_data_root(), help="folder holding the shared sets")
    parser.add_argument("--overlays", type=Path, help="folder for pictures of regions on real photos")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    readers = [r for r in make_readers(args.readers, ["upca", "ean13", "ean8", "upce"]) if r.available]
    env = environment(readers)
    print_environment(env)

    rng = np.random.default_rng(args.seed)
    scenes = [render_scene(args.codes, size=(480, 640), px_per_module=(2.0, 4.0), background="mixed", rng=rng)
              for _ in range(args.scenes)]
    print(f"{args.scenes} scenes 640x480, {args.codes} codes each, any angle, 2-4 px/module, mixed backgrounds\n")
    located = localization(scenes, args.repeat)
    print(f"{'localizer':10}{'recall':>9}{'precision':>11}{'false/img':>11}{'ms':>8}")
    for method, s in located.items():
        print(f"{method:10}{s['recall']:>9.3f}{s['precision']:>11.3f}{s['false_per_image']:>11.2f}{s['median_ms']:>8.2f}")
    read = reading(scenes, readers)
    print(f"\n{'reader':12}{'read':>10}{'wrong':>7}{'ms':>9}")
    for name, s in read.items():
        print(f"{name:12}{s['read']:>5}/{s['codes']:<4}{s['wrong']:>7}{s['median_ms']:>9.1f}")

    clutter = [render_negative(size=(480, 640), background="mixed", rng=rng) for _ in range(args.scenes)]
    false_synth = negatives(clutter)
    real = []
    if (args.data / "negatives").exists():
        for folder in find_manifest_folders(args.data / "negatives"):
            real += [load_gray(r.path) for r in load_manifest(folder)]
    false_real = negatives(real) if real else {}
    print("\nfalse regions per image without codes")
    for method in LOCALIZERS:
        line = f"{method:10} synthetic clutter {false_synth[method]:.2f}"
        if real:
            line += f"; shared negatives ({len(real)} photos) {false_real[method]:.2f}"
        print(line)
    if not real:
        print("shared negatives: not found, skipped")
    written = overlays(args.overlays, args.data) if args.overlays else []
    for path in written:
        print(f"saved {path}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"environment": env, "localization": located, "reading": read,
                                         "negatives_synthetic": false_synth, "negatives_real": false_real}, indent=1))
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
