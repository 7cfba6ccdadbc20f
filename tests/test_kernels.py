"""Numba kernels against their plain-Python twins and against brute force."""

import math

import numpy as np
import pytest

from barreader._kernels.chain import (
    chain_best,
    chain_free_best,
    chain_log_partition,
    chain_reference,
    decode_runs,
)
from barreader._kernels.marginal import (
    band_pieces,
    band_pieces_reference,
    slot_likelihoods,
    slot_likelihoods_reference,
    template_cost_reference,
)
from barreader.decode.cells import COEFFICIENTS, unit_cells
from barreader.decode.upcean import TEMPLATE_BOUNDARIES, TEMPLATE_WHITE

COEFS = np.array(COEFFICIENTS, dtype=np.int64)


def _random_points_in(polygon, rng, count):
    """Uniform points inside a convex polygon (fan triangulation)."""
    points = []
    for _ in range(count):
        i = rng.integers(1, len(polygon) - 1)
        a, b, c = polygon[0], polygon[i], polygon[i + 1]
        u, v = rng.uniform(size=2)
        if u + v > 1:
            u, v = 1 - u, 1 - v
        points.append(a + u * (b - a) + v * (c - a))
    return points


def test_unit_cells_tile_the_square():
    cells = unit_cells()
    assert cells.area.sum() == pytest.approx(1.0, abs=1e-12)
    assert (cells.area > 0).all()


def test_ceil_offsets_are_constant_on_each_cell():
    cells = unit_cells()
    rng = np.random.default_rng(0)
    for cell in range(cells.n_cells):
        polygon = cells.vertices[cell, : cells.n_vertices[cell]]
        for x, y in _random_points_in(polygon, rng, 5):
            got = [math.ceil(x + c * y) for c in COEFFICIENTS]
            assert got == list(cells.ceil_offsets[cell])


@pytest.mark.parametrize("w_lo, w_hi", [(1.93, 2.11), (2.0, 2.25), (0.97, 1.04), (3.4, 3.9)])
def test_band_pieces_matches_twin(w_lo, w_hi):
    cells = unit_cells()
    fast = band_pieces(cells.vertices, cells.n_vertices, cells.ceil_offsets, COEFS, w_lo, w_hi)
    slow = band_pieces_reference(cells, w_lo, w_hi)
    assert fast[1].sum() == pytest.approx(w_hi - w_lo, abs=1e-12)
    order_fast = np.lexsort((fast[2], fast[3]))
    order_slow = np.lexsort((slow[2], slow[3]))
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a[order_fast], b[order_slow], atol=1e-12)


def _penalties(rng, n):
    profile = rng.uniform(0, 1, n)
    mu_b, mu_w, sigma2 = 0.2, 0.8, 0.05
    white = np.maximum(mu_w - profile, 0) ** 2 / (2 * sigma2)
    black = np.maximum(profile - mu_b, 0) ** 2 / (2 * sigma2)
    return white, black


def _template_args(t):
    edges = [COEFFICIENTS[i] for i in TEMPLATE_BOUNDARIES[t]]
    return edges, TEMPLATE_WHITE[t]


@pytest.mark.parametrize("seed", range(4))
def test_slot_likelihoods_match_twin(seed):
    rng = np.random.default_rng(seed)
    white, black = _penalties(rng, 60)
    cells = unit_cells()
    w = rng.uniform(1.2, 3.0)
    pieces = band_pieces(cells.vertices, cells.n_vertices, cells.ceil_offsets, COEFS, w - 0.1, w + 0.1)
    a_first, a_stop = 12, 18
    log_box = math.log((a_stop - a_first) * 0.2)
    templates = np.arange(40, dtype=np.int64)
    logp, o_mean, w_mean = np.zeros(40), np.zeros(40), np.zeros(40)
    prefix_w = np.concatenate(([0.0], np.cumsum(white)))
    prefix_b = np.concatenate(([0.0], np.cumsum(black)))
    slot_likelihoods(prefix_w, prefix_b, a_first, a_stop, *pieces, TEMPLATE_BOUNDARIES, TEMPLATE_WHITE, templates, log_box, logp, o_mean, w_mean)
    for t in rng.choice(40, 6, replace=False):
        edges, tract_white = _template_args(t)
        want = slot_likelihoods_reference(white, black, a_first, a_stop, pieces, edges, tract_white, log_box)
        assert logp[t] == pytest.approx(want[0], abs=1e-9)
        assert o_mean[t] == pytest.approx(want[1], abs=1e-9)
        assert w_mean[t] == pytest.approx(want[2], abs=1e-9)


