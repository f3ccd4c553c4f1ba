"""The semantic space of a vocabulary and the phrases resolved into it.

:func:`semantic_space` gives every vocabulary skill a vector; :func:`resolve_phrases` places
free text (skill claims, titles, goals) in the same space through the vocabulary, once per
distinct phrase, and keeps it in a bounded :class:`~skillmatch.text.PhraseStore`.
:func:`skill_matrix` turns resolved phrases into sparse rows over the skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch.core._types import BoolArray, FloatArray, IntArray
from skillmatch.text import PhraseStore, Vocabulary, l2_normalize, semantic_vectors

__all__ = [
    "PhraseTable",
    "SemanticSpace",
    "resolve_phrases",
    "semantic_space",
    "skill_index",
    "skill_matrix",
    "trade_key",
]


@dataclass(frozen=True)
class SemanticSpace:
    """Skill vectors, the embedding centre, and the store of phrases already resolved."""

    skills: FloatArray  # (n_skills, dim + NGRAM_DIM)
    center: FloatArray  # (dim,)
    store: PhraseStore


def semantic_space(vocab: Vocabulary) -> SemanticSpace:
    """Semantic vector of each vocabulary skill (see :mod:`skillmatch.text.semantic`)."""
    center = (
        vocab.embeddings.mean(axis=0)
        if vocab.n_skills
        else np.zeros(vocab.embeddings.shape[1], dtype=np.float32)
    )
    center = np.asarray(center, dtype=np.float32)
    skills = semantic_vectors(vocab.names, vocab.embeddings, center)
    return SemanticSpace(skills, center, PhraseStore(skills.shape[1]))


def resolve_phrases(
    vocab: Vocabulary, phrases: Sequence[str] | NDArray[np.object_], space: SemanticSpace
) -> IntArray:
    """Store id of each of ``phrases`` (repeats allowed), resolving those never seen before.

    The semantic vector of a matched phrase is ``c * skill + (1 - c) * phrase`` (``c`` the match
    confidence, skill vectors from :func:`semantic_space`), so Chinese text lands next to its
    canonical skill; a free phrase keeps its own CJK-aware vector.
    """
    store = space.store
    ids = store.lookup(phrases)
    unseen = np.flatnonzero(ids < 0)
    if len(unseen):
        new = list(dict.fromkeys(phrases[int(i)] for i in unseen))
        if not store.fits(len(new)):
            # bounded memory: the least recently used phrases go (ids change); these phrases
            # were just used, so they stay unless they alone overflow the store
            store.make_room(len(new))
            ids = store.lookup(phrases)
            new = list(dict.fromkeys(phrases[int(i)] for i in np.flatnonzero(ids < 0)))
        res = vocab.resolve(new)
        index = np.asarray(res.index, dtype=np.int64)
        conf = np.asarray(res.confidence, dtype=np.float32)
        vector = semantic_vectors(new, np.asarray(res.embedding, dtype=np.float32), space.center)
        matched = index >= 0
        if matched.any():
            c = conf[matched, None]
            vector[matched] = c * space.skills[index[matched]] + (1 - c) * vector[matched]
        store.add(new, index, l2_normalize(vector))
        ids = store.lookup(phrases)
    return ids


def skill_matrix(
    rows: IntArray, idx: IntArray, values: FloatArray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """(rows x skills) matrix of ``values``; ``idx`` -1 (a free phrase) is left out."""
    keep = idx >= 0
    matrix = sp.coo_matrix((values[keep], (rows[keep], idx[keep])), shape=shape).tocsr()
    # several phrases of one row may resolve to the same skill: keep the max, not the sum
    matrix.sum_duplicates()
    return _max_duplicates(rows, idx, values, keep, shape) if matrix.nnz < keep.sum() else matrix


def _max_duplicates(
    rows: IntArray, idx: IntArray, values: FloatArray, keep: BoolArray, shape: tuple[int, int]
) -> sp.csr_matrix:
    r = rows[keep]
    c = idx[keep]
    v = values[keep]
    flat = r * shape[1] + c
    order = np.lexsort((-v, flat))
    first = np.ones(len(order), dtype=bool)
    first[1:] = flat[order][1:] != flat[order][:-1]
    sel = order[first]
    return sp.csr_matrix((v[sel], (r[sel], c[sel])), shape=shape)


@dataclass(frozen=True)
class PhraseTable:
    """Distinct phrases with their skill index and semantic vector (a copy from the store)."""

    index: IntArray
    vector: FloatArray
    position: dict[str, int]

    @classmethod
    def resolve(
        cls, vocab: Vocabulary, phrases: Sequence[str], space: SemanticSpace
    ) -> PhraseTable:
        distinct = list(dict.fromkeys(phrases))
        ids = resolve_phrases(vocab, distinct, space)
        return cls(
            space.store.index[ids],
            space.store.vectors[ids],
            {p: i for i, p in enumerate(distinct)},
        )


def skill_index(table: PhraseTable, texts: list[str]) -> IntArray:
    return np.array([table.index[table.position[t]] for t in texts], dtype=np.int64)


def trade_key(trade: str) -> str:
    return " ".join(trade.casefold().split())
