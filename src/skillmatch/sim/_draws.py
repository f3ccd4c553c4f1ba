"""Vectorised worker generation in fixed blocks of worker indices.

Block ``b`` holds workers ``b * BLOCK_SIZE + 1 ...`` and draws all of its randomness from
``np.random.default_rng(np.random.SeedSequence([seed, b]))`` for the whole block, so a worker's
row depends on neither the requested ``n`` nor the output chunk size. Numeric columns are drawn
with NumPy for the whole block; only the rows that are returned are turned into Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillmatch.sim._tables.chains import MIGRANT_RATE, REGION_WEIGHT

if TYPE_CHECKING:
    from skillmatch.sim.world import World

__all__ = [
    "BLOCK_SIZE",
    "N_UNIFORMS",
    "Draws",
    "Tables",
    "build_tables",
    "categorical",
    "draw_block",
    "frames",
    "make_cdf",
]

BLOCK_SIZE = 4096
#: Uniform columns drawn per worker; see :mod:`skillmatch.sim._rows` for their use.
N_UNIFORMS = 20
_EDU_P = np.array(
    [
        [0.02, 0.28, 0.18, 0.32, 0.16, 0.04],  # local workers
        [0.04, 0.40, 0.15, 0.28, 0.11, 0.02],
    ]
)  # migrant workers
_CLAIM_COUNT_P = (0.08, 0.14, 0.2, 0.2, 0.16, 0.11, 0.07, 0.04)  # 1..8 claimed skills
#: Claim surface form buckets: name, Chinese name, public alias, other variant, typo.
_FORM_BUCKETS = ("name", "name_zh", "alias", "variant", "typo")
_FORM_P = (0.2, 0.32, 0.2, 0.16, 0.12)
_MAX_CLAIMS, _MAX_EXTRA = 8, 3


@dataclass(frozen=True)
class Tables:
    """Lookup arrays derived once from a :class:`~skillmatch.sim.world.World`."""

    region_codes: np.ndarray
    region_cdf: np.ndarray
    migrant_rate: np.ndarray
    node_ids: np.ndarray
    node_cdf: np.ndarray
    node_skills: np.ndarray
    node_len: np.ndarray
    occ_ids: list[str]
    occ_names: np.ndarray
    occ_cdf: np.ndarray
    occ_skills: np.ndarray
    occ_len: np.ndarray
    occ_trade_names: np.ndarray
    occ_has_trade: np.ndarray
    skill_ids: np.ndarray
    skill_names: list[tuple[str, str]]
    phrases: np.ndarray
    form_offset: np.ndarray
    form_count: np.ndarray


def make_cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.asarray(np.cumsum(weights, axis=-1), dtype=np.float64)
    cdf = cdf / cdf[..., -1:]
    cdf[..., -1] = 1.0 + 1e-9
    return cdf


def categorical(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Categorical draw: ``cdf`` of shape (k,) or (n, k) rows per draw, ``u`` of shape (n,)."""
    return (u[:, None] >= cdf).sum(axis=1) if cdf.ndim == 2 else np.searchsorted(cdf, u, "right")


def _padded(lists: list[list[int]]) -> np.ndarray:
    out = np.full((len(lists), max(len(x) for x in lists)), -1, dtype=np.int64)
    for i, x in enumerate(lists):
        out[i, : len(x)] = x
    return out


def _occupation_weights(world: World, node_ids: list[str]) -> np.ndarray:
    occ = world.occupations
    chains = [n.split(".")[0] for n in node_ids]
    home = list(occ["node_id"])
    cross = (
        np.asarray(occ["cross_cutting"], dtype=bool)
        if "cross_cutting" in occ
        else np.zeros(len(occ), dtype=bool)
    )
    w = np.full((len(node_ids) + 1, len(occ)), 0.02)
    for j, (node, chain) in enumerate(zip(node_ids, chains, strict=True)):
        w[j] += [6.0 if h == node else 0.6 if h.split(".")[0] == chain else 0.0 for h in home]
        w[j] += 0.3 * cross
    w[-1] += 1.0 + 2.0 * cross
    return w


