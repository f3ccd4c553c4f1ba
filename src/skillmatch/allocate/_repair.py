"""Turn dual prices into a feasible allocation: greedy proposals, then augmenting paths.

Each phase serves a set of allowed workers up to a number of seats: the groups with a quota
first, one phase each, then everyone until the seat target is met. A phase first runs rounds
of proposals ordered by reduced value: every unfunded worker proposes to their best candidate
among the programs with room and the aid left, each program accepts its best proposals up to
its room, and the round accepts at most the seats still needed.

Proposals give a *maximal* matching, not always a *maximum* one: when capacity is tight, a
worker whose programs are all full may still get a seat if funded workers move along to
other programs of their lists. The phase then augments (see :mod:`skillmatch.allocate._paths`):
each round labels every program with its distance to a program with room, then funds
unfunded workers along shortest chains of moves, preferring the moves that give up the least
reduced value. Augmenting never unfunds anyone, so a phase reaches the most seats its workers
can hold next to those already funded.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate._paths import RepairState, augment
from skillmatch.allocate.dual import CHUNK, ArcBlock

__all__ = ["RepairState", "repair"]


def repair(
    block: ArcBlock,
    r: NDArray[np.float32],
    capacity: NDArray[np.int64],
    budget: float,
    phases: list[tuple[NDArray[np.bool_], int]],
    choice: NDArray[np.int32] | None = None,
) -> RepairState:
    """Run the phases; ``phases`` holds (allowed workers, seats wanted among them in total).

    ``choice`` (column of each worker's funded arc, -1: none) starts from a partial
    allocation that fits the capacities (no budget) instead of from nobody funded.
    """
    n_workers = r.shape[0]
    state = RepairState(
        capacity.astype(np.int64).copy(), budget, np.full(n_workers, -1, dtype=np.int32)
    )
    if choice is not None:
        state.choice[:] = choice
        held = np.flatnonzero(choice >= 0)
        programs = block.program[held, choice[held]]
        state.room -= np.bincount(programs, minlength=state.room.size)
    for allowed, wanted in phases:
        need = wanted - int(np.count_nonzero(allowed & (state.choice >= 0)))
        need -= _propose(block, r, state, allowed, need)
        if need > 0:
            state.n_augmented += augment(block, r, state, allowed, need)
    return state


def _best_open(
    block: ArcBlock, r: NDArray[np.float32], state: RepairState, alive: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Each ``alive`` worker's best column among programs with room and aid left, and its
    reduced value (-inf: none); by slices of workers, so the temporaries stay small."""
    best = np.empty(alive.size, dtype=np.int64)
    value = np.empty(alive.size, dtype=np.float32)
    open_program = state.room > 0
    for start in range(0, alive.size, CHUNK):
        rows = alive[start : start + CHUNK]
        ok = open_program[block.program[rows]]
        ok &= np.isfinite(block.score[rows])
        if block.aid is not None and np.isfinite(state.aid_left):
            ok &= block.aid[rows] <= state.aid_left + 1e-9
        cand = np.where(ok, r[rows], np.float32(-np.inf))
        best[start : start + rows.size] = np.argmax(cand, axis=1)
        value[start : start + rows.size] = cand[
            np.arange(rows.size), best[start : start + rows.size]
        ]
    return best, value


def _propose(
    block: ArcBlock,
    r: NDArray[np.float32],
    state: RepairState,
    allowed: NDArray[np.bool_],
    need: int,
) -> int:
    """Rounds of proposals until ``need`` seats are funded or no proposal is left; the seats
    funded."""
    alive = np.flatnonzero(allowed & (state.choice < 0))
    funded = 0
    while need - funded > 0 and alive.size:
        best, value = _best_open(block, r, state, alive)
        live = value > -np.inf
        alive, best, value = alive[live], best[live], value[live]
        if not alive.size:
            break
        order = np.argsort(-value, kind="stable")  # best value first, ties by worker
        workers, cols = alive[order], best[order]
        prog = block.program[workers, cols].astype(np.int64)
        by_prog = np.argsort(prog, kind="stable")
        sorted_prog = prog[by_prog]
        first = np.searchsorted(sorted_prog, sorted_prog, side="left")
        within = np.empty(prog.size, dtype=np.int64)
        within[by_prog] = np.arange(prog.size) - first
        accept = np.flatnonzero(within < state.room[prog])[: need - funded]
        spent = _aid_of(block, workers[accept], cols[accept])
        accept = accept[np.cumsum(spent) <= state.aid_left + 1e-9]
        if not accept.size:
            break
        state.choice[workers[accept]] = cols[accept]
        state.room -= np.bincount(prog[accept], minlength=state.room.size)
        state.aid_left -= float(_aid_of(block, workers[accept], cols[accept]).sum())
        funded += int(accept.size)
        alive = alive[state.choice[alive] < 0]
    return funded


def _aid_of(
    block: ArcBlock, workers: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.float64]:
    if block.aid is None:
        return np.zeros(workers.size)
    return block.aid[workers, cols].astype(np.float64)
