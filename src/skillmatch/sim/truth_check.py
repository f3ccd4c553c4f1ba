"""Full-catalogue rankings judged by the simulator's hidden utility.

Offline metrics over logged impressions only re-rank what a logging policy chose to show, so
they cannot see a model that ranks the whole catalogue badly. On simulated data the truth is
known: :func:`truth_check` ranks every eligible program for fresh simulated workers with each
model and scores the top-k lists by the hidden utility (see :mod:`skillmatch.sim.interactions`),
next to the oracle that ranks by the utility itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.core import catalogue_digest, check_k, columns_from_frame, top_k
from skillmatch.sim.truth import build_truth, hidden_utility

if TYPE_CHECKING:
    from skillmatch.core import Recommender, WorkerColumns
    from skillmatch.sim.world import World

__all__ = ["TRUTH_CHECK_COLUMNS", "truth_check"]

#: Columns of :func:`truth_check`'s table.
TRUTH_CHECK_COLUMNS: tuple[str, ...] = (
    "model",
    "true_utility_at_k",
    "true_ndcg_at_k",
    "distinct_programs_at_k",
    "distinct_top1",
    "top1_share_of_most_common",
)

FloatArray = NDArray[np.float64]


def truth_check(
    models: Mapping[str, Recommender],
    world: World,
    *,
    n_workers: int = 2_000,
    seed: int = 77,
    k: int = 10,
) -> pd.DataFrame:
    """Judge full-catalogue top-``k`` lists of each model by the hidden utility.

    Parameters
    ----------
    models : mapping of str to Recommender
        Fitted recommenders over ``world``'s catalogue.
    world : World
        The simulated world the models serve.
    n_workers, seed : int
        Fresh simulated workers (use a seed no training log used).
    k : int, default=10

    Returns
    -------
    DataFrame
        One row per model plus ``"oracle"`` (ranks by the utility) and ``"random"``, columns
        :data:`TRUTH_CHECK_COLUMNS`: mean utility of the top-k programs, NDCG@k with gains
        ``utility - worst eligible utility`` of each worker, distinct programs over all lists,
        distinct top-1 programs, and the share of workers whose top-1 is the most common one.

    Examples
    --------
    >>> from skillmatch.core import Recommender
    >>> from skillmatch.sim.world import make_world
    >>> world = make_world(0)
    >>> table = truth_check({"linear": Recommender.from_world(world)}, world, n_workers=50)
    >>> list(table["model"])  # doctest: +SKIP
    ['linear', 'oracle', 'random']
    """
    k = check_k(k)
    columns, utility = _fresh_workers(world, n_workers, seed)
    expected = catalogue_digest(world.programs)
    rows = []
    eligible = None
    for name, rec in models.items():
        scores, eligible = _scores(name, rec, columns, expected)
        rows.append(_row(name, scores, eligible, utility, k))
    if eligible is not None:
        rows += _reference_rows(utility, eligible, seed, k)
    return pd.DataFrame(rows, columns=list(TRUTH_CHECK_COLUMNS))


def _fresh_workers(world: World, n_workers: int, seed: int) -> tuple[WorkerColumns, FloatArray]:
    """Validated columns of the simulated workers and their (n_workers, n_programs) utility."""
    from skillmatch.sim.population import make_population, population_truth

    frame = next(make_population(world, n_workers, seed=seed, chunk_size=n_workers))
    truth = next(population_truth(world, n_workers, seed=seed, chunk_size=n_workers))
    utility = hidden_utility(build_truth(world), frame, truth).total()
    return columns_from_frame(frame).columns, utility


def _scores(
    name: str, rec: Recommender, columns: WorkerColumns, expected: str
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Scores of every (worker, program) pair under ``rec``, and the eligibility mask."""
    fb = rec.fitted_features()
    # ids alone do not tell catalogues apart: every simulated world has a p000001
    if catalogue_digest(fb.catalogue_.programs) != expected:
        raise ValueError(f"model {name!r} does not serve this world's catalogue")
    feats = fb.compute(fb.block(columns))
    scores = np.asarray(rec.ranker_.predict(feats.values), dtype=np.float32)
    return scores, feats.eligible


def _reference_rows(
    utility: FloatArray, eligible: NDArray[np.bool_], seed: int, k: int
) -> list[dict[str, object]]:
    """Rows of the oracle (ranks by the utility itself) and of a random ranking."""
    noise = np.random.default_rng(seed).random(utility.shape, dtype=np.float32)
    return [
        _row("oracle", utility.astype(np.float32), eligible, utility, k),
        _row("random", noise, eligible, utility, k),
    ]


def _row(
    name: str,
    scores: NDArray[np.float32],
    eligible: NDArray[np.bool_],
    utility: FloatArray,
    k: int,
) -> dict[str, object]:
    """One row of the table: ``scores``' top-``k`` lists judged by ``utility``."""
    n = len(utility)
    top = top_k(scores, eligible, k).index
    valid = top >= 0
    got = np.where(valid, utility[np.arange(n)[:, None], np.maximum(top, 0)], np.nan)
    ideal = -np.sort(-np.where(eligible, utility, -np.inf), axis=1)[:, :k]
    worst = np.where(eligible, utility, np.inf).min(axis=1, keepdims=True)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (np.nan_to_num(got - worst) * discount).sum(axis=1)
    idcg = (np.where(np.isfinite(ideal), ideal - worst, 0.0) * discount).sum(axis=1)
    first = top[:, 0][top[:, 0] >= 0]
    _, counts = np.unique(first, return_counts=True)
    return {
        "model": name,
        "true_utility_at_k": float(np.nanmean(got)) if valid.any() else float("nan"),
        "true_ndcg_at_k": float(np.mean(dcg / np.maximum(idcg, 1e-12))),
        "distinct_programs_at_k": int(len(np.unique(top[valid]))),
        "distinct_top1": int(len(counts)),
        "top1_share_of_most_common": float(counts.max() / n) if len(counts) else 0.0,
    }
