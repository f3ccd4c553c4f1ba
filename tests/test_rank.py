from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp
from sklearn.base import clone

from skillmatch.features import FEATURE_NAMES
from skillmatch.rank import DEFAULT_WEIGHTS, LinearRanker, Ranker

F = len(FEATURE_NAMES)


def test_default_weights_cover_every_feature() -> None:
    assert list(DEFAULT_WEIGHTS) == list(FEATURE_NAMES)
    np.testing.assert_allclose(LinearRanker().coef.sum(), 1.0)
    assert isinstance(LinearRanker(), Ranker)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float32, (7, F), elements={"min_value": 0.0, "max_value": 1.0}))
def test_scores_in_unit_interval_and_contributions_sum(x: np.ndarray) -> None:
    ranker = LinearRanker()
    score = ranker.score(x)
    assert ((score >= 0) & (score <= 1 + 1e-6)).all()
    np.testing.assert_allclose(ranker.contributions(x).sum(axis=1), score, atol=1e-5)


def test_score_is_block_invariant() -> None:
    x = np.random.default_rng(1).random((100, F), dtype=np.float32)
    ranker = LinearRanker()
    whole = ranker.score(x)
    singles = np.concatenate([ranker.score(x[i : i + 1]) for i in range(100)])
    np.testing.assert_array_equal(whole, singles)


def test_custom_weights_and_clone() -> None:
    ranker = LinearRanker(weights={"sponsorship": 0.0, "semantic_fit": 2.0})
    assert clone(ranker).get_params() == ranker.get_params()
    x = np.zeros((1, F), dtype=np.float32)
    x[0, FEATURE_NAMES.index("sponsorship")] = 1.0
    assert ranker.score(x)[0] == 0.0


@pytest.mark.parametrize(
    ("weights", "match"),
    [({"colour": 1.0}, "Unknown feature 'colour'"), ({"goal_fit": -1.0}, "goal_fit"),
     ({n: 0.0 for n in FEATURE_NAMES}, "all be zero")],
)
def test_bad_weights(weights: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LinearRanker(weights=weights).fit()


def test_wrong_feature_count() -> None:
    with pytest.raises(ValueError, match="columns"):
        LinearRanker().score(np.zeros((2, F + 1), dtype=np.float32))
