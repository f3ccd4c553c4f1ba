"""``skillmatch simulate``: write a simulated population, interaction log and catalogue."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from skillmatch.cli._common import positive_int

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand to ``sub`` (from ``parser.add_subparsers()``)."""
    sim = sub.add_parser("simulate", help="write a simulated worker population as Parquet")
    sim.add_argument("--workers", type=positive_int, required=True, help="number of workers")
    sim.add_argument("--out", type=Path, help="workers Parquet file to write")
    sim.add_argument(
        "--interactions",
        type=Path,
        metavar="PATH",
        help="also (or only) write a simulated interaction log here",
    )
    sim.add_argument(
        "--impressions-per-worker",
        type=positive_int,
        default=20,
        metavar="N",
        help="programs shown to each worker in the interaction log (20)",
    )
    sim.add_argument("--programs", type=Path, help="also write the program catalogue here")
    sim.add_argument("--seed", type=int, default=0, help="seed of the workers and outcomes (0)")
    sim.add_argument(
        "--world-seed",
        type=int,
        default=0,
        help="seed of the world: catalogue, chains, skills (0, the shipped bundle's world)",
    )
    sim.add_argument("--chunk-size", type=positive_int, default=50_000)
    sim.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    sim.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from skillmatch.sim import make_world, write_population, write_programs

    if args.out is None and args.interactions is None:
        print("skillmatch simulate: error: give --out, --interactions or both", file=sys.stderr)
        return 2
    world = make_world(seed=args.world_seed)
    if args.out is not None:
        start = time.perf_counter()
        n = write_population(
            world,
            args.workers,
            args.out,
            seed=args.seed,
            chunk_size=args.chunk_size,
            progress=not args.no_progress,
        )
        print(
            f"wrote {n} workers to {args.out} in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    if args.interactions is not None:
        _simulate_interactions(world, args)
    if args.programs is not None:
        m = write_programs(world, args.programs)
        print(f"wrote {m} programs to {args.programs}", file=sys.stderr)
    return 0


def _simulate_interactions(world: Any, args: argparse.Namespace) -> None:
    from skillmatch.sim import write_interactions

    start = time.perf_counter()
    n = write_interactions(
        world,
        args.workers,
        args.interactions,
        seed=args.seed,
        impressions_per_worker=args.impressions_per_worker,
        progress=not args.no_progress,
    )
    print(
        f"wrote {n} impressions to {args.interactions} in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
