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
slow way, never accept an invalid one or change a value; ``tests/test_columns.py`` checks this
over generated rows against :func:`~skillmatch.frames.workers_from_frame`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from skillmatch.frames import ERROR_COLUMNS, workers_from_frame
from skillmatch.schema import EDUCATION_LEVELS, Worker

ObjectArray = NDArray[np.object_]
IntArray = NDArray[np.int64]

SHIFTS: tuple[str, ...] = ("day", "night", "rotating", "flexible")
MODALITIES: tuple[str, ...] = ("online", "in_person", "blended", "any")
GENDERS: tuple[str, ...] = ("female", "male", "other")
#: Proficiency used for a skill claim without a level.
DEFAULT_LEVEL = 3

#: Characters that Python's ``str.isspace`` or Unicode's White_Space property call whitespace
#: (the union): a string starting or ending with one is left to pydantic, which strips it.
_WS = (
    "\\t-\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
)
_EDGE_WS = f"^[{_WS}]|[{_WS}]$"
_ID = r"^[A-Za-z0-9_.:\-]{1,64}$"
_REGION = r"^[A-Z0-9\-]{2,16}$"
_FIELDS = frozenset(Worker.model_fields)


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
            claim_offsets=_offsets([len(w.skills) for w in workers]),
            claim_text=_objects([c.text for c in claims]),
            claim_level=np.array([c.level or DEFAULT_LEVEL for c in claims], dtype=np.int64),
            occupation=_objects([w.occupation for w in workers]),
            education=np.array([edu[w.education] for w in workers], dtype=np.int64),
            cert_offsets=_offsets([len(w.certificates) for w in workers]),
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
    fast = _Checks(table).run() if n else None
    if fast is None:
        slow_rows = np.arange(n, dtype=np.int64)
        return _slow(_frame_rows(table, frame, slow_rows), slow_rows, n_fast=0)
    ok, columns = fast
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


