"""Step functions of the learned ranker: boosting, tree read-out and the lookup grid.

:class:`~skillmatch.core.rank.LearnedRanker` fits additive boosted trees (one feature per
tree) and exports them as one step function per feature; :class:`Grid` looks those steps up
in constant time. Private to :mod:`skillmatch.core`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["GRID", "Grid", "boost", "grids", "group_weights", "step_functions"]


#: Cells of the lookup grid over [0, 1] (a power of two, so ``x * GRID`` is exact).
GRID = 1 << 14


class Grid:
    """Step function ``v[count of cuts < x]`` of one feature, looked up on a uniform grid.

    Cell 0 holds ``x == 0`` alone and cell ``c >= 1`` covers ``((c - 1) / GRID, c / GRID]``
    (``c = ceil(x * GRID)``). Unless a cut lies strictly inside a cell, every ``x`` in it has
    the same step, read from a table; a cut exactly on a cell edge (a cut at 0 below a mass of
    values clipped to 0, say) does not matter. Values in the few cells that hold a cut, and
    planes with values outside [0, 1] (or NaN), are searched exactly, so the result equals
    ``v[searchsorted(cuts, x)]`` for every ``x``.
    """

    def __init__(self, thresholds: NDArray[np.float64], values: NDArray[np.float64]) -> None:
        cuts = thresholds.astype(np.float32)
        above = cuts.astype(np.float64) > thresholds
        cuts[above] = np.nextafter(cuts[above], np.float32(-np.inf))
        self.cuts = cuts
        self.values = values
        edges = (np.arange(GRID + 1, dtype=np.float64) / GRID).astype(np.float32)
        # x in (edge[c-1], edge[c]]: no cut strictly inside -> count = #cuts <= edge[c-1]
        at_or_below = np.searchsorted(cuts, edges, side="right")
        below = np.searchsorted(cuts, edges, side="left")
        count = np.concatenate([below[:1], at_or_below[:-1]])
        self.mixed = np.concatenate([[False], at_or_below[:-1] != below[1:]])
        # NaN marks a cell with a cut inside (step values are finite): one gather, then the
        # few NaNs are searched, instead of a second gather of a mask
        self.table = np.where(self.mixed, np.nan, values[count])
        self.has_mixed = bool(self.mixed.any())

    def lookup(self, x: NDArray[np.float32]) -> NDArray[np.float64]:
        if len(self.cuts) == 0:
            return np.broadcast_to(self.values[0], x.shape)
        if x.size == 0 or not (x.min() >= 0.0 and x.max() <= 1.0):  # also False with a NaN
            return self.values[np.searchsorted(self.cuts, x, side="left")]
        cell = np.ceil(x * np.float32(GRID)).astype(np.intp)
        out: NDArray[np.float64] = np.take(self.table, cell)
        if self.has_mixed:
            mixed = np.isnan(out)
            if mixed.any():
                out[mixed] = self.values[np.searchsorted(self.cuts, x[mixed], side="left")]
        return out


def grids(thresholds: list[NDArray[np.float64]], values: list[NDArray[np.float64]]) -> list[Grid]:
    return [Grid(t, v) for t, v in zip(thresholds, values, strict=True)]


def boost(
    model: Any,
    X: NDArray[Any],
    y: NDArray[Any],
    weight: NDArray[Any] | None,
    max_iter: int,
    progress: bool,
) -> None:
    """Fit, in warm-started steps of 20 iterations under a progress bar when asked."""
    if not progress:
        model.fit(X, y, sample_weight=weight)
        return
    from tqdm.auto import tqdm

    with tqdm(total=max_iter, desc="boosting", unit="iter") as bar:
        for stop in range(20, max_iter + 20, 20):
            model.set_params(max_iter=min(stop, max_iter))
            model.fit(X, y, sample_weight=weight)
            bar.update(model.n_iter_ - bar.n)


def group_weights(groups: NDArray[Any] | None, n: int) -> NDArray[np.float64] | None:
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise ValueError(f"groups must have shape ({n},), got {groups.shape}")
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def _tree_at(nodes: NDArray[Any], points: NDArray[np.float64], feature: int) -> NDArray[np.float64]:
    """Evaluate one single-feature tree at ``points`` (values of ``feature``)."""
    node = np.zeros(len(points), dtype=np.int64)
    while True:
        leaf = nodes["is_leaf"][node].astype(bool)
        if leaf.all():
            return np.asarray(nodes["value"][node], dtype=np.float64)
        go_left = points <= nodes["num_threshold"][node]
        child = np.where(go_left, nodes["left"][node], nodes["right"][node])
        node = np.where(leaf, node, child).astype(np.int64)


def step_functions(
    model: Any, n_features: int
) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]], float]:
    """Per-feature step functions of an additive (no-interaction) boosted model."""
    per_feature: list[list[NDArray[Any]]] = [[] for _ in range(n_features)]
    baseline = float(np.ravel(model._baseline_prediction)[0])
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        split = nodes[~nodes["is_leaf"].astype(bool)]
        if len(split) == 0:
            baseline += float(nodes["value"][0])
            continue
        features = np.unique(split["feature_idx"])
        if len(features) != 1:
            raise RuntimeError("a tree of a no-interaction model splits on several features")
        per_feature[int(features[0])].append(nodes)
    thresholds, values = [], []
    for f, trees in enumerate(per_feature):
        cuts = (
            np.unique(
                np.concatenate([t["num_threshold"][~t["is_leaf"].astype(bool)] for t in trees])
            )
            if trees
            else np.zeros(0)
        )
        points = np.append(cuts, np.inf)  # x = cut_i lies in step i; +inf in the last step
        total = np.zeros(len(points), dtype=np.float64)
        for nodes in trees:
            total += _tree_at(nodes, points, f)
        thresholds.append(cuts.astype(np.float64))
        values.append(total)
    return thresholds, values, baseline
