"""Row numbers, duplicate marks and per-partition scoring for :mod:`skillmatch.distributed`.

The engines first give every input row its input row number and its duplicate mark
(``first[i] >= 0``: row ``i`` repeats the ``worker_id`` of input row ``first[i]``): Spark with
:func:`spark_marked`, Dask with :func:`mark_duplicates`. Then each partition is validated,
quarantined and ranked on the executors (:func:`spark_batch`, :func:`dask_part`). Its rows
need not be consecutive input rows; otherwise the rows it quarantines are those of the local
runner (:mod:`skillmatch._batch_chunk`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from skillmatch._batch_chunk import _raw_id, quarantine_records
from skillmatch._columns import columns_from_frame
from skillmatch._dedupe import SeenIds
from skillmatch.batch import OUTPUT_COLUMNS, QUARANTINE_COLUMNS
from skillmatch.errors import SchemaError

__all__ = [
    "FIRST",
    "ROW",
    "SPARK_COMBINED",
    "OnError",
    "dask_part",
    "load_bundle",
    "mark_duplicates",
    "quarantine_meta",
    "score_meta",
    "spark_batch",
    "spark_marked",
    "worker_ids",
]

OnError = Literal["quarantine", "raise"]
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

#: Bundles loaded in this (executor) process, keyed by path and bundle hash.
_LOADED: dict[tuple[str, str], Any] = {}


def load_bundle(path: str, bundle_hash: str | None) -> Any:
    """The recommender of the bundle at ``path``, loaded once per process."""
    key = (path, bundle_hash or "")
    if key not in _LOADED:
        from skillmatch.recommend import Recommender

        load = getattr(Recommender, "load", None)
        if load is None:  # pragma: no cover - until bundle.py lands
            raise ValueError(f"cannot load the bundle {path!r}: Recommender.load is missing")
        _LOADED[key] = load(path)
    return _LOADED[key]


@dataclass(frozen=True)
class _Part:
    scores: pd.DataFrame
    quarantine: pd.DataFrame
    n_in: int
    n_scored: int


def _score_rows(
    frame: pd.DataFrame,
    rows: NDArray[np.int64],
    first: NDArray[np.int64],
    recommender: Any,
    k: int,
    bundle_hash: str,
    on_error: OnError,
) -> _Part:
    if len(rows) != len(frame) or len(first) != len(frame):
        raise RuntimeError(
            f"a partition of {len(frame)} rows got {len(rows)} row numbers and {len(first)} "
            "duplicate marks: the input's partitioning changed between two passes over it"
        )
    if isinstance(recommender, str):
        recommender = load_bundle(recommender, bundle_hash)
    candidates = np.flatnonzero(first < 0)
    parsed = columns_from_frame(frame.iloc[candidates] if len(candidates) < len(frame) else frame)
    quarantine = _quarantine(frame, rows, first, parsed.errors, candidates)
    if on_error == "raise" and len(quarantine):
        bad = quarantine.iloc[0]
        raise SchemaError(
            f"{len(quarantine)} invalid worker row(s) in a partition; first at row "
            f"{bad['row']}: field {bad['field']!r} = {bad['value']}: {bad['reason']} (pass "
            "on_error='quarantine' to set bad rows aside)"
        )
    # Validated once above: rank the columns directly (``score_frame`` would validate again).
    scores: pd.DataFrame = recommender._score_columns(parsed.columns, k)
    scores["reason_codes"] = [list(c) for c in scores["reason_codes"]]
    scores["bundle_hash"] = bundle_hash
    # plain object columns: pandas >= 3 infers Arrow-backed strings, whose chunked arrays
    # PySpark's Arrow serializer cannot take ("Cannot convert ChunkedArray to Array")
    scores = scores.astype({"worker_id": object, "program_id": object, "bundle_hash": object})
    return _Part(scores[list(OUTPUT_COLUMNS)], quarantine, len(frame), len(parsed.columns))


def _quarantine(
    frame: pd.DataFrame,
    rows: NDArray[np.int64],
    first: NDArray[np.int64],
    errors: pd.DataFrame,
    candidates: NDArray[np.intp],
) -> pd.DataFrame:
    """The local runner's quarantine rows for a partition whose rows are numbered ``rows``."""
    bad = np.union1d(np.flatnonzero(first >= 0), candidates[errors["row"].to_numpy(np.int64)])
    records = dict(zip(bad.tolist(), frame.iloc[bad].to_dict("records"), strict=True))
    out = quarantine_records(rows, first, records, errors, candidates.tolist())
    return pd.DataFrame(
        {
            c: pd.Series([r[c] for r in out], dtype=np.int64 if c == "row" else object)
            for c in QUARANTINE_COLUMNS
        }
    )


