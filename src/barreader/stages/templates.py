"""The deformable-template decoder on a region's scanlines (Gallo and Manduchi).

Each scanline's extents are decoded with every plausible layout by the
exact marginal likelihood of the digit templates and the check-digit
dynamic programme (:mod:`barreader.decode.upcean`); light falling off
along a code gets levels that drift, blurred ones a deconvolved copy
(:mod:`barreader.decode.extent`). A region is scanned centre first until
one code is confirmed on two scanlines or nothing code-like shows by the
third.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..decode.extent import BLURRED_FROM, DEBLUR_FROM, deblur_sigmas, decode_deblurred, decode_plain
from ..decode.upcean import LAYOUTS, Candidate, DecoderOptions, ProfileModel, layouts_for, plausible
from ..decode.verify import QUIET, Fit
from ..formats import Format
from ..pyramid import Pyramid
from ..quality import quality
from ..results import Region
from ..scanline import Scanline, find_extents
from .hits import Hit, code_axis, confirmed, evidence, group_hits, same_stretch, settles
from .regions import covers, region_level, region_scanlines

__all__ = ["LineDecodes", "RegionScan", "Budget", "decode_scanline", "scan_regions", "scan_region", "SHARP", "HOPELESS"]


@dataclasses.dataclass
class LineDecodes:
    """What the deformable templates made of one scanline."""

    found: list[tuple[Candidate, Fit]]
    seeds: list[Candidate]  # the best decode of each extent
    blurred: bool  # some extent or its best decode looks strongly blurred
    work: int = 0  # layouts decoded (each a few placement hypotheses), deconvolved copies included


@dataclasses.dataclass
class Budget:
    """Layout decodes an image's template stages and blurred-model search may still spend (see :attr:`barreader.options.Effort.work`).

    Work, not time, so that a reading is the same on any machine: a
    region's scanlines stop being decoded, or searched, once the budget is spent.
    """

    left: float = float("inf")

    def spend(self, work: int) -> None:
        self.left -= work

    @property
    def spent(self) -> bool:
        return self.left <= 0


SHARP = 0.6  # extent sharpness below which a profile counts as blurred
DRIFTING = 0.2  # contrast change from a code's centre to an end, relative, from which levels may drift


def decode_scanline(line: Scanline, formats: frozenset[Format], options: DecoderOptions) -> LineDecodes:
    """Decode every extent of a scanline with the deformable templates.

    Every plausible layout is decoded; if the whole-code fit of the best
    sees light falling off along the code, every layout is decoded again
    with levels that drift (:func:`_decode_layouts`); if the best looks
    blurred, its layout is decoded again after deconvolution.
    """
    layouts = layouts_for(formats)
    found = []
    seeds = []
    blurred = False
    work = 0
    for extent in find_extents(line.profile)[:3]:
        blurred |= extent.sharpness < SHARP
        fitting = [layout for layout in layouts if plausible(layout, extent.n_bars, extent.sharpness)]
        if not fitting:
            continue
        model = ProfileModel(line.profile, extent.start, extent.end, options.variance)
        decoded = _decode_layouts(line.profile, extent, fitting, formats, options, model)
        work += len(fitting)
        if not decoded:
            continue
        candidate, fit = min(decoded, key=lambda d: d[1].residual)
        if options.level_pieces > 1 and fit.contrast_drift >= DRIFTING:
            drifting = ProfileModel(line.profile, extent.start, extent.end, options.variance, options.level_pieces)
            decoded += _decode_layouts(line.profile, extent, fitting, formats, options, drifting)
            work += len(fitting)
            candidate, fit = min(decoded, key=lambda d: d[1].residual)
        layout = LAYOUTS[candidate.layout]
        if options.deblur and (fit.blur >= DEBLUR_FROM or extent.sharpness < SHARP):
            result = decode_deblurred(line.profile, extent.start, extent.end, layout, formats, options, model.contrast, fit.blur)
            work += len(deblur_sigmas(fit.blur))
            if result is not None:
                decoded.append(result)
                if result[1].residual < fit.residual:
                    candidate, fit = result
        blurred |= fit.blur >= BLURRED_FROM
        seeds.append(candidate)
        found += decoded
    return LineDecodes(found, seeds, blurred, work)


def _decode_layouts(profile, extent, layouts, formats, options: DecoderOptions,
                    model: ProfileModel) -> list[tuple[Candidate, Fit]]:
    """Decode an extent with each of ``layouts`` (those its bar count allows), under one level model.

    Constant levels are the paper's. Where light falls off along a code,
    they call the spaces at the dim end dark, and the check digit then
    fills in that end from the bright one; levels fitted as lines
    (``options.level_pieces``) read it. The whole-code fit, which models a
    drift either way, decides between the readings.
    """
    results = (decode_plain(profile, extent.start, extent.end, layout, formats, options, model) for layout in layouts)
    return [result for result in results if result is not None]


HOPELESS = 0.02  # if no single scanline's decode reaches this by the third, give up on the region


@dataclasses.dataclass
class RegionScan:
    """The scanlines of one region and what was read on them."""

    index: int  # the region's position in the list scanned
    lines: list[Scanline]
    decodes: list[LineDecodes]
    found: list[Hit]
    confirmed: bool


def scan_regions(picture: Pyramid, regions, fmts, opts, index0: int = 0, budget: Budget | None = None) -> list[RegionScan]:
    """Decode scanlines of each region with the templates until one code is confirmed there, or ``budget`` is spent.

    Each region is read on the pyramid level its modules ask for
    (:func:`region_level`); where that confirms nothing, on the next finer
    level, whose reading counts only if it reads a text of
    ``opts.settled_quality`` (modules wider than the decoder was fitted
    for make its quality less sure); so does any text read on a level
    finer than its own modules ask for (:func:`_too_fine`). A region whose scanlines stop
    inside the image before a decoded code's quiet zone (a box covering
    only part of a code) is scanned again on longer lines, and only those
    count, less what they read on codes already confirmed; a code they
    confirm leaves later regions to be scanned.
    """
    budget = budget if budget is not None else Budget()
    scans: list[RegionScan] = []
    done: list[tuple[np.ndarray, np.ndarray]] = []
    for index, region in enumerate(regions, start=index0):
        if budget.spent:
            break
        if any(covers(stretch, region) for stretch in done):
            continue
        original = region_scanlines(picture.gray, region, opts.scanlines)
        level = region_level(picture, region, original) if picture.deepest() > 0 else 0
        scan, extra = _scan_whole(picture, region, index, fmts, opts, level, done, original if level == 0 else None, budget)
        if not scan.confirmed and level > 0 and not budget.spent:
            finer, finer_extra = _scan_whole(picture, region, index, fmts, opts, level - 1, done,
                                             original if level == 1 else None, budget)
            if any(settles(group, opts, opts.settled_quality) for group in group_hits(finer.found)):
                scan, extra = finer, finer_extra
        # What longer lines confirm does not spare later regions: crossing
        # into a code beside the box, they can confirm a short code read on
        # part of it, and only that code's own region shows it whole.
        if scan.confirmed and extra == 0:
            # On the code's own axis: a slanted scan's segment points off
            # the code, over a neighbour's region.
            done.append(code_axis(confirmed(scan.found)))
        scans.append(scan)
    return scans


def _scan_whole(picture: Pyramid, region: Region, index: int, fmts, opts, level: int,
                done: list[tuple[np.ndarray, np.ndarray]], lines: list[Scanline] | None,
                budget: Budget) -> tuple[RegionScan, float]:
    """One region scanned on one level, again on longer lines if a decode's quiet zone is cut off; and how much longer."""
    scan = scan_region(picture, region, index, fmts, opts, level=level, lines=lines, budget=budget)
    extra = max((_shortfall(h, picture.shape) for h in scan.found), default=0.0)
    if extra > 0 and not budget.spent:
        scan = scan_region(picture, region, index, fmts, opts, extra, level, budget=budget)
        # Longer lines may cross a code already read, where they add
        # nothing but rival readings of it.
        scan.found = [h for h in scan.found if not any(same_stretch(s, h.endpoints()) for s in done)]
    scan.found = [h for g in group_hits(scan.found) if not _too_fine(picture, g, level, opts) for h in g]
    scan.confirmed = confirmed(scan.found) is not None
    return scan, extra


