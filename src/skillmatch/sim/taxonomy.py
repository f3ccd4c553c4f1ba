"""Assemble the simulated world's skill taxonomy, chains and occupations from the data tables."""

from __future__ import annotations

import random
from typing import NamedTuple

import pandas as pd

from skillmatch.schema import Chain, ChainNode
from skillmatch.sim._tables.chains import CHAIN_SPECS, REGIONS
from skillmatch.sim._tables.occupations import OCCUPATION_ROWS, TRADES
from skillmatch.sim._tables.skills_combo import SkillRow, combo_rows
from skillmatch.sim._tables.skills_core import CORE_ROWS
from skillmatch.sim._tables.skills_sector import SECTOR_ROWS

__all__ = ["Taxonomy", "build_taxonomy", "norm", "parse_rows", "tagged"]

#: Skills every chain node demands, whatever its tags.
_GENERIC_SKILLS = (
    "Workplace safety",
    "5S workplace organisation",
    "Standard work",
    "Visual inspection",
)
_MAX_NODE_SKILLS = 150
_MAX_OCCUPATION_SKILLS = 30
_MAX_TRADE_SKILLS = 25
_CATEGORY = {
    "weld": "welding",
    "mach": "machining",
    "sheet": "sheet metal and stamping",
    "mold": "tooling",
    "fit": "mechanical assembly",
    "elec": "electrical",
    "auto": "automation",
    "robot": "robotics",
    "inst": "metrology",
    "ndt": "non-destructive testing",
    "qa": "quality",
    "lean": "lean",
    "safety": "safety",
    "maint": "maintenance",
    "hyd": "fluid power",
    "draw": "design and drawing",
    "digital": "digital manufacturing",
    "it": "IT and data",
    "logi": "logistics",
    "batmat": "battery materials",
    "cell": "battery cells",
    "pack": "battery packs",
    "veh": "vehicles",
    "motor": "electric drives",
    "charge": "charging",
    "adas": "connected vehicles",
    "clean": "cleanroom",
    "fab": "wafer fabrication",
    "icdesign": "chip design",
    "pkg": "packaging and test",
    "wafer": "semiconductor materials",
    "smt": "electronics assembly",
    "pcb": "printed circuit boards",
    "display": "displays",
    "pvmat": "silicon materials",
    "pvcell": "solar cells",
    "pvmod": "PV modules",
    "pvplant": "PV plants",
    "ess": "energy storage",
    "gmp": "pharmaceutical production",
    "lab": "laboratory analysis",
    "bio": "bioprocessing",
    "meddev": "medical devices",
    "chem": "chemical processing",
    "metal": "metals",
    "comp": "composites and ceramics",
    "magnet": "magnetic materials",
    "poly": "polymers",
    "paint": "surface finishing",
    "spin": "spinning",
    "weave": "weaving",
    "dye": "dyeing",
    "fibre": "fibres",
    "sew": "garments",
    "ecom": "e-commerce",
    "soft": "workplace skills",
    "hv": "high-voltage electrical",
}


class Taxonomy(NamedTuple):
    """Everything :func:`build_taxonomy` derives from the data tables."""

    skills: pd.DataFrame
    tags: list[list[str]]
    held_out: list[list[str]]
    chains: list[Chain]
    occupations: pd.DataFrame
    trade_skills: dict[str, list[str]]
    primary_nodes: list[list[str]]


def norm(text: str) -> str:
    """Case-folded, whitespace-collapsed form used to compare surface forms."""
    return " ".join(text.casefold().split())


def parse_rows(text: str) -> list[list[str]]:
    """Split a ``|``-separated table; indented lines continue the previous row."""
    rows: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.startswith(" ") and rows:
            rows[-1] += line.strip()
        else:
            rows.append(line.strip())
    return [[field.strip() for field in row.split("|")] for row in rows]


def _split(field: str, sep: str = ";") -> list[str]:
    return [item.strip() for item in field.split(sep) if item.strip()]


def _skill_rows() -> list[SkillRow]:
    rows: list[SkillRow] = []
    for fields in parse_rows(CORE_ROWS) + parse_rows(SECTOR_ROWS):
        fields = fields + [""] * (5 - len(fields))
        rows.append((fields[0], fields[1], _split(fields[2]), fields[3].split(), _split(fields[4])))
    return rows + combo_rows()


def _dedupe_aliases(rows: list[SkillRow]) -> list[list[str]]:
    """Drop aliases that repeat a name or an earlier alias, so each form names one skill."""
    taken = {norm(r[0]) for r in rows} | {norm(r[1]) for r in rows}
    out: list[list[str]] = []
    for _name, _zh, aliases, _tags, _held in rows:
        kept = []
        for alias in aliases:
            if norm(alias) not in taken:
                taken.add(norm(alias))
                kept.append(alias)
        out.append(kept)
    return out


def _node_skills(tags: set[str], skill_tags: list[list[str]], generic: list[int]) -> list[int]:
    primary = [i for i, t in enumerate(skill_tags) if t[0] in tags]
    secondary = [i for i, t in enumerate(skill_tags) if t[0] not in tags and set(t) & tags]
    picked = list(dict.fromkeys(primary + secondary + generic))
    return picked[:_MAX_NODE_SKILLS]


def _demand(
    strength: tuple[float, ...], overrides: dict[str, float], rng: random.Random
) -> dict[str, float]:
    out = {}
    for region, base in zip(REGIONS, strength, strict=True):
        value = overrides.get(region, base) + rng.uniform(-0.05, 0.05)
        out[region] = round(min(1.0, max(0.02, value)), 3)
    return out


