"""Deterministic simulated world: chains, skills, occupations, programs and workers.

Everything is a pure function of a seed, so tests, examples and benchmarks can rebuild the same
world anywhere. The world is stylised, not statistical; its assumptions are:

* **Chains.** Eight industrial chains (new-energy vehicles, integrated circuits, industrial
  robots and intelligent manufacturing, photovoltaics and storage, biomedicine, advanced
  materials, electronics, textiles), each with 6-9 nodes ordered upstream -> downstream and
  linked to their neighbours. A node's ``demand`` per province is the chain's regional strength
  (from public provincial industrial-policy reporting), optionally overridden per node, plus a
  seeded jitter of +/-0.05.
* **Skills.** About 450 industrial skills, hand-written plus technique x material and brand x
  task combinations, each with a Chinese name and public aliases. ``skill_variants`` holds
  held-out surface forms (synonyms, abbreviations, seeded typos, colloquial Chinese, mixed
  language) that never appear in names, aliases or worker claims, for evaluating skill matching.
* **Programs.** About 15% credential upgrades (adult secondary vocational, junior college,
  bachelor upgrade), 40% national vocational certificates (levels 5..1, a higher level requires
  the level below) and 45% short courses, with realistic hours, weeks, fees (CNY), aid
  eligibility, capacity and employer sponsorship. Catalogue texts name skills in the provider's
  own words (Chinese, English, aliases).
* **Workers.** Region by workforce share; migrant status by regional rate (about 65% overall);
  education mostly junior secondary to secondary vocational; employer node in proportion to the
  square of regional demand (92% employed in a chain node); occupation mostly one of the
  employer node's, some cross-cutting (electricians, mechanics, ...); 1-8 skill claims drawn from
  the occupation's skills, written as names, Chinese names, aliases, colloquial variants or
  typos. The hidden truth (true skills and levels, motivation, commute tolerance) is only
  exposed by :func:`~skillmatch.sim.population.population_truth`, for interaction simulators;
  the library never reads it.
* **Interactions.** :func:`~skillmatch.sim.interactions.simulate_interactions` shows each
  worker a list of eligible programs (half the recommender's ranking, half random) and draws
  clicks, enrolments and completions from a hidden utility of the worker's *true* skills,
  motivation, commute tolerance and schedule, with position bias and noise; the ground truth
  is documented in :mod:`skillmatch.sim.interactions`.
* **Determinism.** Workers are drawn in fixed blocks of 4,096 indices, each from
  ``SeedSequence([seed, block])``: the output depends on neither ``chunk_size`` nor the
  requested ``n`` (a smaller population is a prefix of a larger one). The catalogue and the
  surface forms come from string-seeded :class:`random.Random` streams. Results are identical
  for the same seed and the same NumPy / Python versions (NumPy does not promise identical
  streams for every distribution across releases).

Examples
--------
>>> world = make_world(seed=0)
>>> len(world.chains) >= 6 and len(world.programs) == 320
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from skillmatch.core import models_to_frame
from skillmatch.schema import Chain, ChainNode, Program
from skillmatch.sim._checks import check_int as _check_int
from skillmatch.sim._tables.chains import REGIONS
from skillmatch.sim.catalogue import make_programs
from skillmatch.sim.taxonomy import build_taxonomy
from skillmatch.sim.variants import build_forms

__all__ = ["World", "make_world"]

_MAX_PROGRAMS = 1_000_000
_FORM_COLUMNS = ["phrase", "skill_id", "kind"]


def _empty_forms() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in _FORM_COLUMNS})


@dataclass(frozen=True, eq=False, repr=False)
class World:
    """A simulated world: chains, skill taxonomy, occupations and program catalogue.

    Compare worlds field by field (``eq=False``: DataFrames have no single truth value).

    Attributes
    ----------
    chains : list of Chain
        Industrial chains, nodes ordered upstream -> downstream (``position``).
    skills : DataFrame
        Skill taxonomy, columns ``skill_id, name, name_zh, aliases, description, category,
        node_ids`` (``aliases`` and ``node_ids`` are lists of str).
    skill_variants : DataFrame
        Held-out surface forms, columns ``phrase, skill_id, kind`` with ``kind`` one of
        ``synonym, abbreviation, typo, zh, mixed``; none is a name, Chinese name or alias.
    occupations : DataFrame
        Columns ``occupation_id, name, name_zh, node_id, skill_ids, trade, cross_cutting``;
        ``trade`` is the usual certificate trade (or None), ``cross_cutting`` marks occupations
        found at every node (electricians, mechanics, forklift drivers, ...).
    programs : list of Program
        The catalogue, ids ``p000001`` ...
    regions : tuple of str
        Province codes such as ``"CN-GD"``.
    seed : int
        The seed the world was built from.
    claim_forms : DataFrame
        Surface forms that simulated workers use in their claims besides names and aliases,
        columns ``phrase, skill_id, kind``; disjoint from ``skill_variants``.

    Examples
    --------
    >>> world = make_world(seed=0, n_programs=5)
    >>> world
    World(seed=0, chains=8, nodes=53, skills=446, occupations=73, programs=5, regions=12)
    >>> world.nodes[0].node_id, world.nodes[0].downstream
    ('nev.battery_materials', ['nev.cells'])
    >>> world.programs_frame().shape[0]
    5
    """

    chains: list[Chain]
    skills: pd.DataFrame
    skill_variants: pd.DataFrame
    occupations: pd.DataFrame
    programs: list[Program]
    regions: tuple[str, ...]
    seed: int = 0
    claim_forms: pd.DataFrame = field(default_factory=_empty_forms)

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, chains={len(self.chains)}, nodes={len(self.nodes)}, "
            f"skills={len(self.skills)}, occupations={len(self.occupations)}, "
            f"programs={len(self.programs)}, regions={len(self.regions)})"
        )

    @property
    def nodes(self) -> list[ChainNode]:
        """All chain nodes, chain by chain, upstream first."""
        return [node for chain in self.chains for node in chain.nodes]

    def programs_frame(self) -> pd.DataFrame:
        """The catalogue as a DataFrame, one row per program (nested fields as lists/dicts)."""
        return models_to_frame(self.programs, columns=list(Program.model_fields))


def make_world(seed: int = 0, *, n_programs: int = 320) -> World:
    """Build the simulated world deterministically from ``seed``.

    Parameters
    ----------
    seed : int, default 0
        Non-negative seed; the same seed always gives the same world.
    n_programs : int, default 320
        Catalogue size (up to 1,000,000; 30,000 builds in a few seconds).

    Returns
    -------
    World

    Raises
    ------
    ValueError
        If ``seed`` is negative or ``n_programs`` is out of range.

    Examples
    --------
    >>> world = make_world(seed=3, n_programs=50)
    >>> sorted({p.kind for p in world.programs})
    ['certificate', 'credential', 'short_course']
    """
    _check_int("seed", seed, 0)
    _check_int("n_programs", n_programs, 1, _MAX_PROGRAMS)
    tx = build_taxonomy(seed)
    held_out, claim_forms = build_forms(tx.skills, tx.held_out, seed)
    return World(
        chains=tx.chains,
        skills=tx.skills,
        skill_variants=held_out,
        occupations=tx.occupations,
        programs=make_programs(tx, n_programs, seed),
        regions=REGIONS,
        seed=seed,
        claim_forms=claim_forms,
    )
