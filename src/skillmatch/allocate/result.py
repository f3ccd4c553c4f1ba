"""The result of an allocation: which arcs are funded, the objective, its bound and the gap.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate.problem import AllocationProblem
>>> problem = AllocationProblem(
...     worker_ids=["a", "b"], program_ids=["p1"], capacity=np.array([1]),
...     arc_worker=np.array([0, 1]), arc_program=np.array([0, 0]),
...     arc_score=np.array([0.9, 0.5]), arc_rank=np.array([1, 2]),
...     arc_aid=np.array([0.0, 0.0]))
>>> result = Allocation.from_arcs(problem, np.array([0]), method="exact", n_seats=1,
...                               quotas=(), bound=0.9)
>>> result.objective, result.gap
(0.9, 0.0)
>>> unfunded_reasons(problem, result).tolist()
['', 'capacity']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate.problem import AllocationProblem, IntArray

__all__ = ["UNFUNDED_REASONS", "Allocation", "unfunded_reasons"]

#: Why a worker is left unfunded, in the order they are checked.
UNFUNDED_REASONS: tuple[str, ...] = ("no_candidate", "capacity", "budget", "seats")


@dataclass(frozen=True)
class Allocation:
    """Funded arcs of an :class:`AllocationProblem` and how good they are.

    Attributes
    ----------
    method : str
        ``"exact"`` or ``"fast"``.
    funded : ndarray of shape (n_funded,)
        Indices of the funded arcs, ascending (so by worker).
    objective : float
        Total fit of the funded arcs.
    bound : float
        An upper bound on the best total fit (the objective itself for ``exact``).
    gap : float
        ``(bound - objective) / max(|bound|, 1e-12)``: the certified relative optimality gap.
    n_seats : int
        Seats funded (the seat target).
    quotas : tuple of int
        Seats each group needed.
    info : dict
        Solver details (iterations, integer resolution, repair, ...).
    """

    method: str
    funded: IntArray
    objective: float
    bound: float
    gap: float
    n_seats: int
    quotas: tuple[int, ...]
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_arcs(
        cls,
        problem: AllocationProblem,
        funded: NDArray[np.int64],
        *,
        method: str,
        n_seats: int,
        quotas: tuple[int, ...],
        bound: float,
        info: dict[str, Any] | None = None,
    ) -> Allocation:
        """Build the result from the funded arc indices; the objective is recomputed."""
        funded = np.sort(np.asarray(funded, dtype=np.int64))
        objective = float(np.sum(problem.arc_score[funded], dtype=np.float64))
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(bound), 1e-12)
        return cls(method, funded, objective, bound, gap, n_seats, quotas, dict(info or {}))

    def program_of(self, problem: AllocationProblem) -> IntArray:
        """Funded program of each worker, -1 for the unfunded; shape (n_workers,)."""
        out = np.full(problem.n_workers, -1, dtype=np.int64)
        out[problem.arc_worker[self.funded]] = problem.arc_program[self.funded]
        return out

    def violations(self, problem: AllocationProblem) -> list[str]:
        """Every hard constraint the allocation breaks (empty when it is feasible)."""
        bad: list[str] = []
        workers = problem.arc_worker[self.funded]
        ordered = np.sort(workers)
        if np.any(ordered[1:] == ordered[:-1]):
            bad.append("a worker holds more than one funded seat")
        load = np.bincount(problem.arc_program[self.funded], minlength=problem.n_programs)
        for p in np.flatnonzero(load > problem.capacity):
            bad.append(
                f"program {problem.program_ids[p]!r} over capacity: {load[p]} > "
                f"{problem.capacity[p]}"
            )
        if self.funded.size != self.n_seats:
            bad.append(f"{self.funded.size} seats funded, target {self.n_seats}")
        if problem.seats is not None and self.funded.size > problem.seats:
            bad.append(f"{self.funded.size} seats funded > seats={problem.seats}")
        spent = float(problem.arc_aid[self.funded].sum())
        if problem.budget is not None and spent > problem.budget + 1e-6:
            bad.append(f"aid {spent:.2f} > budget {problem.budget:.2f}")
        counts = problem.members_matrix()[workers].sum(axis=0)
        for group, quota, count in zip(problem.groups, self.quotas, counts, strict=True):
            if count < quota:
                bad.append(f"group {group.name!r} got {count} seats < quota {quota}")
        return bad


def unfunded_reasons(problem: AllocationProblem, result: Allocation) -> NDArray[np.str_]:
    """Why each worker is unfunded (``""`` for the funded); shape (n_workers,).

    ``no_candidate``: no eligible program in the worker's list; ``capacity``: every program
    in the list is full; ``budget``: a program had room but the aid budget is spent;
    ``seats``: a program had room but the seat cap (or a share another group needed) is
    reached.
    """
    reasons = np.full(problem.n_workers, "no_candidate", dtype=object)
    reasons[problem.arc_worker[result.funded]] = ""
    load = np.bincount(problem.arc_program[result.funded], minlength=problem.n_programs)
    room = (load < problem.capacity)[problem.arc_program]
    has_arc = np.bincount(problem.arc_worker, minlength=problem.n_workers) > 0
    has_room = np.bincount(problem.arc_worker, weights=room, minlength=problem.n_workers) > 0
    spent = float(problem.arc_aid[result.funded].sum())
    left = (problem.budget - spent) if problem.budget is not None else np.inf
    affordable = room & (problem.arc_aid <= left + 1e-9)
    can_afford = (
        np.bincount(problem.arc_worker, weights=affordable, minlength=problem.n_workers) > 0
    )
    unfunded = reasons != ""
    reasons[unfunded & has_arc] = "capacity"
    reasons[unfunded & has_room] = "budget"
    reasons[unfunded & can_afford] = "seats"
    return np.asarray(reasons.astype(str))
