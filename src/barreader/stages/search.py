"""The blurred-model search: codes too blurred for the templates, found and read with a blurred model alone.

Run last, on at most a few blurred regions where nothing was read: the
central scanline is searched along its whole length, the next ones where
codes were placed on it (:mod:`barreader.decode.blursearch`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..decode.blursearch import Placement
from ..decode.extent import search_stage
from ..decode.upcean import Candidate, layouts_for
from ..decode.verify import Fit
from ..formats import Format
from ..options import ReaderOptions
from ..scanline import Scanline, find_extents
from .hits import Hit, confirmed, group_hits, settles
from .templates import Budget, RegionScan

__all__ = ["search_regions", "search_work", "smooth", "repeated", "MAX_ROUGHNESS", "MAX_BARS", "MIN_REPEATS",
           "FULL_SEARCH_WORK", "SEED_WORK"]

# The search's work in layout decodes (:class:`~barreader.stages.templates.Budget`), from their
# measured costs on the shared photos: a layout decode about 4 ms, a full search about 0.46 ms
# per profile sample, a seeded one about 11 ms per seed.
FULL_SEARCH_WORK = 0.12  # per profile sample searched in full
SEED_WORK = 2.8  # per seed (an earlier decode, or a placement found on a parallel scanline)


def search_work(samples: int, seeds: int, full: bool) -> float:
    """Layout decodes' worth of work of one scanline's search: ``samples`` long, at ``seeds``, in full or not."""
    return (FULL_SEARCH_WORK * samples if full else 0.0) + SEED_WORK * seeds


def _search_scanline(
    line: Scanline, formats: frozenset[Format], seeds: Sequence[Candidate | Placement], full: bool
) -> list[tuple[Candidate, Fit]]:
    """Find and read strongly blurred codes on a scanline with the blurred model alone.

    With ``full``, the whole profile is searched (between its edges) as
    well as at ``seeds``; otherwise only at ``seeds`` (earlier decodes of
    this scanline and placements found on a parallel one).
    """
    if not full and not seeds:
        return []
    return search_stage(line.profile, layouts_for(formats), formats, list(seeds), edges=full)


def search_regions(scans: list[RegionScan], fmts, opts, smooth_only: bool = False, budget: Budget | None = None) -> None:
    """Search blurred regions where nothing was read with the blurred model.

    The central scanline is searched along its whole length, the next ones
    where codes were placed on it. At most ``opts.searched_regions``
    regions are searched, in the order given; with ``smooth_only``, only
    regions whose central scanline is smooth (:func:`smooth`) or where the
    templates read one text on several scanlines, each too unsure to be
    reported (:func:`repeated`). Each scanline's work (:func:`search_work`)
    is spent from ``budget`` (default: unbounded), and no scanline is
    searched once it is spent.
    """
    budget = budget if budget is not None else Budget()
    todo = [scan for scan in scans
            if _worth_searching(scan, opts) and (not smooth_only or smooth(scan) or repeated(scan))]
    todo = todo[: opts.searched_regions]
    for scan in todo:
        for count, (line, decoded) in enumerate(zip(scan.lines, scan.decodes[: opts.blurred_scanlines]), start=1):
            placements = [_placement(h) for h in scan.found if h.candidate.stage == 2]
            seeds = decoded.seeds + placements
            full = count == 1
            if budget.spent:
                return
            budget.spend(search_work(len(line.profile), len(seeds), full))
            scan.found += [Hit(c, line, scan.index, f) for c, f in _search_scanline(line, fmts, seeds, full)]
            if confirmed(scan.found) is not None:
                scan.confirmed = True
                break


def _worth_searching(scan: RegionScan, opts: ReaderOptions) -> bool:
    """Whether a region deserves the blurred-model search: blurred, and nothing read there yet."""
    if scan.confirmed or opts.blurred_scanlines <= 0:
        return False
    if not any(d.blurred for d in scan.decodes[: opts.blurred_scanlines]):
        return False
    return not any(settles(g, opts, opts.min_quality) for g in group_hits(scan.found))


MAX_ROUGHNESS = 0.85  # mean |second difference| / mean |first difference| of a strongly blurred profile, at most
MAX_BARS = 16  # bars a strongly blurred code's profile still shows, at most (an EAN-13 has 30)


def smooth(scan: RegionScan) -> bool:
    """Whether a region's central scanline is as smooth as a strongly blurred code's.

    Blur leaves a profile's second differences small beside its first
    ones, and merges narrow bars: on the shared blurred photos every code
    the search read lay on a region whose central scanline has a roughness
    (mean absolute second difference over mean absolute first
    difference) under 0.85 and at most 16 bars, while on the negatives
    38 of 44 such regions are rougher or hold more bars (text, tiles,
    foliage).
    """
    if not scan.lines:
        return False
    profile = np.asarray(scan.lines[0].profile, dtype=np.float64)
    first = float(np.abs(np.diff(profile)).mean())
    if first <= 0 or float(np.abs(np.diff(profile, 2)).mean()) > MAX_ROUGHNESS * first:
        return False
    return max((extent.n_bars for extent in find_extents(profile)), default=0) <= MAX_BARS


MIN_REPEATS = 3  # scanlines of a region on which the templates read one text


def repeated(scan: RegionScan) -> bool:
    """Whether the templates read one text on at least ``MIN_REPEATS`` of a region's scanlines.

    A blurred code with noise on it is rough, yet its templates often
    agree on the right text at posteriors too low to report; random
    texture rarely gives one text twice.
    """
    lines: dict[tuple, set[int]] = {}
    for hit in scan.found:
        lines.setdefault(hit.key, set()).add(id(hit.scanline))
    return any(len(on) >= MIN_REPEATS for on in lines.values())


def _placement(hit: Hit) -> Placement:
    """Where a hit's code lies, in the coordinates of any scanline of its region."""
    cand = hit.candidate
    return Placement(cand.layout, cand.start, cand.module)
