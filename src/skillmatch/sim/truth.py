"""Hidden ground truth of the interaction simulator: what a program is really worth to a worker.

This is the simulator's private knowledge. It reads the world's tables (skill ids behind the
catalogue texts, chain demand) and the population's hidden truth (true skills and levels,
motivation, commute tolerance); the library never imports it. The formula is documented in
:mod:`skillmatch.sim.interactions`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from skillmatch.schema import EDUCATION_RANK, Program
from skillmatch.sim.taxonomy import norm

if TYPE_CHECKING:
    from skillmatch.sim.world import World

__all__ = ["TERM_WEIGHTS", "TruthTables", "Utility", "build_truth", "hidden_utility"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_SHIFTS = ("day", "night", "rotating", "flexible")
_SCHEDULES = ("weekday_evening", "weekend", "weekday_day", "self_paced", "full_time")
_MODALITIES = ("online", "in_person", "blended")
_PREFERENCES = ("online", "in_person", "blended", "any")
_KINDS = ("credential", "certificate", "short_course")
#: True clash of a shift pattern (rows) with a schedule (columns, :data:`_SCHEDULES` order).
CONFLICT = np.array(
    [
        [0.1, 0.15, 0.9, 0.0, 1.0],  # day
        [0.7, 0.25, 0.4, 0.05, 1.0],  # night
        [0.6, 0.5, 0.6, 0.1, 1.0],  # rotating
        [0.2, 0.2, 0.35, 0.0, 0.8],
    ]
)  # flexible
#: How much travel a delivery mode needs (online, in_person, blended).
_TRAVEL = np.array([0.0, 1.0, 0.5])
#: Dislike of a delivery mode (columns) by stated preference (rows).
_MISMATCH = np.array([[0.0, 1.0, 0.4], [0.6, 0.0, 0.2], [0.3, 0.3, 0.0], [0.0, 0.0, 0.0]])
_AID_SHARE = 0.8
_AID_MAX_RANK = EDUCATION_RANK["junior_college"]
_COST_UNIT, _COST_CAP = 300.0, 20_000.0
_NO_CERT = 6
#: Weights of the terms of the deterministic utility (see :mod:`skillmatch.sim.interactions`).
TERM_WEIGHTS: dict[str, float] = {
    "learning": 3.5,
    "readiness": 1.5,
    "relevance": 2.0,
    "conflict": -1.5,
    "commute": -1.2,
    "cost": -1.5,
    "award": 0.6,
    "sponsored": 0.4,
    "motivation": 1.2,
    "goal": 3.0,
}


@dataclass(frozen=True)
class TruthTables:
    """Arrays of the world the hidden utility needs, built once per world."""

    program_ids: list[str]
    skill_index: dict[str, int]
    taught_mean: sp.csr_matrix  # (E, P): 1 / n_taught(p) at (entry, program)
    taught_skill: IntArray  # (E,) skill index of each taught entry
    taught_level: FloatArray  # (E,) target level 1..5
    required_mean: sp.csr_matrix  # (R, P)
    required_skill: IntArray  # (R,)
    has_required: NDArray[np.bool_]  # (P,)
    occupation_overlap: FloatArray  # (n_occ, P) share of taught skills in the occupation
    occupation_index: dict[str, int]
    region_demand: FloatArray  # (n_regions + 1, S) max node demand for each skill
    region_index: dict[str, int]
    node_skills: FloatArray  # (N + 1, S), last row: no employer
    node_link: FloatArray  # (N + 1, P) career link of the employer node with the program
    node_sponsor: FloatArray  # (N + 1, P) share of the fee the employer's side pays
    node_index: dict[str, int]
    schedule: IntArray
    modality: IntArray
    weekly_load: FloatArray
    cost: FloatArray
    aid_eligible: NDArray[np.bool_]
    kind: IntArray
    need_education: IntArray  # minimum education rank, 1 when none
    min_cert: IntArray  # _NO_CERT when none
    awards_education: IntArray
    awards_cert: IntArray
    trade_column: IntArray  # column of the worker's best-level table, -1 none
    trades: list[str]


class Utility(NamedTuple):
    """Hidden utility terms of a block of workers x programs, each of shape (B, P) or (B,)."""

    learning: FloatArray
    readiness: FloatArray
    relevance: FloatArray
    conflict: FloatArray
    commute: FloatArray
    cost: FloatArray
    award: FloatArray
    sponsored: FloatArray
    motivation: FloatArray  # (B,)
    goal: FloatArray

    def total(self) -> FloatArray:
        """The deterministic utility: :data:`TERM_WEIGHTS` times the terms (motivation centred)."""
        w = TERM_WEIGHTS
        out = w["motivation"] * (self.motivation[:, None] - 0.5)
        for name in (
            "learning",
            "readiness",
            "relevance",
            "conflict",
            "commute",
            "cost",
            "award",
            "sponsored",
            "goal",
        ):
            out = out + w[name] * getattr(self, name)
        return np.asarray(out, dtype=np.float64)


def _text_index(world: World) -> dict[str, int]:
    """Every surface form the catalogue generator writes, mapped to its skill index."""
    out: dict[str, int] = {}
    sk = world.skills
    for i, (name, zh, aliases) in enumerate(
        zip(sk["name"], sk["name_zh"], sk["aliases"], strict=True)
    ):
        for form in (name, zh, *aliases, f"{zh}（{name}）"):
            out.setdefault(norm(form), i)
    return out


def _lookup(index: dict[str, int], text: str, program_id: str) -> int:
    try:
        return index[norm(text)]
    except KeyError:
        raise ValueError(
            f"program {program_id!r}: skill text {text!r} is not a surface form of the world's "
            "taxonomy; the interaction simulator only runs on catalogues the simulator made"
        ) from None


def _entries(
    programs: list[Program], index: dict[str, int], required: bool
) -> tuple[sp.csr_matrix, IntArray, FloatArray]:
    rows: list[int] = []
    skills: list[int] = []
    levels: list[float] = []
    for p, program in enumerate(programs):
        texts = program.required_skills if required else [s.text for s in program.skills_taught]
        targets = [3] * len(texts) if required else [s.level for s in program.skills_taught]
        for text, level in zip(texts, targets, strict=True):
            rows.append(p)
            skills.append(_lookup(index, text, program.program_id))
            levels.append(float(level))
    count = np.bincount(np.asarray(rows, dtype=np.int64), minlength=len(programs))
    entry = np.arange(len(rows))
    weight = 1.0 / np.maximum(count, 1)[np.asarray(rows, dtype=np.int64)]
    mean = sp.csr_matrix((weight, (entry, rows)), shape=(len(rows), len(programs)))
    return mean, np.asarray(skills, dtype=np.int64), np.asarray(levels, dtype=np.float64)


def _node_tables(world: World, programs: list[Program]) -> tuple[FloatArray, FloatArray]:
    """Career link and sponsor share of each employer node (last row: none) with each program."""
    nodes = world.nodes
    pos = {n.node_id: i for i, n in enumerate(nodes)}
    link = np.zeros((len(nodes) + 1, len(programs)))
    sponsor = np.zeros_like(link)
    for j, node in enumerate(nodes):
        near = set(node.upstream) | set(node.downstream)
        for p, program in enumerate(programs):
            served = set(program.chain_nodes)
            if node.node_id in served:
                link[j, p] = 1.0
            elif near & served:
                link[j, p] = 0.5
            elif any(s.split(".")[0] == node.chain_id for s in served):
                link[j, p] = 0.2
            if program.sponsor is not None and program.sponsor in pos:
                sponsor[j, p] = (
                    1.0
                    if program.sponsor == node.node_id
                    else (0.5 if program.sponsor in near else 0.0)
                )
    return link, sponsor


def _demand_tables(world: World, index: dict[str, int]) -> tuple[FloatArray, FloatArray]:
    """Skill demand per region (share of the region's chain demand, peak 1) and node skills."""
    nodes = world.nodes
    node_skills = np.zeros((len(nodes) + 1, len(index)))
    for j, node in enumerate(nodes):
        node_skills[j, [index[s] for s in node.skills_demanded if s in index]] = 1.0
    weight = np.zeros((len(world.regions) + 1, len(nodes) + 1))
    for j, node in enumerate(nodes):
        weight[:-1, j] = [node.demand.get(r, 0.0) for r in world.regions]
    raw = weight @ node_skills
    return raw / np.maximum(raw.max(axis=1, keepdims=True), 1e-9), node_skills


def _occupation_overlap(
    world: World, skill_index: dict[str, int], taught_mean: sp.csr_matrix, taught_skill: IntArray
) -> FloatArray:
    """(n_occ, P) share of each program's taught skills that belong to each occupation."""
    occ = world.occupations
    occ_skills = np.zeros((len(occ), len(skill_index)))
    for o, ids in enumerate(occ["skill_ids"]):
        occ_skills[o, [skill_index[s] for s in ids]] = 1.0
    return np.asarray((taught_mean.T @ occ_skills[:, taught_skill].T).T)


def _program_codes(programs: list[Program], trades: list[str]) -> dict[str, IntArray]:
    """The integer-coded program fields of :class:`TruthTables`."""
    rank = EDUCATION_RANK
    codes = {
        "schedule": [_SCHEDULES.index(p.schedule) for p in programs],
        "modality": [_MODALITIES.index(p.modality) for p in programs],
        "kind": [_KINDS.index(p.kind) for p in programs],
        "need_education": [rank[p.min_education] if p.min_education else 1 for p in programs],
        "min_cert": [p.min_certificate_level or _NO_CERT for p in programs],
        "awards_education": [
            rank[p.awards_education] if p.awards_education else -1 for p in programs
        ],
        "awards_cert": [p.awards_certificate_level or 0 for p in programs],
        "trade_column": [
            trades.index(p.certificate_trade) if p.certificate_trade else -1 for p in programs
        ],
    }
    return {name: np.asarray(values, dtype=np.int64) for name, values in codes.items()}


def build_truth(world: World) -> TruthTables:
    """Precompute the world's truth tables (every catalogue text mapped back to a skill id)."""
    programs = world.programs
    skill_index = {s: i for i, s in enumerate(world.skills["skill_id"])}
    texts = _text_index(world)
    taught_mean, taught_skill, taught_level = _entries(programs, texts, required=False)
    required_mean, required_skill, _ = _entries(programs, texts, required=True)
    region_demand, node_skills = _demand_tables(world, skill_index)
    link, sponsor = _node_tables(world, programs)
    trades = sorted({p.certificate_trade for p in programs if p.certificate_trade})
    return TruthTables(
        program_ids=[p.program_id for p in programs],
        skill_index=skill_index,
        taught_mean=taught_mean,
        taught_skill=taught_skill,
        taught_level=taught_level,
        required_mean=required_mean,
        required_skill=required_skill,
        has_required=np.asarray([bool(p.required_skills) for p in programs]),
        occupation_overlap=_occupation_overlap(world, skill_index, taught_mean, taught_skill),
        occupation_index={o: i for i, o in enumerate(world.occupations["occupation_id"])},
        region_demand=region_demand,
        region_index={r: i for i, r in enumerate(world.regions)},
        node_skills=node_skills,
        node_link=link,
        node_sponsor=sponsor,
        node_index={n.node_id: i for i, n in enumerate(world.nodes)},
        weekly_load=np.asarray([p.hours / p.weeks for p in programs]),
        cost=np.asarray([p.cost for p in programs]),
        aid_eligible=np.asarray([p.aid_eligible for p in programs]),
        trades=trades,
        **_program_codes(programs, trades),
    )


def _true_levels(t: TruthTables, truth: pd.DataFrame) -> FloatArray:
    """Dense (B, S) true proficiency levels, 0 where the worker lacks the skill."""
    ids = list(truth["true_skill_ids"])
    counts = np.asarray([len(x) for x in ids], dtype=np.int64)
    rows = np.repeat(np.arange(len(ids)), counts)
    cols = np.asarray(
        [t.skill_index[s] for s in itertools.chain.from_iterable(ids)], dtype=np.int64
    )
    levels = np.asarray(list(itertools.chain.from_iterable(truth["true_levels"])), dtype=float)
    out = np.zeros((len(ids), len(t.skill_index)))
    out[rows, cols] = levels
    return out


def _best_certificates(t: TruthTables, workers: pd.DataFrame) -> IntArray:
    """(B, n_trades + 1) best (lowest) certificate level per catalogue trade; last column spare."""
    out = np.full((len(workers), len(t.trades) + 1), _NO_CERT, dtype=np.int64)
    column = {trade: i for i, trade in enumerate(t.trades)}
    for w, certs in enumerate(workers["certificates"]):
        for cert in certs:
            c = column.get(cert["trade"])
            if c is not None:
                out[w, c] = min(out[w, c], int(cert["level"]))
    return out


def _skill_terms(
    t: TruthTables, levels: FloatArray, demand: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Learning value, preparation for the taught level, and true prerequisite coverage."""
    held = levels[:, t.taught_skill]
    target = t.taught_level[None, :]
    gap = np.maximum(target - held, 0.0) / target * demand[:, t.taught_skill]
    learning = np.asarray((t.taught_mean.T @ gap.T).T)
    prep = np.asarray((t.taught_mean.T @ np.minimum(1.0, (held + 1.5) / target).T).T)
    ready = np.minimum(1.0, levels[:, t.required_skill] / 3.0)
    covered = np.asarray((t.required_mean.T @ ready.T).T)
    return learning, prep, np.where(t.has_required[None, :], covered, 1.0)


class _Background(NamedTuple):
    """What the hidden utility reads from the visible profile of a block of workers."""

    edu: IntArray
    node: IntArray
    region: IntArray
    shift: IntArray
    pref: IntArray
    hours: FloatArray
    best: IntArray


def _background(t: TruthTables, workers: pd.DataFrame) -> _Background:
    n_nodes, n_regions = len(t.node_index), len(t.region_index)
    return _Background(
        edu=np.asarray([EDUCATION_RANK[e] for e in workers["education"]], dtype=np.int64),
        node=np.asarray(
            [
                t.node_index.get(n, n_nodes) if isinstance(n, str) else n_nodes
                for n in workers["employer_node"]
            ],
            dtype=np.int64,
        ),
        region=np.asarray(
            [t.region_index.get(r, n_regions) for r in workers["region"]], dtype=np.int64
        ),
        shift=np.asarray([_SHIFTS.index(s) for s in workers["shift_pattern"]], dtype=np.int64),
        pref=np.asarray(
            [_PREFERENCES.index(m) for m in workers["preferred_modality"]], dtype=np.int64
        ),
        hours=np.asarray(workers["weekly_hours"], dtype=np.float64),
        best=_best_certificates(t, workers),
    )


def _readiness(t: TruthTables, b: _Background, prep: FloatArray, covered: FloatArray) -> FloatArray:
    best = b.best[:, t.trade_column]  # trade -1 reads the spare column (no certificate)
    margin = np.clip(0.5 + 0.25 * (b.edu[:, None] - t.need_education[None, :]), 0.0, 1.0)
    cert_margin = np.clip(0.5 + 0.25 * (t.min_cert[None, :] - best), 0.0, 1.0)
    margin = np.where(t.min_cert[None, :] < _NO_CERT, (margin + cert_margin) / 2, margin)
    return np.asarray(0.4 * prep + 0.35 * covered + 0.25 * margin, dtype=np.float64)


def _award(t: TruthTables, b: _Background) -> FloatArray:
    best = b.best[:, t.trade_column]
    edu_gain = np.clip(t.awards_education[None, :] - b.edu[:, None], 0, 2) / 2.0
    cert_gain = np.clip(best - t.awards_cert[None, :], 0, 2) / 2.0
    kind = t.kind[None, :]
    return np.asarray(
        np.where(kind == 0, edu_gain, np.where(kind == 1, cert_gain, 0.0)), dtype=np.float64
    )


def _goal(t: TruthTables, truth: pd.DataFrame) -> FloatArray:
    """(B, P) how well each program serves the goal the worker really has (0 without one).

    A certificate goal is served by the programs of that trade, a skill goal by those teaching
    the skill, an education goal by credentials awarding that level or more, an occupation goal
    by the share of taught skills in that occupation relative to the best program for it; a
    vague goal ("better pay") by none in particular.
    """
    n_programs = len(t.program_ids)
    out = np.zeros((len(truth), n_programs))
    if "goal_kind" not in truth.columns:
        return out
    trade_col = {trade: i for i, trade in enumerate(t.trades)}
    entries = t.taught_mean.tocoo()  # (E, P): entry e belongs to program col
    teaches = np.zeros((len(t.skill_index), n_programs))
    teaches[t.taught_skill[entries.row], entries.col] = 1.0
    for w, (kind, target) in enumerate(zip(truth["goal_kind"], truth["goal_target"], strict=True)):
        if kind == "trade":
            out[w] = t.trade_column == trade_col.get(target, -2)
        elif kind == "skill":
            if target in t.skill_index:
                out[w] = teaches[t.skill_index[target]]
        elif kind == "education":
            out[w] = t.awards_education >= EDUCATION_RANK[target]
        elif kind == "occupation":
            row = t.occupation_overlap[t.occupation_index[target]]
            out[w] = row / max(float(row.max()), 1e-9)
    return out


def hidden_utility(t: TruthTables, workers: pd.DataFrame, truth: pd.DataFrame) -> Utility:
    """Utility terms of ``workers`` (rows of ``make_population``) against every world program.

    ``truth`` holds the row-aligned rows of ``population_truth``.
    """
    b = _background(t, workers)
    levels = _true_levels(t, truth)
    demand = np.minimum(1.0, 0.25 + 0.75 * t.region_demand[b.region] + 0.3 * t.node_skills[b.node])
    learning, prep, covered = _skill_terms(t, levels, demand)
    occ = np.asarray([t.occupation_index[o] for o in truth["occupation_id"]], dtype=np.int64)
    overload = np.clip(t.weekly_load[None, :] / np.maximum(b.hours[:, None], 1.0) - 1, 0, 2)
    tolerance = np.asarray(truth["commute_tolerance"], dtype=np.float64)
    aid = (b.edu[:, None] <= _AID_MAX_RANK) & t.aid_eligible[None, :]
    share = t.node_sponsor[b.node]
    net = t.cost[None, :] * (1.0 - _AID_SHARE * aid) * (1.0 - share)
    return Utility(
        learning=learning,
        readiness=_readiness(t, b, prep, covered),
        relevance=0.65 * t.occupation_overlap[occ] + 0.35 * t.node_link[b.node],
        conflict=0.7 * CONFLICT[b.shift][:, t.schedule] + 0.15 * overload,
        commute=(
            _TRAVEL[t.modality][None, :] * (1.0 - tolerance[:, None])
            + 0.5 * _MISMATCH[b.pref][:, t.modality]
        ),
        cost=np.minimum(1.0, np.log1p(net / _COST_UNIT) / np.log1p(_COST_CAP / _COST_UNIT)),
        award=_award(t, b),
        sponsored=(share >= 1.0).astype(np.float64),
        motivation=np.asarray(truth["motivation"], dtype=np.float64),
        goal=_goal(t, truth),
    )
