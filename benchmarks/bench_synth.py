"""Benchmark barcode readers on synthetic codes swept over blur, resolution, noise and angle.

Codes are drawn with ``barreader.synth``: half UPC-A, half EAN-13, random
valid texts, a random sub-pixel phase and a 20-pixel light margin around the
quiet zone. Within one run every reader sees the same images. For every
setting and reader the tables give the decode rate, the number of images with
a wrong text and the median time per image.

Run ``python benchmarks/bench_synth.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from _env import csv_list, environment, print_environment
from _readers import ALL_READER_NAMES, READER_NAMES, SYMBOLOGIES, UPCEAN, make_readers, normalize_text, timed_read

#: Light border around the rendered code, in pixels.
BACKGROUND_MARGIN = 20

#: Sweeps: the swept render_code parameter, its values, and the fixed ones.
SWEEPS = {
    "blur": {
        "param": "blur",
        "label": "blur sigma (modules)",
        "values": [0.0, 0.3, 0.5, 0.7, 0.85, 1.0, 1.1, 1.25],
        "fixed": {"px_per_module": 3.0, "noise": 0.02},
    },
    "resolution": {
        "param": "px_per_module",
        "label": "pixels per module",
        "values": [0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0],
        "fixed": {"blur": 0.3, "noise": 0.02},
    },
    "noise": {
        "param": "noise",
        "label": "noise sigma (fraction of contrast)",
        "values": [0.02, 0.05, 0.1, 0.15, 0.2, 0.25],
        "fixed": {"px_per_module": 3.0, "blur": 0.3},
    },
    "angle": {
        "param": "angle",
        "label": "rotation (degrees, clockwise)",
        "values": [float(a) for a in range(0, 360, 15)],
        "fixed": {"px_per_module": 3.0, "blur": 0.3, "noise": 0.02},
    },
    "module": {
        "param": "px_per_module",
        "label": "pixels per module, in a 1600x1200 scene",
        "values": [4.0, 6.0, 8.0, 12.0, 16.0, 20.0],
        "fixed": {"blur": 0.3, "noise": 0.02},
        "canvas": (1200, 1600),
    },
}

#: The formats drawn, alternating; names as barreader.Format values.
DRAWN_FORMATS = (("UPC-A", "upca"), ("EAN-13", "ean13"))


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
        description="Decode rate, wrong reads and time of each reader on synthetic UPC-A/EAN-13 "
        "codes, swept over blur, resolution, noise or rotation.",
    )
    p.add_argument(
        "--sweep",
        choices=[*SWEEPS, "all"],
        default="all",
        help="which parameter to sweep (default: all)",
    )
    p.add_argument("--n", type=int, default=100, help="codes per setting, half UPC-A and half EAN-13 (default: 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed for texts, phases and noise (default: 0)")
    p.add_argument(
        "--readers",
        type=csv_list,
        default=list(READER_NAMES),
        help=f"comma-separated readers, from {','.join(ALL_READER_NAMES)} (default: {','.join(READER_NAMES)})",
    )
    p.add_argument(
        "--symbologies",
        type=csv_list,
        default=list(UPCEAN),
        help=f"symbologies every reader is told to look for (default: {','.join(UPCEAN)}); "
        "a text read as any other code counts as wrong",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="PNG",
        help="save decode rate against the swept parameter for every reader here, e.g. "
        "docs/figures/blur_sweep.png (folders are created)",
    )
    p.add_argument("--json", type=Path, metavar="OUT", help="save the per-setting results to this JSON file")
    args = p.parse_args(argv)
    unknown = [r for r in args.readers if r not in ALL_READER_NAMES]
    if unknown:
        p.error(f"unknown reader {', '.join(unknown)}; known: {', '.join(ALL_READER_NAMES)}")
    unknown = [s for s in args.symbologies if s not in SYMBOLOGIES]
    if unknown:
        p.error(f"unknown symbology {', '.join(unknown)}; known: {', '.join(SYMBOLOGIES)}")
    if args.n < 1:
        p.error("--n must be at least 1")
    return args


def import_synth():
    """Import ``barreader.synth`` lazily.

    Returns
    -------
    tuple
        ``(render_code, random_text)``.

    Raises
    ------
    ImportError
        With a message saying what is missing.
    """
    try:
        from barreader.synth import random_text, render_code
    except Exception as exc:  # noqa: BLE001 - any failure means the sweeps cannot run
        raise ImportError(f"bench_synth needs barreader.synth (render_code, random_text): {exc!r}") from exc
    return render_code, random_text


def place_in_scene(code: np.ndarray, canvas: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The code pasted at a random place of a light, faintly textured scene of ``canvas`` (rows, columns) pixels.

    A code wider or taller than the scene is scaled down (area averaging) to 90 % of it.
    """
    import cv2

    height, width = canvas
    scale = min(1.0, 0.9 * width / code.shape[1], 0.9 * height / code.shape[0])
    if scale < 1.0:
        code = cv2.resize(code, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    scene = np.clip(rng.normal(200.0, 6.0, (height, width)), 0, 255)
    scene = cv2.GaussianBlur(scene, (0, 0), 3.0)
    top = int(rng.integers(0, height - code.shape[0] + 1))
    left = int(rng.integers(0, width - code.shape[1] + 1))
    scene[top : top + code.shape[0], left : left + code.shape[1]] = code
    return scene.astype(np.uint8)


def render_setting(render_code, random_text, n: int, params: dict, rng: np.random.Generator,
                   canvas: tuple[int, int] | None = None) -> list[tuple]:
    """Render the images of one setting.

    Parameters
    ----------
    render_code, random_text : callable
        From ``barreader.synth``.
    n : int
        Number of codes; formats alternate UPC-A, EAN-13.
    params : dict
        Keyword arguments for ``render_code`` (blur, noise, px_per_module).
    rng : numpy.random.Generator
    canvas : (int, int), optional
        Place each code in a scene of this many rows and columns
        (:func:`place_in_scene`).

    Returns
    -------
    list of (ndarray, str)
        Image and normalized expected text per code.
    """
    images = []
    for i in range(n):
        fmt, family = DRAWN_FORMATS[i % len(DRAWN_FORMATS)]
        code = render_code(
            random_text(fmt, rng),
            fmt,
            phase=float(rng.uniform(0.0, 1.0)),
            background_margin=BACKGROUND_MARGIN,
            rng=rng,
            **params,
        )
        image = code.image if canvas is None else place_in_scene(code.image, canvas, rng)
        images.append((image, normalize_text(code.text, family)))
    return images


def read_setting(readers: list, images: list[tuple]) -> tuple[dict, list[str]]:
    """Let every reader read every image of one setting.

    Parameters
    ----------
    readers : list of _readers.Reader
    images : list of (ndarray, str)
        From :func:`render_setting`.

    Returns
    -------
    dict
        Reader name -> ``rate`` (%), ``read``, ``wrong``, ``errors``, ``median_ms``.
    list of str
        Exception messages, one per failed read.
    """
    stats, problems = {}, []
    for reader in readers:
        read = wrong = errors = 0
        times = []
        for k, (image, expected) in enumerate(images):
            out = timed_read(reader, image)
            times.append(out["ms"])
            if out["error"]:
                errors += 1
                problems.append(f"{reader.name} on image {k}: {out['error']}")
                continue
            texts = [normalize_text(text, family) for text, family in out["results"]]
            read += expected in texts
            wrong += any(text != expected for text in texts)
        stats[reader.name] = {
            "rate": 100.0 * read / len(images),
            "read": read,
            "wrong": wrong,
            "errors": errors,
            "median_ms": float(np.median(times)),
        }
    return stats, problems


def run_sweep(name: str, readers: list, synth: tuple, n: int, seed: int) -> list[dict]:
    """Run one sweep and print its table.

    Parameters
    ----------
    name : str
        Key of :data:`SWEEPS`.
    readers : list of _readers.Reader
    synth : tuple
        ``(render_code, random_text)``.
    n : int
        Codes per setting.
    seed : int

    Returns
    -------
    list of dict
        Per setting: ``value`` and ``readers`` (name -> stats).
    """
    sweep = SWEEPS[name]
    sweep_index = list(SWEEPS).index(name)
    fixed = ", ".join(f"{k}={v}" for k, v in sweep["fixed"].items())
    print(f"Sweep {name}: {sweep['label']}; {fixed}; n={n} per setting (UPC-A/EAN-13 alternating), seed {seed}")
    names = [r.name for r in readers]
    print(f"{sweep['param']:>14}" + "".join(f"{n_:>22}" for n_ in names))
    print(f"{'':>14}" + "".join(f"{'rate%':>9}{'wrong':>6}{'ms':>7}" for _ in names))
    results = []
    for value_index, value in enumerate(sweep["values"]):
        rng = np.random.default_rng([seed, sweep_index, value_index])
        params = dict(sweep["fixed"], **{sweep["param"]: value})
        images = render_setting(*synth, n, params, rng, sweep.get("canvas"))
        if value_index == 0:  # first calls may compile or allocate; keep them out of the timings
            for reader in readers:
                timed_read(reader, images[0][0])
        stats, problems = read_setting(readers, images)
        cells = "".join(
            f"{stats[r]['rate']:>9.1f}{stats[r]['wrong']:>6}{stats[r]['median_ms']:>7.2f}" for r in names
        )
        print(f"{value:>14g}{cells}")
        for message in problems:
            print(f"    ERROR {message}")
        results.append({"value": value, "params": params, "readers": stats, "errors": problems})
    print()
    return results


def plot(sweeps: dict[str, list[dict]], names: list[str], path: Path) -> None:
    """Save decode rate against each swept parameter, one line per reader.

    Parameters
    ----------
    sweeps : dict
        Sweep name -> output of :func:`run_sweep`.
    names : list of str
        Reader names.
    path : Path
        PNG file to write; its folder is created.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(sweeps), figsize=(5.5 * len(sweeps), 4), squeeze=False)
    for ax, (sweep_name, results) in zip(axes[0], sweeps.items()):
        x = [r["value"] for r in results]
        for name in names:
            ax.plot(x, [r["readers"][name]["rate"] for r in results], marker="o", label=name)
        ax.set_xlabel(SWEEPS[sweep_name]["label"])
        ax.set_ylabel("decode rate (%)")
        ax.set_ylim(-3, 103)
        fixed = ", ".join(f"{k}={v}" for k, v in SWEEPS[sweep_name]["fixed"].items())
        ax.set_title(f"{sweep_name} sweep ({fixed})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Run the sweeps; returns the process exit code."""
    args = parse_args(argv)
    readers = make_readers(args.readers, args.symbologies)
    env = environment(readers)
    print_environment(env)
    try:
        synth = import_synth()
    except ImportError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    for reader in readers:
        if not reader.available:
            print(f"SKIP {reader.name}: {reader.reason}")
    readers = [r for r in readers if r.available]
    if not readers:
        print("No reader is available; nothing to do.")
        return 0
    print(f"symbologies: {','.join(args.symbologies)}; rate = images whose text was read, "
          "wrong = images with any other text\n")

    names = [r.name for r in readers]
    chosen = list(SWEEPS) if args.sweep == "all" else [args.sweep]
    sweeps = {name: run_sweep(name, readers, synth, args.n, args.seed) for name in chosen}

    if args.plot:
        plot(sweeps, names, args.plot)
        print(f"saved {args.plot}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"environment": env, "options": vars(args) | {"plot": str(args.plot), "json": str(args.json)},
                   "sweeps": sweeps}
        args.json.write_text(json.dumps(payload, indent=1))
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
