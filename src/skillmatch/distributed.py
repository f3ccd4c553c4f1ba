"""Run the batch partition function on an existing engine: Apache Spark or Dask.

Both adapters treat bad rows as the local runner (:func:`skillmatch.batch.score_file`) does:
every row is validated once (column by column, as :meth:`Recommender.score_frame
<skillmatch.recommend.Recommender.score_frame>` does), the valid ones are ranked by the same
code as ``score_frame``, and each row that cannot be scored (a schema violation, an
unparsable value, or a ``worker_id`` that an earlier row already used) is *quarantined*,
never dropped. They return an :class:`EngineResult` of two engine DataFrames (Spark
DataFrames from :func:`score_spark`, Dask DataFrames from :func:`score_dask`):

``scores``
    Columns :data:`OUTPUT_COLUMNS` (``worker_id, rank, program_id, score, reason_codes,
    bundle_hash``), the rows the local runner writes for the same workers.
``quarantine``
    Columns :data:`QUARANTINE_COLUMNS` (``row, worker_id, field, value, reason, record``),
    those of the local runner's ``quarantine.parquet``: the raw ``worker_id``, the ``field``,
    ``value`` and ``reason`` of each problem and the original row as a JSON ``record``.

``row`` is the 0-based position of the row in the engine's order of the input: partitions in
order, rows in order within each partition (Spark numbers rows as ``RDD.zipWithIndex`` does,
i.e. in the order ``collect()`` returns them). ``dd.read_parquet`` reads a directory in file
name order, as the local runner does, so Dask rows equal the local runner's. Spark packs the
files of a directory into partitions largest first, so its ``row`` follows that order instead,
and it derives ``row`` from ``monotonically_increasing_id`` in more than one pass over the
input: persist or checkpoint an input that is not the same each time it is computed.

Of several rows with the same ``worker_id`` (after stripping whitespace) the first in that
order is scored and the others are quarantined with the reason ``duplicate worker_id (first
seen at row N)``, across partitions too. Spark finds them with a ``groupBy`` on the exact id
and broadcasts the repeated ids back to the rows (the rows themselves are not shuffled); Dask
collects the ``worker_id`` column in one task (a few dozen bytes a worker) and marks
duplicates with the local runner's own 64-bit id hashes (:class:`~skillmatch._dedupe.SeenIds`);
it reads the input twice, once for the ids and once to score, rather than hold it in memory.

Every input row is either scored or quarantined: :meth:`EngineResult.counts` reports
``n_rows_in == n_scored + n_quarantined``. A scored worker with no eligible program has no
rows in ``scores``, so count workers with ``counts()``, not with ``scores``.

With ``on_error="raise"`` the first row that would be quarantined raises
:class:`~skillmatch.errors.SchemaError` in its task instead, which fails the job (the engine
wraps it, e.g. in pyspark's ``PythonException``); ``quarantine`` is then always empty.

Results are lazy. Scores and quarantine come from one scoring pass: Spark persists it (call
:meth:`EngineResult.unpersist` when done); with Dask compute both in one call
(``dask.compute``), or the pass runs once per computation.

The model reaches the engine once, not once per partition: pass a fitted ``Recommender`` (Spark
broadcasts it; Dask scatters it to every worker of a ``distributed`` cluster, or embeds it once
in the graph without one), or a bundle directory readable from every executor, which each
executor process loads once with ``Recommender.load`` and keeps.

Examples
--------
>>> from pyspark.sql import SparkSession  # doctest: +SKIP
>>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
>>> result = score_spark(spark.read.parquet("workers.parquet"), rec, k=10)  # doctest: +SKIP
>>> result.scores.write.parquet("scores/")  # doctest: +SKIP
>>> result.quarantine.write.parquet("quarantine/")  # doctest: +SKIP
>>> n = result.counts()  # doctest: +SKIP
>>> n.n_rows_in == n.n_scored + n.n_quarantined  # doctest: +SKIP
True
>>> result.unpersist()  # doctest: +SKIP

With Dask, write both outputs in one computation so that every partition is scored once:

>>> import dask, dask.dataframe as dd  # doctest: +SKIP
>>> scores, quarantine = score_dask(dd.read_parquet("workers/"), rec, k=10)  # doctest: +SKIP
>>> dask.compute(  # doctest: +SKIP
...     scores.to_parquet("scores/", schema=ARROW_SCHEMA, compute=False),
...     quarantine.to_parquet("quarantine/", schema=ARROW_QUARANTINE_SCHEMA, compute=False),
... )
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from skillmatch import _engine_rows
from skillmatch._batch_chunk import OUTPUT_SCHEMA, QUARANTINE_SCHEMA
from skillmatch._engine_rows import SPARK_COMBINED, OnError
from skillmatch._topk import check_k
from skillmatch.batch import QUARANTINE_COLUMNS
from skillmatch.errors import MissingDependencyError

if TYPE_CHECKING:
    from skillmatch.recommend import Recommender

__all__ = [
    "ARROW_QUARANTINE_SCHEMA",
    "ARROW_SCHEMA",
    "OUTPUT_COLUMNS",
    "QUARANTINE_COLUMNS",
    "SPARK_QUARANTINE_SCHEMA",
    "SPARK_SCHEMA",
    "EngineCounts",
    "EngineResult",
    "score_dask",
    "score_spark",
]


#: Columns of the adapters' scores (the same as the local runner's parts).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "rank",
    "program_id",
    "score",
    "reason_codes",
    "bundle_hash",
)
#: Spark DDL schema of :func:`score_spark`'s scores.
SPARK_SCHEMA = (
    "worker_id string, rank int, program_id string, score float, "
    "reason_codes array<string>, bundle_hash string"
)
#: Arrow schema of the scores (e.g. for Dask's ``to_parquet(schema=...)``).
ARROW_SCHEMA = OUTPUT_SCHEMA
#: Arrow schema of the quarantine.
ARROW_QUARANTINE_SCHEMA = QUARANTINE_SCHEMA
#: Spark DDL schema of :func:`score_spark`'s quarantine.
SPARK_QUARANTINE_SCHEMA = (
    "row bigint, worker_id string, field string, value string, reason string, record string"
)
_ON_ERROR: tuple[str, ...] = ("quarantine", "raise")


class EngineCounts(NamedTuple):
    """Row counts of an engine run: ``n_rows_in == n_scored + n_quarantined``.

    ``n_output_rows`` is the number of rows in ``scores`` (at most ``k`` per scored worker).
    """

    n_rows_in: int
    n_scored: int
    n_quarantined: int
    n_output_rows: int


@dataclass(frozen=True)
class EngineResult:
    """The scores and the quarantined rows of :func:`score_spark` or :func:`score_dask`.

    Unpacks as ``scores, quarantine = result``.

    Attributes
    ----------
    scores : pyspark.sql.DataFrame or dask.dataframe.DataFrame
        Columns :data:`OUTPUT_COLUMNS`.
    quarantine : pyspark.sql.DataFrame or dask.dataframe.DataFrame
        Columns :data:`QUARANTINE_COLUMNS`; see the module docstring for ``row``.
    """

    scores: Any
    quarantine: Any
    _tally: Any = field(repr=False)
    _cached: Any = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.scores, self.quarantine))

    def counts(self) -> EngineCounts:
        """Count the rows (an action on the engine: it runs the scoring pass if needed)."""
        if hasattr(self._tally, "toPandas"):  # Spark: three small actions on the cache
            from pyspark.sql import functions as F

            n_in, n_scored = self._tally.agg(F.sum("n_in"), F.sum("n_scored")).first()
            n_quarantined, n_output = self.quarantine.count(), self.scores.count()
        else:  # Dask: one computation shares the scoring tasks
            from dask.base import compute

            sums, n_quarantined, n_output = compute(  # type: ignore[no-untyped-call]
                self._tally.sum(),
                self.quarantine.map_partitions(len).sum(),
                self.scores.map_partitions(len).sum(),
            )
            n_in, n_scored = sums["n_in"], sums["n_scored"]
        return EngineCounts(int(n_in or 0), int(n_scored or 0), int(n_quarantined), int(n_output))

    def unpersist(self) -> None:
        """Release the engine's cache of the scoring pass (Spark; nothing to do for Dask)."""
        if self._cached is not None:
            self._cached.unpersist()


