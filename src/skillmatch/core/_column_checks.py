"""Column-wise checks of an Arrow table of workers (private to :mod:`skillmatch.core.columns`).

The checks are conservative: a row passes only when every value is one that the
:class:`~skillmatch.schema.Worker` model accepts unchanged. A table whose layout these checks
do not read (unknown field with values, unexpected types) is left to the model entirely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from skillmatch.core._types import IntArray, ObjectArray
from skillmatch.schema import (
    EDUCATION_LEVELS,
    GENDERS,
    MODALITY_PREFERENCES,
    SHIFT_PATTERNS,
    Worker,
)

__all__ = ["DEFAULT_LEVEL", "Checks", "offsets"]

#: Proficiency used for a skill claim without a level.
DEFAULT_LEVEL = 3
_WS = (
    "\\t-\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
)
_EDGE_WS = f"^[{_WS}]|[{_WS}]$"
_ID = r"^[A-Za-z0-9_.:\-]{1,64}$"
_REGION = r"^[A-Z0-9\-]{2,16}$"
_FIELDS = frozenset(Worker.model_fields)


class Checks:
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

    def run(self) -> tuple[NDArray[np.bool_], dict[str, Any]] | None:
        for name in self.table.column_names:
            if name not in _FIELDS and self.table.column(name).null_count < self.n:
                return None  # an unknown field with values: pydantic names it
        try:
            return self.ok, self._fields()
        except _Layout:
            return None

    def _fields(self) -> dict[str, Any]:
        """The :class:`~skillmatch.core.columns.WorkerColumns` fields, as keyword arguments."""
        worker_id = self.text("worker_id", pattern=_ID, required=True)
        occupation = self.text("occupation", max_len=200, required=True)
        region = self.text("region", pattern=_REGION, required=True)
        employer = self.text("employer_node", pattern=_ID, required=False)
        goal = self.text("goal", max_len=500, min_len=0, required=False)
        education = self.choice("education", EDUCATION_LEVELS, required=True)
        shift = self.choice("shift_pattern", SHIFT_PATTERNS, required=True)
        modality = self.choice(
            "preferred_modality", MODALITY_PREFERENCES, required=False, default=3
        )
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
        return dict(
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
        return offsets(lengths), values

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

    A NaN counts as missing, as :mod:`skillmatch.core.frames` reads it (pandas stores integers
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


def offsets(lengths: Sequence[int] | IntArray) -> IntArray:
    """Offsets (``n + 1`` entries, from 0) of ragged rows of the given lengths."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=out[1:])
    return out
