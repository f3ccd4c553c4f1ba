"""The fast method's price search: the smoothed dual, minimised by L-BFGS-B.

The dual ``D`` of :mod:`skillmatch.allocate.fast` is convex but piecewise linear, and the
subgradient method crawls on it when demand is concentrated (lists scored by a real model:
many programs are never full, and a max-cardinality seat target makes the optimum
degenerate). Replacing each worker's ``max(0, max_a r_a)`` by
``tau * log(1 + sum_a exp(r_a / tau))`` gives a smooth convex upper bound ``D_tau`` with an
exact gradient (:func:`~skillmatch.allocate.dual.best_response` with ``tau > 0``), which
L-BFGS-B minimises over the ~300 prices with their sign constraints in tens of steps. The
temperature falls level by level (warm starts), and the certified bound is always the
exact ``D`` at the prices found, never ``D_tau``.

Two things keep the steps cheap at population scale:

* a **sample** level first: on a stride sample of the workers (with capacities scaled and
  the sample's own seat target) the prices are found at a fraction of the cost, and they
  already land near the population's, because prices clear markets of many workers;
* a **working set** on the full population: each worker's ``m`` arcs of largest reduced
  value at the start of a level (an arc far below a worker's best weighs ``exp(-gap/tau)``
  in the smoothed response, nothing); only the exact bound reads every arc.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate._target import seat_target
>>> from skillmatch.allocate._arcs import arc_block
>>> from skillmatch.allocate.problem import AllocationProblem
>>> problem = AllocationProblem(
...     worker_ids=["a", "b", "c"], program_ids=["p1", "p2"], capacity=np.array([1, 1]),
...     arc_worker=np.array([0, 0, 1, 2]), arc_program=np.array([0, 1, 0, 0]),
...     arc_score=np.array([0.9, 0.8, 0.7, 0.95]), arc_rank=np.array([1, 2, 1, 1]),
...     arc_aid=np.zeros(4))
>>> target = seat_target(problem)
>>> found = smooth_prices(problem, target, arc_block(problem).block)
>>> round(found.bound, 3)  # the optimum: c -> p1 (0.95), a -> p2 (0.8)
1.75
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from skillmatch.allocate._arcs import arc_block
from skillmatch.allocate._target import SeatTarget, seat_target
from skillmatch.allocate.dual import (
    CHUNK,
    ArcBlock,
    Prices,
    Response,
    _reduced_rows,
    best_response,
)
from skillmatch.allocate.problem import AllocationProblem, InfeasibleAllocationError

__all__ = ["SampleStart", "SmoothResult", "sample_start", "smooth_prices", "working_set"]

#: Workers in the sample level, when the population has at least ``SAMPLE_FROM`` of them.
SAMPLE_SIZE = 250_000
SAMPLE_FROM = 2 * SAMPLE_SIZE
#: Arcs per worker kept in the working set, when the problem has more than ``WORKING_FROM``.
WORKING_ARCS = 3
WORKING_FROM = 4_000_000
#: (temperature relative to the typical best score, L-BFGS-B iterations) per level.
SAMPLE_LEVELS = ((0.015, 60), (0.005, 30))
FULL_LEVELS = ((0.003, 20), (0.001, 20))

#: Computes the (smoothed, for ``tau > 0``) response of the whole population at prices.
RunFunction = Callable[[Prices, float], Response]


@dataclass(frozen=True)
class SmoothResult:
    """Prices found, the exact dual bound ``D`` at them, and the response evaluations."""

    prices: Prices
    bound: float
    evaluations: int
    scale: float  # the typical best score; the temperatures are relative to it


@dataclass(frozen=True)
class _Dual:
    """The variables ``x = (pi, mu, nu, y)`` of one problem (``y = lam * unit``)."""

    capacity: NDArray[np.float64]
    quotas: NDArray[np.float64]
    n_seats: float
    budget: float | None
    unit: float

    @property
    def n_programs(self) -> int:
        return int(self.capacity.size)

    def prices(self, x: NDArray[np.float64]) -> Prices:
        p, g = self.n_programs, self.quotas.size
        aid = float(x[p + g + 1]) / self.unit if self.budget is not None else 0.0
        return Prices(
            np.maximum(x[:p], 0.0), np.maximum(x[p : p + g], 0.0), float(x[p + g]), max(aid, 0.0)
        )

    def zeros(self) -> NDArray[np.float64]:
        """All prices at zero."""
        return np.zeros(self.n_programs + self.quotas.size + 2)

    def bounds(self) -> list[tuple[float | None, float | None]]:
        groups = [(0.0, None) if q > 0 else (0.0, 0.0) for q in self.quotas]
        aid = (0.0, None) if self.budget is not None else (0.0, 0.0)
        return [(0.0, None)] * self.n_programs + groups + [(None, None), aid]

    def value(self, resp: Response, prices: Prices) -> float:
        budget = self.budget if self.budget is not None else 0.0
        return float(
            resp.value
            + prices.program @ self.capacity
            - prices.group @ self.quotas
            - prices.seat * self.n_seats
            + prices.aid * budget
        )

    def gradient(self, resp: Response) -> NDArray[np.float64]:
        budget = self.budget if self.budget is not None else 0.0
        aid = (budget - resp.aid) / self.unit if self.budget is not None else 0.0
        return np.concatenate(
            [
                self.capacity - np.asarray(resp.load, dtype=np.float64),
                np.asarray(resp.group_count, dtype=np.float64) - self.quotas,
                [float(resp.n_taking) - self.n_seats, aid],
            ]
        )


def _dual_of(problem: AllocationProblem, target: SeatTarget) -> _Dual:
    budget = problem.budget
    return _Dual(
        capacity=problem.capacity.astype(np.float64),
        quotas=np.asarray(target.quotas, dtype=np.float64),
        n_seats=float(target.n_seats),
        budget=budget,
        unit=(budget / max(target.n_seats, 1)) if budget else 1.0,
    )


def _minimise(
    dual: _Dual,
    run: RunFunction,
    x: NDArray[np.float64],
    levels: tuple[tuple[float, int], ...],
    scale: float,
    tick: Callable[[], None],
) -> tuple[NDArray[np.float64], int]:
    """L-BFGS-B on ``D_tau`` level by level, warm-started; the last point and the evaluations."""
    calls = 0

    def objective(x: NDArray[np.float64], tau: float) -> tuple[float, NDArray[np.float64]]:
        nonlocal calls
        calls += 1
        tick()
        prices = dual.prices(x)
        resp = run(prices, tau)
        return dual.value(resp, prices), dual.gradient(resp)

    for relative, iterations in levels:
        found = minimize(
            objective,
            x,
            args=(relative * scale,),
            jac=True,
            method="L-BFGS-B",
            bounds=dual.bounds(),
            options={"maxiter": iterations, "maxfun": 2 * iterations, "maxcor": 50},
        )
        x = np.asarray(found.x, dtype=np.float64)
    return x, calls


def _score_scale(block: ArcBlock) -> float:
    """The typical best score of a worker (the temperatures are relative to it)."""
    top = block.score[:, 0] if block.score.shape[1] else np.zeros(0)
    top = top[np.isfinite(top)]
    typical = float(np.median(np.abs(top))) if top.size else 1.0
    return max(typical, 1e-9)  # a temperature of 0 (or subnormal) would divide by zero


def _sample(problem: AllocationProblem, size: int) -> AllocationProblem:
    """Every ``n // size``-th worker with their arcs, capacities scaled by the fraction."""
    stride = problem.n_workers // size
    keep = np.zeros(problem.n_workers, dtype=bool)
    keep[::stride] = True
    arcs = np.flatnonzero(keep[problem.arc_worker])
    new_index = np.cumsum(keep, dtype=np.int64) - 1
    fraction = int(keep.sum()) / problem.n_workers
    return AllocationProblem(
        worker_ids=np.asarray(problem.worker_ids)[keep],
        program_ids=problem.program_ids,
        capacity=np.round(problem.capacity * fraction).astype(np.int64),
        arc_worker=new_index[problem.arc_worker[arcs]].astype(np.int32),
        arc_program=problem.arc_program[arcs],
        arc_score=problem.arc_score[arcs],
        arc_rank=problem.arc_rank[arcs],
        arc_aid=problem.arc_aid[arcs],
        seats=None if problem.seats is None else round(problem.seats * fraction),
        budget=None if problem.budget is None else problem.budget * fraction,
        groups=problem.groups,
        members=problem.members_matrix()[keep],
    )


