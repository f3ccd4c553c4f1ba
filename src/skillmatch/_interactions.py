"""Simulated interaction logs: impressions, clicks, enrolments and completions.

Public names are re-exported by :mod:`skillmatch.simulate`.

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
(:func:`~skillmatch.simulate.population_truth`: true skills and levels, motivation, commute
tolerance) and the skill ids behind the catalogue's texts, not from the worker's claims::

    u = 3.5 learning + 1.5 readiness + 2.0 relevance - 1.5 conflict - 1.2 commute
        - 1.5 cost + 0.6 award + 0.4 sponsored + 1.2 (motivation - 0.5) + 0.7 eps

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

Outcomes, each a Bernoulli draw given the previous one (``s`` the logistic function)::

    click    ~ s(-2.4 + u) / log2(position + 1)
    enrol    ~ s(-4.1 + u + 2 (readiness - 0.5))                   given a click
    complete ~ s(-0.3 + 3 (readiness - 0.5) + 2.5 (motivation - 0.5)
                 - 2 conflict + 0.8 sponsored)                      given an enrolment

``relevance`` grades the outcome: 0 none, 1 clicked, 2 enrolled, 3 completed. On 1,000,000
impressions (50,000 workers, seed 0, mixed policy) the rates are: click-through 16.2 %,
enrolment per click 35.4 %, completion per enrolment 61.6 %. The library's features see noisy
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
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch._interactions_truth import TruthTables, Utility, build_truth, hidden_utility
from skillmatch._population import BLOCK_SIZE, check_int
from skillmatch._topk import top_k
from skillmatch._worker_rows import WORKER_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

    from skillmatch.recommend import Recommender
    from skillmatch.simulate import World

__all__ = [
    "INTERACTION_COLUMNS",
    "OUTCOME_COLUMNS",
    "interaction_schema",
    "simulate_interactions",
    "write_interactions",
]

Policy = Literal["mixed", "random"]
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
#: Third entry of the block seed: keeps interaction draws apart from the population's.
STREAM = 0x1A7E
START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_SECONDS = 180 * 86_400
NOISE = 0.7
CLICK_BIAS, ENROL_BIAS, COMPLETE_BIAS = -2.4, -4.1, -0.3
_POLICIES = ("mixed", "random")
_MAX_IMPRESSIONS = 1_000


@dataclass(frozen=True)
class _Draws:
    """Random draws of one block of workers (row ``i`` is worker ``block * BLOCK_SIZE + i``)."""

    arrival: FloatArray  # (BLOCK_SIZE,) jitter within the worker's arrival slot
    pick: FloatArray  # (BLOCK_SIZE, P) sort keys of the random picks
    slots: FloatArray  # (BLOCK_SIZE, K) sort keys of the slot shuffle
    noise: FloatArray  # (BLOCK_SIZE, P) utility noise per pair
    outcome: FloatArray  # (BLOCK_SIZE, K, 3) uniforms of click, enrol, complete


def _draw_block(seed: int, block: int, n_programs: int, k: int) -> _Draws:
    rng = np.random.default_rng(np.random.SeedSequence([seed, block, STREAM]))
    b = BLOCK_SIZE
    return _Draws(
        arrival=rng.random(b),
        pick=rng.random((b, n_programs)),
        slots=rng.random((b, k)),
        noise=rng.standard_normal((b, n_programs)),
        outcome=rng.random((b, k, 3)),
    )


class _DrawCache:
    """Rows ``lo..hi`` of the per-block draws, keeping the last block for the next chunk."""

    def __init__(self, seed: int, n_programs: int, k: int) -> None:
        self._args = (seed, n_programs, k)
        self._block = -1
        self._draws: _Draws | None = None

    def _get(self, block: int) -> _Draws:
        if self._draws is None or block != self._block:
            seed, n_programs, k = self._args
            self._draws, self._block = _draw_block(seed, block, n_programs, k), block
        return self._draws

    def rows(self, lo: int, hi: int) -> _Draws:
        parts = []
        for block in range(lo // BLOCK_SIZE, (hi - 1) // BLOCK_SIZE + 1):
            start = block * BLOCK_SIZE
            d = self._get(block)
            a, z = max(lo, start) - start, min(hi, start + BLOCK_SIZE) - start
            parts.append(
                _Draws(d.arrival[a:z], d.pick[a:z], d.slots[a:z], d.noise[a:z], d.outcome[a:z])
            )
        return _Draws(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("arrival", "pick", "slots", "noise", "outcome")
            )
        )


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


def _shown(
    scores: NDArray[np.float32],
    eligible: NDArray[np.bool_],
    pick: FloatArray,
    slots: FloatArray,
    k: int,
    policy: Policy,
) -> IntArray:
    """(B, k) recommender columns shown at positions 1..k, ``-1`` after the last one."""
    n_rank = (k + 1) // 2 if policy == "mixed" else 0
    n_rows = eligible.shape[0]
    ranked = top_k(scores, eligible, n_rank).index if n_rank else np.zeros((n_rows, 0), np.int64)
    keys = np.where(eligible, pick, np.inf)
    r, c = np.nonzero(ranked >= 0)
    keys[r, ranked[r, c]] = np.inf
    order = np.argsort(keys, axis=1, kind="stable")[:, : k - n_rank]
    randoms = np.where(np.isfinite(np.take_along_axis(keys, order, axis=1)), order, -1)
    from_ranker = np.zeros((n_rows, k), dtype=bool)
    np.put_along_axis(from_ranker, np.argsort(slots, axis=1)[:, :n_rank], True, axis=1)
    merged = np.empty((n_rows, k), dtype=np.int64)
    merged[from_ranker] = ranked.ravel()
    merged[~from_ranker] = randoms.ravel()
    compact = np.argsort(merged < 0, axis=1, kind="stable")
    return np.take_along_axis(merged, compact, axis=1)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _outcomes(
    util: Utility, utility: FloatArray, w: IntArray, p: IntArray, position: IntArray, u: FloatArray
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Click, enrol and complete flags of the impressions ``(w, p)`` at ``position``."""
    ready = util.readiness[w, p]
    click = u[:, 0] < _sigmoid(CLICK_BIAS + utility) / np.log2(position + 1.0)
    enrol = click & (u[:, 1] < _sigmoid(ENROL_BIAS + utility + 2.0 * (ready - 0.5)))
    persist = (
        COMPLETE_BIAS
        + 3.0 * (ready - 0.5)
        + 2.5 * (util.motivation[w] - 0.5)
        - 2.0 * util.conflict[w, p]
        + 0.8 * util.sponsored[w, p]
    )
    return click, enrol, enrol & (u[:, 2] < _sigmoid(persist))


