"""The fast method's step runs on Spark (mapInPandas, local[2]) with the same result."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from skillmatch.allocate import (
    AllocationProblem,
    GroupShare,
    Prices,
    arc_block,
    best_response,
    solve_exact,
    solve_fast,
)
from skillmatch.allocate.spark import spark_step, spark_workers, step_on
from tests.allocate.oracle import check_feasible

# the same filters as the batch engine contract suite (tests/batch/test_engine_contract.py)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def _problem(
    n_workers: int = 300, n_programs: int = 12, k: int = 4, seed: int = 0
) -> AllocationProblem:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, k + 1, n_workers)
    programs = np.concatenate([rng.choice(n_programs, c, replace=False) for c in counts])
    n_arcs = programs.size
    return AllocationProblem(
        worker_ids=[f"w{i:04d}" for i in range(n_workers)],
        program_ids=[f"p{i}" for i in range(n_programs)],
        capacity=rng.integers(5, 25, n_programs),
        arc_worker=np.repeat(np.arange(n_workers), counts),
        arc_program=programs.astype(np.int64),
        arc_score=rng.random(n_arcs),
        arc_rank=np.concatenate([np.arange(1, c + 1) for c in counts]).astype(np.int64),
        arc_aid=rng.choice([0.0, 500.0], n_arcs),
        groups=(GroupShare("migrant", 0.6), GroupShare("region:CN-GD", 0.2)),
        members=rng.random((n_workers, 2)) < [0.55, 0.25],
        budget=40_000.0,
    )


def test_spark_step_equals_the_in_memory_step(spark: Any) -> None:
    problem = _problem()
    block, _ = arc_block(problem)
    workers = spark_workers(spark, block, n_partitions=3)
    step = step_on(workers, problem.n_programs, len(problem.groups), block.score.shape[1])
    rng = np.random.default_rng(1)
    for _ in range(1):
        prices = Prices(
            rng.random(problem.n_programs) * 0.5,
            rng.random(2) * 0.2,
            float(rng.normal() * 0.1),
            1e-4,
        )
        local, remote = best_response(block, prices), step(prices)
        assert np.array_equal(local.load, remote.load)
        assert np.array_equal(local.group_count, remote.group_count)
        assert local.n_taking == remote.n_taking
        assert remote.value == pytest.approx(local.value, rel=1e-12)
        assert remote.aid == pytest.approx(local.aid, rel=1e-12)


def test_fast_on_spark_is_feasible_and_bounds_the_optimum(spark: Any) -> None:
    problem = _problem(seed=2)
    exact = solve_exact(problem)
    step = spark_step(spark, problem, n_partitions=2)
    result = solve_fast(problem, step=step, max_iter=5)
    local = solve_fast(problem, max_iter=5)
    check_feasible(problem, result.funded, exact.n_seats)
    assert result.bound >= exact.objective - 1e-9 >= result.objective - 1e-9
    assert result.bound == pytest.approx(local.bound, rel=1e-6)
