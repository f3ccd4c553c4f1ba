"""The Spark half of :func:`skillmatch.batch.engines.score_spark`.

The plan first gives every input row its global row number ``ROW`` and its duplicate mark
``FIRST`` (:func:`spark_marked`), then scores each Arrow batch with ``mapInPandas``
(:func:`spark_batch`) into one combined output that holds scores, quarantine and tally rows,
persists it, and hands out three filters of it. pyspark is imported only when a function runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skillmatch.batch._engine import TALLY_COLUMNS, Collections, PartitionJob
from skillmatch.batch.chunk import OUTPUT_SCHEMA, QUARANTINE_SCHEMA
from skillmatch.core import Scorer

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["FIRST", "ROW", "SPARK", "SPARK_COMBINED", "SparkEngine", "spark_batch", "spark_marked"]

#: Columns the Spark plan adds to every input row: its input row and its duplicate mark.
ROW, FIRST = "_skillmatch_row", "_skillmatch_first"
_KEY, _MID = "_skillmatch_key", "_skillmatch_mid"
#: One ``mapInPandas`` output holds every kind of row, told apart by ``_kind``: "score" and
#: "quarantine" rows, and one "tally" row (``n_in, n_scored``) per Arrow batch.
SPARK_COMBINED = (
    "_kind string, worker_id string, rank int, program_id string, score float, "
    "reason_codes array<string>, bundle_hash string, row bigint, field string, value string, "
    "reason string, record string, n_in bigint, n_scored bigint"
)
_COMBINED_COLUMNS = [c.split()[0] for c in SPARK_COMBINED.split(", ")]


def _global_rows(df: DataFrame) -> DataFrame:
    """``df`` plus ``ROW``, the 0-based row in the order ``collect()`` returns the rows."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    with_id = df.withColumn(_MID, F.monotonically_increasing_id())
    # monotonically_increasing_id = partition index << 33 | position in the partition; the
    # offset of each partition (a window over one row per partition) makes it a global row.
    part = F.shiftright(F.col(_MID), 33)
    sizes = with_id.groupBy(part.alias("_part")).count()
    before = Window.orderBy("_part").rowsBetween(Window.unboundedPreceding, -1)
    offsets = sizes.select("_part", F.coalesce(F.sum("count").over(before), F.lit(0)).alias("_off"))
    return with_id.join(F.broadcast(offsets), part == F.col("_part")).withColumn(
        ROW, F.col("_off") + F.col(_MID).bitwiseAND((1 << 33) - 1)
    )


def spark_marked(df: DataFrame) -> DataFrame:
    """``df`` plus its global row number ``ROW`` and duplicate mark ``FIRST`` (the row of
    the first occurrence of a repeated ``worker_id``, -1 for the first and for unique ids)."""
    from pyspark.sql import functions as F

    columns = [F.col(f"`{c}`") for c in df.columns]
    rows = _global_rows(df)
    # the id as the Worker contract reads it (whitespace stripped); null ids never repeat
    raw: Column = F.col("worker_id").cast("string") if "worker_id" in df.columns else F.lit(None)
    keyed = rows.withColumn(_KEY, F.regexp_replace(raw.cast("string"), r"(?U)^\s+|\s+$", ""))
    repeated = (
        keyed.where(F.col(_KEY).isNotNull())
        .groupBy(_KEY)
        .agg(F.min(ROW).alias(FIRST), F.count(F.lit(1)).alias("_n"))
        .where(F.col("_n") > 1)
        .drop("_n")
    )
    # Only repeated ids (a few bytes each) are broadcast: the rows themselves never shuffle.
    marked = keyed.join(F.broadcast(repeated), on=_KEY, how="left")
    first = F.when(F.col(FIRST).isNull() | (F.col(FIRST) == F.col(ROW)), F.lit(-1)).otherwise(
        F.col(FIRST)
    )
    return marked.select(*columns, F.col(ROW), first.cast("bigint").alias(FIRST))


def spark_batch(frame: pd.DataFrame, recommender: Scorer | str, job: PartitionJob) -> pd.DataFrame:
    """Score one Arrow batch of input rows (with ``ROW`` and ``FIRST``) into the rows of
    ``SPARK_COMBINED``."""
    rows = frame[ROW].to_numpy(np.int64)
    first = frame[FIRST].to_numpy(np.int64)
    part = job.score(frame.drop(columns=[ROW, FIRST]), rows, first, recommender)
    pieces = [("score", part.scores), ("quarantine", part.quarantine), ("tally", part.tally())]
    kinds = np.array([kind for kind, _ in pieces], dtype=object)
    data = {"_kind": np.repeat(kinds, [len(p) for _, p in pieces])}
    for name in _COMBINED_COLUMNS[1:]:
        data[name] = np.concatenate(
            [
                p[name].to_numpy(dtype=object) if name in p else np.full(len(p), None, dtype=object)
                for _, p in pieces
            ]
        )
    # object columns: Arrow casts them to the declared types, None to null
    return pd.DataFrame({name: pd.Series(v, dtype=object) for name, v in data.items()})


class SparkEngine:
    """Spark: ``mapInPandas`` over the marked input, one persisted pass (see module doc)."""

    module = "pyspark"
    extra = "spark"

    def score_partitions(
        self, df: DataFrame, target: Scorer | str, job: PartitionJob
    ) -> Collections:
        """Broadcast ``target`` (a path travels as it is) and score every Arrow batch."""
        from pyspark.sql import functions as F

        shipped = (
            target if isinstance(target, str) else df.sparkSession.sparkContext.broadcast(target)
        )

        def partitions(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            rec = shipped if isinstance(shipped, str) else shipped.value
            for frame in frames:
                yield spark_batch(frame, rec, job)

        # Scores, quarantine and tally are three filters of one mapInPandas output. Persisting
        # it makes validation and ranking (the expensive part) run once however many actions
        # follow (writing both outputs, counts()); the default level spills to disk, never
        # recomputes. (Writing one combined table partitioned by kind would also score once,
        # but would hand callers a mixed schema and a write they did not ask for.)
        combined = spark_marked(df).mapInPandas(partitions, schema=SPARK_COMBINED).persist()
        kind = F.col("_kind")
        return Collections(
            scores=combined.where(kind == "score").select(*OUTPUT_SCHEMA.names),
            quarantine=combined.where(kind == "quarantine").select(*QUARANTINE_SCHEMA.names),
            tally=combined.where(kind == "tally").select(*TALLY_COLUMNS),
            cached=combined,
        )

    def count(self, outputs: Collections) -> tuple[int | None, int | None, int, int]:
        """Three small actions on the persisted pass."""
        from pyspark.sql import functions as F

        sums = outputs.tally.agg(*(F.sum(c) for c in TALLY_COLUMNS)).first()
        n_in, n_scored = (None, None) if sums is None else (sums[0], sums[1])
        return n_in, n_scored, outputs.quarantine.count(), outputs.scores.count()


#: The engine :func:`~skillmatch.batch.engines.score_spark` runs on.
SPARK = SparkEngine()
