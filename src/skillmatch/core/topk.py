"""Exact, deterministic top-k over rows of scores.

Ties are broken by the lower column index, and the result does not depend on how rows are
grouped into blocks, so one worker online and a million in batch get the same order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

_INDEX_BITS = 24  # up to 16.7 million programs


class TopK(NamedTuple):
    """Column indices (``-1`` pads rows with fewer than k candidates) and their scores."""

    index: NDArray[np.int64]  # type: ignore[assignment]  # shadows tuple.index on purpose
    score: NDArray[np.float32]


def check_k(k: object) -> int:
    """Validate a cut-off ``k`` (an int >= 1)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got k={k!r}")
    return int(k)


def _sort_keys(scores: NDArray[np.float32], allowed: NDArray[np.bool_]) -> NDArray[np.int64]:
    """One unique int64 key per cell: higher score first, then lower column index."""
    # + 0.0 turns -0.0 into +0.0 so that the two zeros tie
    bits = (np.ascontiguousarray(scores, dtype=np.float32) + np.float32(0.0)).view(np.uint32)
    flip = np.where(bits >> 31 == 1, np.uint32(0xFFFFFFFF), np.uint32(0x80000000))
    ordered = (bits ^ flip).astype(np.int64)  # monotone in the float value
    n_cols = scores.shape[1]
    tie = (np.int64(1) << _INDEX_BITS) - 1 - np.arange(n_cols, dtype=np.int64)
    keys = (ordered << _INDEX_BITS) | tie
    return np.where(allowed & ~np.isnan(scores), keys, np.int64(-1))


def top_k(scores: NDArray[np.float32], allowed: NDArray[np.bool_], k: int) -> TopK:
    """Best ``k`` allowed columns of each row of ``scores`` (shape (n_rows, n_cols)).

    Examples
    --------
    >>> s = np.array([[0.2, 0.9, 0.9, 0.1]], dtype=np.float32)
    >>> top_k(s, np.array([[True, True, True, False]]), 3).index.tolist()
    [[1, 2, 0]]
    """
    n_rows, n_cols = scores.shape
    if n_cols >= 1 << _INDEX_BITS:
        raise ValueError(f"at most {1 << _INDEX_BITS} programs are supported, got {n_cols}")
    keys = _sort_keys(scores, allowed)
    kk = min(k, n_cols)
    if kk == 0:
        empty = np.zeros((n_rows, k), dtype=np.int64) - 1
        return TopK(empty, np.full((n_rows, k), np.nan, dtype=np.float32))
    part = (
        np.argpartition(-keys, kk - 1, axis=1)[:, :kk]
        if kk < n_cols
        else (np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy())
    )
    part_keys = np.take_along_axis(keys, part, axis=1)
    order = np.argsort(-part_keys, axis=1, kind="stable")
    index = np.take_along_axis(part, order, axis=1)
    valid = np.take_along_axis(part_keys, order, axis=1) >= 0
    index = np.where(valid, index, -1)
    score = np.where(valid, np.take_along_axis(scores, np.maximum(index, 0), axis=1), np.nan)
    if kk < k:
        pad = k - kk
        index = np.pad(index, ((0, 0), (0, pad)), constant_values=-1)
        score = np.pad(score, ((0, 0), (0, pad)), constant_values=np.nan)
    return TopK(index.astype(np.int64), score.astype(np.float32))
