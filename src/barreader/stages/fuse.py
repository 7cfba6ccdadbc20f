"""Fusing what the template stages read: one result per code, judged by the quality model.

Hits of one text at one place are grouped; of different texts read on the
same stretch the likeliest is kept, and a rival almost as credible makes
neither credible; short codes explained by a longer one are dropped; each
group becomes a :class:`~barreader.results.Barcode` placed on its true
axis, kept when its quality and posterior clear the bars.
"""

from __future__ import annotations

import numpy as np

from ..decode.upcean import LAYOUTS, decode_extent, verify_candidate
from ..formats import Format
from ..options import ReaderOptions
from ..quality import Evidence, quality
from ..results import Barcode
from ..symbology.upcean import upce_to_upca
from .hits import Hit, code_axis, evidence, group_hits, same_stretch, segment, sure_enough
from .placement import code_box
from .regions import inside

__all__ = ["find_groups", "suppress", "rival_quality", "part_of_longer_code", "to_barcode", "credible", "drop_contained"]


def find_groups(hits: list[Hit], opts: ReaderOptions) -> list[tuple[list[Hit], float]]:
    """Decoded texts with their supporting hits, one group per code, and the best rival's quality.

    Groups of different texts on the same stretch are suppressed but the
    likeliest (:func:`suppress`), short codes explained by a longer one
    dropped (:func:`part_of_longer_code`); see :func:`rival_quality`.
    """
    every = group_hits(hits)
    groups = [g for g in suppress(every) if not part_of_longer_code(g, opts)]
    return [(g, rival_quality(g, every)) for g in groups]


def suppress(groups: list[list[Hit]]) -> list[list[Hit]]:
    """Of groups with different texts on the same stretch, keep the likeliest.

    Groups are ranked by quality, then by fit: under strong blur a wrong
    text can fit the grey levels slightly better than the right one that a
    sharper decode found, but its quality says how little that is worth.
    """
    order = sorted(groups, key=lambda g: (-quality(evidence(g)), min(h.fit.residual for h in g)))
    kept: list[list[Hit]] = []
    segments = []
    for group in order:
        stretch = segment(group)
        if any(same_stretch(other, stretch) for other in segments):
            continue
        kept.append(group)
        segments.append(stretch)
    return kept


RIVAL_FIT = 2.0


def rival_quality(group: list[Hit], every: list[list[Hit]]) -> float:
    """The best quality of another text of the same layout read on the same stretch (0 if none).

    Short codes read on part of a longer one are not rivals: the longer
    code explains them (see :func:`part_of_longer_code`). Nor is a text
    whose whole code fits the grey levels more than ``RIVAL_FIT`` times
    worse: a misread on a poorer scanline, not an equally good reading.
    """
    stretch = segment(group)
    fit = min(h.fit.residual for h in group)
    best = 0.0
    for other in every:
        if other[0].key == group[0].key or other[0].candidate.layout != group[0].candidate.layout:
            continue
        if min(h.fit.residual for h in other) > RIVAL_FIT * fit:
            continue
        theirs = segment(other)
        if same_stretch(stretch, theirs):
            best = max(best, quality(evidence(other)))
    return best


def part_of_longer_code(group: list[Hit], opts: ReaderOptions) -> bool:
    """Whether a short code (EAN-8, UPC-E) is better explained as part of a 95-module code.

    Half of an EAN-13 between its start and middle guards has the layout of
    a UPC-E, and parts of it can pass for an EAN-8. A short code is dropped
    when a 95-module code sharing its start, its end or its centre fits the
    profile about as well.
    """
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    if cand.layout == "ean13":
        return False
    profile = best.scanline.profile
    length = 95 * cand.module
    long_layout = LAYOUTS["ean13"]
    for start in (cand.start, cand.end - length, 0.5 * (cand.start + cand.end - length)):
        if start < 0 or start + length > len(profile):
            continue
        other = decode_extent(profile, start, start + length, long_layout, frozenset(Format), opts.decoder)
        if other is None:
            continue
        fit = verify_candidate(profile, other)
        if fit.residual <= max(1.15 * best.fit.residual, best.fit.residual + 0.02):
            return True
    return False


def to_barcode(gray: np.ndarray, group: list[Hit], rival: float) -> Barcode:
    """The result of one group of hits, placed on the code's axis and boxed across its bars."""
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    start, end = code_axis(group)
    position, orientation = code_box(gray, start, end, np.array([h.endpoints()[0] for h in group]))
    found = evidence(group)
    extra = {
        "scanlines": found.scanlines,
        "posterior": found.posterior,
        "module_size": float(cand.module * np.hypot(*best.scanline.step)),
        "decoder": "blurred" if found.stage == 2 else "templates",
        "rival_quality": rival,
    }
    text = cand.text
    if cand.format in (Format.UPCA, Format.EAN13, Format.EAN8):
        extra["gtin13"] = text.rjust(13, "0")
    if cand.format is Format.UPCE:
        extra["upca"] = upce_to_upca(text)
        extra["gtin13"] = "0" + extra["upca"]
    return Barcode(text, cand.format, position, orientation, quality(found), extra)


def credible(result: Barcode, evidence: Evidence, opts: ReaderOptions) -> bool:
    """Whether a result clears the quality and posterior bars.

    Besides its quality, a text needs, on at least one scanline, a posterior
    of ``min_posterior`` among all valid strings: where the decoder itself
    finds other strings likelier together (below about one pixel per
    module, say), agreement between scanlines only repeats the same guess.
    At such resolutions the posterior of a right string is low too; there
    only an excellent whole-code fit (residual at most
    ``max_residual_unsure``) lets it through.
    """
    if result.quality < _threshold(result, opts):
        return False
    if result.extra["rival_quality"] >= opts.max_rival * result.quality:
        return False  # two texts of one code about equally credible: neither is
    return sure_enough(evidence, opts)


def _threshold(result: Barcode, opts: ReaderOptions) -> float:
    """The quality a result needs: higher for reads by the blurred-model decoder.

    That decoder assumes a Gaussian point spread; real out-of-focus optics
    (disk-shaped), tilt and JPEG make it occasionally confident about a
    string two digits away from the truth, which the synthetic scenes the
    quality model is fitted on under-represent.
    """
    if result.extra.get("decoder") == "blurred":
        return max(opts.min_quality, opts.min_quality_blurred)
    return opts.min_quality


def drop_contained(results: list[Barcode]) -> list[Barcode]:
    """Drop results lying on a better result's bars (a half code read as a short code) or repeating one nearby.

    Two stages can read one code with boxes that barely overlap (each
    across part of its bars): the same text within half a code's length
    of a better result is the same code.
    """
    kept: list[Barcode] = []
    for result in results:
        centre = result.position.mean(axis=0)
        if any(inside(centre, k.position) or _repeats(result, k) for k in kept):
            continue
        kept.append(result)
    return kept


def _repeats(result: Barcode, better: Barcode) -> bool:
    if (result.format, result.text) != (better.format, better.text):
        return False
    length = float(np.hypot(*(better.position[1] - better.position[0])))
    return float(np.hypot(*(result.position.mean(axis=0) - better.position.mean(axis=0)))) < 0.5 * length
