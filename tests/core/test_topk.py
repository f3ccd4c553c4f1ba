from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skillmatch.core.topk import check_k, top_k

VALUES = st.sampled_from([-np.inf, -1.0, -0.0, 0.0, 0.25, 0.5, 0.5, 1.0, np.inf, np.nan])


@settings(max_examples=200, deadline=None)
@given(
    scores=hnp.arrays(
        np.float32, hnp.array_shapes(min_dims=2, max_dims=2, max_side=30), elements=VALUES
    ),
    data=st.data(),
    k=st.integers(1, 40),
)
def test_matches_brute_force_argsort(scores: np.ndarray, data: st.DataObject, k: int) -> None:
    allowed = data.draw(hnp.arrays(np.bool_, scores.shape))
    result = top_k(scores, allowed, k)
    assert result.index.shape == (scores.shape[0], k)
    for row in range(scores.shape[0]):
        ok = [j for j in range(scores.shape[1]) if allowed[row, j] and not np.isnan(scores[row, j])]
        expected = sorted(ok, key=lambda j: (-float(scores[row, j]), j))[:k]
        got = [int(j) for j in result.index[row] if j >= 0]
        assert got == expected
        assert (result.index[row, len(got) :] == -1).all()


def test_block_split_does_not_change_rows() -> None:
    rng = np.random.default_rng(0)
    scores = rng.choice(np.array([0.1, 0.2, 0.3], dtype=np.float32), size=(50, 40))
    allowed = rng.random((50, 40)) > 0.2
    whole = top_k(scores, allowed, 7)
    parts = [top_k(scores[i : i + 13], allowed[i : i + 13], 7) for i in range(0, 50, 13)]
    np.testing.assert_array_equal(whole.index, np.concatenate([p.index for p in parts]))


@pytest.mark.parametrize("k", [0, -1, 1.5, "3", True, None])
def test_bad_k(k: object) -> None:
    with pytest.raises(ValueError, match="k must be"):
        check_k(k)
