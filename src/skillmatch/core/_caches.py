"""The byte budget of a recommender's phrase caches, and how it is split between them.

A recommender keeps four caches of request-time text, each least-recently-used within its
share of one budget (``Recommender(phrase_cache_bytes=...)``):

* the encoder's embedding cache (:class:`~skillmatch.text.EmbeddingCache`): a quarter;
* the vocabulary's memo of resolved phrases (:class:`~skillmatch.text.PhraseMemo`): a quarter;
* the phrase store and the cosines of its phrases with every program: seven sixteenths;
* the goal index's score rows (:class:`~skillmatch.core.goals.GoalIndex`): a sixteenth.

The catalogue's texts are pinned outside the budget: a bundle needs them whenever it is
loaded or refitted. A phrase evicted and seen again is resolved again, so results do not
depend on the budget (the same programs, ranks and reasons; scores to float32 rounding, as
the encoder may round a text encoded in another batch differently in the last bit), only the
time to answer a phrase not seen lately.
"""

from __future__ import annotations

from typing import NamedTuple

from skillmatch.core.features import FeatureBuilder
from skillmatch.text import Encoder, SkillVocabulary, TextEncoder

__all__ = ["PHRASE_CACHE_BYTES", "CacheBudget", "bound_phrase_caches", "phrase_cache_sizes"]

#: Default budget of a recommender's phrase caches together.
PHRASE_CACHE_BYTES = 256 << 20


class CacheBudget(NamedTuple):
    """Bytes for each phrase cache (see the module docstring)."""

    embedding: int
    memo: int
    store: int
    goals: int

    @classmethod
    def split(cls, total: int) -> CacheBudget:
        """Split ``total`` bytes between the caches.

        Examples
        --------
        >>> CacheBudget.split(256 << 20).embedding >> 20
        64
        """
        sixteenth = total // 16
        return cls(4 * sixteenth, 4 * sixteenth, 7 * sixteenth, sixteenth)


def check_budget(phrase_cache_bytes: object) -> int:
    """``phrase_cache_bytes`` as an int >= 0; ValueError naming the value otherwise."""
    if (
        isinstance(phrase_cache_bytes, bool)
        or not isinstance(phrase_cache_bytes, int)
        or phrase_cache_bytes < 0
    ):
        raise ValueError(
            f"phrase_cache_bytes must be an int >= 0, got phrase_cache_bytes={phrase_cache_bytes!r}"
        )
    return phrase_cache_bytes


def _encoders(features: FeatureBuilder) -> list[Encoder]:
    vocab = features.vocabulary_
    found: list[TextEncoder | None] = [vocab.encoder, getattr(vocab, "second_encoder", None)]
    return [e for e in found if isinstance(e, Encoder)]


def bound_phrase_caches(features: FeatureBuilder, total: int) -> None:
    """Apply the shares of ``total`` bytes to the caches of a fitted feature builder."""
    budget = CacheBudget.split(check_budget(total))
    for encoder in _encoders(features):
        encoder.cache.resize(budget.embedding)
    if isinstance(features.vocabulary_, SkillVocabulary):
        features.vocabulary_.memo.resize(budget.memo)
    features.set_phrase_budget(budget.store, goal_bytes=budget.goals)


def phrase_cache_sizes(features: FeatureBuilder) -> dict[str, int]:
    """Bytes each phrase cache of a fitted feature builder holds now (pinned texts aside)."""
    vocab = features.vocabulary_
    return {
        "embedding": sum(e.cache.nbytes for e in _encoders(features)),
        "memo": vocab.memo.nbytes if isinstance(vocab, SkillVocabulary) else 0,
        "store": features.phrase_store_nbytes(),
        "goals": features.goal_cache_nbytes(),
    }
