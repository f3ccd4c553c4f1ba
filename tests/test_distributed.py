"""Spark and Dask adapters: a real local Spark session and a real Dask LocalCluster give the
same rows as the local runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from skillmatch.batch import score_file
from skillmatch.distributed import OUTPUT_COLUMNS, _require, score_dask, score_spark
from skillmatch.errors import MissingDependencyError
from skillmatch.simulate import make_population, make_world
from tests.test_batch import read_scores
from tests.test_batch import world_rec as world_rec  # noqa: F401  (session fixture)

N_WORKERS, K = 450, 5

# Engines warn about their own environment (pandas 3 support, hostname, large graphs).
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def workers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three Parquet files of simulated workers (three partitions in each engine)."""
    frame = next(make_population(make_world(seed=0), N_WORKERS, seed=21, chunk_size=N_WORKERS))
    root = tmp_path_factory.mktemp("dist") / "workers"
    root.mkdir()
    step = N_WORKERS // 3
    for i in range(3):
        frame.iloc[i * step : (i + 1) * step].to_parquet(root / f"part-{i}.parquet", index=False)
    return root


@pytest.fixture(scope="module")
def local_scores(
    workers_dir: Path, world_rec: Any, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("local") / "out"
    score_file(workers_dir, out, recommender=world_rec, k=K, chunk_size=200, progress=False)
    return read_scores(out)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[list(OUTPUT_COLUMNS)].copy()
    frame["reason_codes"] = [tuple(c) for c in frame["reason_codes"]]
    frame["rank"] = frame["rank"].astype("int32")
    frame["score"] = frame["score"].astype("float32")
    return frame.sort_values(["worker_id", "rank"], ignore_index=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
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


@pytest.mark.slow
def test_spark_equals_local_runner(
    spark: Any, workers_dir: Path, world_rec: Any, local_scores: pd.DataFrame
) -> None:
    scores = score_spark(spark.read.parquet(str(workers_dir)), world_rec, k=K)
    assert scores.columns == list(OUTPUT_COLUMNS)
    got = _normalise(scores.toPandas())
    pd.testing.assert_frame_equal(got, _normalise(local_scores), check_dtype=False)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.mark.slow
def test_dask_equals_local_runner(
    dask_client: Any, workers_dir: Path, world_rec: Any, local_scores: pd.DataFrame
) -> None:
    import dask.dataframe as dd

    frame = dd.read_parquet(str(workers_dir))
    assert frame.npartitions == 3
    scores = score_dask(frame, world_rec, k=K)
    assert tuple(scores.columns) == OUTPUT_COLUMNS
    got = _normalise(scores.compute())
    pd.testing.assert_frame_equal(got, _normalise(local_scores), check_dtype=False)


def test_missing_engine_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError, match=r'pip install "skillmatch\[spark\]"'):
        _require("skillmatch_no_such_engine", "spark")


def test_rejects_a_non_recommender() -> None:
    with pytest.raises(TypeError, match="recommender must be a Recommender"):
        score_dask(None, object(), k=3)
