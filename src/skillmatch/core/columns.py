"""Workers as columns: validated straight from Arrow, without a pydantic model per row.

:class:`WorkerColumns` holds a block of validated workers as flat arrays (the ragged skill
claims and certificates as offsets + values, like Arrow lists). The scoring path reads only
these arrays, so a batch of Parquet rows is ranked without building a
:class:`~skillmatch.schema.Worker` per row.

:func:`columns_from_arrow` validates an Arrow table column by column with ``pyarrow.compute``.
The column checks are *conservative*: a row passes only when every value is one that the
:class:`~skillmatch.schema.Worker` model accepts unchanged (no whitespace to strip, no type to
coerce). Every other row goes through the pydantic model, which stays the single authority on
what is valid and writes the error messages. So the fast path can only send a valid row the
slow way, never accept an invalid one or change a value; ``tests/core/test_columns.py`` checks this
over generated rows against :func:`~skillmatch.core.frames.workers_from_frame`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from skillmatch.core._column_checks import DEFAULT_LEVEL, Checks, offsets
from skillmatch.core._types import IntArray, ObjectArray
from skillmatch.core.frames import ERROR_COLUMNS, workers_from_frame
from skillmatch.schema import (
    EDUCATION_LEVELS,
    MODALITY_PREFERENCES,
    SHIFT_PATTERNS,
    Worker,
)

SHIFTS: tuple[str, ...] = SHIFT_PATTERNS
#: A worker's preferred modality ("any" last).
MODALITIES: tuple[str, ...] = MODALITY_PREFERENCES

#: Characters that Python's ``str.isspace`` or Unicode's White_Space property call whitespace
#: (the union): a string starting or ending with one is left to pydantic, which strips it.


@dataclass(frozen=True)
class WorkerColumns:
    """Validated workers as flat arrays; row ``i`` is the ``i``-th worker.

    Claims of worker ``i`` are ``claim_*[claim_offsets[i]:claim_offsets[i + 1]]``, and the same
    for certificates. Categorical fields are codes: ``education`` indexes
    :data:`~skillmatch.schema.EDUCATION_LEVELS`, ``shift`` :data:`SHIFTS`, ``modality``
    :data:`MODALITIES`.
    """

    worker_id: ObjectArray
    claim_offsets: IntArray
    claim_text: ObjectArray
    claim_level: IntArray  # 1-5, DEFAULT_LEVEL where the claim has none
    occupation: ObjectArray
    education: IntArray
    cert_offsets: IntArray
    cert_trade: ObjectArray
    cert_level: IntArray
    region: ObjectArray
    employer_node: ObjectArray  # str or None
    shift: IntArray
    modality: IntArray
    weekly_hours: NDArray[np.float64]
    goal: ObjectArray  # str or None

    def __len__(self) -> int:
        return len(self.worker_id)

    @classmethod
    def from_models(cls, workers: Sequence[Worker]) -> WorkerColumns:
        """Columns of already validated :class:`~skillmatch.schema.Worker` models."""
        workers = list(workers)
        claims = [c for w in workers for c in w.skills]
        certs = [c for w in workers for c in w.certificates]
        edu = {e: i for i, e in enumerate(EDUCATION_LEVELS)}
        return cls(
            worker_id=_objects([w.worker_id for w in workers]),
            claim_offsets=offsets([len(w.skills) for w in workers]),
            claim_text=_objects([c.text for c in claims]),
            claim_level=np.array([c.level or DEFAULT_LEVEL for c in claims], dtype=np.int64),
            occupation=_objects([w.occupation for w in workers]),
            education=np.array([edu[w.education] for w in workers], dtype=np.int64),
            cert_offsets=offsets([len(w.certificates) for w in workers]),
            cert_trade=_objects([c.trade for c in certs]),
            cert_level=np.array([c.level for c in certs], dtype=np.int64),
            region=_objects([w.region for w in workers]),
            employer_node=_objects([w.employer_node for w in workers]),
            shift=np.array([SHIFTS.index(w.shift_pattern) for w in workers], dtype=np.int64),
            modality=np.array(
                [MODALITIES.index(w.preferred_modality) for w in workers], dtype=np.int64
            ),
            weekly_hours=np.array([w.weekly_hours for w in workers], dtype=np.float64),
            goal=_objects([w.goal for w in workers]),
        )

    def take(self, index: Sequence[int] | IntArray) -> WorkerColumns:
        """The workers at ``index`` (any order, repeats allowed)."""
        idx = np.asarray(index, dtype=np.int64)
        c_off, c_sel = _ragged_take(self.claim_offsets, idx)
        t_off, t_sel = _ragged_take(self.cert_offsets, idx)
        return WorkerColumns(
            worker_id=self.worker_id[idx],
            claim_offsets=c_off,
            claim_text=self.claim_text[c_sel],
            claim_level=self.claim_level[c_sel],
            occupation=self.occupation[idx],
            education=self.education[idx],
            cert_offsets=t_off,
            cert_trade=self.cert_trade[t_sel],
            cert_level=self.cert_level[t_sel],
            region=self.region[idx],
            employer_node=self.employer_node[idx],
            shift=self.shift[idx],
            modality=self.modality[idx],
            weekly_hours=self.weekly_hours[idx],
            goal=self.goal[idx],
        )

    def slice(self, start: int, stop: int) -> WorkerColumns:
        """Workers ``start:stop``: views of the arrays, nothing gathered (unlike :meth:`take`)."""
        stop = min(stop, len(self))
        c0, c1 = int(self.claim_offsets[start]), int(self.claim_offsets[stop])
        t0, t1 = int(self.cert_offsets[start]), int(self.cert_offsets[stop])
        return WorkerColumns(
            worker_id=self.worker_id[start:stop],
            claim_offsets=self.claim_offsets[start : stop + 1] - c0,
            claim_text=self.claim_text[c0:c1],
            claim_level=self.claim_level[c0:c1],
            occupation=self.occupation[start:stop],
            education=self.education[start:stop],
            cert_offsets=self.cert_offsets[start : stop + 1] - t0,
            cert_trade=self.cert_trade[t0:t1],
            cert_level=self.cert_level[t0:t1],
            region=self.region[start:stop],
            employer_node=self.employer_node[start:stop],
            shift=self.shift[start:stop],
            modality=self.modality[start:stop],
            weekly_hours=self.weekly_hours[start:stop],
            goal=self.goal[start:stop],
        )


def concat_columns(parts: Sequence[WorkerColumns]) -> WorkerColumns:
    """Workers of several :class:`WorkerColumns`, in order."""
    if len(parts) == 1:
        return parts[0]

    def cat(name: str) -> Any:
        return np.concatenate([getattr(p, name) for p in parts])

    def offsets(name: str) -> IntArray:
        out, base = [np.zeros(1, dtype=np.int64)], 0
        for p in parts:
            off = getattr(p, name)
            out.append(off[1:] + base)
            base += int(off[-1])
        return np.concatenate(out)

    return WorkerColumns(
        worker_id=cat("worker_id"),
        claim_offsets=offsets("claim_offsets"),
        claim_text=cat("claim_text"),
        claim_level=cat("claim_level"),
        occupation=cat("occupation"),
        education=cat("education"),
        cert_offsets=offsets("cert_offsets"),
        cert_trade=cat("cert_trade"),
        cert_level=cat("cert_level"),
        region=cat("region"),
        employer_node=cat("employer_node"),
        shift=cat("shift"),
        modality=cat("modality"),
        weekly_hours=cat("weekly_hours"),
        goal=cat("goal"),
    )


@dataclass(frozen=True)
class ColumnsResult:
    """Valid workers as columns, their input positions, and the error table of the others."""

    columns: WorkerColumns
    rows: IntArray
    errors: pd.DataFrame
    n_fast: int  # rows accepted by the column checks alone (the rest went through pydantic)

    @property
    def n_invalid(self) -> int:
        """Number of distinct input rows that failed validation."""
        return int(self.errors["row"].nunique()) if len(self.errors) else 0


def columns_from_frame(df: pd.DataFrame) -> ColumnsResult:
    """Validate a pandas frame of workers into columns (through Arrow when it converts)."""
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError):
        table = None  # mixed Python types in a column: every row goes through pydantic
    if table is None or table.num_columns != len(df.columns):
        return _slow(df, np.arange(len(df), dtype=np.int64), n_fast=0)
    return columns_from_arrow(table, frame=df)


def columns_from_arrow(table: pa.Table, *, frame: pd.DataFrame | None = None) -> ColumnsResult:
    """Validate an Arrow table of workers into :class:`WorkerColumns`.

    Parameters
    ----------
    table : pyarrow.Table
        One row per worker, columns named as the :class:`~skillmatch.schema.Worker` fields.
    frame : DataFrame, optional
        The same rows as pandas, when the caller has them (saves a conversion for the rows
        that go through pydantic).
    """
    n = table.num_rows
    fast = Checks(table).run() if n else None
    if fast is None:
        slow_rows = np.arange(n, dtype=np.int64)
        return _slow(_frame_rows(table, frame, slow_rows), slow_rows, n_fast=0)
    ok, fields = fast
    columns = WorkerColumns(**fields)
    fast_rows = np.flatnonzero(ok)
    slow_rows = np.flatnonzero(~ok)
    if not len(slow_rows):
        return ColumnsResult(columns, fast_rows, _no_errors(), len(fast_rows))
    slow = _slow(_frame_rows(table, frame, slow_rows), slow_rows, n_fast=0)
    fast_part = columns.take(fast_rows)
    merged = concat_columns([fast_part, slow.columns])
    rows = np.concatenate([fast_rows, slow.rows])
    order = np.argsort(rows, kind="stable")
    return ColumnsResult(merged.take(order), rows[order], slow.errors, len(fast_rows))


def _frame_rows(table: pa.Table, frame: pd.DataFrame | None, rows: IntArray) -> pd.DataFrame:
    if frame is not None:
        return frame.iloc[rows]
    frame_rows: pd.DataFrame = table.take(pa.array(rows)).to_pandas()
    return frame_rows


def _slow(df: pd.DataFrame, positions: IntArray, *, n_fast: int) -> ColumnsResult:
    parsed = workers_from_frame(df)
    errors = parsed.errors.copy()
    if len(errors):
        errors["row"] = positions[errors["row"].to_numpy(np.int64)]
    return ColumnsResult(
        WorkerColumns.from_models(parsed.models),
        positions[np.asarray(parsed.rows, dtype=np.int64)],
        errors,
        n_fast,
    )


def _no_errors() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ERROR_COLUMNS}).astype(
        {"row": np.int64, "field": object, "value": object, "message": object}
    )


def _objects(values: Sequence[Any]) -> ObjectArray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ragged_take(bounds: IntArray, idx: IntArray) -> tuple[IntArray, IntArray]:
    """New offsets and the flat positions of the items of rows ``idx``."""
    starts = bounds[idx]
    lengths = bounds[idx + 1] - starts
    new = offsets(lengths)
    total = int(new[-1])
    flat = np.repeat(starts - new[:-1], lengths) + np.arange(total, dtype=np.int64)
    return new, flat
