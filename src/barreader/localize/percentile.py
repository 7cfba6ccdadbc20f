"""Percentiles of short arrays without :func:`numpy.percentile`'s overhead."""

from __future__ import annotations

import numpy as np

__all__ = ["percentiles"]


def percentiles(values: np.ndarray, *q: float) -> tuple[float, ...]:
    """Percentiles of a 1-D array, interpolated linearly as :func:`numpy.percentile` does.

    One :func:`numpy.partition` finds every order statistic needed; for the
    few hundred values of a localizer's box this is several times faster
    than :func:`numpy.percentile`.
    """
    n = values.size
    if n == 0:
        raise ValueError("percentiles of an empty array")
    positions = [p / 100.0 * (n - 1) for p in q]
    below = [int(p) for p in positions]
    above = [min(b + 1, n - 1) for b in below]
    parted = np.partition(values, sorted(set(below + above)))
    return tuple(float(parted[b] + (p - b) * (parted[a] - parted[b])) for p, b, a in zip(positions, below, above))
