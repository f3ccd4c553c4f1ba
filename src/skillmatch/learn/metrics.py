"""Metric names, input validation and the vectorised per-worker ranking metrics.

Private module behind :mod:`skillmatch.learn.evaluate`; the public names are re-exported there.

Every metric is computed for all workers at once from a handful of NumPy arrays: the run is
sorted once (worker, score descending, ``program_id`` ascending), each row gets its 1-based
``rank`` and its graded ``relevance`` (0 when the pair is not in the qrels), and every per-worker
sum is one :func:`numpy.bincount`. No Python loop runs per worker.

The definitions follow ranx (and trec_eval) exactly; a program is *relevant* when its relevance
is > 0 (ranx's default ``rel_lvl=1`` with integer grades gives the same sets):

==============  ================================================================================
``ndcg@k``      linear gain (Järvelin & Kekäläinen, ranx ``ndcg``): DCG@k = sum rel_i / log2(i + 1)
                over the top k, divided by the DCG@k of the ideal ordering of the worker's qrels
``recall@k``    relevant programs in the top k / all relevant programs of the worker
``precision@k`` relevant programs in the top k / k (k, not the run length, as in ranx)
``map@k``       sum of precision@i over the ranks i <= k that hold a relevant program, divided
                by all relevant programs of the worker (ranx ``map@k``, trec_eval ``map_cut``)
``mrr@k``       1 / rank of the first relevant program in the top k (0 if none)
``hit_rate@k``  1 if any relevant program is in the top k, else 0
==============  ================================================================================

Without ``@k`` a metric uses the worker's whole ranked list (``precision`` then divides by the
list's length), as ranx does with ``k=0``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from skillmatch.errors import SchemaError

__all__ = ["METRICS", "MetricSpec", "parse_metric"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Names of the supported metrics (the part before ``@k``).
METRICS: frozenset[str] = frozenset({"hit_rate", "map", "mrr", "ndcg", "precision", "recall"})

RUN_COLUMNS: tuple[str, ...] = ("worker_id", "program_id", "score")
QRELS_COLUMNS: tuple[str, ...] = ("worker_id", "program_id", "relevance")


class MetricSpec(NamedTuple):
    """A parsed metric name.

    Attributes
    ----------
    name : str
        One of :data:`METRICS`, e.g. ``"ndcg"``.
    k : int or None
        The cut-off; ``None`` means the whole ranked list.

    Examples
    --------
    >>> MetricSpec("ndcg", 10).label
    'ndcg@10'
    >>> MetricSpec("mrr", None).label
    'mrr'
    """

    name: str
    k: int | None

    @property
    def label(self) -> str:
        """The canonical metric string, e.g. ``"ndcg@10"`` or ``"mrr"``."""
        return self.name if self.k is None else f"{self.name}@{self.k}"


def check_k(k: object) -> int:
    """Return ``k`` if it is an int >= 1, else raise ValueError naming it.

    Examples
    --------
    >>> check_k(3)
    3
    >>> check_k(0)
    Traceback (most recent call last):
    ...
    ValueError: k must be >= 1, got k=0
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be an int >= 1, got k={k!r}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got k={k!r}")
    return int(k)


def parse_metric(name: str) -> MetricSpec:
    """Parse a metric string such as ``"ndcg@10"``, ``"recall@5"`` or ``"mrr"``.

    This is the only place in skillmatch where metric strings are parsed.

    Parameters
    ----------
    name : str
        ``"<metric>"`` or ``"<metric>@<k>"`` with ``<metric>`` one of ``ndcg``, ``recall``,
        ``precision``, ``map``, ``mrr``, ``hit_rate`` and ``k >= 1``. Without ``@k`` the
        whole ranked list is used.

    Returns
    -------
    MetricSpec
        ``(name, k)`` with ``k=None`` when no cut-off is given.

    Raises
    ------
    ValueError
        If the metric is unknown or ``k`` is not an integer >= 1.

    Examples
    --------
    >>> parse_metric("ndcg@10")
    MetricSpec(name='ndcg', k=10)
    >>> parse_metric("mrr")
    MetricSpec(name='mrr', k=None)
    >>> parse_metric("auc")
    Traceback (most recent call last):
    ...
    ValueError: Unknown metric 'auc'; expected one of ['hit_rate', 'map', 'mrr', 'ndcg', ...]
    """
    if not isinstance(name, str):
        raise ValueError(f"metric must be a string such as 'ndcg@10', got {name!r}")
    base, sep, cutoff = name.partition("@")
    if base not in METRICS:
        raise ValueError(f"Unknown metric {name!r}; expected one of {sorted(METRICS)}")
    if not sep:
        return MetricSpec(base, None)
    if not cutoff.isdigit():
        raise ValueError(f"k must be an integer >= 1, got k={cutoff!r} in metric {name!r}")
    k = int(cutoff)
    if k < 1:
        raise ValueError(f"k must be >= 1, got k={k!r} in metric {name!r}")
    return MetricSpec(base, k)


