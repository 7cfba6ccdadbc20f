"""Decoding one extent of a profile with every stage the profile calls for.

1. The exact deformable-template decoder (:mod:`.upcean`) on the profile,
   for every plausible layout.
2. If the best of those looks blurred, the same decoder, for that layout,
   on Wiener-deconvolved copies of the profile (:mod:`.deblur`).
3. If the profile looks blurred and nothing is read with confidence, the
   blurred-model decoder, placed and normalized by :mod:`.blursearch`.

Every decode is judged by how well its whole code explains the original
profile (:mod:`.verify`); the best one is kept.
"""

from __future__ import annotations


import numpy as np

from ..formats import Format
from ..symbology.upcean import module_pattern
from .blurred import BlurredResult
from .blursearch import Placement, search_blurred
from .deblur import noise_to_signal, wiener
from .upcean import LAYOUTS, Candidate, DecoderOptions, Layout, ProfileModel, decode_extent, verify_candidate
from .verify import Fit

__all__ = ["decode_plain", "decode_deblurred", "deblur_sigmas", "search_stage", "blurred_candidate", "DEBLUR_GRID", "DEBLUR_FROM", "BLURRED_FROM"]

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
    for sigma in deblur_sigmas(blur):
        candidate = decode_extent(wiener(profile, sigma * module, balance), start, end, layout, formats, options)
        if candidate is None:
            continue
        fit = verify_candidate(profile, candidate)
        if best is None or fit.residual < best[1].residual:
            best = (candidate, fit)
    return best


def deblur_sigmas(blur: float) -> list[float]:
    """The blurs (modules) :func:`decode_deblurred` deconvolves for a fitted ``blur``, one decode each."""
    return sorted({min(max(b, DEBLUR_GRID[0]), DEBLUR_GRID[-1]) for b in (blur, blur + 0.25)})


def search_stage(
    profile: np.ndarray,
    layouts: list[Layout],
    formats: frozenset[Format],
    seeds: list[Candidate | Placement],
    edges: bool = True,
) -> list[tuple[Candidate, Fit]]:
    """Stage 3 for strongly blurred profiles: find and read codes with the blurred model alone.

    Parameters
    ----------
    profile : ndarray of float
    layouts : list of Layout
    formats : frozenset of Format
    seeds : list of Candidate or Placement
        Earlier decodes of the profile, or placements on a neighbouring
        profile, screened too.
    edges : bool
        See :func:`barreader.decode.blursearch.search_blurred`.

    Returns
    -------
    list of (Candidate, Fit)
    """
    placements = [s if isinstance(s, Placement) else Placement(s.layout, s.start, s.module) for s in seeds]
    results = search_blurred(profile, layouts, formats, placements, edges)
    decoded = [blurred_candidate(profile, r, formats) for r in results]
    # A code that cannot be fitted where it was decoded (too close to the profile's end) is not kept.
    return [(c, fit) for c, fit in decoded if np.isfinite(fit.residual)]


def blurred_candidate(profile: np.ndarray, result: BlurredResult, formats: frozenset[Format]) -> tuple[Candidate, Fit]:
    """A blurred-model decode as a :class:`Candidate`, with its whole-code fit to ``profile``.

    The posterior treats squared errors as Gaussian log-likelihoods with
    the residual variance: ``1 / (1 + sum exp(-(E_other - E_best) / 2 var))``
    over the best other string of the winning run and every other run.
    """
    layout = LAYOUTS[result.layout]
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
    variance = max(result.sse / max(result.n_samples, 1), 1e-12)
    others = np.array(result.others + (result.runner_up,), dtype=np.float64)
    log_odds = -(others - result.sse) / (2.0 * variance)
    posterior = 1.0 / (1.0 + float(np.exp(np.clip(log_odds, -700, 700)).sum()))
    n = len(layout.slots)
    offsets = result.start + layout.slot_modules * result.module
    cost = result.sse / (2.0 * variance)
    candidate = Candidate(
        fmt, text, cost, posterior, run.reverse, result.start, result.module, layout.n_modules,
        np.full(n, cost / n), offsets, np.full(n, result.module), modules, layout.name, np.zeros(n), stage=2,
    )
    return candidate, verify_candidate(profile, candidate)
