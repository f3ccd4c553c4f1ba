"""The column-wise validation path agrees with the pydantic Worker model on every row."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillmatch.core.columns import (
    WorkerColumns,
    columns_from_arrow,
    columns_from_frame,
    concat_columns,
)
from skillmatch.core.frames import workers_from_frame
from skillmatch.simulate import make_population, make_world
from tests.test_schema import WORKER

FIELDS = tuple(WorkerColumns.__dataclass_fields__)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return next(make_population(make_world(0), 40, seed=5, chunk_size=40))


def assert_columns_equal(a: WorkerColumns, b: WorkerColumns) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert len(x) == len(y), name
        for u, v in zip(x.tolist(), y.tolist(), strict=True):
            same = u == v or (isinstance(u, float) and math.isnan(u) and math.isnan(v))
            assert same, (name, u, v)


def reference(df: pd.DataFrame) -> tuple[WorkerColumns, list[int], pd.DataFrame]:
    parsed = workers_from_frame(df)
    return WorkerColumns.from_models(parsed.models), parsed.rows, parsed.errors


def check_agrees(df: pd.DataFrame) -> int:
    """Both entry points (pandas, Arrow) give pydantic's rows, values and errors."""
    want, rows, errors = reference(df)
    got = columns_from_frame(df)
    assert got.rows.tolist() == rows
    assert_columns_equal(got.columns, want)
    assert got.errors.reset_index(drop=True).to_dict("records") == errors.reset_index(
        drop=True
    ).to_dict("records")
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return got.n_fast
    want_a, rows_a, errors_a = reference(table.to_pandas())
    got_a = columns_from_arrow(table)
    assert got_a.rows.tolist() == rows_a
    assert_columns_equal(got_a.columns, want_a)
    assert sorted(got_a.errors["row"].tolist()) == sorted(errors_a["row"].tolist())
    return got.n_fast


def test_clean_population_takes_the_fast_path(population: pd.DataFrame) -> None:
    n_fast = check_agrees(population)
    assert n_fast == len(population)  # no row needed a pydantic model


def test_parquet_round_trip(population: pd.DataFrame, tmp_path: Any) -> None:
    path = tmp_path / "w.parquet"
    pq.write_table(pa.Table.from_pandas(population, preserve_index=False), path)
    got = columns_from_arrow(pq.read_table(path))
    want, rows, _ = reference(population)
    assert got.n_fast == len(population) and got.rows.tolist() == rows
    assert_columns_equal(got.columns, want)


# Each mutation edits one row in place; some leave it valid (whitespace pydantic strips,
# defaults, whole floats for integers), most make it invalid.
MUTATIONS: list[tuple[str, Any]] = [
    ("worker_id", " w-pad "),
    ("worker_id", "bad id"),
    ("worker_id", ""),
    ("worker_id", "x" * 65),
    ("worker_id", None),
    ("occupation", "  welder"),
    ("occupation", "welder\u3000"),
    ("occupation", "\u00a0"),
    ("occupation", "o" * 201),
    ("occupation", None),
    ("education", "phd"),
    ("education", " bachelor"),
    ("education", None),
    ("region", "cn-gd"),
    ("region", "C"),
    ("region", " CN-GD"),
    ("employer_node", None),
    ("employer_node", "node with space"),
    ("employer_node", " auto.parts "),
    ("migrant", None),
    ("weekly_hours", -1.0),
    ("weekly_hours", 80.5),
    ("weekly_hours", float("nan")),
    ("weekly_hours", 0.0),
    ("weekly_hours", 80.0),
    ("shift_pattern", "sometimes"),
    ("preferred_modality", None),
    ("preferred_modality", "telepathy"),
    ("goal", ""),
    ("goal", "   "),
    ("goal", " learn CNC "),
    ("goal", "g" * 501),
    ("goal", None),
    ("gender", "robot"),
    ("gender", None),
    ("age", 14),
    ("age", 81),
    ("age", None),
    ("skills", None),
    ("skills", []),
    ("skills", [{"text": " padded ", "level": 2}]),
    ("skills", [{"text": "", "level": 2}]),
    ("skills", [{"text": "t" * 201}]),
    ("skills", [{"text": "ok", "level": 0}]),
    ("skills", [{"text": "ok", "level": 6}]),
    ("skills", [{"text": "ok", "level": None}]),
    ("skills", [{"text": "ok", "years": -1.0}]),
    ("skills", [{"text": "ok", "years": 61.0}]),
    ("skills", [{"text": None, "level": 2}]),
    ("skills", [{"text": "ok", "level": 2}] * 51),
    ("certificates", []),
    ("certificates", [{"trade": "welder", "level": 3}]),
    ("certificates", [{"trade": " welder", "level": 3}]),
    ("certificates", [{"trade": "welder", "level": 0}]),
    ("certificates", [{"trade": "welder", "level": None}]),
    ("certificates", [{"trade": "", "level": 2}]),
    ("certificates", [{"trade": "welder", "level": 2}] * 21),
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, 39), st.sampled_from(range(len(MUTATIONS)))),
        min_size=0,
        max_size=8,
    ),
)
def test_agrees_with_pydantic_on_mutated_rows(
    population: pd.DataFrame, picks: list[tuple[int, int]]
) -> None:
    rows = copy.deepcopy(population.to_dict("records"))
    for row, m in picks:
        name, value = MUTATIONS[m]
        rows[row][name] = copy.deepcopy(value)
    check_agrees(pd.DataFrame(rows, columns=population.columns))


