"""Fit the weights of barreader's quality model on synthetic scenes.

``barreader.quality`` turns the measurements of a decode (whole-code fit,
per-digit fit, quiet zones, blur, posterior, check-digit slack, cost,
agreeing scanlines, layout) into the probability that its text is right,
with a logistic model. This script renders synthetic scenes over the range
of conditions barreader targets, decodes them with the reader's own
pipeline, labels every decoded text right or wrong against the ground truth,
and fits the model by maximum likelihood with a small ridge penalty.
Real photographs are never used, so the benchmarks on them stay honest.

Usage::

    python benchmarks/fit_quality.py --n 600 --seed 1          # fit and report
    python benchmarks/fit_quality.py --n 600 --seed 1 --write  # also update src/barreader/quality.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from barreader.formats import Format  # noqa: E402
from barreader.image import to_gray  # noqa: E402
from barreader.localize.gradient import gradient_regions  # noqa: E402
from barreader.quality import FEATURES, features  # noqa: E402
from barreader.options import EFFORTS, ReaderOptions  # noqa: E402
from barreader.reader import template_hits  # noqa: E402
from barreader.stages.fuse import suppress  # noqa: E402
from barreader.stages.hits import evidence, group_hits  # noqa: E402
from barreader.symbology.upcean import upce_to_upca  # noqa: E402
from barreader.synth import render_negative, render_scene  # noqa: E402


def gtin(text: str, fmt: Format) -> str:
    """Comparable form of a text: GTIN-13 for UPC-A/EAN-13/UPC-E, EAN-8 as is."""
    if fmt is Format.UPCE:
        return "0" + upce_to_upca(text)
    if fmt is Format.EAN8:
        return text
    return text.rjust(13, "0")


def conditions(rng: np.random.Generator) -> dict:
    """Scene settings spanning what barreader is built for, and a little beyond."""
    base = float(rng.choice([0.0, 90.0, 180.0, 270.0]))
    return dict(
        px_per_module=float(np.exp(rng.uniform(np.log(0.8), np.log(4.0)))),
        blur=float(rng.uniform(0.0, 2.0)),
        noise=float(rng.choice([0.0, rng.uniform(0.0, 0.15)])),
        jpeg_quality=None if rng.uniform() < 0.6 else int(rng.integers(30, 95)),
        contrast=float(rng.uniform(0.3, 1.0)),
        angle=(base - 4.0, base + 4.0),
        # Out-of-focus cameras blur with a disk, not the Gaussian the
        # decoders assume; a third of the scenes get one on top.
        defocus=float(rng.uniform(0.5, 3.0)) if rng.uniform() < 0.33 else 0.0,
        # Light falling off across the picture, in half of the scenes.
        shading=float(rng.uniform(0.0, 0.5)) if rng.uniform() < 0.5 else 0.0,
        shading_angle=float(rng.uniform(0.0, 2.0 * np.pi)),
    )


def defocus(image: np.ndarray, radius: float) -> np.ndarray:
    """Blur with a uniform disk of the given radius in pixels (an out-of-focus lens)."""
    import cv2

    size = 2 * int(np.ceil(radius)) + 1
    y, x = np.mgrid[:size, :size] - size // 2
    kernel = (np.hypot(x, y) <= radius + 0.5).astype(np.float32)
    return cv2.filter2D(image, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REPLICATE)


def shade(image: np.ndarray, strength: float, angle: float) -> np.ndarray:
    """Darken an image linearly along a direction, by up to ``strength`` at the far side (uneven light)."""
    image = np.asarray(image, dtype=np.float32)
    h, w = image.shape[:2]
    y, x = np.mgrid[:h, :w]
    along = (x - w / 2) * np.cos(angle) + (y - h / 2) * np.sin(angle)
    along = along / max(np.abs(along).max(), 1.0)  # -1 .. 1
    gain = 1.0 - strength * (along + 1.0) / 2.0
    shaded = image * (gain if image.ndim == 2 else gain[..., None])
    return shaded.astype(image.dtype)


def sample(seed: int) -> list[tuple[list[float], int]]:
    """Features and labels of every decoded text in one synthetic image."""
    rng = np.random.default_rng(seed)
    settings = conditions(rng)
    if rng.uniform() < 0.25:
        image = render_negative(size=(360, 480), noise=settings["noise"], jpeg_quality=settings["jpeg_quality"], rng=rng)
        truth: set[str] = set()
    else:
        try:
            scene = render_scene(
                int(rng.integers(1, 3)),
                size=(360, 480),
                px_per_module=settings["px_per_module"],
                blur=settings["blur"],
                noise=settings["noise"],
                jpeg_quality=settings["jpeg_quality"],
                contrast=settings["contrast"],
                angle=settings["angle"],
                rng=rng,
            )
        except ValueError:
            return []
        image = scene.image
        truth = {gtin(c.text, c.format) for c in scene.codes}
    if settings["defocus"] > 0:
        image = defocus(image, settings["defocus"])
    if settings["shading"] > 0:
        image = shade(image, settings["shading"], settings["shading_angle"])
    gray = to_gray(image)
    opts = ReaderOptions()
    formats = frozenset(Format)
    hits = template_hits(gray, gradient_regions(gray), formats, opts, EFFORTS["thorough"], True, exhaustive=True)
    rows = []
    for group in suppress(group_hits(hits)):
        candidate = group[0].candidate
        label = int(gtin(candidate.text, candidate.format) in truth)
        rows.append((features(evidence(group)).tolist(), label))
    return rows


# Sign each weight must have: more agreement, lighter quiet zones and higher
# posteriors can only raise the quality; larger residuals, blur, doubt, slack
# and cost can only lower it (0: either sign). Near-separable synthetic data
# would otherwise let a weight take whichever sign the sample happens to favour.
SIGNS = {
    "log_residual": -1,
    "log_worst_digit": -1,
    "quiet": +1,
    "blur": -1,
    "blur_x_log_residual": 0,
    "logit_posterior": +1,
    "log_slack": -1,
    "log_cost": -1,
    "log_scanlines": +1,
    "ean8": 0,
    "upce": 0,
    "blurred_stage": 0,
    "blurred_stage_x_log_scanlines": +1,
}


def fit_constrained(x: np.ndarray, y: np.ndarray, ridge: float = 1.0):
    """Logistic fit whose weights keep the signs in :data:`SIGNS`.

    A weight that comes out with the wrong sign is fixed at zero and the
    rest refitted, until every weight complies.
    """
    active = np.ones(x.shape[1], dtype=bool)
    signs = np.array([SIGNS[name] for name in FEATURES])
    while True:
        weights = np.zeros(x.shape[1])
        weights[active], bias = fit_logistic(x[:, active], y, ridge)
        wrong = active & (signs * weights < 0)
        if not wrong.any():
            return weights, bias
        active &= ~wrong


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1.0, iterations: int = 50):
    """Ridge-penalized logistic regression by Newton's method on standardized features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], ridge)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / scale
    bias = beta[0] - float(weights @ mean)
    return weights, bias