def parse_metrics(metrics: Sequence[str]) -> list[MetricSpec]:
    """Parse a sequence of metric strings, dropping repeats but keeping the order."""
    if isinstance(metrics, str):
        raise ValueError(f"metrics must be a sequence of strings, got the string {metrics!r}")
    specs = list(dict.fromkeys(parse_metric(m) for m in metrics))
    if not specs:
        raise ValueError(f"metrics must name at least one metric, got metrics={metrics!r}")
    return specs


# -- validation ------------------------------------------------------------------------------


def require_columns(df: object, columns: Sequence[str], arg: str) -> pd.DataFrame:
    """Return ``df`` if it is a DataFrame holding ``columns``; raise SchemaError otherwise."""
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{arg} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{arg} is missing columns {missing}; expected at least {list(columns)}, "
            f"got {list(df.columns)}"
        )
    return df


def _require_numeric(df: pd.DataFrame, column: str, arg: str) -> FloatArray:
    values = df[column]
    if values.empty:
        return np.zeros(0, dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"{arg}[{column!r}] must be numeric, got dtype {values.dtype}")
    out = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        raise ValueError(f"{arg}[{column!r}] must be finite, got {float(out[bad][0])!r}")
    return out


def _reject_duplicates(df: pd.DataFrame, arg: str) -> None:
    dup = df.duplicated(["worker_id", "program_id"])
    if dup.any():
        row = df.loc[dup, ["worker_id", "program_id"]].iloc[0]
        raise ValueError(
            f"{arg} has duplicate (worker_id, program_id) pairs, e.g. "
            f"({row['worker_id']!r}, {row['program_id']!r})"
        )


def validate_run(run: object, arg: str = "run") -> pd.DataFrame:
    """Check a run's columns, scores and uniqueness; return it unchanged."""
    df = require_columns(run, RUN_COLUMNS, arg)
    _require_numeric(df, "score", arg)
    _reject_duplicates(df, arg)
    return df


def validate_qrels(qrels: object) -> pd.DataFrame:
    """Check the qrels' columns, relevance grades and uniqueness; return them unchanged."""
    df = require_columns(qrels, QRELS_COLUMNS, "qrels")
    relevance = _require_numeric(df, "relevance", "qrels")
    if (relevance < 0).any():
        first = float(relevance[relevance < 0][0])
        raise ValueError(f"qrels['relevance'] must be >= 0, got {first!r}")
    _reject_duplicates(df, "qrels")
    return df


# -- ranking ---------------------------------------------------------------------------------


class Ranked(NamedTuple):
    """A run sorted by worker code, score descending and ``program_id`` ascending."""

    worker: IntArray  # worker code of each row
    program_id: npt.NDArray[np.object_]
    rank: IntArray  # 1-based rank within the worker


def rank_run(run: pd.DataFrame, worker_codes: IntArray) -> Ranked:
    """Sort a validated run and number each worker's rows 1, 2, ... (ties: program_id asc)."""
    frame = pd.DataFrame(
        {
            "w": worker_codes,
            "s": run["score"].to_numpy(dtype=np.float64),
            "p": run["program_id"].to_numpy(),
        }
    )
    frame = frame.sort_values(["w", "s", "p"], ascending=[True, False, True], kind="stable")
    worker = frame["w"].to_numpy(dtype=np.int64)
    first = np.searchsorted(worker, worker, side="left")
    rank = np.arange(1, len(worker) + 1, dtype=np.int64) - first
    return Ranked(worker, frame["p"].to_numpy(dtype=object), rank)


def ranked_from_run(run: pd.DataFrame) -> tuple[Ranked, pd.Index]:
    """Rank a validated run on its own; return it and the worker ids of the codes."""
    codes, uniques = pd.factorize(run["worker_id"], sort=True)
    return rank_run(run, codes.astype(np.int64)), pd.Index(uniques)


def discount(rank: IntArray) -> FloatArray:
    """Position discount ``1 / log2(rank + 1)``."""
    return 1.0 / np.log2(rank.astype(np.float64) + 1.0)


# -- per-worker metrics ----------------------------------------------------------------------


class _Arrays(NamedTuple):
    n_workers: int
    run_worker: IntArray  # run rows in rank order
    rank: IntArray
    gain: FloatArray  # relevance of the run row (0 if not relevant)
    cum_hits: FloatArray  # relevant rows at or above this row, within the worker
    run_len: FloatArray  # per worker
    n_rel: FloatArray  # per worker
    ideal_worker: IntArray  # relevant qrels rows, by worker then relevance descending
    ideal_rank: IntArray
    ideal_gain: FloatArray


def _within(rank: IntArray, k: int | None) -> npt.NDArray[np.bool_]:
    return np.ones(rank.shape, dtype=bool) if k is None else rank <= k