class _Checks:
    """Column-wise checks of one table; ``run`` gives ``(row ok mask, columns)`` or ``None``
    when the table's layout (types, unknown fields) is not one the fast path reads."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.n = table.num_rows
        self.ok = np.ones(self.n, dtype=bool)

    def col(self, name: str) -> pa.Array | None:
        if name not in self.table.column_names:
            return None
        arr = self.table.column(name).combine_chunks()
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        return arr

    def fail(self, bad: NDArray[np.bool_]) -> None:
        self.ok &= ~bad

    def run(self) -> tuple[NDArray[np.bool_], WorkerColumns] | None:
        for name in self.table.column_names:
            if name not in _FIELDS and self.table.column(name).null_count < self.n:
                return None  # an unknown field with values: pydantic names it
        try:
            return self.ok, self._columns()
        except _Layout:
            return None

    def _columns(self) -> WorkerColumns:
        worker_id = self.text("worker_id", pattern=_ID, required=True)
        occupation = self.text("occupation", max_len=200, required=True)
        region = self.text("region", pattern=_REGION, required=True)
        employer = self.text("employer_node", pattern=_ID, required=False)
        goal = self.text("goal", max_len=500, min_len=0, required=False)
        education = self.choice("education", EDUCATION_LEVELS, required=True)
        shift = self.choice("shift_pattern", SHIFTS, required=True)
        modality = self.choice("preferred_modality", MODALITIES, required=False, default=3)
        self.choice("gender", GENDERS, required=False, default=0)
        self.boolean("migrant")
        hours = self.number("weekly_hours", 0.0, 80.0, required=True, integer=False)
        self.number("age", 15, 80, required=False, integer=True)
        c_off, claims = self.lists("skills", {"text", "level", "years"}, 50)
        c_text = self.nested_text(claims, "text", c_off)
        c_level = self.nested_number(claims, "level", c_off, 1, 5, integer=True, required=False)
        self.nested_number(claims, "years", c_off, 0.0, 60.0, integer=False, required=False)
        t_off, certs = self.lists("certificates", {"trade", "level"}, 20)
        t_trade = self.nested_text(certs, "trade", t_off)
        t_level = self.nested_number(certs, "level", t_off, 1, 5, integer=True, required=True)
        return WorkerColumns(
            worker_id=worker_id,
            claim_offsets=c_off,
            claim_text=c_text,
            claim_level=np.where(np.isnan(c_level), DEFAULT_LEVEL, c_level).astype(np.int64),
            occupation=occupation,
            education=education,
            cert_offsets=t_off,
            cert_trade=t_trade,
            cert_level=np.nan_to_num(t_level).astype(np.int64),
            region=region,
            employer_node=employer,
            shift=shift,
            modality=modality,
            weekly_hours=np.nan_to_num(hours),
            goal=goal,
        )

    # -- flat fields -------------------------------------------------------------------
    def text(
        self,
        name: str,
        *,
        required: bool,
        pattern: str | None = None,
        max_len: int = 0,
        min_len: int = 1,
    ) -> ObjectArray:
        arr = self.col(name)
        if arr is None:
            if required:
                raise _Layout
            return np.full(self.n, None, dtype=object)
        if pa.types.is_null(arr.type):
            if required:
                raise _Layout
            return np.full(self.n, None, dtype=object)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            raise _Layout
        self.fail(
            _string_bad(arr, pattern=pattern, max_len=max_len, min_len=min_len, required=required)
        )
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)

    def choice(
        self, name: str, values: tuple[str, ...], *, required: bool, default: int = -1
    ) -> IntArray:
        arr = self.col(name)
        if arr is None or pa.types.is_null(arr.type):
            if required:
                raise _Layout
            return np.full(self.n, default, dtype=np.int64)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            raise _Layout
        code = pc.index_in(arr, value_set=pa.array(values, arr.type))
        missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        unknown = np.asarray(code.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~missing
        self.fail(unknown | (missing if required else np.zeros(self.n, dtype=bool)))
        out = np.asarray(pc.fill_null(code, default).to_numpy(zero_copy_only=False), dtype=np.int64)
        return out

    def boolean(self, name: str) -> None:
        arr = self.col(name)
        if arr is None or not pa.types.is_boolean(arr.type):
            raise _Layout
        self.fail(np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool))

    def number(
        self, name: str, lo: float, hi: float, *, required: bool, integer: bool
    ) -> NDArray[np.float64]:
        arr = self.col(name)
        if arr is None or pa.types.is_null(arr.type):
            if required:
                raise _Layout
            return np.full(self.n, np.nan)
        values, bad = _number_bad(arr, lo, hi, integer=integer, required=required)
        self.fail(bad)
        return values

    # -- nested lists --------------------------------------------------------------------
    def lists(
        self, name: str, fields: set[str], max_items: int
    ) -> tuple[IntArray, pa.StructArray | None]:
        arr = self.col(name)
        if arr is None or pa.types.is_null(arr.type):
            return np.zeros(self.n + 1, dtype=np.int64), None
        if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
            raise _Layout
        item = arr.type.value_type
        if pa.types.is_null(item):  # pandas infers list<null> when every list is empty
            self.fail(_lengths(arr) > 0)  # a non-empty list of nulls holds no valid item
            return np.zeros(self.n + 1, dtype=np.int64), None
        if not pa.types.is_struct(item):
            raise _Layout
        names = {item.field(i).name for i in range(item.num_fields)}
        if not names <= fields:
            raise _Layout
        lengths = _lengths(arr)
        self.fail(lengths > max_items)
        values = arr.flatten()
        owner = np.repeat(np.arange(self.n, dtype=np.int64), lengths)
        self._fail_items(
            owner, np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        )
        return _offsets(lengths), values

    def _fail_items(self, owner: IntArray, bad: NDArray[np.bool_]) -> None:
        if bad.any():
            self.ok[np.unique(owner[bad])] = False

    def _child(self, values: pa.StructArray, name: str) -> pa.Array | None:
        item = values.type
        for i in range(item.num_fields):
            if item.field(i).name == name:
                return values.flatten()[i]
        return None

    def nested_text(
        self, values: pa.StructArray | None, name: str, offsets: IntArray
    ) -> ObjectArray:
        if values is None:
            return np.empty(0, dtype=object)
        owner = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(offsets))
        child = self._child(values, name)
        if child is None or pa.types.is_null(child.type):
            self._fail_items(owner, np.ones(len(owner), dtype=bool))
            return np.full(len(owner), "", dtype=object)
        if not (pa.types.is_string(child.type) or pa.types.is_large_string(child.type)):
            raise _Layout
        self._fail_items(
            owner, _string_bad(child, pattern=None, max_len=200, min_len=1, required=True)
        )
        return np.asarray(child.to_numpy(zero_copy_only=False), dtype=object)

    def nested_number(
        self,
        values: pa.StructArray | None,
        name: str,
        offsets: IntArray,
        lo: float,
        hi: float,
        *,
        integer: bool,
        required: bool,
    ) -> NDArray[np.float64]:
        if values is None:
            return np.empty(0)
        owner = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(offsets))
        child = self._child(values, name)
        if child is None or pa.types.is_null(child.type):
            if required:
                self._fail_items(owner, np.ones(len(owner), dtype=bool))
            return np.full(len(owner), np.nan)
        got, bad = _number_bad(child, lo, hi, integer=integer, required=required)
        self._fail_items(owner, bad)
        return got


class _Layout(Exception):
    """The table's layout is not one the column checks read: use pydantic for every row."""


