"""Text layer: encoders, the skill vocabulary and its lexical and semantic channels.

Imports only :mod:`skillmatch.schema` and :mod:`skillmatch.errors`. Loading a model is lazy:
importing this package loads none.
"""

from __future__ import annotations

from skillmatch.text._lexical import normalize_text
from skillmatch.text._lru import ByteLRU, PhraseMemo
from skillmatch.text.encode import (
    DEFAULT_MODEL,
    E5_MULTILINGUAL,
    EMBEDDING_CACHE_BYTES,
    USE_MULTILINGUAL,
    EmbeddingCache,
    Encoder,
    TextEncoder,
    encode_documents,
    l2_normalize,
    pinned,
)
from skillmatch.text.phrase_store import PHRASE_STORE_SIZE, PhraseStore
from skillmatch.text.semantic import NGRAM_DIM, semantic_vectors
from skillmatch.text.vocab import (
    DEFAULT_EMBEDDING_WEIGHT,
    DEFAULT_THRESHOLD,
    LEGACY_THRESHOLD,
    PhraseResolution,
    SkillMatch,
    SkillVocabulary,
    Vocabulary,
)

__all__ = [
    "DEFAULT_EMBEDDING_WEIGHT",
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "E5_MULTILINGUAL",
    "EMBEDDING_CACHE_BYTES",
    "NGRAM_DIM",
    "PHRASE_STORE_SIZE",
    "LEGACY_THRESHOLD",
    "ByteLRU",
    "EmbeddingCache",
    "Encoder",
    "PhraseMemo",
    "PhraseResolution",
    "PhraseStore",
    "SkillMatch",
    "SkillVocabulary",
    "TextEncoder",
    "USE_MULTILINGUAL",
    "Vocabulary",
    "encode_documents",
    "l2_normalize",
    "normalize_text",
    "pinned",
    "semantic_vectors",
]