def test_marginal_equals_dense_numerical_integration():
    """The sum over polygons is the integral; a fine grid converges to it."""
    rng = np.random.default_rng(7)
    white, black = _penalties(rng, 40)
    white *= 0.05  # a flat likelihood makes the grid converge quickly
    black *= 0.05
    cells = unit_cells()
    w_lo, w_hi = 2.05, 2.3
    a_first, a_stop = 8, 11
    pieces = band_pieces(cells.vertices, cells.n_vertices, cells.ceil_offsets, COEFS, w_lo, w_hi)
    prefix_w = np.concatenate(([0.0], np.cumsum(white)))
    prefix_b = np.concatenate(([0.0], np.cumsum(black)))
    logp, o_mean, w_mean = np.zeros(40), np.zeros(40), np.zeros(40)
    t = 13  # G-family digit 3
    box = (a_stop - a_first) * (w_hi - w_lo)
    slot_likelihoods(prefix_w, prefix_b, a_first, a_stop, *pieces, TEMPLATE_BOUNDARIES, TEMPLATE_WHITE, np.array([t]), math.log(box), logp, o_mean, w_mean)
    edges, tract_white = _template_args(t)
    n_o, n_w = 900, 120
    os_ = a_first + (np.arange(n_o) + 0.5) * (a_stop - a_first) / n_o
    ws = w_lo + (np.arange(n_w) + 0.5) * (w_hi - w_lo) / n_w
    like = np.array([[math.exp(-template_cost_reference(white, black, edges, tract_white, o, w)) for o in os_] for w in ws])
    mean = like.mean()
    assert math.log(mean) == pytest.approx(logp[t], abs=2e-3)
    assert (like.sum(axis=0) @ os_) / like.sum() == pytest.approx(o_mean[t], abs=2e-3)
    assert (like.sum(axis=1) @ ws) / like.sum() == pytest.approx(w_mean[t], abs=1e-3)


