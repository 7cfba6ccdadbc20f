"""The fast decoder: its kernels against their plain-Python twins, and what it reads and refuses."""

import dataclasses

import numpy as np
import pytest

import barreader
from barreader._kernels import rows, runs, scan
from barreader.image import to_gray
from barreader.scanline import sample_profile
from barreader.stages import sweep
from barreader.symbology.code39 import code_widths
from barreader.synth import random_text, render_code

LAYOUTS = np.array([True, True, True])
LEVELS = np.array(sweep.SweepPlan().levels)


def _profile(text, fmt, ppm=2.5, blur=0.2, noise=0.01, seed=0):
    code = render_code(text, fmt, px_per_module=ppm, blur=blur, noise=noise, background_margin=20, rng=seed)
    gray = to_gray(code.image)
    y = float(code.corners[:, 1].mean())
    return sample_profile(gray, (0, y), (gray.shape[1] - 1, y), 1).profile


def _code39_profile(text, narrow=2.0, ratio=2.5, seed=0):
    rng = np.random.default_rng(seed)
    widths = np.concatenate(([12.0], code_widths(text, ratio), [12.0])) * narrow
    edges = np.concatenate(([0.0], np.cumsum(widths)))
    x = np.arange(int(edges[-1]) + 1) + 0.5
    element = np.searchsorted(edges, x) - 1
    profile = np.where(element % 2 == 1, 0.1, 0.9)  # elements 1, 3, ... are bars
    return profile + rng.normal(0, 0.01, len(profile))


def _outputs(n_lines):
    return (np.zeros((scan.MAX_READS, scan.INT_FIELDS), np.int64), np.zeros((scan.MAX_READS, scan.FLOAT_FIELDS)),
            np.zeros((scan.MAX_READS, scan.TEXT_SLOTS), np.int64), np.zeros((n_lines, 3)))


# --- kernels against their twins ---------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_edges_match_their_twin(seed):
    rng = np.random.default_rng(seed)
    profiles = [rng.random(300), _profile(random_text("EAN-13", rng), "EAN-13", seed=seed)]
    for profile in profiles:
        profile = np.asarray(profile, dtype=np.float64)
        positions, strengths = np.empty(len(profile)), np.empty(len(profile))
        n = runs.profile_edges(profile, 0.03, 0.005, positions, strengths)
        want_p, want_s = runs.profile_edges_reference(profile, 0.03, 0.005)
        np.testing.assert_allclose(positions[:n], want_p, atol=1e-12)
        np.testing.assert_allclose(strengths[:n], want_s, atol=1e-12)
        assert np.all(np.diff(np.sign(strengths[:n])) != 0)  # signs alternate
        kept_p, kept_s = np.empty(n), np.empty(n)
        m = runs.strong_edges(positions, strengths, n, 0.1, kept_p, kept_s)
        want_p, want_s = runs.strong_edges_reference(positions[:n], strengths[:n], 0.1)
        np.testing.assert_allclose(kept_p[:m], want_p)
        np.testing.assert_allclose(kept_s[:m], want_s)


def test_a_sharp_edge_is_placed_where_it_falls_inside_a_pixel():
    # Pixel 3 is 30 % light: the step from light to dark lies at 3.3.
    profile = np.array([1, 1, 1, 0.3, 0, 0, 0, 0], dtype=np.float64)
    positions, strengths = np.empty(8), np.empty(8)
    assert runs.profile_edges(profile, 0.1, 0.01, positions, strengths) == 1
    assert positions[0] == pytest.approx(3.3) and strengths[0] < 0


def test_edge_fit_matches_its_twin_and_finds_a_misplaced_edge():
    rng = np.random.default_rng(1)
    modules = rng.integers(1, 5, 59).astype(np.float64)
    marks = np.concatenate(([0.0], np.cumsum(modules)))
    positions = 30 + 2.5 * marks + 0.002 * marks**2 + rng.normal(0, 0.05, len(marks))
    fit = runs.edge_fit(positions, 0, modules, 59)
    assert fit == pytest.approx(runs.edge_fit_reference(positions, modules), rel=1e-9)
    assert fit < 0.2
    positions[30] += 2.5  # one edge a module off
    assert runs.edge_fit(positions, 0, modules, 59) > 0.6


def test_edge_fit_follows_a_label_around_a_can():
    # A code spanning 100 degrees of a cylinder seen from the front: x = R sin(angle).
    modules = np.random.default_rng(2).integers(1, 5, 59).astype(np.float64)
    marks = np.concatenate(([0.0], np.cumsum(modules)))
    angle = np.radians(100.0) * (marks / marks[-1] - 0.5)
    positions = 320 + 180 * np.sin(angle)
    fit = runs.edge_fit(positions, 0, modules, 59)
    assert fit == pytest.approx(runs.edge_fit_reference(positions, modules), rel=1e-9)
    assert fit < 0.3
    positions[20] += 0.8 * (positions[21] - positions[20]) / modules[20]  # one edge most of a module off
    assert runs.edge_fit(positions, 0, modules, 59) > 0.5


