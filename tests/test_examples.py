"""The examples users run first, end to end (small sizes), as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name: str, *args: str, timeout: int = 600) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_embed_in_platform() -> None:
    out = run("embed_in_platform.py")
    assert "weekly_hours" in out  # the bad profile is refused, naming the field


def test_batch_score_population(tmp_path: Path) -> None:
    out = run("batch_score_population.py", "--workers", "400", "--out", str(tmp_path / "run"))
    assert "0 rows quarantined" in out and "resumed: 1 of 1 parts" in out
    assert (tmp_path / "run" / "scores" / "quarantine.parquet").exists()


def test_allocate_seats(tmp_path: Path) -> None:
    out = run("allocate_seats.py", "--workers", "2000", "--out", str(tmp_path / "run"))
    assert "500 of 500 seats funded" in out and "constraint violations: []" in out
    assert (tmp_path / "run" / "alloc" / "report.md").exists()


@pytest.mark.slow
def test_retrain_ranker() -> None:
    out = run("retrain_ranker.py", "--workers", "600")
    assert "learned" in out and "true_utility_at_k" in out and "bundle:" in out


@pytest.mark.slow
def test_spark_batch() -> None:
    pytest.importorskip("pyspark")
    out = run("spark_batch.py", "--workers", "300")
    assert "rows in 302 = scored 300 + quarantined 2" in out
