"""The shared skill vocabulary: canonical skills with zh/en names, aliases and descriptions.

:class:`SkillVocabulary` maps free-text skill claims ("烧电焊", "PLC编程", "weldng", "joins
steel plates with an electric arc") to skill ids through four channels, each in [0, 1]:
character n-gram TF-IDF over names and aliases, BM25 over names, aliases and the description,
and encoder cosines with the names and with ``"name: description"``. Their weighted mean is the
score and, for the best skill, the confidence; short phrases lean on the names, long ones on
the descriptions (:mod:`skillmatch.text._fusion` gives the rule and how it was tuned). An
encoder that reads Chinese (multilingual USE v3) embeds the Chinese forms too; one that does
not (all-MiniLM-L6-v2) embeds only Latin-script forms and its channels fade with the phrase's
CJK share, as in the first vocabulary.

On real public data (``benchmarks/bench_relevance.py``, dev halves) with USE v3 this fusion
reaches Recall@1 0.77 on ESCO alternative labels, 0.39 on CSCO 2022 job-board aliases and 0.63
on CSCO task sentences; the first vocabulary (``fusion="legacy"``, names only) reached 0.74,
0.28 and 0.34 with MiniLM. An optional ``second_encoder`` adds that model's cosines as a fifth
channel: MiniLM beside USE v3 lifts ESCO to 0.80 (it reads no Chinese, so Chinese phrases
score as without it), at several times the build and per-phrase cost.
``benchmarks/README.md`` has both halves and every baseline.

A phrase whose confidence is below ``threshold`` resolves to ``-1``: it stays a free phrase
with its own embedding and is never dropped. The hybrid default, :data:`DEFAULT_THRESHOLD` =
0.28, maximises (share of dev queries resolved to the right skill, mean over the three real
tasks) + (share of the even-numbered hobby phrases of ``benchmarks/bench_vocab.py`` rejected
over the simulator's skills), summed over both packaged encoders (USE v3 alone would pick 0.24,
MiniLM 0.28). With USE v3 it resolves 76% of ESCO dev queries correctly and 12% wrongly, and
rejects 9 in 10 held-out hobby phrases. The legacy rule keeps its 0.4
(:data:`LEGACY_THRESHOLD`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.errors import UnknownIdError
from skillmatch.text._channels import ChannelIndex
from skillmatch.text._fusion import Fusion, hybrid_scores, legacy_scores
from skillmatch.text._lexical import surface_forms
from skillmatch.text._lru import PhraseMemo, Resolved
from skillmatch.text._vocab_state import (
    VocabularyParts,
    build_parts,
    check_second_encoder,
    parts_from_state,
    state_of,
)
from skillmatch.text.encode import TextEncoder, l2_normalize
from skillmatch.text.taxonomy import taxonomy_from_frame

__all__ = [
    "DEFAULT_EMBEDDING_WEIGHT",
    "DEFAULT_THRESHOLD",
    "LEGACY_THRESHOLD",
    "PhraseResolution",
    "SkillMatch",
    "SkillVocabulary",
    "Vocabulary",
]

#: Weight of the embedding channel for an all-Latin phrase under ``fusion="legacy"``.
DEFAULT_EMBEDDING_WEIGHT = 0.3
#: Confidence below which a phrase stays unresolved under the default ``"hybrid"`` fusion.
DEFAULT_THRESHOLD = 0.28
#: The same under ``fusion="legacy"`` (and for vocabularies saved in the first format).
LEGACY_THRESHOLD = 0.4
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


def _check_fusion(fusion: object) -> Fusion:
    if fusion == "hybrid":
        return "hybrid"
    if fusion == "legacy":
        return "legacy"
    raise ValueError(f"fusion must be one of ['hybrid', 'legacy'], got fusion={fusion!r}")


class SkillVocabulary:
    """Canonical skills and the mapping from free-text phrases to them.

    Build it with :meth:`from_frame` (encodes the taxonomy once) or :meth:`from_state`
    (rebuilds a saved vocabulary without encoding).

    Parameters
    ----------
    parts : VocabularyParts
        Internal pieces; use :meth:`from_frame` or :meth:`from_state`.
    encoder : TextEncoder
        Encodes phrases; must be the encoder the form embeddings come from.
    threshold : float or None, default=None
        Confidence below which :meth:`resolve` returns -1; ``None`` means the fusion's default
        (:data:`DEFAULT_THRESHOLD` for ``"hybrid"``, :data:`LEGACY_THRESHOLD` for ``"legacy"``).
    embedding_weight : float, default=DEFAULT_EMBEDDING_WEIGHT
        ``fusion="legacy"`` only: weight of the embedding channel for an all-Latin phrase.
    second_encoder : TextEncoder or None, default=None
        The encoder of ``parts``' second channel, when it has one (see :meth:`from_frame`).

    Attributes
    ----------
    skill_ids : list of str
    names : list of str
        English names.
    names_zh : list of str
        Chinese names ("" when absent).
    n_skills : int
    embeddings : ndarray of shape (n_skills, dim), float32
        One L2-normalised vector per skill: the mean of the embeddings of its embedded forms
        (names and aliases; the Latin-script ones when the encoder does not read Chinese).
    threshold : float
    fusion : {"hybrid", "legacy"}
    reads_cjk : bool
        Whether the Chinese forms are embedded (the encoder reads Chinese; hybrid only).
    second_encoder : TextEncoder or None
        The optional second encoder.

    Examples
    --------
    >>> import pandas as pd
    >>> from skillmatch.text.encode import Encoder, USE_MULTILINGUAL
    >>> skills = pd.DataFrame({
    ...     "skill_id": ["weld", "plc"],
    ...     "name": ["Arc welding", "PLC programming"],
    ...     "name_zh": ["电焊", "PLC编程"],
    ...     "aliases": ["welder|SMAW", None],
    ...     "description": ["Join steel parts with an electric arc.", None],
    ... })
    >>> vocab = SkillVocabulary.from_frame(skills, encoder=Encoder(USE_MULTILINGUAL))
    >>> [m[0].skill_id for m in vocab.match(["烧电焊", "plc programing"], k=1)]
    ['weld', 'plc']
    >>> vocab.resolve(["电焊工", "joining steel with an electric arc", "karaoke"]).index.tolist()
    [0, 0, -1]
    """

    def __init__(
        self,
        parts: VocabularyParts,
        *,
        encoder: TextEncoder,
        threshold: float | None = None,
        embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT,
        second_encoder: TextEncoder | None = None,
    ) -> None:
        self._parts = parts
        taxonomy = parts.taxonomy
        forms = surface_forms(
            taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=parts.reads_cjk
        )
        self._index = ChannelIndex(parts, forms)
        form_embeddings = np.ascontiguousarray(parts.form_embeddings, dtype=np.float32)
        self.encoder = encoder
        self.second_encoder = check_second_encoder(parts, second_encoder)
        self.fusion = parts.fusion
        self.reads_cjk = parts.reads_cjk
        default = DEFAULT_THRESHOLD if parts.fusion == "hybrid" else LEGACY_THRESHOLD
        self.threshold = default if threshold is None else threshold
        self.embedding_weight = embedding_weight
        self.skill_ids = list(taxonomy.skill_ids)
        self.names = list(taxonomy.names)
        self.names_zh = list(taxonomy.names_zh)
        self.n_skills = len(self.skill_ids)
        self._position = {s: i for i, s in enumerate(self.skill_ids)}
        sums = np.add.reduceat(form_embeddings, forms.embedding_starts, axis=0)
        self.embeddings = l2_normalize(sums)
        #: Phrases resolved so far, least recently used evicted beyond its byte budget.
        self.memo = PhraseMemo(self.embeddings.shape[1])

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        encoder: TextEncoder,
        threshold: float | None = None,
        embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT,
        fusion: Fusion = "hybrid",
        second_encoder: TextEncoder | None = None,
    ) -> SkillVocabulary:
        """Build from a skills table, encoding each distinct form and description once.

        Columns ``skill_id`` and ``name`` (English) are required; ``name_zh``, ``aliases`` and
        ``description`` are optional. ``aliases`` holds lists of strings or ``|``-separated
        strings; missing cells are allowed. ``fusion="legacy"`` builds the first vocabulary
        (names only, no descriptions); see :mod:`skillmatch.text._fusion`.

        ``second_encoder`` (hybrid only) adds a channel from a second model, e.g.
        ``Encoder("all-MiniLM-L6-v2")`` beside USE v3: on the ESCO dev half it lifts Recall@1
        from 0.773 to 0.796, at the cost of encoding every form, description and new phrase
        with it too (with MiniLM on two cores: about a minute to build over 877 described
        skills instead of about 10 s, and tens of milliseconds per new phrase).

        Raises
        ------
        SchemaError
            A required column is missing or a required cell is empty.
        ValueError
            A ``skill_id`` occurs twice, ``fusion`` is unknown, or a ``second_encoder`` is
            given with ``fusion="legacy"``.
        """
        fusion = _check_fusion(fusion)
        if second_encoder is not None and fusion != "hybrid":
            raise ValueError(
                f"second_encoder needs fusion='hybrid', got fusion={fusion!r}; "
                "drop second_encoder or use the hybrid fusion"
            )
        parts = build_parts(taxonomy_from_frame(df), encoder, fusion, second_encoder)
        return cls(
            parts,
            encoder=encoder,
            threshold=threshold,
            embedding_weight=embedding_weight,
            second_encoder=second_encoder,
        )

    def to_state(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON-able metadata (taxonomy rows, lexical models, settings) and arrays; no pickle."""
        settings = {
            "model_id": self.encoder.model_id,
            "threshold": self.threshold,
            "embedding_weight": self.embedding_weight,
        }
        return state_of(self._parts, settings, self.embeddings)

    @classmethod
    def from_state(
        cls,
        meta: dict[str, Any],
        arrays: dict[str, NDArray[Any]],
        *,
        encoder: TextEncoder,
        second_encoder: TextEncoder | None = None,
    ) -> SkillVocabulary:
        """Rebuild the vocabulary written by :meth:`to_state` without encoding the taxonomy.

        A state of the first format (``fusion="legacy"``) loads with its own settings and
        scores exactly as it did when it was written. A vocabulary built with a second
        encoder needs that encoder again.

        Raises
        ------
        ModelFormatError
            Unknown format, another encoder (or second encoder, or a missing one), or arrays
            that do not fit the metadata.
        """
        parts = parts_from_state(meta, arrays, encoder, second_encoder)
        return cls(
            parts,
            encoder=encoder,
            threshold=float(meta["threshold"]),
            embedding_weight=float(meta["embedding_weight"]),
            second_encoder=second_encoder,
        )

    def index_of(self, skill_id: str) -> int:
        """Row of ``skill_id`` in :attr:`embeddings`; raises :class:`UnknownIdError`."""
        try:
            return self._position[skill_id]
        except KeyError:
            raise UnknownIdError(f"unknown skill_id {skill_id!r}") from None

    def _fused(self, phrases: Sequence[str], embedding: FloatMatrix) -> FloatMatrix:
        second = None if self.second_encoder is None else self.second_encoder.encode(phrases)
        ch = self._index.scores(phrases, embedding, second)
        if self.fusion == "legacy":
            fused = legacy_scores(ch, embedding_weight=self.embedding_weight)
        else:
            fused = hybrid_scores(
                ch,
                reads_cjk=self.reads_cjk,
                second_reads_cjk=self._index.second_reads_cjk,
                second_weight=self._index.second_weight,
            )
        return fused.astype(np.float32)

    def scores(self, phrases: Sequence[str]) -> FloatMatrix:
        """Fused score of each phrase (rows) with every skill (columns), in [0, 1].

        The scores :meth:`match` ranks, as one array: for scoring phrases against a whole
        (small) taxonomy at once. Each distinct phrase is encoded once.

        Examples
        --------
        >>> import pandas as pd
        >>> from skillmatch.text import Encoder
        >>> df = pd.DataFrame({"skill_id": ["weld", "fork"], "name": ["arc welding", "forklift"]})
        >>> vocab = SkillVocabulary.from_frame(df, encoder=Encoder())
        >>> vocab.scores(["电焊 welding"]).argmax(axis=1).tolist()
        [0]
        """
        phrases = _check_phrases(phrases)
        unique = list(dict.fromkeys(phrases))
        out = np.zeros((len(unique), self.n_skills), dtype=np.float32)
        if unique:
            embedding = self.encoder.encode(unique)
            for lo in range(0, len(unique), _CHUNK):
                chunk = unique[lo : lo + _CHUNK]
                out[lo : lo + len(chunk)] = self._fused(chunk, embedding[lo : lo + _CHUNK])
        row = {p: i for i, p in enumerate(unique)}
        return out[[row[p] for p in phrases]] if len(unique) != len(phrases) else out

    def match(self, phrases: Sequence[str], k: int = 10) -> list[list[SkillMatch]]:
        """Top-``k`` skills per phrase, best first (ties by skill order), scores in [0, 1]."""
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be >= 1, got k={k!r}")
        phrases = _check_phrases(phrases)
        unique = list(dict.fromkeys(phrases))
        embedding = (
            self.encoder.encode(unique)
            if unique
            else np.zeros((0, self.embeddings.shape[1]), np.float32)
        )
        top: dict[str, list[SkillMatch]] = {}
        k = min(int(k), self.n_skills)
        for lo in range(0, len(unique), _CHUNK):
            chunk = unique[lo : lo + _CHUNK]
            scores = self._fused(chunk, embedding[lo : lo + _CHUNK])
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            for phrase, row, idx in zip(chunk, scores, order, strict=True):
                top[phrase] = [SkillMatch(self.skill_ids[j], float(row[j])) for j in idx]
        return [list(top[p]) for p in phrases]

    def _resolve_new(self, phrases: list[str]) -> dict[str, Resolved]:
        embedding = self.encoder.encode(phrases)
        best = np.empty(len(phrases), dtype=np.int64)
        confidence = np.empty(len(phrases), dtype=np.float32)
        for lo in range(0, len(phrases), _CHUNK):
            scores = self._fused(phrases[lo : lo + _CHUNK], embedding[lo : lo + _CHUNK])
            best[lo : lo + _CHUNK] = scores.argmax(axis=1)
            confidence[lo : lo + _CHUNK] = scores.max(axis=1)
        return self.memo.add(phrases, best, confidence, embedding)

    def resolve(self, phrases: Sequence[str]) -> PhraseResolution:
        """Best skill, confidence and own embedding per phrase; memoised per distinct phrase.

        All phrases not in the memo go through one ``encoder.encode`` call; a phrase in it
        costs a dictionary look-up. The memo keeps the most recently used phrases within its
        byte budget (:attr:`memo`).
        """
        phrases = _check_phrases(phrases)
        distinct = list(dict.fromkeys(phrases))
        resolved = self.memo.lookup(distinct)  # before resolving new ones may evict them
        new = [p for p in distinct if p not in resolved]
        if new:
            resolved.update(self._resolve_new(new))
        best, confidence, embedding = self.memo.gather(phrases, resolved)
        index = np.where(confidence >= self.threshold, best, -1)
        return PhraseResolution(index.astype(np.int64), confidence, embedding)

    def __repr__(self) -> str:
        return (
            f"SkillVocabulary(n_skills={self.n_skills}, fusion={self.fusion!r}, "
            f"threshold={self.threshold})"
        )
