"""The engine-neutral half of the engine adapters: what a partition task does, and what an
engine must provide.

:func:`skillmatch.batch.engines.score_spark` and :func:`~skillmatch.batch.engines.score_dask`
share one body (argument checks, bundle resolution, result assembly). Only how the model
reaches the executors and how the partitions are mapped differ; an :class:`Engine` says that
(:mod:`skillmatch.batch._spark`, :mod:`skillmatch.batch._dask`). Every partition task then
calls :meth:`PartitionJob.score`: it validates the partition's rows once, quarantines them as
the local runner does (:mod:`skillmatch.batch.chunk`) and ranks the valid ones. A partition's
rows are numbered by the engine (``rows``) and carry their duplicate marks (``first[i] >= 0``:
row ``i`` repeats the ``worker_id`` of input row ``first[i]``); they need not be consecutive
input rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.batch.chunk import OUTPUT_SCHEMA, QUARANTINE_SCHEMA, quarantine_records
from skillmatch.core import Recommender, Scorer, columns_from_frame, first_error
from skillmatch.errors import SchemaError

__all__ = [
    "TALLY_COLUMNS",
    "Collections",
    "Engine",
    "OnError",
    "Part",
    "PartitionJob",
    "load_bundle",
]

OnError = Literal["quarantine", "raise"]
#: Columns of the one-row tally every partition task returns beside scores and quarantine.
TALLY_COLUMNS: tuple[str, ...] = ("n_in", "n_scored")
_OUTPUT_COLUMNS: list[str] = list(OUTPUT_SCHEMA.names)
_QUARANTINE_COLUMNS: tuple[str, ...] = tuple(QUARANTINE_SCHEMA.names)
_FrameT_contra = TypeVar("_FrameT_contra", contravariant=True)

#: Bundles loaded in this (executor) process, keyed by path and bundle hash.
_LOADED: dict[tuple[str, str], Scorer] = {}


def load_bundle(path: str, bundle_hash: str | None) -> Scorer:
    """The recommender of the bundle at ``path``, loaded once per process."""
    key = (path, bundle_hash or "")
    if key not in _LOADED:
        _LOADED[key] = Recommender.load(path)
    return _LOADED[key]


class Collections(NamedTuple):
    """An engine's lazy outputs: scores, quarantine and the tally rows (``n_in, n_scored``)
    of every partition task, and what to release when done (Spark's persisted pass)."""

    scores: Any
    quarantine: Any
    tally: Any
    cached: Any = None


class Engine(Protocol[_FrameT_contra]):
    """What :func:`~skillmatch.batch.engines.score_spark` and ``score_dask`` need from an engine.

    Attributes
    ----------
    module, extra : str
        The module that must import (e.g. ``"pyspark"``) and the extra that installs it.
    """

    module: str
    extra: str

    def score_partitions(
        self, df: _FrameT_contra, target: Scorer | str, job: PartitionJob
    ) -> Collections:
        """Score every partition of ``df`` with ``job`` (lazily), the model being ``target``
        (a recommender to ship once, or a bundle path each executor loads once)."""
        ...

    def count(self, outputs: Collections) -> tuple[int | None, int | None, int, int]:
        """``(n_in, n_scored, n_quarantined, n_output_rows)`` of ``outputs`` (an action);
        the sums are None when there were no partitions."""
        ...


@dataclass(frozen=True)
class Part:
    """What one partition task produced: scores, quarantine and row counts."""

    scores: pd.DataFrame
    quarantine: pd.DataFrame
    n_in: int
    n_scored: int

    def tally(self) -> pd.DataFrame:
        """The counts as one row of :data:`TALLY_COLUMNS`."""
        return pd.DataFrame({"n_in": [self.n_in], "n_scored": [self.n_scored]}, dtype=np.int64)


@dataclass(frozen=True)
class PartitionJob:
    """What every partition task needs besides its rows and the model.

    Attributes
    ----------
    k : int
        Programs per worker.
    bundle_hash : str
        Written on every score row.
    on_error : {"quarantine", "raise"}
        Set bad rows aside, or raise :class:`~skillmatch.errors.SchemaError` on the first.
    """

    k: int
    bundle_hash: str
    on_error: OnError

    def score(
        self,
        frame: pd.DataFrame,
        rows: NDArray[np.int64],
        first: NDArray[np.int64],
        recommender: Scorer | str,
    ) -> Part:
        """Validate, quarantine and rank one partition whose rows are input rows ``rows``."""
        if len(rows) != len(frame) or len(first) != len(frame):
            raise RuntimeError(
                f"a partition of {len(frame)} rows got {len(rows)} row numbers and "
                f"{len(first)} duplicate marks: the input's partitioning changed between two "
                "passes over it"
            )
        if isinstance(recommender, str):
            recommender = load_bundle(recommender, self.bundle_hash)
        candidates = np.flatnonzero(first < 0)
        parsed = columns_from_frame(
            frame.iloc[candidates] if len(candidates) < len(frame) else frame
        )
        quarantine = _quarantine(frame, rows, first, parsed.errors, candidates)
        if self.on_error == "raise" and len(quarantine):
            errors = quarantine.rename(columns={"reason": "message"})
            raise SchemaError(
                first_error(errors, len(quarantine), "worker", where=" in a partition")
                + " (pass on_error='quarantine' to set bad rows aside)"
            )
        # Validated once above: rank the columns directly (``score_frame`` would validate again).
        scores = self._score_rows(recommender.score_columns(parsed.columns, self.k))
        return Part(scores, quarantine, len(frame), len(parsed.columns))

    def _score_rows(self, scores: pd.DataFrame) -> pd.DataFrame:
        scores["reason_codes"] = [list(c) for c in scores["reason_codes"]]
        scores["bundle_hash"] = self.bundle_hash
        # plain object columns: pandas >= 3 infers Arrow-backed strings, whose chunked arrays
        # PySpark's Arrow serializer cannot take ("Cannot convert ChunkedArray to Array")
        scores = scores.astype({"worker_id": object, "program_id": object, "bundle_hash": object})
        return scores[_OUTPUT_COLUMNS]


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
            for c in _QUARANTINE_COLUMNS
        }
    )
