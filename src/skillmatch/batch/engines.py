"""Run the batch partition function on an existing engine: Apache Spark or Dask.

Both adapters treat bad rows as the local runner (:func:`skillmatch.batch.local.score_file`) does:
every row is validated once (column by column, as :meth:`Recommender.score_frame
<skillmatch.core.recommend.Recommender.score_frame>` does), the valid ones are ranked by the same
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
duplicates with the local runner's own 64-bit id hashes (:class:`~skillmatch.batch.dedupe.SeenIds`);
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

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from skillmatch.batch._dask import DASK
from skillmatch.batch._engine import Collections, Engine, OnError, PartitionJob, load_bundle
from skillmatch.batch._spark import SPARK
from skillmatch.batch.chunk import OUTPUT_SCHEMA, QUARANTINE_SCHEMA
from skillmatch.batch.local import QUARANTINE_COLUMNS
from skillmatch.core import Recommender, Scorer, check_k
from skillmatch.errors import MissingDependencyError

if TYPE_CHECKING:
    import dask.dataframe
    import pyspark.sql

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
_FrameT = TypeVar("_FrameT")


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
    _engine: Engine[Any] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.scores, self.quarantine))

    def counts(self) -> EngineCounts:
        """Count the rows (an action on the engine: it runs the scoring pass if needed)."""
        if self._engine is None:
            raise RuntimeError("counts() needs a result of score_spark or score_dask")
        outputs = Collections(self.scores, self.quarantine, self._tally, self._cached)
        n_in, n_scored, n_quarantined, n_output = self._engine.count(outputs)
        return EngineCounts(int(n_in or 0), int(n_scored or 0), int(n_quarantined), int(n_output))

    def unpersist(self) -> None:
        """Release the engine's cache of the scoring pass (Spark; nothing to do for Dask)."""
        if self._cached is not None:
            self._cached.unpersist()


def _require(module: str, extra: str) -> None:
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


def _resolve(recommender: Recommender | str | os.PathLike[str]) -> tuple[Scorer | str, str]:
    """``(recommender or bundle path, bundle hash)`` for shipping to the engine."""
    if isinstance(recommender, (str, os.PathLike)):
        path = str(Path(recommender).resolve())
        return path, load_bundle(path, None).fingerprint()
    if not hasattr(recommender, "score_frame") or not hasattr(recommender, "fingerprint"):
        raise TypeError(
            "recommender must be a Recommender or a bundle directory, got "
            f"{type(recommender).__name__}"
        )
    return recommender, str(recommender.fingerprint())


def _score(
    engine: Engine[_FrameT],
    df: _FrameT,
    recommender: Recommender | str | os.PathLike[str],
    k: int,
    on_error: OnError,
) -> EngineResult:
    """The body :func:`score_spark` and :func:`score_dask` share: check the arguments, resolve
    the model, let ``engine`` map the partitions, and assemble the result."""
    _require(engine.module, engine.extra)
    k = check_k(k)
    on_error = _check_on_error(on_error)
    target, bundle_hash = _resolve(recommender)
    outputs = engine.score_partitions(df, target, PartitionJob(k, bundle_hash, on_error))
    return EngineResult(
        outputs.scores, outputs.quarantine, outputs.tally, outputs.cached, _engine=engine
    )


def score_spark(
    df: pyspark.sql.DataFrame,
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
    return _score(SPARK, df, recommender, k, on_error)


def score_dask(
    df: dask.dataframe.DataFrame,
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
    return _score(DASK, df, recommender, k, on_error)