def _require(module: str, extra: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module} is required for this adapter; install it with "
            f'pip install "skillmatch[{extra}]"'
        ) from exc


def _check_on_error(on_error: str) -> OnError:
    if on_error not in _ON_ERROR:
        raise ValueError(f"on_error must be one of {list(_ON_ERROR)}, got on_error={on_error!r}")
    return "raise" if on_error == "raise" else "quarantine"


def _resolve(recommender: Recommender | str | os.PathLike[str]) -> tuple[Any, str]:
    """``(recommender or bundle path, bundle hash)`` for shipping to the engine."""
    if isinstance(recommender, (str, os.PathLike)):
        path = str(Path(recommender).resolve())
        return path, _engine_rows.load_bundle(path, None).fingerprint()
    if not hasattr(recommender, "score_frame") or not hasattr(recommender, "fingerprint"):
        raise TypeError(
            "recommender must be a Recommender or a bundle directory, got "
            f"{type(recommender).__name__}"
        )
    return recommender, str(recommender.fingerprint())


# -- Spark ------------------------------------------------------------------------------


def score_spark(
    df: Any,
    recommender: Recommender | str | os.PathLike[str],
    *,
    k: int = 10,
    on_error: OnError = "quarantine",
) -> EngineResult:
    """Score a Spark DataFrame of workers with ``mapInPandas``; lazy, like any transformation.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per worker, columns the fields of :class:`~skillmatch.schema.Worker` (nested
        fields as arrays of structs, as Spark reads them from Parquet or Hive). Row ids come
        from ``monotonically_increasing_id``, so a DataFrame that is not the same each time it
        is computed (e.g. sampled) should be persisted or checkpointed first.
    recommender : Recommender or path
        A fitted recommender (broadcast once through ``df``'s ``SparkSession``) or a bundle
        directory visible to every executor (loaded once per executor Python process).
    k : int, default=10
    on_error : {"quarantine", "raise"}, default="quarantine"
        Set bad rows aside in ``quarantine``, or fail the job on the first one.

    Returns
    -------
    EngineResult
        ``scores`` with schema :data:`SPARK_SCHEMA` and ``quarantine`` with schema
        :data:`SPARK_QUARANTINE_SCHEMA`, two filters of one persisted scoring pass.

    Raises
    ------
    MissingDependencyError
        If pyspark is not installed (``pip install "skillmatch[spark]"``).

    Examples
    --------
    >>> result = score_spark(spark.read.parquet("workers/"), rec, k=10)  # doctest: +SKIP
    >>> result.scores.write.mode("overwrite").parquet("scores/")  # doctest: +SKIP
    >>> result.quarantine.write.mode("overwrite").parquet("quarantine/")  # doctest: +SKIP
    """
    _require("pyspark", "spark")
    from pyspark.sql import functions as F

    k = check_k(k)
    on_error = _check_on_error(on_error)
    target, bundle_hash = _resolve(recommender)
    shipped = target if isinstance(target, str) else df.sparkSession.sparkContext.broadcast(target)

    def partitions(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        rec = shipped if isinstance(shipped, str) else shipped.value
        for frame in frames:
            yield _engine_rows.spark_batch(frame, rec, k, bundle_hash, on_error)

    # Scores, quarantine and tally are three filters of one mapInPandas output. Persisting it
    # makes validation and ranking (the expensive part) run once however many actions follow
    # (writing both outputs, counts()); the default level spills to disk, never recomputes.
    # (Writing one combined table partitioned by kind would also score once, but would hand
    # callers a mixed schema and a write they did not ask for.)
    combined = (
        _engine_rows.spark_marked(df).mapInPandas(partitions, schema=SPARK_COMBINED).persist()
    )
    kind = F.col("_kind")
    return EngineResult(
        scores=combined.where(kind == "score").select(*OUTPUT_COLUMNS),
        quarantine=combined.where(kind == "quarantine").select(*QUARANTINE_COLUMNS),
        _tally=combined.where(kind == "tally").select("n_in", "n_scored"),
        _cached=combined,
    )


# -- Dask -------------------------------------------------------------------------------


def score_dask(
    df: Any,
    recommender: Recommender | str | os.PathLike[str],
    *,
    k: int = 10,
    on_error: OnError = "quarantine",
) -> EngineResult:
    """Score a Dask DataFrame of workers partition by partition; lazy until computed.

    Parameters
    ----------
    df : dask.dataframe.DataFrame
        One row per worker, columns the fields of :class:`~skillmatch.schema.Worker`.
    recommender : Recommender or path
        A fitted recommender (scattered once to every worker of the current ``distributed``
        client, or embedded once in the graph when there is none) or a bundle directory
        visible to every worker (loaded once per worker process).
    k : int, default=10
    on_error : {"quarantine", "raise"}, default="quarantine"
        Set bad rows aside in ``quarantine``, or fail the computation on the first one.

    Returns
    -------
    EngineResult
        ``scores`` (columns :data:`OUTPUT_COLUMNS`) and ``quarantine`` (columns
        :data:`QUARANTINE_COLUMNS`), one partition per input partition each. Compute them
        together (``dask.compute``) to score every partition once.

    Raises
    ------
    MissingDependencyError
        If dask is not installed (``pip install "skillmatch[dask]"``).

    Examples
    --------
    >>> import dask, dask.dataframe as dd  # doctest: +SKIP
    >>> result = score_dask(dd.read_parquet("workers/"), rec, k=10)  # doctest: +SKIP
    >>> dask.compute(  # doctest: +SKIP
    ...     result.scores.to_parquet("scores/", schema=ARROW_SCHEMA, compute=False),
    ...     result.quarantine.to_parquet(
    ...         "quarantine/", schema=ARROW_QUARANTINE_SCHEMA, compute=False
    ...     ),
    ... )
    """
    _require("dask.dataframe", "dask")
    import dask
    import dask.dataframe as dd
    from dask.delayed import delayed

    k = check_k(k)
    on_error = _check_on_error(on_error)
    target, bundle_hash = _resolve(recommender)
    handle = _dask_handle(target, bundle_hash)
    # An opaque map over all columns keeps the partitions of ``df`` (a bare column
    # projection may let dask fuse several files into one partition).
    ids = df.map_partitions(_engine_rows.worker_ids, meta=pd.Series(dtype=object, name="worker_id"))
    marks = delayed(_engine_rows.mark_duplicates)(ids.to_delayed())
    parts = [
        delayed(_engine_rows.dask_part, nout=3)(frame, marks[i], handle, k, bundle_hash, on_error)
        for i, frame in enumerate(df.to_delayed())
    ]
    metas = (
        _engine_rows.score_meta(),
        _engine_rows.quarantine_meta(),
        pd.DataFrame({"n_in": [], "n_scored": []}, dtype="int64"),
    )
    # The three collections share each partition's task, so computing them together scores
    # it once. dask's convert-string option would turn the reason_codes lists into strings.
    with dask.config.set({"dataframe.convert-string": False}):
        scores, quarantine, tally = (
            dd.from_delayed([p[i] for p in parts], meta=meta, verify_meta=False)
            for i, meta in enumerate(metas)
        )
    return EngineResult(scores, quarantine, _tally=tally)


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
