"""Benchmark barcode readers on photographs listed in manifest folders.

Every selected image is read by every available reader. A read is *correct*
when one of its results equals the expected text after normalization (see
``_readers.normalize_text``: UPC-A, EAN-13 and UPC-E compare as GTIN-13, EAN-8
as 8 digits, add-on digits after an expected EAN-13/UPC-A are ignored). It is
*wrong* when at least one result differs from the expected text (a second,
different barcode in the picture counts too). On negatives (empty expected
text) any result is a false positive.

Run ``python benchmarks/bench_real.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from _env import csv_list, environment, print_environment
from _manifest import (
    count_addons,
    default_data_root,
    find_manifest_folders,
    is_tekin_coughlan,
    load_gray,
    load_manifest,
    load_tekin_coughlan,
    select_rows,
)
from _readers import ALL_READER_NAMES, READER_NAMES, SYMBOLOGIES, UPCEAN, make_readers, normalize_text, timed_read

#: The zxing folders of blurry images from a fixed-focus camera.
BLURRED_FOLDERS = ("upca-6", "ean13-5")

#: Default data: the zxing photographs and the negatives.
DEFAULT_SETS = ("zxing", "negatives")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    argparse.Namespace
    """
    p = argparse.ArgumentParser(
        description="Read every image of one or more manifest folders with each reader and "
        "tabulate correct reads, wrong reads and time per image.",
    )
    p.add_argument(
        "data",
        nargs="*",
        type=Path,
        help="manifest folders (holding manifest.csv), manifest.csv files, a data folder whose "
        "sub-folders hold manifests (all of them are used), or a folder in the Tekin-Coughlan UPC "
        "sets' layout (Clean/ and Hard/, each file named by its UPC-A: 075403333574Xb.jpg). Default: the "
        f"{' and '.join(DEFAULT_SETS)} sets under {default_data_root()}",
    )
    p.add_argument(
        "--symbologies",
        type=csv_list,
        default=list(UPCEAN),
        help=f"comma-separated symbologies to benchmark, from {','.join(SYMBOLOGIES)} "
        f"(default: {','.join(UPCEAN)}). Every reader is restricted to "
        "these; positive rows of other symbologies are skipped, negatives are always kept",
    )
    p.add_argument(
        "--readers",
        type=csv_list,
        default=list(READER_NAMES),
        help=f"comma-separated readers, from {','.join(ALL_READER_NAMES)} (default: {','.join(READER_NAMES)})",
    )
    p.add_argument(
        "--repeat", type=int, default=1, help="runs per image and reader; the median time is kept (default: 1)"
    )
    p.add_argument(
        "--json", type=Path, metavar="OUT", help="save every result (per image and reader) to this JSON file"
    )
    p.add_argument(
        "--folders",
        type=csv_list,
        help="only these folders (glob patterns on the folder, e.g. upca-6,ean13-5, or on dataset/folder)",
    )
    p.add_argument(
        "--exclude-folders",
        type=csv_list,
        default=["*extension*"],
        help="skip folders matching these glob patterns (default: *extension*, the add-on test "
        "folders; pass '' to keep them)",
    )
    p.add_argument(
        "--scale",
        type=csv_list,
        default=["1"],
        help="comma-separated factors every image is resampled by before reading (bicubic up, area "
        "averaging down), one table each, e.g. 1,2,3 (default: 1)",
    )
    p.add_argument("--show-misses", action="store_true", help="list every missed, wrong and false-positive image")
    args = p.parse_args(argv)
    try:
        args.scale = [float(v) for v in args.scale]
    except ValueError:
        p.error(f"--scale takes numbers, got {','.join(args.scale)}")
    if any(v <= 0 for v in args.scale):
        p.error("--scale factors must be positive")
    unknown = [s for s in args.symbologies if s not in SYMBOLOGIES]
    if unknown:
        p.error(f"unknown symbology {', '.join(unknown)}; known: {', '.join(SYMBOLOGIES)}")
    unknown = [r for r in args.readers if r not in ALL_READER_NAMES]
    if unknown:
        p.error(f"unknown reader {', '.join(unknown)}; known: {', '.join(ALL_READER_NAMES)}")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    return args