def _lengths(arr: pa.Array) -> IntArray:
    return np.asarray(
        pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64
    )


def _string_bad(
    arr: pa.Array, *, pattern: str | None, max_len: int, min_len: int, required: bool
) -> NDArray[np.bool_]:
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    filled = pc.fill_null(arr, "x")
    bad = np.asarray(
        pc.match_substring_regex(filled, _EDGE_WS).to_numpy(zero_copy_only=False), dtype=bool
    )
    if pattern is not None:
        bad |= ~np.asarray(
            pc.match_substring_regex(filled, pattern).to_numpy(zero_copy_only=False), dtype=bool
        )
    else:
        length = np.asarray(pc.utf8_length(filled).to_numpy(zero_copy_only=False))
        bad |= (length < min_len) | (length > max_len)
    if required:
        bad |= missing
    else:
        bad &= ~missing
    return bad


def _number_bad(
    arr: pa.Array,
    lo: float,
    hi: float,
    *,
    integer: bool,
    required: bool,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Values as float64 (NaN where missing) and the mask of values to leave to pydantic.

    A NaN counts as missing, as :mod:`skillmatch.frames` reads it (pandas stores integers
    with gaps as floats); an integer field accepts a float only when it is whole, as
    pydantic's lax integer does.
    """
    kind = arr.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        raise _Layout
    values = np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    missing |= np.isnan(values)
    with np.errstate(invalid="ignore"):
        bad = ~((values >= lo) & (values <= hi))
    if integer:
        bad |= values != np.floor(values)
    bad = np.where(missing, required, bad)
    values = np.where(missing, np.nan, values)
    return values, np.asarray(bad, dtype=bool)


def _objects(values: Sequence[Any]) -> ObjectArray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _offsets(lengths: Sequence[int] | IntArray) -> IntArray:
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=out[1:])
    return out


def _ragged_take(offsets: IntArray, idx: IntArray) -> tuple[IntArray, IntArray]:
    """New offsets and the flat positions of the items of rows ``idx``."""
    starts = offsets[idx]
    lengths = offsets[idx + 1] - starts
    new = _offsets(lengths)
    total = int(new[-1])
    flat = np.repeat(starts - new[:-1], lengths) + np.arange(total, dtype=np.int64)
    return new, flat
