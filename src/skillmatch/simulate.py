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
  exposed by :func:`population_truth`, for interaction simulators; the library never reads it.
* **Interactions.** :func:`simulate_interactions` shows each worker a list of eligible programs
  (half the recommender's ranking, half random) and draws clicks, enrolments and completions
  from a hidden utility of the worker's *true* skills, motivation, commute tolerance and
  schedule, with position bias and noise; the ground truth is documented in
  :mod:`skillmatch._interactions`.
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
>>> frame = next(make_population(world, 3, seed=1))
>>> frame["worker_id"].tolist()
['w00000001', 'w00000002', 'w00000003']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike

import pandas as pd

from skillmatch._chain_data import REGIONS
from skillmatch._interactions import (
    INTERACTION_COLUMNS,
    simulate_interactions,
    write_interactions,
)
from skillmatch._population import check_int as _check_int
from skillmatch._population import frames
from skillmatch._sim_catalogue import make_programs
from skillmatch._sim_taxonomy import build_taxonomy
from skillmatch._sim_truth_check import TRUTH_CHECK_COLUMNS, truth_check
from skillmatch._sim_variants import build_forms
from skillmatch._worker_rows import TRUTH_COLUMNS, WORKER_COLUMNS, truth_frame, worker_frame
from skillmatch.frames import models_to_frame, workers_from_frame
from skillmatch.schema import Chain, ChainNode, Program, Worker

__all__ = [
    "INTERACTION_COLUMNS",
    "TRUTH_CHECK_COLUMNS",
    "TRUTH_COLUMNS",
    "WORKER_COLUMNS",
    "World",
    "make_population",
    "make_workers",
    "make_world",
    "population_truth",
    "simulate_interactions",
    "truth_check",
    "write_interactions",
    "write_population",
    "write_programs",
]

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


def _check_population(n: int, seed: int, chunk_size: int) -> None:
    _check_int("n", n, 0)
    _check_int("seed", seed, 0)
    _check_int("chunk_size", chunk_size, 1)


def make_population(
    world: World, n: int, *, seed: int = 0, chunk_size: int = 10_000
) -> Iterator[pd.DataFrame]:
    """Generate ``n`` workers lazily, as DataFrames of at most ``chunk_size`` rows.

    Columns are the fields of :class:`~skillmatch.schema.Worker` (:data:`WORKER_COLUMNS`):
    ``skills`` holds lists of ``{"text", "level", "years"}`` dicts and ``certificates`` lists of
    ``{"trade", "level"}``. Every row validates with :func:`~skillmatch.frames.workers_from_frame`.
    The rows do not depend on ``chunk_size``, and the same ``seed`` gives the same rows.

    Parameters
    ----------
    world : World
    n : int
        Number of workers (any size: only one chunk is held at a time).
    seed : int, default 0
    chunk_size : int, default 10_000

    Returns
    -------
    iterator of DataFrame

    Examples
    --------
    >>> world = make_world(n_programs=5)
    >>> [len(df) for df in make_population(world, 5, chunk_size=2)]
    [2, 2, 1]
    """
    _check_population(n, seed, chunk_size)
    return frames(world, n, seed, chunk_size, worker_frame)


def population_truth(
    world: World, n: int, *, seed: int = 0, chunk_size: int = 10_000
) -> Iterator[pd.DataFrame]:
    """The hidden truth behind :func:`make_population`, row-aligned for the same arguments.

    Columns (:data:`TRUTH_COLUMNS`): ``worker_id, occupation_id, true_skill_ids`` (list of
    skill ids, the claimed skills first), ``true_levels`` (list of int 1-5), ``motivation`` and
    ``commute_tolerance`` (floats in 0..1). For interaction simulators only.

    Examples
    --------
    >>> world = make_world(n_programs=5)
    >>> truth = next(population_truth(world, 2))
    >>> list(truth.columns[:3])
    ['worker_id', 'occupation_id', 'true_skill_ids']
    """
    _check_population(n, seed, chunk_size)
    return frames(world, n, seed, chunk_size, truth_frame)


def make_workers(world: World, n: int, *, seed: int = 0) -> list[Worker]:
    """The first ``n`` workers of :func:`make_population` as validated models.

    Examples
    --------
    >>> workers = make_workers(make_world(n_programs=5), 2, seed=7)
    >>> [w.worker_id for w in workers]
    ['w00000001', 'w00000002']
    """
    out: list[Worker] = []
    for frame in make_population(world, n, seed=seed, chunk_size=max(1, min(n, 50_000))):
        result = workers_from_frame(frame)
        if len(result.errors):  # pragma: no cover - the generator only emits valid rows
            raise RuntimeError(f"simulated workers failed validation:\n{result.errors}")
        out.extend(result.models)
    return out


def write_population(
    world: World,
    n: int,
    path: str | PathLike[str],
    *,
    seed: int = 0,
    chunk_size: int = 50_000,
    progress: bool = True,
) -> int:
    """Stream ``n`` simulated workers to a Parquet file; return the number of rows written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_population(make_world(n_programs=5), 10, pathlib.Path(tmp) / "w.parquet",
    ...                      progress=False)
    10
    """
    from skillmatch._sim_parquet import WORKER_SCHEMA, write_frames

    batches = make_population(world, n, seed=seed, chunk_size=chunk_size)
    return write_frames(batches, path, WORKER_SCHEMA, total=n, progress=progress)


def write_programs(world: World, path: str | PathLike[str]) -> int:
    """Write the world's catalogue to a Parquet file; return the number of programs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_programs(make_world(n_programs=5), pathlib.Path(tmp) / "p.parquet")
    5
    """
    from skillmatch._sim_parquet import PROGRAM_SCHEMA, write_frames

    frame = world.programs_frame()
    return write_frames(iter([frame]), path, PROGRAM_SCHEMA, total=len(frame), progress=False)
