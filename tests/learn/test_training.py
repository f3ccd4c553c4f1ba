"""Training from interaction logs: features, learned ranker, baselines, bundle, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from skillmatch.core import log_workers
from skillmatch.core.features import FEATURE_NAMES
from skillmatch.core.frames import models_to_frame
from skillmatch.core.rank import LearnedRanker, LinearRanker
from skillmatch.core.recommend import Recommender
from skillmatch.errors import SchemaError, UnknownIdError
from skillmatch.evaluate import split_by_worker
from skillmatch.learn.training import compare_models, model_card, training_data
from tests.conftest import make_worker, tiny_programs

PHRASES = [
    "烧电焊",
    "arc welding",
    "QC",
    "PLC",
    "robot teaching",
    "叉车",
    "CNC lathe",
    "electrician",
    "cell assembly",
]


@pytest.fixture(scope="module")
def log(tiny_rec: Recommender) -> pd.DataFrame:
    """A small log whose relevance follows the linear score plus noise."""
    rng = np.random.default_rng(0)
    workers = [
        make_worker(
            worker_id=f"w{i:03d}",
            skills=[
                {"text": str(t), "level": int(rng.integers(1, 6))}
                for t in rng.choice(PHRASES, size=int(rng.integers(1, 4)), replace=False)
            ],
            education=str(
                rng.choice(["junior_secondary", "senior_secondary", "secondary_vocational"])
            ),
            region=str(rng.choice(["CN-GD", "CN-AH"])),
            goal=None if rng.random() < 0.5 else "learn robot programming",
            gender=str(rng.choice(["female", "male"])),
            age=int(rng.integers(18, 60)),
        )
        for i in range(160)
    ]
    feats = tiny_rec.features_.transform(workers)
    # a fixed utility (not the default weights, which may change): skills first, then the goal
    truth = LinearRanker(weights={"semantic_fit": 3.0, "goal_fit": 2.0, "skill_gain": 0.6})
    scores = truth.fit().predict(feats.values)
    scores = scores / scores.max()
    rows = []
    for w, worker in enumerate(workers):
        shown = np.flatnonzero(feats.eligible[w])
        rng.shuffle(shown)
        for pos, p in enumerate(shown[:4]):
            utility = 6 * scores[w, p] + rng.normal(0, 0.3)
            relevance = int(np.clip(np.floor(utility - 1.5), 0, 3))
            rows.append(
                {
                    "program_id": tiny_rec.programs[p].program_id,
                    "position": pos + 1,
                    "relevance": relevance,
                    "worker_id": worker.worker_id,
                    "timestamp": 1_700_000_000 + 3600 * w,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.merge(models_to_frame(workers), on="worker_id")


def test_training_features_equal_online_features(tiny_rec: Recommender, log: pd.DataFrame) -> None:
    data = training_data(tiny_rec, log, block_size=7)
    assert data.X.shape == (len(log), len(FEATURE_NAMES))
    workers = {w.worker_id: w for w in log_workers(log)}
    for i in (0, 5, len(log) - 1):
        row = log.iloc[i]
        online = tiny_rec.explain(workers[row["worker_id"]], row["program_id"])
        np.testing.assert_array_equal(
            data.X[i], np.float32([c.value for c in online.contributions])
        )
    assert data.eligible.all()


def test_fit_learns_and_beats_random(tiny_rec: Recommender, log: pd.DataFrame) -> None:
    split = split_by_worker(log, test_size=0.25, random_state=0)
    rec = Recommender.from_catalog(
        tiny_programs(),
        vocabulary=tiny_rec.vocabulary,
        chains=tiny_rec.features_.chains_,
        ranker=LearnedRanker(max_iter=40, min_samples_leaf=5),
    )
    rec.fit(split.train)
    assert isinstance(rec.ranker_, LearnedRanker)
    results = compare_models(rec, split.train, split.test, name="learned")
    assert set(results["model"]) == {"popularity", "bm25", "embedding", "linear", "learned"}
    ndcg = results[(results["metric"] == "ndcg@10") & (results["group"] == "all")]
    values = dict(zip(ndcg["model"], ndcg["value"], strict=True))
    assert values["learned"] > values["popularity"]
    assert "migrant=True" in set(results["group"]) or "migrant=False" in set(results["group"])
    card = model_card(results, n_train=len(split.train), n_test=len(split.test), source="log")
    assert "| learned |" in card and "retrain" in card
    # a refit ranker survives catalogue changes, and the bundle keeps it
    rec.add_programs([tiny_programs()[0].model_copy(update={"program_id": "extra"})])
    assert isinstance(rec.ranker_, LearnedRanker)


def test_learned_bundle_round_trip(
    tiny_rec: Recommender, log: pd.DataFrame, tmp_path: Path
) -> None:
    rec = Recommender.from_catalog(
        tiny_programs(), vocabulary=tiny_rec.vocabulary, chains=tiny_rec.features_.chains_
    ).fit(log)
    workers = [
        make_worker(),
        make_worker(worker_id="w2", certificates=[{"trade": "welder", "level": 5}]),
    ]
    rec.save(tmp_path / "b")
    loaded = Recommender.load(tmp_path / "b")
    assert loaded.recommend_many(workers, k=4) == rec.recommend_many(workers, k=4)
    assert loaded.explain(workers[1], "welder4") == rec.explain(workers[1], "welder4")


def test_log_errors(tiny_rec: Recommender, log: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="relevance"):
        training_data(tiny_rec, log.drop(columns=["relevance"]))
    bad = log.copy()
    bad.loc[0, "program_id"] = "nope"
    with pytest.raises(UnknownIdError, match="nope"):
        training_data(tiny_rec, bad)
    bad = log.copy()
    bad["education"] = bad["education"].astype(object)
    bad.loc[bad["worker_id"] == bad.loc[0, "worker_id"], "education"] = "phd"
    with pytest.raises(SchemaError, match="education"):
        training_data(tiny_rec, bad)


def test_a_log_from_another_world_is_refused(
    tiny_rec: Recommender, log: pd.DataFrame, tmp_path: Path
) -> None:
    from skillmatch.cli import main
    from skillmatch.core import CATALOGUE_METADATA_KEY, catalogue_digest, check_log_catalogue
    from skillmatch.simulate import make_world

    mine = {CATALOGUE_METADATA_KEY: catalogue_digest(tiny_rec.programs).encode()}
    other = {CATALOGUE_METADATA_KEY: catalogue_digest(make_world(1).programs).encode()}
    check_log_catalogue(mine, tiny_rec.programs)
    check_log_catalogue(None, tiny_rec.programs)  # a real log without the digest is trusted
    with pytest.raises(SchemaError, match="made on another catalogue"):
        check_log_catalogue(other, tiny_rec.programs)
    base = tiny_rec.save(tmp_path / "base")
    table = pa.Table.from_pandas(log, preserve_index=False)
    pq.write_table(table.replace_schema_metadata(other), tmp_path / "log.parquet")
    args = ["train", "--interactions", str(tmp_path / "log.parquet"), "--base", str(base)]
    assert main([*args, "--out", str(tmp_path / "out"), "--no-progress"]) != 0
    assert not (tmp_path / "out").exists()


def test_cli_train_and_evaluate(tiny_rec: Recommender, log: pd.DataFrame, tmp_path: Path) -> None:
    base = tiny_rec.save(tmp_path / "base")
    log_path = tmp_path / "log.parquet"
    log.to_parquet(log_path)
    cli = [sys.executable, "-m", "skillmatch.cli"]
    out = subprocess.run(
        [
            *cli,
            "train",
            "--interactions",
            str(log_path),
            "--out",
            str(tmp_path / "trained"),
            "--base",
            str(base),
            "--max-iter",
            "30",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "learned" in out.stdout and "ndcg@10" in out.stdout
    assert (tmp_path / "trained" / "MODEL_CARD.md").exists()
    manifest = json.loads((tmp_path / "trained" / "manifest.json").read_text())
    assert manifest["ranker"] == "LearnedRanker" and "ndcg@10" in manifest["metrics"]
    out = subprocess.run(
        [
            *cli,
            "evaluate",
            "--bundle",
            str(tmp_path / "trained"),
            "--interactions",
            str(log_path),
            "--format",
            "json",
            "--report",
            str(tmp_path / "report"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {"model", "metric", "group", "value"} <= set(rows[0])
    assert (tmp_path / "report" / "report.md").exists()
    for plot in ("metrics_by_model.png", "exposure_by_group.png", "score_distribution.png"):
        assert (tmp_path / "report" / plot).stat().st_size > 0
    bad = subprocess.run(
        [*cli, "evaluate", "--bundle", str(tmp_path / "nothing"), "--interactions", str(log_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bad.returncode == 1 and "is not a skillmatch bundle" in bad.stderr
