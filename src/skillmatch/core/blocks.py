"""Workers turned into arrays over the shared skill vocabulary, aligned with the catalogue.

:class:`WorkerBlock` holds for a block of workers the same kind of arrays that
:class:`~skillmatch.core.catalogue.Catalogue` holds for programs. All text of a block
(skill claims, occupations, goals) is resolved through the vocabulary in one call, so a block
costs at most one encoder call, and only for text never seen before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch.core._lookup import positions
from skillmatch.core._types import FloatArray, IntArray
from skillmatch.core.catalogue import NO_CERT, Catalogue
from skillmatch.core.chains import ChainMap
from skillmatch.core.columns import WorkerColumns
from skillmatch.core.space import SemanticSpace, resolve_phrases, skill_matrix, trade_key
from skillmatch.schema import EDUCATION_LEVELS, EDUCATION_RANK
from skillmatch.text import Vocabulary, l2_normalize

#: Weight of the occupation title among a worker's skill claims in the profile vector.
OCCUPATION_WEIGHT = 1.0


@dataclass(frozen=True)
class WorkerBlock:
    """A block of workers as arrays aligned with a :class:`Catalogue`."""

    columns: WorkerColumns
    skills: sp.csr_matrix  # (B, S) claimed proficiency level / 5
    has: sp.csr_matrix  # (B, S) 0/1
    unscaled: FloatArray  # (B, dim) weights @ store.vectors: the profile before scaling
    goal_rows: IntArray  # the workers with a goal (their goals: columns.goal[goal_rows])
    weights: sp.csr_matrix  # (B, phrases in the store) weight of each phrase in the profile
    norm: FloatArray  # (B,) norm of unscaled
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
        has_goal = np.zeros(self.n_workers, dtype=bool)
        has_goal[self.goal_rows] = True
        return WorkerBlock(
            columns=self.columns.take(rows),
            skills=self.skills[rows],
            has=self.has[rows],
            unscaled=self.unscaled[rows],
            goal_rows=np.flatnonzero(has_goal[rows]),
            weights=self.weights[rows],
            norm=self.norm[rows],
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
    # goals are matched against the programs themselves (FeatureBuilder.goals_), not here
    phrases = np.concatenate([workers.claim_text, workers.occupation])
    store = space.store
    ids = resolve_phrases(vocab, phrases, space)  # store id of each phrase
    claim_ids = ids[:n_claims]

    levels = np.asarray(workers.claim_level / 5.0, dtype=np.float32)
    skills = skill_matrix(rows, store.index[claim_ids], levels, (n_w, n_s))
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
    return WorkerBlock(
        columns=workers,
        skills=skills,
        has=has,
        unscaled=unscaled,
        goal_rows=with_goal,
        weights=weights,
        norm=np.linalg.norm(unscaled, axis=-1),
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
    known_col = np.array([trade_pos.get(trade_key(t), -1) for t in distinct], dtype=np.int64)
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
    return positions(regions, known, missing=len(known))
