"""Rankers: turn pair features into scores behind one protocol.

A ranker maps an array of features of shape ``(..., n_features)`` (columns in
:data:`~skillmatch.core.features.FEATURE_NAMES` order) to scores of shape ``(...)`` and can say how
much each feature contributed. :class:`LinearRanker` is the transparent default; the learned
ranker of :mod:`skillmatch.learn` implements the same protocol.

Examples
--------
>>> import numpy as np
>>> from skillmatch.core.features import FEATURE_NAMES
>>> ranker = LinearRanker()
>>> x = np.zeros((1, len(FEATURE_NAMES)), dtype=np.float32)
>>> x[0, FEATURE_NAMES.index("semantic_fit")] = 1.0
>>> round(float(ranker.predict(x)[0]), 4)
0.0583
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skillmatch.core._steps import Grid, boost, grids, group_weights, step_functions
from skillmatch.core._types import FloatArray
from skillmatch.core.features import FEATURE_NAMES

__all__ = [
    "DEFAULT_WEIGHTS",
    "MONOTONIC_INCREASING",
    "LearnedRanker",
    "LinearRanker",
    "Ranker",
]


#: Default weights of :class:`LinearRanker`, easy to defend to a worker: a goal that clearly
#: names a program first (``goal_fit`` is 0 without a goal, so the weight only acts on workers
#: who state one), then growth from and fit with what the worker knows, then what the region's
#: chains need, then whether the worker can attend and afford it. ``program_prior`` (learned
#: from logs) is left to the learned ranker. The text weights (semantic_fit, goal_fit,
#: skill_gain) were tuned on the dev half of real-taxonomy catalogues
#: (``benchmarks/bench_ranking.py``): no single feature ranks better than these.
DEFAULT_WEIGHTS: dict[str, float] = {
    "semantic_fit": 2.0,
    "goal_fit": 24.0,
    "prereq_coverage": 0.8,
    "skill_gain": 3.0,
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
    "program_prior": 0.0,
}


@runtime_checkable
class Ranker(Protocol):
    """What the :class:`~skillmatch.core.recommend.Recommender` needs from a ranker."""

    def predict(self, features: FloatArray) -> FloatArray:
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
        return np.asarray(coef / total, dtype=np.float64)

    @property
    def coef(self) -> NDArray[np.float64]:
        """Normalised weights in :data:`FEATURE_NAMES` order (they sum to 1)."""
        return self._coef()

    def predict(self, features: FloatArray) -> FloatArray:
        """Weighted sum of ``features`` (shape ``(..., n_features)``)."""
        _check_features(features)
        coef = self._coef()
        total = np.zeros(features.shape[:-1], dtype=np.float64)
        for j, w in enumerate(coef):
            total += w * features[..., j].astype(np.float64)
        return total.astype(np.float32)

    def contributions(self, features: FloatArray) -> FloatArray:
        """``weight * value`` per feature; sums to :meth:`predict`."""
        _check_features(features)
        return (features.astype(np.float64) * self._coef()).astype(np.float32)


def _check_features(features: FloatArray) -> None:
    if features.shape[-1] != len(FEATURE_NAMES):
        raise ValueError(
            f"features must have {len(FEATURE_NAMES)} columns ({', '.join(FEATURE_NAMES)}), "
            f"got shape {features.shape}"
        )


#: Features whose effect the learned ranker may shape freely: knowing more of a program
#: already (``credit_transfer``) can make it more or less attractive.
UNCONSTRAINED: tuple[str, ...] = ("credit_transfer",)
#: Features for which more must never lower the learned score: all the others.
MONOTONIC_INCREASING: tuple[str, ...] = tuple(n for n in FEATURE_NAMES if n not in UNCONSTRAINED)


class LearnedRanker(BaseEstimator):  # type: ignore[misc]
    """Gradient-boosted additive ranker learned from interaction logs.

    A ``HistGradientBoostingRegressor`` fitted on graded relevance (0 none, 1 click, 2 enrol,
    3 completion) with **no feature interactions** and monotonic constraints: the model is then
    a sum of one step function per feature, ``score = intercept_ + sum_f g_f(x_f)``, each
    ``g_f`` non-decreasing for the features in :data:`MONOTONIC_INCREASING`. That gives exact
    per-feature contributions for explanations, a bundle of plain arrays (thresholds and values)
    instead of a pickled model, and scoring by ``searchsorted`` that keeps up with batch work.
    ``benchmarks/README.md`` compares it with unconstrained boosted trees.

    Parameters
    ----------
    max_iter : int, default=300
        Boosting iterations.
    learning_rate : float, default=0.1
    max_leaf_nodes : int, default=15
    min_samples_leaf : int, default=100
    l2_regularization : float, default=1.0
    monotonic : bool, default=True
        Constrain the features of :data:`MONOTONIC_INCREASING` to be non-decreasing.
    per_worker_weight : bool, default=True
        Weight impressions by ``1 / n_impressions`` of their worker (``groups``) so every
        worker counts equally.
    random_state : int, default=0
    verbose : int, default=0
        ``1`` shows a progress bar over boosting iterations.

    Attributes
    ----------
    thresholds_ : list of ndarray
        Per feature, the sorted split thresholds of its step function.
    values_ : list of ndarray
        Per feature, ``len(thresholds_[f]) + 1`` step values; their minimum is 0.
    intercept_ : float
        Score when every feature takes its least favourable step.
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((2000, len(FEATURE_NAMES))).astype(np.float32)
    >>> y = 3 * X[:, 0] + rng.normal(0, 0.1, 2000)
    >>> ranker = LearnedRanker(max_iter=50).fit(X, y)
    >>> ranker.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        max_iter: int = 300,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        monotonic: bool = True,
        per_worker_weight: bool = True,
        random_state: int = 0,
        verbose: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic = monotonic
        self.per_worker_weight = per_worker_weight
        self.random_state = random_state
        self.verbose = verbose

    def fit(
        self, X: NDArray[Any], y: NDArray[Any], groups: NDArray[Any] | None = None
    ) -> LearnedRanker:
        """Fit on pair features ``X`` (n, n_features) and graded relevance ``y`` (n,)."""
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.utils.validation import check_X_y

        X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        named = X.shape[1] == len(FEATURE_NAMES)  # pair features: constraints apply by name
        weight = group_weights(groups, len(y)) if self.per_worker_weight else None
        cst = (
            [int(self.monotonic and n in MONOTONIC_INCREASING) for n in FEATURE_NAMES]
            if named
            else None
        )
        model = HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            monotonic_cst=cst,
            interaction_cst="no_interactions",
            early_stopping=False,
            random_state=self.random_state,
            warm_start=bool(self.verbose),
        )
        boost(model, X, y, weight, self.max_iter, bool(self.verbose))
        self.thresholds_, values, baseline = step_functions(model, X.shape[1])
        lows = [float(v.min()) for v in values]
        self.values_ = [v - low for v, low in zip(values, lows, strict=True)]
        self.intercept_ = float(baseline + sum(lows))
        self.n_features_in_ = X.shape[1]
        self._grids = grids(self.thresholds_, self.values_)
        return self

    def _steps(self, X: NDArray[Any]) -> NDArray[np.float64]:
        """Per-feature step values of the rows of a 2-D ``X``."""
        out = np.empty(X.shape, dtype=np.float64)
        for f, (t, v) in enumerate(zip(self.thresholds_, self.values_, strict=True)):
            out[:, f] = v[np.searchsorted(t, X[:, f], side="left")]
        return out

    def _check_X(self, X: NDArray[Any]) -> NDArray[np.float64]:
        from sklearn.utils.validation import check_array

        check_is_fitted(self, "values_")
        X = check_array(X, dtype=np.float64)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but LearnedRanker is expecting "
                f"{self.n_features_in_} features as input"
            )
        return X

    def predict(self, X: NDArray[Any]) -> NDArray[np.float64]:
        """Predicted relevance of each row of ``X``, shape ``X.shape[:-1]``.

        ``X`` is 2-D ``(n, n_features)`` or, as for the ranker protocol, any array whose last
        axis holds the features. float32 input (pair features, finite by construction) takes
        a fast path that reads each feature plane in place; results are the same.
        """
        X = np.asarray(X)
        if (
            X.dtype == np.float32
            and X.ndim >= 2
            and X.shape[-1] == self.__dict__.get("n_features_in_")
        ):
            return self._predict_float32(X)
        lead = X.shape[:-1] if X.ndim > 2 else None
        flat = self._check_X(X.reshape(-1, X.shape[-1]) if lead is not None else X)
        pred = np.full(len(flat), self.intercept_, dtype=np.float64)
        for f, (t, v) in enumerate(zip(self.thresholds_, self.values_, strict=True)):
            pred += v[np.searchsorted(t, flat[:, f], side="left")]
        return pred.reshape(lead) if lead is not None else pred

    def _predict_float32(self, X: NDArray[np.float32]) -> NDArray[np.float64]:
        """Sum of step values, feature by feature, with thresholds rounded down to float32.

        For a float32 ``x`` and a float64 threshold ``t``, ``x > t`` exactly when ``x > t32``
        where ``t32`` is the largest float32 not above ``t``, so steps match the float64 path.
        A feature plane inside [0, 1] is looked up on a grid instead of searched (see
        :class:`~skillmatch.core._steps.Grid`); the step values, and their order of summation,
        are the same.
        """
        total = np.full(X.shape[:-1], self.intercept_, dtype=np.float64)
        for f, grid in enumerate(self._lookups()):
            total += grid.lookup(X[..., f])
        return total

    def _lookups(self) -> list[Grid]:
        cached: list[Grid] | None = self.__dict__.get("_grids")
        return cached if cached is not None else grids(self.thresholds_, self.values_)

    def contributions(self, features: FloatArray) -> FloatArray:
        """``g_f(x_f)`` per feature (each >= 0); they sum to ``predict - intercept_``."""
        _check_features(features)
        if features.dtype == np.float32 and self.__dict__.get("n_features_in_") == len(
            FEATURE_NAMES
        ):  # pair features: the step values read off the grids, as in predict
            planes = np.moveaxis(features, -1, 0).reshape(features.shape[-1], -1).copy()
            out = np.empty(planes.shape, dtype=np.float32)  # feature-major: contiguous lookups
            for f, grid in enumerate(self._lookups()):
                out[f] = grid.lookup(planes[f])
            return np.ascontiguousarray(np.moveaxis(out.reshape(-1, *features.shape[:-1]), 0, -1))
        flat = self._check_X(features.reshape(-1, features.shape[-1]))
        return self._steps(flat).astype(np.float32).reshape(features.shape)

    def to_state(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON metadata and plain arrays for the model bundle (no pickle)."""
        check_is_fitted(self, "values_")
        if self.n_features_in_ != len(FEATURE_NAMES):
            raise ValueError("only a ranker fitted on FEATURE_NAMES columns can be saved")
        meta = {
            "type": "LearnedRanker",
            "params": self.get_params(),
            "intercept": self.intercept_,
            "feature_names": list(FEATURE_NAMES),
        }
        arrays: dict[str, NDArray[Any]] = {}
        for f, name in enumerate(FEATURE_NAMES):
            arrays[f"{name}.thresholds"] = self.thresholds_[f]
            arrays[f"{name}.values"] = self.values_[f]
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> LearnedRanker:
        """Rebuild a fitted ranker from :meth:`to_state` output."""
        if meta.get("feature_names") != list(FEATURE_NAMES):
            raise ValueError("ranker feature_names do not match FEATURE_NAMES")
        ranker = cls(**meta["params"])
        ranker.thresholds_ = [
            np.asarray(arrays[f"{n}.thresholds"], dtype=np.float64) for n in FEATURE_NAMES
        ]
        ranker.values_ = [
            np.asarray(arrays[f"{n}.values"], dtype=np.float64) for n in FEATURE_NAMES
        ]
        for n, t, v in zip(FEATURE_NAMES, ranker.thresholds_, ranker.values_, strict=True):
            if t.ndim != 1 or v.shape != (len(t) + 1,) or (np.diff(t) < 0).any():
                raise ValueError(f"ranker arrays for feature {n!r} are malformed")
        ranker.intercept_ = float(meta["intercept"])
        ranker.n_features_in_ = len(FEATURE_NAMES)
        ranker._grids = grids(ranker.thresholds_, ranker.values_)
        return ranker
