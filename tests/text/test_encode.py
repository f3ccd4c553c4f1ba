from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skillmatch.errors import ModelFormatError, ModelNotFoundError
from skillmatch.text.encode import EmbeddingCache, Encoder, TextEncoder, l2_normalize


@pytest.fixture(params=["minilm", "use"])
def any_encoder(request: pytest.FixtureRequest) -> Encoder:
    """The contract suite runs over every packaged encoder."""
    name = "encoder" if request.param == "minilm" else "use_encoder"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


def test_shape_dtype_and_unit_norm(any_encoder: Encoder) -> None:
    vecs = any_encoder.encode(["arc welding", "数控车床 CNC lathe", "叉车"])
    assert vecs.shape == (3, any_encoder.dim)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert isinstance(any_encoder, TextEncoder)


def test_dimensions_of_the_packaged_models(encoder: Encoder, use_encoder: Encoder) -> None:
    assert (encoder.dim, use_encoder.dim) == (384, 512)


def test_empty_input(any_encoder: Encoder) -> None:
    assert any_encoder.encode([]).shape == (0, any_encoder.dim)


def test_single_string_is_refused(any_encoder: Encoder) -> None:
    with pytest.raises(TypeError, match="single str"):
        any_encoder.encode("arc welding")  # type: ignore[arg-type]


def test_cache_dedupes_within_and_across_calls(any_encoder: Encoder) -> None:
    before = any_encoder.n_encoded
    first = any_encoder.encode(["cache probe one", "cache probe two", "cache probe one"])
    assert any_encoder.n_encoded - before == 2
    again = any_encoder.encode(["cache probe two", "cache probe one"])
    assert any_encoder.n_encoded - before == 2
    np.testing.assert_array_equal(again, first[[1, 0]])


def test_same_vector_alone_or_in_a_batch(any_encoder: Encoder) -> None:
    fresh = Encoder(any_encoder.model)
    alone = fresh.encode(["batch probe: forklift driving"])
    mixed = Encoder(any_encoder.model).encode(["x", "batch probe: forklift driving", "y"])
    np.testing.assert_allclose(alone[0], mixed[1], atol=1e-5)


def test_semantic_sanity_english(any_encoder: Encoder) -> None:
    weld, welder, books = any_encoder.encode(["arc welding", "welder", "bookkeeping"])
    assert weld @ welder > weld @ books + 0.2


def test_multilingual_encoder_reads_chinese(use_encoder: Encoder) -> None:
    # pure Chinese: what all-MiniLM-L6-v2 cannot read (CJK becomes [UNK])
    weld, welder, books, cook = use_encoder.encode(["电焊", "焊工", "会计记账", "厨师"])
    assert weld @ welder > max(weld @ books, weld @ cook) + 0.1
    zh, en = use_encoder.encode(["叉车司机", "forklift driver"])
    assert zh @ en > 0.5


def test_semantic_sanity_mixed_language(encoder: Encoder) -> None:
    # The packaged model reads the Latin part of mixed text; pure CJK text mostly maps to
    # [UNK] (see the encode module notes), which is why Chinese skills go through the
    # bilingual vocabulary (tests/text/test_vocab.py and tests/core/test_recommend.py cover it).
    weld, welder, books = encoder.encode(["电焊 arc welding", "焊工 welder", "会计 bookkeeping"])
    assert weld @ welder > weld @ books + 0.2


def test_cache_save_load_round_trip(tmp_path: Path, encoder: Encoder) -> None:
    texts = ["save me", "and me"]
    vecs = encoder.encode(texts)
    stem = encoder.cache.save(tmp_path / "cache")
    assert (tmp_path / "cache.npy").exists() and (tmp_path / "cache.json").exists()
    loaded = EmbeddingCache.load(stem, model_id=encoder.model_id)
    np.testing.assert_array_equal(loaded.get(texts), vecs)
    fresh = Encoder(encoder.model_id).use_cache(loaded)
    np.testing.assert_array_equal(fresh.encode(texts), vecs)
    assert fresh.n_encoded == 0  # served from the cache: the model was never loaded


def test_cache_from_other_model_is_refused(tmp_path: Path) -> None:
    cache = EmbeddingCache("model-a", dim=2)
    cache.add(["x"], np.array([[1.0, 0.0]], dtype=np.float32))
    cache.save(tmp_path / "c")
    with pytest.raises(ModelFormatError, match="model-a"):
        EmbeddingCache.load(tmp_path / "c", model_id="model-b")


def test_cache_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match="shape"):
        EmbeddingCache("m", dim=3).add(["a"], np.zeros((1, 2), dtype=np.float32))


def test_cache_file_is_not_pickle(tmp_path: Path) -> None:
    cache = EmbeddingCache("m", dim=2)
    cache.add(["a"], l2_normalize(np.array([[1.0, 1.0]])))
    cache.save(tmp_path / "c")
    np.load(tmp_path / "c.npy", allow_pickle=False)  # would raise on an object array


@pytest.mark.parametrize("model", ["/nonexistent/model-dir", "some-org/not-a-local-model"])
def test_missing_model_fails_fast_without_download(model: str) -> None:
    # local_files_only: the error comes from the local lookup, no hub request is made
    with pytest.raises(ModelNotFoundError, match="allow_download"):
        Encoder(model).encode(["x"])


@pytest.mark.parametrize(
    "statement",
    [
        "import skillmatch, skillmatch.core.recommend, skillmatch.cli",
        # the multilingual encoder runs in NumPy: encoding with it loads no torch either
        "from skillmatch import Encoder; Encoder('use-multilingual-v3').encode(['焊工'])",
    ],
)
def test_torch_is_not_loaded(statement: str) -> None:
    loaded = "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    code = f"import sys; {statement}; {loaded}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_cache_keeps_every_row_while_its_buffer_grows(tmp_path: Path) -> None:
    # Regression: adding one text used to copy the whole cache; the buffer now grows by
    # doubling, and every row must stay where its text points, also after save and load.
    rng = np.random.default_rng(0)
    cache = EmbeddingCache("fake", 4)
    texts = [f"phrase {i}" for i in range(150)]
    vectors = rng.standard_normal((150, 4)).astype(np.float32)
    for lo in range(0, 150, 7):
        cache.add(texts[lo : lo + 7], vectors[lo : lo + 7])
        np.testing.assert_array_equal(cache.get(texts[: lo + 7]), vectors[: lo + 7])
    cache.add(texts[:3], vectors[:3] + 1.0)  # known texts keep their first vectors
    assert len(cache) == 150
    np.testing.assert_array_equal(cache.get(texts[::-1]), vectors[::-1])
    loaded = EmbeddingCache.load(cache.save(tmp_path / "cache"), model_id="fake")
    np.testing.assert_array_equal(loaded.get(texts), vectors)
    loaded.add(["one more"], vectors[:1])
    np.testing.assert_array_equal(loaded.get(["one more", texts[-1]]), vectors[[0, -1]])
