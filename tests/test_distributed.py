"""Spark and Dask adapters: a real local Spark session and a real Dask LocalCluster give the
same scores and the same quarantine as the local runner."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from skillmatch.batch import QUARANTINE_COLUMNS, score_file
from skillmatch.distributed import (
    OUTPUT_COLUMNS,
    EngineCounts,
    EngineResult,
    _require,
    score_dask,
    score_spark,
)
from skillmatch.errors import MissingDependencyError, SchemaError
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


# -- bad rows: three files of 24, 20 and 16 workers (Spark orders files largest first) ---------
SIZES = (24, 20, 16)
#: input row -> (damaged column, new value, or ("dup", row whose worker_id it repeats))
DAMAGE: dict[int, tuple[str, Any]] = {
    3: ("education", "phd"),
    7: ("weekly_hours", -1.0),
    10: ("dup", 5),  # duplicate within a partition
    20: ("worker_id", None),
    30: ("dup", 2),  # duplicate across partitions
    45: ("certificates", '{"trade": "welder", "level": 3}'),  # an object, not a list
    50: ("dup", 3),  # repeats an invalid row: both are quarantined
    55: ("dup", 40),  # repeats with surrounding whitespace
}


@pytest.fixture(scope="module")
def dirty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    root = tmp_path_factory.mktemp("dirty") / "workers"
    root.mkdir()
    start = 0
    for i, size in enumerate(SIZES):
        frame.iloc[start : start + size].to_parquet(root / f"part-{i}.parquet", index=False)
        start += size
    sizes = [p.stat().st_size for p in sorted(root.iterdir())]
    assert sizes == sorted(sizes, reverse=True), "Spark would read the files in another order"
    return root


@pytest.fixture(scope="module")
def dirty_local(
    dirty_dir: Path, world_rec: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The local runner's scores and quarantine of ``dirty_dir`` (chunks cross the files)."""
    out = tmp_path_factory.mktemp("dirty_local") / "out"
    summary = score_file(dirty_dir, out, recommender=world_rec, k=K, chunk_size=25, progress=False)
    assert summary.n_quarantined == len(DAMAGE)
    return read_scores(out), pd.read_parquet(out / "quarantine.parquet")


def _records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _check_quarantine(got: pd.DataFrame, local: pd.DataFrame) -> None:
    assert tuple(got.columns) == QUARANTINE_COLUMNS
    got = got.sort_values("row", ignore_index=True)
    assert got["row"].tolist() == sorted(DAMAGE)
    keys = ["row", "worker_id", "field", "reason"]
    assert _records(got[keys]) == _records(local[keys])
    # For a missing field pydantic reports the whole row as the value, and the local runner
    # reads the nested integers of such a row as floats (level 3.0): compare the others.
    same = (local["reason"] != "Field required").to_numpy()
    assert got["value"][same].tolist() == local["value"][same].tolist()
    assert [json.loads(r) for r in got["record"]] == [json.loads(r) for r in local["record"]]


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
    result = score_spark(spark.read.parquet(str(workers_dir)), world_rec, k=K)
    assert result.scores.columns == list(OUTPUT_COLUMNS)
    got = _normalise(result.scores.toPandas())
    pd.testing.assert_frame_equal(got, _normalise(local_scores), check_dtype=False)
    assert result.quarantine.count() == 0
    result.unpersist()


@pytest.mark.slow
def test_spark_quarantines_like_the_local_runner(
    spark: Any, dirty_dir: Path, world_rec: Any, dirty_local: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    local_scores, local_quarantine = dirty_local
    result = score_spark(spark.read.parquet(str(dirty_dir)), world_rec, k=K)
    pd.testing.assert_frame_equal(
        _normalise(result.scores.toPandas()), _normalise(local_scores), check_dtype=False
    )
    _check_quarantine(result.quarantine.toPandas(), local_quarantine)
    n_workers = sum(SIZES)
    assert result.counts() == EngineCounts(
        n_workers, n_workers - len(DAMAGE), len(DAMAGE), len(local_scores)
    )
    result.unpersist()


@pytest.mark.slow
def test_spark_on_error_raise_fails_the_job(spark: Any, dirty_dir: Path, world_rec: Any) -> None:
    from pyspark.errors import PythonException

    result = score_spark(spark.read.parquet(str(dirty_dir)), world_rec, k=K, on_error="raise")
    with pytest.raises(PythonException, match=r"SchemaError: \d+ invalid worker row"):
        result.scores.count()
    result.unpersist()


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
    import dask
    import dask.dataframe as dd

    frame = dd.read_parquet(str(workers_dir))
    assert frame.npartitions == 3
    scores, quarantine = score_dask(frame, world_rec, k=K)
    assert tuple(scores.columns) == OUTPUT_COLUMNS
    assert scores.npartitions == quarantine.npartitions == 3
    got, bad = dask.compute(scores, quarantine)
    assert len(bad) == 0
    got = _normalise(got)
    pd.testing.assert_frame_equal(got, _normalise(local_scores), check_dtype=False)


@pytest.mark.slow
def test_dask_quarantines_like_the_local_runner(
    dask_client: Any,
    dirty_dir: Path,
    world_rec: Any,
    dirty_local: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    import dask
    import dask.dataframe as dd

    local_scores, local_quarantine = dirty_local
    result = score_dask(dd.read_parquet(str(dirty_dir)), world_rec, k=K)
    scores, quarantine = dask.compute(result.scores, result.quarantine)
    pd.testing.assert_frame_equal(_normalise(scores), _normalise(local_scores), check_dtype=False)
    _check_quarantine(quarantine, local_quarantine)
    n_workers = sum(SIZES)
    assert result.counts() == EngineCounts(
        n_workers, n_workers - len(DAMAGE), len(DAMAGE), len(local_scores)
    )


@pytest.mark.slow
def test_dask_on_error_raise_fails_the_computation(
    dask_client: Any, dirty_dir: Path, world_rec: Any
) -> None:
    import dask.dataframe as dd

    result = score_dask(dd.read_parquet(str(dirty_dir)), world_rec, k=K, on_error="raise")
    with pytest.raises(SchemaError, match=r"invalid worker row\(s\) in a partition; first at row"):
        result.scores.compute()


def test_result_unpacks_as_scores_and_quarantine() -> None:
    scores = pd.DataFrame({"worker_id": ["w1"]})
    result = EngineResult(scores, pd.DataFrame(), _tally=None)
    assert list(result) == [result.scores, result.quarantine]
    with pytest.raises(AttributeError):
        result.columns  # noqa: B018 - the result is not the scores frame


def test_rejects_an_unknown_on_error(world_rec: Any) -> None:
    pytest.importorskip("dask.dataframe")
    with pytest.raises(ValueError, match="on_error must be one of .*on_error='skip'"):
        score_dask(None, world_rec, k=3, on_error="skip")  # type: ignore[arg-type]


def test_missing_engine_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError, match=r'pip install "skillmatch\[spark\]"'):
        _require("skillmatch_no_such_engine", "spark")


def test_rejects_a_non_recommender() -> None:
    with pytest.raises(TypeError, match="recommender must be a Recommender"):
        score_dask(None, object(), k=3)
