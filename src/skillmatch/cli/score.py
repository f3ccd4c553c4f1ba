"""``skillmatch score``: batch-score a worker population (a thin shell over
:func:`skillmatch.batch.score_file`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from skillmatch.cli._common import BUNDLE_KEY_ENV, bundle_key_from_env, positive_int, sha256_hex

__all__ = ["register"]

_ENCODINGS = ("auto", "utf-8", "gbk", "gb18030")  # skillmatch.batch.score_file's encoding


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``score`` subcommand to ``subparsers`` (from ``add_subparsers``); return it."""
    score = subparsers.add_parser(
        "score",
        help="batch-score a worker population (Parquet or CSV) into Parquet parts",
        description="Rank programs for every worker in PATH and write the top-k rows as "
        "Parquet parts, bad rows to quarantine.parquet, and a resumable manifest. When "
        f"${BUNDLE_KEY_ENV} is set, the bundle must be signed with that key.",
    )
    score.add_argument(
        "--workers",
        type=Path,
        required=True,
        metavar="PATH",
        help="workers: a Parquet file or directory, or a CSV file",
    )
    score.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    score.add_argument(
        "--bundle",
        type=Path,
        metavar="DIR",
        help="model bundle directory (default: the packaged default model)",
    )
    score.add_argument("--k", type=positive_int, default=10, help="programs per worker (10)")
    score.add_argument(
        "--chunk-size",
        type=positive_int,
        default=20_000,
        metavar="N",
        help="rows per chunk and per part; bounds memory (20000)",
    )
    score.add_argument(
        "--jobs", type=positive_int, default=1, metavar="N", help="worker processes (1)"
    )
    score.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run in DIR, skipping finished parts",
    )
    score.add_argument(
        "--encoding",
        choices=_ENCODINGS,
        default="auto",
        help="text encoding of a CSV input: auto (UTF-8, or GBK/GB18030 detected), utf-8, "
        "gbk or gb18030 (auto)",
    )
    score.add_argument(
        "--bundle-sha256",
        type=sha256_hex,
        metavar="HEX",
        help="refuse a bundle whose manifest.json has another sha256 (pins the exact model)",
    )
    score.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    score.set_defaults(func=_score)
    return score  # type: ignore[no-any-return]


def _score(args: argparse.Namespace) -> int:
    from skillmatch.batch import score_file
    from skillmatch.core import Recommender

    # no --bundle: the packaged default bundle, verified (and pinned or keyed) the same way
    rec = Recommender.load(
        args.bundle, expected_sha256=args.bundle_sha256, hmac_key=bundle_key_from_env()
    )
    summary = score_file(
        args.workers,
        args.out,
        recommender=rec,
        k=args.k,
        chunk_size=args.chunk_size,
        resume=args.resume,
        n_jobs=args.jobs,
        progress=not args.no_progress,
        encoding=args.encoding,
    )
    print(summary.format(), file=sys.stderr)
    return 0