def test_mixed_types_in_a_column_fall_back_to_pydantic(population: pd.DataFrame) -> None:
    df = population.copy()
    df["weekly_hours"] = df["weekly_hours"].astype(object)
    df.loc[3, "weekly_hours"] = "12"  # pydantic's lax float reads it; Arrow cannot mix types
    df.loc[4, "weekly_hours"] = "many"
    got = columns_from_frame(df)
    assert got.n_fast == 0
    assert 3 in got.rows.tolist() and 4 not in got.rows.tolist()
    check_agrees(df)


def test_unknown_column_is_reported_by_pydantic(population: pd.DataFrame) -> None:
    df = population.assign(salary=np.where(np.arange(len(population)) == 2, 5000.0, np.nan))
    got = columns_from_frame(df)
    assert got.errors["row"].tolist() == [2] and got.errors["field"].tolist() == ["salary"]
    check_agrees(df)


def test_missing_required_column(population: pd.DataFrame) -> None:
    got = columns_from_frame(population.drop(columns=["occupation"]))
    assert len(got.columns) == 0 and got.n_invalid == len(population)


def test_single_row_and_empty_frames() -> None:
    check_agrees(pd.DataFrame([WORKER]))
    empty = columns_from_frame(pd.DataFrame([WORKER]).iloc[:0])
    assert len(empty.columns) == 0 and len(empty.errors) == 0


def test_take_and_concat_keep_ragged_rows(population: pd.DataFrame) -> None:
    cols = columns_from_frame(population).columns
    order = np.array([5, 0, 5, 39, 2])
    taken = cols.take(order)
    parsed = workers_from_frame(population)
    assert_columns_equal(taken, WorkerColumns.from_models([parsed.models[i] for i in order]))
    assert_columns_equal(concat_columns([cols.slice(0, 17), cols.slice(17, 40)]), cols)


def _cast(table: pa.Table, column: str, kind: pa.DataType) -> pa.Table:
    i = table.schema.get_field_index(column)
    return table.set_column(i, column, table[column].cast(kind))


LAYOUTS = {
    "weekly_hours float32": lambda t: _cast(t, "weekly_hours", pa.float32()),
    "age int8": lambda t: _cast(t, "age", pa.int8()),
    "age float64": lambda t: _cast(t, "age", pa.float64()),
    "education dictionary": lambda t: _cast(t, "education", pa.dictionary(pa.int32(), pa.string())),
    "worker_id large_string": lambda t: _cast(t, "worker_id", pa.large_string()),
    "skills large_list": lambda t: _cast(t, "skills", pa.large_list(t["skills"].type.value_type)),
    "skills narrow numbers": lambda t: _cast(
        t,
        "skills",
        pa.list_(
            pa.struct([("text", pa.string()), ("level", pa.int32()), ("years", pa.float32())])
        ),
    ),
    "many chunks": lambda t: pa.concat_tables([t.slice(i, 7) for i in range(0, t.num_rows, 7)]),
    "optional columns absent": lambda t: t.drop_columns(
        ["goal", "gender", "age", "preferred_modality", "employer_node", "certificates"]
    ),
    "migrant int8 (pydantic path)": lambda t: _cast(t, "migrant", pa.int8()),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_arrow_layouts_a_parquet_file_may_have(population: pd.DataFrame, layout: str) -> None:
    table = LAYOUTS[layout](pa.Table.from_pandas(population, preserve_index=False))
    got = columns_from_arrow(table)
    want, rows, _ = reference(table.to_pandas())
    assert got.rows.tolist() == rows == list(range(len(population)))
    assert_columns_equal(got.columns, want)
    assert got.n_fast == (0 if "pydantic" in layout else len(population))
