"""Both solvers against the independent MILP oracle on small random instances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillmatch.allocate import (
    AllocationProblem,
    GroupShare,
    InfeasibleAllocationError,
    solve_exact,
    solve_fast,
)
from tests.allocate.oracle import check_feasible, oracle

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw: st.DrawFn, *, budget: bool = True, overlap: bool = True) -> AllocationProblem:
    """Up to 14 workers, 4 programs; tied scores, zero capacities, shares, seats, budget."""
    n_workers = draw(st.integers(1, 14))
    n_programs = draw(st.integers(1, 4))
    tied = draw(st.booleans())
    score = st.sampled_from([0.25, 0.5, 1.0]) if tied else st.floats(0.0, 1.0)
    arcs = []
    for w in range(n_workers):
        chosen = draw(st.lists(st.integers(0, n_programs - 1), max_size=3, unique=True))
        arcs += [(w, p, draw(score), rank) for rank, p in enumerate(chosen, start=1)]
    n_groups = draw(st.integers(0, 2 if overlap else 1))
    members = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=n_groups, max_size=n_groups),
                min_size=n_workers,
                max_size=n_workers,
            )
        ),
        dtype=bool,
    )
    names = ["migrant", "region:CN-GD"]
    groups = tuple(
        GroupShare(names[g], draw(st.sampled_from([0.0, 0.3, 0.5, 2 / 3, 1.0])))
        for g in range(n_groups)
    )
    table = np.array(arcs, dtype=float).reshape(-1, 4)
    return AllocationProblem(
        worker_ids=[f"w{i:02d}" for i in range(n_workers)],
        program_ids=[f"p{i}" for i in range(n_programs)],
        capacity=np.array(
            draw(st.lists(st.integers(0, 4), min_size=n_programs, max_size=n_programs))
        ),
        arc_worker=table[:, 0].astype(np.int64),
        arc_program=table[:, 1].astype(np.int64),
        arc_score=table[:, 2],
        arc_rank=table[:, 3].astype(np.int64),
        arc_aid=np.array([draw(st.sampled_from([0.0, 400.0, 1000.0])) for _ in arcs]),
        groups=groups,
        members=members.reshape(n_workers, n_groups),
        seats=draw(st.none() | st.integers(0, 10)),
        budget=draw(st.none() | st.sampled_from([0.0, 1500.0, 4000.0])) if budget else None,
    )


@SETTINGS
@given(problems())
def test_exact_matches_the_milp_oracle(problem: AllocationProblem) -> None:
    n_seats, best = oracle(problem)
    if best is None:
        with pytest.raises(
            InfeasibleAllocationError, match="min-share|cannot all be met|no allocation"
        ):
            solve_exact(problem)
        return
    result = solve_exact(problem)
    assert result.n_seats == n_seats
    check_feasible(problem, result.funded, n_seats)
    assert result.objective == pytest.approx(best, abs=1e-9)


@SETTINGS
@given(problems())
def test_fast_is_feasible_and_within_its_certified_gap(problem: AllocationProblem) -> None:
    n_seats, best = oracle(problem)
    if best is None:
        with pytest.raises(InfeasibleAllocationError):
            solve_fast(problem)
        return
    result = solve_fast(problem)
    check_feasible(problem, result.funded, n_seats)
    assert result.objective <= best + 1e-9
    assert best <= result.bound + 1e-9, "the dual bound must bound the optimum"
    assert result.objective >= result.bound - result.gap * max(abs(result.bound), 1e-12) - 1e-9


@settings(max_examples=25, deadline=None)
@given(problems(budget=False, overlap=False))
def test_network_instances_use_the_min_cost_flow(problem: AllocationProblem) -> None:
    try:
        result = solve_exact(problem)
    except InfeasibleAllocationError:
        return
    assert result.info["solver"] == "ortools_min_cost_flow"


def test_same_inputs_give_the_same_allocation_with_ties() -> None:
    n = 40
    problem = AllocationProblem(
        worker_ids=[f"w{i:02d}" for i in range(n)],
        program_ids=["a", "b"],
        capacity=np.array([5, 5]),
        arc_worker=np.repeat(np.arange(n), 2),
        arc_program=np.tile([0, 1], n),
        arc_score=np.full(2 * n, 0.5),
        arc_rank=np.tile([1, 2], n),
        arc_aid=np.zeros(2 * n),
        groups=(GroupShare("migrant", 0.5),),
        members=(np.arange(n) % 3 == 0).reshape(-1, 1),
    )
    for solve in (solve_exact, solve_fast):
        first = solve(problem).funded
        assert all(np.array_equal(first, solve(problem).funded) for _ in range(3))
