"""Run the batch partition function on an existing engine: Apache Spark or Dask.

Both adapters call the very same :meth:`Recommender.score_frame
<skillmatch.recommend.Recommender.score_frame>` on every partition, so their rows equal the
local runner's (:func:`skillmatch.batch.score_file`) for the same workers. The output has the
columns :data:`OUTPUT_COLUMNS`: ``worker_id, rank, program_id, score, reason_codes,
bundle_hash``.

The model reaches the engine once, not once per partition: pass a fitted ``Recommender`` (Spark
broadcasts it; Dask scatters it to every worker of a ``distributed`` cluster, or embeds it once
in the graph without one), or a bundle directory readable from every executor, which each
executor process loads once with ``Recommender.load`` and keeps.

Rows must already be valid: ``score_frame`` raises
:class:`~skillmatch.errors.SchemaError` on an invalid row, which fails the task. Validate or
quarantine bad rows first (:func:`skillmatch.batch.score_file` does so locally).

Examples
--------
>>> from pyspark.sql import SparkSession  # doctest: +SKIP
>>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
>>> workers = spark.read.parquet("workers.parquet")  # doctest: +SKIP
>>> score_spark(workers, rec, k=10).write.parquet("scores/")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillmatch._topk import check_k
from skillmatch.errors import MissingDependencyError

if TYPE_CHECKING:
    from skillmatch.recommend import Recommender

__all__ = ["OUTPUT_COLUMNS", "SPARK_SCHEMA", "score_dask", "score_spark"]

#: Columns of the adapters' output (the same as the local runner's parts).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "rank",
    "program_id",
    "score",
    "reason_codes",
    "bundle_hash",
)
#: Spark DDL schema of :func:`score_spark`'s output.
SPARK_SCHEMA = (
    "worker_id string, rank int, program_id string, score float, "
    "reason_codes array<string>, bundle_hash string"
)

#: Bundles loaded in this (executor) process, keyed by path and bundle hash.
_LOADED: dict[tuple[str, str], Any] = {}


def _require(module: str, extra: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module} is required for this adapter; install it with "
            f'pip install "skillmatch[{extra}]"'
        ) from exc


def _resolve(recommender: Recommender | str | os.PathLike[str]) -> tuple[Any, str]:
    """``(recommender or bundle path, bundle hash)`` for shipping to the engine."""
    if isinstance(recommender, (str, os.PathLike)):
        path = str(Path(recommender).resolve())
        return path, _load_bundle(path, None).fingerprint()
    if not hasattr(recommender, "score_frame") or not hasattr(recommender, "fingerprint"):
        raise TypeError(
            "recommender must be a Recommender or a bundle directory, got "
            f"{type(recommender).__name__}"
        )
    return recommender, str(recommender.fingerprint())


def _load_bundle(path: str, bundle_hash: str | None) -> Any:
    key = (path, bundle_hash or "")
    if key not in _LOADED:
        from skillmatch.recommend import Recommender

        load = getattr(Recommender, "load", None)
        if load is None:  # pragma: no cover - until bundle.py lands
            raise ValueError(f"cannot load the bundle {path!r}: Recommender.load is missing")
        _LOADED[key] = load(path)
    return _LOADED[key]


def _score_partition(
    frame: pd.DataFrame, recommender: Any, k: int, bundle_hash: str
) -> pd.DataFrame:
    if isinstance(recommender, str):
        recommender = _load_bundle(recommender, bundle_hash)
    out: pd.DataFrame = recommender.score_frame(frame, k)
    out["reason_codes"] = [list(c) for c in out["reason_codes"]]
    out["bundle_hash"] = bundle_hash
    # plain object columns: pandas >= 3 infers Arrow-backed strings, whose chunked arrays
    # PySpark's Arrow serializer cannot take ("Cannot convert ChunkedArray to Array")
    return out.astype({"worker_id": object, "program_id": object, "bundle_hash": object})


def score_spark(df: Any, recommender: Recommender | str | os.PathLike[str], *, k: int = 10) -> Any:
    """Score a Spark DataFrame of workers with ``mapInPandas``; lazy, like any transformation.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per worker, columns the fields of :class:`~skillmatch.schema.Worker` (nested
        fields as arrays of structs, as Spark reads them from Parquet or Hive).
    recommender : Recommender or path
        A fitted recommender (broadcast once through ``df``'s ``SparkSession``) or a bundle
        directory visible to every executor (loaded once per executor Python process).
    k : int, default=10

    Returns
    -------
    pyspark.sql.DataFrame
        Schema :data:`SPARK_SCHEMA`.

    Raises
    ------
    MissingDependencyError
        If pyspark is not installed (``pip install "skillmatch[spark]"``).

    Examples
    --------
    >>> scores = score_spark(spark.read.parquet("workers/"), rec, k=10)  # doctest: +SKIP
    >>> scores.write.mode("overwrite").parquet("scores/")  # doctest: +SKIP
    """
    _require("pyspark", "spark")
    k = check_k(k)
    target, bundle_hash = _resolve(recommender)
    shipped = target if isinstance(target, str) else df.sparkSession.sparkContext.broadcast(target)

    def partitions(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        rec = shipped if isinstance(shipped, str) else shipped.value
        for frame in frames:
            yield _score_partition(frame, rec, k, bundle_hash)

    return df.mapInPandas(partitions, schema=SPARK_SCHEMA)


def _dask_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "worker_id": pd.Series(dtype=object),
            "rank": pd.Series(dtype=np.int32),
            "program_id": pd.Series(dtype=object),
            "score": pd.Series(dtype=np.float32),
            "reason_codes": pd.Series(dtype=object),
            "bundle_hash": pd.Series(dtype=object),
        }
    )


def _dask_handle(target: Any, bundle_hash: str) -> Any:
    if isinstance(target, str):
        return target
    from dask.delayed import delayed

    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        client = None
    if client is not None:
        future = client.scatter(target, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        return delayed(_identity, pure=True)(future)
    return delayed(target, name=f"skillmatch-recommender-{bundle_hash}")


def _identity(value: Any) -> Any:
    return value


def score_dask(df: Any, recommender: Recommender | str | os.PathLike[str], *, k: int = 10) -> Any:
    """Score a Dask DataFrame of workers with ``map_partitions``; lazy until computed.

    Parameters
    ----------
    df : dask.dataframe.DataFrame
        One row per worker, columns the fields of :class:`~skillmatch.schema.Worker`.
    recommender : Recommender or path
        A fitted recommender (scattered once to every worker of the current ``distributed``
        client, or embedded once in the graph when there is none) or a bundle directory
        visible to every worker (loaded once per worker process).
    k : int, default=10

    Returns
    -------
    dask.dataframe.DataFrame
        Columns :data:`OUTPUT_COLUMNS`, one partition per input partition.

    Raises
    ------
    MissingDependencyError
        If dask is not installed (``pip install "skillmatch[dask]"``).

    Examples
    --------
    >>> import dask.dataframe as dd  # doctest: +SKIP
    >>> scores = score_dask(dd.read_parquet("workers/"), rec, k=10)  # doctest: +SKIP
    >>> from skillmatch._batch_chunk import OUTPUT_SCHEMA  # doctest: +SKIP
    >>> scores.to_parquet("scores/", schema=OUTPUT_SCHEMA)  # doctest: +SKIP
    """
    _require("dask.dataframe", "dask")
    k = check_k(k)
    target, bundle_hash = _resolve(recommender)
    handle = _dask_handle(target, bundle_hash)
    return df.map_partitions(
        _score_partition, handle, k, bundle_hash, meta=_dask_meta(), align_dataframes=False
    )
