"""``skillmatch`` command line: a thin shell over the public API.

Exit codes: 0 success, 1 runtime error, 2 usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skillmatch._cli_common import positive_int
from skillmatch._version import __version__
from skillmatch.errors import SkillmatchError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skillmatch",
        description="Recommend continuing-education programs to industrial workers.",
    )
    parser.add_argument("--version", action="version", version=f"skillmatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser("demo", help="rank programs for sample workers of the simulated world")
    demo.add_argument("--workers", type=positive_int, default=3, help="sample workers (3)")
    demo.add_argument("--k", type=positive_int, default=5, help="programs per worker (5)")
    demo.add_argument("--seed", type=int, default=0, help="world and population seed (0)")
    demo.add_argument("--format", choices=("table", "json"), default="table")
    demo.set_defaults(func=_demo)

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

    from skillmatch import _cli_batch, _cli_serve, _cli_train

    _cli_train.register(sub)
    _cli_batch.register(sub)
    _cli_serve.register(sub)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from skillmatch.bundle import default_bundle_path
    from skillmatch.recommend import Recommender
    from skillmatch.simulate import make_workers, make_world

    world = make_world(seed=args.seed)
    if args.seed == 0 and (default_bundle_path() / "manifest.json").is_file():
        rec = Recommender.load()  # the shipped bundle was trained on this world
    else:
        print(
            f"Building the recommender over {len(world.programs)} programs, "
            f"{len(world.skills)} skills and {len(world.chains)} chains "
            "(encoding the taxonomy with all-MiniLM-L6-v2)...",
            file=sys.stderr,
        )
        rec = Recommender.from_world(world)
    workers = make_workers(world, args.workers, seed=args.seed)
    results = rec.recommend_many(workers, k=args.k)
    if args.format == "json":
        payload = [
            {"worker_id": w.worker_id, "recommendations": [r.model_dump(mode="json") for r in recs]}
            for w, recs in zip(workers, results, strict=True)
        ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    for worker, recs in zip(workers, results, strict=True):
        print(_worker_table(worker, recs, {p.program_id: p for p in rec.programs}))
    return 0


def _worker_table(worker: Any, recs: Sequence[Any], programs: dict[str, Any]) -> str:
    skills = ", ".join(s.text for s in worker.skills) or "-"
    lines = [
        "=" * 100,
        f"Worker {worker.worker_id}: {worker.occupation} | {worker.education} | {worker.region}"
        f" | {'migrant' if worker.migrant else 'local'} | {worker.shift_pattern} shifts"
        f" | {worker.weekly_hours:g} h/week",
        f"  skills: {skills}",
    ]
    if worker.goal:
        lines.append(f"  goal:   {worker.goal}")
    if not recs:
        lines.append("  (no eligible program)")
    for r in recs:
        program = programs[r.program_id]
        lines.append(
            f"  {r.rank:>2}. {program.title}  [{program.kind}, {program.modality}]"
            f"  score {r.score:.3f}"
        )
        for reason in r.reasons:
            lines.append(f"        - {reason.text_en}")
            lines.append(f"          {reason.text_zh}")
    return "\n".join(lines)


def _simulate(args: argparse.Namespace) -> int:
    from skillmatch.simulate import make_world, write_population, write_programs

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
    from skillmatch.simulate import write_interactions

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (SkillmatchError, ValueError, OSError) as exc:
        print(f"skillmatch {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
