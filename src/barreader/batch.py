"""Reading many images: over a pool of processes, in input order or as they finish, with a progress bar.

A process per core, not a thread per core: most of a read is Python
between the kernels, which threads would take turns at. Each worker
imports barreader once and loads the compiled kernels from numba's cache,
so the first results of a pool come a second or so after it starts.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import InvalidArgumentError
from .options import positive_int
from .reader import check_read_options, read
from .results import Barcode

__all__ = ["read_many", "read_or_error", "available_cpus"]

IN_FLIGHT_PER_WORKER = 2  # images being read, or queued to be, per worker
HELD_PER_WORKER = 16  # images taken from the iterable but not yet yielded, per worker, at most


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it, else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def read_many(
    images: Iterable[Any],
    *,
    workers: int | None = None,
    ordered: bool = True,
    progress: bool = False,
    **read_options,
) -> Iterator[tuple[Any, list[Barcode] | Exception]]:
    """Read every image of an iterable, in parallel processes.

    Parameters
    ----------
    images : iterable
        Anything :func:`barreader.read` takes, one item per image: paths,
        arrays, PIL images. Consumed lazily, a few images per worker ahead
        of the results, so a generator over a million paths is fine.
    workers : int, optional
        Processes to read in (default: one per available CPU). ``1``
        reads in this process, with no pool.
    ordered : bool
        Yield in input order (default), or as each image is done.
    progress : bool
        Show a progress bar (tqdm) on standard error.
    **read_options
        Keyword arguments of :func:`barreader.read` (``formats``,
        ``effort``, ...), the same for every image; checked before any
        image is read.

    Yields
    ------
    source : object
        The item of ``images`` as given.
    result : list of Barcode or Exception
        What :func:`barreader.read` returned, or, for an item it could not
        read (a missing or broken file, an unusable array), the exception
        it raised: one bad item never stops the batch.

    Raises
    ------
    InvalidArgumentError
        For an unknown or invalid read option, or a ``workers`` that is
        not a positive integer; raised by the call, before anything is read.

    Notes
    -----
    The pool's processes are started with ``spawn``: a script that calls
    ``read_many`` with more than one worker must guard its entry point
    with ``if __name__ == "__main__":``. Stopping early (leaving the loop)
    shuts the pool down.

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> images = [render_code("036000291452", "UPC-A", px_per_module=2.5, rng=0).image, "missing.png"]
    >>> for source, result in barreader.read_many(images, workers=1):
    ...     print(type(source).__name__, [code.text for code in result] if isinstance(result, list) else "error")
    ndarray ['036000291452']
    str error
    """
    check_read_options(read_options, "read_many")
    if workers is None:
        workers = available_cpus()
    positive_int("workers", workers)
    if not isinstance(ordered, bool):
        raise InvalidArgumentError(f"ordered must be True or False, got {ordered!r}")
    results = _serial(images, read_options) if workers == 1 else _pooled(images, read_options, workers, ordered)
    return _with_progress(results, images) if progress else results


def read_or_error(source: Any, read_options: dict) -> list[Barcode] | Exception:
    """One image's results, or the exception reading it raised (returned, so that a pool carries it back)."""
    try:
        return read(source, **read_options)
    except Exception as exc:  # noqa: BLE001 - one bad item must not stop the batch
        return exc


def _serial(images: Iterable[Any], read_options: dict) -> Iterator[tuple[Any, list[Barcode] | Exception]]:
    for source in images:
        yield source, read_or_error(source, read_options)


def _pooled(images: Iterable[Any], read_options: dict, workers: int,
            ordered: bool) -> Iterator[tuple[Any, list[Barcode] | Exception]]:
    context = multiprocessing.get_context("spawn")
    pending: collections.deque = collections.deque()  # (future, source) in submission order, not yet yielded
    sources = iter(images)
    exhausted = False
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            while True:
                # Keep every worker busy, also while the oldest image, still being read, holds back the
                # results after it (ordered), but hold at most HELD_PER_WORKER images per worker.
                running = sum(not future.done() for future, _ in pending)
                while not exhausted and running < workers * IN_FLIGHT_PER_WORKER and len(pending) < workers * HELD_PER_WORKER:
                    try:
                        source = next(sources)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append((pool.submit(read_or_error, source, read_options), source))
                    running += 1
                if not pending:
                    return
                ready = [i for i, (future, _) in enumerate(pending) if future.done()]
                index = (0 if 0 in ready else None) if ordered else (ready[0] if ready else None)
                if index is None:
                    busy = [future for future, _ in pending if not future.done()]
                    concurrent.futures.wait(busy, return_when=concurrent.futures.FIRST_COMPLETED)
                    continue
                future, source = pending[index]
                del pending[index]
                yield source, _outcome(future)
        finally:
            for future, _ in pending:
                future.cancel()


def _outcome(future: concurrent.futures.Future) -> list[Barcode] | Exception:
    """A finished read's results, or the exception that stopped it (e.g. a source that cannot be sent to a worker)."""
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad item must not stop the batch
        return exc


def _with_progress(results: Iterator, images: Iterable[Any]) -> Iterator:
    from tqdm.auto import tqdm

    total = len(images) if hasattr(images, "__len__") else None
    with tqdm(total=total, unit="image", desc="barreader") as bar:
        for item in results:
            bar.update(1)
            yield item
