"""Flow graphs over an :class:`AllocationProblem`: node layout, max flow, min aid, min cost.

Nodes: 0 is the source, 1 the sink, then one node per worker, one per program and one per
group. Worker ``w`` is node ``2 + w``, program ``p`` is ``2 + n_workers + p``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate.problem import AllocationProblem, BoolArray, IntArray
from skillmatch.errors import MissingDependencyError

SOURCE, SINK = 0, 1


def worker_node(problem: AllocationProblem) -> IntArray:
    """Node of each worker."""
    return np.arange(problem.n_workers, dtype=np.int64) + 2


def program_node(problem: AllocationProblem) -> IntArray:
    """Node of each program."""
    return np.arange(problem.n_programs, dtype=np.int64) + 2 + problem.n_workers


def ortools_graph() -> Any:
    """The ``ortools.graph.python`` package, or a clear install message."""
    try:
        from ortools.graph.python import max_flow, min_cost_flow
    except ImportError as exc:  # pragma: no cover - ortools is a core dependency
        raise MissingDependencyError(
            'the exact allocation needs OR-Tools: pip install "ortools>=9.10"'
        ) from exc
    return SimpleNamespace(max_flow=max_flow, min_cost_flow=min_cost_flow)


def bipartite_arcs(
    problem: AllocationProblem, workers: BoolArray | None = None
) -> tuple[IntArray, IntArray, IntArray]:
    """Tails, heads and capacities of source -> worker -> program -> sink.

    ``workers`` (optional mask) keeps only the arcs of those workers.
    """
    keep = np.ones(problem.n_workers, dtype=bool) if workers is None else workers
    w_nodes = worker_node(problem)[keep]
    arc_keep = keep[problem.arc_worker]
    p_nodes = program_node(problem)
    arc_tails = worker_node(problem)[problem.arc_worker[arc_keep]]
    tails = np.concatenate([np.full(w_nodes.size, SOURCE), arc_tails, p_nodes])
    heads = np.concatenate(
        [w_nodes, p_nodes[problem.arc_program[arc_keep]], np.full(p_nodes.size, SINK)]
    )
    caps = np.concatenate(
        [np.ones(w_nodes.size + int(arc_keep.sum()), dtype=np.int64), problem.capacity]
    )
    return tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64)


def max_seats(problem: AllocationProblem, workers: BoolArray | None = None) -> int:
    """Most funded seats the capacities allow (for ``workers`` only, when given)."""
    graph = ortools_graph()
    flow = graph.max_flow.SimpleMaxFlow()
    tails, heads, caps = bipartite_arcs(problem, workers)
    if tails.size == 0:
        return 0
    flow.add_arcs_with_capacity(tails, heads, caps)
    status = flow.solve(SOURCE, SINK)
    if status != flow.OPTIMAL:  # pragma: no cover - a max flow with finite capacities
        raise RuntimeError(f"max flow failed with status {status}")
    return int(flow.optimal_flow())


def min_cost_flow(
    tails: IntArray,
    heads: IntArray,
    caps: IntArray,
    costs: NDArray[np.int64],
    supplies: dict[int, int],
) -> tuple[str, NDArray[np.int64], int]:
    """Solve a min-cost flow; returns (status name, flow per arc, total cost)."""
    graph = ortools_graph()
    solver = graph.min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    nodes = np.fromiter(supplies, dtype=np.int64)
    solver.set_nodes_supplies(nodes, np.fromiter(supplies.values(), dtype=np.int64))
    status = solver.solve()
    names = {
        solver.OPTIMAL: "optimal",
        solver.INFEASIBLE: "infeasible",
        solver.BAD_COST_RANGE: "bad_cost_range",
        solver.UNBALANCED: "unbalanced",
    }
    name = names.get(status, f"status {status}")
    if name != "optimal":
        return name, np.zeros(tails.size, dtype=np.int64), 0
    flows = solver.flows(np.arange(tails.size, dtype=np.int64))
    return name, np.asarray(flows, dtype=np.int64), int(solver.optimal_cost())


def min_aid(problem: AllocationProblem, n_seats: int) -> float:
    """Least aid (CNY, rounded to the fen) that funds ``n_seats`` seats, ignoring shares."""
    tails, heads, caps = bipartite_arcs(problem)
    n_workers = problem.n_workers
    costs = np.zeros(tails.size, dtype=np.int64)
    costs[n_workers : n_workers + problem.n_arcs] = np.round(problem.arc_aid * 100).astype(np.int64)
    status, _, cost = min_cost_flow(tails, heads, caps, costs, {SOURCE: n_seats, SINK: -n_seats})
    return cost / 100.0 if status == "optimal" else float("inf")
