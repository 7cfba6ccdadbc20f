"""Time spent in each stage, collected only when asked (for ``benchmarks/bench_speed.py --profile``).

Collection is per context (thread or task), so concurrent reads do not mix
their figures, and costs nothing when no one collects.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

__all__ = ["stage", "collect"]

_TIMES: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("barreader_stage_times", default=None)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time of the enclosed block against stage ``name`` (exclusive of enclosed stages)."""
    times = _TIMES.get()
    if times is None:
        yield
        return
    start = time.perf_counter()
    before = times.get("_nested", 0.0)
    times["_nested"] = 0.0
    try:
        yield
    finally:
        spent = time.perf_counter() - start
        inner = times["_nested"]
        times[name] = times.get(name, 0.0) + spent - inner
        times["_nested"] = before + spent


@contextlib.contextmanager
def collect() -> Iterator[dict[str, float]]:
    """Collect the seconds spent in each stage within the block into the dict yielded."""
    times: dict[str, float] = {}
    token = _TIMES.set(times)
    try:
        yield times
    finally:
        _TIMES.reset(token)
        times.pop("_nested", None)
