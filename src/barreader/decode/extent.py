"""Decoding one extent of a profile with every stage the profile calls for.

1. The exact deformable-template decoder (:mod:`.upcean`) on the profile,
   for every plausible layout.
2. If the best of those looks blurred, the same decoder, for that layout,
   on Wiener-deconvolved copies of the profile (:mod:`.deblur`).
3. If it is still blurred, the blurred-model decoder (:mod:`.blurred`).

Every decode is judged by how well its whole code explains the original
profile (:mod:`.verify`); the best one is kept.
"""

from __future__ import annotations


import numpy as np

from ..formats import Format
from ..symbology.upcean import module_pattern
from .blurred import decode_blurred
from .deblur import noise_to_signal, wiener
from .upcean import LAYOUTS, Candidate, DecoderOptions, Layout, ProfileModel, decode_extent, verify_candidate
from .verify import Fit

__all__ = ["decode_plain", "decode_deblurred", "decode_blurred_stage", "DEBLUR_GRID", "DEBLUR_FROM", "BLURRED_FROM"]

DEBLUR_GRID = (0.7, 1.45)  # range of blurs deconvolved (sigma in modules)
DEBLUR_FROM = 0.55  # fitted blur (modules) from which deconvolution is tried
BLURRED_FROM = 0.7  # fitted blur (modules) from which the blurred-model decoder runs


def decode_plain(
    profile: np.ndarray,
    start: float,
    end: float,
    layout: Layout,
    formats: frozenset[Format],
    options: DecoderOptions,
    model: ProfileModel | None = None,
) -> tuple[Candidate, Fit] | None:
    """Stage 1: the exact deformable-template decoder, and its whole-code fit.

    Parameters
    ----------
    profile : ndarray of float
    start, end : float
        The extent's code edges (profile coordinates).
    layout : Layout
    formats : frozenset of Format
    options : DecoderOptions
    model : ProfileModel, optional
        Reused when given.

    Returns
    -------
    (Candidate, Fit) or None
    """
    candidate = decode_extent(profile, start, end, layout, formats, options, model)
    return None if candidate is None else (candidate, verify_candidate(profile, candidate))


def decode_deblurred(
    profile: np.ndarray,
    start: float,
    end: float,
    layout: Layout,
    formats: frozenset[Format],
    options: DecoderOptions,
    contrast: float,
    blur: float,
) -> tuple[Candidate, Fit] | None:
    """Stage 2: stage 1 on Wiener-deconvolved copies of the profile.

    The blurs tried are the fitted ``blur`` (in modules) and a quarter module
    more (deconvolving too little leaves the narrow elements grey), within
    ``DEBLUR_GRID``'s range. The decode whose code best explains the
    *original* profile is returned.
    """
    module = (end - start) / layout.n_modules
    balance = max(1e-3, 10.0 * noise_to_signal(profile, contrast))
    best = None
    for sigma in sorted({min(max(b, DEBLUR_GRID[0]), DEBLUR_GRID[-1]) for b in (blur, blur + 0.25)}):
        candidate = decode_extent(wiener(profile, sigma * module, balance), start, end, layout, formats, options)
        if candidate is None:
            continue
        fit = verify_candidate(profile, candidate)
        if best is None or fit.residual < best[1].residual:
            best = (candidate, fit)
    return best


def decode_blurred_stage(profile: np.ndarray, first: Candidate, fit: Fit, formats: frozenset[Format]) -> tuple[Candidate, Fit] | None:
    """Stage 3: the blurred-model decoder, started from an earlier decode of the same extent.

    Parameters
    ----------
    profile : ndarray of float
    first : Candidate
        The best earlier decode (its layout, start, module width).
    fit : Fit
        Its whole-code fit (blur, contrast).
    formats : frozenset of Format

    Returns
    -------
    (Candidate, Fit) or None
    """
    layout = LAYOUTS[first.layout]
    result = decode_blurred(profile, layout.name, first.start, first.module, fit.blur, None, fit.contrast, formats)
    if result is None:
        return None
    run = layout.runs[result.run]
    logical = result.digits[::-1] if run.reverse else result.digits
    text = run.prefix + "".join(str(int(d)) for d in logical) + run.suffix
    fmt = run.format
    if fmt is Format.UPCA:
        if Format.UPCA in formats:
            text = text[1:]
        else:
            fmt = Format.EAN13
    modules = module_pattern(text, fmt)
    if run.reverse:
        modules = modules[::-1].copy()
    # Squared errors become log-likelihoods with the residual variance.
    variance = max(result.sse / max(result.n_samples, 1), 1e-12)
    others = np.array(result.others + (result.runner_up,), dtype=np.float64)
    log_odds = -(others - result.sse) / (2.0 * variance)
    posterior = 1.0 / (1.0 + float(np.exp(np.clip(log_odds, -700, 700)).sum()))
    n = len(layout.slots)
    offsets = result.start + layout.slot_modules * result.module
    candidate = Candidate(
        fmt,
        text,
        result.sse / (2.0 * variance),
        posterior,
        run.reverse,
        result.start,
        result.module,
        layout.n_modules,
        np.full(n, result.sse / (2.0 * variance) / n),
        offsets,
        np.full(n, result.module),
        modules,
        layout.name,
        np.zeros(n),
        stage=2,
    )
    return candidate, verify_candidate(profile, candidate)