def load_rows(args: argparse.Namespace) -> list:
    """Find, load and filter the rows to benchmark, printing what was used.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`parse_args`.

    Returns
    -------
    list of _manifest.Row
        Empty if no data was found.
    """
    paths = args.data or [default_data_root() / name for name in DEFAULT_SETS]
    folders = []
    layouts = []
    for path in paths:
        if is_tekin_coughlan(path):
            layouts.append(path)
            continue
        found = find_manifest_folders(path)
        if not found:
            print(f"NOTE: no manifest.csv in or under {path} (data folder absent?); skipping it")
        folders += found
    rows = []
    for folder in [*folders, *layouts]:
        loaded = load_tekin_coughlan(folder) if folder in layouts else load_manifest(folder)
        kept = select_rows(loaded, args.symbologies, args.folders, args.exclude_folders)
        dropped = select_rows(loaded, args.symbologies, args.folders, ())
        excluded = len(dropped) - len(kept)
        note = f", {excluded} in folders matching {','.join(args.exclude_folders)} left out" if excluded else ""
        print(f"data: {folder}: {len(kept)} of {len(loaded)} rows{note}")
        rows += kept
    addons = count_addons(rows)
    if addons:
        print(
            f"NOTE: {addons} expected texts carry add-on digits; "
            "they are compared on the main symbol's 13 digits only"
        )
    return rows


def score(row, results: list[tuple[str, str]]) -> dict:
    """Judge one reader's results on one image.

    Parameters
    ----------
    row : _manifest.Row
    results : list of (str, str)
        ``(text, family)`` as the reader returned them.

    Returns
    -------
    dict
        ``texts`` (as returned), ``normalized``, ``correct`` and ``wrong``.
    """
    normalized = [normalize_text(text, family) for text, family in results]
    if row.negative:
        correct, wrong = not normalized, bool(normalized)
    else:
        correct = row.expected in normalized
        wrong = any(text != row.expected for text in normalized)
    return {
        "texts": [text for text, _ in results],
        "families": [family for _, family in results],
        "normalized": normalized,
        "correct": correct,
        "wrong": wrong,
    }


def resample(gray: np.ndarray, scale: float) -> np.ndarray:
    """``gray`` resampled by ``scale``: bicubic when enlarging, area averaging when reducing."""
    if scale == 1.0:
        return gray
    import cv2

    interpolation = cv2.INTER_CUBIC if scale > 1.0 else cv2.INTER_AREA
    height, width = gray.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(gray, size, interpolation=interpolation)


def run(rows: list, readers: list, repeat: int, scale: float = 1.0) -> list[dict]:
    """Read every image with every reader.

    Parameters
    ----------
    rows : list of _manifest.Row
    readers : list of _readers.Reader
        Available readers only.
    repeat : int
        Runs per image and reader (median time kept).
    scale : float
        Factor every image is resampled by first (:func:`resample`).

    Returns
    -------
    list of dict
        One record per image that could be loaded: the row's fields plus
        ``readers`` (name -> score, ``ms``, ``ms_runs``, ``error``) or, for an
        unreadable file, ``load_error``.
    """
    records = []
    tty = sys.stderr.isatty()
    warmed = False
    for i, row in enumerate(rows):
        if tty:
            print(f"\r[{i + 1}/{len(rows)}] {row.label}            ", end="", file=sys.stderr, flush=True)
        record = {
            "file": row.file,
            "dataset": row.dataset,
            "folder": row.folder,
            "symbology": row.symbology,
            "expected": row.expected,
            "expected_raw": row.expected_raw,
            "negative": row.negative,
        }
        try:
            gray = resample(load_gray(row.path), scale)
        except OSError as exc:
            record["load_error"] = str(exc)
            records.append(record)
            continue
        record["shape"] = list(gray.shape)
        if not warmed:  # first calls may compile or allocate; keep them out of the timings
            for reader in readers:
                timed_read(reader, gray)
            warmed = True
        record["readers"] = {}
        for reader in readers:
            out = timed_read(reader, gray, repeat)
            entry = score(row, out["results"])
            entry.update(ms=out["ms"], ms_runs=out["ms_runs"], error=out["error"])
            if out["error"]:
                entry["correct"] = entry["wrong"] = False
            record["readers"][reader.name] = entry
        records.append(record)
    if tty:
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)
    return records


