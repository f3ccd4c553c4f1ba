"""An independent oracle: the allocation as two MILPs (HiGHS), and a constraint checker.

Written from the problem statement, not from the package's solvers: first the most seats the
capacities, seat cap and budget allow, then the most total fit with exactly that many seats
and every group's quota.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from skillmatch.allocate import AllocationProblem


def _rows(problem: AllocationProblem) -> list[LinearConstraint]:
    n = problem.n_arcs
    cols = np.arange(n)
    rows = [
        LinearConstraint(
            sp.csr_matrix((np.ones(n), (problem.arc_worker, cols)), shape=(problem.n_workers, n)),
            0,
            1,
        ),
        LinearConstraint(
            sp.csr_matrix((np.ones(n), (problem.arc_program, cols)), shape=(problem.n_programs, n)),
            0,
            problem.capacity.astype(float),
        ),
    ]
    if problem.seats is not None:
        rows.append(LinearConstraint(np.ones((1, n)), 0, problem.seats))
    if problem.budget is not None:
        rows.append(LinearConstraint(problem.arc_aid.reshape(1, -1), 0, problem.budget))
    return rows


def oracle(problem: AllocationProblem) -> tuple[int, float | None]:
    """(seats to fund, best total fit), the fit None when the quotas are infeasible."""
    n = problem.n_arcs
    if n == 0:
        return 0, 0.0  # nothing to fund: every quota is 0
    kw = {"integrality": np.ones(n), "bounds": Bounds(0, 1)}
    most = milp(-np.ones(n), constraints=_rows(problem), **kw)
    n_seats = int(round(-most.fun))
    rows = _rows(problem) + [LinearConstraint(np.ones((1, n)), n_seats, n_seats)]
    members = np.asarray(problem.members, dtype=bool).reshape(problem.n_workers, -1)[
        problem.arc_worker
    ]
    for g, group in enumerate(problem.groups):
        quota = math.ceil(group.min_share * n_seats - 1e-9)
        rows.append(LinearConstraint(members[:, g].astype(float).reshape(1, -1), quota, np.inf))
    best = milp(-problem.arc_score, constraints=rows, options={"mip_rel_gap": 0.0}, **kw)
    return n_seats, (None if best.status != 0 else float(-best.fun))


def check_feasible(problem: AllocationProblem, funded: np.ndarray, n_seats: int) -> None:
    """Assert every hard constraint on the funded arc indices."""
    workers = problem.arc_worker[funded]
    assert np.unique(workers).size == workers.size, "a worker funded twice"
    load = np.bincount(problem.arc_program[funded], minlength=problem.n_programs)
    assert np.all(load <= problem.capacity), "a program over capacity"
    assert funded.size == n_seats, f"{funded.size} seats funded, expected {n_seats}"
    if problem.seats is not None:
        assert funded.size <= problem.seats
    if problem.budget is not None:
        assert problem.arc_aid[funded].sum() <= problem.budget + 1e-6, "over budget"
    members = np.asarray(problem.members, dtype=bool).reshape(problem.n_workers, -1)
    for g, group in enumerate(problem.groups):
        quota = math.ceil(group.min_share * n_seats - 1e-9)
        assert members[workers, g].sum() >= quota, f"group {group.name} below its quota"
