"""How :class:`~skillmatch.text.vocab.SkillVocabulary` fuses its channels (private).

Four channels score a phrase against every skill, each in [0, 1]:

* ``lexical``: character n-gram TF-IDF cosine with the skill's names and aliases (max over
  forms; :mod:`skillmatch.text._lexical`). Carries typos, abbreviations and Chinese.
* ``bm25``: normalised BM25 over the skill's names, aliases and description
  (:mod:`skillmatch.text._bm25`). Carries words the description names.
* ``names``: encoder cosine with the skill's names and aliases (max over forms).
* ``descriptions``: encoder cosine with ``"name: description"`` (the name alone when the
  skill has none).

``"hybrid"`` fusion (the default) is a weighted mean of the four. Short phrases (a skill name,
a job title) lean on the name channels; long ones (a task sentence) on the description
channels: with ``L`` the phrase's length in word equivalents (a Latin word counts 1, a CJK
character 1/2), ``s = clip((L - 4) / 8, 0, 1)`` and the weights are
``(1 - s) * SHORT_WEIGHTS + s * LONG_WEIGHTS``. The weights and the length range were tuned by
coordinate ascent on the dev halves of ``benchmarks/bench_relevance.py`` (ESCO alternative
labels, CSCO 2022 job-board aliases and task sentences; the objective is Recall@1 + MRR@10
averaged over the three) with the multilingual USE v3 encoder; the test halves were never used.
On those dev halves one weight set for every phrase length, tuned the same way, reached
Recall@1 0.606 on the task sentences against 0.627, and no more elsewhere; a per-query z-score
of every channel gained about 0.01 on the objective (within noise) but loses the absolute
scale; neither an embedding channel per description sentence nor BM25 over names alone gained
more than 0.004. The plain weighted mean keeps the fused score an absolute confidence in [0, 1].

An encoder that does not read Chinese (all-MiniLM-L6-v2 maps most CJK characters to
``[UNK]``) is detected by :func:`encoder_reads_cjk`; then only Latin-script forms are embedded
and the embedding channels' weights shrink with the phrase's CJK share, as in the first
vocabulary.

A second encoder (optional; all-MiniLM-L6-v2 or multilingual-e5-small beside USE v3) adds one
channel, ``second = a * names2 + (1 - a) * descriptions2`` from its cosines with the names and
with ``"name: description"``, each first rescaled from ``[floor, 1]`` to ``[0, 1]``, mixed in as
``(1 - v) * hybrid + v * second`` (``v`` times ``1 - cjk_share`` when the second encoder does
not read Chinese). ``(v, a, floor)`` is the model's :class:`SecondProfile`
(:data:`SECOND_PROFILES`; another model gets MiniLM's):

* all-MiniLM-L6-v2: ``(0.4, 0.3, 0)``, chosen on the ESCO dev half (Recall@1 + MRR@10; every
  pair in {0.3, 0.5, 0.7} x {0.3, 0.4, 0.5, 0.6} lies within 0.01 of the best): Recall@1
  0.773 -> 0.796. It reads no Chinese, so it does nothing for Chinese phrases.
* multilingual-e5-small (4-bit): ``(0.6, 0.1, 0.75)``, the best of floor {0.7, 0.75, 0.8,
  0.85} x a {0, 0.1, 0.2, 0.3} x v {0.4, ..., 0.9} by Recall@1 + MRR@10 summed over the dev
  halves of all three tasks (the top dozen lie within 0.01 of each other). e5's cosines
  crowd into about [0.7, 1], hence the floor. Dev Recall@1: ESCO 0.773 -> 0.788, Chinese
  aliases 0.393 -> 0.459, task sentences 0.627 -> 0.640.

On the same dev halves, with USE v3 alone, none of these gained more than 0.01 Recall@1 on one
task without losing on another: re-weighting, per-query normalisation (z-score, reciprocal
rank), learned (conditional-logit) weights over the four channels plus a per-sentence
description channel, hubness correction (CSLS) of the embedding channels, pseudo-relevance
feedback, a name-field boost or other ``k1`` / ``b`` in BM25, a ridge map from name to
description embeddings. With one encoder the weighted mean is at the ceiling of linear fusion
of these channels. Nor does a learned re-ranker of the top 30 beat it, with or without e5
(``benchmarks/bench_fusion.py``: a softmax-linear model and gradient boosting over 38
features of every channel, fitted on the dev halves, change test Recall@1 by -0.003 to
+0.014, every 95% interval containing zero).

``"legacy"`` fusion is that first vocabulary exactly (names only, no BM25 and no
descriptions): ``w = embedding_weight * (1 - cjk_share)``,
``score = (1 - w) * lexical + w * names``. States written before descriptions were read
(format 1) load with it.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.text._backends import E5_MULTILINGUAL, MINILM, canonical_model
from skillmatch.text._lexical import normalize_text
from skillmatch.text.encode import TextEncoder

__all__ = [
    "LENGTH_RANGE",
    "LONG_WEIGHTS",
    "SECOND_NAME_SHARE",
    "SECOND_PROFILES",
    "SECOND_WEIGHT",
    "SHORT_WEIGHTS",
    "ChannelScores",
    "Fusion",
    "SecondProfile",
    "encoder_reads_cjk",
    "hybrid_scores",
    "legacy_scores",
    "phrase_length",
    "second_channel",
    "second_profile",
]

Fusion = Literal["hybrid", "legacy"]
Scores = NDArray[np.float64]

#: Weights of (lexical, bm25, names, descriptions) for a short phrase, summing to 1.
SHORT_WEIGHTS = (0.1 / 1.2, 0.5 / 1.2, 0.3 / 1.2, 0.3 / 1.2)
#: Weights of (lexical, bm25, names, descriptions) for a long phrase, summing to 1.
LONG_WEIGHTS = (0.0, 0.8 / 1.1, 0.1 / 1.1, 0.2 / 1.1)
#: Phrase lengths (word equivalents) at which the weights are all-short and all-long.
LENGTH_RANGE = (4.0, 12.0)
#: Weight of the second encoder's channel in the fused score (an all-Latin phrase).
SECOND_WEIGHT = 0.4
#: Share of the name cosine (the rest: the description cosine) in the second channel.
SECOND_NAME_SHARE = 0.3


class SecondProfile(NamedTuple):
    """How a second encoder's channel enters the fused score (see the module docstring)."""

    weight: float  # v: its share of the fused score (an all-Latin phrase)
    name_share: float  # a: share of the name cosine in the channel
    floor: float  # cosines at or below it count 0


