"""Tests of SkillVocabulary's optional second encoder (USE v3 with MiniLM beside it): matching
on the real encoders, the format-3 state, and the errors that name a missing or wrong second
encoder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skillmatch.errors import ModelFormatError
from skillmatch.text.encode import Encoder
from skillmatch.text.vocab import SkillVocabulary
from tests.text.test_vocab import (
    DESCRIPTION_PHRASES,
    UNRELATED,
    VARIANTS,
    CountingEncoder,
    described_frame,
)


@pytest.fixture(scope="module")
def plain(use_encoder: Encoder) -> SkillVocabulary:
    return SkillVocabulary.from_frame(described_frame(), encoder=use_encoder)


@pytest.fixture(scope="module")
def paired(use_encoder: Encoder, encoder: Encoder) -> SkillVocabulary:
    return SkillVocabulary.from_frame(
        described_frame(), encoder=use_encoder, second_encoder=encoder
    )


def test_second_encoder_keeps_variants_and_descriptions(paired: SkillVocabulary) -> None:
    cases = [(p, s) for p, s, _ in VARIANTS] + DESCRIPTION_PHRASES
    best = [m[0].skill_id for m in paired.match([p for p, _ in cases], k=1)]
    assert np.mean([b == s for b, (_, s) in zip(best, cases, strict=True)]) >= 0.85
    assert paired.second_encoder is not None and paired.fusion == "hybrid"


def test_second_encoder_fades_for_chinese_phrases(
    paired: SkillVocabulary, plain: SkillVocabulary
) -> None:
    # MiniLM does not read Chinese: an all-CJK phrase scores as without it, a Latin one does not.
    zh, en = ["烧电焊", "叉车操作"], ["electric welding", "value stream mapping"]
    np.testing.assert_allclose(paired.resolve(zh).confidence, plain.resolve(zh).confidence)
    assert not np.allclose(paired.resolve(en).confidence, plain.resolve(en).confidence)


def test_second_encoder_still_rejects_unrelated_phrases(paired: SkillVocabulary) -> None:
    assert paired.resolve(UNRELATED).index.tolist() == [-1] * len(UNRELATED)


def test_second_encoder_state_is_format_3_and_round_trips(
    paired: SkillVocabulary, use_encoder: Encoder, encoder: Encoder
) -> None:
    meta, arrays = paired.to_state()
    assert meta["format"] == 3 and meta["second_model_id"] == encoder.model_id
    assert meta["second_reads_cjk"] is False
    meta = json.loads(json.dumps(meta))
    counting = CountingEncoder(encoder)
    clone = SkillVocabulary.from_state(meta, arrays, encoder=use_encoder, second_encoder=counting)
    assert counting.calls == []
    phrases = [p for p, _, _ in VARIANTS] + [p for p, _ in DESCRIPTION_PHRASES] + UNRELATED
    assert clone.match(phrases, k=5) == paired.match(phrases, k=5)
    np.testing.assert_array_equal(
        clone.resolve(phrases).confidence, paired.resolve(phrases).confidence
    )


def test_format_3_state_without_its_second_encoder_is_refused(
    paired: SkillVocabulary, use_encoder: Encoder
) -> None:
    meta, arrays = paired.to_state()
    with pytest.raises(ModelFormatError, match="second_model_id='all-MiniLM-L6-v2'"):
        SkillVocabulary.from_state(meta, arrays, encoder=use_encoder)


def test_format_2_state_with_a_second_encoder_is_refused(
    plain: SkillVocabulary, use_encoder: Encoder, encoder: Encoder
) -> None:
    meta, arrays = plain.to_state()
    assert meta["format"] == 2
    with pytest.raises(ModelFormatError, match="second_model_id=None"):
        SkillVocabulary.from_state(meta, arrays, encoder=use_encoder, second_encoder=encoder)


def test_format_3_state_with_mismatched_arrays_is_refused(
    paired: SkillVocabulary, use_encoder: Encoder, encoder: Encoder
) -> None:
    meta, arrays = paired.to_state()
    short = arrays["second_description_embeddings"][:-1]
    arrays = {**arrays, "second_description_embeddings": short}
    with pytest.raises(ModelFormatError, match="second encoder embeddings"):
        SkillVocabulary.from_state(meta, arrays, encoder=use_encoder, second_encoder=encoder)


def test_second_encoder_with_legacy_fusion_is_refused(
    use_encoder: Encoder, encoder: Encoder
) -> None:
    with pytest.raises(ValueError, match="second_encoder needs fusion='hybrid'"):
        SkillVocabulary.from_frame(
            described_frame(), encoder=use_encoder, second_encoder=encoder, fusion="legacy"
        )


def test_parts_with_a_second_channel_need_their_second_encoder(
    paired: SkillVocabulary, use_encoder: Encoder
) -> None:
    with pytest.raises(ValueError, match="second_encoder must be .*'all-MiniLM-L6-v2'.*None"):
        SkillVocabulary(paired._parts, encoder=use_encoder)
