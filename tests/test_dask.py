"""barreader.dask: a distributed LocalCluster of 2 workers gives exactly read_many's results."""

from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster

import barreader
import barreader.dask
from barreader import InvalidArgumentError

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.png"))


def _summary(pairs):
    out = []
    for source, result in pairs:
        if isinstance(result, Exception):
            out.append((str(source), type(result).__name__))
        else:
            out.append((str(source), [(c.text, c.format, np.round(np.asarray(c.position), 6).tolist()) for c in result]))
    return out


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def items(tmp_path_factory):
    return [*map(str, EXAMPLES), str(tmp_path_factory.mktemp("dask") / "missing.png")]


def test_a_local_cluster_gives_read_many_results(client, items):
    expected = _summary(barreader.read_many(items, workers=1, effort="fast"))
    assert _summary(barreader.dask.collect(items, client=client, effort="fast")) == expected
    assert _summary(barreader.dask.collect(items, client=client.scheduler.address, effort="fast", npartitions=3)) == expected
    assert expected[-1][1] == "FileNotFoundError"


def test_the_dataframe_has_a_row_per_code_or_per_image(client, items):
    frame = barreader.dask.read_dataframe(items, effort="fast", npartitions=2).compute(scheduler=client.get)
    assert list(frame.columns) == list(barreader.dask.COLUMNS)
    serial = dict(_summary(barreader.read_many(items, workers=1, effort="fast")))
    for source, result in serial.items():
        rows = frame[frame["source"] == source]
        if isinstance(result, str):
            assert len(rows) == 1 and rows["error"].iloc[0].startswith(result)
        elif not result:
            assert len(rows) == 1 and rows["text"].isna().all()
        else:
            assert sorted(rows["text"]) == sorted(text for text, _, _ in result)
            assert rows[["x0", "y0", "x2", "y2"]].notna().all().all()


def test_the_local_scheduler_by_default_and_options_checked(items):
    assert _summary(barreader.dask.collect(items[:3], effort="fast")) == _summary(
        barreader.read_many(items[:3], workers=1, effort="fast"))
    with pytest.raises(InvalidArgumentError, match="hasty"):
        barreader.dask.read_bag(items, effort="hasty")
    with pytest.raises(InvalidArgumentError, match="unknown read option"):
        barreader.dask.read_dataframe(items, colour=True)