def working_set(block: ArcBlock, prices: Prices, m: int) -> ArcBlock:
    """Each worker's ``m`` arcs of largest reduced value at ``prices``, as a block."""
    n = block.score.shape[0]
    program = np.empty((n, m), dtype=block.program.dtype)
    score = np.empty((n, m), dtype=block.score.dtype)
    aid = None if block.aid is None else np.empty((n, m), dtype=block.aid.dtype)
    for start in range(0, n, CHUNK):
        rows = slice(start, start + CHUNK)
        r = _reduced_rows(block, prices, rows)
        cols = np.argpartition(-r, m - 1, axis=1)[:, :m]
        program[rows] = np.take_along_axis(block.program[rows], cols, axis=1)
        score[rows] = np.take_along_axis(block.score[rows], cols, axis=1)
        if aid is not None and block.aid is not None:
            aid[rows] = np.take_along_axis(block.aid[rows], cols, axis=1)
    return ArcBlock(program, score, aid, block.bits)


class SampleStart(NamedTuple):
    """The sample level's result: prices in the sample's units, and what it cost."""

    x: NDArray[np.float64]
    unit: float  # the sample's aid unit (CNY per seat of its own target)
    evaluations: int


def sample_start(
    problem: AllocationProblem, block: ArcBlock, *, tick: Callable[[], None] = lambda: None
) -> SampleStart | None:
    """The sample level of :func:`smooth_prices`: prices of a stride sample of the workers.

    None when the problem is small enough to be its own sample, or when the sample cannot
    meet a share the population can (the population then starts from zero prices). It needs
    neither the population's seat target nor its dual, so
    :func:`~skillmatch.allocate.fast.solve_fast` runs it while the population's seat target
    is computed.
    """
    if problem.n_workers < SAMPLE_FROM:
        return None
    sample = _sample(problem, SAMPLE_SIZE)
    try:
        target = seat_target(sample)
    except InfeasibleAllocationError:
        return None
    dual = _dual_of(sample, target)
    run = _on(arc_block(sample).block)
    x, calls = _minimise(dual, run, dual.zeros(), SAMPLE_LEVELS, _score_scale(block), tick)
    return SampleStart(x, dual.unit, calls)


