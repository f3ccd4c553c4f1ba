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
    problem: AllocationProblem, workers: BoolArray | None = None, *, n_extra: int = 0
) -> tuple[IntArray, IntArray, IntArray]:
    """Tails, heads and capacities of source -> worker -> program -> sink.

    Layout: one entry arc per kept worker, the worker -> program arcs, one program -> sink
    arc per program, then ``n_extra`` zeroed slots for the caller. ``workers`` (optional
    mask) keeps only the arcs of those workers. The arrays are filled in place, so building
    the graph of 30 M arcs makes no copy beyond its three int64 columns.
    """
    n_w, n_p = problem.n_workers, problem.n_programs
    keep = None if workers is None else workers[problem.arc_worker]
    w_nodes = worker_node(problem) if workers is None else worker_node(problem)[workers]
    n_arcs = problem.n_arcs if keep is None else int(np.count_nonzero(keep))
    size = w_nodes.size + n_arcs + n_p + n_extra
    tails, heads = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
    caps = np.zeros(size, dtype=np.int64)
    a, b = w_nodes.size, w_nodes.size + n_arcs
    tails[:a], heads[:a] = SOURCE, w_nodes
    arc_w = problem.arc_worker if keep is None else problem.arc_worker[keep]
    np.add(arc_w, 2, out=tails[a:b], casting="unsafe")
    arc_p = problem.arc_program if keep is None else problem.arc_program[keep]
    np.add(arc_p, 2 + n_w, out=heads[a:b], casting="unsafe")
    caps[:b] = 1
    tails[b : b + n_p], heads[b : b + n_p] = program_node(problem), SINK
    caps[b : b + n_p] = problem.capacity
    return tails, heads, caps


def max_seats(problem: AllocationProblem, workers: BoolArray | None = None) -> int:
    """Most funded seats the capacities allow (for ``workers`` only, when given).

    Workers with the same set of candidate programs are interchangeable for a max flow, so
    each set becomes one node with as many units as it has workers (:func:`list_classes`):
    on lists scored by the shipped bundle, 3 M workers hold 0.9 M distinct sets, and the
    graph shrinks by as much.
    """
    keep = np.ones(problem.n_workers, dtype=bool) if workers is None else workers
    classes = list_classes(problem, keep)
    if classes is None:  # lists of uneven length: one node per worker
        return _solve_max_flow(*bipartite_arcs(problem, workers))
    counts, programs = classes
    n_c, k = programs.shape
    real = programs >= 0
    n_arcs = int(np.count_nonzero(real))
    size = n_c + n_arcs + problem.n_programs
    tails, heads = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    caps = np.empty(size, dtype=np.int64)
    class_node = np.arange(n_c, dtype=np.int64) + 2
    tails[:n_c], heads[:n_c], caps[:n_c] = SOURCE, class_node, counts
    b = n_c + n_arcs
    rows, cols = np.nonzero(real)
    tails[n_c:b] = class_node[rows]
    heads[n_c:b] = programs[rows, cols].astype(np.int64) + 2 + n_c
    caps[n_c:b] = counts[rows]
    del rows, cols
    tails[b:] = np.arange(problem.n_programs, dtype=np.int64) + 2 + n_c
    heads[b:], caps[b:] = SINK, problem.capacity
    return _solve_max_flow(tails, heads, caps)


def list_classes(
    problem: AllocationProblem, keep: BoolArray
) -> tuple[IntArray, NDArray[np.int32]] | None:
    """The distinct candidate sets of the ``keep`` workers with an arc: (number of workers
    holding each set, the set's programs in ascending order, one row per set); None when
    the workers' lists differ in length (the grid would need padding)."""
    bounds = problem.worker_starts()
    lengths = np.diff(bounds)
    k = int(lengths.max(initial=0))
    if k == 0 or np.any(lengths != k):
        return None
    grid = np.asarray(problem.arc_program).reshape(problem.n_workers, k)[keep]
    if grid.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, k), dtype=np.int32)
    grid = np.sort(grid, axis=1).astype(np.int32)
    # a 64-bit hash of each sorted row finds the classes, and every row is then compared
    # with its class's first row: a collision falls back to comparing whole rows
    weights = np.random.default_rng(0).integers(1, 2**63, k, dtype=np.uint64) | np.uint64(1)
    key = np.zeros(grid.shape[0], dtype=np.uint64)
    for c in range(k):
        key *= np.uint64(1_000_003)
        key += grid[:, c].astype(np.uint64) * weights[c]
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    if not np.array_equal(grid, grid[first][inverse]):  # pragma: no cover - a hash collision
        rows = np.ascontiguousarray(grid).view(np.dtype((np.void, 4 * k))).ravel()
        _, first, counts = np.unique(rows, return_index=True, return_counts=True)
    return counts.astype(np.int64), grid[first].astype(np.int32)


def _solve_max_flow(tails: IntArray, heads: IntArray, caps: IntArray) -> int:
    """The max flow from SOURCE to SINK (SciPy's Dinic on a CSR matrix: parallel arcs add
    up, and on the class graph it is about twice as fast as OR-Tools' push-relabel)."""
    if tails.size == 0:
        return 0
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    n_nodes = int(max(tails.max(), heads.max())) + 1
    graph = csr_array(
        # a capacity beyond int32 is never binding (fewer workers than that)
        (np.minimum(caps, np.iinfo(np.int32).max).astype(np.int32), (tails, heads)),
        shape=(n_nodes, n_nodes),
    )
    del tails, heads, caps
    return int(maximum_flow(graph, SOURCE, SINK, method="dinic").flow_value)


def min_cost_flow(
    arcs: list[IntArray], supplies: dict[int, int], wanted: range
) -> tuple[str, IntArray, int]:
    """Solve a min-cost flow; returns (status name, arcs of ``wanted`` with flow, total cost).

    ``arcs`` is ``[tails, heads, caps, costs]``. The solver keeps its own copy, so the list
    is emptied once the arcs are in: with no other reference left, their memory is free
    before the solve starts. The arcs with flow are numbered from ``wanted.start``.
    """
    graph = ortools_graph()
    solver = graph.min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(*arcs)
    arcs.clear()
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
        return name, np.zeros(0, dtype=np.int64), 0
    used = []
    for a in range(wanted.start, wanted.stop, 1 << 22):  # in slices: flows of 30 M arcs
        ids = np.arange(a, min(a + (1 << 22), wanted.stop), dtype=np.int64)
        used.append(ids[np.asarray(solver.flows(ids)) > 0] - wanted.start)
    funded = np.concatenate(used) if used else np.zeros(0, dtype=np.int64)
    return name, funded, int(solver.optimal_cost())


def min_aid(problem: AllocationProblem, n_seats: int) -> float:
    """Least aid (CNY, rounded to the fen) that funds ``n_seats`` seats, ignoring shares."""
    tails, heads, caps = bipartite_arcs(problem)
    n_workers = problem.n_workers
    costs = np.zeros(tails.size, dtype=np.int64)
    aid = np.round(problem.arc_aid.astype(np.float64) * 100)
    costs[n_workers : n_workers + problem.n_arcs] = aid
    del aid
    supplies = {SOURCE: n_seats, SINK: -n_seats}
    status, _, cost = min_cost_flow([tails, heads, caps, costs], supplies, range(0))
    return cost / 100.0 if status == "optimal" else float("inf")
