"""Simulated interaction logs: impressions, clicks, enrolments and completions.

Public names are re-exported by :mod:`skillmatch.sim` (and :mod:`skillmatch.simulate`). The
draws, the shown lists and the outcome model live in :mod:`skillmatch.sim._impressions`.

Logging policy
--------------
Each worker arrives once (arrival times spread evenly over 180 days from 2024-01-01, in worker
order, with a seeded jitter) and is shown a list of ``impressions_per_worker`` programs, all
*eligible* for them by the library's hard rules (the recommender's eligibility mask). With
``policy="mixed"`` half the slots (rounded up) hold the recommender's ranking, best first, and
the other half uniformly random other eligible programs; which slots hold which is a seeded
shuffle (team-draft style: each source keeps its own order). ``policy="random"`` shows random
eligible programs only. A worker with fewer eligible programs sees all of them. The log records
only what the library itself can see (the worker profile, the program, the position, the time)
plus the outcomes.

Hidden utility (the ground truth; the library never reads it)
-------------------------------------------------------------
For worker ``w`` and program ``p`` it is computed from the *truth* behind the profile
(:func:`~skillmatch.sim.population.population_truth`: true skills and levels, motivation, commute
tolerance) and the skill ids behind the catalogue's texts, not from the worker's claims::

    u = 3.5 learning + 1.5 readiness + 2.0 relevance - 1.5 conflict - 1.2 commute
        - 1.5 cost + 0.6 award + 0.4 sponsored + 1.2 (motivation - 0.5) + 3.0 goal
        + 0.7 eps

with every term in [0, 1] (commute up to 1.5) and ``eps ~ N(0, 1)`` drawn per pair:

learning
    Mean over the skills taught of ``max(0, target - true level) / target`` times the skill's
    demand for the worker: ``0.25 + 0.75 d`` with ``d`` the skill's share of the region's chain
    demand (peak 1), plus 0.3 when the employer's node demands it (capped at 1).
readiness
    ``0.4 prep + 0.35 prerequisites + 0.25 margin``: prep is the mean over the skills taught of
    ``min(1, (true level + 1.5) / target)``; prerequisites the mean of ``min(1, true level / 3)``
    over the required skills (1 when none); margin ``0.5 + 0.25 (education rank - needed rank)``
    clipped to [0, 1], averaged with the certificate margin where a certificate is required.
relevance
    ``0.65`` x share of the skills taught that belong to the worker's true occupation +
    ``0.35`` x link of the program's chain nodes with the employer's node (1 the node itself,
    0.5 a supplier or customer, 0.2 the same chain).
conflict
    ``0.7`` x clash of the shift pattern with the schedule (e.g. day shift vs weekday-day
    classes 0.9, anything vs self-paced ~0, full-time 1) + ``0.15`` x weekly overload
    ``clip(load / hours available - 1, 0, 2)``.
commute
    Travel of the delivery mode (in person 1, blended 0.5, online 0) x ``(1 - commute
    tolerance)`` + ``0.5`` x dislike of the mode given the stated preference.
cost
    ``log1p(net / 300) / log1p(20000 / 300)`` capped at 1; ``net`` is the fee after public aid
    (80 % for aid-eligible programs up to junior-college education) and sponsorship (all of it
    when the sponsor is the employer's node, half when it is a supplier or customer).
award
    Education levels (credential) or certificate levels (certificate) gained, over 2.
sponsored
    1 when the employer's own node sponsors the program (paid learning time).
goal
    How well the program serves the goal the worker stated (0 without one; the truth behind the
    goal text, ``goal_kind`` and ``goal_target`` of the population's truth): 1 for the programs
    of the certificate trade a worker wants, for those teaching the skill a worker wants to
    learn, for credentials awarding the education level a worker wants; for a wanted
    occupation, the program's share of that occupation's skills relative to the best program
    for it; 0 for a vague goal ("better pay"). A worker who names what they want mostly wants
    that: on real catalogues (``benchmarks/bench_ranking.py``) a ranker that learned a world
    without this term let skill similarity outvote a clearly named goal.

Outcomes, each a Bernoulli draw given the previous one (``s`` the logistic function)::

    click    ~ s(-2.4 + u) / log2(position + 1)
    enrol    ~ s(-4.1 + u + 2 (readiness - 0.5))                   given a click
    complete ~ s(-0.3 + 3 (readiness - 0.5) + 2.5 (motivation - 0.5)
                 - 2 conflict + 0.8 sponsored)                      given an enrolment

``relevance`` grades the outcome: 0 none, 1 clicked, 2 enrolled, 3 completed. On 1,000,000
impressions (50,000 workers, seed 1, mixed policy) the rates are: click-through 16.6 %,
enrolment per click 37.9 %, completion per enrolment 60.4 %. The library's features see noisy
proxies of these terms (claimed rather than true skills, semantic rather than true occupation
fit, the stated preference rather than the commute tolerance), so the utility is learnable from
them without being identical to any of them.

Determinism
-----------
All randomness of worker ``i`` comes from ``SeedSequence([seed, i // 4096, STREAM])``, drawn
for the whole block of 4,096 workers, so a log depends on neither ``chunk_size`` nor how the
work is split; the recommender's ranking is deterministic too. Only the arrival times depend on
``n_workers`` (they always spread over 180 days): otherwise a smaller log is a prefix of a
larger one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.sim._checks import check_int
from skillmatch.sim._impressions import DrawCache, Outcomes, Policy, outcomes, shown
from skillmatch.sim._rows import WORKER_COLUMNS
from skillmatch.sim.truth import TruthTables, build_truth, hidden_utility

if TYPE_CHECKING:
    import pyarrow as pa

    from skillmatch.core import PairFeatures, Recommender
    from skillmatch.sim.world import World

__all__ = [
    "INTERACTION_COLUMNS",
    "OUTCOME_COLUMNS",
    "interaction_schema",
    "simulate_interactions",
    "write_interactions",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Columns describing an impression and its outcomes, before the worker's profile columns.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "program_id",
    "position",
    "timestamp",
    "clicked",
    "enrolled",
    "completed",
    "relevance",
)
#: All columns of an interaction log: :data:`OUTCOME_COLUMNS` then the other worker fields.
INTERACTION_COLUMNS: tuple[str, ...] = OUTCOME_COLUMNS + WORKER_COLUMNS[1:]
START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_SECONDS = 180 * 86_400
_POLICIES = ("mixed", "random")
_MAX_IMPRESSIONS = 1_000


@dataclass(frozen=True)
class _Context:
    """What every chunk needs: the recommender, the truth and the world column of its programs."""

    recommender: Recommender
    truth: TruthTables
    columns: IntArray
    draws: DrawCache
    k: int
    policy: Policy


def _check_args(
    n_workers: object, seed: object, impressions: object, policy: object, chunk_size: object
) -> None:
    check_int("n_workers", n_workers, 0)
    check_int("seed", seed, 0)
    check_int("impressions_per_worker", impressions, 1, _MAX_IMPRESSIONS)
    check_int("chunk_size", chunk_size, 1)
    if policy not in _POLICIES:
        raise ValueError(f"Unknown policy {policy!r}; expected one of {list(_POLICIES)}")


def _columns(recommender: Recommender, truth: TruthTables) -> IntArray:
    """World column of each program of the recommender's catalogue."""
    where = {p: i for i, p in enumerate(truth.program_ids)}
    ids = [p.program_id for p in recommender.programs]
    unknown = [p for p in ids if p not in where]
    if unknown:
        raise ValueError(
            f"recommender: {len(unknown)} program(s) are not in the world's catalogue, e.g. "
            f"{unknown[0]!r}; build it with Recommender.from_world(world)"
        )
    return np.asarray([where[p] for p in ids], dtype=np.int64)


