"""Batch scoring: output equals score_frame, chunk size never matters, resume after SIGKILL
gives identical output, and rows in = scored + quarantined for any bad rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillmatch.batch import OUTPUT_COLUMNS, QUARANTINE_COLUMNS, ResumeError, score_file
from skillmatch.core import Recommender
from tests.batch.data import N_WORKERS, read_scores


@pytest.fixture(scope="session")
def reference(
    tmp_path_factory: pytest.TempPathFactory, population_path: Path, world_rec: Recommender
) -> Path:
    """An uninterrupted run: chunk size 400."""
    out = tmp_path_factory.mktemp("reference") / "out"
    score_file(population_path, out, recommender=world_rec, k=5, chunk_size=400, progress=False)
    return out


def test_score_file_equals_score_frame(
    reference: Path, population: pd.DataFrame, world_rec: Recommender
) -> None:
    got = read_scores(reference)
    expected = world_rec.score_frame(population, k=5).sort_values(
        ["worker_id", "rank"], ignore_index=True
    )
    assert tuple(got.columns) == OUTPUT_COLUMNS
    assert (got["bundle_hash"] == world_rec.fingerprint()).all()
    pd.testing.assert_frame_equal(got.drop(columns="bundle_hash"), expected, check_dtype=False)
    manifest = json.loads((reference / "_manifest.json").read_text())
    assert manifest["complete"] and len(manifest["chunks"]) == 2
    assert manifest["summary"]["n_in"] == N_WORKERS == manifest["summary"]["n_scored"]
    assert len(pd.read_parquet(reference / "quarantine.parquet")) == 0


@pytest.mark.parametrize(("chunk_size", "n_jobs"), [(N_WORKERS, 1), (157, 2)])
def test_chunk_size_never_changes_results(
    reference: Path,
    population_path: Path,
    world_rec: Recommender,
    tmp_path: Path,
    chunk_size: int,
    n_jobs: int,
) -> None:
    summary = score_file(
        population_path,
        tmp_path / "out",
        recommender=world_rec,
        k=5,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        progress=False,
    )
    assert summary.n_parts == -(-N_WORKERS // chunk_size)
    pd.testing.assert_frame_equal(read_scores(tmp_path / "out"), read_scores(reference))


def test_existing_run_needs_resume(
    reference: Path, population_path: Path, world_rec: Recommender
) -> None:
    with pytest.raises(ResumeError, match="resume=True"):
        score_file(
            population_path, reference, recommender=world_rec, k=5, chunk_size=400, progress=False
        )
    with pytest.raises(ResumeError, match="k changed"):
        score_file(
            population_path,
            reference,
            recommender=world_rec,
            k=4,
            chunk_size=400,
            resume=True,
            progress=False,
        )
    done = score_file(
        population_path,
        reference,
        recommender=world_rec,
        k=5,
        chunk_size=400,
        resume=True,
        progress=False,
    )
    assert done.n_parts_skipped == done.n_parts == 2


def test_resume_rewrites_tampered_part(
    reference: Path, population_path: Path, world_rec: Recommender, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    score_file(population_path, out, recommender=world_rec, k=5, chunk_size=400, progress=False)
    (out / "scores" / "part-00001.parquet").write_bytes(b"garbage")
    again = score_file(
        population_path,
        out,
        recommender=world_rec,
        k=5,
        chunk_size=400,
        resume=True,
        progress=False,
    )
    assert again.n_parts_skipped == 1
    pd.testing.assert_frame_equal(read_scores(out), read_scores(reference))


def _cli() -> list[str]:
    return [sys.executable, "-m", "skillmatch.cli", "score"]


@pytest.mark.slow
def test_sigkill_then_resume_gives_identical_output(
    reference: Path, population_path: Path, world_rec: Recommender, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cmd = [
        *_cli(),
        "--workers",
        str(population_path),
        "--out",
        str(out),
        "--k",
        "5",
        "--chunk-size",
        "50",
        "--no-progress",
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with open(tmp_path / "stderr.txt", "wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 240
        while not list((out / "scores").glob("part-*.parquet")):
            assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, "no part written in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    manifest = json.loads((out / "_manifest.json").read_text())
    assert not manifest["complete"] and len(manifest["chunks"]) < 12
    # Resume in this process (same model, same bundle hash): saves a second model build.
    done = score_file(
        population_path, out, recommender=world_rec, k=5, chunk_size=50, resume=True, progress=False
    )
    assert (done.n_rows_in, done.n_scored, done.n_quarantined) == (N_WORKERS, N_WORKERS, 0)
    assert done.n_parts_skipped == len(manifest["chunks"])
    assert not list(out.rglob(".*.tmp-*"))
    pd.testing.assert_frame_equal(read_scores(out), read_scores(reference))


# -- quarantine --------------------------------------------------------------------------
_BAD_VALUES: dict[str, list[Any]] = {
    "education": ["phd", None, 7],
    "weekly_hours": [-1.0, 500.0],
    "worker_id": [None, "bad id!", ""],
    "migrant": [None],
    "region": ["cn-gd"],
    "age": [3],
    "shift_pattern": ["sometimes"],
}


@st.composite
def _damage(draw: st.DrawFn) -> list[tuple[int, str, Any]]:
    """(row, field, bad value) plus ("dup", source row) damages on a 40-row frame."""
    rows = draw(st.lists(st.integers(0, 39), min_size=1, max_size=12, unique=True))
    out = []
    for row in rows:
        field = draw(st.sampled_from([*_BAD_VALUES, "duplicate"]))
        value = (
            draw(st.integers(0, 39))
            if field == "duplicate"
            else draw(st.sampled_from(_BAD_VALUES[field]))
        )
        out.append((row, field, value))
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=_damage())
def test_quarantine_accounts_for_every_row(
    world_rec: Recommender, population: pd.DataFrame, damage: list[tuple[int, str, Any]]
) -> None:
    frame = population.iloc[:40].copy().astype(object)
    for row, field, value in damage:
        if field == "duplicate":
            frame.iat[row, 0] = population.iat[value, 0]
        else:
            frame.iat[row, frame.columns.get_loc(field)] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.parquet"
        frame.assign(
            education=frame["education"].astype(str).where(frame["education"].notna(), None)
        ).to_parquet(path, index=False)
        summary = score_file(
            path, Path(tmp) / "out", recommender=world_rec, k=3, chunk_size=16, progress=False
        )
        quarantine = pd.read_parquet(Path(tmp) / "out" / "quarantine.parquet")
        scored = pd.read_parquet(Path(tmp) / "out" / "scores")
    assert summary.n_rows_in == 40 == summary.n_scored + summary.n_quarantined
    assert tuple(quarantine.columns) == QUARANTINE_COLUMNS
    assert len(quarantine) == summary.n_quarantined
    assert quarantine["row"].is_unique
    ids = frame["worker_id"].tolist()
    for row, record in zip(quarantine["row"], quarantine["record"], strict=True):
        assert json.loads(record)["worker_id"] == ids[row]
    seen: set[str] = set()
    for row, wid in enumerate(ids):
        key = wid.strip() if isinstance(wid, str) else None
        if key is not None and key in seen:
            assert row in set(quarantine["row"]), f"duplicate at row {row} not quarantined"
        if key is not None:
            seen.add(key)
    assert scored.groupby("worker_id").size().max() <= 3


def test_csv_with_unparsable_values_and_malformed_lines(
    world_rec: Recommender, population: pd.DataFrame, tmp_path: Path
) -> None:
    frame = population.iloc[:30].copy()
    for col in ("skills", "certificates"):
        frame[col] = [json.dumps([dict(x) for x in v], ensure_ascii=False) for v in frame[col]]
    frame = frame.astype(object)
    frame.iat[3, frame.columns.get_loc("weekly_hours")] = "eight"
    frame.iat[5, frame.columns.get_loc("skills")] = "[{not json"
    path = tmp_path / "workers.csv"
    frame.to_csv(path, index=False)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("w_broken,only,three\n")
    summary = score_file(
        path, tmp_path / "out", recommender=world_rec, k=3, chunk_size=7, progress=False
    )
    quarantine = pd.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert summary.n_rows_in == 31 == summary.n_scored + summary.n_quarantined
    assert summary.n_quarantined == 3
    by_field = dict(zip(quarantine["field"], quarantine["row"], strict=True))
    assert by_field["weekly_hours"] == 3 and by_field["skills"] == 5
    assert np.isnan(by_field["<line>"]) or by_field["<line>"] is None
    assert "eight" in quarantine.loc[quarantine["field"] == "weekly_hours", "value"].item()
    scored = read_scores(tmp_path / "out")
    expected = world_rec.score_frame(population.iloc[:30].drop(index=[3, 5]), k=3)
    assert sorted(scored["worker_id"].unique()) == sorted(expected["worker_id"].unique())
    np.testing.assert_array_equal(
        scored["score"].to_numpy(), expected.sort_values(["worker_id", "rank"])["score"].to_numpy()
    )


def test_bad_arguments(population_path: Path, world_rec: Recommender, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size=0"):
        score_file(population_path, tmp_path, recommender=world_rec, chunk_size=0)
    with pytest.raises(ValueError, match="k=0"):
        score_file(population_path, tmp_path, recommender=world_rec, k=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        score_file(tmp_path / "missing.parquet", tmp_path, recommender=world_rec)
    with pytest.raises(ValueError, match="suffix '.txt'"):
        (tmp_path / "w.txt").write_text("x")
        score_file(tmp_path / "w.txt", tmp_path, recommender=world_rec)


def test_parallel_run_embeds_new_text_once_in_the_main_process(
    population: pd.DataFrame, tmp_path: Path
) -> None:
    from skillmatch.batch.text import ChunkTexts, adopt_vectors, chunk_texts
    from skillmatch.core.recommend import Recommender

    frame = population.head(120).copy()
    novel = [f"repair wind turbine gearbox model {i}" for i in range(12)]
    frame.loc[frame.index[:12], "goal"] = novel  # text no bundle has seen
    path = tmp_path / "workers.parquet"
    frame.to_parquet(path, index=False)
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    assert set(novel) <= set(chunk_texts(table))

    main = Recommender.load()
    texts = ChunkTexts(main)
    shipped = texts.vectors_for(table)
    assert shipped is not None and set(novel) <= set(shipped[0])
    encoded = main.features_.vocabulary_.encoder.n_encoded
    again = texts.vectors_for(table.slice(0, 6))  # other chunks still ship them, unencoded
    assert again is not None and set(again[0]) == set(novel[:6])
    assert main.features_.vocabulary_.encoder.n_encoded == encoded
    worker = Recommender.load()  # a worker's copy: the bundle's cache only
    assert worker.features_.vocabulary_.encoder.cache.missing(novel) == novel
    adopt_vectors(worker, shipped)
    assert worker.features_.vocabulary_.encoder.cache.missing(chunk_texts(table)) == []

    parallel = score_file(
        path,
        tmp_path / "par",
        recommender=Recommender.load(),
        k=5,
        chunk_size=50,
        n_jobs=2,
        progress=False,
    )
    assert parallel.n_scored == 120
    serial = Recommender.load().score_frame(frame, k=5)
    got = read_scores(tmp_path / "par").drop(columns="bundle_hash")
    want = serial.sort_values(["worker_id", "rank"], ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
