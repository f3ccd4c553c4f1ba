"""skillmatch: course matching for industrial workers.

Embeds worker skill profiles and program descriptions, ranks programs by fit with the worker
and with the industrial, supply and innovation chains of the worker's region under hard
constraints, and explains every recommendation in plain words (English and Chinese).

>>> import skillmatch
>>> rec = skillmatch.Recommender.load()  # doctest: +SKIP
"""

from __future__ import annotations

import typing

from skillmatch._version import __version__
from skillmatch.core import FeatureBuilder, LearnedRanker, LinearRanker, Recommender, score_frame
from skillmatch.errors import (
    MissingDependencyError,
    ModelFormatError,
    ModelNotFoundError,
    SchemaError,
    SkillmatchError,
    UnknownIdError,
)
from skillmatch.schema import Explanation, Program, Reason, Recommendation, SkillClaim, Worker
from skillmatch.text import Encoder, SkillVocabulary

if typing.TYPE_CHECKING:
    from skillmatch.learn.evaluate import evaluate
else:  # the module skillmatch.evaluate, which is also the function (see its docstring)
    from skillmatch import evaluate

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
