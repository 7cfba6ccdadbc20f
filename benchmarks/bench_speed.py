"""Speed of barreader at each effort beside zxing-cpp, ZBar and OpenCV, timed image by image in one loop.

These machines are shared and noisy, so absolute times say little; what
is reported is the ratio to zxing-cpp on the *same* image, measured in the
same loop iteration, and its median, mean and worst case per set.

Usage::

    python benchmarks/bench_speed.py [DATA ...] [--readers barreader-fast,barreader,zxing-cpp,...]
        [--repeat 1] [--profile] [--startup] [--megapixels 1,12] [--json out.json]

Prints, per set (the first component of a manifest's path, e.g. ``zxing``
or ``negatives``) and reader: images, images read and with a wrong text,
median / mean / p90 / max ms per image, and the median and mean of the
per-image ratio to zxing-cpp, with its largest value. ``--profile`` adds,
per barreader reader, the share of its time spent in each stage (the
stages of :mod:`barreader.stages`, from :func:`barreader.stages.timing.collect`).
``--startup`` measures ``import barreader`` and the first read in a fresh
process with a warm numba cache. ``--megapixels 1,12`` reads every image
resampled to each of these sizes (aspect kept; bicubic up, area averaging
down), all sizes of an image in the same loop iteration, tabulates each
size apart and adds, per reader, how much longer an image takes at the
largest size than at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from _env import csv_list, environment, print_environment  # noqa: E402
from _manifest import default_data_root, load_gray  # noqa: E402
from _readers import ALL_READER_NAMES, UPCEAN, make_readers  # noqa: E402
from bench_real import load_rows, resample, score  # noqa: E402

DEFAULT_READERS = ("barreader-fast", "barreader", "barreader-thorough", "zxing-cpp", "zbar", "opencv")
DEFAULT_SETS = ("zxing", "zxing-cpp", "quagga2", "negatives")
REFERENCE = "zxing-cpp"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", nargs="*", type=Path,
                   help=f"manifest folders or data folders (default: {', '.join(DEFAULT_SETS)} under {default_data_root()})")
    p.add_argument("--readers", type=csv_list, default=list(DEFAULT_READERS),
                   help=f"comma-separated readers from {','.join(ALL_READER_NAMES)} (default: {','.join(DEFAULT_READERS)})")
    p.add_argument("--symbologies", type=csv_list, default=list(UPCEAN), help="symbologies to benchmark (default: EAN/UPC)")
    p.add_argument("--folders", type=csv_list, help="only these folders (glob patterns)")
    p.add_argument("--exclude-folders", type=csv_list, default=["*extension*"], help="skip these folders (default: *extension*)")
    p.add_argument("--repeat", type=int, default=1, help="runs per image and reader; the median is kept (default: 1)")
    p.add_argument("--limit", type=int, default=0, help="at most this many images per set (0: all)")
    p.add_argument("--profile", action="store_true", help="print the share of time per stage of each barreader reader")
    p.add_argument("--startup", action="store_true", help="measure import and first read in a fresh process")
    p.add_argument("--megapixels", type=csv_list, default=[],
                   help="comma-separated sizes in megapixels every image is resampled to (default: as it is)")
    p.add_argument("--json", type=Path, metavar="OUT", help="save every image's times to this JSON file")
    args = p.parse_args(argv)
    try:
        args.megapixels = [float(v) for v in args.megapixels]
    except ValueError:
        p.error(f"--megapixels takes numbers, got {','.join(args.megapixels)}")
    if any(v <= 0 for v in args.megapixels):
        p.error("--megapixels sizes must be positive")
    unknown = [r for r in args.readers if r not in ALL_READER_NAMES]
    if unknown:
        p.error(f"unknown reader {', '.join(unknown)}; known: {', '.join(ALL_READER_NAMES)}")
    args.show_misses = False
    return args


def timed(reader, gray: np.ndarray, repeat: int, profile: bool) -> tuple[float, list, dict]:
    """Median ms of ``repeat`` runs, the first run's results and (with ``profile``) its stage seconds."""
    from barreader.stages.timing import collect

    times, results, stages = [], [], {}
    for i in range(repeat):
        start = time.perf_counter()
        if profile and reader.name.startswith("barreader") and i == 0:
            with collect() as stages:
                got = reader.read(gray)
        else:
            got = reader.read(gray)
        times.append((time.perf_counter() - start) * 1e3)
        if i == 0:
            results = got
    return float(np.median(times)), results, dict(stages)


