"""The candidate arcs of an :class:`AllocationProblem` as a padded (workers x k) block.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate.problem import AllocationProblem
>>> problem = AllocationProblem(
...     worker_ids=["a", "b"], program_ids=["p1", "p2"], capacity=np.array([1, 1]),
...     arc_worker=np.array([0, 0, 1]), arc_program=np.array([0, 1, 0]),
...     arc_score=np.array([0.9, 0.8, 0.7]), arc_rank=np.array([1, 2, 1]), arc_aid=np.zeros(3))
>>> arcs = arc_block(problem)
>>> arcs.block.program.tolist(), arcs.block.score.tolist(), arcs.starts.tolist()
([[0, 1], [0, 0]], [[0.9, 0.8], [0.7, -inf]], [0, 2])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate.dual import ArcBlock
from skillmatch.allocate.problem import AllocationProblem

__all__ = ["DenseArcs", "arc_block"]


class DenseArcs(NamedTuple):
    """The arcs as a padded (n_workers, k) :class:`ArcBlock`; column ``c`` of row ``w`` is arc
    ``starts[w] + c``."""

    block: ArcBlock
    starts: NDArray[np.int64]


def arc_block(problem: AllocationProblem) -> DenseArcs:
    """The arcs as an :class:`ArcBlock` (int32 programs; scores and aid float32 when stored
    as float32, else float64) and each worker's first arc.

    When every worker has the same number of arcs and the arc columns already have the
    block's dtypes, the block is a view of them (no copy). ``aid`` is None without a budget.
    """
    n, n_arcs = problem.n_workers, problem.n_arcs
    bounds = problem.worker_starts()
    k = max(int(np.diff(bounds).max(initial=0)), 1)
    starts = bounds[:-1]
    members = problem.members_matrix().astype(np.int64)
    bits = (members << np.arange(members.shape[1], dtype=np.int64)).sum(axis=1).astype(np.int64)
    uniform = n_arcs == n * k  # every worker has k arcs: the grid is a reshape
    program = _grid(problem, starts, k, uniform, problem.arc_program, np.int32, 0)
    # float32 only when stored so: rounding float64 scores would loosen the dual bound
    score = _grid(
        problem, starts, k, uniform, problem.arc_score, _float(problem.arc_score), -np.inf
    )
    aid = (
        _grid(problem, starts, k, uniform, problem.arc_aid, _float(problem.arc_aid), 0.0)
        if problem.budget is not None
        else None
    )
    return DenseArcs(ArcBlock(program, score, aid, bits), starts)


def _float(values: NDArray[Any]) -> type[np.float32] | type[np.float64]:
    return np.float32 if values.dtype == np.float32 else np.float64


def _grid(
    problem: AllocationProblem,
    starts: NDArray[np.int64],
    k: int,
    uniform: bool,
    values: NDArray[Any],
    dtype: type[np.generic],
    fill: float,
) -> NDArray[Any]:
    """An arc column as a (n_workers, k) grid: a view when ``uniform`` and of ``dtype``,
    else scattered by slices of arcs into a grid filled with ``fill``."""
    n = problem.n_workers
    if uniform:
        return np.asarray(values, dtype=dtype).reshape(n, k)
    out = np.full(n * k, fill, dtype=dtype)
    step = 1 << 22
    for a in range(0, problem.n_arcs, step):
        w = problem.arc_worker[a : a + step].astype(np.int64)
        out[w * k + (np.arange(a, a + w.size) - starts[w])] = values[a : a + step]
    return out.reshape(n, k)