@pytest.mark.parametrize("fmt", ["UPC-A", "EAN-13", "EAN-8", "UPC-E", "Code39"])
def test_read_profiles_matches_its_twin(fmt):
    rng = np.random.default_rng(len(fmt))
    profiles = []
    for seed in range(3):
        if fmt == "Code39":
            profiles.append(_code39_profile("CODE39", seed=seed))
        else:
            profiles.append(_profile(random_text(fmt, rng), fmt, ppm=rng.uniform(1.8, 3.0), seed=seed))
    profiles.append(rng.random(len(profiles[0])))
    longest = max(len(p) for p in profiles)
    table = np.zeros((len(profiles), longest))
    counts = np.array([len(p) for p in profiles], dtype=np.int64)
    for i, p in enumerate(profiles):
        table[i, : len(p)] = p
    out_int, out_float, out_text, out_runs = _outputs(len(profiles))
    found = scan.read_profiles(table, counts, LAYOUTS, True, LEVELS, out_int, out_float, out_text, out_runs)
    want, want_runs = scan.read_profiles_reference(table, counts, LAYOUTS, True, LEVELS)
    assert found == len(want) >= 3
    for i, (line, symbology, backwards, start, end, stats, weakest, text) in enumerate(want):
        assert list(out_int[i]) == [line, symbology, backwards, len(text)]
        np.testing.assert_allclose(out_float[i], [start, end, *stats, weakest], rtol=1e-9, atol=1e-9)
        assert list(out_text[i, : len(text)]) == text
    np.testing.assert_allclose(out_runs, np.array(want_runs), atol=1e-9)