def _sum(a: _Arrays, workers: IntArray, weights: FloatArray) -> FloatArray:
    return np.bincount(workers, weights=weights, minlength=a.n_workers).astype(np.float64)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _hits(a: _Arrays, k: int | None) -> FloatArray:
    m = _within(a.rank, k) & (a.gain > 0)
    return _sum(a, a.run_worker[m], np.ones(int(m.sum())))


def _ndcg(a: _Arrays, k: int | None) -> FloatArray:
    m = _within(a.rank, k)
    dcg = _sum(a, a.run_worker[m], a.gain[m] * discount(a.rank[m]))
    im = _within(a.ideal_rank, k)
    idcg = _sum(a, a.ideal_worker[im], a.ideal_gain[im] * discount(a.ideal_rank[im]))
    return _ratio(dcg, idcg)


def _recall(a: _Arrays, k: int | None) -> FloatArray:
    return _ratio(_hits(a, k), a.n_rel)


def _precision(a: _Arrays, k: int | None) -> FloatArray:
    den = a.run_len if k is None else np.full(a.n_workers, float(k))
    return _ratio(_hits(a, k), den)


def _average_precision(a: _Arrays, k: int | None) -> FloatArray:
    m = _within(a.rank, k) & (a.gain > 0)
    precision_at_hit = a.cum_hits[m] / a.rank[m]
    return _ratio(_sum(a, a.run_worker[m], precision_at_hit), a.n_rel)


def _reciprocal_rank(a: _Arrays, k: int | None) -> FloatArray:
    m = _within(a.rank, k) & (a.gain > 0)
    workers, first = np.unique(a.run_worker[m], return_index=True)  # rows are in rank order
    out = np.zeros(a.n_workers, dtype=np.float64)
    out[workers] = 1.0 / a.rank[m][first]
    return out


def _hit_rate(a: _Arrays, k: int | None) -> FloatArray:
    return (_hits(a, k) > 0).astype(np.float64)


_METRIC_FUNCTIONS: dict[str, Callable[[_Arrays, int | None], FloatArray]] = {
    "hit_rate": _hit_rate,
    "map": _average_precision,
    "mrr": _reciprocal_rank,
    "ndcg": _ndcg,
    "precision": _precision,
    "recall": _recall,
}


def _arrays(run: pd.DataFrame, qrels: pd.DataFrame) -> tuple[_Arrays, pd.Index]:
    ids = pd.concat([qrels["worker_id"], run["worker_id"]], ignore_index=True)
    codes, uniques = pd.factorize(ids, sort=True)
    codes = codes.astype(np.int64)
    n_workers = len(uniques)
    q_codes, r_codes = codes[: len(qrels)], codes[len(qrels) :]

    relevance = qrels["relevance"].to_numpy(dtype=np.float64)
    keep = relevance > 0
    ideal = pd.DataFrame({"w": q_codes[keep], "g": relevance[keep]})
    ideal = ideal.sort_values(["w", "g"], ascending=[True, False], kind="stable")
    ideal_worker = ideal["w"].to_numpy(dtype=np.int64)
    ideal_rank = np.arange(1, len(ideal) + 1) - np.searchsorted(ideal_worker, ideal_worker)

    ranked = rank_run(run, r_codes)
    lookup = pd.DataFrame(
        {"w": q_codes[keep], "p": qrels["program_id"].to_numpy()[keep], "g": relevance[keep]}
    )
    rows = pd.DataFrame({"w": ranked.worker, "p": ranked.program_id})
    gain = rows.merge(lookup, on=["w", "p"], how="left")["g"].fillna(0.0).to_numpy(np.float64)
    hit = (gain > 0).astype(np.float64)
    cum_hits = np.asarray(pd.Series(hit).groupby(ranked.worker).cumsum(), dtype=np.float64)
    arrays = _Arrays(
        n_workers=n_workers,
        run_worker=ranked.worker,
        rank=ranked.rank,
        gain=gain,
        cum_hits=cum_hits,
        run_len=np.bincount(ranked.worker, minlength=n_workers).astype(np.float64),
        n_rel=np.bincount(ideal_worker, minlength=n_workers).astype(np.float64),
        ideal_worker=ideal_worker,
        ideal_rank=ideal_rank.astype(np.int64),
        ideal_gain=ideal["g"].to_numpy(dtype=np.float64),
    )
    return arrays, pd.Index(uniques)


def per_worker_metrics(
    run: pd.DataFrame, qrels: pd.DataFrame, specs: Sequence[MetricSpec]
) -> pd.DataFrame:
    """Metric values per worker for a validated run and qrels (see ``compute_metrics``)."""
    arrays, workers = _arrays(run, qrels)
    undefined = arrays.n_rel == 0
    columns: dict[str, object] = {"worker_id": workers.to_numpy()}
    for spec in specs:
        values = _METRIC_FUNCTIONS[spec.name](arrays, spec.k)
        values[undefined] = np.nan
        columns[spec.label] = values
    return pd.DataFrame(columns)
