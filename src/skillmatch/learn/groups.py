"""Group breakdowns: exposure share by group, group means of per-worker metrics, age bands.

Private module behind :mod:`skillmatch.learn.evaluate`; the public names are re-exported there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from skillmatch.learn.metrics import (
    Ranked,
    check_k,
    discount,
    ranked_from_run,
    require_columns,
    validate_run,
)

__all__ = ["age_band", "exposure_by_group"]

_AGE_EDGES = np.array([25.0, 35.0, 45.0, 55.0])
_AGE_LABELS = np.array(["16-24", "25-34", "35-44", "45-54", "55+"], dtype=object)
_MIN_WORKING_AGE = 16.0


def group_values(groups: pd.DataFrame, column: str) -> pd.DataFrame:
    if not isinstance(column, str) or column == "worker_id":
        raise ValueError(f"column must name a group column of groups, got column={column!r}")
    df = require_columns(groups, ("worker_id", column), "groups")
    dup = df["worker_id"].duplicated()
    if dup.any():
        raise ValueError(
            f"groups has duplicate worker_id values, e.g. {df['worker_id'][dup].iloc[0]!r}"
        )
    return df[["worker_id", column]].rename(columns={column: "group"})


def exposure_by_group(run: pd.DataFrame, groups: pd.DataFrame, k: int, column: str) -> pd.DataFrame:
    """Share of top-``k`` exposure each group receives, relative to its population share.

    A worker's exposure is the position-discounted number of programs recommended to them,
    ``sum(1 / log2(rank + 1))`` over their top-``k`` rows: a full list of ``k`` programs
    always gives the same exposure, so groups differ when some workers get shorter lists
    (eligibility filters, quotas, cold start) or none at all. The population is the workers in
    ``groups``; a worker absent from ``run`` has exposure 0, run workers absent from
    ``groups`` are not counted. Missing group values form their own group (NaN).

    Parameters
    ----------
    run : DataFrame
        Columns ``worker_id, program_id, score``.
    groups : DataFrame
        Columns ``worker_id`` (unique) and ``column``.
    k : int
        Cut-off (>= 1).
    column : str
        The group column, e.g. ``"migrant"``, ``"gender"``, ``"region"`` or an age band.

    Returns
    -------
    DataFrame
        One row per group value (sorted), columns ``group, n_workers, population_share,
        mean_exposure, exposure_share, exposure_ratio`` where ``exposure_ratio =
        exposure_share / population_share`` (1.0 = parity; NaN if the run gives no exposure).

    Raises
    ------
    SchemaError
        If ``groups`` lacks ``worker_id`` or ``column``, or ``run`` a required column.
    ValueError
        If ``k < 1`` or ``groups`` repeats a worker.

    Examples
    --------
    Two migrant and two local workers; one migrant worker got no recommendation.

    >>> run = pd.DataFrame({"worker_id": ["m1", "l1", "l2"], "program_id": ["a", "a", "b"],
    ...                     "score": [1.0, 1.0, 1.0]})
    >>> groups = pd.DataFrame({"worker_id": ["m1", "m2", "l1", "l2"],
    ...                        "migrant": [True, True, False, False]})
    >>> table = exposure_by_group(run, groups, k=10, column="migrant")
    >>> table[["group", "n_workers", "exposure_share", "exposure_ratio"]].round(3)
       group  n_workers  exposure_share  exposure_ratio
    0  False          2           0.667           1.333
    1   True          2           0.333           0.667
    """
    check_k(k)
    frame = group_values(groups, column)
    ranked, workers = ranked_from_run(validate_run(run))
    return exposure_table(ranked, workers, frame, k)


def exposure_table(
    ranked: Ranked, workers: pd.Index, frame: pd.DataFrame, k: int | None
) -> pd.DataFrame:
    top = np.ones(len(ranked.rank), dtype=bool) if k is None else ranked.rank <= k
    weights = discount(ranked.rank[top])
    per_worker = np.bincount(ranked.worker[top], weights=weights, minlength=len(workers))
    exposure = pd.Series(per_worker, index=workers)
    frame = frame.assign(exposure=exposure.reindex(frame["worker_id"]).fillna(0.0).to_numpy())
    table = frame.groupby("group", dropna=False, sort=True).agg(
        n_workers=("worker_id", "size"),
        mean_exposure=("exposure", "mean"),
        total=("exposure", "sum"),
    )
    total = float(table["total"].sum())
    table["population_share"] = table["n_workers"] / len(frame)
    share = table["total"] / total if total > 0 else table["total"] * np.nan
    table["exposure_share"] = share
    table["exposure_ratio"] = share / table["population_share"]
    columns = ["n_workers", "population_share", "mean_exposure", "exposure_share", "exposure_ratio"]
    return table[columns].reset_index()


def group_means(per_worker: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.merge(per_worker, on="worker_id", how="left")
    labels = [c for c in per_worker.columns if c != "worker_id"]
    grouped = frame.groupby("group", dropna=False, sort=True)
    table = grouped[labels].mean()
    table.insert(0, "n_evaluated", grouped[labels[0]].count())
    return table.reset_index()


def age_band(ages: ArrayLike) -> pd.Series:
    """Map ages in years to the bands ``16-24``, ``25-34``, ``35-44``, ``45-54`` and ``55+``.

    Parameters
    ----------
    ages : array-like of float
        Ages in years (fractions allowed: 24.9 is in ``16-24``). A Series keeps its index.

    Returns
    -------
    Series of str
        The band of each age, named ``"age_band"``.

    Raises
    ------
    ValueError
        If an age is missing, not a number or below 16 (the minimum working age).

    Examples
    --------
    >>> age_band([16, 24.9, 25, 44, 54, 67]).tolist()
    ['16-24', '16-24', '25-34', '35-44', '45-54', '55+']
    """
    index = ages.index if isinstance(ages, pd.Series) else None
    try:
        values = np.asarray(ages, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ages must be numbers, got {ages!r}") from exc
    bad = ~(values >= _MIN_WORKING_AGE)  # also catches NaN
    if bad.any():
        raise ValueError(f"ages must be >= {_MIN_WORKING_AGE:g}, got {float(values[bad][0])!r}")
    labels = _AGE_LABELS[np.searchsorted(_AGE_EDGES, values, side="right")]
    return pd.Series(labels, index=index, name="age_band", dtype="str")