def _chains(
    ids: list[str], skill_tags: list[list[str]], generic: list[int], rng: random.Random
) -> list[Chain]:
    chains = []
    for chain_id, name_en, name_zh, strength, specs in CHAIN_SPECS:
        node_ids = [f"{chain_id}.{spec[0]}" for spec in specs]
        nodes = []
        for pos, (_slug, en, zh, stage, tags, overrides) in enumerate(specs):
            demanded = _node_skills(set(tags.split()), skill_tags, generic)
            nodes.append(
                ChainNode(
                    node_id=node_ids[pos],
                    chain_id=chain_id,
                    name_en=en,
                    name_zh=zh,
                    position=pos,
                    upstream=node_ids[pos - 1 : pos],
                    downstream=node_ids[pos + 1 : pos + 2],
                    innovation_stage=stage,
                    skills_demanded=[ids[i] for i in demanded],
                    demand=_demand(strength, overrides, rng),
                )
            )
        chains.append(Chain(chain_id=chain_id, name_en=name_en, name_zh=name_zh, nodes=nodes))
    return chains


def tagged(tags: set[str], skill_tags: list[list[str]]) -> list[int]:
    """Skills carrying one of ``tags``: those whose category matches first."""
    primary = [i for i, t in enumerate(skill_tags) if t[0] in tags]
    return primary + [i for i, t in enumerate(skill_tags) if t[0] not in tags and set(t) & tags]


def _primary_nodes(skill_tags: list[list[str]]) -> list[list[str]]:
    """For each skill, the nodes whose own tags include the skill's category."""
    out: list[list[str]] = [[] for _ in skill_tags]
    for chain_id, _en, _zh, _strength, specs in CHAIN_SPECS:
        for slug, _node_en, _node_zh, _stage, tags, _overrides in specs:
            for i, skill in enumerate(skill_tags):
                if skill[0] in tags.split():
                    out[i].append(f"{chain_id}.{slug}")
    return out


def _occupations(
    by_name: dict[str, int], ids: list[str], skill_tags: list[list[str]]
) -> pd.DataFrame:
    records = []
    for occ_id, en, zh, node_id, tags, extra, trade in parse_rows(OCCUPATION_ROWS):
        picked = [by_name[name] for name in _split(extra)] + tagged(set(tags.split()), skill_tags)
        picked += [by_name["Workplace safety"], by_name["5S workplace organisation"]]
        picked = list(dict.fromkeys(picked))[:_MAX_OCCUPATION_SKILLS]
        records.append(
            {
                "occupation_id": occ_id.lstrip("*"),
                "name": en,
                "name_zh": zh,
                "node_id": node_id,
                "skill_ids": [ids[i] for i in picked],
                "trade": trade or None,
                "cross_cutting": occ_id.startswith("*"),
            }
        )
    return pd.DataFrame.from_records(records)


def _description(name: str, zh: str, category: str, node_names: list[str]) -> str:
    text = f"{name} ({zh}): {category} skill for industrial work."
    if node_names:
        text += " Demanded in: " + ", ".join(node_names[:4]) + "."
    return text


def _skill_nodes(
    chains: list[Chain], ids: list[str], primary: list[list[str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """Per skill, the ids of the nodes demanding it (its primary nodes first) and their names."""
    node_ids: list[list[str]] = [[] for _ in ids]
    node_names: list[list[str]] = [[] for _ in ids]
    index = {skill_id: i for i, skill_id in enumerate(ids)}
    for node in (n for c in chains for n in c.nodes):
        for skill_id in node.skills_demanded:
            node_ids[index[skill_id]].append(node.node_id)
            node_names[index[skill_id]].append(node.name_en)
    node_ids = [
        [n for n in nodes if n in primary[i]] + [n for n in nodes if n not in primary[i]]
        for i, nodes in enumerate(node_ids)
    ]
    return node_ids, node_names


def _skills_frame(
    rows: list[SkillRow],
    ids: list[str],
    aliases: list[list[str]],
    node_ids: list[list[str]],
    node_names: list[list[str]],
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "skill_id": ids,
            "name": [r[0] for r in rows],
            "name_zh": [r[1] for r in rows],
            "aliases": aliases,
            "description": [
                _description(r[0], r[1], _CATEGORY[r[3][0]], node_names[i])
                for i, r in enumerate(rows)
            ],
            "category": [_CATEGORY[r[3][0]] for r in rows],
            "node_ids": node_ids,
        }
    )


def _trade_skills(ids: list[str], tags: list[list[str]]) -> dict[str, list[str]]:
    return {
        trade: [ids[i] for i in tagged(set(t.split()), tags)][:_MAX_TRADE_SKILLS]
        for trade, (_en, t) in TRADES.items()
    }


def build_taxonomy(seed: int) -> Taxonomy:
    """Build skills, chains and occupations; only the regional demand jitter uses ``seed``."""
    rows = _skill_rows()
    aliases = _dedupe_aliases(rows)
    ids = [f"sk{i + 1:04d}" for i in range(len(rows))]
    by_name = {r[0]: i for i, r in enumerate(rows)}
    tags = [r[3] for r in rows]
    generic = [by_name[name] for name in _GENERIC_SKILLS]
    chains = _chains(ids, tags, generic, random.Random(seed))
    primary = _primary_nodes(tags)
    node_ids, node_names = _skill_nodes(chains, ids, primary)
    return Taxonomy(
        _skills_frame(rows, ids, aliases, node_ids, node_names),
        tags,
        [r[4] for r in rows],
        chains,
        _occupations(by_name, ids, tags),
        _trade_skills(ids, tags),
        primary,
    )
