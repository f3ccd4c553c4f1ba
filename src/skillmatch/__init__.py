"""skillmatch: course matching for industrial workers.

Embeds worker skill profiles and program descriptions, ranks programs by fit with the worker
and with the industrial, supply and innovation chains of the worker's region under hard
constraints, and explains every recommendation in plain words (English and Chinese).

>>> import skillmatch
>>> rec = skillmatch.Recommender.load()  # doctest: +SKIP
"""

from __future__ import annotations

from skillmatch._version import __version__
from skillmatch.encode import Encoder
from skillmatch.errors import (
    MissingDependencyError,
    ModelFormatError,
    ModelNotFoundError,
    SchemaError,
    SkillmatchError,
    UnknownIdError,
)
from skillmatch.evaluate import evaluate
from skillmatch.features import FeatureBuilder
from skillmatch.rank import LearnedRanker, LinearRanker
from skillmatch.recommend import Recommender, score_frame
from skillmatch.schema import Explanation, Program, Reason, Recommendation, SkillClaim, Worker
from skillmatch.vocab import SkillVocabulary

__all__ = [
    "Encoder",
    "Explanation",
    "FeatureBuilder",
    "LearnedRanker",
    "LinearRanker",
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "Program",
    "Reason",
    "Recommendation",
    "Recommender",
    "SchemaError",
    "SkillClaim",
    "SkillVocabulary",
    "SkillmatchError",
    "UnknownIdError",
    "Worker",
    "__version__",
    "evaluate",
    "score_frame",
]