def _chunk_log(
    workers: pd.DataFrame, truth: pd.DataFrame, lo: int, n_total: int, ctx: _Context
) -> pd.DataFrame:
    from skillmatch.frames import workers_from_frame

    parsed = workers_from_frame(workers)
    if len(parsed.errors):  # pragma: no cover - the generator only emits valid rows
        raise RuntimeError(f"simulated workers failed validation:\n{parsed.errors}")
    feats = ctx.recommender.features_.transform(parsed.models)
    scores = ctx.recommender.ranker_.predict(feats.values)
    d = ctx.draws.rows(lo, lo + len(workers))
    shown = _shown(scores, feats.eligible, d.pick[:, ctx.columns], d.slots, ctx.k, ctx.policy)
    w, slot = np.nonzero(shown >= 0)
    p = ctx.columns[shown[w, slot]]
    util = hidden_utility(ctx.truth, workers, truth)
    utility = util.total()[w, p] + NOISE * d.noise[w, p]
    position = slot.astype(np.int64) + 1
    click, enrol, complete = _outcomes(util, utility, w, p, position, d.outcome[w, slot])
    arrival = ((lo + np.arange(len(workers)) + d.arrival) * SPAN_SECONDS / n_total).astype(np.int64)
    out = {
        "worker_id": workers["worker_id"].to_numpy()[w],
        "program_id": np.asarray(ctx.truth.program_ids, dtype=object)[p],
        "position": position,
        "timestamp": START + arrival[w].astype("timedelta64[s]"),
        "clicked": click,
        "enrolled": enrol,
        "completed": complete,
        "relevance": (click.astype(np.int64) + enrol + complete),
    }
    profile = workers.iloc[w, 1:].reset_index(drop=True)
    return pd.concat([pd.DataFrame(out), profile], axis=1)[list(INTERACTION_COLUMNS)]