def _form_tables(world: World, index: dict[str, int]) -> tuple[np.ndarray, ...]:
    sk = world.skills
    groups: list[list[list[str]]] = [
        [[name], [zh], list(al), [], []]
        for name, zh, al in zip(sk["name"], sk["name_zh"], sk["aliases"], strict=True)
    ]
    forms = world.claim_forms
    for phrase, skill_id, kind in zip(
        forms["phrase"], forms["skill_id"], forms["kind"], strict=True
    ):
        groups[index[skill_id]][4 if kind == "typo" else 3].append(phrase)
    phrases: list[str] = []
    offset = np.zeros((len(groups), len(_FORM_BUCKETS)), dtype=np.int64)
    count = np.zeros_like(offset)
    for i, buckets in enumerate(groups):
        for k, bucket in enumerate(buckets):
            offset[i, k], count[i, k] = len(phrases), len(bucket)
            phrases.extend(bucket)
        empty = count[i] == 0
        offset[i, empty], count[i, empty] = offset[i, 1], 1  # fall back to the Chinese name
    return np.array(phrases, dtype=object), offset, count


def build_tables(world: World) -> Tables:
    """Precompute the categorical distributions and lookup arrays of a world."""
    nodes = world.nodes
    node_ids = [n.node_id for n in nodes]
    skill_ids = list(world.skills["skill_id"])
    index = {s: i for i, s in enumerate(skill_ids)}
    demand = np.array([[n.demand.get(r, 0.0) for n in nodes] for r in world.regions])
    occ = world.occupations
    weights = np.array(
        [REGION_WEIGHT[i] if i < len(REGION_WEIGHT) else 0.05 for i in range(len(world.regions))]
    )
    phrases, offset, count = _form_tables(world, index)
    trades = [x if isinstance(x, str) else None for x in occ.get("trade", [None] * len(occ))]
    return Tables(
        region_codes=np.array(world.regions, dtype=object),
        region_cdf=make_cdf(weights),
        migrant_rate=np.array(
            [MIGRANT_RATE[i] if i < len(MIGRANT_RATE) else 0.65 for i in range(len(world.regions))]
        ),
        node_ids=np.array(node_ids, dtype=object),
        node_cdf=make_cdf(demand**2 + 1e-6),
        node_skills=_padded([[index[s] for s in n.skills_demanded] or [0] for n in nodes]),
        node_len=np.array([max(1, len(n.skills_demanded)) for n in nodes]),
        occ_ids=list(occ["occupation_id"]),
        occ_names=np.array([list(occ["name"]), list(occ["name_zh"])], dtype=object),
        occ_cdf=make_cdf(_occupation_weights(world, node_ids)),
        occ_skills=_padded([[index[s] for s in ids] for ids in occ["skill_ids"]]),
        occ_len=np.array([len(ids) for ids in occ["skill_ids"]]),
        occ_trade_names=np.array(trades, dtype=object),
        occ_has_trade=np.array([x is not None for x in trades]),
        skill_ids=np.array(skill_ids, dtype=object),
        skill_names=list(zip(world.skills["name"], world.skills["name_zh"], strict=True)),
        phrases=phrases,
        form_offset=offset,
        form_count=count,
    )


@dataclass
class Draws:
    """Per-block NumPy draws; every array has BLOCK_SIZE rows."""

    u: np.ndarray
    region: np.ndarray
    migrant: np.ndarray
    age: np.ndarray
    education: np.ndarray
    node: np.ndarray
    occ: np.ndarray
    hours: np.ndarray
    motivation: np.ndarray
    commute: np.ndarray
    order: np.ndarray
    n_claims: np.ndarray
    n_true: np.ndarray
    true_level: np.ndarray
    claim_level: np.ndarray
    years: np.ndarray
    form: np.ndarray