def summarize(records: list[dict], names: list[str]) -> dict:
    """Counts per reader: read, wrong, false positives, errors and timings.

    Parameters
    ----------
    records : list of dict
        From :func:`run`.
    names : list of str
        Reader names.

    Returns
    -------
    dict
        Reader name -> summary dict.
    """
    done = [r for r in records if "readers" in r]
    pos = [r for r in done if not r["negative"]]
    neg = [r for r in done if r["negative"]]
    blurred = [r for r in pos if r["folder"] in BLURRED_FOLDERS]
    summary = {}
    for name in names:
        ms = np.array([r["readers"][name]["ms"] for r in done]) if done else np.zeros(0)
        slowest = max(done, key=lambda r: r["readers"][name]["ms"]) if done else None
        summary[name] = {
            "images": len(pos),
            "read": sum(r["readers"][name]["correct"] for r in pos),
            "wrong": sum(r["readers"][name]["wrong"] for r in pos),
            "negatives": len(neg),
            "false_positives": sum(r["readers"][name]["wrong"] for r in neg),
            "blurred_images": len(blurred),
            "blurred_read": sum(r["readers"][name]["correct"] for r in blurred),
            "errors": sum(bool(r["readers"][name]["error"]) for r in done),
            "median_ms": float(np.median(ms)) if ms.size else None,
            "mean_ms": float(ms.mean()) if ms.size else None,
            "max_ms": float(ms.max()) if ms.size else None,
            "slowest": f"{slowest['dataset']}/{slowest['file']}" if slowest else None,
        }
    return summary


