"""Bad input is quarantined or refused with the field and the value; bundles must match."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skillmatch.allocate import (
    AllocationProblem,
    GroupShare,
    InfeasibleAllocationError,
    parse_min_share,
    problem_from_frames,
    solve_exact,
)
from skillmatch.allocate.io import read_score_parts
from skillmatch.errors import ModelFormatError, SchemaError
from skillmatch.schema import Program, TaughtSkill


def _program(pid: str, capacity: int = 2, cost: float = 1000.0) -> Program:
    return Program(
        program_id=pid,
        title=pid,
        kind="short_course",
        provider="x",
        skills_taught=[TaughtSkill(text="welding")],
        modality="online",
        schedule="weekend",
        hours=20,
        capacity=capacity,
        cost=cost,
        aid_eligible=True,
    )


def _workers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "worker_id": ["a", "b", "c", "b"],
            "migrant": ["true", "false", "yes?", "true"],
            "region": ["CN-GD", "CN-JS", "CN-GD", "CN-GD"],
            "education": ["primary", "bachelor", "primary", "primary"],
        }
    )


def test_bad_rows_are_quarantined_with_field_value_and_reason() -> None:
    scores = pd.DataFrame(
        {
            "worker_id": ["a", "a", "b", "c", "zz", "a"],
            "rank": [1, 2, 1, 1, 1, 1],
            "program_id": ["p1", "nope", "p1", "p1", "p1", "p1"],
            "score": [0.9, 0.5, 0.4, 0.3, 0.2, 0.8],
        }
    )
    built = problem_from_frames(
        scores, _workers(), [_program("p1")], min_shares=[GroupShare("migrant", 0.5)]
    )
    q = built.quarantine
    got = set(zip(q["source"], q["worker_id"], q["field"], q["value"], strict=True))
    assert ("workers", "b", "worker_id", "b") in got  # the second "b"
    assert ("workers", "c", "migrant", "yes?") in got
    assert ("scores", "a", "program_id", "nope") in got
    assert ("scores", "zz", "worker_id", "zz") in got
    assert ("scores", "c", "worker_id", "c") in got  # c was quarantined in the workers file
    assert ("scores", "a", "program_id", "p1") in got  # duplicate (a, p1)
    assert built.problem.worker_ids == ["a", "b"]
    assert built.problem.arc_aid.tolist() == [800.0, 0.0]  # b's bachelor degree: no aid
    n_rows = len(scores) + len(_workers())
    assert built.problem.n_arcs + built.problem.n_workers + len(q) == n_rows


def test_missing_column_names_the_column() -> None:
    with pytest.raises(SchemaError, match=r"lacks column\(s\) \['score'\]"):
        problem_from_frames(
            pd.DataFrame({"worker_id": [], "rank": [], "program_id": []}),
            _workers(),
            [_program("p1")],
        )


def test_negative_capacity_names_the_field_and_value() -> None:
    problem = AllocationProblem(
        worker_ids=["a"],
        program_ids=["p1"],
        capacity=np.array([-3]),
        arc_worker=np.array([0]),
        arc_program=np.array([0]),
        arc_score=np.array([0.5]),
        arc_rank=np.array([1]),
        arc_aid=np.zeros(1),
    )
    with pytest.raises(
        SchemaError, match=r"capacity must be >= 0, got capacity=-3 for program_id='p1'"
    ):
        solve_exact(problem)


def test_duplicate_worker_in_a_problem_is_refused() -> None:
    problem = AllocationProblem(
        worker_ids=["a", "a"],
        program_ids=["p1"],
        capacity=np.array([1]),
        arc_worker=np.array([0]),
        arc_program=np.array([0]),
        arc_score=np.array([0.5]),
        arc_rank=np.array([1]),
        arc_aid=np.zeros(1),
    )
    with pytest.raises(SchemaError, match="worker_id must be unique, got worker_id='a' twice"):
        problem.check()


@pytest.mark.parametrize("text", ["migrant", "migrant=1.5", "age:3=0.1", "region=0.1", "migrant=x"])
def test_bad_min_share_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="min-share"):
        parse_min_share(text)


def test_infeasible_quota_names_the_group_and_the_largest_share() -> None:
    problem = AllocationProblem(
        worker_ids=["a", "b", "c"],
        program_ids=["p1", "p2"],
        capacity=np.array([1, 2]),
        arc_worker=np.array([0, 1, 2]),
        arc_program=np.array([0, 0, 1]),
        arc_score=np.array([0.9, 0.8, 0.7]),
        arc_rank=np.array([1, 1, 1]),
        arc_aid=np.zeros(3),
        groups=(GroupShare("migrant", 2 / 3),),
        members=np.array([[True], [True], [False]]),
    )
    # 2 seats fundable (p1 holds one of a, b; c takes p2): migrant needs 2 but reaches 1
    with pytest.raises(
        InfeasibleAllocationError,
        match=r"min-share migrant=0.6667 is infeasible: it needs 2 "
        r"of the 2 funded seats.*at most 1.*largest reachable share is 0.5000",
    ):
        solve_exact(problem)


def test_score_parts_from_another_bundle_are_refused(
    scored: tuple[Path, Path], tmp_path: Path
) -> None:
    _, scores = scored
    copy = tmp_path / "scores"
    shutil.copytree(scores, copy)
    manifest = json.loads((copy / "_manifest.json").read_text())
    good = manifest["bundle_hash"]
    assert len(read_score_parts(copy, good)) > 0
    with pytest.raises(ModelFormatError, match="were made with bundle_hash="):
        read_score_parts(copy, "0" * 64)
    manifest["complete"] = False
    (copy / "_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SchemaError, match="not complete"):
        read_score_parts(copy, good)
