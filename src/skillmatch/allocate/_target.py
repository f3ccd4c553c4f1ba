"""How many seats to fund, and the seats each group needs: checked before any solver runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate._flow import max_seats, min_aid
from skillmatch.allocate.problem import (
    AllocationProblem,
    BoolArray,
    IndexArray,
    InfeasibleAllocationError,
    IntArray,
)


@dataclass(frozen=True)
class SeatTarget:
    """The seat count every solver must fund and the quota of each group.

    ``limited_by`` says what set ``n_seats``: ``"seats"`` (the ``seats`` cap), ``"capacity"``
    (capacities and candidate lists) or ``"budget"``.
    """

    n_seats: int
    n_reachable: int
    limited_by: str
    quotas: tuple[int, ...]


def seat_target(problem: AllocationProblem) -> SeatTarget:
    """The seat target of ``problem``; raises if a group's quota cannot be reached.

    Raises
    ------
    InfeasibleAllocationError
        A group's share cannot be met; the message names the group, the seats it needs, the
        most it can reach and the largest share that can be reached.
    """
    reachable = most_seats(problem)
    n_seats, limited_by = reachable, "capacity"
    if problem.seats is not None and problem.seats < n_seats:
        n_seats, limited_by = problem.seats, "seats"
    if problem.budget is not None and n_seats > 0 and min_aid(problem, n_seats) > problem.budget:
        n_seats, limited_by = _budget_seats(problem, n_seats), "budget"
    quotas = tuple(group.quota(n_seats) for group in problem.groups)
    members = problem.members_matrix()
    for g, (group, quota) in enumerate(zip(problem.groups, quotas, strict=True)):
        if quota == 0:
            continue
        most = most_seats(problem, members[:, g], enough=quota)
        if most < quota:
            raise InfeasibleAllocationError(
                _quota_message(group.name, group.min_share, quota, most, n_seats)
            )
    return SeatTarget(n_seats, reachable, limited_by, quotas)


def most_seats(
    problem: AllocationProblem, workers: BoolArray | None = None, *, enough: int | None = None
) -> int:
    """The maximum number of seats ``workers`` (default: all) can fill, or any count of at
    least ``enough`` that they can.

    A greedy matching that reaches the simple upper bound (workers with a candidate, or the
    seats their programs hold) is maximum; only otherwise does a max flow decide. The arcs
    are read in slices, so no copy of a whole arc column is made.
    """
    keep = np.ones(problem.n_workers, dtype=bool) if workers is None else workers
    wanted = np.zeros(problem.n_programs, dtype=np.int64)
    for part in _slices(problem.arc_worker):
        mine = keep[problem.arc_worker[part]]
        wanted += np.bincount(problem.arc_program[part][mine], minlength=problem.n_programs)
    has_arc = np.diff(problem.worker_starts()) > 0
    n_with_arcs = int(np.count_nonzero(has_arc & keep))
    upper = min(n_with_arcs, int(np.minimum(problem.capacity, wanted).sum()))
    greedy = _greedy_seats(problem, keep)
    if greedy == upper or (enough is not None and greedy >= enough):
        return greedy
    return max_seats(problem, workers)


def _slices(arc_worker: IndexArray, size: int = 1 << 21) -> list[slice]:
    """Slices of about ``size`` arcs that never split a worker's arcs (sorted by worker)."""
    n = arc_worker.shape[0]
    cuts = [
        int(np.searchsorted(arc_worker, arc_worker[t], side="left")) for t in range(size, n, size)
    ]
    bounds = sorted({0, *cuts, n})
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _greedy_seats(problem: AllocationProblem, keep: BoolArray) -> int:
    """Seats filled by rounds of proposals: each unmatched worker of ``keep`` to their first
    candidate with room, each program taking proposals in worker order up to its room.

    An arc whose worker is matched or whose program is full stays dead, so after the first
    round (read in slices, no copy) only the live arcs are kept, and each round drops the arcs
    that died in it: the rounds after the first read a shrinking fraction of the arcs.
    """
    room = problem.capacity.astype(np.int64).copy()
    matched = ~keep  # workers left out count as matched: they never propose
    n_kept = int(np.count_nonzero(keep))
    arcs: tuple[NDArray[np.integer], NDArray[np.integer]] | None = None  # live arcs, in order
    while True:
        if arcs is None:
            w, p = _proposals(problem, _slices(problem.arc_worker), matched, room)
        else:
            live = ~matched[arcs[0]] & (room[arcs[1]] > 0)
            arcs = (arcs[0][live], arcs[1][live])
            w, p = _first_arcs(*arcs)
        if not w.size:
            return int(np.count_nonzero(matched)) - (problem.n_workers - n_kept)
        order = np.argsort(p, kind="stable")
        sorted_p = p[order]
        within = np.empty(p.size, dtype=np.int64)
        within[order] = np.arange(p.size) - np.searchsorted(sorted_p, sorted_p, side="left")
        accept = within < room[p]
        matched[w[accept]] = True
        room -= np.bincount(p[accept], minlength=room.size)
        if arcs is None:
            arcs = _live_arcs(problem, matched, room)