def _context(
    world: World, recommender: Recommender | None, seed: int, k: int, policy: Policy
) -> _Context:
    truth = build_truth(world)
    if recommender is None:
        from skillmatch.core import Recommender

        recommender = Recommender.from_world(world)
    columns = _columns(recommender, truth)
    return _Context(
        recommender, truth, columns, DrawCache(seed, len(truth.program_ids), k), k, policy
    )


def _features(recommender: Recommender, workers: pd.DataFrame) -> PairFeatures:
    from skillmatch.core import workers_from_frame

    parsed = workers_from_frame(workers)
    if len(parsed.errors):  # pragma: no cover - the generator only emits valid rows
        raise RuntimeError(f"simulated workers failed validation:\n{parsed.errors}")
    return recommender.fitted_features().transform(parsed.models)


def _chunk_log(
    workers: pd.DataFrame, truth: pd.DataFrame, lo: int, n_total: int, ctx: _Context
) -> pd.DataFrame:
    """The impressions of workers ``lo .. lo + len(workers) - 1`` and their outcomes."""
    feats = _features(ctx.recommender, workers)
    scores = ctx.recommender.ranker_.predict(feats.values)
    d = ctx.draws.rows(lo, lo + len(workers))
    lists = shown(scores, feats.eligible, d.pick[:, ctx.columns], d.slots, ctx.k, ctx.policy)
    w, slot = np.nonzero(lists >= 0)
    p = ctx.columns[lists[w, slot]]
    out = outcomes(hidden_utility(ctx.truth, workers, truth), w, p, slot, d)
    program_ids = np.asarray(ctx.truth.program_ids, dtype=object)[p]
    return _frame(workers, w, program_ids, out, _arrival(lo, n_total, d.arrival))


