"""The simulator's truth check of bundles, with and without the hidden utility's goal term.

Ranks every eligible program of the shipped world for 2,000 fresh simulated workers with each
bundle's ranker (and the default linear one) and scores the top 10 by the hidden utility
(:func:`skillmatch.sim.truth_check`), once with the utility's ``goal`` term at its weight and
once without it, so a bundle trained before the term existed can be compared on both truths.
Prints one table per utility. Example::

    HF_HUB_OFFLINE=1 python benchmarks/bench_truth.py shipped=models/default old=/tmp/old-bundle
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from skillmatch import Recommender
from skillmatch.sim import make_world, truth_check
from skillmatch.sim import truth as sim_truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundles", nargs="+", help="NAME=DIR of each bundle to judge")
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--world-seed", type=int, default=0)
    args = parser.parse_args(argv)
    world = make_world(seed=args.world_seed)
    models = {
        name: Recommender.load(path) for name, path in (b.split("=", 1) for b in args.bundles)
    }
    models["linear"] = Recommender.from_world(world)
    weight = sim_truth.TERM_WEIGHTS["goal"]
    try:
        for label, w in (("with the goal term", weight), ("without the goal term", 0.0)):
            sim_truth.TERM_WEIGHTS["goal"] = w
            table = truth_check(models, world, n_workers=args.workers)
            print(f"hidden utility {label} (goal weight {w}):")
            print(
                table[["model", "true_ndcg_at_k", "true_utility_at_k"]]
                .round(3)
                .to_string(index=False)
            )
    finally:
        sim_truth.TERM_WEIGHTS["goal"] = weight
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
