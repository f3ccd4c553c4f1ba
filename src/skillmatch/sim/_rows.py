"""Turn one block of NumPy draws into worker rows and hidden-truth rows.

Uniform columns of ``Draws.u`` (see :func:`skillmatch.sim._draws.draw_block`): 0 region,
1 migrant, 2 gender, 3 education, 4 has employer, 5 employer node, 6 occupation, 7 occupation
written in Chinese, 8 shift, 9 modality, 10 has certificate, 11 certificate level, 12 second
certificate, 13 second trade, 14 has goal, 15 goal template, 16 goal skill, 17 goal occupation.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from skillmatch.schema import EDUCATION_LEVELS
from skillmatch.sim._draws import Draws, Tables, categorical, make_cdf
from skillmatch.sim._tables.occupations import TRADES

__all__ = ["TRUTH_COLUMNS", "WORKER_COLUMNS", "truth_frame", "worker_frame"]

WORKER_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "skills",
    "occupation",
    "education",
    "certificates",
    "region",
    "employer_node",
    "migrant",
    "weekly_hours",
    "shift_pattern",
    "preferred_modality",
    "goal",
    "gender",
    "age",
)
TRUTH_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "occupation_id",
    "true_skill_ids",
    "true_levels",
    "motivation",
    "commute_tolerance",
    "goal_kind",
    "goal_target",
)
_EDUCATION = np.array(EDUCATION_LEVELS[:-1], dtype=object)  # no postgraduates
_SHIFTS = (
    np.array(["day", "night", "rotating", "flexible"], dtype=object),
    make_cdf(np.array([0.42, 0.12, 0.32, 0.14])),
)
_MODALITIES = (
    np.array(["online", "blended", "in_person", "any"], dtype=object),
    make_cdf(np.array([0.42, 0.18, 0.14, 0.26])),
)
_GENDERS = (
    np.array(["male", "female", "other", None], dtype=object),
    make_cdf(np.array([0.64, 0.345, 0.005, 0.01])),
)
_CERT_LEVELS = (np.array([5, 4, 3, 2]), make_cdf(np.array([0.3, 0.42, 0.22, 0.06])))
_TRADE_NAMES = np.array(sorted(TRADES), dtype=object)
_GOALS = (
    "想考{trade_zh}证",
    "想考{trade_zh}证 get {trade_en} certificate",
    "get {trade_en} certificate, level {level}",
    "learn {skill_en}",
    "想学{skill_zh}",
    "想学{skill_zh}，learn {skill_en}",
    "{edu}",
    "转岗做{occ_zh}",
    "move to a {occ_en} job",
    "涨工资，学点新技术 better pay with new skills",
)
_NULLABLE = ("employer_node", "goal", "gender")
_EDU_GOALS = ("升大专 upgrade to junior college", "想拿本科学历 get a bachelor's degree")


def _pick(table: tuple[np.ndarray, np.ndarray], u: np.ndarray) -> list[Any]:
    values, cdf = table
    return list(values[categorical(cdf, u)].tolist())


def _split(flat: list[Any], counts: np.ndarray) -> list[list[Any]]:
    ends = np.cumsum(counts).tolist()
    return [flat[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _skills(t: Tables, d: Draws, hi: int) -> list[list[dict[str, Any]]]:
    counts = d.n_claims[:hi]
    mask = np.arange(d.form.shape[1])[None, :] < counts[:, None]
    texts = t.phrases[d.form[:hi][mask]].tolist()
    levels = d.claim_level[:hi][mask].astype(object)
    levels[levels == 0] = None
    years = d.years[:hi][mask].astype(object)
    years[d.years[:hi][mask] < 0] = None
    flat = [
        {"text": tx, "level": lv, "years": y}
        for tx, lv, y in zip(texts, levels.tolist(), years.tolist(), strict=True)
    ]
    return _split(flat, counts)


def _certificates(t: Tables, d: Draws, hi: int) -> tuple[list[list[dict[str, Any]]], np.ndarray]:
    u, occ = d.u[:hi], d.occ[:hi]
    p = 0.18 + 0.12 * (d.education[:hi] >= 3) + 0.12 * (d.age[:hi] >= 30)
    trade = t.occ_trade_names[occ]
    first = (u[:, 10] < p) & t.occ_has_trade[occ]
    level = _CERT_LEVELS[0][categorical(_CERT_LEVELS[1], u[:, 11])]
    second_trade = _TRADE_NAMES[(u[:, 13] * len(_TRADE_NAMES)).astype(np.int64)]
    second = (u[:, 12] < 0.08) & (second_trade != trade)
    second_level = np.where(u[:, 13] * 10 % 1 < 0.6, 5, 4)
    best = np.minimum(np.where(first, level, 6), np.where(second, second_level, 6))
    out: list[list[dict[str, Any]]] = [[] for _ in range(hi)]
    for j in np.flatnonzero(first).tolist():
        out[j].append({"trade": trade[j], "level": int(level[j])})
    for j in np.flatnonzero(second).tolist():
        out[j].append({"trade": second_trade[j], "level": int(second_level[j])})
    return out, best


#: What each template of :data:`_GOALS` asks for (the hidden ``goal_kind``).
_GOAL_KINDS = (
    "trade",
    "trade",
    "trade",
    "skill",
    "skill",
    "skill",
    "education",
    "occupation",
    "occupation",
    "vague",
)
_EDU_TARGETS = ("junior_college", "bachelor")


class _GoalDraws(NamedTuple):
    """Who states a goal, with which template, and what the template is about."""

    who: list[int]
    template: np.ndarray
    trade: np.ndarray
    skill: np.ndarray
    occupation: np.ndarray
    higher_edu: np.ndarray


def _goal_draws(t: Tables, d: Draws, hi: int) -> _GoalDraws:
    u, occ = d.u[:hi], d.occ[:hi]
    node = np.minimum(d.node[:hi], len(t.node_ids) - 1)
    return _GoalDraws(
        who=np.flatnonzero(u[:, 14] < 0.3 + 0.4 * d.motivation[:hi]).tolist(),
        template=(u[:, 15] * len(_GOALS)).astype(np.int64),
        trade=np.where(t.occ_has_trade[occ], t.occ_trade_names[occ], "电工"),
        skill=t.node_skills[node, (u[:, 16] * t.node_len[node]).astype(np.int64)],
        occupation=(u[:, 17] * len(t.occ_ids)).astype(np.int64),
        higher_edu=(d.education[:hi] >= 4).astype(np.int64),
    )


def _goals(t: Tables, g: _GoalDraws, best: np.ndarray) -> list[str | None]:
    level = np.maximum(1, np.minimum(best, 5) - 1)
    out: list[str | None] = [None] * len(g.template)
    for j in g.who:
        se, sz = t.skill_names[g.skill[j]]
        out[j] = _GOALS[g.template[j]].format(
            trade_zh=g.trade[j],
            trade_en=TRADES[g.trade[j]][0],
            level=level[j],
            skill_en=se,
            skill_zh=sz,
            occ_zh=t.occ_names[1, g.occupation[j]],
            occ_en=t.occ_names[0, g.occupation[j]],
            edu=_EDU_GOALS[g.higher_edu[j]],
        )
    return out


def _goal_truth(t: Tables, g: _GoalDraws) -> tuple[list[str | None], list[str | None]]:
    """What each stated goal is really about: ``(kind, target)`` per worker, None without one.

    Targets: a certificate trade name, a skill id, an education level or an occupation id;
    a ``"vague"`` goal has no target.
    """
    kinds: list[str | None] = [None] * len(g.template)
    targets: list[str | None] = [None] * len(g.template)
    for j in g.who:
        kind = _GOAL_KINDS[g.template[j]]
        kinds[j] = kind
        if kind == "trade":
            targets[j] = str(g.trade[j])
        elif kind == "skill":
            targets[j] = str(t.skill_ids[g.skill[j]])
        elif kind == "education":
            targets[j] = _EDU_TARGETS[g.higher_edu[j]]
        elif kind == "occupation":
            targets[j] = t.occ_ids[g.occupation[j]]
    return kinds, targets


def worker_frame(t: Tables, d: Draws, start: int, hi: int) -> pd.DataFrame:
    """Worker rows ``start + 1 .. start + hi``; columns are the fields of ``Worker``."""
    u = d.u[:hi]
    certificates, best = _certificates(t, d, hi)
    columns: dict[str, Any] = {
        "worker_id": [f"w{i:08d}" for i in range(start + 1, start + hi + 1)],
        "skills": _skills(t, d, hi),
        "occupation": t.occ_names[(u[:, 7] < 0.55).astype(np.int64), d.occ[:hi]].tolist(),
        "education": _EDUCATION[d.education[:hi]].tolist(),
        "certificates": certificates,
        "region": t.region_codes[d.region[:hi]].tolist(),
        "employer_node": np.concatenate([t.node_ids, np.array([None], dtype=object)])[
            d.node[:hi]
        ].tolist(),
        "migrant": d.migrant[:hi].tolist(),
        "weekly_hours": d.hours[:hi].tolist(),
        "shift_pattern": _pick(_SHIFTS, u[:, 8]),
        "preferred_modality": _pick(_MODALITIES, u[:, 9]),
        "goal": _goals(t, _goal_draws(t, d, hi), best),
        "gender": _pick(_GENDERS, u[:, 2]),
        "age": d.age[:hi].tolist(),
    }
    for name in _NULLABLE:  # keep the dtype stable when a chunk happens to be all None
        columns[name] = pd.Series(columns[name], dtype=object)
    return pd.DataFrame(columns, columns=list(WORKER_COLUMNS))


def truth_frame(t: Tables, d: Draws, start: int, hi: int) -> pd.DataFrame:
    """Hidden-truth rows aligned with :func:`worker_frame`."""
    ids = t.skill_ids[np.maximum(d.order[:hi], 0)].tolist()
    levels = d.true_level[:hi].tolist()
    counts = d.n_true[:hi].tolist()
    kinds, targets = _goal_truth(t, _goal_draws(t, d, hi))
    columns: dict[str, Any] = {
        "worker_id": [f"w{i:08d}" for i in range(start + 1, start + hi + 1)],
        "occupation_id": [t.occ_ids[o] for o in d.occ[:hi].tolist()],
        "true_skill_ids": [row[:k] for row, k in zip(ids, counts, strict=True)],
        "true_levels": [row[:k] for row, k in zip(levels, counts, strict=True)],
        "motivation": d.motivation[:hi].tolist(),
        "commute_tolerance": d.commute[:hi].tolist(),
        "goal_kind": pd.Series(kinds, dtype=object),
        "goal_target": pd.Series(targets, dtype=object),
    }
    return pd.DataFrame(columns, columns=list(TRUTH_COLUMNS))
