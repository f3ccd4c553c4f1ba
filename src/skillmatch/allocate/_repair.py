"""Turn dual prices into a feasible allocation: rounds of proposals ordered by reduced value.

Each round every unfunded worker proposes to their best candidate (by reduced value) among
the programs with room and the aid left; each program accepts its best proposals up to its
room, and the round accepts at most the seats still needed. The groups with a quota are
served first, one phase each, then everyone until the seat target is met.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate.dual import ArcBlock


@dataclass
class RepairState:
    """Mutable state of a repair: room per program, aid left, choice per worker."""

    room: NDArray[np.int64]
    aid_left: float
    choice: NDArray[np.int64]  # column of the funded arc, -1 = unfunded

    @property
    def n_funded(self) -> int:
        return int(np.count_nonzero(self.choice >= 0))


def repair(
    block: ArcBlock,
    r: NDArray[np.float64],
    capacity: NDArray[np.int64],
    budget: float,
    phases: list[tuple[NDArray[np.bool_], int]],
) -> RepairState:
    """Run the proposal phases; ``phases`` holds (allowed workers, seats wanted in total)."""
    state = RepairState(capacity.astype(np.int64).copy(), budget, np.full(r.shape[0], -1))
    for allowed, wanted in phases:
        already = int(np.count_nonzero(allowed & (state.choice >= 0)))
        _phase(block, r, state, allowed, wanted - already)
    return state


def _phase(
    block: ArcBlock,
    r: NDArray[np.float64],
    state: RepairState,
    allowed: NDArray[np.bool_],
    need: int,
) -> None:
    alive = np.flatnonzero(allowed & (state.choice < 0))
    while need > 0 and alive.size:
        programs = block.program[alive]
        ok = np.isfinite(block.score[alive]) & (state.room[programs] > 0)
        ok &= block.aid[alive] <= state.aid_left + 1e-9
        cand = np.where(ok, r[alive], -np.inf)
        best = np.argmax(cand, axis=1)
        rows = np.arange(alive.size)
        value = cand[rows, best]
        live = value > -np.inf
        alive, best, value = alive[live], best[live], value[live]
        if not alive.size:
            return
        order = np.lexsort((alive, -value))  # best value first, ties by worker
        workers, cols = alive[order], best[order]
        prog = block.program[workers, cols]
        by_prog = np.argsort(prog, kind="stable")
        sorted_prog = prog[by_prog]
        first = np.searchsorted(sorted_prog, sorted_prog, side="left")
        within = np.empty(prog.size, dtype=np.int64)
        within[by_prog] = np.arange(prog.size) - first
        accept = np.flatnonzero(within < state.room[prog])[:need]
        spend = np.cumsum(block.aid[workers[accept], cols[accept]])
        accept = accept[spend <= state.aid_left + 1e-9]
        if not accept.size:
            return
        state.choice[workers[accept]] = cols[accept]
        np.subtract.at(state.room, prog[accept], 1)
        state.aid_left -= float(block.aid[workers[accept], cols[accept]].sum())
        need -= accept.size
        alive = alive[state.choice[alive] < 0]
