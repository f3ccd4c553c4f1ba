"""Tables and the summary of an allocation: who is funded where, who is not and why.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate.problem import AllocationProblem, GroupShare
>>> from skillmatch.allocate.exact import solve_exact
>>> problem = AllocationProblem(
...     worker_ids=["a", "b", "c"], program_ids=["p1"], capacity=np.array([2]),
...     arc_worker=np.array([0, 1]), arc_program=np.array([0, 0]),
...     arc_score=np.array([0.9, 0.5]), arc_rank=np.array([1, 3]), arc_aid=np.zeros(2),
...     groups=(GroupShare("migrant", 0.5),), members=np.array([[False], [True], [True]]))
>>> result = solve_exact(problem)
>>> group_table(problem, result)[["group", "funded", "top1_share", "top3_share"]].values.tolist()
[['all', 2, 0.5, 1.0], ['migrant', 1, 0.0, 1.0], ['not migrant', 1, 1.0, 1.0]]
>>> unfunded_frame(problem, result, ["", "migrant", "migrant"])["reason"].tolist()
['no_candidate']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from skillmatch.allocate.problem import AllocationProblem
from skillmatch.allocate.result import UNFUNDED_REASONS, Allocation, unfunded_reasons

__all__ = [
    "ALLOCATION_COLUMNS",
    "UNFUNDED_COLUMNS",
    "allocation_frame",
    "chain_fill",
    "group_table",
    "program_fill",
    "unfunded_frame",
]

#: Columns of ``allocation.parquet``.
ALLOCATION_COLUMNS: tuple[str, ...] = ("worker_id", "program_id", "score", "rank_in_list", "groups")
#: Columns of ``unfunded.parquet``.
UNFUNDED_COLUMNS: tuple[str, ...] = ("worker_id", "reason", "n_candidates", "groups")


def allocation_frame(
    problem: AllocationProblem, result: Allocation, groups: Sequence[str]
) -> pd.DataFrame:
    """One row per funded worker, ordered by ``worker_id`` (:data:`ALLOCATION_COLUMNS`)."""
    f = result.funded
    workers = problem.arc_worker[f]
    return pd.DataFrame(
        {
            "worker_id": np.asarray(problem.worker_ids, dtype=object)[workers],
            "program_id": np.asarray(problem.program_ids, dtype=object)[problem.arc_program[f]],
            "score": problem.arc_score[f],
            "rank_in_list": problem.arc_rank[f],
            "groups": np.asarray(groups, dtype=object)[workers] if len(groups) else "",
        },
        columns=list(ALLOCATION_COLUMNS),
    )


def unfunded_frame(
    problem: AllocationProblem, result: Allocation, groups: Sequence[str]
) -> pd.DataFrame:
    """One row per unfunded worker with the reason (:data:`UNFUNDED_COLUMNS`)."""
    reasons = unfunded_reasons(problem, result)
    rows = np.flatnonzero(reasons != "")
    n_candidates = np.bincount(problem.arc_worker, minlength=problem.n_workers)
    return pd.DataFrame(
        {
            "worker_id": np.asarray(problem.worker_ids, dtype=object)[rows],
            "reason": reasons[rows],
            "n_candidates": n_candidates[rows],
            "groups": np.asarray(groups, dtype=object)[rows] if len(groups) else "",
        },
        columns=list(UNFUNDED_COLUMNS),
    )


def unfunded_counts(problem: AllocationProblem, result: Allocation) -> dict[str, int]:
    """Unfunded workers per reason, every reason listed."""
    reasons = unfunded_reasons(problem, result)
    return {r: int(np.count_nonzero(reasons == r)) for r in UNFUNDED_REASONS}


def group_table(problem: AllocationProblem, result: Allocation) -> pd.DataFrame:
    """Funded seats, share and fit per group and its complement.

    Columns: ``group, min_share, quota, funded, share, mean_score, top1_share, top3_share``
    (the last two: share of the group's funded workers who got their first, or one of their
    first three, choices).
    """
    members = problem.members_matrix()
    funded_workers = problem.arc_worker[result.funded]
    ranks = problem.arc_rank[result.funded]
    scores = problem.arc_score[result.funded]
    rows = [_group_row("all", np.ones(funded_workers.size, bool), ranks, scores, None, 0)]
    for g, (group, quota) in enumerate(zip(problem.groups, result.quotas, strict=True)):
        inside = members[funded_workers, g]
        rows.append(_group_row(group.name, inside, ranks, scores, group.min_share, quota))
        rows.append(_group_row(f"not {group.name}", ~inside, ranks, scores, None, 0))
    table = pd.DataFrame(rows)
    total = max(int(result.funded.size), 1)
    table["share"] = table["funded"] / total
    return table[
        ["group", "min_share", "quota", "funded", "share", "mean_score", "top1_share", "top3_share"]
    ]


def _group_row(
    name: str,
    inside: np.ndarray,
    ranks: np.ndarray,
    scores: np.ndarray,
    share: float | None,
    quota: int,
) -> dict[str, object]:
    n = int(inside.sum())
    return {
        "group": name,
        "min_share": share,
        "quota": quota,
        "funded": n,
        "mean_score": float(scores[inside].mean()) if n else float("nan"),
        "top1_share": float((ranks[inside] == 1).mean()) if n else float("nan"),
        "top3_share": float((ranks[inside] <= 3).mean()) if n else float("nan"),
    }


def program_fill(
    problem: AllocationProblem, result: Allocation, program_chains: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Per program: ``program_id, chains, capacity, funded, fill_rate, candidates``."""
    load = np.bincount(problem.arc_program[result.funded], minlength=problem.n_programs)
    wanted = np.bincount(problem.arc_program, minlength=problem.n_programs)
    capacity = problem.capacity
    return pd.DataFrame(
        {
            "program_id": problem.program_ids,
            "chains": [";".join(program_chains.get(p, [])) for p in problem.program_ids],
            "capacity": capacity,
            "funded": load,
            "fill_rate": np.where(capacity > 0, load / np.maximum(capacity, 1), np.nan),
            "candidates": wanted,
        }
    )


def chain_fill(programs: pd.DataFrame) -> pd.DataFrame:
    """Fill rate per chain (a program on several chains counts on each; none: ``"-"``)."""
    rows = programs.assign(chain=programs["chains"].replace("", "-").str.split(";")).explode(
        "chain"
    )
    table = rows.groupby("chain", sort=True)[["capacity", "funded"]].sum().reset_index()
    table["fill_rate"] = table["funded"] / table["capacity"].clip(lower=1)
    return table
