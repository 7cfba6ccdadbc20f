"""The work budget: the work an effort level lets an image's template decoding and blurred-model search spend."""

import math

import numpy as np

from barreader.formats import parse_formats
from barreader.options import EFFORTS, ReaderOptions
from barreader.pyramid import Pyramid
from barreader.results import Region
from barreader.stages import search, templates
from barreader.stages.regions import region_scanlines
from barreader.synth import render_code


def _blurred_code():
    # Blurred enough that the fast decoder leaves it to the templates, which need a few scanlines.
    code = render_code("5901234123457", "EAN-13", px_per_module=2.0, blur=0.7, noise=0.03, height=60, rng=5)
    h, w = code.image.shape
    region = Region(np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]), 0.0, 1.0)
    return Pyramid(code.image), region


def test_a_spent_budget_decodes_no_scanline():
    picture, region = _blurred_code()
    budget = templates.Budget(0)
    scans = templates.scan_regions(picture, [region], parse_formats("ean13"), ReaderOptions(), budget=budget)
    assert all(not scan.decodes for scan in scans)
    assert budget.left == 0


def test_the_budget_is_charged_each_line_s_work_and_stops_the_next_line():
    picture, region = _blurred_code()
    fmts, opts = parse_formats("ean13"), ReaderOptions()
    ample = templates.Budget(1000)
    unbounded = templates.scan_regions(picture, [region], fmts, opts, budget=ample)
    spent = sum(d.work for scan in unbounded for d in scan.decodes)
    assert 0 < spent < 1000 and ample.left == 1000 - spent
    assert unbounded[0].confirmed
    first_line = unbounded[0].decodes[0].work
    assert first_line > 0
    tight = templates.Budget(first_line)
    scans = templates.scan_regions(picture, [region], fmts, opts, budget=tight)
    # The first line spends the whole budget, so no second line is decoded.
    assert [len(scan.decodes) for scan in scans] == [1]
    assert tight.spent and tight.left == 0


def test_a_line_s_work_counts_its_layout_decodes():
    picture, region = _blurred_code()
    line = region_scanlines(picture.gray, region, 7)[3]
    decodes = templates.decode_scanline(line, parse_formats("upcean"), ReaderOptions().decoder)
    # Every layout the bar count allows is decoded at least once on each extent found.
    assert decodes.work >= len(decodes.seeds) >= 1


def test_only_thorough_reading_has_no_work_bound():
    assert EFFORTS["fast"].work == 0
    assert 0 < EFFORTS["normal"].work < math.inf
    assert EFFORTS["thorough"].work == math.inf


def _blurred_scan(picture, region, fmts, opts):
    # The templates' decodes of a strongly blurred code, their texts dropped so that the region is
    # left to the blurred-model search.
    scan = templates.scan_region(picture, region, 0, fmts, opts)
    scan.confirmed = False
    scan.found = []
    return scan


def test_the_blurred_search_spends_the_same_budget_and_stops_when_it_is_spent():
    code = render_code("5901234123457", "EAN-13", px_per_module=2.0, blur=1.1, noise=0.01, height=60, rng=7)
    h, w = code.image.shape
    region = Region(np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]), 0.0, 1.0)
    picture, fmts, opts = Pyramid(code.image), parse_formats("ean13"), ReaderOptions()
    scan = _blurred_scan(picture, region, fmts, opts)
    assert any(d.blurred for d in scan.decodes), "the render is meant to look blurred to the templates"
    ample = templates.Budget(10_000)
    search.search_regions([scan], fmts, opts, budget=ample)
    full = search.search_work(len(scan.lines[0].profile), len(scan.decodes[0].seeds), full=True)
    # The central scanline is searched in full, at least, and charged for it.
    assert ample.left <= 10_000 - full
    assert any(hit.candidate.text == "5901234123457" for hit in scan.found)

    spent_scan = _blurred_scan(picture, region, fmts, opts)
    search.search_regions([spent_scan], fmts, opts, budget=templates.Budget(0))
    assert spent_scan.found == []


def test_search_work_counts_samples_searched_in_full_and_seeds():
    assert search.search_work(200, 0, full=True) == search.FULL_SEARCH_WORK * 200
    assert search.search_work(200, 3, full=False) == search.SEED_WORK * 3
    assert search.search_work(200, 3, full=True) > search.search_work(200, 3, full=False)
