"""Rows of :func:`skillmatch.learn.evaluate.evaluate`'s tidy table.

Private to :mod:`skillmatch.learn.evaluate`: the checks of its arguments, then per model the
overall rows (each metric, ``coverage@k``) and, per group column, the rows by group (each
metric, ``exposure_ratio@k``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from skillmatch.learn.groups import exposure_table, group_means, group_values
from skillmatch.learn.metrics import (
    MetricSpec,
    Ranked,
    parse_metrics,
    per_worker_metrics,
    ranked_from_run,
    require_columns,
    validate_qrels,
    validate_run,
)

__all__ = [
    "Inputs",
    "Record",
    "check_catalogue_size",
    "check_inputs",
    "coverage",
    "model_records",
]

#: One row of the table: ``model, metric, group, value``.
Record = tuple[str, str, str, float]
_Row = tuple[str, str, float]
_MISSING = "<missing>"


class Inputs(NamedTuple):
    """Validated arguments of :func:`~skillmatch.learn.evaluate.evaluate`, shared by all runs."""

    specs: list[MetricSpec]
    qrels: pd.DataFrame
    groups: pd.DataFrame | None
    group_columns: list[str]
    catalogue_size: int | None


class _ModelRun(NamedTuple):
    per_worker: pd.DataFrame
    ranked: Ranked
    workers: pd.Index


def check_catalogue_size(catalogue_size: object) -> int:
    """``catalogue_size`` as an int, or a ValueError unless it is an int >= 1."""
    if isinstance(catalogue_size, bool) or not isinstance(catalogue_size, (int, np.integer)):
        raise ValueError(
            f"catalogue_size must be an int >= 1, got catalogue_size={catalogue_size!r}"
        )
    if catalogue_size < 1:
        raise ValueError(f"catalogue_size must be >= 1, got catalogue_size={catalogue_size!r}")
    return int(catalogue_size)


def coverage(ranked: Ranked, catalogue_size: int, k: int | None) -> float:
    """Share of the catalogue in any top-``k`` list (whole lists if ``k`` is None)."""
    top = ranked.program_id if k is None else ranked.program_id[ranked.rank <= k]
    n_seen = len(pd.unique(top))
    if n_seen > catalogue_size:
        raise ValueError(
            f"catalogue_size must be >= the {n_seen} distinct programs in the run's top-{k} "
            f"lists, got catalogue_size={catalogue_size!r}"
        )
    return n_seen / catalogue_size


def _check_runs(runs: object) -> None:
    if not isinstance(runs, Mapping) or not runs:
        got = "an empty mapping" if isinstance(runs, Mapping) else type(runs).__name__
        raise ValueError(f"runs must be a non-empty mapping of model name -> run, got {got}")


def _check_groups(groups: pd.DataFrame | None, group_columns: Sequence[str]) -> list[str]:
    if isinstance(group_columns, str):
        raise ValueError(f"group_columns must be a sequence of names, got {group_columns!r}")
    if groups is None:
        if group_columns:
            raise ValueError(f"group_columns={list(group_columns)!r} needs groups, got None")
        return []
    frame = require_columns(groups, ("worker_id", *group_columns), "groups")
    return list(group_columns) or [c for c in frame.columns if c != "worker_id"]


def check_inputs(
    runs: object,
    qrels: pd.DataFrame,
    metrics: Sequence[str],
    groups: pd.DataFrame | None,
    group_columns: Sequence[str],
    catalogue_size: int | None,
) -> Inputs:
    """Check everything but the runs' contents, in the order the errors are reported."""
    _check_runs(runs)
    specs = parse_metrics(metrics)
    truth = validate_qrels(qrels)
    columns = _check_groups(groups, group_columns)
    size = None if catalogue_size is None else check_catalogue_size(catalogue_size)
    return Inputs(specs, truth, groups, columns, size)


def _cutoffs(specs: Sequence[MetricSpec]) -> list[int | None]:
    ks = sorted({s.k for s in specs if s.k is not None})
    return list(ks) if ks else [None]


def _label(value: Any, column: str) -> str:  # a group value: any pandas scalar
    return f"{column}={_MISSING if pd.isna(value) else value}"


def _overall_rows(model: _ModelRun, catalogue_size: int | None, ks: list[int | None]) -> list[_Row]:
    metrics = model.per_worker.columns[1:]
    rows = [(str(m), "all", float(model.per_worker[m].mean())) for m in metrics]
    if catalogue_size is not None:
        for k in ks:
            name = "coverage" if k is None else f"coverage@{k}"
            rows.append((name, "all", coverage(model.ranked, catalogue_size, k)))
    return rows


def _group_rows(
    model: _ModelRun, groups: pd.DataFrame, column: str, ks: list[int | None]
) -> list[_Row]:
    frame = group_values(groups, column)
    means = group_means(model.per_worker, frame)
    rows: list[_Row] = []
    for metric in model.per_worker.columns[1:]:
        pairs = zip(means["group"], means[metric], strict=True)
        rows += [(str(metric), _label(g, column), float(v)) for g, v in pairs]
    for k in ks:
        table = exposure_table(model.ranked, model.workers, frame, k)
        name = "exposure_ratio" if k is None else f"exposure_ratio@{k}"
        pairs = zip(table["group"], table["exposure_ratio"], strict=True)
        rows += [(name, _label(g, column), float(v)) for g, v in pairs]
    return rows


def model_records(name: object, run: pd.DataFrame, inputs: Inputs) -> list[Record]:
    """All rows of the model ``name``: overall, then by group for each group column."""
    validate_run(run, f"runs[{name!r}]")
    ranked, workers = ranked_from_run(run)
    labels = [s.label for s in inputs.specs]
    per_worker = per_worker_metrics(run, inputs.qrels, inputs.specs)[["worker_id", *labels]]
    model = _ModelRun(per_worker, ranked, workers)
    ks = _cutoffs(inputs.specs)
    rows = _overall_rows(model, inputs.catalogue_size, ks)
    if inputs.groups is not None:
        for column in inputs.group_columns:
            rows += _group_rows(model, inputs.groups, column, ks)
    return [(str(name), *row) for row in rows]
