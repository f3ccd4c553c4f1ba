"""Simulated worker populations: streamed frames, their hidden truth, and Parquet writers.

Workers are drawn in fixed blocks of 4,096 indices (see :mod:`skillmatch.sim._draws`), so the
rows depend on neither ``chunk_size`` nor ``n``: a smaller population is a prefix of a larger
one.

Examples
--------
>>> from skillmatch.sim.world import make_world
>>> frame = next(make_population(make_world(seed=0), 3, seed=1))
>>> frame["worker_id"].tolist()
['w00000001', 'w00000002', 'w00000003']
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike

import pandas as pd

from skillmatch.core import workers_from_frame
from skillmatch.schema import Worker
from skillmatch.sim._checks import check_int as _check_int
from skillmatch.sim._draws import BLOCK_SIZE, frames
from skillmatch.sim._rows import TRUTH_COLUMNS, WORKER_COLUMNS, truth_frame, worker_frame
from skillmatch.sim.world import World

__all__ = [
    "BLOCK_SIZE",
    "TRUTH_COLUMNS",
    "WORKER_COLUMNS",
    "make_population",
    "make_workers",
    "population_truth",
    "write_population",
    "write_programs",
]


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
    ``{"trade", "level"}``. Every row validates with
    :func:`~skillmatch.core.frames.workers_from_frame`.
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
    >>> from skillmatch.sim.world import make_world
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
    ``commute_tolerance`` (floats in 0..1), ``goal_kind`` and ``goal_target`` (what the stated
    goal is about: ``"trade"`` and a certificate trade, ``"skill"`` and a skill id,
    ``"education"`` and a level, ``"occupation"`` and an occupation id, ``"vague"`` and None;
    both None without a goal). For interaction simulators only.

    Examples
    --------
    >>> from skillmatch.sim.world import make_world
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
    >>> from skillmatch.sim.world import make_world
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
    >>> from skillmatch.sim.world import make_world
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_population(make_world(n_programs=5), 10, pathlib.Path(tmp) / "w.parquet",
    ...                      progress=False)
    10
    """
    from skillmatch.sim.parquet import WORKER_SCHEMA, write_frames

    batches = make_population(world, n, seed=seed, chunk_size=chunk_size)
    return write_frames(batches, path, WORKER_SCHEMA, total=n, progress=progress)


def write_programs(world: World, path: str | PathLike[str]) -> int:
    """Write the world's catalogue to a Parquet file; return the number of programs.

    Examples
    --------
    >>> from skillmatch.sim.world import make_world
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_programs(make_world(n_programs=5), pathlib.Path(tmp) / "p.parquet")
    5
    """
    from skillmatch.sim.parquet import PROGRAM_SCHEMA, write_frames

    frame = world.programs_frame()
    return write_frames(iter([frame]), path, PROGRAM_SCHEMA, total=len(frame), progress=False)
