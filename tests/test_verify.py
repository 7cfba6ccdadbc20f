"""The whole-code fit of a candidate (barreader.decode.verify)."""

import numpy as np
import pytest

from barreader.decode.verify import ideal_profile, verify


def _code(rng, n_modules=95, module=2.3, start=30.4):
    modules = rng.integers(0, 2, n_modules)
    boundaries = start + module * np.arange(n_modules + 1)
    n = int(boundaries[-1] + 40)
    profile = 0.2 + 0.6 * ideal_profile(modules, boundaries, n) + rng.normal(0, 0.03, n)
    return profile, modules, boundaries


@pytest.mark.parametrize("seed", range(3))
def test_worst_digit_is_the_largest_rms_residual_over_the_digits(seed):
    rng = np.random.default_rng(seed)
    profile, modules, boundaries = _code(rng)
    spans = [(m, m + 7) for m in range(3, 88, 7)]
    fit = verify(profile, modules, boundaries, spans)
    # The same figure the obvious way: the fitted model's residual, digit by digit.
    plain = verify(profile, modules, boundaries)
    assert plain.worst_digit == 0.0
    assert 0 < fit.worst_digit < 1
    assert fit.r2 == plain.r2 and fit.residual == plain.residual
    from barreader._kernels.fit import blur_fit
    from barreader.decode.verify import BLUR_GRID

    module = (boundaries[-1] - boundaries[0]) / (len(boundaries) - 1)
    lo = int(np.floor(boundaries[0] - 2 * module))
    hi = int(np.ceil(boundaries[-1] + 2 * module))
    ideal = ideal_profile(modules, boundaries, len(profile))
    _, _, coef, residual, _ = blur_fit(profile, ideal, lo, hi, np.array(BLUR_GRID) * module)
    want = max(
        np.sqrt(np.mean(residual[int(np.floor(boundaries[a])) - lo : int(np.ceil(boundaries[b])) - lo] ** 2))
        for a, b in spans
    ) / coef[2]
    assert fit.worst_digit == pytest.approx(want, rel=1e-9)


def test_a_wrong_code_fits_worse_than_the_drawn_one():
    rng = np.random.default_rng(7)
    profile, modules, boundaries = _code(rng)
    wrong = modules.copy()
    wrong[40:47] = 1 - wrong[40:47]
    spans = [(m, m + 7) for m in range(3, 88, 7)]
    right, bad = verify(profile, modules, boundaries, spans), verify(profile, wrong, boundaries, spans)
    assert bad.residual > right.residual
    assert bad.worst_digit > 2 * right.worst_digit
