"""Build an :class:`AllocationProblem` from score rows, workers and the catalogue.

Bad rows never vanish: they go to a quarantine table with the field, the value and the
reason, and the allocation goes on without them. Columns of the quarantine:
:data:`QUARANTINE_COLUMNS` (``source`` is ``"scores"`` or ``"workers"``).

Examples
--------
>>> import pandas as pd
>>> from skillmatch.schema import Program, TaughtSkill
>>> program = Program(program_id="p1", title="Welding", kind="short_course", provider="x",
...                   skills_taught=[TaughtSkill(text="welding")], modality="online",
...                   schedule="weekend", hours=20, capacity=1, cost=1000, aid_eligible=True)
>>> scores = pd.DataFrame({"worker_id": ["a", "b", "b"], "rank": [1, 1, 2],
...                        "program_id": ["p1", "p1", "p9"], "score": [0.9, 0.8, 0.5]})
>>> workers = pd.DataFrame({"worker_id": ["a", "b"], "migrant": [False, True],
...                         "region": ["CN-GD", "CN-JS"], "education": ["bachelor", "primary"]})
>>> built = problem_from_frames(scores, workers, [program],
...                             min_shares=[parse_min_share("migrant=1")])
>>> built.problem.arc_aid.tolist()
[0.0, 800.0]
>>> built.quarantine[["field", "value", "reason"]].values.tolist()
[['program_id', 'p9', 'program_id is not in the bundle catalogue']]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skillmatch.allocate.problem import AllocationProblem, GroupShare, parse_min_share
from skillmatch.errors import SchemaError
from skillmatch.schema import EDUCATION_RANK, Program

__all__ = [
    "QUARANTINE_COLUMNS",
    "SCORE_INPUT_COLUMNS",
    "WORKER_INPUT_COLUMNS",
    "ProblemInputs",
    "parse_min_share",
    "problem_from_frames",
]

SCORE_INPUT_COLUMNS: tuple[str, ...] = ("worker_id", "rank", "program_id", "score")
WORKER_INPUT_COLUMNS: tuple[str, ...] = ("worker_id", "migrant", "region", "education")
QUARANTINE_COLUMNS: tuple[str, ...] = (
    "source",
    "worker_id",
    "program_id",
    "field",
    "value",
    "reason",
)
_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f"}


@dataclass(frozen=True)
class ProblemInputs:
    """The problem, the rows set aside and what the input held.

    ``groups`` is each worker's constrained groups joined with ``;`` (for the output).
    ``n_beyond_candidates`` counts score rows past ``candidates`` (not an error: an option).
    """

    problem: AllocationProblem
    quarantine: pd.DataFrame
    groups: list[str]
    n_beyond_candidates: int


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{what} lacks column(s) {missing}; expected at least {list(columns)}, "
            f"got {list(frame.columns)}"
        )


def _bad(source: str, rows: pd.DataFrame, field: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": source,
            "worker_id": rows["worker_id"].astype(str).to_numpy(),
            "program_id": rows["program_id"].astype(str).to_numpy()
            if "program_id" in rows
            else None,
            "field": field,
            "value": rows[field].astype(str).to_numpy(),
            "reason": reason,
        },
        columns=list(QUARANTINE_COLUMNS),
    )


def _as_bool(values: pd.Series) -> pd.Series:
    """True/False, or NA where the value is not a recognised boolean."""
    text = values.astype(str).str.strip().str.lower()
    parsed = [True if t in _TRUE else False if t in _FALSE else None for t in text]
    return pd.Series(parsed, index=values.index, dtype="object")


def _clean_workers(
    workers: pd.DataFrame, groups: Sequence[GroupShare]
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    needed = list(WORKER_INPUT_COLUMNS) + (
        ["gender"] if any(g.name.startswith("gender:") for g in groups) else []
    )
    _require(workers, needed, "the workers file")
    frame = workers[[c for c in (*WORKER_INPUT_COLUMNS, "gender") if c in workers.columns]].copy()
    frame["worker_id"] = frame["worker_id"].astype(str).str.strip()
    frame["migrant"] = _as_bool(frame["migrant"])
    bad = []
    checks = (
        (
            "worker_id",
            frame["worker_id"].duplicated(keep="first"),
            "duplicate worker_id (the first row is kept)",
        ),
        ("migrant", ~frame["migrant"].isin([True, False]), "migrant must be true or false"),
        (
            "education",
            ~frame["education"].isin(list(EDUCATION_RANK)),
            f"education must be one of {sorted(EDUCATION_RANK)}",
        ),
    )
    keep = pd.Series(True, index=frame.index)
    for field, mask, reason in checks:
        mask = mask & keep
        if mask.any():
            bad.append(_bad("workers", workers.loc[mask], field, reason))
        keep &= ~mask
    frame = frame[keep].sort_values("worker_id", kind="stable").reset_index(drop=True)
    frame["migrant"] = frame["migrant"].astype(bool)
    return frame, bad


def _clean_scores(
    scores: pd.DataFrame, known_workers: pd.Index, programs: Sequence[Program]
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    _require(scores, SCORE_INPUT_COLUMNS, "the score rows")
    frame = scores[list(SCORE_INPUT_COLUMNS)].copy()
    frame["worker_id"] = frame["worker_id"].astype(str).str.strip()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    catalogue = {p.program_id for p in programs}
    keep = pd.Series(True, index=frame.index)
    bad = []
    checks = (
        (
            "program_id",
            ~frame["program_id"].isin(catalogue),
            "program_id is not in the bundle catalogue",
        ),
        (
            "worker_id",
            ~frame["worker_id"].isin(known_workers),
            "worker_id is not in the workers file (or was quarantined there)",
        ),
        ("score", ~np.isfinite(frame["score"].to_numpy()), "score must be a finite number"),
        (
            "program_id",
            frame.duplicated(["worker_id", "program_id"], keep="first"),
            "duplicate (worker_id, program_id) row (the first is kept)",
        ),
    )
    for field, mask, reason in checks:
        mask = mask & keep
        if mask.any():
            rows = (
                frame.loc[mask].assign(**{field: scores.loc[mask, field]})
                if field == "score"
                else frame.loc[mask]
            )
            bad.append(_bad("scores", rows, field, reason))
        keep &= ~mask
    return frame[keep], bad


def problem_from_frames(
    scores: pd.DataFrame,
    workers: pd.DataFrame,
    programs: Sequence[Program],
    *,
    min_shares: Sequence[GroupShare] = (),
    seats: int | None = None,
    budget: float | None = None,
    candidates: int | None = None,
    aid_share: float = 0.8,
    aid_max_education: str = "junior_college",
) -> ProblemInputs:
    """The allocation problem of ``scores`` (columns :data:`SCORE_INPUT_COLUMNS`) over
    ``workers`` (columns :data:`WORKER_INPUT_COLUMNS`, plus ``gender`` for gender shares).

    Aid per seat is ``cost * aid_share`` on an ``aid_eligible`` program for a worker whose
    education is at most ``aid_max_education`` (the rule the ranker's affordability uses),
    else 0. Workers are ordered by ``worker_id``, a worker's arcs by rank, so the same rows in
    any order give the same problem. Arc columns are stored compactly: int32 indices and
    float32 scores and aid (``skillmatch score`` writes float32 scores, so nothing is lost).

    Raises
    ------
    SchemaError
        A required column is missing.
    """
    worker_frame, bad_workers = _clean_workers(workers, min_shares)
    score_frame, bad_scores = _clean_scores(scores, pd.Index(worker_frame["worker_id"]), programs)
    n_beyond = 0
    if candidates is not None:
        beyond = score_frame["rank"] > candidates
        n_beyond = int(beyond.sum())
        score_frame = score_frame[~beyond]
    program_ids = [p.program_id for p in programs]
    arcs = _arc_frame(score_frame, worker_frame, program_ids)
    members = (
        np.column_stack([_member(worker_frame, g) for g in min_shares])
        if min_shares
        else np.zeros((len(worker_frame), 0), bool)
    )
    aid = _aid(arcs, worker_frame, programs, aid_share, aid_max_education)
    problem = AllocationProblem(
        worker_ids=worker_frame["worker_id"].tolist(),
        program_ids=program_ids,
        capacity=np.array([p.capacity for p in programs], dtype=np.int64),
        arc_worker=arcs["w"].to_numpy(np.int32),
        arc_program=arcs["p"].to_numpy(np.int32),
        arc_score=arcs["score"].to_numpy(np.float32),
        arc_rank=arcs["rank"].to_numpy(np.int32),
        arc_aid=aid.astype(np.float32),
        groups=tuple(min_shares),
        members=members,
        seats=seats,
        budget=budget,
    ).check()
    quarantine = (
        pd.concat(bad_workers + bad_scores, ignore_index=True)
        if bad_workers or bad_scores
        else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    )
    labels = [
        ";".join(g.name for g, m in zip(min_shares, row, strict=True) if m) for row in members
    ]
    return ProblemInputs(problem, quarantine.astype(str), labels, n_beyond)


def _arc_frame(scores: pd.DataFrame, workers: pd.DataFrame, program_ids: list[str]) -> pd.DataFrame:
    """Score rows with worker index ``w`` and program index ``p``, by worker, rank, program."""
    w_index, p_index = pd.Index(workers["worker_id"]), pd.Index(program_ids)
    return scores.assign(
        w=w_index.get_indexer(pd.Index(scores["worker_id"])),
        p=p_index.get_indexer(pd.Index(scores["program_id"])),
    ).sort_values(["w", "rank", "p"], kind="stable")


def _member(workers: pd.DataFrame, group: GroupShare) -> np.ndarray:
    if group.name == "migrant":
        return workers["migrant"].to_numpy(dtype=bool)
    attribute, value = group.name.split(":", 1)
    return (workers[attribute].astype(str) == value).to_numpy(dtype=bool)


def _aid(
    arcs: pd.DataFrame,
    workers: pd.DataFrame,
    programs: Sequence[Program],
    aid_share: float,
    aid_max_education: str,
) -> np.ndarray:
    if aid_max_education not in EDUCATION_RANK:
        raise ValueError(
            f"aid_max_education must be one of {sorted(EDUCATION_RANK)}, got {aid_max_education!r}"
        )
    per_seat = np.array([p.cost * aid_share if p.aid_eligible else 0.0 for p in programs])
    education = workers["education"].map(EDUCATION_RANK).to_numpy(dtype=np.int64)
    qualifies = education <= EDUCATION_RANK[aid_max_education]
    w, p = arcs["w"].to_numpy(np.int64), arcs["p"].to_numpy(np.int64)
    return np.where(qualifies[w], per_seat[p], 0.0) if len(arcs) else np.zeros(0)
