"""Augmenting paths for the repair: fund more workers by moving funded ones along their lists.

The residual graph of a capacitated matching has few program nodes (about 300) and many
workers, so each round works on programs. :func:`_label` gives every program its distance to
a program with room: a program is at level ``L + 1`` when a worker funded there lists a
program at level ``L`` (the worker can move there and free a seat). Those workers are the
program's *relays*, ordered by the reduced value a move gives up. :func:`_walk` then funds
unfunded workers (best reduced value first) whose list reaches a labelled program, each along
a chain of relays down to a program with room, using each relay at most once. A program whose
relays are used up, or whose room is gone, is dead for the rest of the round.

A round funds at least one worker whenever an augmenting path exists (the first walk of the
round meets fresh relays and room), so the rounds stop at the most seats the allowed workers
can hold without unfunding anyone. A path that would overspend the aid budget is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from skillmatch.allocate.dual import CHUNK, ArcBlock

__all__ = ["RepairState", "augment"]

#: Relays found at one level: (worker, column, program held, reduced value given up).
_Part = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]


@dataclass
class RepairState:
    """Mutable state of a repair: room per program, aid left, choice per worker."""

    room: NDArray[np.int64]
    aid_left: float
    choice: NDArray[np.int32]  # column of the funded arc, -1 = unfunded
    n_augmented: int = 0  # seats won by augmenting paths

    @property
    def n_funded(self) -> int:
        return int(np.count_nonzero(self.choice >= 0))


@dataclass(frozen=True)
class _Relays:
    """Workers who can move down one level, grouped by the program they hold.

    The relays of program ``p`` are rows ``start[p]:end[p]``, least reduced value given up
    first; ``target`` is the program each moves to, through column ``col`` of its list.
    """

    level: NDArray[np.int64]
    worker: NDArray[np.int64]
    col: NDArray[np.int64]
    at: NDArray[np.int64]
    target: NDArray[np.int64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]


def augment(
    block: ArcBlock,
    r: NDArray[np.float32],
    state: RepairState,
    allowed: NDArray[np.bool_],
    need: int,
) -> int:
    """Fund up to ``need`` more ``allowed`` workers along augmenting paths; the seats won."""
    won = 0
    while won < need:
        relays = _label(block, r, state)
        if relays is None:
            break
        workers, cols = _starts(block, r, state, allowed, relays.level)
        got = _walk(block, state, relays, workers, cols, need - won)
        if got == 0:
            break
        won += got
    return won


def _label(block: ArcBlock, r: NDArray[np.float32], state: RepairState) -> _Relays | None:
    """Levels of the programs and their relays; None when no program has room."""
    n_programs = state.room.size
    level = np.full(n_programs, -1, dtype=np.int64)
    level[state.room > 0] = 0
    if not np.any(level == 0):
        return None
    funded = np.flatnonzero(state.choice >= 0)
    cur_col = state.choice[funded].astype(np.int64)
    cur_prog = block.program[funded, cur_col].astype(np.int64)
    cur_r = r[funded, cur_col]
    frontier, depth = level == 0, 0
    parts: list[_Part] = []
    waiting = level[cur_prog] < 0
    while waiting.any():
        idx = np.flatnonzero(waiting)
        rows, cols, loss = _moves(block, r, funded[idx], cur_r[idx], frontier)
        if not rows.size:
            break
        at = cur_prog[np.searchsorted(funded, rows)]
        parts.append((rows, cols, at, loss))
        depth += 1
        frontier = np.zeros(n_programs, dtype=bool)
        frontier[at] = True
        level[frontier] = depth
        waiting &= level[cur_prog] < 0
    return _relays(block, level, parts)


def _moves(
    block: ArcBlock,
    r: NDArray[np.float32],
    workers: NDArray[np.int64],
    cur_r: NDArray[np.float32],
    frontier: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Of ``workers``, those listing a ``frontier`` program: their best such column and the
    reduced value the move gives up."""
    out_rows, out_cols, out_loss = [], [], []
    for start in range(0, workers.size, CHUNK):
        rows = workers[start : start + CHUNK]
        hit = frontier[block.program[rows]] & np.isfinite(block.score[rows])
        has = hit.any(axis=1)
        if not has.any():
            continue
        rows, hit = rows[has], hit[has]
        value = np.where(hit, r[rows], np.float32(-np.inf))
        col = np.argmax(value, axis=1)
        out_rows.append(rows)
        out_cols.append(col.astype(np.int64))
        gain = value[np.arange(rows.size), col].astype(np.float64)
        out_loss.append(cur_r[start : start + CHUNK][has].astype(np.float64) - gain)
    if not out_rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(out_rows), np.concatenate(out_cols), np.concatenate(out_loss)


