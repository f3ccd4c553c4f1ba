"""Simulated program catalogue: credential upgrades, skill certificates and short courses.

Every program is drawn from one :class:`random.Random` stream, so a catalogue is a pure
function of the seed and its size. Catalogue texts name skills in the provider's own words:
Chinese names, English names or public aliases, mixed per program.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from skillmatch.schema import ChainNode, Program
from skillmatch.sim._tables.chains import REGIONS
from skillmatch.sim._tables.occupations import TRADES
from skillmatch.sim._tables.programs import (
    CITY,
    LEVEL_NAMES,
    MAJORS,
    ONLINE_PROVIDERS,
    PROVIDERS,
    SHORT_TEMPLATES,
)
from skillmatch.sim.taxonomy import Taxonomy, tagged

__all__ = ["make_programs"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_KIND_SHARE = (("credential", 0.15), ("certificate", 0.40))
_TIERS = (
    ("secondary_vocational", "junior_secondary", "成人中专", "adult secondary diploma"),
    ("junior_college", "senior_secondary", "高职扩招·大专", "junior college, expanded"),
    ("bachelor", "junior_college", "专升本·成人本科", "bachelor's degree upgrade"),
)
_CERT_HOURS = {5: (60, 120), 4: (100, 200), 3: (160, 300), 2: (240, 400), 1: (300, 500)}


@dataclass(frozen=True)
class _Context:
    names: list[str]
    zh: list[str]
    latin_aliases: list[list[str]]
    zh_aliases: list[list[str]]
    related: list[list[int]]
    anchors: list[int]
    skill_nodes: list[list[str]]
    primary_nodes: list[list[str]]
    nodes: dict[str, ChainNode]
    trade_skills: dict[str, list[int]]
    trade_nodes: dict[str, list[str]]
    major_skills: list[list[int]]
    major_nodes: list[list[str]]


def _top_nodes(skills: list[int], skill_nodes: list[list[str]], k: int = 5) -> list[str]:
    counts: dict[str, int] = {}
    for i in skills:
        for node_id in skill_nodes[i]:
            counts[node_id] = counts.get(node_id, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))[:k]


def _context(tx: Taxonomy) -> _Context:
    sk = tx.skills
    index = {skill_id: i for i, skill_id in enumerate(sk["skill_id"])}
    aliases = [list(a) for a in sk["aliases"]]
    skill_nodes = [list(n) for n in sk["node_ids"]]
    by_tag: dict[str, list[int]] = {}
    for i, tags in enumerate(tx.tags):
        by_tag.setdefault(tags[0], []).append(i)
    trade_skills = {t: [index[s] for s in ids] for t, ids in tx.trade_skills.items() if ids}
    major_skills = [tagged(set(m[2].split()), tx.tags)[:20] for m in MAJORS]
    return _Context(
        names=list(sk["name"]),
        zh=list(sk["name_zh"]),
        latin_aliases=[[a for a in al if not _CJK.search(a)] for al in aliases],
        zh_aliases=[[a for a in al if _CJK.search(a)] for al in aliases],
        related=[by_tag[tags[0]] for tags in tx.tags],
        anchors=[i for i, nodes in enumerate(tx.primary_nodes) if nodes],
        skill_nodes=skill_nodes,
        primary_nodes=tx.primary_nodes,
        nodes={n.node_id: n for c in tx.chains for n in c.nodes},
        trade_skills=trade_skills,
        trade_nodes={t: _top_nodes(ids, skill_nodes) for t, ids in trade_skills.items()},
        major_skills=major_skills,
        major_nodes=[_top_nodes(ids, skill_nodes) for ids in major_skills],
    )


def _skill_text(ctx: _Context, i: int, style: str, rng: random.Random) -> str:
    u = rng.random()
    if style == "zh" or (style == "mixed" and u < 0.4):
        return rng.choice(ctx.zh_aliases[i]) if ctx.zh_aliases[i] and u < 0.15 else ctx.zh[i]
    if style == "mixed" and u < 0.6:
        return f"{ctx.zh[i]}（{ctx.names[i]}）"
    if ctx.latin_aliases[i] and rng.random() < 0.35:
        return rng.choice(ctx.latin_aliases[i])
    return ctx.names[i]


def _taught(
    ctx: _Context, skills: list[int], levels: list[int], style: str, rng: random.Random
) -> list[dict[str, Any]]:
    return [
        {"text": _skill_text(ctx, i, style, rng), "level": lv}
        for i, lv in zip(skills, levels, strict=True)
    ]


def _delivery(
    ctx: _Context, nodes: list[str], online: float, blended: float, rng: random.Random
) -> tuple[str, list[str]]:
    u = rng.random()
    if u < online:
        return "online", []
    weights = [sum(ctx.nodes[n].demand.get(r, 0.0) for n in nodes) + 0.05 for r in REGIONS]
    regions = [rng.choices(REGIONS, weights)[0]]
    if u < online + blended and rng.random() < 0.25:
        second = rng.choices(REGIONS, weights)[0]
        regions += [second] if second != regions[0] else []
    return ("blended" if u < online + blended else "in_person"), regions


def _provider(
    ctx: _Context, regions: list[str], sponsor: str | None, college: float, rng: random.Random
) -> str:
    if not regions:
        zh, en = ONLINE_PROVIDERS[0] if college > 0.8 else rng.choice(ONLINE_PROVIDERS)
    elif sponsor is not None and rng.random() < 0.5:
        node = ctx.nodes[sponsor]
        zh, en = f"{node.name_zh}企业学院", f"{node.name_en} enterprise academy"
    elif rng.random() < college:
        zh, en = rng.choice(PROVIDERS[regions[0]])
    else:
        city_zh, city_en = CITY[regions[0]]
        zh, en = f"{city_zh}职业技能公共实训基地", f"{city_en} public vocational training base"
    return f"{zh} {en}"


def _schedule(modality: str, rng: random.Random) -> str:
    if modality == "online":
        return rng.choices(("self_paced", "weekday_evening"), (0.7, 0.3))[0]
    return rng.choices(
        ("weekend", "weekday_evening", "weekday_day", "full_time"), (0.45, 0.3, 0.15, 0.1)
    )[0]


def _describe(
    ctx: _Context, title_zh: str, skills: list[int], nodes: list[str], sponsor: str | None
) -> str:
    zh_nodes = "、".join(ctx.nodes[n].name_zh for n in nodes) or "制造业"
    en_nodes = ", ".join(ctx.nodes[n].name_en for n in nodes) or "manufacturing"
    zh_skills = "、".join(ctx.zh[i] for i in skills[:5])
    text = (
        f"{title_zh}：面向{zh_nodes}岗位，主要内容：{zh_skills}。"
        f" Covers {', '.join(ctx.names[i] for i in skills[:5])}; for workers in {en_nodes}."
    )
    if sponsor is not None:
        text += f" 企业共建 co-sponsored by a {ctx.nodes[sponsor].name_en} employer."
    return text


def _common(
    ctx: _Context,
    rng: random.Random,
    skills: list[int],
    nodes: list[str],
    online: float,
    sponsor_p: float,
    college: float,
) -> dict[str, Any]:
    modality, regions = _delivery(ctx, nodes, online, 0.45, rng)
    sponsor = rng.choice(nodes) if nodes and rng.random() < sponsor_p else None
    return {
        "chain_nodes": nodes,
        "modality": modality,
        "regions": regions,
        "schedule": _schedule(modality, rng),
        "sponsor": sponsor,
        "provider": _provider(ctx, regions, sponsor, college, rng),
        "capacity": rng.randrange(20, 201, 5),
    }


def _certificate(ctx: _Context, rng: random.Random) -> dict[str, Any]:
    trade = rng.choice(sorted(ctx.trade_skills))
    level = rng.choices((5, 4, 3, 2, 1), (0.28, 0.32, 0.22, 0.12, 0.06))[0]
    pool = ctx.trade_skills[trade]
    skills = rng.sample(pool, min(len(pool), rng.randint(4, 8)))
    nodes = rng.sample(ctx.trade_nodes[trade], min(len(ctx.trade_nodes[trade]), rng.randint(1, 3)))
    style = rng.choice(("zh", "zh", "mixed", "en"))
    hours = rng.randrange(*_CERT_HOURS[level], 4)
    lv_zh, lv_en = LEVEL_NAMES[level]
    title_zh = f"{trade}（{lv_zh}）"
    out = _common(ctx, rng, skills, nodes, 0.1, 0.15, 0.5)
    return out | {
        "title": f"{title_zh} {TRADES[trade][0]} certificate, {lv_en}",
        "description": _describe(ctx, title_zh, skills, nodes, out["sponsor"]),
        "kind": "certificate",
        "skills_taught": _taught(ctx, skills, [min(5, 7 - level)] * len(skills), style, rng),
        "min_certificate_level": level + 1 if level <= 3 else None,
        "min_education": rng.choice((None, "junior_secondary")) if level <= 2 else None,
        "required_skills": [_skill_text(ctx, i, style, rng) for i in skills[:2]]
        if level <= 3
        else [],
        "hours": float(hours),
        "weeks": max(2, min(52, hours // rng.randint(6, 16))),
        "cost": float(rng.randrange(600, 1000 + 800 * (6 - level), 50)),
        "aid_eligible": rng.random() < 0.7,
        "credits": round(hours / 40, 1),
        "awards_certificate_level": level,
        "certificate_trade": trade,
    }


def _credential(ctx: _Context, rng: random.Random) -> dict[str, Any]:
    t = rng.choices(range(3), (0.15, 0.6, 0.25))[0]
    award, min_edu, tier_zh, tier_en = _TIERS[t]
    m = rng.randrange(len(MAJORS))
    zh, en, _tags, ba_zh, ba_en = MAJORS[m]
    major_zh, major_en = (ba_zh, ba_en) if award == "bachelor" else (zh, en)
    pool = ctx.major_skills[m]
    skills = rng.sample(pool, min(len(pool), rng.randint(8, 14)))
    nodes = ctx.major_nodes[m][: rng.randint(2, 4)]
    levels = [min(5, 2 + t + rng.randint(0, 1)) for _ in skills]
    title_zh = f"{major_zh}（{tier_zh}）"
    out = _common(ctx, rng, skills, nodes, 0.35, 0.1, 0.9)
    hours = rng.randrange(*((600, 1000), (1200, 2400), (1000, 1800))[t], 10)
    return out | {
        "title": f"{title_zh} {major_en} ({tier_en})",
        "description": _describe(ctx, title_zh, skills, nodes, out["sponsor"]),
        "kind": "credential",
        "min_education": min_edu,
        "awards_education": award,
        "skills_taught": _taught(ctx, skills, levels, rng.choice(("zh", "mixed")), rng),
        "hours": float(hours),
        "weeks": rng.choice(((104,), (130, 156), (104, 130))[t]),
        "credits": float(rng.randint(*((60, 80), (110, 140), (70, 90))[t])),
        "cost": float(rng.randrange(*((2000, 5000), (6000, 15000), (8000, 18000))[t], 100)),
        "aid_eligible": rng.random() < (0.6, 0.75, 0.3)[t],
        "capacity": rng.randrange(50, 401, 10),
    }


def _short_course(ctx: _Context, rng: random.Random) -> dict[str, Any]:
    anchor = rng.choice(ctx.anchors)
    others = [
        i for i in rng.sample(ctx.related[anchor], min(6, len(ctx.related[anchor]))) if i != anchor
    ]
    skills = [anchor, *others[: rng.randint(1, 4)]]
    tpl_zh, tpl_en, level = rng.choice(SHORT_TEMPLATES)
    primary = ctx.primary_nodes[anchor]
    nodes = rng.sample(primary, min(len(primary), rng.randint(1, 3)))
    style = rng.choice(("zh", "zh", "mixed", "en"))
    title_zh = tpl_zh.format(zh=ctx.zh[anchor])
    hours = rng.randrange(8, 121, 4)
    out = _common(ctx, rng, skills, nodes, 0.45, 0.25, 0.4)
    return out | {
        "title": f"{title_zh} {tpl_en.format(en=ctx.names[anchor])}",
        "description": _describe(ctx, title_zh, skills, nodes, out["sponsor"]),
        "kind": "short_course",
        "skills_taught": _taught(
            ctx, skills, [level] + [max(1, level - 1)] * (len(skills) - 1), style, rng
        ),
        "required_skills": [_skill_text(ctx, anchor, style, rng)] if level >= 4 else [],
        "min_education": "junior_secondary" if rng.random() < 0.1 else None,
        "hours": float(hours),
        "weeks": max(1, min(12, hours // rng.randint(4, 12))),
        "cost": 0.0 if rng.random() < 0.2 else float(rng.randrange(100, 3001, 50)),
        "aid_eligible": rng.random() < 0.45,
        "credits": round(hours / 40 * 2) / 2,
    }


def _kinds(n: int, rng: random.Random) -> list[str]:
    counts = [max(1, round(n * share)) if n >= 3 else 0 for _, share in _KIND_SHARE]
    kinds = [k for (k, _), c in zip(_KIND_SHARE, counts, strict=True) for _ in range(c)]
    kinds += ["short_course"] * (n - len(kinds))
    rng.shuffle(kinds)
    return kinds


def make_programs(tx: Taxonomy, n: int, seed: int) -> list[Program]:
    """Draw ``n`` programs with ids ``p000001`` ... from one seeded stream."""
    rng = random.Random(f"{seed}:programs")
    ctx = _context(tx)
    build = {"credential": _credential, "certificate": _certificate, "short_course": _short_course}
    return [
        Program.model_validate({"program_id": f"p{i + 1:06d}", **build[kind](ctx, rng)})
        for i, kind in enumerate(_kinds(n, rng))
    ]
