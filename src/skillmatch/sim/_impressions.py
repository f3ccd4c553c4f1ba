"""What each simulated worker is shown, and what they do with it.

Private to :mod:`skillmatch.sim.interactions`, whose docstring documents the logging policy,
the hidden utility and the outcome model. This module holds the three moving parts:

* the random draws of a block of 4,096 workers (:func:`draw_block`), read chunk by chunk
  through a :class:`DrawCache`;
* the shown lists of the logging policies (:func:`shown`): the recommender's ranking and
  random eligible programs, interleaved in seeded slots;
* the outcome model (:func:`outcomes`): click, enrolment and completion, each a Bernoulli
  draw given the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.core import top_k
from skillmatch.sim._draws import BLOCK_SIZE
from skillmatch.sim.truth import Utility

__all__ = [
    "CLICK_BIAS",
    "COMPLETE_BIAS",
    "ENROL_BIAS",
    "NOISE",
    "STREAM",
    "DrawCache",
    "Draws",
    "Outcomes",
    "Policy",
    "draw_block",
    "outcomes",
    "shown",
]

Policy = Literal["mixed", "random"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Third entry of the block seed: keeps interaction draws apart from the population's.
STREAM = 0x1A7E
#: Scale of the standard normal utility noise drawn per (worker, program) pair.
NOISE = 0.7
#: Intercepts of the click, enrolment and completion logits.
CLICK_BIAS, ENROL_BIAS, COMPLETE_BIAS = -2.4, -4.1, -0.3


# -- random draws ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Draws:
    """Random draws of a run of workers (row ``i`` is the run's ``i``-th worker).

    Attributes
    ----------
    arrival : ndarray of shape (n_workers,)
        Jitter within the worker's arrival slot.
    pick : ndarray of shape (n_workers, n_programs)
        Sort keys of the random picks (world catalogue order).
    slots : ndarray of shape (n_workers, k)
        Sort keys of the slot shuffle.
    noise : ndarray of shape (n_workers, n_programs)
        Standard normal utility noise per pair.
    outcome : ndarray of shape (n_workers, k, 3)
        Uniforms of the click, enrol and complete draws per slot.
    """

    arrival: FloatArray
    pick: FloatArray
    slots: FloatArray
    noise: FloatArray
    outcome: FloatArray

    def rows(self, a: int, z: int) -> Draws:
        """Rows ``a..z`` of every field."""
        return Draws(
            self.arrival[a:z], self.pick[a:z], self.slots[a:z], self.noise[a:z], self.outcome[a:z]
        )


def draw_block(seed: int, block: int, n_programs: int, k: int) -> Draws:
    """All draws of workers ``block * BLOCK_SIZE .. (block + 1) * BLOCK_SIZE - 1``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, block, STREAM]))
    b = BLOCK_SIZE
    return Draws(
        arrival=rng.random(b),
        pick=rng.random((b, n_programs)),
        slots=rng.random((b, k)),
        noise=rng.standard_normal((b, n_programs)),
        outcome=rng.random((b, k, 3)),
    )


def _concat(parts: list[Draws]) -> Draws:
    return Draws(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Draws)))


class DrawCache:
    """Rows ``lo..hi`` of the per-block draws, keeping the last block for the next chunk."""

    def __init__(self, seed: int, n_programs: int, k: int) -> None:
        self._args = (seed, n_programs, k)
        self._block = -1
        self._draws: Draws | None = None

    def _get(self, block: int) -> Draws:
        if self._draws is None or block != self._block:
            seed, n_programs, k = self._args
            self._draws, self._block = draw_block(seed, block, n_programs, k), block
        return self._draws

    def rows(self, lo: int, hi: int) -> Draws:
        """Draws of workers ``lo .. hi - 1``, whatever blocks they span."""
        parts = []
        for block in range(lo // BLOCK_SIZE, (hi - 1) // BLOCK_SIZE + 1):
            start = block * BLOCK_SIZE
            a, z = max(lo, start) - start, min(hi, start + BLOCK_SIZE) - start
            parts.append(self._get(block).rows(a, z))
        return _concat(parts)


# -- the logging policy ---------------------------------------------------------------------
def shown(
    scores: NDArray[np.float32],
    eligible: BoolArray,
    pick: FloatArray,
    slots: FloatArray,
    k: int,
    policy: Policy,
) -> IntArray:
    """(B, k) recommender columns shown at positions 1..k, ``-1`` after the last one.

    ``"mixed"`` fills half the slots (rounded up) with the recommender's ranking,
    ``"random"`` none; random eligible programs fill the others.
    """
    n_rank = (k + 1) // 2 if policy == "mixed" else 0
    ranked = _ranked(scores, eligible, n_rank)
    randoms = _random_picks(eligible, pick, ranked, k - n_rank)
    return _interleave(ranked, randoms, slots, k)


def _ranked(scores: NDArray[np.float32], eligible: BoolArray, n_rank: int) -> IntArray:
    """(B, n_rank) the recommender's best eligible columns, ``-1`` padded."""
    if n_rank:
        return top_k(scores, eligible, n_rank).index
    return np.zeros((eligible.shape[0], 0), np.int64)


def _random_picks(eligible: BoolArray, pick: FloatArray, ranked: IntArray, n: int) -> IntArray:
    """(B, n) random eligible columns not already ranked, in pick order, ``-1`` padded."""
    keys = np.where(eligible, pick, np.inf)
    r, c = np.nonzero(ranked >= 0)
    keys[r, ranked[r, c]] = np.inf
    order = np.argsort(keys, axis=1, kind="stable")[:, :n]
    return np.where(np.isfinite(np.take_along_axis(keys, order, axis=1)), order, -1)


def _interleave(ranked: IntArray, randoms: IntArray, slots: FloatArray, k: int) -> IntArray:
    """Each source in its own order, in seeded slots; the shown columns moved to the front."""
    n_rows, n_rank = ranked.shape
    from_ranker = np.zeros((n_rows, k), dtype=bool)
    np.put_along_axis(from_ranker, np.argsort(slots, axis=1)[:, :n_rank], True, axis=1)
    merged = np.empty((n_rows, k), dtype=np.int64)
    merged[from_ranker] = ranked.ravel()
    merged[~from_ranker] = randoms.ravel()
    compact = np.argsort(merged < 0, axis=1, kind="stable")
    return np.take_along_axis(merged, compact, axis=1)


# -- the outcome model ----------------------------------------------------------------------
class Outcomes(NamedTuple):
    """Position (1-based) and outcome flags of each impression."""

    position: IntArray
    clicked: BoolArray
    enrolled: BoolArray
    completed: BoolArray


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def outcomes(util: Utility, w: IntArray, p: IntArray, slot: IntArray, draws: Draws) -> Outcomes:
    """Outcomes of the impressions of workers ``w`` and world programs ``p`` in ``slot``."""
    utility = util.total()[w, p] + NOISE * draws.noise[w, p]
    position = slot.astype(np.int64) + 1
    u = draws.outcome[w, slot]
    ready = util.readiness[w, p]
    click = u[:, 0] < _sigmoid(CLICK_BIAS + utility) / np.log2(position + 1.0)
    enrol = click & (u[:, 1] < _sigmoid(ENROL_BIAS + utility + 2.0 * (ready - 0.5)))
    persist = (
        COMPLETE_BIAS
        + 3.0 * (ready - 0.5)
        + 2.5 * (util.motivation[w] - 0.5)
        - 2.0 * util.conflict[w, p]
        + 0.8 * util.sponsored[w, p]
    )
    return Outcomes(position, click, enrol, enrol & (u[:, 2] < _sigmoid(persist)))
