"""Calibrated confidence of a decoded code.

A decode is described by a few measurements of how well it explains the
grey levels (from :mod:`barreader.decode.verify` and the dynamic programme)
and by how many scanlines agree on it. ``quality`` is a logistic model of
the probability that the text is right given those measurements,

    quality = 1 / (1 + exp(-(w · f + b))),

with the features ``f`` below. The weights were fitted by maximum
likelihood (with a small ridge penalty) on synthetic scenes covering the
conditions barreader is made for — Gaussian blur up to 2 modules and, in
a third of the scenes, out-of-focus (disk) blur that the decoders do not
model, light falling off across half of the scenes, 0.8 to 4 pixels per
module, noise, JPEG, clutter and barcode-like stripes — where every decode
can be labelled right or wrong;
``benchmarks/fit_quality.py`` reproduces them. The real photographs of the
benchmarks are not used.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["Evidence", "FEATURES", "features", "quality"]


@dataclasses.dataclass(frozen=True)
class Evidence:
    """What is known about one decoded text at one place in the image.

    Attributes
    ----------
    residual : float
        Whole-code fit residual relative to contrast, best over scanlines.
    worst_digit : float
        Largest single-digit residual of that scanline.
    quiet : float
        Quiet-zone lightness of that scanline (1 = as light as the spaces).
    blur : float
        Fitted blur of that scanline, in modules.
    posterior : float
        Largest posterior probability of the text among valid strings.
    slack : float
        Smallest total cost the check digit and parity added over the best
        unconstrained templates, per profile sample of the code (nats).
    cost : float
        Dynamic-programme cost of that scanline per profile sample of the
        code (nats), so that codes of any size compare.
    scanlines : int
        Scanlines that decoded this text here.
    layout : str
        ``"ean13"``, ``"ean8"``, ``"upce"`` or ``"upce_reverse"``.
    stage : int
        2 when the blurred-model decoder produced the text, else 1.
    """

    residual: float
    worst_digit: float
    quiet: float
    blur: float
    posterior: float
    slack: float
    cost: float
    scanlines: int
    layout: str
    stage: int = 1


FEATURES = (
    "log_residual",
    "log_worst_digit",
    "quiet",
    "blur",
    "blur_x_log_residual",
    "logit_posterior",
    "log_slack",
    "log_cost",
    "log_scanlines",
    "ean8",
    "upce",
    "blurred_stage",
    "blurred_stage_x_log_scanlines",
)

# Fitted by benchmarks/fit_quality.py (see the module docstring).
WEIGHTS = np.array([-3.2842, -3.1251, 4.4699, -5.3615, 0.5596, 0.2602, -38.4678, -1.3259, 1.8318, -1.0267, -2.5213, -1.6583, 0.2894])
BIAS = -13.1228


def features(evidence: Evidence) -> np.ndarray:
    """The feature vector of :data:`FEATURES` for one piece of evidence."""
    log_residual = math.log(min(max(evidence.residual, 1e-3), 10.0))
    return np.array(
        [
            log_residual,
            math.log(min(max(evidence.worst_digit, 1e-3), 10.0)),
            min(max(evidence.quiet, 0.0), 1.2),
            evidence.blur,
            evidence.blur * log_residual,
            _logit(evidence.posterior),
            math.log1p(max(evidence.slack, 0.0)),
            math.log(max(evidence.cost, 1e-3)),
            math.log(max(evidence.scanlines, 1)),
            float(evidence.layout == "ean8"),
            float(evidence.layout.startswith("upce")),
            float(evidence.stage == 2),
            float(evidence.stage == 2) * math.log(max(evidence.scanlines, 1)),
        ]
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-5), 1.0 - 1e-5)
    return math.log(p / (1.0 - p))


def quality(evidence: Evidence, weights: np.ndarray | None = None, bias: float | None = None) -> float:
    """Probability that the decoded text is right, from the logistic model."""
    w = WEIGHTS if weights is None else weights
    b = BIAS if bias is None else bias
    z = float(features(evidence) @ w + b)
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
