"""The fast method's price search (smoothed dual), its exact polish and the class max flow."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillmatch.allocate import (
    AllocationProblem,
    ArcBlock,
    GroupShare,
    Prices,
    _smooth,
    arc_block,
    best_response,
    solve_exact,
    solve_fast,
)
from skillmatch.allocate._flow import _solve_max_flow, bipartite_arcs, list_classes, max_seats
from skillmatch.allocate._polish import polish
from skillmatch.allocate._repair import repair
from skillmatch.allocate._smooth import _dual_of, sample_start, smooth_prices, working_set
from skillmatch.allocate._target import _greedy_seats, seat_target
from skillmatch.allocate.dual import reduced_values
from tests.allocate.oracle import check_feasible

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _population(
    n_workers: int = 3000, n_programs: int = 40, k: int = 6, seed: int = 0, popular: float = 1.5
) -> AllocationProblem:
    """Lists concentrated on popular programs (like lists scored by a real model), a 2/3
    migrant share and seats for about 40 % of the workers."""
    rng = np.random.default_rng(seed)
    weight = rng.pareto(popular, n_programs) + 0.05
    keys = rng.gumbel(size=(n_workers, n_programs)) + np.log(weight / weight.sum())
    lists = np.argsort(-keys, axis=1)[:, :k]
    scores = np.sort(rng.gamma(4.0, 0.15, (n_workers, k)), axis=1)[:, ::-1]
    capacity = np.maximum(
        1, rng.multinomial(int(0.4 * n_workers), np.ones(n_programs) / n_programs)
    )
    return AllocationProblem(
        worker_ids=np.array([f"w{i:06d}" for i in range(n_workers)]),
        program_ids=[f"p{i}" for i in range(n_programs)],
        capacity=capacity.astype(np.int64),
        arc_worker=np.repeat(np.arange(n_workers), k).astype(np.int32),
        arc_program=lists.reshape(-1).astype(np.int32),
        arc_score=scores.reshape(-1).astype(np.float32),
        arc_rank=np.tile(np.arange(1, k + 1), n_workers).astype(np.int32),
        arc_aid=np.zeros(n_workers * k, dtype=np.float32),
        groups=(GroupShare("migrant", 2 / 3),),
        members=(rng.random(n_workers) < 0.7).reshape(-1, 1),
    )


@st.composite
def blocks(draw: st.DrawFn) -> tuple[ArcBlock, Prices]:
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, 5))
    n_programs = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    score = rng.random((n, k))
    score[rng.random((n, k)) < 0.2] = -np.inf  # padding
    block = ArcBlock(
        rng.integers(0, n_programs, (n, k)).astype(np.int32),
        score,
        rng.choice([0.0, 300.0], (n, k)),
        rng.integers(0, 4, n).astype(np.int64),
    )
    prices = Prices(
        rng.random(n_programs) * 0.6,
        rng.random(2) * 0.2,
        float(rng.normal() * 0.3),
        float(rng.random() * 1e-4),
    )
    return block, prices


@SETTINGS
@given(blocks(), st.sampled_from([0.3, 0.05, 0.002]))
def test_smoothed_response_is_an_upper_bound_within_tau_log_k(
    case: tuple[ArcBlock, Prices], tau: float
) -> None:
    block, prices = case
    exact, smooth = best_response(block, prices), best_response(block, prices, tau)
    n, k = block.score.shape
    assert exact.value - 1e-9 <= smooth.value <= exact.value + n * tau * math.log(k + 1) + 1e-9
    # expected seats: between 0 and 1 per worker, and they add up over programs and groups
    assert 0.0 <= smooth.n_taking <= n + 1e-9
    assert smooth.load.sum() == pytest.approx(smooth.n_taking, abs=1e-9)
    assert np.all(smooth.group_count <= smooth.n_taking + 1e-9)


@SETTINGS
@given(blocks())
def test_smoothed_response_at_low_temperature_approaches_the_exact_one(
    case: tuple[ArcBlock, Prices],
) -> None:
    block, prices = case
    exact, smooth = best_response(block, prices), best_response(block, prices, 1e-7)
    assert smooth.value == pytest.approx(exact.value, abs=1e-4)


def test_smoothed_gradient_matches_finite_differences() -> None:
    problem = _population(n_workers=400, n_programs=8, k=4)
    problem = AllocationProblem(  # float64 scores: the smoothed step then runs in float64
        **{**problem.__dict__, "arc_score": problem.arc_score.astype(np.float64)}
    )
    target = seat_target(problem)
    dual = _dual_of(problem, target)
    block = arc_block(problem).block
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.random(8) * 0.5, [0.05], [0.2], [0.0]])
    tau = 0.05

    def f(x: np.ndarray) -> float:
        prices = dual.prices(x)
        return dual.value(best_response(block, prices, tau), prices)

    grad = dual.gradient(best_response(block, dual.prices(x), tau))
    for i in range(x.size - 1):  # the aid price is fixed without a budget
        e = np.zeros_like(x)
        e[i] = 1e-6
        numeric = (f(x + e) - f(x - e)) / 2e-6
        assert grad[i] == pytest.approx(numeric, rel=1e-4, abs=1e-4)


def test_working_set_keeps_each_workers_best_arcs() -> None:
    problem = _population(n_workers=200, n_programs=12, k=6)
    block = arc_block(problem).block
    prices = Prices(np.linspace(0, 0.5, 12), np.array([0.1]), 0.1, 0.0)
    small = working_set(block, prices, 2)
    r = reduced_values(block, prices)
    r_small = reduced_values(small, prices)
    np.testing.assert_allclose(np.sort(r_small, axis=1), np.sort(r, axis=1)[:, -2:], rtol=1e-6)
    # the hard response only looks at each worker's best arc: the same on the working set
    assert best_response(small, prices).value == pytest.approx(best_response(block, prices).value)


@pytest.mark.parametrize("seed", [0, 1])
def test_sample_level_and_working_set_reach_a_certified_small_gap(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The population-scale path (stride sample, working set, polish) on a small population:
    the thresholds are lowered so that 20,000 workers take it."""
    monkeypatch.setattr(_smooth, "SAMPLE_SIZE", 5000)
    monkeypatch.setattr(_smooth, "SAMPLE_FROM", 10_000)
    monkeypatch.setattr(_smooth, "WORKING_FROM", 10_000)
    problem = _population(n_workers=20_000, seed=seed)
    exact = solve_exact(problem)
    result = solve_fast(problem)
    check_feasible(problem, result.funded, exact.n_seats)
    assert result.bound >= exact.objective - 1e-6 >= result.objective - 1e-6
    assert result.gap <= 1e-3
    assert result.info["iterations"] == 0  # the smoothed search alone closed the gap
    assert result.info["repair"].startswith("polish")