def smooth_prices(
    problem: AllocationProblem,
    target: SeatTarget,
    block: ArcBlock,
    run: RunFunction | None = None,
    *,
    tick: Callable[[], None] = lambda: None,
    start: SampleStart | None | Literal["compute"] = "compute",
) -> SmoothResult:
    """Prices from the smoothed dual and the exact bound ``D`` at them.

    Parameters
    ----------
    problem, target : the problem and its seat target.
    block : ArcBlock
        The problem's arcs (:func:`skillmatch.allocate.fast.arc_block`).
    run : callable, optional
        ``run(prices, tau)``: the summed response over the whole population (e.g. a Spark
        step); default in memory, on a working set of each worker's best arcs.
    tick : callable
        Called once per response evaluation (a progress bar).
    start : SampleStart, None or "compute", default="compute"
        The sample level's result (:func:`sample_start`) if already computed; "compute":
        compute it here.
    """
    dual = _dual_of(problem, target)
    scale = _score_scale(block)
    evaluations = 0
    x = dual.zeros()
    if isinstance(start, str):  # "compute"
        start = sample_start(problem, block, tick=tick)
    if isinstance(start, SampleStart):
        # the sample's prices, in the population's units (the aid price per CNY is the same)
        x = start.x.copy()
        x[-1] *= dual.unit / start.unit
        evaluations += start.evaluations
    in_memory = run is None
    full: RunFunction = run if run is not None else _on(block)
    levels: tuple[tuple[float, int], ...] = FULL_LEVELS
    if problem.n_workers < SAMPLE_FROM:  # small enough to be its own sample
        levels = SAMPLE_LEVELS + FULL_LEVELS
    for level in levels:
        step = full
        if in_memory and problem.n_arcs > WORKING_FROM and block.score.shape[1] > WORKING_ARCS:
            step = _on(working_set(block, dual.prices(x), WORKING_ARCS))
        x, calls = _minimise(dual, step, x, (level,), scale, tick)
        evaluations += calls
    prices = dual.prices(x)
    bound = dual.value(full(prices, 0.0), prices)
    return SmoothResult(prices, bound, evaluations + 1, scale)


def _on(block: ArcBlock) -> RunFunction:
    """The in-memory response over ``block``."""

    def run(prices: Prices, tau: float) -> Response:
        return best_response(block, prices, tau)

    return run
