"""Throughput of barreader.read_many with 1, 2, ... worker processes on the shared photos, and its results checked.

Usage::

    python benchmarks/bench_batch.py [DATA ...] [--workers 1,2] [--effort normal] [--limit 0]

Every image of the manifests (all symbologies, and the negatives) goes
through ``read_many`` once per worker count, as paths, the pool started
inside the timed span; each run's results (texts, formats, corners) are
compared image by image with the first run's. Prints images per second
per worker count and the speed-up over the first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _env import csv_list, environment, print_environment  # noqa: E402
from _manifest import default_data_root, find_manifest_folders, load_manifest  # noqa: E402

DEFAULT_SETS = ("zxing", "zxing-cpp", "quagga2", "negatives")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", nargs="*", type=Path, help="manifest folders or data folders (default: the shared sets)")
    p.add_argument("--workers", type=lambda s: [int(v) for v in csv_list(s)], default=[1, 2],
                   help="comma-separated worker counts (default: 1,2)")
    p.add_argument("--effort", default="normal", help="read effort (default: normal)")
    p.add_argument("--limit", type=int, default=0, help="at most this many images (0: all)")
    args = p.parse_args(argv)
    if any(w < 1 for w in args.workers):
        p.error("--workers must be positive")
    return args


def _summary(result) -> object:
    if isinstance(result, Exception):
        return f"{type(result).__name__}: {result}"
    return [(c.text, c.format.value, np.round(np.asarray(c.position), 6).tolist()) for c in result]


def main(argv=None) -> int:
    import barreader

    args = parse_args(argv)
    print_environment(environment([]))
    folders = [f for d in (args.data or [default_data_root() / s for s in DEFAULT_SETS]) for f in find_manifest_folders(d)]
    paths = [str(row.path) for folder in folders for row in load_manifest(folder) if row.path.is_file()]
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print("nothing to read (no data)")
        return 0
    print(f"{len(paths)} images from {len(folders)} manifest folders; effort {args.effort}")
    first = None
    rates = {}
    for workers in args.workers:
        start = time.perf_counter()
        results = {source: _summary(result) for source, result in
                   barreader.read_many(paths, workers=workers, effort=args.effort, progress=sys.stderr.isatty())}
        seconds = time.perf_counter() - start
        rates[workers] = len(paths) / seconds
        same = "" if first is None else f"; results differ from {args.workers[0]} worker(s) on " \
            f"{sum(results[p] != first[p] for p in paths)} images"
        first = first or results
        read = sum(isinstance(r, list) and bool(r) for r in results.values())
        print(f"workers {workers}: {seconds:.1f} s, {rates[workers]:.2f} images/s, "
              f"speed-up {rates[workers] / rates[args.workers[0]]:.2f}, {read} images with a code{same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