#: Profiles of the packaged second encoders, tuned on the dev halves.
SECOND_PROFILES = {
    MINILM: SecondProfile(SECOND_WEIGHT, SECOND_NAME_SHARE, 0.0),
    E5_MULTILINGUAL: SecondProfile(0.6, 0.1, 0.75),
}


def second_profile(model_id: str) -> SecondProfile:
    """The :class:`SecondProfile` of a second encoder (MiniLM's for a model not listed).

    Examples
    --------
    >>> second_profile("multilingual-e5-small-q4").floor
    0.75
    """
    return SECOND_PROFILES.get(canonical_model(model_id), SECOND_PROFILES[MINILM])


#: Unrelated Chinese words; an encoder that reads Chinese keeps them apart.
_CJK_PROBE = ["电焊", "会计", "叉车驾驶", "数据分析", "护理老人", "烹饪"]
#: Two distinct probe words closer than this mean the encoder does not read Chinese.
_SAME_VECTOR = 0.95

_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_LATIN_WORD = re.compile("[0-9a-z\u00c0-\u024f]+")


class ChannelScores(NamedTuple):
    """Per-skill channel scores of ``n`` phrases, each of shape ``(n, n_skills)``."""

    lexical: Scores
    bm25: Scores | None
    names: Scores
    descriptions: Scores | None
    cjk: Scores  # (n, 1): CJK share of each phrase
    length: Scores  # (n, 1): word equivalents of each phrase
    second: Scores | None = None  # the second encoder's channel, when there is one


