"""`skillmatch demo` (what `make demo` runs): the shipped bundle, simulated and Chinese workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillmatch.cli.demo import CHINESE_WORKERS


@pytest.fixture(scope="module")
def demo() -> list[dict[str, object]]:
    out = subprocess.run(
        [sys.executable, "-m", "skillmatch.cli", "demo", "--format", "json", "--k", "5"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        cwd=Path(__file__).resolve().parents[2],
    )
    payload: list[dict[str, object]] = json.loads(out.stdout)
    return payload


def test_every_worker_gets_explained_recommendations(demo: list[dict[str, object]]) -> None:
    ids = [w["worker_id"] for w in demo]
    assert ids == ["w00000001", "w00000002", "w00000003"] + [
        w["worker_id"] for w in CHINESE_WORKERS
    ]
    for worker in demo:
        recs = worker["recommendations"]
        assert isinstance(recs, list) and len(recs) == 5
        assert all(r["reasons"] and r["reasons"][0]["text_zh"] for r in recs)


def test_chinese_only_workers_get_programs_of_their_goal(demo: list[dict[str, object]]) -> None:
    from skillmatch import Recommender

    titles = {p.program_id: p.title for p in Recommender.load().programs}
    by_id = {w["worker_id"]: w["recommendations"] for w in demo}
    welder = [titles[r["program_id"]] for r in by_id["zh-welder"]]  # type: ignore[index]
    battery = [titles[r["program_id"]] for r in by_id["zh-battery"]]  # type: ignore[index]
    assert "焊" in welder[0] and sum("焊" in t for t in welder) >= 3, welder
    assert any("PLC" in t for t in battery[:2]), battery
    for worker, keyword in (("zh-welder", "焊"), ("zh-battery", "PLC")):
        for r in by_id[worker]:  # type: ignore[union-attr]
            if any(x["code"] == "goal_match" for x in r["reasons"]):
                assert keyword in titles[r["program_id"]], titles[r["program_id"]]
