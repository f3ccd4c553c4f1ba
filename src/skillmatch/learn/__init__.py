"""Learning layer: training from interaction logs, baselines, evaluation, metrics and reports.

``skillmatch.evaluate`` re-exports :mod:`skillmatch.learn.evaluate`.
"""

from __future__ import annotations

from skillmatch.learn.baselines import BM25Baseline, PopularityBaseline, embedding_ranker
from skillmatch.learn.evaluate import (
    RESULT_COLUMNS,
    catalogue_coverage,
    compute_metrics,
    evaluate,
    metrics_by_group,
)
from skillmatch.learn.groups import age_band, exposure_by_group
from skillmatch.learn.metrics import METRICS, MetricSpec, parse_metric
from skillmatch.learn.report import write_report
from skillmatch.learn.splitters import (
    Split,
    split_by_program,
    split_by_time,
    split_by_worker,
    worker_folds,
)
from skillmatch.learn.training import (
    DEFAULT_METRICS,
    Predictor,
    compare_models,
    model_card,
    qrels,
    runs_for,
    score_log,
    worker_groups,
)

__all__ = [
    "DEFAULT_METRICS",
    "METRICS",
    "RESULT_COLUMNS",
    "BM25Baseline",
    "MetricSpec",
    "PopularityBaseline",
    "Predictor",
    "Split",
    "age_band",
    "catalogue_coverage",
    "compare_models",
    "compute_metrics",
    "embedding_ranker",
    "evaluate",
    "exposure_by_group",
    "metrics_by_group",
    "model_card",
    "parse_metric",
    "qrels",
    "runs_for",
    "score_log",
    "split_by_program",
    "split_by_time",
    "split_by_worker",
    "worker_folds",
    "worker_groups",
    "write_report",
]
