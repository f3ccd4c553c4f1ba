from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from skillmatch.core.frames import (
    ERROR_COLUMNS,
    models_to_frame,
    programs_from_frame,
    workers_from_frame,
)
from skillmatch.schema import Program, Worker
from tests.test_schema import PROGRAM, WORKER


def test_every_bad_row_is_reported() -> None:
    rows = [
        WORKER,
        {**WORKER, "worker_id": "w2", "education": "phd"},
        {**WORKER, "worker_id": "w3", "weekly_hours": -2, "age": 3},
        {**WORKER, "worker_id": "w4"},
    ]
    result = workers_from_frame(pd.DataFrame(rows))
    assert [w.worker_id for w in result.models] == ["w1", "w4"]
    assert result.rows == [0, 3]
    assert list(result.errors.columns) == list(ERROR_COLUMNS)
    assert sorted(result.errors["row"].tolist()) == [1, 2, 2]
    assert set(result.errors["field"]) == {"education", "weekly_hours", "age"}
    assert "'phd'" in result.errors["value"].tolist()
    assert result.n_invalid == 2


def test_json_string_cells_as_in_csv() -> None:
    row = {
        **WORKER,
        "skills": json.dumps(WORKER["skills"]),
        "certificates": json.dumps(WORKER["certificates"]),
    }
    result = workers_from_frame(pd.DataFrame([row]))
    assert len(result.errors) == 0
    assert result.models[0] == Worker.model_validate(WORKER)


def test_broken_json_cell_names_the_field() -> None:
    result = workers_from_frame(pd.DataFrame([{**WORKER, "skills": "[{broken"}]))
    assert result.errors["field"].tolist() == ["skills"]


def test_missing_values_use_defaults() -> None:
    df = pd.DataFrame([{**WORKER, "goal": np.nan, "age": None}])
    result = workers_from_frame(df)
    assert result.models[0].goal is None and result.models[0].age is None


def test_parquet_round_trip(tmp_path: object) -> None:
    workers = [Worker.model_validate({**WORKER, "worker_id": f"w{i}"}) for i in range(5)]
    path = f"{tmp_path}/w.parquet"
    pq.write_table(pa.Table.from_pandas(models_to_frame(workers)), path)
    back = workers_from_frame(pq.read_table(path).to_pandas())
    assert len(back.errors) == 0
    assert back.models == workers


def test_programs_frame_round_trip() -> None:
    programs = [Program.model_validate({**PROGRAM, "program_id": f"p{i}"}) for i in range(3)]
    back = programs_from_frame(models_to_frame(programs))
    assert back.models == programs


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["ok", "bad_hours", "bad_edu", "bad_id"]), max_size=12))
def test_rows_in_equal_valid_plus_invalid(kinds: list[str]) -> None:
    patches = {
        "ok": {},
        "bad_hours": {"weekly_hours": 99},
        "bad_edu": {"education": "x"},
        "bad_id": {"worker_id": ""},
    }
    rows = [{**WORKER, "worker_id": f"w{i}", **patches[k]} for i, k in enumerate(kinds)]
    result = workers_from_frame(pd.DataFrame(rows, columns=list(WORKER)))
    assert len(result.models) + result.n_invalid == len(rows)
    assert len(result.models) == kinds.count("ok")
