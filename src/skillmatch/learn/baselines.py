"""Baselines a learned ranker must beat, scored over logged impressions.

* :class:`PopularityBaseline` — programs ranked by how often workers enrolled in them in the
  training log (what a platform shows before it knows anything about the worker);
* :class:`BM25Baseline` — BM25 (``bm25s``) of the worker's text (skills, occupation, goal)
  against program text (title, description, skills taught), tokenised as lower-cased Latin
  words plus CJK characters and character bigrams;
* :func:`embedding_ranker` — the sentence-embedding cosine alone (the ``semantic_fit``
  feature), i.e. "encode and compare";
* :class:`~skillmatch.core.rank.LinearRanker` with its default weights.

Each baseline returns a run: ``worker_id, program_id, score`` for the impressions of a log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from skillmatch.core import FEATURE_NAMES, LinearRanker
from skillmatch.errors import MissingDependencyError
from skillmatch.schema import Program, Worker
from skillmatch.text import normalize_text

__all__ = ["BM25Baseline", "PopularityBaseline", "embedding_ranker", "tokenize"]

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[0-9a-z\u00c0-\u024f+#]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def tokenize(text: str) -> list[str]:
    """Latin words, and CJK characters plus bigrams.

    Examples
    --------
    >>> tokenize("PLC编程 for robots")
    ['plc', '编', '程', '编程', 'for', 'robots']
    """
    tokens: list[str] = []
    for run in _TOKEN.findall(normalize_text(text)):
        if _CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def _run(log: pd.DataFrame, score: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "worker_id": log["worker_id"].to_numpy(),
            "program_id": log["program_id"].to_numpy(),
            "score": np.asarray(score, dtype=np.float64),
        }
    )


class PopularityBaseline:
    """Score = number of enrolments (relevance >= 2) of the program in the training log.

    Examples
    --------
    >>> train = pd.DataFrame({"worker_id": ["a", "b", "c"], "program_id": ["p", "p", "q"],
    ...                       "relevance": [2, 3, 1]})
    >>> PopularityBaseline().fit(train).run(train)["score"].tolist()
    [2.0, 2.0, 0.0]
    """

    def fit(self, log: pd.DataFrame) -> PopularityBaseline:
        enrolled = log.loc[log["relevance"] >= 2, "program_id"]
        self.counts_ = enrolled.value_counts().astype(np.float64)
        return self

    def run(self, log: pd.DataFrame) -> pd.DataFrame:
        score = log["program_id"].map(self.counts_).fillna(0.0).to_numpy()
        return _run(log, score)


def _worker_text(worker: Worker) -> str:
    return " ".join([*(s.text for s in worker.skills), worker.occupation, worker.goal or ""])


def _program_text(program: Program) -> str:
    return " ".join([program.title, program.description, *(s.text for s in program.skills_taught)])


class BM25Baseline:
    """BM25 of worker text against program text (``bm25s``, default k1 and b)."""

    def fit(self, programs: Sequence[Program]) -> BM25Baseline:
        try:
            import bm25s
        except ImportError as exc:  # pragma: no cover - in the dev extra
            raise MissingDependencyError(
                'the BM25 baseline needs bm25s: pip install "skillmatch[dev]"'
            ) from exc
        self.index_ = {p.program_id: i for i, p in enumerate(programs)}
        self.model_ = bm25s.BM25()
        self.model_.index([tokenize(_program_text(p)) for p in programs], show_progress=False)
        return self

    def run(self, log: pd.DataFrame, workers: Sequence[Worker]) -> pd.DataFrame:
        """Score the impressions of ``log``; ``workers`` are its distinct workers."""
        scores: dict[str, np.ndarray] = {}
        for worker in workers:
            scores[worker.worker_id] = self.model_.get_scores(tokenize(_worker_text(worker)))
        column = log["program_id"].map(self.index_).to_numpy()
        score = [scores[w][c] for w, c in zip(log["worker_id"], column, strict=True)]
        return _run(log, np.asarray(score))


def embedding_ranker() -> LinearRanker:
    """A :class:`LinearRanker` that uses only ``semantic_fit`` (embedding cosine)."""
    return LinearRanker(weights={n: 0.0 for n in FEATURE_NAMES if n != "semantic_fit"})
