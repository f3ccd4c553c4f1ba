"""The simulated world: a regression harness, not the judge of relevance.

Chains, skills, occupations, a program catalogue and worker populations, all deterministic
functions of a seed, plus an interaction simulator with a hidden truth. The hand-written data
tables live in :mod:`skillmatch.sim._tables`. :mod:`skillmatch.simulate` re-exports this
package under its historical name.
"""

from __future__ import annotations

from skillmatch.sim.interactions import (
    INTERACTION_COLUMNS,
    simulate_interactions,
    write_interactions,
)
from skillmatch.sim.population import (
    TRUTH_COLUMNS,
    WORKER_COLUMNS,
    make_population,
    make_workers,
    population_truth,
    write_population,
    write_programs,
)
from skillmatch.sim.truth_check import TRUTH_CHECK_COLUMNS, truth_check
from skillmatch.sim.world import World, make_world

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
