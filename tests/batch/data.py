"""Sizes, damaged rows and frame helpers shared by the batch tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from skillmatch.batch import OUTPUT_COLUMNS

#: Workers of the local runner's tests (``population``).
N_WORKERS = 600
#: Workers of the engine tests (``workers_dir``: three files of 150) and their ``k``.
N_CLEAN, K = 450, 5

# -- bad rows: three files of 24, 20 and 16 workers (Spark orders files largest first) ---------
SIZES = (24, 20, 16)
#: input row -> (damaged column, new value, or ("dup", row whose worker_id it repeats))
DAMAGE: dict[int, tuple[str, Any]] = {
    3: ("education", "phd"),
    7: ("weekly_hours", -1.0),
    10: ("dup", 5),  # duplicate within a partition
    20: ("worker_id", None),
    30: ("dup", 2),  # duplicate across partitions
    45: ("certificates", '{"trade": "welder", "level": 3}'),  # an object, not a list
    50: ("dup", 3),  # repeats an invalid row: both are quarantined
    55: ("dup", 40),  # repeats with surrounding whitespace
}
#: The first damaged row of each input file: a partition that raises names one of them.
FIRST_BAD_ROWS = (3, 30, 45)


def read_scores(out_dir: Path) -> pd.DataFrame:
    """The local runner's score parts, ``reason_codes`` as tuples, by worker and rank."""
    frame = pd.read_parquet(out_dir / "scores")
    frame["reason_codes"] = [tuple(c) for c in frame["reason_codes"]]
    return frame.sort_values(["worker_id", "rank"], ignore_index=True)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores of any engine in one form: int32 ranks, float32 scores, tuples of reasons."""
    frame = frame[list(OUTPUT_COLUMNS)].copy()
    frame["reason_codes"] = [tuple(c) for c in frame["reason_codes"]]
    frame["rank"] = frame["rank"].astype("int32")
    frame["score"] = frame["score"].astype("float32")
    return frame.sort_values(["worker_id", "rank"], ignore_index=True)


def records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    """Rows as dicts, every missing value None (NaN and None compare equal then)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
