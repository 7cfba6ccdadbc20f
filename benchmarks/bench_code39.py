"""Code 39 recovery benchmark: licence-like cards beyond plain reading, recovered with their pattern.

Each card (``barreader.synth.render_licence_card``) carries an invented
Finnish identity code ``*DDMMYY-ZZZQ*`` as a Code 39 at 2 pixels per narrow
element, wide:narrow 2.75, the whole card blurred with a Gaussian of
``--blur`` narrow widths, Gaussian noise 0.02, and turned by a random angle
in [-10°, 10°]. A second set adds a smudge: a dark, 70 % opaque blob over
20 % of the code's length. For each card:

* barreader: ``barreader.code39.recover(image, pattern, check="hetu")``,
  finding the code itself (no region given): exactly right, wrong, or
  none, and ms per recovery (median; after a warm-up);
* the peers (zxing-cpp, ZBar) read the same image for Code 39, and
  barreader's own plain ``read``.

Usage::

    python benchmarks/bench_code39.py [--cards 50] [--blur 1.5] [--seed 0] [--json out.json]
        [--figure docs/figures/code39_recovery.png]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _env import csv_list, environment, print_environment  # noqa: E402
from _readers import make_readers, normalize_text, timed_read  # noqa: E402

import barreader.code39  # noqa: E402
from barreader.synth import random_hetu, render_licence_card  # noqa: E402

PATTERN = "[0-3][0-9][0-1][0-9][0-9][0-9]-[0-8][0-9][0-9][0-9A-Y]"


def recovery(cards, repeat: int) -> dict:
    """barreader's recovery on each card: right, wrong, none, median ms."""
    barreader.code39.recover(cards[0].image, PATTERN, check="hetu")  # warm-up
    right = wrong = none = 0
    times = []
    for card in cards:
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = barreader.code39.recover(card.image, PATTERN, check="hetu")
            runs.append(1e3 * (time.perf_counter() - start))
        times.append(statistics.median(runs))
        if result is None:
            none += 1
        elif result.text == card.text:
            right += 1
        else:
            wrong += 1
    return {"right": right, "wrong": wrong, "none": none, "cards": len(cards), "median_ms": statistics.median(times)}


def plain_reading(cards, readers) -> dict:
    """What each reader reads of the same cards without the pattern."""
    out = {}
    for reader in readers:
        right = wrong = 0
        times = []
        for card in cards:
            result = timed_read(reader, card.image)
            times.append(result["ms"])
            texts = {normalize_text(t, f) for t, f in result["results"] if f == "code39"} if not result["error"] else set()
            right += card.text in texts
            wrong += len(texts - {card.text})
        out[reader.name] = {"right": right, "wrong": wrong, "median_ms": statistics.median(times)}
    return out


def figure(path: Path, seed: int = 3) -> None:
    """One invented card sharp, blurred, and blurred and smudged, each with what recover() returns."""
    import cv2

    text = random_hetu(np.random.default_rng(seed))
    tiles = []
    for blur, smudge in ((0.0, 0.0), (1.5, 0.0), (1.5, 0.2)):
        card = render_licence_card(text, blur=blur, smudge=smudge, angle=4.0, rng=seed)
        result = barreader.code39.recover(card.image, PATTERN, check="hetu")
        caption = f"blur {blur:g}" + (", smudge 20%" if smudge else "") + ": " + (
            f"{result.text} (p={result.quality:.3f})" if result else "nothing credible")
        tile = cv2.cvtColor(card.image, cv2.COLOR_GRAY2BGR)
        tile = np.vstack([tile, np.full((34, tile.shape[1], 3), 255, np.uint8)])
        cv2.putText(tile, caption, (8, tile.shape[0] - 11), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(tile)
    height = max(t.shape[0] for t in tiles)
    row = np.hstack([np.pad(t, ((0, height - t.shape[0]), (0, 6), (0, 0)), constant_values=255) for t in tiles])
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), row)
    print(f"saved {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--blur", type=float, default=1.5, help="Gaussian blur in narrow widths (default 1.5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per recovery timing; the median is kept")
    parser.add_argument("--readers", type=csv_list, default=["barreader", "zxing-cpp", "zbar"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--figure", type=Path, help="save a picture of one card recovered")
    args = parser.parse_args(argv)
    readers = [r for r in make_readers(args.readers, ["code39"]) if r.available]
    env = environment(readers)
    print_environment(env)
    report = {"environment": env}
    for smudge in (0.0, 0.2):
        rng = np.random.default_rng(args.seed)
        cards = [render_licence_card(random_hetu(rng), narrow=2.0, blur=args.blur, smudge=smudge,
                                     angle=float(rng.uniform(-10, 10)), rng=rng) for _ in range(args.cards)]
        name = f"blur {args.blur:g}" + (f", smudge {smudge:.0%}" if smudge else "")
        recovered = recovery(cards, args.repeat)
        plain = plain_reading(cards, readers)
        print(f"\n{args.cards} cards, 2 px/narrow, {name}, angle within ±10°")
        print(f"  barreader.code39.recover  right {recovered['right']}/{args.cards}  wrong {recovered['wrong']}"
              f"  none {recovered['none']}  median {recovered['median_ms']:.1f} ms")
        for reader, s in plain.items():
            print(f"  {reader + ' (plain read)':25} right {s['right']}/{args.cards}  wrong {s['wrong']}  median {s['median_ms']:.1f} ms")
        report[name] = {"recover": recovered, "plain": plain}
    if args.figure:
        figure(args.figure)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
