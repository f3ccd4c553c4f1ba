"""Per-skill channel scores of phrases against a built vocabulary (private).

:class:`ChannelIndex` holds what scoring needs from
:class:`~skillmatch.text._vocab_state.VocabularyParts` in the shape scoring wants it
(transposed float64 embeddings, the lexical form matrix, where each skill's forms start) and
turns phrases plus their embeddings into :class:`~skillmatch.text._fusion.ChannelScores`.

Scoring runs with BLAS limited to one thread: the products are small, and on two busy cores a
multi-threaded OpenBLAS spent 4-8 ms on one phrase's (1, 512) x (512, 1631) product that one
thread does in 0.1-0.3 ms (most of the p99 budget of resolving a new phrase).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import ThreadpoolController

from skillmatch.text._fusion import ChannelScores, phrase_length, second_channel, second_profile
from skillmatch.text._lexical import SurfaceForms, cjk_share, surface_forms
from skillmatch.text._vocab_state import SecondParts, VocabularyParts

__all__ = ["ChannelIndex"]

Scores = NDArray[np.float64]


_CONTROLLER: list[ThreadpoolController] = []


def _blas() -> ThreadpoolController:
    """One controller per process, created on first use (it lists the loaded libraries, and
    it cannot be pickled: a vocabulary sent to worker processes must not hold one)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _max_per_skill(scores: NDArray[Any], starts: NDArray[np.int64]) -> Scores:
    return np.maximum.reduceat(np.asarray(scores, dtype=np.float64), starts, axis=1)


def _cosine(embedding: NDArray[Any], targets_t: Scores) -> Scores:
    # float64 and a clip to [0, 1]: a phrase gets the same score whatever batch it comes in.
    return np.clip(np.asarray(embedding, dtype=np.float64) @ targets_t, 0.0, 1.0)


def _transposed(x: NDArray[Any] | None) -> Scores | None:
    return None if x is None else np.asarray(x, dtype=np.float64).T.copy()


class _SecondIndex:
    """The second encoder's form and description embeddings, transposed."""

    def __init__(self, parts: VocabularyParts, second: SecondParts) -> None:
        taxonomy = parts.taxonomy
        self.forms = surface_forms(
            taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=second.reads_cjk
        )
        self.names_t = np.asarray(second.form_embeddings, dtype=np.float64).T.copy()
        self.descriptions_t = np.asarray(second.description_embeddings, dtype=np.float64).T.copy()
        self.reads_cjk = second.reads_cjk
        self.profile = second_profile(second.model_id)

    def scores(self, embedding: NDArray[Any]) -> Scores:
        names = _max_per_skill(_cosine(embedding, self.names_t), self.forms.embedding_starts)
        return second_channel(names, _cosine(embedding, self.descriptions_t), self.profile)


class ChannelIndex:
    """Scores phrases against every skill of ``parts``, channel by channel.

    Parameters
    ----------
    parts : VocabularyParts
        The built vocabulary.
    forms : SurfaceForms
        The surface forms of ``parts.taxonomy`` for the main encoder.
    """

    def __init__(self, parts: VocabularyParts, forms: SurfaceForms) -> None:
        self.parts = parts
        self.forms = forms
        self.form_matrix = parts.lexical.transform(forms.lexical).T.tocsr()
        self.names_t = np.asarray(parts.form_embeddings, dtype=np.float64).T.copy()
        self.descriptions_t = _transposed(parts.description_embeddings)
        self.second = None if parts.second is None else _SecondIndex(parts, parts.second)

    @property
    def second_reads_cjk(self) -> bool:
        """Whether the second encoder (if any) embeds the Chinese forms."""
        return self.second is not None and self.second.reads_cjk

    @property
    def second_weight(self) -> float:
        """The second encoder's weight in the fused score (0 without one)."""
        return 0.0 if self.second is None else self.second.profile.weight

    def scores(
        self,
        phrases: Sequence[str],
        embedding: NDArray[Any],
        second_embedding: NDArray[Any] | None = None,
    ) -> ChannelScores:
        """Channel scores of ``phrases`` (bm25, descriptions and second: when built)."""
        with _blas().limit(limits=1, user_api="blas"):
            return self._scores(phrases, embedding, second_embedding)

    def _scores(
        self,
        phrases: Sequence[str],
        embedding: NDArray[Any],
        second_embedding: NDArray[Any] | None,
    ) -> ChannelScores:
        lex = (self.parts.lexical.transform(phrases) @ self.form_matrix).toarray()
        names = _cosine(embedding, self.names_t)
        bm25 = self.parts.bm25
        second = (
            None
            if self.second is None or second_embedding is None
            else self.second.scores(second_embedding)
        )
        return ChannelScores(
            _max_per_skill(lex, self.forms.lexical_starts),
            None if bm25 is None else bm25.score(phrases),
            _max_per_skill(names, self.forms.embedding_starts),
            None if self.descriptions_t is None else _cosine(embedding, self.descriptions_t),
            np.array([cjk_share(p) for p in phrases], dtype=np.float64).reshape(-1, 1),
            np.array([phrase_length(p) for p in phrases], dtype=np.float64).reshape(-1, 1),
            second,
        )