def report(x: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: float) -> None:
    p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    print(f"samples {len(y)} (right {int(y.sum())}, wrong {int(len(y) - y.sum())}); log-loss {loss:.4f}")
    for threshold in (0.5, 0.8, 0.95):
        keep = p >= threshold
        print(f"  quality >= {threshold}: right kept {int((keep & (y == 1)).sum())}/{int(y.sum())}, wrong kept {int((keep & (y == 0)).sum())}")
    print("  calibration (predicted bin: count, observed rate)")
    edges = [0, 0.05, 0.2, 0.5, 0.8, 0.95, 1.0001]
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & (p < hi)
        if inside.any():
            print(f"    [{lo:.2f}, {min(hi, 1):.2f}): {int(inside.sum()):5d}  {y[inside].mean():.3f}")
    print("  weights:")
    for name, w in zip(FEATURES, weights):
        print(f"    {name:22s} {w:+.4f}")
    print(f"    {'bias':22s} {bias:+.4f}")


def write(weights: np.ndarray, bias: float) -> None:
    path = REPO / "src" / "barreader" / "quality.py"
    text = path.read_text()
    listed = ", ".join(f"{w:.4f}" for w in weights)
    text = re.sub(r"WEIGHTS = np\.array\(\[[^\]]*\]\)", f"WEIGHTS = np.array([{listed}])", text)
    text = re.sub(r"BIAS = [-+0-9.e]+", f"BIAS = {bias:.4f}", text)
    path.write_text(text)
    print(f"wrote {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=600, help="synthetic images (default 600)")
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--ridge", type=float, default=1.0, help="ridge penalty on standardized weights")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--write", action="store_true", help="write the weights into src/barreader/quality.py")
    args = parser.parse_args(argv)
    print("command:", " ".join(sys.argv))
    start = time.perf_counter()
    seeds = range(args.seed, args.seed + args.n)
    with multiprocessing.Pool(args.workers) as pool:
        chunks = pool.map(sample, seeds, chunksize=4)
    rows = [row for chunk in chunks for row in chunk]
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    print(f"{args.n} images decoded in {time.perf_counter() - start:.0f} s")
    weights, bias = fit_constrained(x, y, args.ridge)
    np.save(Path(tempfile.gettempdir()) / "barreader_quality_samples.npy", np.hstack([x, y[:, None]]))
    report(x, y, weights, bias)
    if args.write:
        write(weights, bias)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
