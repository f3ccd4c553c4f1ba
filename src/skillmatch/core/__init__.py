"""Core layer: chains, worker columns and blocks, features, rankers, top-k, reasons,
explanations, the :class:`Recommender`, the bundle and the interaction-log contract.

Imports :mod:`skillmatch.text` and the schema; the layers above (learn, sim, batch, service,
cli) use the names exported here and nothing private.
"""

from __future__ import annotations

from skillmatch.core.bundle import (
    BUNDLE_FORMAT,
    BundleParts,
    LoadedBundle,
    default_bundle_path,
    read_bundle,
    register_ranker,
    verify_bundle,
    write_bundle,
)
from skillmatch.core.chains import ChainContext, ChainMap
from skillmatch.core.columns import (
    ColumnsResult,
    WorkerColumns,
    columns_from_arrow,
    columns_from_frame,
)
from skillmatch.core.features import EXCLUSION_CODES, FEATURE_NAMES, FeatureBuilder, PairFeatures
from skillmatch.core.frames import (
    ERROR_COLUMNS,
    ParseResult,
    first_error,
    models_from_frame,
    models_to_frame,
    programs_from_frame,
    workers_from_frame,
)
from skillmatch.core.logs import (
    CATALOGUE_METADATA_KEY,
    LOG_COLUMNS,
    TrainingData,
    catalogue_digest,
    check_log_catalogue,
    log_features,
    log_workers,
    program_prior,
)
from skillmatch.core.rank import (
    DEFAULT_WEIGHTS,
    MONOTONIC_INCREASING,
    LearnedRanker,
    LinearRanker,
    Ranker,
)
from skillmatch.core.recommend import PHRASE_CACHE_BYTES, Recommender, score_frame
from skillmatch.core.scoring import SCORE_COLUMNS, ScoredArrays, Scorer
from skillmatch.core.topk import TopK, check_k, top_k

__all__ = [
    "BUNDLE_FORMAT",
    "PHRASE_CACHE_BYTES",
    "CATALOGUE_METADATA_KEY",
    "DEFAULT_WEIGHTS",
    "ERROR_COLUMNS",
    "EXCLUSION_CODES",
    "FEATURE_NAMES",
    "LOG_COLUMNS",
    "MONOTONIC_INCREASING",
    "SCORE_COLUMNS",
    "BundleParts",
    "ChainContext",
    "ChainMap",
    "ColumnsResult",
    "FeatureBuilder",
    "LearnedRanker",
    "LinearRanker",
    "LoadedBundle",
    "PairFeatures",
    "ParseResult",
    "Ranker",
    "Recommender",
    "ScoredArrays",
    "Scorer",
    "TopK",
    "TrainingData",
    "WorkerColumns",
    "catalogue_digest",
    "check_k",
    "check_log_catalogue",
    "columns_from_arrow",
    "columns_from_frame",
    "default_bundle_path",
    "first_error",
    "log_features",
    "log_workers",
    "models_from_frame",
    "models_to_frame",
    "program_prior",
    "programs_from_frame",
    "read_bundle",
    "register_ranker",
    "score_frame",
    "top_k",
    "verify_bundle",
    "workers_from_frame",
    "write_bundle",
]
