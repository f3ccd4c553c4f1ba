"""The allocation as a MILP (HiGHS through :func:`scipy.optimize.milp`).

Used by ``exact`` when the constraints are not a network (an aid budget, overlapping groups),
and by the tests as the independent oracle.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from skillmatch.allocate.problem import AllocationProblem, InfeasibleAllocationError, IntArray


def allocation_constraints(
    problem: AllocationProblem, n_seats: int, quotas: tuple[int, ...]
) -> list[LinearConstraint]:
    """Every hard constraint of ``problem`` as rows over the arcs."""
    n = problem.n_arcs
    cols = np.arange(n)
    ones = np.ones(n)
    per_worker = sp.csr_matrix((ones, (problem.arc_worker, cols)), shape=(problem.n_workers, n))
    per_program = sp.csr_matrix((ones, (problem.arc_program, cols)), shape=(problem.n_programs, n))
    constraints = [
        LinearConstraint(per_worker, -np.inf, 1.0),
        LinearConstraint(per_program, -np.inf, problem.capacity.astype(float)),
        LinearConstraint(ones.reshape(1, -1), n_seats, n_seats),
    ]
    if problem.groups:
        rows = problem.arc_members().T.astype(float)
        constraints.append(LinearConstraint(rows, np.asarray(quotas, dtype=float), np.inf))
    if problem.budget is not None:
        constraints.append(
            LinearConstraint(problem.arc_aid.reshape(1, -1), -np.inf, problem.budget)
        )
    return constraints


def solve_milp(problem: AllocationProblem, n_seats: int, quotas: tuple[int, ...]) -> IntArray:
    """Indices of the funded arcs of an optimal allocation.

    Raises
    ------
    InfeasibleAllocationError
        No allocation meets every constraint.
    """
    if problem.n_arcs == 0:
        return np.zeros(0, dtype=np.int64)
    result = milp(
        -problem.arc_score,
        constraints=allocation_constraints(problem, n_seats, quotas),
        integrality=np.ones(problem.n_arcs, dtype=np.int64),
        bounds=Bounds(0.0, 1.0),
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0 or result.x is None:
        shares = ", ".join(
            f"{g.name}={g.min_share:.4g} (needs {q})"
            for g, q in zip(problem.groups, quotas, strict=True)
            if q > 0
        )
        raise InfeasibleAllocationError(
            f"no allocation of {n_seats} seats meets every constraint together "
            f"(shares: {shares or 'none'}; budget={problem.budget}): {result.message}; "
            "lower a share, raise the budget or cap the seats with --seats"
        )
    return np.flatnonzero(result.x > 0.5).astype(np.int64)