def _relays(block: ArcBlock, level: NDArray[np.int64], parts: list[_Part]) -> _Relays:
    n_programs = level.size
    worker = np.concatenate([p[0] for p in parts] or [np.zeros(0, np.int64)])
    col = np.concatenate([p[1] for p in parts] or [np.zeros(0, np.int64)])
    at = np.concatenate([p[2] for p in parts] or [np.zeros(0, np.int64)])
    loss = np.concatenate([p[3] for p in parts] or [np.zeros(0)])
    order = np.lexsort((worker, loss, at))  # by program, least loss first, then worker
    worker, col, at = worker[order], col[order], at[order]
    target = block.program[worker, col].astype(np.int64)
    programs = np.arange(n_programs)
    start = np.searchsorted(at, programs, side="left")
    end = np.searchsorted(at, programs, side="right")
    return _Relays(level, worker, col, at, target, start, end)


def _starts(
    block: ArcBlock,
    r: NDArray[np.float32],
    state: RepairState,
    allowed: NDArray[np.bool_],
    level: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Unfunded allowed workers who list a labelled program: their best such column, best
    reduced value first."""
    alive = np.flatnonzero(allowed & (state.choice < 0))
    labelled = level >= 0
    workers, cols, values = [], [], []
    for start in range(0, alive.size, CHUNK):
        rows = alive[start : start + CHUNK]
        ok = labelled[block.program[rows]] & np.isfinite(block.score[rows])
        has = ok.any(axis=1)
        rows, ok = rows[has], ok[has]
        value = np.where(ok, r[rows], np.float32(-np.inf))
        col = np.argmax(value, axis=1)
        workers.append(rows)
        cols.append(col.astype(np.int64))
        values.append(value[np.arange(rows.size), col])
    if not workers:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(-np.concatenate(values), kind="stable")
    return np.concatenate(workers)[order], np.concatenate(cols)[order]


def _walk(
    block: ArcBlock,
    state: RepairState,
    relays: _Relays,
    workers: NDArray[np.int64],
    cols: NDArray[np.int64],
    need: int,
) -> int:
    """Fund ``workers`` (in order) along relay chains; the seats won this round.

    When a program dies, the workers still waiting whose first program it is are dropped at
    once (vectorised), so the loop visits only workers that can still be funded.
    """
    level, nxt = relays.level, relays.start.copy()
    dead = level < 0
    firsts = block.program[workers, cols].astype(np.int64)
    queue = np.arange(workers.size)
    won, pos = 0, 0
    while won < need and pos < queue.size:
        j = int(queue[pos])
        pos += 1
        first = int(firsts[j])
        path, n_dead = _path_from(first, relays, nxt, dead, state.room)
        if n_dead:  # drop the waiting workers whose first program just died
            rest = queue[pos:]
            queue, pos = rest[~dead[firsts[rest]]], 0
        if path is None:
            continue
        w, c = int(workers[j]), int(cols[j])
        delta = _path_aid(block, state, w, c, relays, path)
        if delta > state.aid_left + 1e-9:
            continue
        for i in path:  # each relay moves once: the program's next relay is the one after
            nxt[relays.at[i]] = i + 1
            state.choice[relays.worker[i]] = relays.col[i]
        state.room[int(relays.target[path[-1]]) if path else first] -= 1
        state.choice[w] = c
        state.aid_left -= delta
        won += 1
    return won


def _path_from(
    first: int,
    relays: _Relays,
    nxt: NDArray[np.int64],
    dead: NDArray[np.bool_],
    room: NDArray[np.int64],
) -> tuple[list[int] | None, int]:
    """A relay chain from program ``first`` (None if it is dead) and how many programs were
    found dead on the way; each retry follows a newly dead program, so this ends."""
    n_dead = 0
    while not dead[first]:
        path, stuck = _chain(first, relays.level, relays.target, nxt, relays.end, dead, room)
        if path is not None:
            return path, n_dead
        dead[stuck] = True
        n_dead += 1
    return None, n_dead


def _chain(
    first: int,
    level: NDArray[np.int64],
    target: NDArray[np.int64],
    nxt: NDArray[np.int64],
    end: NDArray[np.int64],
    dead: NDArray[np.bool_],
    room: NDArray[np.int64],
) -> tuple[list[int] | None, int]:
    """Relays from program ``first`` down to a program with room: (relay rows, -1), or
    (None, the program found dead)."""
    path: list[int] = []
    q = first
    while level[q] > 0:
        i = int(nxt[q])
        while i < end[q] and dead[target[i]]:
            i += 1
        nxt[q] = i
        if i == end[q]:
            return None, q
        path.append(i)
        q = int(target[i])
    if room[q] <= 0:
        return None, q
    return path, -1


def _path_aid(
    block: ArcBlock, state: RepairState, w: int, c: int, relays: _Relays, path: list[int]
) -> float:
    """Aid the path adds: the new worker's arc plus each relay's change of arc."""
    if block.aid is None:
        return 0.0
    delta = float(block.aid[w, c])
    for i in path:
        mover = int(relays.worker[i])
        delta += float(block.aid[mover, relays.col[i]]) - float(
            block.aid[mover, state.choice[mover]]
        )
    return delta