def phrase_length(text: str) -> float:
    """Length of ``text`` in word equivalents: Latin words plus half the CJK characters.

    Examples
    --------
    >>> phrase_length("PLC programming"), phrase_length("焊接钢结构件")
    (2.0, 3.0)
    """
    norm = normalize_text(text)
    return len(_LATIN_WORD.findall(norm)) + 0.5 * len(_CJK_CHAR.findall(norm))


def encoder_reads_cjk(encoder: TextEncoder) -> bool:
    """Whether ``encoder`` tells unrelated Chinese words apart.

    It encodes six unrelated Chinese words and answers ``False`` when any two of them get
    (nearly) the same vector, as they do when the tokenizer maps their characters to
    ``[UNK]``. all-MiniLM-L6-v2 fails this (two probe words share one vector); multilingual
    USE v3 passes (largest cosine about 0.37).
    """
    x = np.asarray(encoder.encode(_CJK_PROBE), dtype=np.float64)
    sims = x @ x.T
    off_diagonal = sims[~np.eye(len(_CJK_PROBE), dtype=bool)]
    return bool(off_diagonal.max() < _SAME_VECTOR)


def _length_share(length: Scores) -> Scores:
    lo, hi = LENGTH_RANGE
    return np.clip((length - lo) / (hi - lo), 0.0, 1.0)


def second_channel(
    names: Scores, descriptions: Scores, profile: SecondProfile = SECOND_PROFILES[MINILM]
) -> Scores:
    """The second encoder's channel from its name and description cosines, in [0, 1]."""
    a, floor = profile.name_share, profile.floor
    if floor > 0.0:
        names = np.clip((names - floor) / (1.0 - floor), 0.0, 1.0)
        descriptions = np.clip((descriptions - floor) / (1.0 - floor), 0.0, 1.0)
    return a * names + (1.0 - a) * descriptions


def hybrid_scores(
    ch: ChannelScores,
    *,
    reads_cjk: bool,
    second_reads_cjk: bool = False,
    second_weight: float = SECOND_WEIGHT,
) -> Scores:
    """Weighted mean of the channels (see the module docstring), in [0, 1]."""
    fused = _four_channels(ch, reads_cjk=reads_cjk)
    if ch.second is None:
        return fused
    v = second_weight if second_reads_cjk else second_weight * (1.0 - ch.cjk)
    return np.clip((1.0 - v) * fused + v * ch.second, 0.0, 1.0)


def _four_channels(ch: ChannelScores, *, reads_cjk: bool) -> Scores:
    if ch.bm25 is None or ch.descriptions is None:
        raise ValueError("hybrid fusion needs the bm25 and descriptions channels")
    s = _length_share(ch.length)
    w = [(1.0 - s) * a + s * b for a, b in zip(SHORT_WEIGHTS, LONG_WEIGHTS, strict=True)]
    if not reads_cjk:
        w[2] = w[2] * (1.0 - ch.cjk)
        w[3] = w[3] * (1.0 - ch.cjk)
    total = w[0] + w[1] + w[2] + w[3]
    fused = (
        w[0] * ch.lexical + w[1] * ch.bm25 + w[2] * ch.names + w[3] * ch.descriptions
    ) / np.maximum(total, 1e-12)
    return np.clip(fused, 0.0, 1.0)


def legacy_scores(ch: ChannelScores, *, embedding_weight: float) -> Scores:
    """The first vocabulary's rule: lexical and name embeddings, weighted by CJK share."""
    weight = embedding_weight * (1.0 - ch.cjk)
    return np.clip((1.0 - weight) * ch.lexical + weight * ch.names, 0.0, 1.0)
