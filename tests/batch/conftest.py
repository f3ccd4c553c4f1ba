"""Batch fixtures, session-scoped: the default bundle, simulated inputs, and the Spark session
and Dask cluster the engine contract suite runs on (each started once per test session)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from skillmatch.core import Recommender
from skillmatch.simulate import make_population, make_world
from tests.batch.data import DAMAGE, N_CLEAN, N_WORKERS, SIZES


@pytest.fixture(scope="session")
def world_rec() -> Recommender:
    """The default bundle (the simulated world of seed 0), loaded once per session."""
    return Recommender.load()


@pytest.fixture(scope="session")
def population() -> pd.DataFrame:
    return next(make_population(make_world(seed=0), N_WORKERS, seed=11, chunk_size=N_WORKERS))


@pytest.fixture(scope="session")
def population_path(tmp_path_factory: pytest.TempPathFactory, population: pd.DataFrame) -> Path:
    path = tmp_path_factory.mktemp("batch") / "workers.parquet"
    population.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="session")
def workers_frame() -> pd.DataFrame:
    """Simulated workers for the engines, all valid."""
    return next(make_population(make_world(seed=0), N_CLEAN, seed=21, chunk_size=N_CLEAN))


@pytest.fixture(scope="session")
def workers_dir(tmp_path_factory: pytest.TempPathFactory, workers_frame: pd.DataFrame) -> Path:
    """Three Parquet files of ``workers_frame`` (three partitions in each engine)."""
    root = tmp_path_factory.mktemp("dist") / "workers"
    root.mkdir()
    step = N_CLEAN // 3
    for i in range(3):
        part = workers_frame.iloc[i * step : (i + 1) * step]
        part.to_parquet(root / f"part-{i}.parquet", index=False)
    return root


@pytest.fixture(scope="session")
def dirty_frame() -> pd.DataFrame:
    """Workers with the rows of ``DAMAGE`` broken, nested certificates as JSON text."""
    frame = next(make_population(make_world(seed=0), sum(SIZES), seed=5, chunk_size=100))
    frame["certificates"] = [json.dumps([dict(c) for c in v]) for v in frame["certificates"]]
    frame = frame.astype({"worker_id": object, "education": object, "certificates": object})
    ids = frame["worker_id"].tolist()
    for row, (column, value) in DAMAGE.items():
        if column == "dup":
            frame.iat[row, 0] = f" {ids[value]} " if row == 55 else ids[value]
        else:
            frame.iat[row, frame.columns.get_loc(column)] = value
    return frame


@pytest.fixture(scope="session")
def dirty_dir(tmp_path_factory: pytest.TempPathFactory, dirty_frame: pd.DataFrame) -> Path:
    """``dirty_frame`` as three files of ``SIZES`` rows (Spark orders files largest first)."""
    root = tmp_path_factory.mktemp("dirty") / "workers"
    root.mkdir()
    start = 0
    for i, size in enumerate(SIZES):
        dirty_frame.iloc[start : start + size].to_parquet(root / f"part-{i}.parquet", index=False)
        start += size
    sizes = [p.stat().st_size for p in sorted(root.iterdir())]
    assert sizes == sorted(sizes, reverse=True), "Spark would read the files in another order"
    return root


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session whose executors run this interpreter."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter
    session = (
        SparkSession.builder.master("local[2,3]")
        .appName("skillmatch-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A Dask LocalCluster of two single-threaded worker processes, and its client."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
