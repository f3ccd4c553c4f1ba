"""Allocation fixtures: random problems, an independent MILP oracle, a local Spark session,
and a small simulated population scored by ``skillmatch score`` (session-scoped)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
N_E2E = 120


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m skillmatch.cli`` offline; return the finished process."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "skillmatch.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(workers file, score directory) of a small simulated population."""
    root = tmp_path_factory.mktemp("alloc_e2e")
    workers = root / "workers.parquet"
    done = run_cli(
        "simulate", "--workers", str(N_E2E), "--out", str(workers), "--seed", "3", "--no-progress"
    )
    assert done.returncode == 0, done.stderr
    done = run_cli(
        "score",
        "--workers",
        str(workers),
        "--out",
        str(root / "scores"),
        "--k",
        "5",
        "--no-progress",
    )
    assert done.returncode == 0, done.stderr
    return workers, root / "scores"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] Spark session whose executors run this interpreter (as in tests/batch)."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("skillmatch-allocate-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
