"""Rankers: turn pair features into scores behind one protocol.

A ranker maps an array of features of shape ``(..., n_features)`` (columns in
:data:`~skillmatch.features.FEATURE_NAMES` order) to scores of shape ``(...)`` and can say how
much each feature contributed. :class:`LinearRanker` is the transparent default; the learned
ranker of :mod:`skillmatch.learn` implements the same protocol.

Examples
--------
>>> import numpy as np
>>> from skillmatch.features import FEATURE_NAMES
>>> ranker = LinearRanker()
>>> x = np.zeros((1, len(FEATURE_NAMES)), dtype=np.float32)
>>> x[0, FEATURE_NAMES.index("semantic_fit")] = 1.0
>>> round(float(ranker.score(x)[0]), 4)
0.2752
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator

from skillmatch.features import FEATURE_NAMES

__all__ = ["DEFAULT_WEIGHTS", "LinearRanker", "Ranker"]

FloatArray = NDArray[np.float32]

#: Default weights of :class:`LinearRanker`, chosen by hand to be easy to defend to a worker:
#: fit with what the worker knows and wants first, then what the region's chains need, then
#: whether the worker can actually attend and afford it.
DEFAULT_WEIGHTS: dict[str, float] = {
    "semantic_fit": 3.0,
    "goal_fit": 2.0,
    "prereq_coverage": 0.8,
    "skill_gain": 0.6,
    "chain_industrial": 0.6,
    "chain_supply": 0.6,
    "chain_innovation": 0.3,
    "credential_uplift": 0.5,
    "schedule_fit": 0.6,
    "hours_fit": 0.4,
    "modality_fit": 0.3,
    "affordability": 0.5,
    "credit_transfer": 0.2,
    "sponsorship": 0.5,
}


@runtime_checkable
class Ranker(Protocol):
    """What the :class:`~skillmatch.recommend.Recommender` needs from a ranker."""

    def score(self, features: FloatArray) -> FloatArray:
        """Scores of shape ``features.shape[:-1]``; higher is better."""
        ...

    def contributions(self, features: FloatArray) -> FloatArray:
        """Additive per-feature contributions, same shape as ``features``."""
        ...


class LinearRanker(BaseEstimator):  # type: ignore[misc]
    """A weighted sum of the features, normalised so that scores lie in [0, 1].

    Parameters
    ----------
    weights : mapping of str to float, default=None
        Non-negative weight per feature name; missing names keep their
        :data:`DEFAULT_WEIGHTS` value. ``None`` uses the defaults.

    Notes
    -----
    The score is computed feature by feature in float64, in a fixed order, so it is bit-for-bit
    the same whether a worker is scored alone or in a block of a million.
    """

    def __init__(self, *, weights: Mapping[str, float] | None = None) -> None:
        self.weights = weights

    def fit(self, X: object = None, y: object = None) -> LinearRanker:
        """Validate the weights (nothing is learned); returns self."""
        self._coef()
        return self

    def _coef(self) -> NDArray[np.float64]:
        merged = dict(DEFAULT_WEIGHTS)
        for name, value in (self.weights or {}).items():
            if name not in DEFAULT_WEIGHTS:
                raise ValueError(
                    f"Unknown feature {name!r} in weights; expected one of {sorted(FEATURE_NAMES)}"
                )
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weights[{name!r}] must be finite and >= 0, got {value!r}")
            merged[name] = float(value)
        coef = np.array([merged[n] for n in FEATURE_NAMES], dtype=np.float64)
        total = coef.sum()
        if total <= 0:
            raise ValueError(f"weights must not all be zero, got {dict(merged)!r}")
        return coef / total

    @property
    def coef(self) -> NDArray[np.float64]:
        """Normalised weights in :data:`FEATURE_NAMES` order (they sum to 1)."""
        return self._coef()

    def score(self, features: FloatArray) -> FloatArray:
        """Weighted sum of ``features`` (shape ``(..., n_features)``)."""
        _check_features(features)
        coef = self._coef()
        total = np.zeros(features.shape[:-1], dtype=np.float64)
        for j, w in enumerate(coef):
            total += w * features[..., j].astype(np.float64)
        return total.astype(np.float32)

    def contributions(self, features: FloatArray) -> FloatArray:
        """``weight * value`` per feature; sums to :meth:`score`."""
        _check_features(features)
        return (features.astype(np.float64) * self._coef()).astype(np.float32)


def _check_features(features: FloatArray) -> None:
    if features.shape[-1] != len(FEATURE_NAMES):
        raise ValueError(
            f"features must have {len(FEATURE_NAMES)} columns ({', '.join(FEATURE_NAMES)}), "
            f"got shape {features.shape}"
        )