def _skill_draws(t: Tables, rng: np.random.Generator, d: dict[str, np.ndarray]) -> None:
    b, width = len(d["occ"]), _MAX_CLAIMS + _MAX_EXTRA
    n_occ = t.occ_len[d["occ"]]
    keys = rng.random((b, t.occ_skills.shape[1]))
    keys[np.arange(t.occ_skills.shape[1])[None, :] >= n_occ[:, None]] = 2.0
    slots = np.argsort(keys, axis=1)[:, :width]
    if slots.shape[1] < width:
        slots = np.pad(slots, ((0, 0), (0, width - slots.shape[1])))
    d["order"] = t.occ_skills[d["occ"][:, None], slots]
    n_claims = np.minimum(categorical(make_cdf(np.array(_CLAIM_COUNT_P)), rng.random(b)) + 1, n_occ)
    d["n_claims"] = n_claims
    d["n_true"] = np.minimum(n_claims + rng.integers(0, _MAX_EXTRA + 1, b), n_occ)
    exp = np.clip((d["age"] - 18) * rng.beta(2.5, 1.5, b), 0.2, None)
    true = np.rint(1.0 + exp[:, None] / 6 + rng.normal(0, 0.8, (b, width)))
    d["true_level"] = np.clip(true, 1, 5).astype(np.int64)
    claim = d["true_level"] + np.rint(rng.normal(0.3, 0.7, (b, width))).astype(np.int64)
    d["claim_level"] = np.where(rng.random((b, width)) < 0.25, 0, np.clip(claim, 1, 5))
    years = np.round(np.clip(exp[:, None] * rng.random((b, width)), 0.1, 60), 1)
    d["years"] = np.where(rng.random((b, width)) < 0.35, -1.0, years)
    bucket = categorical(make_cdf(np.array(_FORM_P)), rng.random(b * width)).reshape(b, width)
    skill = np.maximum(d["order"], 0)
    d["form"] = t.form_offset[skill, bucket] + (
        rng.random((b, width)) * t.form_count[skill, bucket]
    ).astype(np.int64)


def draw_block(t: Tables, seed: int, block: int) -> Draws:
    """All NumPy draws of one block of BLOCK_SIZE workers."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, block]))
    b = BLOCK_SIZE
    u = rng.random((b, N_UNIFORMS))
    region = categorical(t.region_cdf, u[:, 0])
    migrant = u[:, 1] < t.migrant_rate[region]
    age = 18 + np.floor(rng.beta(2.0, np.where(migrant, 3.6, 3.0)) * 43).astype(np.int64)
    edu = categorical(make_cdf(_EDU_P)[migrant.astype(np.int64)], u[:, 3])
    node = np.where(u[:, 4] < 0.92, categorical(t.node_cdf[region], u[:, 5]), len(t.node_ids))
    d: dict[str, Any] = {
        "u": u,
        "region": region,
        "migrant": migrant,
        "age": age,
        "education": edu,
        "node": node,
        "occ": categorical(t.occ_cdf[node], u[:, 6]),
    }
    d["hours"] = np.round((2 + 18 * rng.beta(1.6, 3.0, b)) * 2) / 2
    d["motivation"] = np.round(rng.beta(2.2, 2.0, b), 4)
    d["commute"] = np.round(rng.beta(2.0, 2.5, b), 4)
    _skill_draws(t, rng, d)
    return Draws(**d)


def frames(
    world: World,
    n: int,
    seed: int,
    chunk_size: int,
    build: Callable[[Tables, Draws, int, int], pd.DataFrame],
) -> Iterator[pd.DataFrame]:
    """Yield frames of ``chunk_size`` rows made by ``build(tables, draws, start, lo, hi)``."""
    tables = build_tables(world)
    pending: list[pd.DataFrame] = []
    n_pending = 0
    for block in range(-(-n // BLOCK_SIZE)):
        start = block * BLOCK_SIZE
        hi = min(BLOCK_SIZE, n - start)
        pending.append(build(tables, draw_block(tables, seed, block), start, hi))
        n_pending += hi
        while n_pending >= chunk_size or (n_pending and start + hi == n):
            merged = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
            take = min(chunk_size, n_pending)
            yield merged.iloc[:take].reset_index(drop=True)
            rest = merged.iloc[take:]
            pending, n_pending = ([rest] if len(rest) else []), len(rest)
