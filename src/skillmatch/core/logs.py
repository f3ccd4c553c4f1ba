"""The interaction-log contract: columns, catalogue digest, workers and features of a log.

An interaction log has one row per impression: ``worker_id, program_id, relevance`` (0 none,
1 clicked, 2 enrolled, 3 completed) and the worker's profile columns (the :class:`Worker`
fields), as ``skillmatch simulate --interactions`` writes it. :meth:`Recommender.fit` learns
from it with the functions here; :mod:`skillmatch.learn.training` compares models on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.core.features import FEATURE_NAMES, FeatureBuilder
from skillmatch.core.frames import workers_from_frame
from skillmatch.errors import SchemaError, UnknownIdError
from skillmatch.schema import Program, Worker

__all__ = [
    "CATALOGUE_METADATA_KEY",
    "LOG_COLUMNS",
    "TrainingData",
    "catalogue_digest",
    "check_log_catalogue",
    "log_features",
    "log_workers",
    "program_prior",
]

#: Columns an interaction log must have besides the worker profile fields.
LOG_COLUMNS: tuple[str, ...] = ("worker_id", "program_id", "relevance")
_WORKER_FIELDS = tuple(Worker.model_fields)


class TrainingData(NamedTuple):
    """Pair features of logged impressions, row-aligned with the log.

    Attributes
    ----------
    X : ndarray of shape (n_impressions, n_features)
    y : ndarray of shape (n_impressions,)
        Graded relevance.
    groups : ndarray of shape (n_impressions,)
        Integer code of the worker (for per-worker weighting and grouped metrics).
    eligible : ndarray of shape (n_impressions,)
        Whether the program was eligible for the worker.
    """

    X: NDArray[np.float32]
    y: NDArray[np.float32]
    groups: NDArray[np.int64]
    eligible: NDArray[np.bool_]


#: Parquet metadata key under which a log records the digest of the catalogue it was made on.
CATALOGUE_METADATA_KEY = b"skillmatch.catalogue_sha256"


def catalogue_digest(programs: Sequence[Program]) -> str:
    """sha256 of a catalogue's programs (ids *and* content, in id order).

    Program ids alone do not identify a catalogue: two simulated worlds both have a
    ``p000001``. A log that records this digest can be checked against the catalogue it is
    trained on (:func:`check_log_catalogue`).
    """
    digest = hashlib.sha256()
    for program in sorted(programs, key=lambda p: p.program_id):
        digest.update(program.model_dump_json().encode())
    return digest.hexdigest()


def check_log_catalogue(
    metadata: Mapping[bytes, bytes] | None, programs: Sequence[Program]
) -> None:
    """Refuse a log whose recorded catalogue digest differs from ``programs``'.

    Logs without the digest (real logs exported from a platform) pass: their program ids are
    trusted to mean the catalogue's programs.

    Raises
    ------
    SchemaError
        The log was made on another catalogue: training on it would join outcomes to the wrong
        programs.
    """
    recorded = (metadata or {}).get(CATALOGUE_METADATA_KEY)
    if recorded is None:
        return
    expected = catalogue_digest(programs)
    if recorded.decode() != expected:
        raise SchemaError(
            "the interaction log was made on another catalogue (its catalogue_sha256 "
            f"{recorded.decode()[:12]}... differs from {expected[:12]}...): program ids would "
            "point at different programs. Simulate the log on the same world (skillmatch "
            "simulate --world-seed) or train with the matching --base bundle."
        )


def _check_log(log: pd.DataFrame) -> None:
    required = (*LOG_COLUMNS, *(n for n, f in Worker.model_fields.items() if f.is_required()))
    missing = [c for c in dict.fromkeys(required) if c not in log.columns]
    if missing:
        raise SchemaError(
            f"interaction log is missing column(s) {missing}; it needs {list(LOG_COLUMNS)} "
            "and the worker profile fields (see skillmatch.schema.Worker)"
        )
    if not pd.api.types.is_numeric_dtype(log["relevance"]):
        raise SchemaError(f"column 'relevance' must be numeric, got dtype {log['relevance'].dtype}")


def log_workers(log: pd.DataFrame) -> list[Worker]:
    """The distinct workers of a log (first row of each ``worker_id``), validated."""
    _check_log(log)
    columns = [c for c in _WORKER_FIELDS if c in log.columns]
    firsts = log.drop_duplicates("worker_id")[columns].reset_index(drop=True)
    parsed = workers_from_frame(firsts)
    if len(parsed.errors):
        first = parsed.errors.iloc[0]
        raise SchemaError(
            f"{parsed.n_invalid} worker(s) in the log fail validation; first: worker_id "
            f"{firsts.loc[first['row'], 'worker_id']!r}, field {first['field']!r} = "
            f"{first['value']}: {first['message']}"
        )
    return parsed.models


def program_prior(log: pd.DataFrame, *, smoothing: float = 50.0) -> dict[str, float]:
    """Smoothed enrolment rate of each program in ``log``, scaled so the best is 1.

    ``rate = (enrolments + smoothing * global_rate) / (impressions + smoothing)``: a program
    shown a handful of times stays near the global rate instead of jumping to 0 or 1.

    Examples
    --------
    >>> log = pd.DataFrame({"program_id": ["a", "a", "b"], "relevance": [2, 0, 0]})
    >>> {k: round(v, 3) for k, v in program_prior(log, smoothing=1.0).items()}
    {'a': 1.0, 'b': 0.375}
    """
    enrolled = (log["relevance"] >= 2).astype(np.float64)
    stats = enrolled.groupby(log["program_id"]).agg(["sum", "count"])
    global_rate = float(enrolled.mean()) if len(enrolled) else 0.0
    rate = (stats["sum"] + smoothing * global_rate) / (stats["count"] + smoothing)
    peak = float(rate.max()) if len(rate) else 0.0
    scaled = rate / peak if peak > 0 else rate * 0.0 + 0.5
    return {str(k): float(v) for k, v in scaled.items()}


def log_features(
    builder: FeatureBuilder, log: pd.DataFrame, *, block_size: int = 2048, progress: bool = False
) -> TrainingData:
    """Pair features of every impression of ``log`` under a fitted :class:`FeatureBuilder`.

    Features are computed block by block with the same builder that serves recommendations,
    so what a ranker learns from is exactly what it will see online.

    Raises
    ------
    SchemaError
        A required column is missing or a worker row is invalid.
    UnknownIdError
        The log mentions a program the catalogue does not have.
    """
    workers = log_workers(log)
    fb = builder
    position = {pid: i for i, pid in enumerate(fb.catalogue_.program_ids)}
    program_idx = log["program_id"].map(position)
    if program_idx.isna().any():
        unknown = log.loc[program_idx.isna(), "program_id"].unique()
        raise UnknownIdError(
            f"{len(unknown)} program_id(s) of the log are not in the catalogue, e.g. {unknown[0]!r}"
        )
    codes, _ = pd.factorize(log["worker_id"], sort=False)
    X = np.zeros((len(log), len(FEATURE_NAMES)), dtype=np.float32)
    eligible = np.zeros(len(log), dtype=bool)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(0, len(workers) + block_size, block_size))
    p_idx = program_idx.to_numpy(dtype=np.int64)
    blocks = range(0, len(workers), block_size)
    for b, start in enumerate(_progress(blocks, progress, len(workers), block_size)):
        rows = order[bounds[b] : bounds[b + 1]]
        feats = fb.compute(fb.block(workers[start : start + block_size]))
        X[rows] = feats.values[codes[rows] - start, p_idx[rows]]
        eligible[rows] = feats.eligible[codes[rows] - start, p_idx[rows]]
    y = log["relevance"].to_numpy(dtype=np.float32)
    return TrainingData(X, y, codes.astype(np.int64), eligible)


def _progress(blocks: range, enabled: bool, total: int, step: int) -> Any:
    if not enabled:
        return blocks
    from tqdm.auto import tqdm

    return tqdm(
        blocks, desc="features", unit="block", total=len(blocks), postfix={"workers": total}
    )