def test_smooth_prices_bound_is_the_exact_dual_at_its_prices() -> None:
    problem = _population(n_workers=2000)
    target = seat_target(problem)
    block = arc_block(problem).block
    found = smooth_prices(problem, target, block)
    dual = _dual_of(problem, target)
    assert found.bound == pytest.approx(
        dual.value(best_response(block, found.prices), found.prices)
    )
    assert found.bound >= solve_exact(problem).objective - 1e-6


def test_polish_with_every_worker_close_is_the_exact_optimum() -> None:
    problem = _population(n_workers=1500, seed=4)
    target = seat_target(problem)
    dense = arc_block(problem)
    prices = smooth_prices(problem, target, dense.block).prices
    r = reduced_values(dense.block, prices)
    choice = polish(problem, dense.block, dense.starts, target, r, margin=np.inf)
    assert choice is not None
    state = repair(
        dense.block,
        r,
        problem.capacity,
        np.inf,
        [(problem.members_matrix()[:, 0], target.quotas[0]), (np.ones(1500, bool), target.n_seats)],
        choice,
    )
    assert state.n_augmented == 0  # the exact sub-problem already holds every seat
    workers = np.flatnonzero(state.choice >= 0)
    funded = dense.starts[workers] + state.choice[workers]
    check_feasible(problem, funded, target.n_seats)
    exact = solve_exact(problem)
    total = float(problem.arc_score[funded].sum(dtype=np.float64))
    assert total == pytest.approx(exact.objective, abs=1e-4)


