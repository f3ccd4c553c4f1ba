"""Tests of the private BM25 channel of the skill vocabulary (skillmatch.text._bm25)."""

from __future__ import annotations

import numpy as np
import pytest

from skillmatch.text._bm25 import BM25Index, bm25_tokens

DOCS = [
    "Arc welding: joins steel plates with an electric arc.",
    "Forklift operation: drives forklifts in a warehouse.",
    "电焊：用电弧连接钢板。",
    "",
]


def test_tokens_split_scripts_and_stem_latin_words() -> None:
    assert bm25_tokens("ＰＬＣ编程 Programming") == ["plc", "编", "程", "编程", "progra"]
    assert bm25_tokens("") == [] and bm25_tokens("--") == []


def test_scores_lie_in_unit_interval_and_rank_the_document_that_names_the_query() -> None:
    index = BM25Index.fit(DOCS)
    scores = index.score(["steel plates", "钢板", "forklift warehouse", "karaoke", ""])
    assert scores.shape == (5, len(DOCS))
    assert np.all((scores >= 0.0) & (scores < 1.0))
    assert scores[:3].argmax(axis=1).tolist() == [0, 2, 1]
    assert not scores[3:].any()


def test_an_unseen_word_lowers_the_score() -> None:
    index = BM25Index.fit(DOCS)
    known, diluted = index.score(["steel plates", "steel plates karaoke"])[:, 0]
    assert 0.0 < diluted < known


@pytest.mark.parametrize("k1", [1.2, 1.5])
def test_arrays_round_trip(k1: float) -> None:
    index = BM25Index.fit(DOCS, k1=k1)
    clone = BM25Index.from_arrays(index.get_params(), index.to_arrays())
    queries = ["steel", "电弧", "forklift arc"]
    np.testing.assert_array_equal(clone.score(queries), index.score(queries))
