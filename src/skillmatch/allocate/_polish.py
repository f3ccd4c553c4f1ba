"""A primal from near-optimal prices: fix the clear choices, solve the close calls exactly.

At optimal prices every worker takes their option of largest reduced value (an arc, or
staying out): complementary slackness. Prices from the smoothed dual are close to optimal,
so a worker whose best option beats their second by more than ``margin`` keeps it; only the
workers near indifference (a few percent of a population) are left. Their arcs within
``window`` of their best go to the exact solver (:func:`~skillmatch.allocate.exact.solve_exact`)
with the capacity, seats and quotas that the fixed workers leave. The greedy repair decides
the same close calls one by one, by reduced value; the exact solver weighs them together.

When the fixed choices already overfill a program, or leave the close calls unable to reach
the seat target or a quota, :func:`polish` returns None and the repair's allocation stands.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate._target import seat_target
>>> from skillmatch.allocate.dual import Prices, reduced_values
>>> from skillmatch.allocate._arcs import arc_block
>>> from skillmatch.allocate.problem import AllocationProblem
>>> problem = AllocationProblem(
...     worker_ids=["a", "b", "c"], program_ids=["p1", "p2"], capacity=np.array([1, 1]),
...     arc_worker=np.array([0, 0, 1, 2]), arc_program=np.array([0, 1, 0, 0]),
...     arc_score=np.array([0.9, 0.8, 0.7, 0.95]), arc_rank=np.array([1, 2, 1, 1]),
...     arc_aid=np.zeros(4))
>>> prices = Prices(np.array([0.2, 0.0]), np.zeros(0), 0.0, 0.0)
>>> dense = arc_block(problem)
>>> r = reduced_values(dense.block, prices)
>>> polish(problem, dense.block, dense.starts, seat_target(problem), r, 0.05).tolist()
[1, -1, 0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate._target import SeatTarget
from skillmatch.allocate.dual import CHUNK, ArcBlock
from skillmatch.allocate.exact import solve_exact
from skillmatch.allocate.problem import AllocationProblem, GroupShare, InfeasibleAllocationError

__all__ = ["polish"]

#: Close calls solved exactly at most (workers); beyond that the repair's allocation stands.
MAX_CLOSE = 600_000


def polish(
    problem: AllocationProblem,
    block: ArcBlock,
    starts: NDArray[np.int64],
    target: SeatTarget,
    r: NDArray[np.float32],
    margin: float,
    window: float | None = None,
) -> NDArray[np.int32] | None:
    """The column of each worker's funded arc (-1: none), or None (see the module
    docstring). ``r`` holds the reduced values of ``block`` at the prices.

    The seats may fall short of the target (the fixed choices can block a few augmenting
    paths): :func:`~skillmatch.allocate._repair.repair` completes them from this start.
    Only for problems the min-cost flow solves exactly: no budget, disjoint groups.
    """
    window = 3 * margin if window is None else window
    n = r.shape[0]
    best = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.float32)
    second = np.empty(n, dtype=np.float32)
    for start in range(0, n, CHUNK):
        rows = slice(start, start + CHUNK)
        part = r[rows]
        b = np.argmax(part, axis=1)
        top = part[np.arange(b.size), b]
        rest = part.copy()
        rest[np.arange(b.size), b] = -np.inf
        runner = np.maximum(rest.max(axis=1), np.float32(0.0))
        out = top <= 0  # staying out is best: the runner-up is the best arc
        best[rows] = np.where(out, -1, b)
        first[rows] = np.where(out, np.float32(0.0), top)
        second[rows] = np.where(out, top, runner)
    close = first - second <= margin
    # the workers a program cannot all take are close calls too (prices not quite optimal)
    taking = ~close & (best >= 0)
    program = np.full(n, -1, dtype=np.int64)
    program[taking] = block.program[np.flatnonzero(taking), best[taking]]
    load = np.bincount(program[taking], minlength=problem.n_programs)
    over = load > problem.capacity
    close |= taking & over[np.maximum(program, 0)]
    fixed = np.flatnonzero(~close & (best >= 0))
    fixed_arc = starts[fixed] + best[fixed]
    room = problem.capacity - np.bincount(
        problem.arc_program[fixed_arc], minlength=problem.n_programs
    )
    workers = np.flatnonzero(close)
    if workers.size > MAX_CLOSE:
        return None
    seats = target.n_seats - fixed.size
    if seats < 0:
        return None
    # the close calls' arcs within `window` of their best option
    keep = r[workers] >= (first[workers] - window)[:, None]
    keep &= np.isfinite(block.score[workers])
    w_rows, w_cols = np.nonzero(keep)
    arcs = starts[workers][w_rows] + w_cols
    members = problem.members_matrix()
    quotas = [
        max(0, quota - int(np.count_nonzero(members[fixed, g])))
        for g, quota in enumerate(target.quotas)
    ]
    sub = AllocationProblem(
        worker_ids=np.asarray(problem.worker_ids)[workers],
        program_ids=problem.program_ids,
        capacity=room,
        arc_worker=w_rows.astype(np.int64),
        arc_program=problem.arc_program[arcs],
        arc_score=problem.arc_score[arcs],
        arc_rank=problem.arc_rank[arcs],
        arc_aid=problem.arc_aid[arcs],
        seats=seats,
        groups=tuple(
            GroupShare(g.name, _share(q, seats))
            for g, q in zip(problem.groups, quotas, strict=True)
        ),
        members=members[workers],
    )
    try:
        result = solve_exact(sub)
    except InfeasibleAllocationError:
        return None  # the fixed choices leave a quota out of reach
    choice = np.full(n, -1, dtype=np.int32)
    choice[fixed] = best[fixed]
    choice[workers[w_rows[result.funded]]] = w_cols[result.funded]
    return choice


def _share(quota: int, seats: int) -> float:
    """A share whose quota of ``seats`` is exactly ``quota`` (ceil(share * seats))."""
    if quota <= 0 or seats <= 0:
        return 0.0
    return min(1.0, (quota - 0.5) / seats)
