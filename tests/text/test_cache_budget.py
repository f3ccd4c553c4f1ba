"""The phrase caches are least-recently-used within a byte budget, and results do not depend
on it: regression tests for "both phrase caches keep every distinct phrase" (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skillmatch.core.recommend import Recommender
from skillmatch.schema import Worker
from skillmatch.text import (
    USE_MULTILINGUAL,
    ByteLRU,
    EmbeddingCache,
    Encoder,
    PhraseMemo,
    PhraseStore,
    SkillVocabulary,
)
from tests.conftest import TINY_SKILLS, make_worker, tiny_chains, tiny_programs


def _rec(phrase_cache_bytes: int) -> Recommender:
    """A recommender with its own encoder and vocabulary (their caches are its own)."""
    vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=Encoder(USE_MULTILINGUAL))
    return Recommender.from_catalog(
        tiny_programs(),
        chains=tiny_chains(),
        vocabulary=vocab,
        phrase_cache_bytes=phrase_cache_bytes,
    )


def _workers(n: int, start: int = 0) -> list[Worker]:
    """Workers whose skills, occupations and goals are all new phrases."""
    return [
        make_worker(
            worker_id=f"w{i}",
            skills=[{"text": f"焊接 skill {i}", "level": 2}, {"text": f"operate machine {i}"}],
            occupation=f"technician grade {i}",
            goal=f"learn robot programming step {i}",
        )
        for i in range(start, start + n)
    ]


def test_byte_lru_never_holds_more_than_its_budget() -> None:
    lru: ByteLRU[int, bytes] = ByteLRU(10_000, len)
    for i in range(1000):
        lru.put(i, bytes(100))
        assert lru.nbytes <= 10_000
    assert 0 < len(lru) < 1000 and 999 in lru and 0 not in lru
    lru.put(-1, bytes(20_000))  # larger than the whole budget: not kept
    assert -1 not in lru


def test_embedding_cache_keeps_pinned_texts_and_bounds_the_rest(tmp_path: Path) -> None:
    cache = EmbeddingCache("toy", dim=4, max_bytes=5_000)
    cache.add(["pinned"], np.ones((1, 4), np.float32), pin=True)
    for i in range(500):
        cache.add([f"text {i}"], np.full((1, 4), i, np.float32))
        assert cache.nbytes <= 5_000
    assert "pinned" in cache and "text 499" in cache and "text 0" not in cache
    assert cache.missing(["pinned", "text 0"]) == ["text 0"]
    cache.save(tmp_path / "cache")
    loaded = EmbeddingCache.load(tmp_path / "cache", model_id="toy")
    assert loaded.n_pinned == len(cache)
    np.testing.assert_array_equal(loaded.get(["text 499"]), cache.get(["text 499"]))


def test_encoder_answers_a_call_larger_than_its_budget() -> None:
    enc = Encoder(USE_MULTILINGUAL)
    texts = [f"phrase {i}" for i in range(20)]
    reference = Encoder(USE_MULTILINGUAL).encode(texts)
    enc.encode(["warm"])
    enc.cache.resize(0)  # nothing but pinned texts is kept
    np.testing.assert_array_equal(enc.encode(texts), reference)
    assert len(enc.cache) == 0 and enc.cache.nbytes == 0


def test_phrase_memo_is_bounded() -> None:
    memo = PhraseMemo(dim=8, max_bytes=20_000)
    for i in range(300):
        memo.add([f"p{i}"], np.array([i]), np.array([0.5]), np.ones((1, 8), np.float32))
        assert memo.nbytes <= 20_000
    assert list(memo.lookup(["p0", "p299"])) == ["p299"]


def test_phrase_store_evicts_the_least_recently_used_and_keeps_ids_dense() -> None:
    store = PhraseStore(dim=2, capacity=4)
    store.add(["a", "b", "c", "d"], np.arange(4), np.eye(4, 2))
    store.lookup(["d", "b"])  # now the most recently used
    store.make_room(1)
    assert store.generation == 1 and store.kept.tolist() == [1, 3]
    assert store.lookup(["b", "d", "a"]).tolist() == [0, 1, -1]
    assert store.index.tolist() == [1, 3]
    np.testing.assert_array_equal(store.vectors, np.eye(4, 2)[[1, 3]])


def test_phrase_caches_stay_within_the_budget_after_many_new_phrases() -> None:
    budget = 2 << 20
    rec = _rec(budget)
    for lo in range(0, 600, 50):
        rec.recommend_many(_workers(50, lo), k=3)
        sizes = rec.phrase_cache_sizes()
        assert sum(sizes.values()) <= budget, sizes
    assert rec.fitted_features().semantic_.store.generation > 0  # it did evict


def test_results_do_not_depend_on_the_budget() -> None:
    """A budget of 0 (every request phrase evicted) ranks exactly as a large one."""
    small, large = _rec(0), _rec(64 << 20)
    workers = _workers(40)
    for rec in (small, large):
        rec.recommend_many(workers[:20], k=5)
    # the first workers again, after newer phrases, then the rest
    sequence = [workers[0], *workers[20:30], workers[1], workers[0], *workers[30:]]
    for worker in sequence:
        got, want = small.recommend(worker, k=5), large.recommend(worker, k=5)
        assert [r.program_id for r in got] == [r.program_id for r in want]
        assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=1e-6)
        assert [[x.code for x in r.reasons] for r in got] == [
            [x.code for x in r.reasons] for r in want
        ]
    assert sum(small.phrase_cache_sizes().values()) <= sum(large.phrase_cache_sizes().values())


def test_catalogue_texts_are_pinned_so_a_saved_bundle_needs_no_encoding(
    tmp_path: Path,
) -> None:
    rec = _rec(0)
    rec.recommend(make_worker(goal="想考叉车证"), k=3)  # builds the goal index
    rec.save(tmp_path / "bundle")
    loaded = Recommender.load(tmp_path / "bundle")
    encoder = loaded.text_encoder
    assert isinstance(encoder, Encoder)
    loaded.fitted_features().goals_  # noqa: B018 - builds the goal index from the cache
    assert encoder.n_encoded == 0


def test_bad_budget_names_the_value() -> None:
    with pytest.raises(ValueError, match="phrase_cache_bytes=-1"):
        Recommender.from_catalog(tiny_programs(), phrase_cache_bytes=-1)
