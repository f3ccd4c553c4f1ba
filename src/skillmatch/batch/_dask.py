"""The Dask half of :func:`skillmatch.batch.engines.score_dask`.

One task collects the ``worker_id`` column of every partition and marks duplicates with the
local runner's :class:`~skillmatch.batch.dedupe.SeenIds` (:func:`mark_duplicates`); then one
delayed task per input partition scores it (:func:`dask_part`) into three outputs (scores,
quarantine, tally) that become three Dask DataFrames sharing those tasks. dask is imported only
when a function runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from skillmatch.batch._engine import TALLY_COLUMNS, Collections, PartitionJob
from skillmatch.batch.chunk import QUARANTINE_SCHEMA, raw_id
from skillmatch.batch.dedupe import SeenIds
from skillmatch.core import Scorer

if TYPE_CHECKING:
    from dask.dataframe import DataFrame
    from dask.delayed import Delayed

__all__ = [
    "DASK",
    "DaskEngine",
    "dask_part",
    "mark_duplicates",
    "quarantine_meta",
    "score_meta",
    "worker_ids",
]


def worker_ids(frame: pd.DataFrame) -> pd.Series:
    """The ``worker_id`` column of a Dask partition (nulls when there is none)."""
    if "worker_id" in frame.columns:
        return frame["worker_id"]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object, name="worker_id")


def mark_duplicates(ids: list[pd.Series]) -> list[tuple[int, NDArray[np.int64]]]:
    """``(first input row, duplicate marks)`` of every Dask partition, in input order, from
    the local runner's :class:`~skillmatch.batch.dedupe.SeenIds`."""
    seen, start, out = SeenIds(), 0, []
    for part in ids:
        try:
            values = pa.array(part, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in an object column
            values = pa.array([raw_id(v) for v in part.tolist()], pa.string())
        out.append((start, seen.mark(values, start)))
        start += len(part)
    return out


def dask_part(
    frame: pd.DataFrame,
    mark: tuple[int, NDArray[np.int64]],
    recommender: Scorer | str,
    job: PartitionJob,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Scores, quarantine and tally (``n_in, n_scored``) of one Dask partition."""
    start, first = mark
    rows = np.arange(start, start + len(frame), dtype=np.int64)
    part = job.score(frame, rows, first, recommender)
    scores = part.scores.astype({"rank": np.int32, "score": np.float32})
    return scores, part.quarantine, part.tally()


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
        {c: pd.Series(dtype=np.int64 if c == "row" else object) for c in QUARANTINE_SCHEMA.names}
    )


def _tally_meta() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in TALLY_COLUMNS}, dtype="int64")


def _handle(target: Scorer | str, bundle_hash: str) -> Scorer | str | Delayed:
    """The model as the partition tasks receive it: a path as it is; a recommender scattered
    to every worker of the current ``distributed`` client, or else embedded once in the graph."""
    if isinstance(target, str):
        return target
    from dask.delayed import delayed

    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        client = None
    handle: Delayed
    if client is not None:
        future = client.scatter(target, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        handle = delayed(_identity, pure=True)(future)
    else:
        handle = delayed(target, name=f"skillmatch-recommender-{bundle_hash}")
    return handle


def _identity(value: Scorer) -> Scorer:
    return value


class DaskEngine:
    """Dask: one delayed task per input partition, three outputs each (see module doc)."""

    module = "dask.dataframe"
    extra = "dask"

    def score_partitions(
        self, df: DataFrame, target: Scorer | str, job: PartitionJob
    ) -> Collections:
        """Mark duplicates in one task, then score every partition of ``df`` once."""
        import dask
        import dask.dataframe as dd
        from dask.delayed import delayed

        handle = _handle(target, job.bundle_hash)
        # An opaque map over all columns keeps the partitions of ``df`` (a bare column
        # projection may let dask fuse several files into one partition).
        id_meta = pd.Series(dtype=object, name="worker_id")
        ids = df.map_partitions(worker_ids, meta=id_meta)  # type: ignore[no-untyped-call]
        marks = delayed(mark_duplicates)(ids.to_delayed())
        parts = [
            delayed(dask_part, nout=3)(frame, marks[i], handle, job)
            for i, frame in enumerate(df.to_delayed())  # type: ignore[no-untyped-call]
        ]
        # The three collections share each partition's task, so computing them together
        # scores it once. dask's convert-string option would turn the reason_codes lists into
        # strings.
        with dask.config.set({"dataframe.convert-string": False}):
            scores, quarantine, tally = (
                dd.from_delayed([p[i] for p in parts], meta=meta, verify_meta=False)
                for i, meta in enumerate((score_meta(), quarantine_meta(), _tally_meta()))
            )
        return Collections(scores, quarantine, tally)

    def count(self, outputs: Collections) -> tuple[int | None, int | None, int, int]:
        """One computation that shares the scoring tasks."""
        from dask.base import compute

        sums, n_quarantined, n_output = compute(  # type: ignore[no-untyped-call]
            outputs.tally.sum(),
            outputs.quarantine.map_partitions(len).sum(),
            outputs.scores.map_partitions(len).sum(),
        )
        return sums["n_in"], sums["n_scored"], n_quarantined, n_output


#: The engine :func:`~skillmatch.batch.engines.score_dask` runs on.
DASK = DaskEngine()
