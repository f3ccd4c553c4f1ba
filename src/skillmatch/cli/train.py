"""``skillmatch train`` and ``skillmatch evaluate``: thin shells over the training API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skillmatch.core import (
    Recommender,
    catalogue_digest,
    check_log_catalogue,
    default_bundle_path,
)

__all__ = ["register"]


def _base_recommender(bundle: Path | None) -> Recommender:

    if bundle is not None:
        return Recommender.load(bundle)
    if (default_bundle_path() / "manifest.json").is_file():
        return Recommender.load()
    from skillmatch.sim.world import make_world

    return Recommender.from_world(make_world(seed=0))


def _read_log(path: Path, rec: Recommender) -> pd.DataFrame:
    """The log as pandas, refused when it records another catalogue than ``rec``'s."""
    import pyarrow.parquet as pq

    if not path.exists():
        raise FileNotFoundError(f"--interactions {str(path)!r} does not exist")
    table = pq.read_table(path)
    check_log_catalogue(table.schema.metadata, rec.programs)
    log: pd.DataFrame = table.to_pandas()
    return log


def overall_table(results: Any) -> Any:
    """Models as rows, metrics as columns, for the ``all`` group."""
    rows = results[results["group"] == "all"]
    return rows.pivot_table(index="model", columns="metric", values="value", sort=False)


def _train(args: argparse.Namespace) -> int:
    from skillmatch.core import LearnedRanker
    from skillmatch.learn.evaluate import split_by_worker
    from skillmatch.learn.training import compare_models, model_card

    start = time.perf_counter()
    rec = _base_recommender(args.base)
    log = _read_log(args.interactions, rec)
    split = split_by_worker(log, test_size=args.test_size, random_state=args.seed)
    rec.ranker = LearnedRanker(
        max_iter=args.max_iter, random_state=args.seed, verbose=0 if args.no_progress else 1
    )
    rec.fit(split.train, progress=not args.no_progress)
    results = compare_models(
        rec, split.train, split.test, name="learned", progress=not args.no_progress
    )
    table = overall_table(results)
    metrics = {m: float(v) for m, v in table.loc["learned"].items()}
    truth = _truth_check(rec, args) if args.truth_check else None
    if truth is not None:
        learned = truth[truth["model"] == "learned"].drop(columns="model").iloc[0]
        metrics.update({f"truth_{m}": float(v) for m, v in learned.to_dict().items()})
        print(truth.round(3).to_string(index=False))
    card = model_card(
        results,
        n_train=len(split.train),
        n_test=len(split.test),
        source=args.interactions.name,
        truth=truth,
    )
    rec.save(args.out, metrics=metrics, model_card=card)
    print(table.round(4).to_string())
    print(f"saved bundle to {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def _truth_check(rec: Recommender, args: argparse.Namespace) -> pd.DataFrame:
    """Judge the trained model, and the default linear one, by the simulator's truth."""
    from skillmatch.sim import make_world, truth_check

    world = make_world(seed=args.world_seed)
    if catalogue_digest(world.programs) != catalogue_digest(rec.programs):
        raise ValueError(
            f"--truth-check needs the catalogue of the simulated world --world-seed "
            f"{args.world_seed}; the base bundle serves another catalogue"
        )
    models = {"learned": rec, "linear": Recommender.from_world(world)}
    return truth_check(models, world, n_workers=args.truth_check)


def _evaluate(args: argparse.Namespace) -> int:
    from skillmatch.core import Recommender
    from skillmatch.learn.evaluate import split_by_worker, write_report
    from skillmatch.learn.training import compare_models, training_data

    rec = Recommender.load(args.bundle)
    log = _read_log(args.interactions, rec)
    split = split_by_worker(log, test_size=args.test_size, random_state=args.seed)
    results = compare_models(
        rec, split.train, split.test, name="bundle", progress=not args.no_progress
    )
    if args.report is not None:
        test = training_data(rec, split.test)
        scores = {"bundle": np.asarray(rec.ranker_.predict(test.X), dtype=np.float64)}
        path = write_report(results, args.report, scores=scores)
        print(f"report written to {path}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(results.to_dict("records"), indent=1))
    else:
        print(overall_table(results).round(4).to_string())
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interactions",
        type=Path,
        required=True,
        help="interaction log (Parquet), as written by skillmatch simulate",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        help="share of workers held out for evaluation (0.2)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def register(sub: Any) -> None:
    """Add the ``train`` and ``evaluate`` subcommands to ``sub`` (argparse subparsers)."""
    train = sub.add_parser("train", help="learn the ranker from an interaction log")
    _common(train)
    train.add_argument("--out", type=Path, required=True, help="bundle directory to write")
    train.add_argument("--base", type=Path, help="bundle whose catalogue to use (default one)")
    train.add_argument(
        "--truth-check",
        type=int,
        default=0,
        metavar="N",
        help="simulated data only: judge full-catalogue rankings of N fresh simulated workers "
        "by the simulator's hidden utility and add the table to the model card (0: off)",
    )
    train.add_argument(
        "--world-seed",
        type=int,
        default=0,
        help="world of the simulated log, for --truth-check (0)",
    )
    train.add_argument("--max-iter", type=int, default=300, help="boosting iterations (300)")
    train.set_defaults(func=_train)

    evaluate = sub.add_parser("evaluate", help="compare a bundle with baselines on a log")
    _common(evaluate)
    evaluate.add_argument("--bundle", type=Path, required=True)
    evaluate.add_argument("--format", choices=("table", "json"), default="table")
    evaluate.add_argument("--report", type=Path, help="write report.md and plots here")
    evaluate.set_defaults(func=_evaluate)
