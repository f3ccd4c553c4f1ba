"""Time to build pair features and fit the LearnedRanker on 1,000,000 logged impressions.

Also reports, on held-out workers, NDCG@10 of the learned ranker against the baselines, and of
an unconstrained gradient-boosted model (full feature interactions) for comparison with the
additive, monotone model that ships. Prints one JSON line. Example::

    HF_HUB_OFFLINE=1 python benchmarks/bench_train.py --log /tmp/int1m.parquet
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from skillmatch import Recommender
from skillmatch.core.rank import LearnedRanker
from skillmatch.evaluate import evaluate, split_by_worker
from skillmatch.learn.training import compare_models, qrels, score_log, training_data
from skillmatch.simulate import make_world, write_interactions


class _Unconstrained:
    """Plain HistGradientBoostingRegressor with interactions, for comparison only."""

    def __init__(self, seed: int) -> None:
        from sklearn.ensemble import HistGradientBoostingRegressor

        self.model = HistGradientBoostingRegressor(
            max_iter=300, max_leaf_nodes=31, random_state=seed
        )

    def fit(self, X: np.ndarray, y: np.ndarray) -> _Unconstrained:
        self.model.fit(X, y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict(X.reshape(-1, X.shape[-1])).reshape(X.shape[:-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", type=Path, default=Path("/tmp/skillmatch-int1m.parquet"))
    parser.add_argument(
        "--workers",
        type=int,
        default=50_000,
        help="workers to simulate when --log does not exist (x20 impressions)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    world = make_world(seed=0)
    rec = Recommender.from_world(world)
    if not args.log.exists():
        write_interactions(
            world, args.workers, args.log, seed=args.seed, recommender=rec, progress=False
        )
    log = pq.read_table(args.log).to_pandas()
    split = split_by_worker(log, test_size=0.2, random_state=args.seed)
    out: dict[str, object] = {
        "benchmark": "train",
        "machine": platform.machine(),
        "impressions": len(log),
        "train_impressions": len(split.train),
    }

    start = time.perf_counter()
    data = training_data(rec, log)
    features_s = time.perf_counter() - start
    start = time.perf_counter()
    LearnedRanker().fit(data.X, data.y, data.groups)
    fit_s = time.perf_counter() - start
    out.update({"features_s_1m": features_s, "fit_s_1m": fit_s, "total_s_1m": features_s + fit_s})

    rec.ranker = LearnedRanker()
    rec.fit(split.train)
    results = compare_models(rec, split.train, split.test, name="learned")
    test = training_data(rec, split.test)
    train = training_data(rec, split.train)
    free = _Unconstrained(args.seed).fit(train.X, train.y)
    extra = evaluate(
        {"gbm_interactions": score_log(free, test, split.test)}, qrels(split.test), ("ndcg@10",)
    )
    overall = results[(results["group"] == "all") & (results["metric"] == "ndcg@10")]
    ndcg = dict(zip(overall["model"], overall["value"], strict=True))
    ndcg["gbm_interactions"] = float(extra.loc[extra["group"] == "all", "value"].iloc[0])
    out["ndcg@10"] = ndcg
    print(json.dumps(out))


if __name__ == "__main__":
    main()