def test_bar_rows_match_their_twin():
    rng = np.random.default_rng(2)
    gray = rng.random((60, 80)).astype(np.float32)
    start, step, normal = np.array([5.3, 20.2]), np.array([0.9, 0.1]), np.array([-0.1, 0.9])
    reference = rng.normal(size=40)
    reference -= reference.mean()
    offsets = np.array([-30.0, -3.0, 0.0, 2.5, 12.0, 45.0])
    out = np.empty(len(offsets))
    rows.row_correlations(gray, start, step, normal, 40, offsets, reference, out)
    np.testing.assert_allclose(out, rows.row_correlations_reference(gray, start, step, normal, 40, offsets, reference),
                               atol=1e-9)
    # Rows of bars: a row belongs while it correlates with the reference.
    bars = np.tile(np.where((np.arange(80) // 3) % 2 == 0, 0.1, 0.9), (60, 1)).astype(np.float32)
    bars[:10] = bars[50:] = 0.5 + 0.01 * rng.normal(size=(10, 80)).astype(np.float32)
    reference = bars[30, 10:50].astype(np.float64) - bars[30, 10:50].mean()
    args = (bars, np.array([10.0, 30.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 40, reference)
    for side in (-1.0, 1.0):
        got = rows.bar_reach(*args, 0.0, side, 40.0, 3)
        assert got == rows.bar_reach_reference(*args, 0.0, side, 40.0, 3)
    assert rows.bar_reach(*args, 0.0, -1.0, 40.0, 3) == -20.0 and rows.bar_reach(*args, 0.0, 1.0, 40.0, 3) == 19.0
    # Both reaches in one call, from the mean of the rows read.
    span_args = (bars, np.array([10.0, 30.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 40, np.array([-2.0, 0.0, 3.0]),
                 -2.0, 3.0, 40.0, 3)
    out = np.empty(2)
    assert rows.bar_span(*span_args, out)
    assert tuple(out) == rows.bar_span_reference(*span_args) == (-20.0, 19.0)
    flat = np.full((60, 80), 0.5, dtype=np.float32)
    assert not rows.bar_span(flat, *span_args[1:], out) and rows.bar_span_reference(flat, *span_args[1:]) is None
    assert rows.bar_span(bars, np.array([100.0, 30.0]), *span_args[2:], out) is False  # every row leaves the image


# --- what the fast decoder reads and refuses -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["UPC-A", "EAN-13", "EAN-8", "UPC-E"])
@pytest.mark.parametrize("ppm", [1.6, 2.5, 6.0])
def test_every_format_is_read_exactly_forwards_and_backwards(fmt, ppm):
    rng = np.random.default_rng(int(10 * ppm))
    for seed in range(3):
        text = random_text(fmt, rng)
        code = render_code(text, fmt, px_per_module=ppm, blur=0.2, noise=0.02, background_margin=20, rng=seed)
        for image in (code.image, code.image[:, ::-1], code.image.T):
            results = barreader.read(image, effort="fast")
            assert [(r.format.value, r.text) for r in results] == [(fmt, text)]
            assert results[0].extra["decoder"] == "fast" and 0.9 < results[0].quality <= 1.0


def test_code39_is_read_by_the_sweep():
    profile = _code39_profile("SWEEP-39")
    image = np.tile(np.round(255 * np.clip(profile, 0, 1)).astype(np.uint8), (40, 1))
    results = barreader.read(image, effort="fast")
    assert [(r.format.value, r.text) for r in results] == [("Code39", "SWEEP-39")]


@pytest.mark.parametrize("angle", [0, 20, 45, 70, 90, 135, 160])
def test_the_sweep_reads_codes_at_any_angle_with_their_true_box(angle):
    text = "4006381333931"
    code = render_code(text, "EAN-13", px_per_module=2.5, angle=angle, blur=0.2, noise=0.01, background_margin=40, rng=1)
    results = barreader.read(code.image, effort="fast")
    assert [r.text for r in results] == [text]
    turn = (results[0].orientation - angle) % 360.0
    assert min(turn, 360.0 - turn) < 3.0
    centre = code.corners.mean(axis=0)
    length = np.hypot(*(code.corners[1] - code.corners[0]))
    assert np.hypot(*(results[0].position.mean(axis=0) - centre)) < 0.08 * length


def test_noise_text_and_stripes_read_nothing():
    rng = np.random.default_rng(5)
    images = [(rng.random((240, 320)) * 255).astype(np.uint8)]
    x = np.arange(320)
    for period in (2, 3, 5, 8, 13):
        images.append(np.tile(np.where((x // period) % 2 == 0, 30, 220).astype(np.uint8), (240, 1)))
    for image in images:
        assert barreader.read(image, effort="fast") == []


def test_a_misread_line_alone_settles_nothing():
    # One line read as a valid but wrong text is outvoted, or refused when alone.
    a = sweep.LineRead(0, tuple(range(13)), 0, (0.0, 0.0), (100.0, 0.0), 0.99, 0.1, 95.0, (0.0, 100.0), 1.0)
    plan = sweep.SweepPlan()
    assert sweep.agreeing([a], plan) == []
    twin = sweep.LineRead(0, tuple(range(13)), 1, (0.0, 4.0), (100.0, 4.0), 0.99, 0.1, 95.0, (0.0, 100.0), 1.0)
    assert len(sweep.agreeing([a, twin], plan)) == 1
    rivals = [sweep.LineRead(0, (9,) * 13, line, (0.0, 2.0 * line), (100.0, 2.0 * line), 0.99, 0.1, 95.0, (0.0, 100.0), 1.0)
              for line in (5, 6)]
    assert sweep.agreeing([a, twin, *rivals], plan) == []  # two texts, as many lines each: neither settled


def test_effort_levels():
    code = render_code("036000291452", "UPC-A", px_per_module=2.5, background_margin=20, rng=0)
    for effort in ("fast", "normal", "thorough"):
        assert [r.text for r in barreader.read(code.image, effort=effort)] == ["036000291452"]
    with pytest.raises(barreader.InvalidArgumentError, match="effort"):
        barreader.read(code.image, effort="quick")
    blurred = render_code("036000291452", "UPC-A", px_per_module=2.0, blur=0.9, noise=0.01, background_margin=20, rng=0)
    assert barreader.read(blurred.image, effort="fast") == []
    assert [r.text for r in barreader.read(blurred.image, effort="thorough")] == ["036000291452"]


def test_the_sweep_lines_cover_the_image():
    plan = sweep.SweepPlan()
    for height, width in ((40, 300), (480, 640), (17, 17)):
        for part in sweep.PASSES:
            lines = sweep.sweep_lines(height, width, plan, part)
            ends_x = lines[:, 0] + (lines[:, 4] - 1) * lines[:, 2]
            ends_y = lines[:, 1] + (lines[:, 4] - 1) * lines[:, 3]
            assert (lines[:, 0] >= 0).all() and (lines[:, 0] < width).all() and (ends_x >= 0).all() and (ends_x < width).all()
            assert (lines[:, 1] >= 0).all() and (lines[:, 1] < height).all() and (ends_y >= 0).all() and (ends_y < height).all()
    rows_only = sweep.sweep_lines(40, 300, plan, "dense")
    assert len(np.unique(rows_only[rows_only[:, 3] == 0, 1])) == 40  # every row of a small crop
    straight = sweep.sweep_lines(480, 640, plan, "straight")
    rows, columns = straight[straight[:, 3] == 0], straight[straight[:, 3] != 0]
    assert len(rows) == 16 and (rows[:, 3] == 0).all() and (rows[:, 2] == 1).all()
    assert len(columns) == 16 and (columns[:, 2] == 0).all() and (columns[:, 3] == 1).all()
    slant = sweep.sweep_lines(480, 640, plan, "slant")
    assert (slant[:, 2] != 0).all() and (slant[:, 3] == 1).all()
    assert len(sweep.sweep_lines(480, 640, dataclasses.replace(plan, diagonals=False), "slant")) == 0
    assert len(straight) + len(slant) < len(sweep.sweep_lines(480, 640, plan, "dense")) / 4
    with pytest.raises(ValueError, match="part"):
        sweep.sweep_lines(480, 640, plan, "coarse")