def _too_fine(picture: Pyramid, group: list[Hit], level: int, opts) -> bool:
    """Whether a text was read on a level finer than its own modules ask for, and is not sure enough for that.

    Modules wider than the decoder was fitted for (a level chosen from a
    module width that blur or a part of the code made too small, or the
    finer level tried after a failure) make its quality less sure: such a
    reading counts only at ``opts.settled_quality``.
    """
    module = float(np.median([h.candidate.module * np.hypot(*h.scanline.step) for h in group]))
    return picture.level_for(module) > level and not settles(group, opts, opts.settled_quality)


def scan_region(picture: Pyramid, region: Region, index: int, fmts, opts, extra: float = 0.0,
                level: int = 0, lines: list[Scanline] | None = None, budget: Budget | None = None) -> RegionScan:
    """Decode one region's scanlines on a pyramid level, centre first, until a code is confirmed or nothing looks like one.

    ``lines``, if given, are those scanlines, already sampled. Each line's
    work is spent from ``budget`` (default: unbounded), and no line is
    decoded once it is spent.
    """
    if budget is None:
        budget = Budget()
    if lines is None:
        lines = region_scanlines(picture.level(level), region, opts.scanlines, extra, 2.0**level)
    scan = RegionScan(index, lines, [], [], False)
    for count, line in enumerate(scan.lines, start=1):
        if budget.spent:
            break
        scan.decodes.append(decode_scanline(line, fmts, opts.decoder))
        budget.spend(scan.decodes[-1].work)
        scan.found += [Hit(c, line, index, f) for c, f in scan.decodes[-1].found]
        if confirmed(scan.found) is not None:
            scan.confirmed = True
            break
        if count >= 3 and not any(quality(evidence([h])) >= HOPELESS for h in scan.found):
            break  # nothing code-like in the middle of this region
    return scan


SLACK_MODULES = 20.0  # how far past a cut-short code a longer scanline reaches, for a misplaced decode


def _shortfall(hit: Hit, shape: tuple[int, int]) -> float:
    """Pixels a scanline lacks for a code's quiet zones, where it stops inside the image (else 0).

    A decode whose quiet zone lies off its scanline has no evidence of
    one, and is often a misread of part of a longer code: a localizer's
    box that holds only part of a code gives scanlines that start inside
    it, whose decodes are misreads or nothing. Where the image goes on, a
    longer scanline shows what is there.
    """
    cand = hit.candidate
    n = len(hit.scanline.profile)
    need = (QUIET + 1.5) * cand.module
    short = max(need - cand.start, 0.0), max(cand.end + need - n, 0.0)
    if not any(short):
        return 0.0
    h, w = shape
    missing = 0.0
    for deficit, position in zip(short, (0.0, float(n))):
        x, y = hit.scanline.to_image(position)
        if deficit > 0 and 1.0 <= x <= w - 2.0 and 1.0 <= y <= h - 2.0:
            missing = max(missing, deficit + SLACK_MODULES * cand.module)
    return missing * float(np.hypot(*hit.scanline.step))
