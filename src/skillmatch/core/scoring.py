"""Ranking blocks of workers into flat top-k arrays: the path batch and engines share.

:func:`rank_block` ranks one block of workers against the catalogue (region by region: a
program not offered in a worker's region is never eligible), and :func:`score_arrays` ranks any
number of validated workers in memory-bounded blocks, returning flat
:class:`ScoredArrays` in input order. :class:`Scorer` is the typed interface the batch layer
uses; :class:`~skillmatch.core.recommend.Recommender` implements it.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.core.blocks import WorkerBlock, region_columns
from skillmatch.core.columns import WorkerColumns
from skillmatch.core.features import FEATURE_NAMES, FeatureBuilder
from skillmatch.core.rank import Ranker
from skillmatch.core.reasons import reason_patterns
from skillmatch.core.topk import TopK, check_k, top_k
from skillmatch.text import TextEncoder

__all__ = [
    "SCORE_COLUMNS",
    "Ranked",
    "ScoredArrays",
    "Scorer",
    "rank_block",
    "score_arrays",
    "scored_frame",
]

#: Columns of :meth:`Recommender.score_frame` and :func:`scored_frame`.
SCORE_COLUMNS: tuple[str, ...] = ("worker_id", "rank", "program_id", "score", "reason_codes")
#: Cells (workers x programs x features) computed at once; bounds memory in batch.
BLOCK_CELLS = 8_000_000


class Ranked(NamedTuple):
    """Top-k of one block of workers, with feature values and reason-code patterns.

    Attributes
    ----------
    block : WorkerBlock
    top : TopK
        Catalogue indices (-1 past the last eligible program) and scores, ``(n_workers, k)``.
    values, contributions : ndarray of shape (n_workers, k, n_features)
    patterns : list of tuple of str
        Distinct reason-code tuples.
    pattern_of : ndarray of shape (n_workers * k,)
        Row-major index into ``patterns``.
    """

    block: WorkerBlock
    top: TopK
    values: NDArray[np.float32]
    contributions: NDArray[np.float32]
    patterns: list[tuple[str, ...]]
    pattern_of: NDArray[np.int64]


class ScoredArrays(NamedTuple):
    """Top-k rows of a batch of workers as flat arrays (one entry per recommendation).

    ``reason_codes`` of row ``i`` is ``patterns[pattern_of[i]]``: a few distinct tuples
    cover any number of rows. ``worker`` is the position of the row's worker in the input.
    """

    worker_id: NDArray[np.object_]
    rank: NDArray[np.int32]
    program_index: NDArray[np.int64]
    score: NDArray[np.float32]
    pattern_of: NDArray[np.int64]
    patterns: list[tuple[str, ...]]
    worker: NDArray[np.int64]


class Scorer(Protocol):
    """What the batch runner and the engine adapters need from a recommender."""

    @property
    def program_ids(self) -> list[str]:
        """Catalogue program ids; ``ScoredArrays.program_index`` indexes this list."""
        ...

    @property
    def text_encoder(self) -> TextEncoder:
        """The encoder of the vocabulary (new text is embedded with it)."""
        ...

    def fingerprint(self) -> str:
        """sha256 identifying what the scores depend on."""
        ...

    def score_arrays(self, workers: WorkerColumns, k: int = 10) -> ScoredArrays:
        """Top-``k`` of validated workers as flat arrays, in input order."""
        ...

    def score_columns(self, workers: WorkerColumns, k: int = 10) -> pd.DataFrame:
        """Top-``k`` of validated workers as a frame of :data:`SCORE_COLUMNS`."""
        ...


def rank_block(
    fb: FeatureBuilder,
    ranker: Ranker,
    workers: WorkerColumns | WorkerBlock,
    k: int,
    allowed: NDArray[np.bool_],
) -> Ranked:
    """Rank one block of workers against the programs ``allowed`` (a mask over the catalogue)."""
    block = workers if isinstance(workers, WorkerBlock) else fb.block(workers)
    n, n_features = block.n_workers, len(FEATURE_NAMES)
    index = np.full((n, k), -1, dtype=np.int64)
    score = np.full((n, k), np.nan, dtype=np.float32)
    values = np.zeros((n, k, n_features), dtype=np.float32)
    # A program not offered in a worker's region is never eligible, so each region's
    # workers are ranked against that region's programs only (same top-k, fewer cells).
    for region in np.unique(block.region):
        view = fb.region_view(int(region))
        if not len(view.cols):
            continue
        rows = np.flatnonzero(block.region == region)
        sub = block if len(rows) == n else block.take(rows)
        feats = fb.compute(sub, view)
        top = top_k(ranker.predict(feats.values), feats.eligible & allowed[view.cols], k)
        safe = np.maximum(top.index, 0)
        found = feats.values[np.arange(len(rows))[:, None], safe]
        at = np.where(top.index >= 0, view.cols[safe], -1)
        if len(rows) == n:  # one region (batch blocks are): no scatter
            values, index, score = found, at, top.score
        else:
            values[rows], index[rows], score[rows] = found, at, top.score
    contributions = ranker.contributions(values)
    has_required = fb.catalogue_.n_required[np.maximum(index, 0)] > 0
    patterns, pattern_of = reason_patterns(
        values.reshape(-1, n_features),
        contributions.reshape(-1, n_features),
        has_required.ravel(),
        fb.goal_named(block, index).ravel(),
    )
    return Ranked(block, TopK(index, score), values, contributions, patterns, pattern_of)


def _block_arrays(
    fb: FeatureBuilder,
    ranker: Ranker,
    workers: WorkerColumns,
    k: int,
    allowed: NDArray[np.bool_],
) -> ScoredArrays:
    ranked = rank_block(fb, ranker, workers, k, allowed)
    index = ranked.top.index.ravel()
    keep = index >= 0
    return ScoredArrays(
        worker_id=np.repeat(workers.worker_id, k)[keep],
        rank=np.tile(np.arange(1, k + 1, dtype=np.int32), len(workers))[keep],
        program_index=index[keep],
        score=ranked.top.score.ravel()[keep],
        pattern_of=ranked.pattern_of[keep],
        patterns=ranked.patterns,
        worker=np.repeat(np.arange(len(workers), dtype=np.int64), k)[keep],
    )


def score_arrays(
    fb: FeatureBuilder, ranker: Ranker, workers: WorkerColumns, k: int = 10
) -> ScoredArrays:
    """Rank validated workers in blocks of one region each, about :data:`BLOCK_CELLS` feature
    cells per block; rows come back in input order."""
    k = check_k(k)
    allowed = np.ones(fb.catalogue_.n_programs, dtype=bool)
    region = region_columns(workers, fb.catalogue_)
    order = np.argsort(region, kind="stable")
    grouped = workers.take(order) if (np.diff(order) != 1).any() else workers
    starts = np.flatnonzero(np.diff(region[order], prepend=-1, append=-1))
    parts, first = [], []
    for lo, hi in zip(starts[:-1], starts[1:], strict=True):
        n_cols = len(fb.region_view(int(region[order[lo]])).cols)
        step = max(1, BLOCK_CELLS // max(1, n_cols * len(FEATURE_NAMES)))
        for i in range(int(lo), int(hi), step):
            block = grouped.slice(i, min(i + step, hi))
            parts.append(_block_arrays(fb, ranker, block, k, allowed))
            first.append(i)
    # back to input order: a stable sort on each row's input position keeps ranks in order
    position = [order[i + p.worker] for i, p in zip(first, parts, strict=True)]
    return _merged(parts, position)


def _merged(parts: list[ScoredArrays], position: list[NDArray[np.int64]]) -> ScoredArrays:
    """Concatenate block results, merge their pattern lists and restore input order."""
    patterns: dict[tuple[str, ...], int] = {}
    pattern_of = []
    for part in parts:
        remap = np.array(
            [patterns.setdefault(p, len(patterns)) for p in part.patterns], dtype=np.int64
        )
        pattern_of.append(remap[part.pattern_of] if len(remap) else part.pattern_of)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return ScoredArrays(
            np.zeros(0, dtype=object), np.zeros(0, np.int32), empty,
            np.zeros(0, np.float32), empty, [], empty,
        )  # fmt: skip
    back = np.argsort(np.concatenate(position), kind="stable")
    return ScoredArrays(
        worker_id=np.concatenate([p.worker_id for p in parts])[back],
        rank=np.concatenate([p.rank for p in parts])[back],
        program_index=np.concatenate([p.program_index for p in parts])[back],
        score=np.concatenate([p.score for p in parts])[back],
        pattern_of=np.concatenate(pattern_of)[back],
        patterns=list(patterns),
        worker=np.concatenate(position)[back],
    )


def scored_frame(scored: ScoredArrays, program_ids: list[str]) -> pd.DataFrame:
    """:class:`ScoredArrays` as a frame of :data:`SCORE_COLUMNS`."""
    codes = np.empty(len(scored.patterns), dtype=object)
    for i, c in enumerate(scored.patterns):  # a tuple per cell (slice assignment unpacks)
        codes[i] = c
    ids = np.asarray(program_ids, dtype=object)
    return pd.DataFrame(
        {
            "worker_id": scored.worker_id,
            "rank": scored.rank,
            "program_id": ids[scored.program_index],
            "score": scored.score,
            "reason_codes": codes[scored.pattern_of],
        }
    )
