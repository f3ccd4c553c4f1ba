from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone

from skillmatch.core.features import FEATURE_NAMES
from skillmatch.core.rank import DEFAULT_WEIGHTS, LinearRanker, Ranker

F = len(FEATURE_NAMES)


def test_default_weights_cover_every_feature() -> None:
    assert list(DEFAULT_WEIGHTS) == list(FEATURE_NAMES)
    np.testing.assert_allclose(LinearRanker().coef.sum(), 1.0)
    assert isinstance(LinearRanker(), Ranker)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float32, (7, F), elements={"min_value": 0.0, "max_value": 1.0}))
def test_scores_in_unit_interval_and_contributions_sum(x: np.ndarray) -> None:
    ranker = LinearRanker()
    score = ranker.predict(x)
    assert ((score >= 0) & (score <= 1 + 1e-6)).all()
    np.testing.assert_allclose(ranker.contributions(x).sum(axis=1), score, atol=1e-5)


def test_score_is_block_invariant() -> None:
    x = np.random.default_rng(1).random((100, F), dtype=np.float32)
    ranker = LinearRanker()
    whole = ranker.predict(x)
    singles = np.concatenate([ranker.predict(x[i : i + 1]) for i in range(100)])
    np.testing.assert_array_equal(whole, singles)


def test_custom_weights_and_clone() -> None:
    ranker = LinearRanker(weights={"sponsorship": 0.0, "semantic_fit": 2.0})
    assert clone(ranker).get_params() == ranker.get_params()
    x = np.zeros((1, F), dtype=np.float32)
    x[0, FEATURE_NAMES.index("sponsorship")] = 1.0
    assert ranker.predict(x)[0] == 0.0


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"colour": 1.0}, "Unknown feature 'colour'"),
        ({"goal_fit": -1.0}, "goal_fit"),
        ({n: 0.0 for n in FEATURE_NAMES}, "all be zero"),
    ],
)
def test_bad_weights(weights: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LinearRanker(weights=weights).fit()


def test_wrong_feature_count() -> None:
    with pytest.raises(ValueError, match="columns"):
        LinearRanker().predict(np.zeros((2, F + 1), dtype=np.float32))


# --- LearnedRanker -------------------------------------------------------------------------

from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skillmatch.core.rank import MONOTONIC_INCREASING, LearnedRanker  # noqa: E402


def _toy(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.random((n, F), dtype=np.float32)
    y = 2 * X[:, 0] + np.sin(4 * X[:, 3]) - X[:, 12] + rng.normal(0, 0.2, n)
    return X, y, np.arange(n) // 20


@parametrize_with_checks([LearnedRanker(max_iter=5, min_samples_leaf=1)])
def test_sklearn_estimator_checks(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]


def test_step_functions_reproduce_sklearn_exactly() -> None:
    X, y, groups = _toy()
    ranker = LearnedRanker(max_iter=60).fit(X, y, groups)
    cst = [int(n in MONOTONIC_INCREASING) for n in FEATURE_NAMES]
    reference = HistGradientBoostingRegressor(
        max_iter=60,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=100,
        l2_regularization=1.0,
        monotonic_cst=cst,
        interaction_cst="no_interactions",
        early_stopping=False,
        random_state=0,
    ).fit(X.astype(np.float64), y, sample_weight=np.full(len(y), 1 / 20))
    np.testing.assert_allclose(
        ranker.predict(X), reference.predict(X.astype(np.float64)), atol=1e-9
    )


def test_monotonic_features_never_hurt() -> None:
    X, y, groups = _toy()
    y = y - 3 * X[:, FEATURE_NAMES.index("skill_gain")]  # the data says "more gain is worse"
    ranker = LearnedRanker(max_iter=40).fit(X, y, groups)
    for name in MONOTONIC_INCREASING:
        values = ranker.values_[FEATURE_NAMES.index(name)]
        assert (np.diff(values) >= -1e-12).all(), name


def test_contributions_add_up_and_block_invariance() -> None:
    X, y, groups = _toy()
    ranker = LearnedRanker(max_iter=30).fit(X, y, groups)
    block = X[:60].reshape(3, 20, F)
    scores = ranker.predict(block)
    assert scores.shape == (3, 20)
    np.testing.assert_array_equal(
        scores.ravel(), np.concatenate([ranker.predict(X[i : i + 1]) for i in range(60)])
    )
    contrib = ranker.contributions(block)
    assert (contrib >= 0).all()
    np.testing.assert_allclose(contrib.sum(-1) + ranker.intercept_, scores, atol=1e-4)
    # float32 pair features read the grids; the steps are those of the float64 search
    m = max(len(t) for t in ranker.thresholds_)
    at_cuts = np.zeros((1, m, F), dtype=np.float32)
    for f, t in enumerate(ranker.thresholds_):  # each cut itself, rounded to float32
        at_cuts[0, : len(t), f] = t
    x32 = np.concatenate([block.reshape(1, -1, F).astype(np.float32), at_cuts], axis=1)
    np.testing.assert_array_equal(
        ranker.contributions(x32), ranker.contributions(x32.astype(np.float64))
    )


def test_state_round_trip() -> None:
    X, y, groups = _toy()
    ranker = LearnedRanker(max_iter=20).fit(X, y, groups)
    meta, arrays = ranker.to_state()
    back = LearnedRanker.from_state(meta, arrays)
    np.testing.assert_array_equal(back.predict(X), ranker.predict(X))
    assert back.get_params() == ranker.get_params()
    broken = dict(arrays)
    broken["semantic_fit.values"] = broken["semantic_fit.values"][:-1]
    with pytest.raises(ValueError, match="semantic_fit"):
        LearnedRanker.from_state(meta, broken)


def test_groups_shape_is_checked() -> None:
    X, y, _ = _toy(200)
    with pytest.raises(ValueError, match="groups"):
        LearnedRanker(max_iter=2).fit(X, y, np.arange(3))


@settings(max_examples=40, deadline=None)
@given(
    cuts=hnp.arrays(np.float64, st.integers(0, 30), elements=st.floats(-0.1, 1.1)),
    x=hnp.arrays(np.float32, 64, elements=st.floats(0.0, 1.0, width=32)),
)
def test_grid_lookup_equals_search(cuts: np.ndarray, x: np.ndarray) -> None:
    from skillmatch.core._steps import GRID
    from skillmatch.core._steps import Grid as _Grid

    cuts = np.unique(cuts)
    values = np.arange(len(cuts) + 1, dtype=np.float64) * 0.5
    grid = _Grid(cuts, values)
    # the cuts themselves, their float32 neighbours and cell edges are the hard cases
    c32 = cuts.astype(np.float32)
    edges = np.array([0.0, 1.0, 1 / GRID, 1 - 1 / GRID, 0.5], dtype=np.float32)
    probes = np.concatenate(
        [x, c32, np.nextafter(c32, np.float32(2)), np.nextafter(c32, np.float32(-2)), edges]
    )
    inside = probes[(probes >= 0) & (probes <= 1)]
    want = values[np.searchsorted(grid.cuts, inside, side="left")]
    np.testing.assert_array_equal(grid.lookup(inside), want)
    # outside [0, 1] or NaN: searched, still exact
    wide = np.concatenate([inside, np.array([-0.5, 1.5, np.nan], dtype=np.float32)])
    np.testing.assert_array_equal(
        grid.lookup(wide), values[np.searchsorted(grid.cuts, wide, side="left")]
    )


def test_grid_lookup_with_cuts_on_cell_edges() -> None:
    from skillmatch.core._steps import GRID
    from skillmatch.core._steps import Grid as _Grid

    cuts = np.array([0.0, 0.5, 0.5 + 0.5 / GRID, 1.0])  # on edges, and inside a cell
    grid = _Grid(cuts, np.array([10.0, 20.0, 30.0, 40.0, 50.0]))
    x = np.array(
        [0.0, -0.0, 1e-40, 0.5, np.nextafter(0.5, 1), 0.5 + 0.5 / GRID, 0.75, 1.0],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(
        grid.lookup(x), grid.values[np.searchsorted(grid.cuts, x, side="left")]
    )
    assert grid.lookup(np.zeros(3, dtype=np.float32)).tolist() == [10.0] * 3
