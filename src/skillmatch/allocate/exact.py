"""Exact allocation: OR-Tools min-cost flow, with group supply nodes for the shares.

The graph is source -> [group node] -> worker -> program -> sink. A group with quota ``q``
gets a node with supply ``q`` that only its members hang from, and the source supplies the
other ``n_seats - sum(q)`` seats and may also route them through the group nodes, so every
integer flow meets the quotas and the integer optimum is exact. Groups must then be disjoint
(``migrant``, or several regions); overlapping groups or an aid budget are not a network
and are solved exactly as a MILP with HiGHS (:func:`scipy.optimize.milp`) instead, which is
for thousands of workers rather than millions.

Integer costs: the fit of an arc becomes ``-round(score * scale)``, with
``scale = 2**b / max|score|`` and ``b`` as large as int64 allows (OR-Tools multiplies costs by
``n_nodes + 1``, and the total sums ``n_seats`` costs; ``b <= 52``, and ``b`` drops by 8 if
OR-Tools still reports a bad cost range). Each arc's fit is then rounded by at most
``0.5 / scale``, so the objective is optimal up to ``info["resolution"] = n_seats / scale``
(total, absolute): about 3e-6 for 3 M workers and 1.8 M seats with fit in [0, 1] (``b = 39``).

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate.problem import AllocationProblem, GroupShare
>>> problem = AllocationProblem(
...     worker_ids=["a", "b", "c"], program_ids=["p1", "p2"], capacity=np.array([1, 1]),
...     arc_worker=np.array([0, 0, 1, 2]), arc_program=np.array([0, 1, 0, 0]),
...     arc_score=np.array([0.9, 0.8, 0.7, 0.95]), arc_rank=np.array([1, 2, 1, 1]),
...     arc_aid=np.zeros(4), groups=(GroupShare("migrant", 0.5),),
...     members=np.array([[False], [True], [False]]))
>>> result = solve_exact(problem)
>>> result.program_of(problem).tolist(), round(result.objective, 6)
([1, 0, -1], 1.5)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from skillmatch.allocate._flow import SINK, SOURCE, bipartite_arcs, min_cost_flow
from skillmatch.allocate._milp import solve_milp
from skillmatch.allocate._target import SeatTarget, seat_target
from skillmatch.allocate.problem import AllocationProblem, InfeasibleAllocationError, IntArray
from skillmatch.allocate.result import Allocation

__all__ = ["is_network", "solve_exact"]


def is_network(problem: AllocationProblem, quotas: tuple[int, ...]) -> bool:
    """Whether min-cost flow solves ``problem`` exactly: no budget, disjoint quota groups."""
    active = [g for g, q in enumerate(quotas) if q > 0]
    overlap = problem.members_matrix()[:, active].sum(axis=1).max(initial=0) > 1
    return problem.budget is None and not overlap


def solve_exact(problem: AllocationProblem) -> Allocation:
    """The allocation of maximum total fit under every hard constraint.

    Raises
    ------
    InfeasibleAllocationError
        The shares cannot all be met; the message names the binding group(s).
    """
    problem.check()
    target = seat_target(problem)
    if not is_network(problem, target.quotas):
        funded = solve_milp(problem, target.n_seats, target.quotas)
        return Allocation.from_arcs(
            problem,
            funded,
            method="exact",
            n_seats=target.n_seats,
            quotas=target.quotas,
            bound=float(problem.arc_score[funded].sum(dtype=np.float64)),
            info=_info(target, "milp", 0.0),
        )
    # OR-Tools scales costs by (n_nodes + 1) and the total sums n_seats costs: both in int64
    n_nodes = problem.n_workers + problem.n_programs + len(problem.groups) + 2
    bits = 61 - math.ceil(math.log2(max(n_nodes, target.n_seats) + 1))
    for attempt in range(6):
        result = _solve_flow(problem, target, bits - 8 * attempt)
        if result is not None:
            return result
    raise RuntimeError("min-cost flow found no cost scale it accepts")  # pragma: no cover


def _info(target: SeatTarget, solver: str, resolution: float) -> dict[str, Any]:
    return {
        "solver": solver,
        "resolution": resolution,
        "n_reachable": target.n_reachable,
        "limited_by": target.limited_by,
    }


def _solve_flow(problem: AllocationProblem, target: SeatTarget, bits: int) -> Allocation | None:
    """One min-cost flow at ``scale = 2**bits / max|score|``; None if the costs overflow."""
    # below 1e-250 a fit is 0 for the flow (and 2**52 / top stays finite)
    top = max(float(np.max(np.abs(problem.arc_score), initial=0.0)), 1e-250)
    scale = 2.0 ** min(bits, 52) / top
    tails, heads, caps, supplies = _graph(problem, target)
    costs = np.zeros(tails.size, dtype=np.int64)
    first = problem.n_workers  # the worker -> program arcs follow the entry arcs
    fit = problem.arc_score.astype(np.float64)  # float32 scores: scale them in float64
    fit *= scale
    costs[first : first + problem.n_arcs] = np.negative(np.round(fit, out=fit), out=fit)
    del fit
    arcs = [tails, heads, caps, costs]
    del tails, heads, caps, costs  # min_cost_flow frees them once they are in the solver
    status, funded, _ = min_cost_flow(arcs, supplies, range(first, first + problem.n_arcs))
    if status == "bad_cost_range":
        return None
    if status != "optimal":
        raise InfeasibleAllocationError(_joint_message(problem, target))
    resolution = target.n_seats / scale
    return Allocation.from_arcs(
        problem,
        funded,
        method="exact",
        n_seats=target.n_seats,
        quotas=target.quotas,
        bound=float(problem.arc_score[funded].sum(dtype=np.float64)),
        info=_info(target, "ortools_min_cost_flow", resolution),
    )


def _graph(
    problem: AllocationProblem, target: SeatTarget
) -> tuple[IntArray, IntArray, IntArray, dict[int, int]]:
    """Arcs and node supplies.

    Arc layout: one entry arc per worker (from the source, or from its group's node), then
    the worker -> program arcs, the program -> sink arcs and the source -> group arcs.
    """
    n_extra = sum(1 for quota in target.quotas if quota > 0)
    tails, heads, caps = bipartite_arcs(problem, n_extra=n_extra)
    node = 2 + problem.n_workers + problem.n_programs
    members = problem.members_matrix()
    supplies = {SOURCE: target.n_seats - sum(target.quotas), SINK: -target.n_seats}
    slot = tails.size - n_extra
    for g, quota in enumerate(target.quotas):
        if quota > 0:
            supplies[node] = quota
            tails[: problem.n_workers][members[:, g]] = node  # members hang from it
            tails[slot], heads[slot], caps[slot] = SOURCE, node, target.n_seats
            node, slot = node + 1, slot + 1
    return tails, heads, caps, supplies


def _joint_message(problem: AllocationProblem, target: SeatTarget) -> str:
    shares = ", ".join(
        f"{g.name}={g.min_share:.4g} (needs {q})"
        for g, q in zip(problem.groups, target.quotas, strict=True)
        if q > 0
    )
    return (
        f"the minimum shares {shares} cannot all be met together on {target.n_seats} funded "
        "seats: each is reachable alone, but their candidate programs compete for the same "
        "seats; lower one of the shares or cap the seats with --seats"
    )
