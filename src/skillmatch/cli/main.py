"""``skillmatch`` command line: a thin shell over the public API.

Exit codes: 0 success, 1 runtime error, 2 usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from skillmatch._version import __version__
from skillmatch.cli import allocate, demo, score, serve, simulate, train
from skillmatch.errors import SkillmatchError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skillmatch",
        description="Recommend continuing-education programs to industrial workers.",
    )
    parser.add_argument("--version", action="version", version=f"skillmatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    for command in (demo, simulate, train, score, allocate, serve):
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (SkillmatchError, ValueError, OSError) as exc:
        print(f"skillmatch {args.command}: error: {exc}", file=sys.stderr)
        return 1