def spark_marked(df: Any) -> Any:
    """``df`` plus its global row number ``ROW`` and duplicate mark ``FIRST`` (the row of
    the first occurrence of a repeated ``worker_id``, -1 for the first and for unique ids)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    columns = [F.col(f"`{c}`") for c in df.columns]
    with_id = df.withColumn(_MID, F.monotonically_increasing_id())
    # monotonically_increasing_id = partition index << 33 | position in the partition; the
    # offset of each partition (a window over one row per partition) makes it a global row.
    part = F.shiftright(F.col(_MID), 33)
    sizes = with_id.groupBy(part.alias("_part")).count()
    before = Window.orderBy("_part").rowsBetween(Window.unboundedPreceding, -1)
    offsets = sizes.select("_part", F.coalesce(F.sum("count").over(before), F.lit(0)).alias("_off"))
    rows = with_id.join(F.broadcast(offsets), part == F.col("_part")).withColumn(
        ROW, F.col("_off") + F.col(_MID).bitwiseAND((1 << 33) - 1)
    )
    # the id as the Worker contract reads it (whitespace stripped); null ids never repeat
    raw = F.col("worker_id").cast("string") if "worker_id" in df.columns else F.lit(None)
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


def spark_batch(
    frame: pd.DataFrame, recommender: Any, k: int, bundle_hash: str, on_error: OnError
) -> pd.DataFrame:
    """Score one Arrow batch of input rows (with ``ROW`` and ``FIRST``) into the rows of
    ``SPARK_COMBINED``."""
    rows = frame[ROW].to_numpy(np.int64)
    first = frame[FIRST].to_numpy(np.int64)
    workers = frame.drop(columns=[ROW, FIRST])
    part = _score_rows(workers, rows, first, recommender, k, bundle_hash, on_error)
    tally = pd.DataFrame({"n_in": [part.n_in], "n_scored": [part.n_scored]})
    pieces = [("score", part.scores), ("quarantine", part.quarantine), ("tally", tally)]
    data = {
        "_kind": np.repeat(
            np.array([k for k, _ in pieces], dtype=object), [len(p) for _, p in pieces]
        )
    }
    for name in _COMBINED_COLUMNS[1:]:
        data[name] = np.concatenate(
            [
                p[name].to_numpy(dtype=object) if name in p else np.full(len(p), None, dtype=object)
                for _, p in pieces
            ]
        )
    # object columns: Arrow casts them to the declared types, None to null
    return pd.DataFrame({name: pd.Series(v, dtype=object) for name, v in data.items()})


def worker_ids(frame: pd.DataFrame) -> pd.Series:
    """The ``worker_id`` column of a Dask partition (nulls when there is none)."""
    if "worker_id" in frame.columns:
        return frame["worker_id"]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object, name="worker_id")


def mark_duplicates(ids: list[pd.Series]) -> list[tuple[int, NDArray[np.int64]]]:
    """``(first input row, duplicate marks)`` of every Dask partition, in input order, from
    the local runner's :class:`~skillmatch._dedupe.SeenIds`."""
    seen, start, out = SeenIds(), 0, []
    for part in ids:
        try:
            values = pa.array(part, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in an object column
            values = pa.array([_raw_id(v) for v in part.tolist()], pa.string())
        out.append((start, seen.mark(values, start)))
        start += len(part)
    return out


def dask_part(
    frame: pd.DataFrame,
    mark: tuple[int, NDArray[np.int64]],
    recommender: Any,
    k: int,
    bundle_hash: str,
    on_error: OnError,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Scores, quarantine and tally (``n_in, n_scored``) of one Dask partition."""
    start, first = mark
    rows = np.arange(start, start + len(frame), dtype=np.int64)
    part = _score_rows(frame, rows, first, recommender, k, bundle_hash, on_error)
    tally = pd.DataFrame({"n_in": [part.n_in], "n_scored": [part.n_scored]}, dtype=np.int64)
    scores = part.scores.astype({"rank": np.int32, "score": np.float32})
    return scores, part.quarantine, tally


def score_meta() -> pd.DataFrame:
    """Empty frame with the dtypes of a Dask scores partition."""
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


def quarantine_meta() -> pd.DataFrame:
    """Empty frame with the dtypes of a Dask quarantine partition."""
    return pd.DataFrame(
        {c: pd.Series(dtype=np.int64 if c == "row" else object) for c in QUARANTINE_COLUMNS}
    )