def run(rows, readers, repeat: int, profile: bool, limit: int, megapixels: list[float] | None = None) -> list[dict]:
    """Every image through every reader, one after another for each image (and each of its sizes)."""
    records = []
    per_set: dict[str, int] = defaultdict(int)
    warmed = False
    for i, row in enumerate(rows):
        if limit and per_set[row.dataset] >= limit:
            continue
        try:
            gray = load_gray(row.path)
        except OSError:
            continue
        per_set[row.dataset] += 1
        if not warmed:
            # Load every kernel's compiled form from the numba cache: for 8-bit
            # images and for the float ones that 16-bit and float files become.
            for reader in readers:
                reader.read(gray)
                if reader.name.startswith("barreader"):
                    reader.read(gray.astype(np.float32) / np.float32(255.0))
            warmed = True
        for size in megapixels or [None]:
            sized = gray if size is None else resample(gray, np.sqrt(size * 1e6 / gray.size))
            record = {"set": "negatives" if row.negative else row.dataset, "file": f"{row.dataset}/{row.file}",
                      "shape": list(sized.shape), "megapixels": size, "readers": {}}
            for reader in readers:
                ms, results, stages = timed(reader, sized, repeat, profile)
                entry = score(row, results)
                entry.update(ms=ms, stages=stages)
                record["readers"][reader.name] = entry
            records.append(record)
        if sys.stderr.isatty():
            print(f"\r[{i + 1}/{len(rows)}] {row.label}          ", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return records


def summary(records: list[dict], names: list[str]) -> dict:
    """Per set and reader: counts, ms statistics and ratios to zxing-cpp."""
    out: dict = {}
    sets = sorted({r["set"] for r in records}) + ["all"]
    for name_set in sets:
        chosen = [r for r in records if name_set == "all" or r["set"] == name_set]
        out[name_set] = {}
        for name in names:
            ms = np.array([r["readers"][name]["ms"] for r in chosen])
            entry = {
                "images": len(chosen),
                "read": sum(r["readers"][name]["correct"] for r in chosen if r["set"] != "negatives"),
                "wrong": sum(r["readers"][name]["wrong"] for r in chosen),
                "median_ms": float(np.median(ms)), "mean_ms": float(ms.mean()),
                "p90_ms": float(np.percentile(ms, 90)), "max_ms": float(ms.max()),
            }
            if REFERENCE in names:
                ref = np.array([r["readers"][REFERENCE]["ms"] for r in chosen])
                ratio = ms / np.maximum(ref, 1e-6)
                entry.update(median_ratio=float(np.median(ratio)), mean_ratio=float(ratio.mean()),
                             max_ratio=float(ratio.max()), ratio_of_medians=float(np.median(ms) / np.median(ref)),
                             ratio_of_means=float(ms.mean() / ref.mean()))
            out[name_set][name] = entry
    return out


def print_summary(table: dict, names: list[str]) -> None:
    print(f"Per set: read / wrong, ms per image (median, mean, p90, max), per-image ratio to {REFERENCE} "
          "(median, mean, max) and the ratio of the mean times")
    header = f"{'set':<11}{'reader':<20}{'n':>5}{'read':>6}{'wrong':>6}{'median':>9}{'mean':>9}{'p90':>9}{'max':>9}"
    header += f"{'x med':>8}{'x mean':>8}{'x max':>9}{'mean/mean':>10}"
    print(header)
    for name_set, by_reader in table.items():
        for name in names:
            e = by_reader[name]
            line = (f"{name_set:<11}{name:<20}{e['images']:>5}{e['read']:>6}{e['wrong']:>6}{e['median_ms']:>9.2f}"
                    f"{e['mean_ms']:>9.2f}{e['p90_ms']:>9.2f}{e['max_ms']:>9.1f}")
            if "median_ratio" in e:
                line += f"{e['median_ratio']:>8.2f}{e['mean_ratio']:>8.2f}{e['max_ratio']:>9.1f}{e['ratio_of_means']:>10.2f}"
            print(line)
        print()


def print_growth(records: list[dict], names: list[str], sizes: list[float]) -> None:
    """Per reader, each image's time at the largest size over its time at the smallest."""
    small, large = min(sizes), max(sizes)
    by_file = defaultdict(dict)
    for r in records:
        by_file[r["file"]][r["megapixels"]] = r
    pairs = [(f[small], f[large]) for f in by_file.values() if small in f and large in f]
    print(f"Time at {large:g} MP over time at {small:g} MP, image by image ({len(pairs)} images)")
    print(f"{'reader':<20}{'median':>9}{'mean':>9}{'max':>9}{'mean/mean':>11}")
    for name in names:
        a = np.array([p[0]["readers"][name]["ms"] for p in pairs])
        b = np.array([p[1]["readers"][name]["ms"] for p in pairs])
        growth = b / np.maximum(a, 1e-6)
        print(f"{name:<20}{np.median(growth):>9.2f}{growth.mean():>9.2f}{growth.max():>9.1f}{b.mean() / a.mean():>11.2f}")
    print()


def print_stages(records: list[dict], names: list[str]) -> None:
    """Share of each barreader reader's time spent in each stage, over every image."""
    for name in names:
        if not name.startswith("barreader"):
            continue
        totals: dict[str, float] = defaultdict(float)
        wall = sum(r["readers"][name]["ms"] for r in records) / 1e3
        for r in records:
            for stage_name, seconds in r["readers"][name]["stages"].items():
                totals[stage_name] += seconds
        if not totals:
            continue
        print(f"Stages of {name} (exclusive seconds summed over {len(records)} images; {wall:.2f} s in all)")
        for stage_name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"  {stage_name:<16}{seconds:>9.3f} s {100 * seconds / max(wall, 1e-9):>6.1f} %")
        rest = wall - sum(totals.values())
        print(f"  {'(outside stages)':<16}{rest:>9.3f} s {100 * rest / max(wall, 1e-9):>6.1f} %")
        print()


