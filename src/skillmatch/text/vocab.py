"""The shared skill vocabulary: canonical skills with zh/en names and aliases.

:class:`SkillVocabulary` maps free-text skill claims ("烧电焊", "PLC编程", "weldng") to skill ids
through two channels:

* **lexical**: cosine of character n-gram TF-IDF vectors (see :mod:`skillmatch.text._lexical`)
  between the phrase and every surface form of a skill (English name, Chinese name, aliases);
  a skill scores the max over its forms. This channel carries Chinese, abbreviations and typos.
* **embedding**: cosine between the phrase's encoder embedding and the embeddings of the
  skill's Latin-script forms (max over forms). This channel carries English synonyms.

The default encoder, all-MiniLM-L6-v2, maps almost every CJK character to ``[UNK]`` (电焊 and
焊工 get the same vector), so the channels are fused with a weight that follows the script of the
phrase: ``w = embedding_weight * (1 - cjk_share(phrase))`` and
``score = (1 - w) * lexical + w * embedding``. An English phrase leans on both channels, a
Chinese one on the lexical channel alone. On the simulator's held-out variants
(``benchmarks/bench_vocab.py``, tuned on half the skills, reported on the other half) this rule
matched or beat lexical-only, embedding-only, a fixed weighted sum and reciprocal-rank fusion;
its optimum is flat for ``embedding_weight`` in 0.2-0.3, and 0.3 keeps more weight on English
synonyms, which are rare in the simulator but common in workers' own words.

A phrase whose best score is below ``threshold`` (default 0.4) resolves to ``-1``: it stays a
free phrase with its own embedding and is never dropped. At 0.4, about 97% of the simulator's
variants resolve correctly, 1% resolve wrongly and 7 in 8 unrelated hobby phrases are rejected;
0.5 rejects more hobbies but leaves short Chinese paraphrases (开叉车, 精益管理) unresolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError, UnknownIdError
from skillmatch.text._lexical import CharNgramModel, cjk_share, surface_forms
from skillmatch.text.encode import TextEncoder, l2_normalize
from skillmatch.text.taxonomy import Taxonomy, taxonomy_from_frame

__all__ = [
    "DEFAULT_EMBEDDING_WEIGHT",
    "DEFAULT_THRESHOLD",
    "PhraseResolution",
    "SkillMatch",
    "SkillVocabulary",
    "Vocabulary",
]

#: Weight of the embedding channel for an all-Latin phrase (see the module docstring).
DEFAULT_EMBEDDING_WEIGHT = 0.3
#: Confidence below which a phrase stays unresolved (see the module docstring).
DEFAULT_THRESHOLD = 0.4
_STATE_FORMAT = 1
_CHUNK = 2048

FloatMatrix = NDArray[np.float32]


class SkillMatch(NamedTuple):
    """One candidate skill for a phrase: its id and fused score in [0, 1]."""

    skill_id: str
    score: float


class PhraseResolution(NamedTuple):
    """Resolution of ``n`` phrases.

    Attributes
    ----------
    index : ndarray of shape (n,), int64
        Index of the best skill, or -1 when ``confidence < threshold``.
    confidence : ndarray of shape (n,), float32
        Fused score of the best skill, in [0, 1].
    embedding : ndarray of shape (n, dim), float32
        The phrase's own L2-normalised encoder embedding.
    """

    index: NDArray[np.int64]  # type: ignore[assignment]  # shadows tuple.index on purpose
    confidence: NDArray[np.float32]
    embedding: FloatMatrix


class Vocabulary(Protocol):
    """What the scoring core needs from a skill vocabulary.

    :class:`SkillVocabulary` is the implementation; the core, the bundle and the batch layer
    type against this protocol.
    """

    skill_ids: list[str]
    names: list[str]
    names_zh: list[str]
    embeddings: FloatMatrix
    encoder: TextEncoder

    @property
    def n_skills(self) -> int:
        """Number of canonical skills (rows of :attr:`embeddings`)."""
        ...

    def resolve(self, phrases: Sequence[str]) -> PhraseResolution:
        """Best skill (or -1), confidence and own embedding of each phrase."""
        ...

    def to_state(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON-able metadata and plain arrays that rebuild the vocabulary (no pickle)."""
        ...