@st.composite
def repeated_lists(draw: st.DrawFn) -> tuple[AllocationProblem, np.ndarray]:
    """Workers drawn from a few distinct candidate sets (in any order), random capacities."""
    n_programs = draw(st.integers(2, 7))
    k = draw(st.integers(1, min(3, n_programs)))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    sets = [rng.choice(n_programs, k, replace=False) for _ in range(draw(st.integers(1, 5)))]
    n_workers = draw(st.integers(1, 40))
    lists = np.array([rng.permutation(sets[rng.integers(len(sets))]) for _ in range(n_workers)])
    problem = AllocationProblem(
        worker_ids=[f"w{i}" for i in range(n_workers)],
        program_ids=[f"p{i}" for i in range(n_programs)],
        capacity=rng.integers(0, 6, n_programs),
        arc_worker=np.repeat(np.arange(n_workers), k),
        arc_program=lists.reshape(-1),
        arc_score=rng.random(n_workers * k),
        arc_rank=np.tile(np.arange(1, k + 1), n_workers),
        arc_aid=np.zeros(n_workers * k),
    )
    return problem, rng.random(n_workers) < 0.5


@SETTINGS
@given(repeated_lists())
def test_class_max_flow_equals_the_max_flow_over_single_workers(
    case: tuple[AllocationProblem, np.ndarray],
) -> None:
    problem, some = case
    for workers in (None, some):
        plain = _solve_max_flow(*bipartite_arcs(problem, workers))
        assert max_seats(problem, workers) == plain
    classes = list_classes(problem, np.ones(problem.n_workers, dtype=bool))
    assert classes is not None
    counts, programs = classes
    assert counts.sum() == problem.n_workers
    assert len({tuple(row) for row in programs.tolist()}) == len(programs)  # distinct sets


def test_uneven_lists_fall_back_to_one_node_per_worker() -> None:
    problem = AllocationProblem(
        worker_ids=["a", "b", "c"],
        program_ids=["p1", "p2"],
        capacity=np.array([1, 1]),
        arc_worker=np.array([0, 0, 1, 2]),
        arc_program=np.array([0, 1, 0, 0]),
        arc_score=np.array([0.9, 0.8, 0.7, 0.95]),
        arc_rank=np.array([1, 2, 1, 1]),
        arc_aid=np.zeros(4),
    )
    assert list_classes(problem, np.ones(3, dtype=bool)) is None
    assert max_seats(problem) == 2


def test_sample_start_given_or_computed_gives_the_same_prices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """solve_fast computes the sample level beside the seat target and hands it over: the
    prices must be those of computing it inside ``smooth_prices``."""
    monkeypatch.setattr(_smooth, "SAMPLE_SIZE", 2000)
    monkeypatch.setattr(_smooth, "SAMPLE_FROM", 4000)
    problem = _population(n_workers=6000, seed=3)
    target = seat_target(problem)
    block = arc_block(problem).block
    start = sample_start(problem, block)
    assert start is not None and start.evaluations > 0
    given_start = smooth_prices(problem, target, block, start=start)
    computed = smooth_prices(problem, target, block)
    np.testing.assert_array_equal(given_start.prices.program, computed.prices.program)
    assert given_start.bound == computed.bound
    assert given_start.evaluations == computed.evaluations
    none = smooth_prices(problem, target, block, start=None)  # from zero prices
    assert none.evaluations < computed.evaluations


def _greedy_reference(problem: AllocationProblem, keep: np.ndarray) -> int:
    """The greedy rounds written plainly: each unmatched kept worker proposes to their first
    listed program with room; each program accepts in worker order up to its room."""
    room = problem.capacity.astype(np.int64).copy()
    lists: dict[int, list[int]] = {}
    for w, p in zip(problem.arc_worker.tolist(), problem.arc_program.tolist(), strict=True):
        lists.setdefault(w, []).append(p)
    matched = {w for w in range(problem.n_workers) if not keep[w]}
    while True:
        proposals = {}
        for w in range(problem.n_workers):
            if w not in matched:
                first = next((p for p in lists.get(w, []) if room[p] > 0), None)
                if first is not None:
                    proposals[w] = first
        if not proposals:
            return len(matched) - int(np.count_nonzero(~keep))
        for w, p in proposals.items():  # worker order
            if room[p] > 0:
                room[p] -= 1
                matched.add(w)


@SETTINGS
@given(st.integers(0, 2**31), st.floats(0.2, 1.0))
def test_greedy_seats_with_live_arcs_matches_the_plain_rounds(seed: int, share: float) -> None:
    problem = _population(n_workers=300, n_programs=12, k=4, seed=seed)
    keep = np.random.default_rng(seed).random(problem.n_workers) < share
    assert _greedy_seats(problem, keep) == _greedy_reference(problem, keep)
    assert _greedy_seats(problem, keep) <= max_seats(problem, keep)