def startup() -> None:
    """Seconds to ``import barreader`` and to the first result, in fresh processes with a warm numba cache."""
    image = REPO / "examples" / "upca_sharp.png"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    code = ("import time; t = time.perf_counter(); import barreader; t1 = time.perf_counter(); "
            f"barreader.read({str(image)!r}); print(t1 - t, time.perf_counter() - t)")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)  # warm the cache
    runs = []
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        runs.append([float(v) for v in done.stdout.split()])
    imports, firsts = zip(*runs)
    print(f"fresh process, warm numba cache (median of 3): import barreader {statistics.median(imports):.2f} s, "
          f"first result {statistics.median(firsts):.2f} s after the start of the import")


def main(argv=None) -> int:
    args = parse_args(argv)
    readers = [r for r in make_readers(args.readers, args.symbologies) if r.available]
    print_environment(environment(readers))
    if args.startup:
        startup()
    if not args.data:
        args.data = [default_data_root() / name for name in DEFAULT_SETS]
    rows = load_rows(args)
    if not rows or not readers:
        print("nothing to time (no data or no reader)")
        return 0
    names = [r.name for r in readers]
    records = run(rows, readers, args.repeat, args.profile, args.limit, args.megapixels)
    tables = {}
    for size in args.megapixels or [None]:
        sized = [r for r in records if r["megapixels"] == size]
        tables["as is" if size is None else f"{size:g} MP"] = table = summary(sized, names)
        print()
        if size is not None:
            print(f"== every image resampled to {size:g} megapixels")
        print_summary(table, names)
        if args.profile:
            print_stages(sized, names)
    if len(args.megapixels) > 1:
        print_growth(records, names, args.megapixels)
    if args.json:
        args.json.write_text(json.dumps({"summary": tables, "images": records}, indent=1))
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
