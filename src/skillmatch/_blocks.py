"""Workers and programs turned into arrays over the shared skill vocabulary.

:class:`Catalogue` holds one row per program (skills taught and required as sparse matrices,
a text embedding, chain alignment, and the program attributes as small arrays).
:class:`WorkerBlock` holds the same kind of arrays for a block of workers. All text of a block
(skill claims, occupations, goals) is resolved through the vocabulary in one call, so a block
costs at most one encoder call, and only for text never seen before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch._columns import MODALITIES, WorkerColumns
from skillmatch._phrase_store import PhraseStore
from skillmatch._semantic import semantic_vectors
from skillmatch.chains import ChainMap
from skillmatch.encode import l2_normalize
from skillmatch.schema import EDUCATION_LEVELS, EDUCATION_RANK, Program

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

KINDS = ("credential", "certificate", "short_course")
SCHEDULES = ("weekday_evening", "weekend", "weekday_day", "self_paced", "full_time")
#: Certificate level used for "no certificate" (levels run 5 = entry .. 1 = senior).
NO_CERT = 6
#: Weight of the occupation title among a worker's skill claims in the profile vector.
OCCUPATION_WEIGHT = 1.0


class Resolution(Protocol):
    """What :meth:`SkillVocabulary.resolve` returns (index -1 = free phrase)."""

    @property
    def index(self) -> IntArray: ...

    @property
    def confidence(self) -> NDArray[np.float32]: ...

    @property
    def embedding(self) -> FloatArray: ...


class Vocabulary(Protocol):
    """The part of :class:`~skillmatch.vocab.SkillVocabulary` the features use."""

    skill_ids: list[str]
    names: list[str]
    names_zh: list[str]
    embeddings: FloatArray

    @property
    def n_skills(self) -> int: ...

    def resolve(self, phrases: Sequence[str]) -> Resolution: ...


@dataclass(frozen=True)
class SemanticSpace:
    """Skill vectors, the embedding centre, and the store of phrases already resolved."""

    skills: FloatArray  # (n_skills, dim + NGRAM_DIM)
    center: FloatArray  # (dim,)
    store: PhraseStore


def semantic_space(vocab: Vocabulary) -> SemanticSpace:
    """Semantic vector of each vocabulary skill (see :mod:`skillmatch._semantic`)."""
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
            store.clear()  # bounded memory; a phrase seen again is rebuilt identically
            new = list(dict.fromkeys(phrases))
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


@dataclass(frozen=True)
class Catalogue:
    """The program catalogue as arrays (row ``p`` is ``programs[p]``)."""

    programs: list[Program]
    program_ids: list[str]
    taught: sp.csr_matrix  # (P, S) target level / 5
    required: sp.csr_matrix  # (P, S) 0/1
    embedding: NDArray[np.float64]  # (P, dim), float64 so products do not depend on block size
    alignment: NDArray[np.float64]  # (P, N) program x chain node
    alignment_norm: FloatArray  # (P,) sum of alignment row, >= tiny
    kind: IntArray
    min_education: IntArray  # -1 = none
    min_cert: IntArray  # NO_CERT = none
    cert_column: IntArray  # column in WorkerBlock.cert_best (trade or "any")
    awards_education: IntArray  # -1 = none
    awards_cert: IntArray  # 0 = none
    modality: IntArray
    region_mask: BoolArray  # (P, n_regions + 1)
    schedule: IntArray
    weekly_load: FloatArray
    cost: FloatArray
    aid_eligible: BoolArray
    capacity: IntArray
    credits: FloatArray
    sponsor_node: IntArray  # -1 = not a chain node
    sponsor_name: list[str | None]
    regions: list[str]
    trades: list[str]
    n_required: FloatArray

    @property
    def n_programs(self) -> int:
        return len(self.programs)

    def take(self, cols: IntArray, *, embedding: bool = True) -> Catalogue:
        """The programs at ``cols`` (in that order) as a catalogue of their own.

        With ``embedding=False`` the (large) embedding matrix is shared, not gathered: the
        caller takes ``cols`` of the products it makes with it.
        """
        cols = np.asarray(cols, dtype=np.int64)
        return replace(
            self,
            programs=[self.programs[j] for j in cols],
            program_ids=[self.program_ids[j] for j in cols],
            taught=self.taught[cols],
            required=self.required[cols],
            embedding=self.embedding[cols] if embedding else self.embedding,
            alignment=self.alignment[cols],
            alignment_norm=self.alignment_norm[cols],
            kind=self.kind[cols],
            min_education=self.min_education[cols],
            min_cert=self.min_cert[cols],
            cert_column=self.cert_column[cols],
            awards_education=self.awards_education[cols],
            awards_cert=self.awards_cert[cols],
            modality=self.modality[cols],
            region_mask=self.region_mask[cols],
            schedule=self.schedule[cols],
            weekly_load=self.weekly_load[cols],
            cost=self.cost[cols],
            aid_eligible=self.aid_eligible[cols],
            capacity=self.capacity[cols],
            credits=self.credits[cols],
            sponsor_node=self.sponsor_node[cols],
            sponsor_name=[self.sponsor_name[j] for j in cols],
            n_required=self.n_required[cols],
        )


def _skill_matrix(
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


def _skill_index(table: PhraseTable, texts: list[str]) -> IntArray:
    return np.array([table.index[table.position[t]] for t in texts], dtype=np.int64)


def _trade_key(trade: str) -> str:
    return " ".join(trade.casefold().split())


def build_catalogue(
    programs: Sequence[Program],
    vocab: Vocabulary,
    chains: ChainMap,
    node_skills: sp.csr_matrix,
    space: SemanticSpace,
) -> Catalogue:
    """Arrays of the whole catalogue; text is resolved through ``vocab`` in one call."""
    programs = list(programs)
    n_p, n_s = len(programs), vocab.n_skills
    phrases = [s.text for p in programs for s in p.skills_taught]
    phrases += [r for p in programs for r in p.required_skills]
    phrases += [p.title for p in programs]
    table = PhraseTable.resolve(vocab, phrases, space)

    t_rows = [i for i, p in enumerate(programs) for _ in p.skills_taught]
    t_text = [s.text for p in programs for s in p.skills_taught]
    t_val = [s.level / 5.0 for p in programs for s in p.skills_taught]
    taught = _skill_matrix(
        np.asarray(t_rows, dtype=np.int64),
        _skill_index(table, t_text),
        np.asarray(t_val, dtype=np.float32),
        (n_p, n_s),
    )
    r_rows = [i for i, p in enumerate(programs) for _ in p.required_skills]
    r_text = [r for p in programs for r in p.required_skills]
    required = _skill_matrix(
        np.asarray(r_rows, dtype=np.int64),
        _skill_index(table, r_text),
        np.ones(len(r_rows), dtype=np.float32),
        (n_p, n_s),
    )
    required.data[:] = 1.0

    weights = sp.csr_matrix(
        (np.ones(len(t_rows), dtype=np.float32), (t_rows, [table.position[t] for t in t_text])),
        shape=(n_p, len(table.position)),
    )
    counts = np.maximum(np.asarray(weights.sum(axis=1)).ravel(), 1.0)[:, None]
    titles = table.vector[[table.position[p.title] for p in programs]]
    embedding = l2_normalize(np.asarray(weights @ table.vector) / counts + 0.5 * titles)

    alignment = chains.program_alignment(programs, taught, node_skills)
    return _attributes(programs, taught, required, embedding, alignment, chains)


def _attributes(
    programs: list[Program],
    taught: sp.csr_matrix,
    required: sp.csr_matrix,
    embedding: FloatArray,
    alignment: FloatArray,
    chains: ChainMap,
) -> Catalogue:
    regions = sorted({r for p in programs for r in p.regions})
    region_pos = {r: i for i, r in enumerate(regions)}
    region_mask = np.zeros((len(programs), len(regions) + 1), dtype=bool)
    for i, p in enumerate(programs):
        if not p.regions or p.modality == "online":
            region_mask[i] = True
        else:
            region_mask[i, [region_pos[r] for r in p.regions]] = True
    trades = sorted({_trade_key(p.certificate_trade) for p in programs if p.certificate_trade})
    trade_pos = {t: i for i, t in enumerate(trades)}
    any_col = len(trades)

    def arr(values: list[float] | list[int] | list[bool], dtype: type) -> Any:
        return np.asarray(values, dtype=dtype)

    return Catalogue(
        programs=programs,
        program_ids=[p.program_id for p in programs],
        taught=taught,
        required=required,
        embedding=embedding.astype(np.float64),
        alignment=alignment.astype(np.float64),
        alignment_norm=np.maximum(alignment.sum(axis=1), 1e-6).astype(np.float32),
        kind=arr([KINDS.index(p.kind) for p in programs], np.int64),
        min_education=arr(
            [EDUCATION_RANK[p.min_education] if p.min_education else -1 for p in programs], np.int64
        ),
        min_cert=arr([p.min_certificate_level or NO_CERT for p in programs], np.int64),
        cert_column=arr(
            [
                trade_pos[_trade_key(p.certificate_trade)] if p.certificate_trade else any_col
                for p in programs
            ],
            np.int64,
        ),
        awards_education=arr(
            [EDUCATION_RANK[p.awards_education] if p.awards_education else -1 for p in programs],
            np.int64,
        ),
        awards_cert=arr([p.awards_certificate_level or 0 for p in programs], np.int64),
        modality=arr([MODALITIES.index(p.modality) for p in programs], np.int64),
        region_mask=region_mask,
        schedule=arr([SCHEDULES.index(p.schedule) for p in programs], np.int64),
        weekly_load=arr([p.hours / p.weeks for p in programs], np.float32),
        cost=arr([p.cost for p in programs], np.float32),
        aid_eligible=arr([p.aid_eligible for p in programs], np.bool_),
        capacity=arr([p.capacity for p in programs], np.int64),
        credits=arr([p.credits for p in programs], np.float32),
        sponsor_node=chains.node_index([p.sponsor for p in programs]),
        sponsor_name=[p.sponsor for p in programs],
        regions=regions,
        trades=trades,
        n_required=np.asarray(required.sum(axis=1), dtype=np.float32).ravel(),
    )


@dataclass(frozen=True)
class WorkerBlock:
    """A block of workers as arrays aligned with a :class:`Catalogue`."""

    columns: WorkerColumns
    skills: sp.csr_matrix  # (B, S) claimed proficiency level / 5
    has: sp.csr_matrix  # (B, S) 0/1
    unscaled: FloatArray  # (B, dim) weights @ store.vectors: the profile before scaling
    goal_rows: IntArray  # the workers with a goal
    goal: FloatArray  # (len(goal_rows), dim) semantic vector of each of their goals
    weights: sp.csr_matrix  # (B, phrases in the store) weight of each phrase in the profile
    norm: FloatArray  # (B,) norm of unscaled
    goal_ids: IntArray  # store id of each goal (rows of goal)
    generation: int  # the store generation the ids belong to
    education: IntArray  # rank (EDUCATION_RANK)
    cert_best: IntArray  # (B, n_trades + 1) best (lowest) level per trade, last = any trade
    region: IntArray  # column of Catalogue.region_mask
    chain_region: IntArray  # row of ChainMap.demand
    employer: IntArray  # chain node index, -1 none
    shift: IntArray
    modality: IntArray
    weekly_hours: FloatArray

    @property
    def n_workers(self) -> int:
        return len(self.columns)

    @property
    def profile(self) -> FloatArray:
        """Unit profile vector of each worker, shape (B, dim)."""
        return l2_normalize(self.unscaled)

    def take(self, rows: IntArray) -> WorkerBlock:
        """The workers at ``rows`` as a block of their own."""
        rows = np.asarray(rows, dtype=np.int64)
        goal_at = np.full(self.n_workers, -1, dtype=np.int64)
        goal_at[self.goal_rows] = np.arange(len(self.goal_rows))
        goal_of = goal_at[rows]
        return WorkerBlock(
            columns=self.columns.take(rows),
            skills=self.skills[rows],
            has=self.has[rows],
            unscaled=self.unscaled[rows],
            goal_rows=np.flatnonzero(goal_of >= 0),
            goal=self.goal[goal_of[goal_of >= 0]],
            weights=self.weights[rows],
            norm=self.norm[rows],
            goal_ids=self.goal_ids[goal_of[goal_of >= 0]],
            generation=self.generation,
            education=self.education[rows],
            cert_best=self.cert_best[rows],
            region=self.region[rows],
            chain_region=self.chain_region[rows],
            employer=self.employer[rows],
            shift=self.shift[rows],
            modality=self.modality[rows],
            weekly_hours=self.weekly_hours[rows],
        )


#: Rank of each code of :data:`~skillmatch.schema.EDUCATION_LEVELS`.
_EDUCATION_RANKS = np.array([EDUCATION_RANK[e] for e in EDUCATION_LEVELS], dtype=np.int64)


def build_block(
    workers: WorkerColumns,
    vocab: Vocabulary,
    chains: ChainMap,
    catalogue: Catalogue,
    space: SemanticSpace,
) -> WorkerBlock:
    """Arrays of a block of workers; all their text is resolved in one vocabulary call."""
    n_w, n_s = len(workers), vocab.n_skills
    n_claims = len(workers.claim_text)
    rows = np.repeat(np.arange(n_w, dtype=np.int64), np.diff(workers.claim_offsets))
    with_goal = np.flatnonzero([bool(g) for g in workers.goal])
    phrases = np.concatenate([workers.claim_text, workers.occupation, workers.goal[with_goal]])
    store = space.store
    ids = resolve_phrases(vocab, phrases, space)  # store id of each phrase
    claim_ids = ids[:n_claims]

    levels = np.asarray(workers.claim_level / 5.0, dtype=np.float32)
    skills = _skill_matrix(rows, store.index[claim_ids], levels, (n_w, n_s))
    has = skills.copy()
    has.data[:] = 1.0

    # profile: a worker's claims (weighted by level) then occupation, summed in that order
    # whatever the block, so a worker's profile is the same alone or among any others
    n_phrases = np.diff(workers.claim_offsets) + 1
    indptr = np.concatenate([[0], np.cumsum(n_phrases)])
    at_occupation = indptr[1:] - 1
    in_claims = np.ones(indptr[-1], dtype=bool)
    in_claims[at_occupation] = False
    data = np.empty(indptr[-1], dtype=np.float32)
    column = np.empty(indptr[-1], dtype=np.int64)
    data[in_claims], column[in_claims] = levels, claim_ids
    data[at_occupation] = OCCUPATION_WEIGHT * 0.6
    column[at_occupation] = ids[n_claims : n_claims + n_w]
    weights = sp.csr_matrix((data, column, indptr), shape=(n_w, len(store)))
    unscaled = np.asarray(weights @ store.vectors)
    goal_ids = ids[n_claims + n_w :]
    return WorkerBlock(
        columns=workers,
        skills=skills,
        has=has,
        unscaled=unscaled,
        goal_rows=with_goal,
        goal=store.vectors[goal_ids],
        weights=weights,
        norm=np.linalg.norm(unscaled, axis=-1),
        goal_ids=goal_ids,
        generation=store.generation,
        education=_EDUCATION_RANKS[workers.education],
        cert_best=_cert_best(workers, catalogue.trades),
        region=region_columns(workers, catalogue),
        chain_region=chains.region_index(workers.region),
        employer=chains.node_index(workers.employer_node),
        shift=workers.shift,
        modality=workers.modality,
        weekly_hours=workers.weekly_hours.astype(np.float32),
    )


def _cert_best(workers: WorkerColumns, trades: list[str]) -> IntArray:
    best = np.full((len(workers), len(trades) + 1), NO_CERT, dtype=np.int64)
    if not len(workers.cert_trade):
        return best
    owner = np.repeat(np.arange(len(workers), dtype=np.int64), np.diff(workers.cert_offsets))
    trade_pos = {t: i for i, t in enumerate(trades)}
    codes, distinct = pd.factorize(workers.cert_trade)  # a few trade names, many certificates
    known_col = np.array([trade_pos.get(_trade_key(t), -1) for t in distinct], dtype=np.int64)
    col = known_col[codes]
    known = col >= 0
    np.minimum.at(best, (owner[known], col[known]), workers.cert_level[known])
    np.minimum.at(best[:, -1], owner, workers.cert_level)
    return best


def region_columns(workers: WorkerColumns, catalogue: Catalogue) -> IntArray:
    """Column of :attr:`Catalogue.region_mask` for each worker (the last: a region no program
    names, where only programs offered everywhere are open)."""
    return _region_column(workers.region, catalogue.regions)


def _region_column(regions: NDArray[np.object_], known: list[str]) -> IntArray:
    column = pd.Index(known, dtype=object).get_indexer(pd.Index(regions, dtype=object))
    return np.where(column < 0, len(known), column).astype(np.int64)
