"""Batch operator: score a simulated worker population, resume after a crash, read the output.

    HF_HUB_OFFLINE=1 python examples/batch_score_population.py --workers 20000

The same run from the shell: ``skillmatch simulate --workers 20000 --out workers.parquet``, then
``skillmatch score --workers workers.parquet --out scores/ --k 10`` (add ``--resume`` after an
interruption).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from skillmatch.batch import score_file
from skillmatch.core.recommend import Recommender
from skillmatch.simulate import make_world, write_population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=None, help="output directory (a temp dir)")
    args = parser.parse_args()

    world = make_world(seed=0)
    rec = Recommender.load()  # the default bundle (simulated world of seed 0), verified
    root = args.out or Path(tempfile.mkdtemp(prefix="skillmatch-batch-"))
    root.mkdir(parents=True, exist_ok=True)
    workers = root / "workers.parquet"
    write_population(world, args.workers, workers, seed=0)

    summary = score_file(workers, root / "scores", recommender=rec, k=10, chunk_size=5_000)
    print(summary.format())
    # Running again with resume=True re-verifies every part and skips them all.
    again = score_file(
        workers,
        root / "scores",
        recommender=rec,
        k=10,
        chunk_size=5_000,
        resume=True,
        progress=False,
    )
    print(f"resumed: {again.n_parts_skipped} of {again.n_parts} parts already complete")

    top = pd.read_parquet(root / "scores" / "scores")
    print(top[top["rank"] == 1].head(5).to_string(index=False))
    quarantine = pd.read_parquet(root / "scores" / "quarantine.parquet")
    print(f"{len(quarantine)} rows quarantined")


if __name__ == "__main__":
    main()
