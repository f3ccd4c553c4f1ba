"""Compare rankers on an interaction log: runs, qrels, metrics, group breakdowns, model card.

The log contract (columns, catalogue digest, workers and features of logged impressions)
lives in :mod:`skillmatch.core.logs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from skillmatch.core import (
    FEATURE_NAMES,
    LOG_COLUMNS,
    Recommender,
    TrainingData,
    log_features,
    log_workers,
)
from skillmatch.learn.report import markdown_table
from skillmatch.schema import Worker

__all__ = [
    "DEFAULT_METRICS",
    "Predictor",
    "compare_models",
    "model_card",
    "qrels",
    "runs_for",
    "score_log",
    "training_data",
    "worker_groups",
]


class Predictor(Protocol):
    """Anything that scores pair features, as :func:`score_log` and :func:`runs_for` need.

    A :class:`~skillmatch.core.Ranker` is one, and so is a fitted scikit-learn regressor
    trained on ``TrainingData.X``.
    """

    def predict(self, features: NDArray[np.float32], /) -> ArrayLike:
        """Scores of shape ``features.shape[:-1]``; higher is better."""
        ...


def training_data(
    rec: Recommender, log: pd.DataFrame, *, block_size: int = 2048, progress: bool = False
) -> TrainingData:
    """:func:`~skillmatch.core.log_features` under the catalogue of ``rec``."""
    return log_features(rec.fitted_features(), log, block_size=block_size, progress=progress)


def score_log(ranker: Predictor, data: TrainingData, log: pd.DataFrame) -> pd.DataFrame:
    """A run (``worker_id, program_id, score``) of ``ranker`` over the logged impressions."""
    return pd.DataFrame(
        {
            "worker_id": log["worker_id"].to_numpy(),
            "program_id": log["program_id"].to_numpy(),
            "score": np.asarray(ranker.predict(data.X), dtype=np.float64),
        }
    )


def qrels(log: pd.DataFrame) -> pd.DataFrame:
    """Ground truth of a log: ``worker_id, program_id, relevance``."""
    return log[list(LOG_COLUMNS)].copy()


def runs_for(
    rankers: Mapping[str, Predictor], data: TrainingData, log: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """One run per named ranker (anything with ``predict(features)``, see :class:`Predictor`)."""
    return {name: score_log(r, data, log) for name, r in rankers.items()}


#: Metrics reported by :func:`compare_models` (and the CLI).
DEFAULT_METRICS: tuple[str, ...] = ("ndcg@10", "ndcg@5", "recall@10", "map@10", "mrr")


def worker_groups(workers: list[Worker]) -> pd.DataFrame:
    """Group attributes for fairness reporting: migrant, gender, region and age band."""
    from skillmatch.learn.evaluate import age_band

    frame = pd.DataFrame(
        {
            "worker_id": [w.worker_id for w in workers],
            "migrant": [w.migrant for w in workers],
            "gender": [w.gender or "unknown" for w in workers],
            "region": [w.region for w in workers],
        }
    )
    ages = pd.Series([w.age for w in workers], dtype="float64")
    frame["age_band"] = "unknown"
    known = ages.notna().to_numpy() & (ages.fillna(0).to_numpy() >= 16)
    if known.any():
        frame.loc[known, "age_band"] = age_band(ages[known]).to_numpy()
    return frame


def compare_models(
    rec: Recommender,
    train_log: pd.DataFrame,
    test_log: pd.DataFrame,
    *,
    name: str = "model",
    metrics: tuple[str, ...] = DEFAULT_METRICS,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate ``rec``'s ranker and the baselines on the impressions of ``test_log``.

    Each model re-ranks every test worker's logged impressions; popularity is counted on
    ``train_log``. Returns the tidy ``model, metric, group, value`` table of
    :func:`skillmatch.learn.evaluate.evaluate`, with groups by migrant status, gender and age band.
    """
    from skillmatch.core import LinearRanker
    from skillmatch.learn.baselines import BM25Baseline, PopularityBaseline, embedding_ranker
    from skillmatch.learn.evaluate import evaluate

    data = training_data(rec, test_log, progress=progress)
    workers = log_workers(test_log)
    runs = {
        "popularity": PopularityBaseline().fit(train_log).run(test_log),
        "bm25": BM25Baseline().fit(rec.programs).run(test_log, workers),
        **runs_for(
            {"embedding": embedding_ranker(), "linear": LinearRanker(), name: rec.ranker_},
            data,
            test_log,
        ),
    }
    return evaluate(
        runs,
        qrels(test_log),
        metrics,
        groups=worker_groups(workers),
        group_columns=("migrant", "gender", "age_band"),
        catalogue_size=len(rec.programs),
    )


