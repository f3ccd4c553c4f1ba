"""Unfunded reasons, the summary tables and the public names of the layer."""

from __future__ import annotations

import numpy as np

import skillmatch.allocate as allocate_layer
from skillmatch.allocate import AllocationProblem, GroupShare, solve_exact, unfunded_reasons
from skillmatch.allocate.summary import chain_fill, group_table, program_fill


def _problem(**kw: object) -> AllocationProblem:
    base: dict[str, object] = {
        "worker_ids": ["a", "b", "c", "d"],
        "program_ids": ["cheap", "dear"],
        "capacity": np.array([1, 5]),
        "arc_worker": np.array([0, 1, 2, 2]),
        "arc_program": np.array([0, 0, 0, 1]),
        "arc_score": np.array([0.9, 0.8, 0.7, 0.6]),
        "arc_rank": np.array([1, 1, 1, 2]),
        "arc_aid": np.array([0.0, 0.0, 0.0, 900.0]),
    }
    return AllocationProblem(**{**base, **kw})  # type: ignore[arg-type]


def test_unfunded_reasons_name_no_candidate_capacity_budget_and_seats() -> None:
    budget = _problem(budget=500.0)
    result = solve_exact(budget)
    assert unfunded_reasons(budget, result).tolist() == ["", "capacity", "budget", "no_candidate"]
    seats = _problem(seats=1)
    result = solve_exact(seats)
    assert unfunded_reasons(seats, result).tolist() == ["", "capacity", "seats", "no_candidate"]


def test_group_table_and_fill_tables_add_up() -> None:
    problem = _problem(
        groups=(GroupShare("migrant", 0.5),), members=np.array([[False], [True], [True], [True]])
    )
    result = solve_exact(problem)
    table = group_table(problem, result).set_index("group")
    assert table.loc["migrant", "funded"] + table.loc["not migrant", "funded"] == result.n_seats
    fill = program_fill(problem, result, {"cheap": ["nev"], "dear": ["nev", "ic"]})
    assert fill["funded"].sum() == result.n_seats
    chains = chain_fill(fill).set_index("chain")
    assert chains.loc["nev", "capacity"] == 6 and chains.loc["ic", "capacity"] == 5


def test_public_names_are_sorted_and_importable() -> None:
    names = allocate_layer.__all__
    assert sorted(names, key=lambda n: (not n.isupper(), n)) == names
    assert all(hasattr(allocate_layer, n) for n in names)