def _group(records: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        groups[f"{r['dataset']}/{r['folder']}"].append(r)
    return dict(groups)


def print_tables(records: list[dict], names: list[str], summary: dict) -> None:
    """Print the per-folder tables, totals, blurred-folder line and timings."""
    done = [r for r in records if "readers" in r]
    pos = [r for r in done if not r["negative"]]
    neg = [r for r in done if r["negative"]]
    width = max([len(k) for k in _group(done)] + [28])
    cell = 16

    if pos:
        print("Positives: read = images where a result equals the expected text; "
              "wrong = images with at least one other text")
        print(f"{'folder':<{width}} {'n':>4} " + "".join(f"{n:>{cell}}" for n in names))
        print(f"{'':<{width}} {'':>4} " + "".join(f"{'read':>9}{'wrong':>7}" for _ in names))
        for label, group in sorted(_group(pos).items()):
            cells = "".join(
                f"{sum(r['readers'][n]['correct'] for r in group):>5}/{len(group):<3}"
                f"{sum(r['readers'][n]['wrong'] for r in group):>7}"
                for n in names
            )
            print(f"{label:<{width}} {len(group):>4} {cells}")
        print("-" * (width + 6 + cell * len(names)))
        cells = "".join(f"{summary[n]['read']:>5}/{len(pos):<3}{summary[n]['wrong']:>7}" for n in names)
        print(f"{'total':<{width}} {len(pos):>4} {cells}")
        rates = "".join(f"{100 * summary[n]['read'] / len(pos):>8.1f}%{'':>7}" for n in names)
        print(f"{'read rate':<{width}} {'':>4} {rates}")
        print()

    if neg:
        print("Negatives: images from which anything was read (false positives)")
        print(f"{'folder':<{width}} {'n':>4} " + "".join(f"{n:>{cell}}" for n in names))
        for label, group in sorted(_group(neg).items()):
            cells = "".join(f"{sum(r['readers'][n]['wrong'] for r in group):>{cell}}" for n in names)
            print(f"{label:<{width}} {len(group):>4} {cells}")
        cells = "".join(f"{summary[n]['false_positives']:>{cell}}" for n in names)
        print(f"{'total':<{width}} {len(neg):>4} {cells}")
        print()

    blurred_n = summary[names[0]]["blurred_images"] if names else 0
    if blurred_n:
        parts = ", ".join(f"{n} {summary[n]['blurred_read']}/{blurred_n}" for n in names)
        print(f"Blurred folders ({' + '.join(BLURRED_FOLDERS)}, {blurred_n} images): {parts}")
        print()

    print("Time per image in ms (each image: median of its --repeat runs; then median/mean/max over all images)")
    print(f"{'reader':<12}{'median':>9}{'mean':>9}{'max':>9}{'errors':>8}  slowest image")
    for n in names:
        s = summary[n]
        if s["median_ms"] is None:
            continue
        print(f"{n:<12}{s['median_ms']:>9.2f}{s['mean_ms']:>9.2f}{s['max_ms']:>9.1f}{s['errors']:>8}  {s['slowest']}")
    print()


def print_problems(records: list[dict], names: list[str], show_misses: bool) -> None:
    """Print unreadable files, reader exceptions and, optionally, every miss."""
    for r in records:
        if "load_error" in r:
            print(f"UNREADABLE IMAGE (skipped): {r['dataset']}/{r['file']}: {r['load_error']}")
    for n in names:
        errors = [r for r in records if "readers" in r and r["readers"][n]["error"]]
        for r in errors:
            print(f"ERROR {n} on {r['dataset']}/{r['file']}: {r['readers'][n]['error']}")
    if not show_misses:
        return
    for n in names:
        print(f"\n{n}: misses, wrong reads and false positives")
        for r in records:
            e = r.get("readers", {}).get(n)
            if e is None or (e["correct"] and not e["wrong"]):
                continue
            kind = "FALSE+" if r["negative"] else ("WRONG " if e["wrong"] else "MISS  ")
            got = ", ".join(e["texts"]) or "-"
            print(f"  {kind} {r['dataset']}/{r['file']:<28} expected {r['expected'] or '(nothing)':<14} got {got}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the process exit code."""
    args = parse_args(argv)
    readers = make_readers(args.readers, args.symbologies)
    env = environment(readers)
    print_environment(env)
    for reader in readers:
        if not reader.available:
            print(f"SKIP {reader.name}: {reader.reason}")
        elif reader.unsupported:
            print(f"NOTE {reader.name} cannot read {', '.join(reader.unsupported)}; those rows count as misses")
    readers = [r for r in readers if r.available]
    print(f"symbologies: {','.join(args.symbologies)}; UPC-A/EAN-13/UPC-E compared as GTIN-13, EAN-8 as 8 digits")

    rows = load_rows(args)
    print()
    if not rows:
        print("No images to benchmark (no data found or nothing selected); nothing to do.")
        return 0
    if not readers:
        print("No reader is available; nothing to do.")
        return 0

    names = [r.name for r in readers]
    by_scale = {}
    for scale in args.scale:
        if len(args.scale) > 1 or scale != 1.0:
            print(f"== every image resampled by {scale:g}")
        records = run(rows, readers, args.repeat, scale)
        summary = summarize(records, names)
        print_tables(records, names, summary)
        print_problems(records, names, args.show_misses)
        by_scale[f"{scale:g}"] = {"summary": summary, "images": records}

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "environment": env,
            "options": {
                "symbologies": args.symbologies,
                "readers": names,
                "repeat": args.repeat,
                "folders": args.folders,
                "exclude_folders": args.exclude_folders,
                "scale": args.scale,
            },
            "summary": summary,
            "images": records,
        }
        if len(by_scale) > 1:
            payload["scales"] = by_scale
        args.json.write_text(json.dumps(payload, indent=1))
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
