"""Duplicate ``worker_id`` detection across a whole batch run, in 16 bytes per worker.

The first input row that carries a ``worker_id`` owns it; every later row with the same id
(after the whitespace stripping that :class:`~skillmatch.schema.Worker` applies) is a duplicate.
Ids are kept as 64-bit hashes with the row that first used them, in a few sorted NumPy runs
merged like a binary counter, so 3 million workers cost about 48 MB instead of the ~400 MB of
a Python dict. Two different ids collide with probability about ``n**2 / 2**65`` (3e-7 for
3 million ids); a collision sends a row to the quarantine (never drops it), and the quarantine
names the earlier row so that it can be checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

__all__ = ["SeenIds"]

_HASH_KEY = "skillmatch-dedup"  # 16 bytes: a fixed key keeps hashes stable across runs


class SeenIds:
    """The worker ids seen so far in a run and the input row where each first appeared.

    Examples
    --------
    >>> import pyarrow as pa
    >>> seen = SeenIds()
    >>> seen.mark(pa.array(["a", "b", " a", None, "b"]), start=0).tolist()
    [-1, -1, 0, -1, 1]
    >>> seen.mark(pa.array(["c", "b"]), start=5).tolist()
    [-1, 1]
    """

    def __init__(self) -> None:
        self._runs: list[tuple[NDArray[np.uint64], NDArray[np.int64]]] = []

    def __len__(self) -> int:
        return sum(len(h) for h, _ in self._runs)

    def mark(self, ids: pa.Array | pa.ChunkedArray, start: int) -> NDArray[np.int64]:
        """Record the ids of input rows ``start, start + 1, ...``; for each row return the row
        where its id was first seen, or -1 if this row is the first (or has no id)."""
        text = pc.utf8_trim_whitespace(pc.cast(ids, pa.string()))
        valid = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)
        values = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        rows = np.arange(start, start + len(values), dtype=np.int64)
        hashes = np.zeros(len(values), dtype=np.uint64)
        if valid.any():
            hashes[valid] = pd.util.hash_array(values[valid], hash_key=_HASH_KEY, categorize=False)
        first = np.full(len(values), -1, dtype=np.int64)
        # rows by hash (ties: row order); sorted queries walk each run in order, with far
        # fewer cache misses than random ones (the runs hold millions of hashes)
        by_hash = np.argsort(hashes, kind="stable")
        query = hashes[by_hash]
        for run_hashes, run_rows in self._runs:
            pos = np.minimum(np.searchsorted(run_hashes, query), len(run_hashes) - 1)
            found = run_hashes[pos] == query
            at = by_hash[found]
            take = valid[at] & (first[at] < 0)
            first[at[take]] = run_rows[pos[found][take]]
        new = valid & (first < 0)
        order = by_hash[new[by_hash]]
        sorted_hashes = hashes[order]
        repeat = np.zeros(len(order), dtype=bool)
        repeat[1:] = sorted_hashes[1:] == sorted_hashes[:-1]
        owner = np.maximum.accumulate(np.where(~repeat, np.arange(len(order)), 0))
        first[order[repeat]] = rows[order[owner[repeat]]]
        keep = order[~repeat]
        if len(keep):
            self._push(hashes[keep], rows[keep])
        return first

    def _push(self, hashes: NDArray[np.uint64], rows: NDArray[np.int64]) -> None:
        self._runs.append((hashes, rows))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (h1, r1), (h2, r2) = self._runs.pop(), self._runs.pop()
            h, r = np.concatenate([h2, h1]), np.concatenate([r2, r1])
            order = np.argsort(h, kind="stable")
            self._runs.append((h[order], r[order]))