def _max_per_skill(scores: NDArray[Any], starts: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.maximum.reduceat(np.asarray(scores, dtype=np.float64), starts, axis=1)


class _Channels(NamedTuple):
    lexical: NDArray[np.float64]  # (n, n_skills)
    embedding: NDArray[np.float64]  # (n, n_skills)
    cjk: NDArray[np.float64]  # (n, 1)


def _check_phrases(phrases: Sequence[str]) -> list[str]:
    if isinstance(phrases, str):
        raise TypeError(
            "phrases must be a sequence of strings, got a single str; wrap it in a list"
        )
    out = list(phrases)
    for i, p in enumerate(out):
        if not isinstance(p, str):
            raise TypeError(f"phrases[{i}] must be a str, got {p!r}")
    return out


class SkillVocabulary:
    """Canonical skills and the mapping from free-text phrases to them.

    Build it with :meth:`from_frame` (encodes the taxonomy once) or :meth:`from_state`
    (rebuilds a saved vocabulary without encoding).

    Parameters
    ----------
    taxonomy, lexical, form_embeddings
        Internal pieces; use :meth:`from_frame` or :meth:`from_state`.
    encoder : TextEncoder
        Encodes phrases; must be the encoder the form embeddings come from.
    threshold : float, default=DEFAULT_THRESHOLD
        Confidence below which :meth:`resolve` returns -1.
    embedding_weight : float, default=DEFAULT_EMBEDDING_WEIGHT
        Weight of the embedding channel for an all-Latin phrase; it shrinks linearly to 0 with
        the share of CJK characters in the phrase.

    Attributes
    ----------
    skill_ids : list of str
    names : list of str
        English names.
    names_zh : list of str
        Chinese names ("" when absent).
    n_skills : int
    embeddings : ndarray of shape (n_skills, dim), float32
        One L2-normalised vector per skill: the mean of the embeddings of its Latin-script
        forms (English name and aliases), renormalised.
    threshold : float

    Examples
    --------
    >>> import pandas as pd
    >>> from skillmatch.text.encode import Encoder
    >>> skills = pd.DataFrame({
    ...     "skill_id": ["weld", "plc"],
    ...     "name": ["Arc welding", "PLC programming"],
    ...     "name_zh": ["电焊", "PLC编程"],
    ...     "aliases": ["welder|SMAW", None],
    ... })
    >>> vocab = SkillVocabulary.from_frame(skills, encoder=Encoder())
    >>> [m[0].skill_id for m in vocab.match(["烧电焊", "plc programing"], k=1)]
    ['weld', 'plc']
    >>> vocab.resolve(["电焊工", "karaoke singing"]).index.tolist()
    [0, -1]
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        lexical: CharNgramModel,
        form_embeddings: FloatMatrix,
        *,
        encoder: TextEncoder,
        threshold: float = DEFAULT_THRESHOLD,
        embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT,
    ) -> None:
        self._taxonomy = taxonomy
        self._lexical = lexical
        self._forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases)
        self._form_matrix = lexical.transform(self._forms.lexical).T.tocsr()
        self._form_embeddings = np.ascontiguousarray(form_embeddings, dtype=np.float32)
        # Scores are computed in float64 and rounded to float32, so a phrase gets the same
        # score whatever batch it comes in (BLAS kernels vary with the batch shape).
        self._form_embeddings_t = self._form_embeddings.T.astype(np.float64)
        self.encoder = encoder
        self.threshold = threshold
        self.embedding_weight = embedding_weight
        self.skill_ids = list(taxonomy.skill_ids)
        self.names = list(taxonomy.names)
        self.names_zh = list(taxonomy.names_zh)
        self.n_skills = len(self.skill_ids)
        self._position = {s: i for i, s in enumerate(self.skill_ids)}
        sums = np.add.reduceat(self._form_embeddings, self._forms.embedding_starts, axis=0)
        self.embeddings = l2_normalize(sums)
        self._memo: dict[str, int] = {}
        self._memo_best = np.zeros(0, dtype=np.int64)
        self._memo_confidence = np.zeros(0, dtype=np.float32)
        self._memo_embedding = np.zeros((0, self.embeddings.shape[1]), dtype=np.float32)

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        encoder: TextEncoder,
        threshold: float = DEFAULT_THRESHOLD,
        embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT,
    ) -> SkillVocabulary:
        """Build from a skills table, encoding each distinct Latin-script form once.

        Columns ``skill_id`` and ``name`` (English) are required; ``name_zh``, ``aliases`` and
        ``description`` are optional. ``aliases`` holds lists of strings or ``|``-separated
        strings; missing cells are allowed.

        Raises
        ------
        SchemaError
            A required column is missing or a required cell is empty.
        ValueError
            A ``skill_id`` occurs twice.
        """
        taxonomy = taxonomy_from_frame(df)
        forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases)
        lexical = CharNgramModel.fit(forms.lexical)
        form_embeddings = encoder.encode(forms.embedding)
        return cls(
            taxonomy,
            lexical,
            form_embeddings,
            encoder=encoder,
            threshold=threshold,
            embedding_weight=embedding_weight,
        )

    def to_state(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON-able metadata (taxonomy rows, lexical model, settings) and arrays; no pickle."""
        meta: dict[str, Any] = {
            "format": _STATE_FORMAT,
            "model_id": self.encoder.model_id,
            "threshold": self.threshold,
            "embedding_weight": self.embedding_weight,
            "skills": self._taxonomy.rows(),
            "lexical": self._lexical.get_params(),
        }
        arrays: dict[str, NDArray[Any]] = {
            "embeddings": self.embeddings,
            "form_embeddings": self._form_embeddings,
            "lexical_idf": self._lexical.idf,
        }
        return meta, arrays

    @classmethod
    def from_state(
        cls, meta: dict[str, Any], arrays: dict[str, NDArray[Any]], *, encoder: TextEncoder
    ) -> SkillVocabulary:
        """Rebuild the vocabulary written by :meth:`to_state` without encoding the taxonomy.

        Raises
        ------
        ModelFormatError
            Unknown format, another encoder, or arrays that do not fit the metadata.
        """
        if meta.get("format") != _STATE_FORMAT:
            raise ModelFormatError(
                f"vocabulary state format {meta.get('format')!r} is not supported; "
                f"expected {_STATE_FORMAT}"
            )
        if meta["model_id"] != encoder.model_id:
            raise ModelFormatError(
                f"vocabulary was built with model_id={meta['model_id']!r}, "
                f"but the encoder is {encoder.model_id!r}"
            )
        columns = ["skill_id", "name", "name_zh", "aliases", "description"]
        taxonomy = taxonomy_from_frame(pd.DataFrame(meta["skills"], columns=columns))
        lex = meta["lexical"]
        lexical = CharNgramModel(
            list(lex["vocabulary"]),
            np.asarray(arrays["lexical_idf"], dtype=np.float64),
            int(lex["n_documents"]),
            latin_range=tuple(lex["latin_range"]),
            cjk_range=tuple(lex["cjk_range"]),
        )
        forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases)
        form_embeddings = np.asarray(arrays["form_embeddings"], dtype=np.float32)
        if (
            lexical.idf.shape != (len(lexical.vocabulary),)
            or form_embeddings.shape[0] != len(forms.embedding)
            or form_embeddings.shape[1] != encoder.dim
        ):
            raise ModelFormatError(
                "vocabulary arrays do not match the metadata: "
                f"idf {lexical.idf.shape} for {len(lexical.vocabulary)} n-grams, form embeddings "
                f"{form_embeddings.shape} for {len(forms.embedding)} forms of dim {encoder.dim}"
            )
        return cls(
            taxonomy,
            lexical,
            form_embeddings,
            encoder=encoder,
            threshold=float(meta["threshold"]),
            embedding_weight=float(meta["embedding_weight"]),
        )

    def index_of(self, skill_id: str) -> int:
        """Row of ``skill_id`` in :attr:`embeddings`; raises :class:`UnknownIdError`."""
        try:
            return self._position[skill_id]
        except KeyError:
            raise UnknownIdError(f"unknown skill_id {skill_id!r}") from None

    def _channels(self, phrases: Sequence[str], embedding: FloatMatrix) -> _Channels:
        """Per-skill lexical and embedding scores, and the CJK share, of ``phrases``."""
        lex = (self._lexical.transform(phrases) @ self._form_matrix).toarray()
        emb = np.clip(embedding.astype(np.float64) @ self._form_embeddings_t, 0.0, 1.0)
        cjk = np.array([cjk_share(p) for p in phrases], dtype=np.float64).reshape(-1, 1)
        return _Channels(
            _max_per_skill(lex, self._forms.lexical_starts),
            _max_per_skill(emb, self._forms.embedding_starts),
            cjk,
        )

    def _fused(self, phrases: Sequence[str], embedding: FloatMatrix) -> FloatMatrix:
        ch = self._channels(phrases, embedding)
        weight = self.embedding_weight * (1.0 - ch.cjk)
        fused = (1.0 - weight) * ch.lexical + weight * ch.embedding
        return np.clip(fused, 0.0, 1.0).astype(np.float32)

    def match(self, phrases: Sequence[str], k: int = 10) -> list[list[SkillMatch]]:
        """Top-``k`` skills per phrase, best first (ties by skill order), scores in [0, 1]."""
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be >= 1, got k={k!r}")
        phrases = _check_phrases(phrases)
        unique = list(dict.fromkeys(phrases))
        embedding = self.encoder.encode(unique) if unique else self._memo_embedding[:0]
        top: dict[str, list[SkillMatch]] = {}
        k = min(int(k), self.n_skills)
        for lo in range(0, len(unique), _CHUNK):
            chunk = unique[lo : lo + _CHUNK]
            scores = self._fused(chunk, embedding[lo : lo + _CHUNK])
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            for phrase, row, idx in zip(chunk, scores, order, strict=True):
                top[phrase] = [SkillMatch(self.skill_ids[j], float(row[j])) for j in idx]
        return [list(top[p]) for p in phrases]

    def _resolve_new(self, phrases: list[str]) -> None:
        embedding = self.encoder.encode(phrases)
        best = np.empty(len(phrases), dtype=np.int64)
        confidence = np.empty(len(phrases), dtype=np.float32)
        for lo in range(0, len(phrases), _CHUNK):
            scores = self._fused(phrases[lo : lo + _CHUNK], embedding[lo : lo + _CHUNK])
            best[lo : lo + _CHUNK] = scores.argmax(axis=1)
            confidence[lo : lo + _CHUNK] = scores.max(axis=1)
        start = len(self._memo)
        self._memo.update((p, start + i) for i, p in enumerate(phrases))
        self._memo_best = np.concatenate([self._memo_best, best])
        self._memo_confidence = np.concatenate([self._memo_confidence, confidence])
        self._memo_embedding = np.concatenate([self._memo_embedding, embedding])

    def resolve(self, phrases: Sequence[str]) -> PhraseResolution:
        """Best skill, confidence and own embedding per phrase; memoised per distinct phrase.

        All unseen phrases go through one ``encoder.encode`` call; a phrase seen before costs a
        dictionary look-up.
        """
        phrases = _check_phrases(phrases)
        new = [p for p in dict.fromkeys(phrases) if p not in self._memo]
        if new:
            self._resolve_new(new)
        rows = np.fromiter((self._memo[p] for p in phrases), dtype=np.int64, count=len(phrases))
        confidence = self._memo_confidence[rows]
        index = np.where(confidence >= self.threshold, self._memo_best[rows], -1)
        return PhraseResolution(index.astype(np.int64), confidence, self._memo_embedding[rows])

    def __repr__(self) -> str:
        return f"SkillVocabulary(n_skills={self.n_skills}, threshold={self.threshold})"
