"""Allocate funded seats from a scoring run's output: read, solve, write, report.

:func:`allocate` is what ``skillmatch allocate`` runs. It writes, in ``out_dir``:

``allocation.parquet``
    One row per funded worker: ``worker_id, program_id, score, rank_in_list, groups``.
``unfunded.parquet``
    One row per unfunded worker: ``worker_id, reason, n_candidates, groups``, where the
    reason is ``no_candidate``, ``capacity``, ``budget`` or ``seats``.
``quarantine.parquet``
    Input rows set aside: ``source, worker_id, program_id, field, value, reason``.
``programs.parquet``
    Fill per program: ``program_id, chains, capacity, funded, fill_rate, candidates``.
``summary.json``, ``report.md``, ``report.png``
    The figures people look at (see :mod:`skillmatch.allocate.report`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from skillmatch.allocate.exact import solve_exact
from skillmatch.allocate.fast import StepFunction, solve_fast
from skillmatch.allocate.inputs import ProblemInputs, problem_from_frames
from skillmatch.allocate.io import (
    read_bundle_catalogue,
    read_score_parts,
    read_workers,
    write_json,
    write_parquet,
)
from skillmatch.allocate.problem import AllocationProblem, GroupShare
from skillmatch.allocate.report import write_report
from skillmatch.allocate.result import Allocation
from skillmatch.allocate.summary import (
    allocation_frame,
    chain_fill,
    group_table,
    program_fill,
    unfunded_counts,
    unfunded_frame,
)

__all__ = ["DEFAULT_MIN_SHARES", "AllocationRun", "allocate", "quota_prices", "solve"]

#: The national target: at least 2 of every 3 funded places go to migrant workers.
DEFAULT_MIN_SHARES: tuple[GroupShare, ...] = (GroupShare("migrant", 2 / 3),)
Method = Literal["exact", "fast"]


@dataclass(frozen=True)
class AllocationRun:
    """What :func:`allocate` did: the output directory, the allocation and the summary."""

    out_dir: Path
    result: Allocation
    summary: dict[str, Any]


def solve(
    problem: AllocationProblem,
    method: Method = "exact",
    *,
    step: StepFunction | None = None,
    progress: bool = False,
) -> Allocation:
    """Solve ``problem`` with ``method`` (``"exact"`` or ``"fast"``)."""
    if method == "exact":
        if step is not None:
            raise ValueError("step is only used by method='fast', got method='exact' with a step")
        return solve_exact(problem)
    if method == "fast":
        return solve_fast(problem, step=step, progress=progress)
    raise ValueError(f"method must be 'exact' or 'fast', got method={method!r}")


def quota_prices(
    problem: AllocationProblem, result: Allocation, method: Method = "exact"
) -> list[dict[str, Any]]:
    """The total fit with and without each share (and without all of them).

    ``price`` is the fit given up for the share; with ``method="fast"`` it carries the gaps.
    """
    rows = []
    active = [g for g, q in enumerate(result.quotas) if q > 0]
    cases = [(problem.groups[g].name, [g]) for g in active]
    if len(active) > 1:
        cases.append(("all shares", active))
    for name, dropped in cases:
        groups = tuple(
            replace(grp, min_share=0.0) if g in dropped else grp
            for g, grp in enumerate(problem.groups)
        )
        without = solve(replace(problem, groups=groups), method)
        rows.append(
            {
                "quota": name,
                "fit_with": result.objective,
                "fit_without": without.objective,
                "price": without.objective - result.objective,
            }
        )
    return rows


def allocate(
    scores: str | os.PathLike[str],
    workers: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    bundle: str | os.PathLike[str] | None = None,
    seats: int | None = None,
    budget: float | None = None,
    min_shares: Sequence[GroupShare] | None = None,
    candidates: int | None = None,
    method: Method = "exact",
    progress: bool = True,
) -> AllocationRun:
    """Allocate funded seats to the workers of a ``skillmatch score`` run.

    Parameters
    ----------
    scores : path
        Output directory of ``skillmatch score`` (made with ``bundle``).
    workers : path
        The workers file that was scored (Parquet file or directory, or CSV).
    out_dir : path
        Where the outputs go (see the module docstring).
    bundle : path, optional
        The bundle the scores came from; default: the packaged one.
    seats, budget : optional
        Caps on funded seats and on aid (CNY).
    min_shares : sequence of GroupShare, optional
        Default :data:`DEFAULT_MIN_SHARES`; pass ``[]`` for none.
    candidates : int, optional
        Use only the first ``candidates`` programs of each worker's list.
    method : {"exact", "fast"}
    progress : bool
        Show progress for the long steps.

    Raises
    ------
    InfeasibleAllocationError
        The shares cannot be met (the message names the binding one).
    ModelFormatError
        The scores come from another bundle.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    catalogue = read_bundle_catalogue(bundle)
    built = problem_from_frames(
        read_score_parts(scores, catalogue.bundle_hash),
        read_workers(workers),
        catalogue.programs,
        min_shares=DEFAULT_MIN_SHARES if min_shares is None else min_shares,
        seats=seats,
        budget=budget,
        candidates=candidates,
        aid_share=catalogue.aid_share,
        aid_max_education=catalogue.aid_max_education,
    )
    problem = built.problem
    result = solve(problem, method, progress=progress)
    summary = _summary(built, result, catalogue.bundle_hash, time.perf_counter() - started)
    summary["quota_prices"] = quota_prices(problem, result, method)
    _write_outputs(out, built, result, summary, catalogue.program_chains)
    return AllocationRun(out, result, summary)


def _write_outputs(
    out: Path,
    built: ProblemInputs,
    result: Allocation,
    summary: dict[str, Any],
    program_chains: dict[str, list[str]],
) -> None:
    problem = built.problem
    programs = program_fill(problem, result, program_chains)
    write_parquet(allocation_frame(problem, result, built.groups), out / "allocation.parquet")
    write_parquet(unfunded_frame(problem, result, built.groups), out / "unfunded.parquet")
    write_parquet(built.quarantine, out / "quarantine.parquet")
    write_parquet(programs, out / "programs.parquet")
    summary["chains"] = chain_fill(programs).to_dict(orient="records")
    write_json(summary, out / "summary.json")
    write_report(out, summary, programs)


def _summary(
    built: ProblemInputs,
    result: Allocation,
    bundle_hash: str,
    solve_s: float,
) -> dict[str, Any]:
    problem = built.problem
    groups = group_table(problem, result)
    return {
        "bundle_hash": bundle_hash,
        "method": result.method,
        "n_workers": problem.n_workers,
        "n_programs": problem.n_programs,
        "n_arcs": problem.n_arcs,
        "n_quarantined": len(built.quarantine),
        "n_beyond_candidates": built.n_beyond_candidates,
        "seats": problem.seats,
        "budget": problem.budget,
        "n_funded": int(result.funded.size),
        "n_seats_reachable": result.info.get("n_reachable"),
        "limited_by": result.info.get("limited_by"),
        "capacity_total": int(problem.capacity.sum()),
        "aid_spent": float(problem.arc_aid[result.funded].sum()),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "solver": result.info,
        "violations": result.violations(problem),
        "groups": groups.astype(object).where(groups.notna(), None).to_dict(orient="records"),
        "unfunded": unfunded_counts(problem, result),
        "wall_s": solve_s,
    }