def _arrival(lo: int, n_total: int, jitter: FloatArray) -> IntArray:
    """Arrival second of workers ``lo, lo + 1, ...`` (slots spread evenly over the span)."""
    return ((lo + np.arange(len(jitter)) + jitter) * SPAN_SECONDS / n_total).astype(np.int64)


def _frame(
    workers: pd.DataFrame,
    w: IntArray,
    program_ids: NDArray[np.object_],
    out: Outcomes,
    arrival: IntArray,
) -> pd.DataFrame:
    """Log rows of the impressions of workers ``w`` (rows of ``workers``) and their profiles."""
    head = {
        "worker_id": workers["worker_id"].to_numpy()[w],
        "program_id": program_ids,
        "position": out.position,
        "timestamp": START + arrival[w].astype("timedelta64[s]"),
        "clicked": out.clicked,
        "enrolled": out.enrolled,
        "completed": out.completed,
        "relevance": (out.clicked.astype(np.int64) + out.enrolled + out.completed),
    }
    profile = workers.iloc[w, 1:].reset_index(drop=True)
    return pd.concat([pd.DataFrame(head), profile], axis=1)[list(INTERACTION_COLUMNS)]


def simulate_interactions(
    world: World,
    n_workers: int,
    *,
    seed: int = 0,
    impressions_per_worker: int = 20,
    policy: Policy = "mixed",
    recommender: Recommender | None = None,
    chunk_size: int = 5_000,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Simulate impressions and their outcomes for the first ``n_workers`` simulated workers.

    The logging policy, the hidden utility of the workers' *true* profiles and the outcome
    model are documented in :mod:`skillmatch.sim.interactions`.

    Parameters
    ----------
    world : World
        The simulated world (its catalogue must be the simulator's own).
    n_workers : int
        Number of workers (any size: only one chunk is held at a time).
    seed : int, default 0
        Seed of the workers (those of ``make_population(world, seed=seed)``) and the draws.
    impressions_per_worker : int, default 20
        Length of the list shown to each worker (fewer when fewer programs are eligible).
    policy : {"mixed", "random"}, default "mixed"
        ``"mixed"``: half the recommender's ranking, half random eligible programs, in seeded
        slots; ``"random"``: random eligible programs only.
    recommender : Recommender, optional
        Supplies the eligibility mask and the ranking (``Recommender.from_world(world)``).
    chunk_size : int, default 5_000
        Workers per yielded chunk; the rows do not depend on it.
    progress : bool, default False
        Show a progress bar over workers.

    Returns
    -------
    iterator of DataFrame
        One row per impression, workers in order and positions ascending; columns
        :data:`INTERACTION_COLUMNS`: ``worker_id, program_id, position`` (1-based),
        ``timestamp`` (datetime64[s]), ``clicked, enrolled, completed`` (bool), ``relevance``
        (0 none, 1 clicked, 2 enrolled, 3 completed), then the worker's profile columns.

    Raises
    ------
    ValueError
        If an argument is out of range or unknown, or the recommender has programs not in world.

    Examples
    --------
    >>> from skillmatch.sim.world import make_world
    >>> world = make_world(seed=0, n_programs=40)
    >>> log = next(simulate_interactions(world, 3, impressions_per_worker=5))  # doctest: +SKIP
    >>> log.groupby("worker_id")["position"].max().tolist()  # doctest: +SKIP
    [5, 5, 5]
    """
    _check_args(n_workers, seed, impressions_per_worker, policy, chunk_size)
    ctx = _context(world, recommender, seed, impressions_per_worker, policy)
    return _generate(world, n_workers, seed, chunk_size, progress, ctx)


def _generate(
    world: World, n: int, seed: int, chunk_size: int, progress: bool, ctx: _Context
) -> Iterator[pd.DataFrame]:
    from tqdm.auto import tqdm

    from skillmatch.sim.population import make_population, population_truth

    lo = 0
    with tqdm(total=n, unit="worker", disable=not progress, desc="simulating") as bar:
        for workers, truth in zip(
            make_population(world, n, seed=seed, chunk_size=chunk_size),
            population_truth(world, n, seed=seed, chunk_size=chunk_size),
            strict=True,
        ):
            yield _chunk_log(workers, truth, lo, n, ctx)
            lo += len(workers)
            bar.update(len(workers))


def interaction_schema() -> pa.Schema:
    """Parquet schema of an interaction log: outcome columns, then the worker schema's.

    Examples
    --------
    >>> INTERACTION_COLUMNS[:4], INTERACTION_COLUMNS[7:9]
    (('worker_id', 'program_id', 'position', 'timestamp'), ('relevance', 'skills'))
    >>> interaction_schema().names == list(INTERACTION_COLUMNS)
    True
    """
    import pyarrow as pa

    from skillmatch.sim.parquet import WORKER_SCHEMA

    head = [
        ("worker_id", pa.string()),
        ("program_id", pa.string()),
        ("position", pa.int64()),
        ("timestamp", pa.timestamp("s")),
        ("clicked", pa.bool_()),
        ("enrolled", pa.bool_()),
        ("completed", pa.bool_()),
        ("relevance", pa.int64()),
    ]
    return pa.schema(head + [f for f in WORKER_SCHEMA if f.name != "worker_id"])


def write_interactions(
    world: World,
    n_workers: int,
    path: str | PathLike[str],
    *,
    seed: int = 0,
    impressions_per_worker: int = 20,
    policy: Policy = "mixed",
    recommender: Recommender | None = None,
    chunk_size: int = 5_000,
    progress: bool = True,
) -> int:
    """Stream :func:`simulate_interactions` to one Parquet file; return the rows written.

    The file is self-contained: every row carries the worker's profile, so a training command
    needs nothing else. Arguments are those of :func:`simulate_interactions`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skillmatch.sim.world import make_world
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     write_interactions(make_world(n_programs=40), 10, pathlib.Path(tmp) / "log.parquet",
    ...                        impressions_per_worker=4, progress=False)
    40
    """
    from skillmatch.core import CATALOGUE_METADATA_KEY, catalogue_digest
    from skillmatch.sim.parquet import write_frames

    frames = simulate_interactions(
        world,
        n_workers,
        seed=seed,
        impressions_per_worker=impressions_per_worker,
        policy=policy,
        recommender=recommender,
        chunk_size=chunk_size,
    )
    total = n_workers * impressions_per_worker
    # the catalogue digest lets ``skillmatch train`` refuse a log made in another world
    schema = interaction_schema().with_metadata(
        {CATALOGUE_METADATA_KEY: catalogue_digest(world.programs).encode()}
    )
    return write_frames(frames, path, schema, total=total, progress=progress)
