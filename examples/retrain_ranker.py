"""Data scientist: retrain the ranker on interaction logs and prove it beats the baselines.

Run:  HF_HUB_OFFLINE=1 python examples/retrain_ranker.py

Uses a small simulated log so it finishes in about a minute; point ``log`` at your own
Parquet file of impressions (worker_id, program_id, relevance and the worker's profile fields)
to retrain on real enrolment and completion data.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from skillmatch import LearnedRanker, Recommender
from skillmatch.core import log_workers
from skillmatch.evaluate import split_by_worker, write_report
from skillmatch.learn.training import compare_models
from skillmatch.simulate import make_world, simulate_interactions, truth_check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3_000, help="simulated workers in the log")
    args = parser.parse_args()
    world = make_world(seed=0)
    # impressions logged under the current policy (the default linear ranker)
    log = pd.concat(simulate_interactions(world, args.workers, seed=7))
    split = split_by_worker(log, test_size=0.25, random_state=0)
    rec = Recommender.from_world(world, ranker=LearnedRanker(max_iter=200))

    rec.fit(split.train, progress=True)
    results = compare_models(rec, split.train, split.test, name="learned")
    overall = results[results["group"] == "all"].pivot_table(
        index="model", columns="metric", values="value", sort=False
    )
    print(overall.round(4).to_string())
    # on simulated data the truth is known: judge full-catalogue rankings by it
    linear = Recommender.from_world(world)
    print(truth_check({"learned": rec, "linear": linear}, world, n_workers=500).round(3))

    out = Path(tempfile.mkdtemp(prefix="skillmatch-"))
    rec.save(out / "bundle", metrics=overall.loc["learned"].to_dict())
    report = write_report(results, out / "report")
    print(f"bundle: {out / 'bundle'}\nreport: {report}")
    reloaded = Recommender.load(out / "bundle")  # verified: versions and sha256 of every file
    worker = log_workers(split.test)[0]
    print(reloaded.recommend(worker, k=3)[0].model_dump_json(indent=1))


if __name__ == "__main__":
    main()
