"""End to end: `skillmatch simulate` -> `skillmatch score` -> `skillmatch allocate` (subprocesses),
every constraint of the output checked from the files alone."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from tests.allocate.conftest import N_E2E, run_cli

SEATS, SHARE, REGION_SHARE = 80, 2 / 3, 0.2


@pytest.mark.slow
@pytest.mark.parametrize("method", ["exact", "fast"])
def test_allocate_cli_end_to_end(scored: tuple[Path, Path], tmp_path: Path, method: str) -> None:
    workers_path, scores = scored
    out = tmp_path / method
    done = run_cli(
        "allocate",
        "--scores",
        str(scores),
        "--workers",
        str(workers_path),
        "--out",
        str(out),
        "--seats",
        str(SEATS),
        "--min-share",
        f"migrant={SHARE}",
        "--min-share",
        f"region:CN-GD={REGION_SHARE}",
        "--candidates",
        "4",
        "--method",
        method,
        "--no-progress",
    )
    assert done.returncode == 0, done.stderr
    allocation = pd.read_parquet(out / "allocation.parquet")
    unfunded = pd.read_parquet(out / "unfunded.parquet")
    summary = json.loads((out / "summary.json").read_text())
    workers = pd.read_parquet(workers_path).set_index("worker_id")
    score_rows = pd.concat(
        pd.read_parquet(p) for p in sorted((scores / "scores").glob("*.parquet"))
    )
    programs = {
        p["program_id"]: p
        for p in json.loads((Path("models/default") / "programs.json").read_text())
    }

    assert list(allocation.columns) == [
        "worker_id",
        "program_id",
        "score",
        "rank_in_list",
        "groups",
    ]
    assert allocation["worker_id"].is_unique
    assert len(allocation) + len(unfunded) == N_E2E
    assert len(allocation) == SEATS == summary["n_funded"]  # 120 workers, capacity to spare
    load = allocation["program_id"].value_counts()
    assert all(load[p] <= programs[p]["capacity"] for p in load.index)
    funded = workers.loc[allocation["worker_id"]]
    assert funded["migrant"].sum() >= math.ceil(SHARE * SEATS - 1e-9)
    assert (funded["region"] == "CN-GD").sum() >= math.ceil(REGION_SHARE * SEATS - 1e-9)
    # every funded pair is one of the worker's first 4 scored programs, with its score and rank
    pairs = allocation.merge(score_rows, on=["worker_id", "program_id"])
    assert len(pairs) == len(allocation)
    assert (pairs["rank"] == pairs["rank_in_list"]).all() and (pairs["rank"] <= 4).all()
    assert (pairs["score_x"] == pairs["score_y"]).all()
    assert summary["objective"] == pytest.approx(allocation["score"].sum())
    assert summary["violations"] == [] and summary["gap"] <= 1e-3 + 1e-12
    assert set(unfunded["reason"]) <= {"no_candidate", "capacity", "budget", "seats"}
    assert (out / "report.png").stat().st_size > 10_000
    assert "migrant" in (out / "report.md").read_text()


def _most_seats(score_rows: pd.DataFrame, capacity: dict[str, int]) -> int:
    """The most seats the score lists can fill (max flow with SciPy, independent of the
    package): source -> worker (1) -> program (any listed) -> sink (its capacity)."""
    workers = {w: i for i, w in enumerate(sorted(set(score_rows["worker_id"])))}
    programs = {p: i for i, p in enumerate(sorted(capacity))}
    n_w, n_p = len(workers), len(programs)
    source, sink = 0, 1 + n_w + n_p
    w_node = 1 + score_rows["worker_id"].map(workers).to_numpy()
    p_node = 1 + n_w + score_rows["program_id"].map(programs).to_numpy()
    tails = np.concatenate([np.zeros(n_w, int), w_node, 1 + n_w + np.arange(n_p)])
    heads = np.concatenate([1 + np.arange(n_w), p_node, np.full(n_p, sink)])
    caps = np.concatenate([np.ones(n_w + len(w_node), int), [capacity[p] for p in programs]])
    graph = sp.csr_matrix((caps.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink).flow_value)


@pytest.mark.slow
def test_allocate_cli_defaults_fund_the_most_seats(
    scored: tuple[Path, Path], tmp_path: Path
) -> None:
    """No seat cap, the default 2/3 migrant share: both methods fund as many seats as the
    lists can fill, with every constraint checked from the files alone."""
    workers_path, scores = scored
    workers = pd.read_parquet(workers_path).set_index("worker_id")
    score_rows = pd.concat(
        pd.read_parquet(p) for p in sorted((scores / "scores").glob("*.parquet"))
    )
    capacity = {
        p["program_id"]: int(p["capacity"])
        for p in json.loads((Path("models/default") / "programs.json").read_text())
    }
    most = _most_seats(score_rows, capacity)
    objectives = {}
    for method in ("exact", "fast"):
        out = tmp_path / method
        done = run_cli(
            "allocate", "--scores", str(scores), "--workers", str(workers_path),
            "--out", str(out), "--method", method, "--no-progress",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        allocation = pd.read_parquet(out / "allocation.parquet")
        summary = json.loads((out / "summary.json").read_text())
        assert allocation["worker_id"].is_unique and len(allocation) == most
        load = allocation["program_id"].value_counts()
        assert all(load[p] <= capacity[p] for p in load.index)
        funded = workers.loc[allocation["worker_id"]]
        assert funded["migrant"].sum() >= math.ceil(2 / 3 * most - 1e-9)
        pairs = allocation.merge(score_rows, on=["worker_id", "program_id"])
        assert len(pairs) == len(allocation) and (pairs["score_x"] == pairs["score_y"]).all()
        assert summary["violations"] == []
        assert summary["solver"].get("repair") != "exact_fallback"
        objectives[method] = float(allocation["score"].to_numpy(np.float64).sum())
        assert summary["bound"] >= objectives[method] - 1e-6
    assert objectives["fast"] <= objectives["exact"] + 1e-6


@pytest.mark.slow
def test_allocate_cli_reports_an_infeasible_share(
    scored: tuple[Path, Path], tmp_path: Path
) -> None:
    workers_path, scores = scored
    done = run_cli(
        "allocate",
        "--scores",
        str(scores),
        "--workers",
        str(workers_path),
        "--out",
        str(tmp_path / "x"),
        "--min-share",
        "region:CN-XX=0.5",
        "--no-progress",
    )
    assert done.returncode == 1
    assert "min-share region:CN-XX=0.5 is infeasible" in done.stderr
    assert "largest reachable share is 0.0000" in done.stderr


def test_allocate_cli_usage_error_names_the_value(tmp_path: Path) -> None:
    done = run_cli(
        "allocate",
        "--scores",
        "x",
        "--workers",
        "y",
        "--out",
        str(tmp_path),
        "--min-share",
        "migrant=1.5",
    )
    assert done.returncode == 2
    assert "min-share of 'migrant' must be a number in [0, 1], got '1.5'" in done.stderr
