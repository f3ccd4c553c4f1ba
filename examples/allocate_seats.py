"""Batch operator: score a simulated population, then allocate the funded seats.

    HF_HUB_OFFLINE=1 python examples/allocate_seats.py --workers 20000

The same from the shell: ``skillmatch simulate --workers 20000 --out workers.parquet``,
``skillmatch score --workers workers.parquet --out scores/``, then
``skillmatch allocate --scores scores/ --workers workers.parquet --out alloc/ --seats 5000``.
Every constraint is hard: program capacity, the seat cap, and at least 2/3 of the funded
seats for migrant workers (the default share).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from skillmatch.allocate import allocate, parse_min_share
from skillmatch.batch import score_file
from skillmatch.core.recommend import Recommender
from skillmatch.simulate import make_world, write_population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--seats", type=int, default=None, help="seat cap (a quarter of them)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (a temp dir)")
    args = parser.parse_args()

    root = args.out or Path(tempfile.mkdtemp(prefix="skillmatch-allocate-"))
    root.mkdir(parents=True, exist_ok=True)
    workers = root / "workers.parquet"
    write_population(make_world(seed=0), args.workers, workers, seed=0)
    rec = Recommender.load()  # the bundle the scores and the capacities come from
    score_file(workers, root / "scores", recommender=rec, k=10, progress=False)

    seats = args.seats or args.workers // 4
    run = allocate(
        root / "scores",
        workers,
        root / "alloc",
        seats=seats,
        min_shares=[parse_min_share("migrant=0.667")],
        progress=False,
    )
    s = run.summary
    print(f"{s['n_funded']:,} of {seats:,} seats funded ({s['method']})")
    print(f"total fit {s['objective']:.1f}")
    print(f"constraint violations: {s['violations']}")
    for group in s["groups"]:
        print(group)
    funded = pd.read_parquet(root / "alloc" / "allocation.parquet")
    print(funded.head(5).to_string(index=False))
    print(f"report: {root / 'alloc' / 'report.md'}")


if __name__ == "__main__":
    main()
