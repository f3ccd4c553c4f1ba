"""``skillmatch allocate``: allocate funded seats from ``skillmatch score`` output (a thin
shell over :func:`skillmatch.allocate.allocate`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from skillmatch.cli._common import non_negative_int, positive_int

__all__ = ["register"]


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in CNY >= 0, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected an amount in CNY >= 0, got {text!r}")
    return value


def _share(text: str) -> Any:
    from skillmatch.allocate import parse_min_share

    try:
        return parse_min_share(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``allocate`` subcommand to ``subparsers``; return it."""
    cmd = subparsers.add_parser(
        "allocate",
        help="allocate funded seats: capacities, shares, seats and budget, most total fit",
        description="Turn the rankings written by `skillmatch score` into funded seats: no "
        "program over capacity, every minimum share met (migrant=2/3 unless --min-share is "
        "given), seats and aid budget held, as much total fit as these allow. Writes "
        "allocation.parquet, unfunded.parquet, quarantine.parquet, summary.json and a report.",
    )
    cmd.add_argument(
        "--scores",
        type=Path,
        required=True,
        metavar="DIR",
        help="output directory of `skillmatch score`",
    )
    cmd.add_argument(
        "--workers",
        type=Path,
        required=True,
        metavar="PATH",
        help="the workers file that was scored (Parquet file or directory, or CSV)",
    )
    cmd.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    cmd.add_argument(
        "--bundle",
        type=Path,
        metavar="DIR",
        help="the bundle the scores came from (default: the packaged model)",
    )
    cmd.add_argument("--seats", type=non_negative_int, metavar="N", help="cap on funded seats")
    cmd.add_argument("--budget", type=_budget, metavar="YUAN", help="cap on aid spent, CNY")
    cmd.add_argument(
        "--min-share",
        type=_share,
        action="append",
        metavar="GROUP=SHARE",
        help="minimum share of funded seats: migrant=0.667, region:CN-GD=0.05, "
        "gender:female=0.4 (repeatable; default migrant=2/3; migrant=0 for none)",
    )
    cmd.add_argument(
        "--candidates",
        type=positive_int,
        metavar="K",
        help="use only the first K programs of each worker's list",
    )
    cmd.add_argument(
        "--method",
        choices=("exact", "fast"),
        default="exact",
        help="exact min-cost flow (default) or the fast dual method",
    )
    cmd.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    cmd.set_defaults(func=_allocate)
    return cmd  # type: ignore[no-any-return]


def _allocate(args: argparse.Namespace) -> int:
    from skillmatch.allocate import allocate

    run = allocate(
        args.scores,
        args.workers,
        args.out,
        bundle=args.bundle,
        seats=args.seats,
        budget=args.budget,
        min_shares=args.min_share,
        candidates=args.candidates,
        method=args.method,
        progress=not args.no_progress,
    )
    s = run.summary
    brief = {k: s[k] for k in ("method", "n_workers", "n_funded", "objective", "gap", "unfunded")}
    print(json.dumps(brief), file=sys.stderr)
    return 0
