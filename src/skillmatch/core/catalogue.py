"""The program catalogue as arrays over the shared skill vocabulary.

:class:`Catalogue` holds one row per program: skills taught and required as sparse matrices,
a text embedding, chain alignment, and the program attributes as small arrays.
:func:`build_catalogue` resolves all catalogue text through the vocabulary in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch.core._types import BoolArray, FloatArray, IntArray
from skillmatch.core.chains import ChainMap
from skillmatch.core.space import PhraseTable, SemanticSpace, skill_index, skill_matrix, trade_key
from skillmatch.schema import EDUCATION_RANK, MODALITIES, PROGRAM_KINDS, SCHEDULES, Program
from skillmatch.text import Vocabulary, l2_normalize

__all__ = ["NO_CERT", "Catalogue", "build_catalogue"]


#: Certificate level used for "no certificate" (levels run 5 = entry .. 1 = senior).
NO_CERT = 6


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
    taught = skill_matrix(
        np.asarray(t_rows, dtype=np.int64),
        skill_index(table, t_text),
        np.asarray(t_val, dtype=np.float32),
        (n_p, n_s),
    )
    r_rows = [i for i, p in enumerate(programs) for _ in p.required_skills]
    r_text = [r for p in programs for r in p.required_skills]
    required = skill_matrix(
        np.asarray(r_rows, dtype=np.int64),
        skill_index(table, r_text),
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
    regions, region_mask = _region_mask(programs)
    trades, cert_column = _trade_columns(programs)

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
        kind=arr([PROGRAM_KINDS.index(p.kind) for p in programs], np.int64),
        min_education=arr(
            [EDUCATION_RANK[p.min_education] if p.min_education else -1 for p in programs], np.int64
        ),
        min_cert=arr([p.min_certificate_level or NO_CERT for p in programs], np.int64),
        cert_column=cert_column,
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


def _region_mask(programs: list[Program]) -> tuple[list[str], BoolArray]:
    """Regions named by the catalogue, and which programs each region's workers can attend
    (one column per region, the last for a region no program names: online programs only)."""
    regions = sorted({r for p in programs for r in p.regions})
    region_pos = {r: i for i, r in enumerate(regions)}
    region_mask = np.zeros((len(programs), len(regions) + 1), dtype=bool)
    for i, p in enumerate(programs):
        if not p.regions or p.modality == "online":
            region_mask[i] = True
        else:
            region_mask[i, [region_pos[r] for r in p.regions]] = True
    return regions, region_mask


def _trade_columns(programs: list[Program]) -> tuple[list[str], IntArray]:
    """Distinct certificate trades, and each program's trade column (the last: any trade)."""
    trades = sorted({trade_key(p.certificate_trade) for p in programs if p.certificate_trade})
    trade_pos = {t: i for i, t in enumerate(trades)}
    column = [
        trade_pos[trade_key(p.certificate_trade)] if p.certificate_trade else len(trades)
        for p in programs
    ]
    return trades, np.asarray(column, dtype=np.int64)