def _live_arcs(
    problem: AllocationProblem, matched: BoolArray, room: IntArray
) -> tuple[NDArray[np.integer], NDArray[np.integer]]:
    """The arcs of unmatched workers to programs with room, read slice by slice."""
    ws, ps = [], []
    open_program = room > 0
    for part in _slices(problem.arc_worker):
        arc_w, arc_p = problem.arc_worker[part], problem.arc_program[part]
        live = ~matched[arc_w] & open_program[arc_p]
        ws.append(arc_w[live])
        ps.append(arc_p[live])
    return np.concatenate(ws), np.concatenate(ps)


def _first_arcs(
    arc_w: NDArray[np.integer], arc_p: NDArray[np.integer]
) -> tuple[IntArray, IntArray]:
    """Each worker's first arc of ``arc_w`` (sorted by worker): (workers, programs)."""
    first = np.ones(arc_w.size, dtype=bool)
    np.not_equal(arc_w[1:], arc_w[:-1], out=first[1:])
    return arc_w[first].astype(np.int64), arc_p[first].astype(np.int64)


def _proposals(
    problem: AllocationProblem, slices: list[slice], matched: BoolArray, room: IntArray
) -> tuple[IntArray, IntArray]:
    """Each unmatched worker's first arc to a program with room: (workers, programs)."""
    open_program = room > 0
    ws, ps = [], []
    for part in slices:
        arc_w, arc_p = problem.arc_worker[part], problem.arc_program[part]
        live = np.flatnonzero(~matched[arc_w] & open_program[arc_p])
        if not live.size:
            continue
        w, p = _first_arcs(arc_w[live], arc_p[live])
        ws.append(w)
        ps.append(p)
    if not ws:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(ws), np.concatenate(ps)


def _budget_seats(problem: AllocationProblem, upper: int) -> int:
    """Largest seat count whose least aid fits the budget (the least aid grows with it)."""
    budget = float(problem.budget or 0.0)
    low, high = 0, upper  # min_aid(low) <= budget < min_aid(high)
    while high - low > 1:
        mid = (low + high) // 2
        if min_aid(problem, mid) <= budget:
            low = mid
        else:
            high = mid
    return low


def _quota_message(name: str, share: float, quota: int, most: int, n_seats: int) -> str:
    reachable = most / n_seats if n_seats else 0.0
    fix = int(most / share) if share > 0 else n_seats
    return (
        f"min-share {name}={share:.4g} is infeasible: it needs {quota} of the {n_seats} funded "
        f"seats, but the candidate programs of group {name!r} have room for at most {most}; "
        f"the largest reachable share is {reachable:.4f}. Lower the share to <= "
        f"{reachable:.4f}, or cap the seats with --seats <= {fix}"
    )