@dataclass(frozen=True)
class _Context:
    recommender: Recommender
    truth: TruthTables
    columns: IntArray
    draws: _DrawCache
    k: int
    policy: Policy


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

    Workers are those of :func:`~skillmatch.simulate.make_population` with the same ``seed``.
    Each is shown up to ``impressions_per_worker`` eligible programs; clicks, enrolments and
    completions follow a hidden utility of the worker's *true* skills, motivation, commute
    tolerance and schedule, plus position bias and noise. The policy, the utility and the
    outcome model are documented in :mod:`skillmatch._interactions`.

    Parameters
    ----------
    world : World
        The simulated world (its catalogue must be the simulator's own).
    n_workers : int
        Number of workers (any size: only one chunk is held at a time).
    seed : int, default 0
        Population and interaction seed; the same arguments always give the same log.
    impressions_per_worker : int, default 20
        Length of the list shown to each worker (fewer when fewer programs are eligible).
    policy : {"mixed", "random"}, default "mixed"
        ``"mixed"``: half the recommender's ranking, half random eligible programs, in seeded
        slots; ``"random"``: random eligible programs only.
    recommender : Recommender, optional
        Supplies the eligibility mask and the ranking; by default
        ``Recommender.from_world(world)`` (encoding the taxonomy takes some seconds).
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
        (0 none, 1 clicked, 2 enrolled, 3 completed), then the worker's profile columns as
        :func:`~skillmatch.simulate.make_population` writes them.

    Raises
    ------
    ValueError
        If an argument is out of range, the policy is unknown, or the recommender's catalogue
        holds programs that are not the world's.

    Examples
    --------
    >>> INTERACTION_COLUMNS[:4], INTERACTION_COLUMNS[7:9]
    (('worker_id', 'program_id', 'position', 'timestamp'), ('relevance', 'skills'))
    >>> from skillmatch.simulate import make_world
    >>> world = make_world(seed=0, n_programs=40)
    >>> log = next(simulate_interactions(world, 3, impressions_per_worker=5))  # doctest: +SKIP
    >>> log.groupby("worker_id")["position"].max().tolist()  # doctest: +SKIP
    [5, 5, 5]
    """
    _check_args(n_workers, seed, impressions_per_worker, policy, chunk_size)
    truth = build_truth(world)
    if recommender is None:
        from skillmatch.recommend import Recommender

        recommender = Recommender.from_world(world)
    ctx = _Context(
        recommender,
        truth,
        _columns(recommender, truth),
        _DrawCache(seed, len(truth.program_ids), impressions_per_worker),
        impressions_per_worker,
        policy,
    )
    return _generate(world, n_workers, seed, chunk_size, progress, ctx)


def _generate(
    world: World, n: int, seed: int, chunk_size: int, progress: bool, ctx: _Context
) -> Iterator[pd.DataFrame]:
    from tqdm.auto import tqdm

    from skillmatch.simulate import make_population, population_truth

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
    """Parquet schema of an interaction log: outcome columns, then the worker schema's."""
    import pyarrow as pa

    from skillmatch._sim_parquet import WORKER_SCHEMA

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
    >>> from skillmatch.simulate import make_world
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     write_interactions(make_world(n_programs=40), 10, pathlib.Path(tmp) / "log.parquet",
    ...                        impressions_per_worker=4, progress=False)
    40
    """
    from skillmatch._sim_parquet import write_frames
    from skillmatch.training import CATALOGUE_METADATA_KEY, catalogue_digest

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
