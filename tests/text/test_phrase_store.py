"""The phrase store behind worker blocks: ids, growth, clearing, and order-free profiles."""

from __future__ import annotations

import numpy as np

from skillmatch.core.blocks import build_block
from skillmatch.core.columns import WorkerColumns
from skillmatch.core.space import resolve_phrases, semantic_space
from skillmatch.text.phrase_store import PhraseStore
from tests.conftest import make_worker


def test_store_grows_and_keeps_rows() -> None:
    store = PhraseStore(dim=3)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 3)).astype(np.float32)
    for lo in range(0, 3000, 700):  # several growths past the first 1024 rows
        hi = min(lo + 700, 3000)
        store.add([f"p{i}" for i in range(lo, hi)], np.arange(lo, hi), vectors[lo:hi])
    assert len(store) == 3000
    np.testing.assert_array_equal(store.vectors, vectors)
    np.testing.assert_array_equal(store.lookup(["p2999", "p0", "nope"]), [2999, 0, -1])
    store.clear()
    assert len(store) == 0 and store.generation == 1 and store.lookup(["p0"]).tolist() == [-1]


def test_a_full_store_starts_afresh_with_the_same_vectors(tiny_vocab: object) -> None:
    phrases = ["烧电焊", "arc welding", "QC", "质检", "forklift", "karaoke singing"]
    roomy = semantic_space(tiny_vocab)  # type: ignore[arg-type]
    tight = semantic_space(tiny_vocab)  # type: ignore[arg-type]
    tight.store.capacity = 4
    ids = resolve_phrases(tiny_vocab, phrases, roomy)  # type: ignore[arg-type]
    want = roomy.store.vectors[ids]
    for batch in (phrases[:3], phrases[3:], phrases):  # the last call overflows and clears
        ids = resolve_phrases(tiny_vocab, batch, tight)  # type: ignore[arg-type]
        got = tight.store.vectors[ids]
        np.testing.assert_array_equal(got, want[[phrases.index(p) for p in batch]])
    assert tight.store.generation >= 1


def test_profile_is_the_same_alone_or_in_any_block(tiny_rec: object) -> None:
    fb = tiny_rec.features_  # type: ignore[attr-defined]
    workers = [
        make_worker(worker_id=f"w{i}", skills=skills, goal=goal)
        for i, (skills, goal) in enumerate(
            [
                ([{"text": "arc welding", "level": 4}, {"text": "QC", "level": 2}], None),
                ([{"text": "forklift", "level": 3}], "learn robot programming"),
                ([{"text": "QC", "level": 5}, {"text": "arc welding", "level": 1}], "拿到焊工证"),
                ([], None),
            ]
        )
    ]

    def block(ws: list[object]) -> object:
        return build_block(
            WorkerColumns.from_models(ws),  # type: ignore[arg-type]
            fb.vocabulary_,
            fb.chains_,
            fb.catalogue_,
            fb.semantic_,
        )

    together = block(workers)
    for order in ([3, 2, 1, 0], [1, 3, 0, 2]):  # other neighbours, other phrase order
        shuffled = block([workers[i] for i in order])
        np.testing.assert_array_equal(shuffled.profile, together.profile[order])  # type: ignore[attr-defined]
    for i, w in enumerate(workers):
        alone = block([w])
        np.testing.assert_array_equal(alone.profile[0], together.profile[i])  # type: ignore[attr-defined]
        has_goal = i in together.goal_rows  # type: ignore[attr-defined]
        assert len(alone.goal_rows) == has_goal  # type: ignore[attr-defined]
    sub = together.take(np.array([2, 1]))  # type: ignore[attr-defined]
    np.testing.assert_array_equal(sub.goal_rows, [0, 1])
    assert sub.columns.goal.tolist() == ["拿到焊工证", "learn robot programming"]


def test_phrase_cosines_match_products_with_the_embedding() -> None:
    import copy

    from skillmatch.core.columns import columns_from_frame
    from skillmatch.core.recommend import Recommender
    from skillmatch.simulate import make_population, make_world

    fb = Recommender.load().features_
    store = fb.semantic_.store  # the store and its cosines fit one memory bound together
    assert 1024 < store.capacity * 4 * (store.dim + len(fb.catalogue_.program_ids)) <= 512 << 20
    frame = next(make_population(make_world(0), 300, seed=3, chunk_size=300))
    block = fb.block(columns_from_frame(frame).columns)
    whole = fb._whole()
    cached = fb._cosines(block, whole)
    direct = copy.copy(fb)
    direct._phrase_cosines = None  # the path large catalogues take
    products = direct._cosines(block, whole)
    assert cached.shape == (300, len(fb.catalogue_.program_ids))
    np.testing.assert_allclose(cached, products, atol=2e-6)
    view = fb.region_view(int(block.region[0]))
    np.testing.assert_array_equal(fb._cosines(block, view), cached[:, view.cols])
    # a block built before the store was cleared no longer matches its ids: products again
    fb.semantic_.store.clear()
    try:
        np.testing.assert_array_equal(fb._cosines(block, whole), products)
    finally:
        fb.semantic_.store.clear()


def test_lookup_of_many_phrases_stays_right_as_the_store_grows() -> None:
    store = PhraseStore(dim=1)
    rng = np.random.default_rng(1)
    names: list[str] = []
    for step in range(40):  # small and large additions, around the index rebuilds
        new = [f"s{step}-{i}" for i in range(int(rng.integers(1, 300)))]
        store.add(new, np.zeros(len(new), np.int64), np.ones((len(new), 1)))
        names += new
        query = list(rng.choice(names, size=200)) + ["never seen"] * 3 + names[-2:]
        want = [store.ids.get(q, -1) for q in query]
        assert store.lookup(query).tolist() == want  # the pandas index path
        assert store.lookup(query[:5]).tolist() == want[:5]  # the dictionary path
    assert store.lookup(names).tolist() == list(range(len(names)))
    store.clear()
    assert (store.lookup(names) == -1).all()
