"""The fast method's repair funds, along augmenting paths, the seats greedy proposals miss.

The instances are built from *chains*: programs ``P0 .. PL`` with one seat each, worker ``i``
lists ``Pi`` (high fit) then ``P(i+1)`` (low fit), and one more worker lists only ``P0``. Greedy
proposals give ``Pi`` to worker ``i`` and leave the last worker without a seat, while every
worker can be funded by moving each worker ``i`` to ``P(i+1)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillmatch.allocate import (
    AllocationProblem,
    GroupShare,
    InfeasibleAllocationError,
    Prices,
    arc_block,
    solve_fast,
)
from skillmatch.allocate._repair import repair
from skillmatch.allocate.dual import reduced_values
from tests.allocate.oracle import check_feasible, oracle

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _chains(lengths: list[int], high: list[float], low: list[float]) -> list[tuple[int, ...]]:
    """Arcs ``(worker, program, score x 1000, rank)`` of one chain per entry of ``lengths``."""
    arcs: list[tuple[int, ...]] = []
    worker = program = 0
    for length in lengths:
        for i in range(length):
            hi, lo = high[(worker + i) % len(high)], low[(worker + i) % len(low)]
            arcs += [(worker + i, program + i, hi, 1), (worker + i, program + i + 1, lo, 2)]
        arcs.append((worker + length, program, low[worker % len(low)], 1))  # the late worker
        worker, program = worker + length + 1, program + length + 1
    return arcs


@st.composite
def chained(draw: st.DrawFn) -> AllocationProblem:
    """Chains of length 1-4, plus random workers and arcs over the same programs."""
    lengths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    high = draw(st.lists(st.floats(0.6, 1.0), min_size=1, max_size=5))
    low = draw(st.lists(st.floats(0.0, 0.4), min_size=1, max_size=5))
    arcs = _chains(lengths, high, low)
    n_chain_workers = 1 + max(a[0] for a in arcs)
    n_programs = 1 + max(a[1] for a in arcs)
    capacity = [1] * n_programs
    for extra in range(draw(st.integers(0, 4))):  # random workers that compete for seats
        chosen = draw(st.lists(st.integers(0, n_programs - 1), max_size=3, unique=True))
        arcs += [
            (n_chain_workers + extra, p, draw(st.floats(0.0, 1.0)), rank)
            for rank, p in enumerate(chosen, start=1)
        ]
    n_workers = 1 + max(a[0] for a in arcs)
    table = np.array(sorted(arcs), dtype=float).reshape(-1, 4)
    members = np.array(draw(st.lists(st.booleans(), min_size=n_workers, max_size=n_workers)))
    share = draw(st.sampled_from([0.0, 0.3, 0.5]))
    return AllocationProblem(
        worker_ids=[f"w{i:02d}" for i in range(n_workers)],
        program_ids=[f"p{i}" for i in range(n_programs)],
        capacity=np.array(capacity),
        arc_worker=table[:, 0].astype(np.int32),
        arc_program=table[:, 1].astype(np.int32),
        arc_score=table[:, 2].astype(np.float32),
        arc_rank=table[:, 3].astype(np.int32),
        arc_aid=np.zeros(len(table), dtype=np.float32),
        groups=(GroupShare("migrant", share),),
        members=members.reshape(n_workers, 1),
        seats=draw(st.none() | st.integers(0, n_workers)),
    )


def _repair_at_zero_prices(problem: AllocationProblem, n_seats: int) -> tuple[int, int]:
    """(seats funded, seats won by augmenting) by the repair at zero prices."""
    dense = arc_block(problem)
    prices = Prices(np.zeros(problem.n_programs), np.zeros(1), 0.0, 0.0)
    r = reduced_values(dense.block, prices)
    everyone = np.ones(problem.n_workers, dtype=bool)
    state = repair(dense.block, r, problem.capacity, np.inf, [(everyone, n_seats)])
    return state.n_funded, state.n_augmented


@pytest.mark.parametrize("length", [1, 2, 5, 40])
def test_repair_moves_funded_workers_to_fill_a_chain(length: int) -> None:
    arcs = np.array(_chains([length], [0.9], [0.1]), dtype=float)
    problem = AllocationProblem(
        worker_ids=[f"w{i:02d}" for i in range(length + 1)],
        program_ids=[f"p{i}" for i in range(length + 1)],
        capacity=np.ones(length + 1, dtype=np.int64),
        arc_worker=arcs[:, 0].astype(np.int64),
        arc_program=arcs[:, 1].astype(np.int64),
        arc_score=arcs[:, 2],
        arc_rank=arcs[:, 3].astype(np.int64),
        arc_aid=np.zeros(len(arcs)),
    )
    funded, augmented = _repair_at_zero_prices(problem, length + 1)
    assert (funded, augmented) == (length + 1, 1)  # greedy alone funds `length` of them
    result = solve_fast(problem, max_iter=1)
    check_feasible(problem, result.funded, length + 1)
    assert result.info["repair"] != "exact_fallback"


@SETTINGS
@given(chained())
def test_fast_fills_chains_within_its_gap_without_the_exact_solver(
    problem: AllocationProblem,
) -> None:
    n_seats, best = oracle(problem)
    if best is None:
        with pytest.raises(InfeasibleAllocationError):
            solve_fast(problem)
        return
    for max_iter in (1, 200):  # near the zero prices, where greedy misses seats, and after
        result = solve_fast(problem, max_iter=max_iter)
        check_feasible(problem, result.funded, n_seats)
        assert result.info["repair"] != "exact_fallback"
        assert result.objective <= best + 1e-9
        assert best <= result.bound + 1e-9, "the dual bound must bound the optimum"
        assert result.objective >= result.bound * (1 - result.gap) - 1e-9


@SETTINGS
@given(chained())
def test_repair_alone_reaches_the_most_seats(problem: AllocationProblem) -> None:
    n_seats, _ = oracle(problem)
    funded, _ = _repair_at_zero_prices(problem, n_seats)
    assert funded == n_seats


def test_dense_block_is_a_view_of_compact_uniform_arcs() -> None:
    n, k = 50, 3
    rng = np.random.default_rng(0)
    problem = AllocationProblem(
        worker_ids=np.array([f"w{i:03d}" for i in range(n)]),
        program_ids=["a", "b", "c", "d"],
        capacity=np.array([10, 10, 10, 10]),
        arc_worker=np.repeat(np.arange(n, dtype=np.int32), k),
        arc_program=np.tile(np.array([0, 1, 2], dtype=np.int32), n),
        arc_score=rng.random(n * k).astype(np.float32),
        arc_rank=np.tile(np.arange(1, k + 1, dtype=np.int32), n),
        arc_aid=np.zeros(n * k, dtype=np.float32),
    ).check()
    dense = arc_block(problem)
    assert np.shares_memory(dense.block.score, problem.arc_score)
    assert np.shares_memory(dense.block.program, problem.arc_program)
    assert dense.block.aid is None  # no budget: aid is not tracked
    assert dense.starts.tolist() == list(range(0, n * k, k))


def test_dense_block_keeps_float64_scores_exact() -> None:
    """Rounding float64 scores to float32 would loosen the certified bound."""
    score = np.array([0.1 + 1e-12, 0.2, 0.3 - 1e-12])
    problem = AllocationProblem(
        worker_ids=["a", "b"],
        program_ids=["p", "q"],
        capacity=np.array([1, 1]),
        arc_worker=np.array([0, 0, 1]),
        arc_program=np.array([0, 1, 0]),
        arc_score=score,
        arc_rank=np.array([1, 2, 1]),
        arc_aid=np.zeros(3),
    )
    block = arc_block(problem).block
    assert block.score.dtype == np.float64
    assert block.score[np.isfinite(block.score)].tolist() == score.tolist()