def model_card(
    results: pd.DataFrame,
    *,
    n_train: int,
    n_test: int,
    source: str,
    truth: pd.DataFrame | None = None,
) -> str:
    """A MODEL_CARD.md for a bundle trained on a log, with the comparison table.

    ``truth`` is a :func:`skillmatch.sim.truth_check` table, for a model trained on
    simulated data: full-catalogue rankings judged by the simulator's hidden utility.
    """
    overall = results[results["group"] == "all"].pivot_table(
        index="model", columns="metric", values="value", sort=False
    )
    groups = results[(results["group"] != "all") & (results["metric"] == "ndcg@10")]
    by_group = groups.pivot_table(index="group", columns="model", values="value", sort=False)
    return "\n".join(
        [
            "# skillmatch ranker: model card",
            "",
            *_MODEL_SECTION,
            *_data_section(source, n_train, n_test),
            "## Results on held-out workers (re-ranking their logged impressions)",
            "",
            markdown_table(overall),
            "",
            "## NDCG@10 by group",
            "",
            markdown_table(by_group),
            "",
            *_truth_section(truth),
            *_LIMITS_SECTION,
        ]
    )


_MODEL_SECTION: tuple[str, ...] = (
    "## Model",
    "`LearnedRanker`: histogram gradient boosting without feature interactions (one",
    "non-decreasing step function per fit feature), trained on graded relevance",
    "(1 click, 2 enrolment, 3 completion) of logged impressions, each worker weighted",
    "equally.",
    f"Features: {', '.join(FEATURE_NAMES)}.",
    "",
)
_LIMITS_SECTION: tuple[str, ...] = (
    "## Intended use and limits",
    "- Ranking continuing-education programs for industrial workers inside a host",
    "  platform; hard constraints (eligibility, capacity, quotas) are applied outside",
    "  the model.",
    "- If trained on simulated data (the default bundle is), it has learned the",
    "  simulator's hidden utility, not real workers' behaviour: retrain on real",
    "  enrolment and completion logs before production, and check the group table for",
    "  disparities after retraining.",
    "- Logged impressions come from a logging policy; offline metrics over re-ranked",
    "  impressions carry that policy's position and selection bias.",
    "",
)


def _data_section(source: str, n_train: int, n_test: int) -> list[str]:
    return [
        "## Data",
        f"Interaction log `{source}`: {n_train:,} impressions for training and {n_test:,} for",
        "evaluation, split by worker (no worker on both sides).",
        "",
    ]


def _truth_section(truth: pd.DataFrame | None) -> list[str]:
    if truth is None:
        return []
    table = truth.set_index("model").round(3)
    return [
        "## Full-catalogue rankings judged by the simulator's hidden utility",
        "",
        "Fresh simulated workers, every eligible program ranked, top 10 kept; `true_utility`",
        "is the mean hidden utility of the listed programs and `true_ndcg` the NDCG against",
        "the utility (oracle = 1). Re-ranking logged impressions (above) cannot see a model that",
        "ranks the whole catalogue badly; this can (skillmatch.simulate.truth_check).",
        "",
        markdown_table(table),
        "",
    ]
