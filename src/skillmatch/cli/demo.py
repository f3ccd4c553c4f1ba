"""``skillmatch demo``: rank programs for sample workers of the simulated world."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from skillmatch.cli._common import positive_int
from skillmatch.schema import Program, Recommendation, Worker

__all__ = ["CHINESE_WORKERS", "PAGE_HINT", "register"]

#: The last lines of `skillmatch demo`: how to try the same ranking in the browser.
PAGE_HINT = (
    'Try it in a browser: run `skillmatch serve` (pip install "skillmatch[service]"),\n'
    "then open http://127.0.0.1:8000/ for the course-finder page (Chinese, with English)."
)

#: Two workers who write only Chinese, as most of the people served do; `skillmatch demo`
#: ranks programs for them after the simulated workers.
CHINESE_WORKERS: tuple[dict[str, Any], ...] = (
    {
        "worker_id": "zh-welder",
        "occupation": "电焊工",
        "skills": [
            {"text": "二氧化碳气体保护焊", "level": 3},
            {"text": "看焊接图纸", "level": 2},
        ],
        "education": "junior_secondary",
        "region": "CN-GD",
        "migrant": True,
        "weekly_hours": 6,
        "shift_pattern": "night",
        "goal": "想考焊工证，多拿点工资",
    },
    {
        "worker_id": "zh-battery",
        "occupation": "电池厂操作工",
        "skills": [{"text": "电芯卷绕", "level": 3}, {"text": "设备点检", "level": 2}],
        "education": "senior_secondary",
        "region": "CN-JS",
        "migrant": True,
        "weekly_hours": 8,
        "shift_pattern": "rotating",
        "goal": "想学PLC编程",
    },
)


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand to ``sub`` (from ``parser.add_subparsers()``)."""
    demo = sub.add_parser("demo", help="rank programs for sample workers of the simulated world")
    demo.add_argument("--workers", type=positive_int, default=3, help="sample workers (3)")
    demo.add_argument("--k", type=positive_int, default=5, help="programs per worker (5)")
    demo.add_argument("--seed", type=int, default=0, help="world and population seed (0)")
    demo.add_argument("--format", choices=("table", "json"), default="table")
    demo.add_argument(
        "--no-chinese",
        action="store_true",
        help="leave out the two Chinese-only workers shown after the simulated ones",
    )
    demo.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from skillmatch.core import Recommender, default_bundle_path
    from skillmatch.sim import make_workers, make_world

    world = make_world(seed=args.seed)
    if args.seed == 0 and (default_bundle_path() / "manifest.json").is_file():
        rec = Recommender.load()  # the shipped bundle was trained on this world
    else:
        print(
            f"Building the recommender over {len(world.programs)} programs, "
            f"{len(world.skills)} skills and {len(world.chains)} chains "
            "(encoding the taxonomy with multilingual USE v3)...",
            file=sys.stderr,
        )
        rec = Recommender.from_world(world)
    workers = make_workers(world, args.workers, seed=args.seed)
    if not args.no_chinese:
        workers += [Worker.model_validate(w) for w in CHINESE_WORKERS]
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
    print("=" * 100)
    print(PAGE_HINT)
    return 0


def _worker_table(
    worker: Worker, recs: Sequence[Recommendation], programs: dict[str, Program]
) -> str:
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
