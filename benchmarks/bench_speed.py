"""Speed of barreader: one scanline decode, one photo, a fresh process.

Usage::

    python benchmarks/bench_speed.py [--repeat 5] [--data ../shared/data]

Prints, single-threaded after JIT warm-up unless said otherwise:

* median ms of one first-stage decode (one layout, one endpoint hypothesis)
  and of a whole scanline (extents, every layout, verification) on
  synthetic UPC-A/EAN-13 profiles;
* median ms per image over the 640x480 photographs of the zxing set and over
  synthetic 640x480 scenes;
* seconds from process start to the first result in a fresh process with a
  warm numba cache, and with a cold one (the one-off compile time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import barreader  # noqa: E402
from _env import environment, print_environment  # noqa: E402
from _readers import make_readers  # noqa: E402
from _manifest import default_data_root, load_gray  # noqa: E402
from barreader.decode.upcean import LAYOUTS, DecoderOptions, decode_extent  # noqa: E402
from barreader.formats import Format  # noqa: E402
from barreader.image import to_gray  # noqa: E402
from barreader.reader import _decode_scanline  # noqa: E402
from barreader.scanline import find_extents, sample_profile  # noqa: E402
from barreader.synth import random_text, render_code, render_scene  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def scanline_timings(repeat: int, count: int = 40) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    formats = frozenset(Format)
    one, whole = [], []
    for i in range(count):
        fmt = Format.UPCA if i % 2 else Format.EAN13
        code = render_code(random_text(fmt, rng), fmt, px_per_module=rng.uniform(2, 3), blur=0.3, noise=0.02,
                           phase=rng.uniform(), background_margin=20, rng=rng)
        gray = to_gray(code.image)
        y = float(code.corners[:, 1].mean())
        line = sample_profile(gray, (0, y), (gray.shape[1] - 1, y), 2)
        extent = find_extents(line.profile)[0]
        decode_extent(line.profile, extent.start, extent.end, LAYOUTS["ean13"], formats, DecoderOptions())
        one.append(median_ms(lambda: decode_extent(line.profile, extent.start, extent.end, LAYOUTS["ean13"], formats, DecoderOptions()), repeat))
        whole.append(median_ms(lambda: _decode_scanline(line, formats, DecoderOptions()), repeat))
    return statistics.median(one), statistics.median(whole)


def photo_timings(images: list[np.ndarray], repeat: int) -> list[float]:
    for image in images[:2]:
        barreader.read(image)
    return [median_ms(lambda image=image: barreader.read(image), repeat) for image in images]


def first_read_seconds(image_path: Path, cache_dir: str | None) -> tuple[float, float]:
    """Wall time of a fresh interpreter reading one image, and the time from ``import barreader`` on."""
    code = (
        "import time; t = time.perf_counter(); import barreader; "
        f"barreader.read({str(image_path)!r}); print(time.perf_counter() - t)"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    total = time.perf_counter() - start
    return total, float(done.stdout.strip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is kept")
    parser.add_argument("--data", type=Path, default=default_data_root(), help="folder holding the zxing set")
    args = parser.parse_args(argv)
    print_environment(environment(make_readers(["barreader"], ["upca", "ean13", "ean8", "upce"])))

    one, whole = scanline_timings(args.repeat)
    print(f"scanline, first-stage decode of one layout (median of 40 profiles): {one:.2f} ms")
    print(f"scanline, every layout + verification (median of 40 profiles):     {whole:.2f} ms")

    photos = sorted((args.data / "zxing").glob("*/*.png")) if (args.data / "zxing").exists() else []
    images = [load_gray(p) for p in photos]
    images = [im for im in images if im.shape == (480, 640)]
    if images:
        times = photo_timings(images, args.repeat)
        print(f"zxing photos 640x480: {len(images)} images, median {statistics.median(times):.1f} ms, "
              f"mean {statistics.mean(times):.1f} ms, max {max(times):.1f} ms")
    else:
        print("zxing photos: data not found, skipped")
    rng = np.random.default_rng(1)
    scenes = [render_scene(2, size=(480, 640), blur=(0.0, 0.4), rng=rng).image for _ in range(20)]
    times = photo_timings(scenes, args.repeat)
    print(f"synthetic scenes 640x480 (2 codes each): median {statistics.median(times):.1f} ms")

    target = REPO / "examples" / "upca_sharp.png"
    first_read_seconds(target, None)  # make sure the default cache is warm
    total, inside = first_read_seconds(target, None)
    print(f"fresh process, warm numba cache: first result {inside:.2f} s after start of import ({total:.2f} s wall incl. interpreter)")
    with tempfile.TemporaryDirectory() as cold:
        total, inside = first_read_seconds(target, cold)
    print(f"fresh process, cold numba cache (compiles every kernel): {inside:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
