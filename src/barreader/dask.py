"""Reading on Dask: a bag or a dataframe of results, on the local scheduler or a ``distributed`` cluster.

Needs the ``dask`` extra (``pip install "barreader[dask]"``). Every image is
read by :func:`barreader.read` on a worker; the functions here only build
the Dask collections, and :func:`collect` computes one and brings the
results back in input order.

Examples
--------
>>> import barreader.dask
>>> bag = barreader.dask.read_bag(["examples/upca_sharp.png"])      # doctest: +SKIP
>>> frame = barreader.dask.read_dataframe(paths, effort="fast")      # doctest: +SKIP
>>> frame.compute()                                                  # doctest: +SKIP
>>> from distributed import Client                                   # doctest: +SKIP
>>> results = barreader.dask.collect(paths, client=Client("tcp://scheduler:8786"))  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .batch import read_or_error
from .reader import check_read_options
from .results import Barcode

__all__ = ["read_bag", "read_dataframe", "collect", "COLUMNS"]

COLUMNS = {"source": "string", "format": "string", "text": "string", "quality": "float64", "orientation": "float64",
           **{f"{axis}{i}": "float64" for i in range(4) for axis in "xy"}, "error": "string"}


def _dask():
    try:
        import dask.bag
    except ImportError as exc:
        raise ImportError('barreader.dask needs Dask: pip install "barreader[dask]" (or ".[dask]" from a clone)') from exc
    return dask


def _source_name(source: Any) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else f"<{type(source).__name__}>"


def _read_pair(source: Any, read_options: dict) -> tuple[Any, list[Barcode] | Exception]:
    return source, read_or_error(source, read_options)


def read_bag(images: Sequence[Any], *, npartitions: int | None = None, **read_options):
    """A Dask bag of ``(source, result)``, one item per image, as :func:`barreader.read_many` yields them.

    Parameters
    ----------
    images : sequence
        Paths (what workers elsewhere can open), or arrays and other
        images :func:`barreader.read` takes.
    npartitions : int, optional
        Partitions of the bag (default: Dask's choice, about 100 items each).
    **read_options
        Keyword arguments of :func:`barreader.read`, checked here.

    Returns
    -------
    dask.bag.Bag
        Lazy; ``result`` is a list of Barcode, or the exception reading the image raised.
    """
    dask = _dask()
    check_read_options(read_options, "read_bag")
    images = list(images)
    bag = dask.bag.from_sequence(images, npartitions=npartitions or max(1, min(len(images), 100)))
    return bag.map(_read_pair, read_options)


def _rows(pair: tuple[Any, list[Barcode] | Exception]) -> list[dict]:
    """Dataframe rows of one image: one per code, or one with nothing but the source (and the error)."""
    source, result = pair
    name = _source_name(source)
    if isinstance(result, Exception):
        return [{"source": name, "error": f"{type(result).__name__}: {result}"}]
    if not result:
        return [{"source": name}]
    rows = []
    for code in result:
        row = {"source": name, "format": code.format.value, "text": code.text, "quality": float(code.quality),
               "orientation": float(code.orientation)}
        for i, (x, y) in enumerate(code.position):
            row[f"x{i}"], row[f"y{i}"] = float(x), float(y)
        rows.append(row)
    return rows


def read_dataframe(images: Sequence[Any], *, npartitions: int | None = None, **read_options):
    """A Dask dataframe of results: a row per code found, or one per image with none.

    Columns are :data:`COLUMNS`: ``source`` (the path, or the kind of
    object), ``format``, ``text``, ``quality``, ``orientation``, the corners
    ``x0, y0 ... x3, y3`` (start-top, end-top, end-bottom, start-bottom, in
    pixels) and ``error`` (why an image could not be read); missing values
    are null.

    Parameters
    ----------
    images, npartitions, **read_options
        As for :func:`read_bag`.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy.
    """
    import pandas as pd

    bag = read_bag(images, npartitions=npartitions, **read_options)
    meta = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})
    filled = bag.map(_rows).flatten().map(lambda row: {name: row.get(name) for name in COLUMNS})
    return filled.to_dataframe(meta=meta)


def collect(images: Sequence[Any], *, client=None, npartitions: int | None = None,
            **read_options) -> list[tuple[Any, list[Barcode] | Exception]]:
    """Read every image on Dask and return ``(source, result)`` in input order.

    Parameters
    ----------
    images, npartitions, **read_options
        As for :func:`read_bag`.
    client : distributed.Client or str, optional
        The cluster to compute on, or its scheduler's address
        (``"tcp://host:8786"``); default: Dask's local scheduler of processes.

    Returns
    -------
    list of (source, list of Barcode or Exception)
        As :func:`barreader.read_many` yields them.
    """
    bag = read_bag(images, npartitions=npartitions, **read_options)
    if client is None:
        return list(bag.compute(scheduler="processes"))
    if isinstance(client, str):
        from distributed import Client

        with Client(client) as connected:
            return list(connected.compute(bag).result())
    return list(client.compute(bag).result())