def _chain_inputs(rng, n):
    cost = rng.uniform(0, 8, (n, 10))
    o_mean = (np.arange(n)[:, None] * 7.0 * 2.0 + rng.normal(0, 0.8, (n, 10)))
    w_mean = 2.0 + rng.normal(0, 0.05, (n, 10))
    gap = np.zeros(n)
    gap[n // 2 - 1] = 5.0
    o_mean[n // 2 :] += 5 * 2.0
    weight = np.array([3, 1] * n)[:n]
    allowed = rng.uniform(size=(n, 10)) > 0.2
    return cost, o_mean, w_mean, gap, weight, allowed


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("squared", [True, False])
def test_chain_kernels_match_enumeration(seed, squared):
    rng = np.random.default_rng(seed)
    cost, o_mean, w_mean, gap, weight, allowed = _chain_inputs(rng, 4)
    start = int(rng.integers(10))
    digits = np.zeros(4, dtype=np.int64)
    best = chain_best(cost, o_mean, w_mean, gap, weight, allowed, start, 0.3, squared, 2.0, digits)
    log_z = chain_log_partition(cost, o_mean, w_mean, gap, weight, allowed, start, 0.3, squared, 2.0)
    free = chain_free_best(cost, o_mean, w_mean, gap, allowed, 0.3, squared, 2.0)
    want_best, want_z, want_digits, want_free = chain_reference(cost, o_mean, w_mean, gap, weight, allowed, start, 0.3, squared, 2.0)
    assert best == pytest.approx(want_best, rel=1e-12)
    assert list(digits) == want_digits
    assert log_z == pytest.approx(want_z, rel=1e-10)
    assert free == pytest.approx(want_free, rel=1e-12)
    assert free <= best


def test_decode_runs_finds_the_best_run():
    rng = np.random.default_rng(3)
    n, n_runs = 4, 5
    cost_all = rng.uniform(0, 8, (n, 20))
    o_all = np.arange(n)[:, None] * 14.0 + rng.normal(0, 0.8, (n, 20))
    w_all = 2.0 + rng.normal(0, 0.05, (n, 20))
    families = rng.integers(0, 2, (n_runs, n))
    weights = np.tile([3, 1, 3, 1], (n_runs, 1))
    starts = rng.integers(0, 10, n_runs)
    allowed = np.ones((n_runs, n, 10), dtype=bool)
    enabled = np.array([True, True, False, True, True])
    gap = np.zeros(n)
    r, best, digits, log_z, others = decode_runs(cost_all, o_all, w_all, families, weights, starts, allowed, gap, 0.2, True, 2.0, enabled, 1e9)
    results = []
    for run in range(n_runs):
        if not enabled[run]:
            continue
        rows = np.arange(n)[:, None]
        cols = families[run][:, None] * 10 + np.arange(10)[None, :]
        ref = chain_reference(cost_all[rows, cols], o_all[rows, cols], w_all[rows, cols], gap, weights[run], allowed[run], starts[run], 0.2, True, 2.0)
        results.append((ref[0], run, ref))
    want_cost, want_run, ref = min(results)
    assert r == want_run
    assert best == pytest.approx(want_cost)
    assert list(digits) == ref[2]
    # Runs given an exact partition function are marked inf in ``others``.
    exact = [res for res in results if others[res[1]] == np.inf]
    assert want_run in [res[1] for res in exact]
    assert log_z == pytest.approx(np.logaddexp.reduce([res[2][1] for res in exact]))
    for cost, run, _ in results:
        assert others[run] == np.inf or others[run] <= cost + 1e-9  # else a lower bound of its cost
    assert others[2] == np.inf


@pytest.mark.parametrize("seed", range(3))
def test_blur_fit_matches_twin(seed):
    from barreader._kernels.fit import blur_fit, blur_fit_reference

    rng = np.random.default_rng(seed)
    ideal = (rng.uniform(size=120) > 0.5).astype(float)
    t = np.linspace(-1.2, 1.2, 120)
    profile = 0.2 + 0.05 * t + (0.5 - 0.1 * t) * ideal + rng.normal(0, 0.05, 120)
    sigmas = np.array([0.0, 0.7, 1.5, 3.0])
    fast = blur_fit(profile, ideal, 10, 110, sigmas)
    slow = blur_fit_reference(profile, ideal, 10, 110, sigmas)
    assert fast[0] == slow[0]
    for a, b in zip(fast[1:], slow[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_shaded_fit_recovers_uneven_light():
    from barreader._kernels.fit import shaded_fit, shaded_fit_reference

    rng = np.random.default_rng(3)
    t = np.linspace(-1, 1, 200)
    w = rng.uniform(size=200)
    truth = np.array([0.15, -0.05, 0.6, 0.2])
    y = truth[0] + truth[1] * t + (truth[2] + truth[3] * t) * w
    coef, sse = shaded_fit(y, w, t)
    np.testing.assert_allclose(coef, truth, atol=1e-10)
    assert sse == pytest.approx(0.0, abs=1e-18)
    y = y + rng.normal(0, 0.03, 200)
    fast, slow = shaded_fit(y, w, t), shaded_fit_reference(y, w, t)
    np.testing.assert_allclose(fast[0], slow[0], atol=1e-10)
    assert fast[1] == pytest.approx(slow[1], rel=1e-10)
    # A whiteness that is affine in t leaves the fit undetermined.
    assert shaded_fit(y, 0.3 + 0.2 * t, t)[1] == np.inf


# --- blurred-model decoder ---------------------------------------------------


def test_module_responses_match_quadrature():
    from barreader._kernels.blurred import _frac_ref, module_responses

    boundaries = np.array([10.3, 12.1, 13.9, 15.2])
    for sigma in (0.0, 0.8, 2.1):
        got = module_responses(boundaries, sigma, 5, 22)
        for m in range(3):
            for x in range(5, 22):
                want = _frac_ref(boundaries[m + 1], x, sigma) - _frac_ref(boundaries[m], x, sigma)
                assert got[m, x - 5] == pytest.approx(want, abs=2e-4)
        # Modules tile the line: their responses add up to the coverage of the whole span.
        total = got.sum(axis=0)
        assert total.max() <= 1 + 1e-9


def test_blurred_emissions_sum_to_the_code_error():
    """The per-slot tables, summed along a digit string, equal its squared error sample by sample."""
    from barreader._kernels.blurred import blurred_code_sse_reference, contrast_emissions, module_responses, slot_moments
    from barreader.decode.blurred import FAMILY_BITS, _owners, _tables
    from barreader.decode.upcean import LAYOUTS

    rng = np.random.default_rng(5)
    layout, tables = LAYOUTS["ean8"], _tables("ean8")
    start, module, sigma = 20.3, 2.2, 1.7
    boundaries = start + module * np.arange(layout.n_modules + 1)
    lo, hi = 10, 200
    profile = rng.uniform(0.1, 0.9, 220)
    responses = module_responses(boundaries, sigma, lo, hi)
    owner = _owners(tables, boundaries, lo, hi)
    moments = slot_moments(profile, lo, responses, owner, tables.fixed_bar, tables.slot_first, FAMILY_BITS, tables.slot_families, 0.85)
    run = 0
    table = contrast_emissions(*moments, 0.6, tables.run_choice[run])
    digits = rng.integers(0, 10, len(layout.slots))
    bars = tables.fixed_bar.copy()
    for j, d in enumerate(digits):
        bars[tables.slot_first[j] : tables.slot_first[j] + 7] = FAMILY_BITS[layout.run_families[run, j], d]
    n = len(digits)
    total = table[0, 0, digits[0], digits[1]] + table[n - 1, digits[n - 2], digits[n - 1], 0]
    total += sum(table[j, digits[j - 1], digits[j], digits[j + 1]] for j in range(1, n - 1))
    want = blurred_code_sse_reference(profile, lo, hi, boundaries, bars, sigma, 0.85, 0.6, owner >= 0)
    assert total == pytest.approx(want, rel=1e-3)


@pytest.mark.parametrize("seed", range(4))
def test_pair_chain_matches_enumeration(seed):
    from barreader._kernels.blurred import pair_chain, pair_chain_free, pair_chain_reference, runner_up

    rng = np.random.default_rng(seed)
    n = 4
    emission = rng.uniform(0, 5, (n, 10, 10, 10))
    weight = np.array([3, 1, 3, 1])
    allowed = rng.uniform(size=(n, 10)) > 0.3
    start = int(rng.integers(10))
    digits = np.zeros(n, dtype=np.int64)
    best = pair_chain(emission, weight, allowed, start, digits)
    want, want_digits = pair_chain_reference(emission, weight, allowed, start)
    assert best == pytest.approx(want)
    assert list(digits) == want_digits
    assert pair_chain_free(emission, allowed) <= best + 1e-12
    # The runner-up is the best valid string that differs from the best.
    masked = allowed.copy()
    second = np.inf
    import itertools

    for combo in itertools.product(*[np.flatnonzero(allowed[j]) for j in range(n)]):
        if list(combo) == want_digits or (start + sum(w * d for w, d in zip(weight, combo))) % 10:
            continue
        cost = emission[0, 0, combo[0], combo[1]] + emission[n - 1, combo[n - 2], combo[n - 1], 0]
        cost += sum(emission[j, combo[j - 1], combo[j], combo[j + 1]] for j in range(1, n - 1))
        second = min(second, cost)
    assert runner_up(emission, weight, masked, start, digits) == pytest.approx(second)


@pytest.mark.parametrize("n, seed", [(2, 0), (3, 1), (6, 2), (12, 3), (12, 4), (13, 5)])
def test_runner_up_forwards_and_backwards_matches_forbidding_each_slot(n, seed):
    from barreader._kernels.blurred import pair_chain, runner_up, runner_up_reference

    rng = np.random.default_rng(seed)
    emission = rng.uniform(0, 5, (n, 10, 10, 10))
    weight = np.array([3, 1] * ((n + 1) // 2))[:n]
    allowed = rng.uniform(size=(n, 10)) > 0.2
    allowed[:, 0] = True
    start = int(rng.integers(10))
    digits = np.zeros(n, dtype=np.int64)
    best = pair_chain(emission, weight, allowed, start, digits)
    assert np.isfinite(best)
    second = runner_up(emission, weight, allowed, start, digits)
    assert second == pytest.approx(runner_up_reference(emission, weight, allowed, start, digits), rel=1e-12)
    assert second >= best


def test_loosest_and_contrast_emissions_match_numpy():
    from barreader._kernels.blurred import contrast_emissions, loosest_emissions

    rng = np.random.default_rng(11)
    n = 3
    uu = rng.uniform(0, 2, n)
    uv = rng.normal(0, 1, (n, 2, 2, 2, 10, 10, 10))
    vv = rng.uniform(0, 2, (n, 2, 2, 2, 10, 10, 10))
    contrast = 0.7
    every = uu[:, None, None, None, None, None, None] + 2 * contrast * uv + contrast**2 * vv
    np.testing.assert_allclose(loosest_emissions(uu, uv, vv, contrast), every.min(axis=(1, 2, 3)), rtol=1e-12)
    choice = np.array([1, 0, 1])
    want = np.stack([every[j, choice[j - 1] if j else 0, choice[j], choice[j + 1] if j < n - 1 else 0] for j in range(n)])
    np.testing.assert_allclose(contrast_emissions(uu, uv, vv, contrast, choice), want, rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_best_over_runs_matches_trying_every_run(seed):
    from barreader._kernels.blurred import best_over_runs, contrast_emissions, pair_chain_reference

    rng = np.random.default_rng(seed)
    n, n_runs = 4, 3
    uu = rng.uniform(0, 2, n)
    uv = rng.normal(0, 1, (n, 2, 2, 2, 10, 10, 10))
    vv = rng.uniform(0, 2, (n, 2, 2, 2, 10, 10, 10))
    choices = rng.integers(0, 2, (n_runs, n))
    weights = np.tile(np.array([3, 1, 3, 1]), (n_runs, 1))
    allowed = rng.uniform(size=(n_runs, n, 10)) > 0.2
    starts = rng.integers(0, 10, n_runs)
    enabled = np.array([True, True, seed != 1])
    digits, others = np.zeros(n, dtype=np.int64), np.zeros(n_runs)
    cost, run, count = best_over_runs(uu, uv, vv, 0.6, choices, weights, allowed, starts, enabled, np.inf, digits, others)
    per_run = []
    for r in range(n_runs):
        table = contrast_emissions(uu, uv, vv, 0.6, choices[r])
        per_run.append(pair_chain_reference(table, weights[r], allowed[r], int(starts[r])) if enabled[r] else (np.inf, None))
    want_run = int(np.argmin([c for c, _ in per_run]))
    assert run == want_run
    assert cost == pytest.approx(per_run[want_run][0])
    assert list(digits) == per_run[want_run][1]
    # Every other enabled run is reported by its cost or by a lower bound of it.
    assert count == int(enabled.sum()) - 1
    others_want = sorted(c for r, (c, _) in enumerate(per_run) if enabled[r] and r != want_run)
    assert all(o <= w + 1e-9 for o, w in zip(sorted(others[:count]), others_want))


def test_position_grid_spans_minus_one_to_one():
    from barreader._kernels.fit import position_grid

    np.testing.assert_allclose(position_grid(5, 26), np.linspace(-1, 1, 21), atol=1e-12)
    assert position_grid(3, 4)[0] == 0.0


def test_layout_likelihoods_match_slot_twins():
    from barreader._kernels.marginal import layout_likelihoods

    rng = np.random.default_rng(8)
    white, black = _penalties(rng, 120)
    prefix_w = np.concatenate(([0.0], np.cumsum(white)))
    prefix_b = np.concatenate(([0.0], np.cumsum(black)))
    cells = unit_cells()
    centers, widths = np.array([20.3, 45.8, 70.1]), np.array([2.1, 2.4, 1.9])
    delta_o, delta_w = np.array([2.0, 1.5, 2.5]), np.array([0.2, 0.3, 0.25])
    slot_templates = np.tile(np.arange(0, 40, 3, dtype=np.int64), (3, 1))
    shape = (3, 40)
    logp, o_mean, w_mean = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    layout_likelihoods(prefix_w, prefix_b, cells.vertices, cells.n_vertices, cells.ceil_offsets, COEFS, centers, widths,
                       delta_o, delta_w, slot_templates, TEMPLATE_BOUNDARIES, TEMPLATE_WHITE, logp, o_mean, w_mean)
    for j in range(3):
        w_lo, w_hi = widths[j] - delta_w[j], widths[j] + delta_w[j]
        pieces = band_pieces_reference(cells, w_lo, w_hi)
        a_first, a_stop = math.floor(centers[j] - delta_o[j]), math.ceil(centers[j] + delta_o[j])
        log_box = math.log((a_stop - a_first) * (w_hi - w_lo))
        for t in slot_templates[j][::4]:
            edges, tract_white = _template_args(t)
            want = slot_likelihoods_reference(white, black, a_first, a_stop, pieces, edges, tract_white, log_box)
            assert logp[j, t] == pytest.approx(want[0], abs=1e-9)
            assert o_mean[j, t] == pytest.approx(want[1], abs=1e-9)
            assert w_mean[j, t] == pytest.approx(want[2], abs=1e-9)
