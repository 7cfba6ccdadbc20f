"""Throughput of barreader.read_many with 1, 2, ... worker processes on the shared photos, and its results checked.

Usage::

    python benchmarks/bench_batch.py [DATA ...] [--workers 1,2] [--effort normal] [--limit 0] [--dask]

Every image of the manifests (all symbologies, and the negatives) goes
through ``read_many`` once per worker count, as paths, the pool started
inside the timed span; with ``--dask``, also through
``barreader.dask.collect`` on a ``distributed.LocalCluster`` of as many
single-threaded worker processes (started outside the timed span). Each
run's results (texts, formats, corners) are compared image by image with
the first run's. Prints images per second per run and the speed-up over
the first.
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
    p.add_argument("--dask", action="store_true", help="also on a distributed LocalCluster of each worker count")
    args = p.parse_args(argv)
    if any(w < 1 for w in args.workers):
        p.error("--workers must be positive")
    return args


def _summary(result) -> object:
    if isinstance(result, Exception):
        return f"{type(result).__name__}: {result}"
    return [(c.text, c.format.value, np.round(np.asarray(c.position), 6).tolist()) for c in result]


def _timed(kind: str, workers: int, paths: list[str], effort: str) -> tuple[float, dict]:
    import barreader

    if kind == "read_many":
        start = time.perf_counter()
        pairs = list(barreader.read_many(paths, workers=workers, effort=effort, progress=sys.stderr.isatty()))
        return time.perf_counter() - start, {source: _summary(result) for source, result in pairs}
    import dask

    import barreader.dask
    from distributed import Client, LocalCluster

    # The workers' statistical profiler and frequent event-loop ticks take the GIL from the reads.
    quiet = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s"}
    with dask.config.set(quiet), LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                              dashboard_address=None) as cluster, Client(cluster) as client:
        barreader.dask.collect(paths[:workers], client=client, effort=effort)  # workers import barreader
        start = time.perf_counter()
        pairs = barreader.dask.collect(paths, client=client, effort=effort, npartitions=max(1, len(paths) // 10))
        return time.perf_counter() - start, {source: _summary(result) for source, result in pairs}


def main(argv=None) -> int:
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
    runs = [("read_many", w) for w in args.workers] + ([("dask", w) for w in args.workers] if args.dask else [])
    first, base = None, None
    for kind, workers in runs:
        seconds, results = _timed(kind, workers, paths, args.effort)
        rate = len(paths) / seconds
        base = base or rate
        same = "" if first is None else f"; results differ from the first run on {sum(results[p] != first[p] for p in paths)} images"
        first = first or results
        read = sum(isinstance(r, list) and bool(r) for r in results.values())
        print(f"{kind:<10} workers {workers}: {seconds:.1f} s, {rate:.2f} images/s, speed-up {rate / base:.2f}, "
              f"{read} images with a code{same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
