"""Gather, for one worker-program pair, the details that reasons and explanations quote."""

from __future__ import annotations

import numpy as np

from skillmatch.core.blocks import WorkerBlock
from skillmatch.core.catalogue import NO_CERT, Catalogue
from skillmatch.core.chains import ChainMap
from skillmatch.core.columns import SHIFTS
from skillmatch.core.reason_texts import EDU_ZH, ReasonContext
from skillmatch.schema import EDUCATION_LEVELS, EDUCATION_RANK
from skillmatch.text import Vocabulary

_EDU_BY_RANK = {EDUCATION_RANK[e]: e for e in reversed(EDUCATION_LEVELS)}


def _row(matrix: object, i: int) -> np.ndarray:
    indptr, indices = matrix.indptr, matrix.indices  # type: ignore[attr-defined]
    return np.asarray(indices[indptr[i] : indptr[i + 1]], dtype=np.int64)


def _named(vocab: Vocabulary, idx: np.ndarray) -> list[tuple[str, str]]:
    return [(vocab.names[i], vocab.names_zh[i] or vocab.names[i]) for i in idx]


class PairSkills:
    """Matched, missing, gained and required-met skill indices of one pair."""

    def __init__(self, block: WorkerBlock, w: int, cat: Catalogue, p: int, demand: np.ndarray):
        has = set(_row(block.has, w).tolist())
        taught = _row(cat.taught, p)
        required = _row(cat.required, p)
        self.matched = np.array([s for s in taught if s in has], dtype=np.int64)
        gained = np.array([s for s in taught if s not in has], dtype=np.int64)
        self.gained = gained[np.argsort(-demand[gained], kind="stable")] if len(gained) else gained
        self.required_met = np.array([s for s in required if s in has], dtype=np.int64)
        self.missing = np.array([s for s in required if s not in has], dtype=np.int64)


def served_nodes(
    chains: ChainMap, cat: Catalogue, p: int, weights: np.ndarray, n: int = 3
) -> list[int]:
    """Chain nodes the program serves, most relevant to the worker first."""
    align = cat.alignment[p]
    score = align * (weights + 1e-3)
    order = np.argsort(-score, kind="stable")
    return [int(j) for j in order[:n] if align[j] > 0]


def reason_context(
    *,
    block: WorkerBlock,
    w: int,
    cat: Catalogue,
    p: int,
    vocab: Vocabulary,
    chains: ChainMap,
    skills: PairSkills,
    nodes: list[int],
    net_cost: float,
    credit_share: float,
) -> ReasonContext:
    """Everything a reason sentence for the pair ``(w, p)`` may mention."""
    worker = block.columns
    program = cat.programs[p]
    employer = None
    if block.employer[w] >= 0:
        node = chains.nodes[int(block.employer[w])]
        employer = (node.name_en, node.name_zh)
    awards_edu = int(cat.awards_education[p])
    return ReasonContext(
        occupation=str(worker.occupation[w]),
        goal=worker.goal[w],
        matched=_named(vocab, skills.matched),
        gained=_named(vocab, skills.gained),
        required_met=_named(vocab, skills.required_met),
        nodes=[(chains.nodes[j].name_en, chains.nodes[j].name_zh) for j in nodes],
        employer_node=employer,
        education_from=EDUCATION_LEVELS[int(worker.education[w])],
        education_to=_EDU_BY_RANK.get(awards_edu, "") if program.kind == "credential" else "",
        certificate_to=int(cat.awards_cert[p]) if program.kind == "certificate" else NO_CERT,
        schedule=program.schedule,
        shift=SHIFTS[int(worker.shift[w])],
        weekly_load=float(cat.weekly_load[p]),
        weekly_hours=float(worker.weekly_hours[w]),
        net_cost=net_cost,
        credit_share=credit_share,
        modality=program.modality,
    )


def exclusion_fields(cat: Catalogue, p: int) -> dict[str, str]:
    """Values the exclusion sentences quote."""
    program = cat.programs[p]
    edu = program.min_education or "any"
    trade = program.certificate_trade
    return {
        "min_education": edu.replace("_", " "),
        "min_education_zh": EDU_ZH.get(edu, edu),
        "min_cert": str(program.min_certificate_level or ""),
        "trade": f" in {trade}" if trade else "",
        "trade_zh": trade or "",
    }
