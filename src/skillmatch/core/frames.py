"""DataFrame <-> model conversion with row-level errors.

Converting a table never stops at the first bad row: every row is validated, the valid ones come
back as models and each problem becomes one line of an error table with the columns
``row, field, value, message`` (``row`` is the 0-based position in the input frame). Nested
fields (``skills``, ``certificates``, ...) may be Python/NumPy lists and dicts, as pyarrow reads
them from Parquet, or JSON strings, as in a CSV file.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame([
...     {"worker_id": "w1", "occupation": "welder", "education": "bachelor",
...      "region": "CN-GD", "migrant": False, "weekly_hours": 5, "shift_pattern": "day",
...      "skills": '[{"text": "arc welding", "level": 3}]'},
...     {"worker_id": "w2", "occupation": "fitter", "education": "phd",
...      "region": "CN-GD", "migrant": True, "weekly_hours": 5, "shift_pattern": "day"},
... ])
>>> result = workers_from_frame(df)
>>> [w.worker_id for w in result.models], result.rows
(['w1'], [0])
>>> result.errors[["row", "field", "value"]].to_dict("records")
[{'row': 1, 'field': 'education', 'value': "'phd'"}]
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from skillmatch.schema import Program, Worker

__all__ = [
    "ERROR_COLUMNS",
    "ParseResult",
    "first_error",
    "models_from_frame",
    "models_to_frame",
    "programs_from_frame",
    "workers_from_frame",
]

M = TypeVar("M", bound=BaseModel)

#: Columns of the row-level error table.
ERROR_COLUMNS: tuple[str, ...] = ("row", "field", "value", "message")
_JSON_FIELDS = frozenset(
    {
        "skills",
        "certificates",
        "skills_taught",
        "required_skills",
        "chain_nodes",
        "regions",
        "upstream",
        "downstream",
        "skills_demanded",
        "demand",
        "nodes",
        "reasons",
    }
)


@dataclass(frozen=True)
class ParseResult(Generic[M]):
    """Valid models, their row positions in the input, and the error table of the others.

    Attributes
    ----------
    models : list of models
        The rows that validated, in input order.
    rows : list of int
        The 0-based input position of each model.
    errors : DataFrame
        One line per problem, columns ``row, field, value, message``.
    """

    models: list[M]
    rows: list[int]
    errors: pd.DataFrame

    @property
    def n_invalid(self) -> int:
        """Number of distinct input rows that failed validation."""
        return int(self.errors["row"].nunique()) if len(self.errors) else 0


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def _plain(value: Any) -> Any:
    """Convert NumPy containers and scalars (as pyarrow returns them) into plain Python."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: None if _is_missing(v) else _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _nested_cell(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value  # pydantic then reports the wrong type, naming the field
        return [] if text == "" else value
    return _plain(value)


def _column(name: str, series: pd.Series) -> list[Any]:
    """Plain Python values of one column, ``None`` for missing cells."""
    values = series.tolist()  # NumPy scalars become Python scalars here
    if name in _JSON_FIELDS:
        return [None if _is_missing(v) else _nested_cell(v) for v in values]
    if series.dtype.kind in "fO" or isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return [None if _is_missing(v) else v for v in values]
    return values


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Row dicts without missing cells (so that model defaults apply), built column-wise."""
    names = [str(c) for c in df.columns]
    columns = [_column(n, df[c]) for n, c in zip(names, df.columns, strict=True)]
    return (
        [
            {n: v for n, v in zip(names, row, strict=True) if v is not None}
            for row in zip(*columns, strict=True)
        ]
        if names
        else [{} for _ in range(len(df))]
    )


def _error_rows(position: int, exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "<row>"
        out.append(
            {"row": position, "field": loc, "value": repr(err.get("input")), "message": err["msg"]}
        )
    return out


def first_error(errors: pd.DataFrame, n_invalid: int, kind: str, *, where: str = "") -> str:
    """The message for a table with invalid rows: how many, and the first one's field and value.

    ``errors`` has the :data:`ERROR_COLUMNS`; ``where`` (such as ``" in a partition"``) is
    put after the count.

    Examples
    --------
    >>> errors = pd.DataFrame({"row": [3], "field": ["age"], "value": ["-1"],
    ...                        "message": ["Input should be greater than or equal to 14"]})
    >>> first_error(errors, 1, "worker")
    "1 invalid worker row(s); first at row 3: field 'age' = -1: Input should be ..."
    """
    first = errors.iloc[0]
    return (
        f"{n_invalid} invalid {kind} row(s){where}; first at row {first['row']}: "
        f"field {first['field']!r} = {first['value']}: {first['message']}"
    )


def models_from_frame(df: pd.DataFrame, model: type[M]) -> ParseResult[M]:
    """Validate every row of ``df`` as ``model``; collect the valid ones and all errors.

    Parameters
    ----------
    df : DataFrame
        One row per record; columns are the model's field names.
    model : type
        A pydantic model class such as :class:`~skillmatch.schema.Worker`.

    Returns
    -------
    ParseResult
        ``models``, their input ``rows`` and an ``errors`` table.
    """
    models: list[M] = []
    rows: list[int] = []
    errors: list[dict[str, Any]] = []
    for position, record in enumerate(_records(df)):
        try:
            models.append(model.model_validate(record))
            rows.append(position)
        except ValidationError as exc:
            errors.extend(_error_rows(position, exc))
    return ParseResult(models, rows, pd.DataFrame(errors, columns=list(ERROR_COLUMNS)))


def workers_from_frame(df: pd.DataFrame) -> ParseResult[Worker]:
    """Validate a table of workers; see :func:`models_from_frame`."""
    return models_from_frame(df, Worker)


def programs_from_frame(df: pd.DataFrame) -> ParseResult[Program]:
    """Validate a table of programs; see :func:`models_from_frame`."""
    return models_from_frame(df, Program)


def models_to_frame(
    models: Iterable[BaseModel], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per model, nested fields as lists of dicts (Parquet-friendly).

    Examples
    --------
    >>> from skillmatch.schema import SkillClaim
    >>> models_to_frame([SkillClaim(text="welding", level=2)]).to_dict("records")
    [{'text': 'welding', 'level': 2, 'years': None}]
    """
    records = [m.model_dump(mode="json") for m in models]
    return pd.DataFrame(records, columns=list(columns) if columns is not None else None)
