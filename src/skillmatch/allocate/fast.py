"""Fast allocation: a dual (price) method with an exact polish, a repair and a certified gap.

The capacities, the shares, the seat target and the budget are relaxed with prices (see
:mod:`skillmatch.allocate.dual`). The dual function::

    D = sum_w max(0, max_a r_a) + pi . capacity - mu . quota - nu * n_seats + lam * budget

is an upper bound on the best total fit for any ``pi, mu, lam >= 0`` and any ``nu``.
:func:`solve_fast` runs in four steps:

1. **Prices** (:mod:`skillmatch.allocate._smooth`): L-BFGS-B on a smoothed ``D`` (each
   worker's max becomes a log-sum-exp at a falling temperature), first on a stride sample of
   the workers, then on the whole population (a working set of each worker's best arcs).
   The per-evaluation step is :func:`~skillmatch.allocate.dual.best_response` with
   ``tau > 0``, the step that also runs on Spark. The certified bound is the exact ``D`` at
   the prices found.
2. **Polish** (:mod:`skillmatch.allocate._polish`, when min-cost flow is exact for the
   problem: no budget, disjoint groups): workers with a clear best option at those prices
   keep it; the close calls are solved exactly by min-cost flow.
3. **Repair** (:mod:`skillmatch.allocate._repair`): the seats and quotas still missing are
   funded along augmenting paths (:mod:`skillmatch.allocate._paths`), moving funded workers
   along their lists; ``info["n_augmented"]`` counts those seats. Without a polish, greedy
   proposals ordered by reduced value come first.
4. If the certified gap ``(D - total fit) / D`` is still above ``tol``: projected
   subgradient steps with a Polyak step from those prices, repairing every
   ``repair_every`` iterations.

With no budget and at most one share the repair always reaches the seat target. With
several shares the phases are tried in each group order; only if none meets every share,
or if the aid budget blocks every path, does the exact solver finish the job, with
``info["repair"] = "exact_fallback"``.

Examples
--------
>>> import numpy as np
>>> from skillmatch.allocate.problem import AllocationProblem
>>> problem = AllocationProblem(
...     worker_ids=["a", "b", "c"], program_ids=["p1", "p2"], capacity=np.array([1, 1]),
...     arc_worker=np.array([0, 0, 1, 2]), arc_program=np.array([0, 1, 0, 0]),
...     arc_score=np.array([0.9, 0.8, 0.7, 0.95]), arc_rank=np.array([1, 2, 1, 1]),
...     arc_aid=np.zeros(4))
>>> result = solve_fast(problem)
>>> result.objective <= result.bound, result.violations(problem)
(True, [])
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from tqdm.auto import tqdm

from skillmatch.allocate._arcs import DenseArcs, arc_block
from skillmatch.allocate._polish import polish
from skillmatch.allocate._repair import RepairState, repair
from skillmatch.allocate._smooth import SmoothResult, sample_start, smooth_prices
from skillmatch.allocate._target import SeatTarget, seat_target
from skillmatch.allocate.dual import ArcBlock, Prices, Response, best_response, reduced_values
from skillmatch.allocate.exact import is_network, solve_exact
from skillmatch.allocate.problem import AllocationProblem
from skillmatch.allocate.result import Allocation

__all__ = ["DenseArcs", "StepFunction", "arc_block", "solve_fast"]

#: Workers whose best option beats their second by more than this (relative to the typical
#: best score) keep it in the polished allocation; the rest are solved exactly.
POLISH_MARGIN = 0.01

#: The per-iteration step: ``step(prices, tau=0.0)`` -> the summed response (smoothed for
#: ``tau > 0``), in memory or as a Spark job.
StepFunction = Callable[..., Response]


@dataclass(frozen=True)
class _Dense:
    arcs: DenseArcs
    aid_unit: float  # the budget constraint's subgradient is measured in seats' worth of aid

    @property
    def block(self) -> ArcBlock:
        return self.arcs.block


def solve_fast(
    problem: AllocationProblem,
    *,
    tol: float = 1e-3,
    max_iter: int = 200,
    repair_every: int = 10,
    step: StepFunction | None = None,
    progress: bool = False,
) -> Allocation:
    """An allocation within a certified gap of the optimum (see the module docstring).

    Parameters
    ----------
    problem : AllocationProblem
    tol : float, default=1e-3
        Stop when the certified relative gap is at most ``tol``.
    max_iter : int, default=200
        Most subgradient iterations after the smoothed search (step 4), if its gap is
        still above ``tol``.
    repair_every : int, default=10
        Subgradient iterations between repairs.
    step : callable, optional
        ``step(prices, tau=0.0)``: the summed (smoothed, for ``tau > 0``) :class:`Response`
        of the whole population, e.g. :func:`skillmatch.allocate.spark.spark_step`;
        default: in memory.
    progress : bool, default=False
        Show a tqdm progress bar.
    """
    problem.check()
    arcs = arc_block(problem)
    with (
        tqdm(desc="allocate (fast): prices", unit="eval", disable=not progress) as bar,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        # the sample's prices need neither the population's seat target nor its dual: on a
        # second core while the seat target's max flow runs (2.8 s of 30 s at 3 M workers)
        sample = pool.submit(sample_start, problem, arcs.block, tick=lambda: bar.update(1))
        target = seat_target(problem)
        budget = problem.budget
        dense = _Dense(arcs, (budget / max(target.n_seats, 1)) if budget else 1.0)
        smooth = smooth_prices(
            problem, target, dense.block, step, tick=lambda: bar.update(1), start=sample.result()
        )
    block = dense.block
    run = step if step is not None else (lambda prices, tau=0.0: best_response(block, prices, tau))
    search = _Search(smooth.prices, smooth.bound)
    r = reduced_values(block, smooth.prices)  # shared by the polish and the repair
    search.best = _polish(problem, dense, target, smooth, r)
    if search.best is None:
        search.best = _repair(problem, dense, target, smooth.prices, smooth.bound, r)
    if not search.gap_closed(tol):
        search = _iterate(
            problem, dense, target, run, (tol, max_iter, repair_every), progress, search
        )
    info = {
        "evaluations": smooth.evaluations,
        "iterations": search.iterations,
        "n_reachable": target.n_reachable,
        "limited_by": target.limited_by,
    }
    if search.best is None:  # the repair missed a share (several), or the budget blocked it
        exact = solve_exact(problem)
        funded, bound = exact.funded, exact.bound
        info.update(exact.info, repair="exact_fallback")
    else:
        funded, bound = search.best.funded, search.bound
        start = "polish" if search.best.info.get("polished") else "greedy"
        info.update(
            repair=f"{start}+paths" if search.best.info["n_augmented"] else start,
            n_augmented=search.best.info["n_augmented"],
        )
    return Allocation.from_arcs(
        problem,
        funded,
        method="fast",
        n_seats=target.n_seats,
        quotas=target.quotas,
        bound=bound,
        info=info,
    )


@dataclass
class _Search:
    """State of the price search: current prices, best dual bound, best feasible primal."""

    prices: Prices
    bound: float = float("inf")
    best: Allocation | None = None
    iterations: int = 0

    def gap_closed(self, tol: float) -> bool:
        if self.best is None:
            return False
        return self.bound - self.best.objective <= tol * max(abs(self.bound), 1e-12)


def _dual_value(
    resp: Response, prices: Prices, problem: AllocationProblem, target: SeatTarget, budget: float
) -> float:
    quotas = np.asarray(target.quotas, dtype=np.float64)
    return float(
        resp.value
        + prices.program @ problem.capacity
        - prices.group @ quotas
        - prices.seat * target.n_seats
        + prices.aid * budget
    )


def _iterate(
    problem: AllocationProblem,
    dense: _Dense,
    target: SeatTarget,
    run: StepFunction,
    limits: tuple[float, int, int],
    progress: bool,
    search: _Search,
) -> _Search:
    """Subgradient steps on the prices from ``search`` until the gap closes or ``max_iter``
    runs out."""
    tol, max_iter, repair_every = limits
    budget = problem.budget if problem.budget is not None else 0.0
    theta, stall = 1.0, 0
    with tqdm(total=max_iter, desc="allocate (fast)", unit="iter", disable=not progress) as bar:
        for it in range(max_iter):
            search.iterations = it + 1
            if it % repair_every == 0 and it > 0:
                found = _repair(problem, dense, target, search.prices, search.bound)
                search.best = _better(search.best, found)
                if search.best is None and it > 0:
                    return search  # the repair misses twice: the exact solver finishes
            resp = run(search.prices)
            d = _dual_value(resp, search.prices, problem, target, budget)
            stall = 0 if d < search.bound else stall + 1
            search.bound = min(search.bound, d)
            if stall >= 20:  # halving sooner (after 5) stalls on real, unsaturated lists
                theta, stall = max(theta / 2, 1e-3), 0
            bar.update(1)
            if search.gap_closed(tol):
                return search
            primal = search.best.objective if search.best is not None else -np.inf
            moved = _move(search.prices, resp, problem, target, dense.aid_unit, theta, d, primal)
            if moved is None:
                break
            search.prices = moved
    found = _repair(problem, dense, target, search.prices, search.bound)
    search.best = _better(search.best, found)
    return search


def _move(
    prices: Prices,
    resp: Response,
    problem: AllocationProblem,
    target: SeatTarget,
    unit: float,
    theta: float,
    d: float,
    primal: float,
) -> Prices | None:
    """One projected subgradient step with a Polyak step length; None at a zero gradient.

    The aid price moves in units of ``unit`` CNY (the budget per seat), so that the budget's
    subgradient is on the scale of the seat counts.
    """
    # projected subgradient: a price at 0 that would fall further does not move, so its
    # slack (a program with seats to spare) must not shrink the step of the others
    g_pi = np.where(
        (prices.program <= 0) & (problem.capacity > resp.load), 0.0, problem.capacity - resp.load
    )
    g_mu = resp.group_count - np.asarray(target.quotas, dtype=np.float64)
    g_mu = np.where((prices.group <= 0) & (g_mu > 0), 0.0, g_mu)
    g_nu = float(resp.n_taking - target.n_seats)
    g_lam = ((problem.budget - resp.aid) / unit) if problem.budget is not None else 0.0
    g_lam = 0.0 if prices.aid <= 0 and g_lam > 0 else g_lam
    norm = float(g_pi @ g_pi + g_mu @ g_mu + g_nu**2 + g_lam**2)
    if norm == 0.0:
        return None
    goal = primal if np.isfinite(primal) else 0.9 * d
    t = theta * max(d - goal, 1e-9 * max(abs(d), 1.0)) / norm
    return Prices(
        program=np.maximum(prices.program - t * g_pi, 0.0),
        group=np.maximum(prices.group - t * g_mu, 0.0),
        seat=prices.seat - t * g_nu,
        aid=max(prices.aid * unit - t * g_lam, 0.0) / unit if problem.budget is not None else 0.0,
    )


def _repair(
    problem: AllocationProblem,
    dense: _Dense,
    target: SeatTarget,
    prices: Prices,
    bound: float,
    r: NDArray[np.float32] | None = None,
) -> Allocation | None:
    """A feasible allocation from ``prices`` (``r``: their reduced values, if already
    computed), or None if the repair cannot meet every constraint (several shares, or the
    budget)."""
    r = reduced_values(dense.block, prices) if r is None else r
    budget = problem.budget if problem.budget is not None else np.inf
    active = [g for g, q in enumerate(target.quotas) if q > 0]
    orders = [active[i:] + active[:i] for i in range(max(len(active), 1))]
    for order in orders:  # one share: one order; several: each group first in turn
        state = repair(dense.block, r, problem.capacity, budget, _phases(problem, target, order))
        result = _from_state(problem, dense, target, state, bound)
        if not result.violations(problem):
            return result
    return None


def _polish(
    problem: AllocationProblem,
    dense: _Dense,
    target: SeatTarget,
    smooth: SmoothResult,
    r: NDArray[np.float32],
) -> Allocation | None:
    """The close calls at the smoothed prices (reduced values ``r``) solved exactly
    (:mod:`._polish`) and the seats completed by the repair, when min-cost flow is exact for
    the problem."""
    if not is_network(problem, target.quotas):
        return None
    margin = POLISH_MARGIN * smooth.scale
    choice = polish(problem, dense.block, dense.arcs.starts, target, r, margin)
    if choice is None:
        return None
    phases = _phases(problem, target, [g for g, q in enumerate(target.quotas) if q > 0])
    state = repair(dense.block, r, problem.capacity, np.inf, phases, choice)
    result = _from_state(problem, dense, target, state, smooth.bound, polished=True)
    return None if result.violations(problem) else result


def _phases(
    problem: AllocationProblem, target: SeatTarget, order: list[int]
) -> list[tuple[NDArray[np.bool_], int]]:
    members = problem.members_matrix()
    phases = [(members[:, g], target.quotas[g]) for g in order]
    phases.append((np.ones(problem.n_workers, dtype=bool), target.n_seats))
    return phases


def _from_state(
    problem: AllocationProblem,
    dense: _Dense,
    target: SeatTarget,
    state: RepairState,
    bound: float,
    *,
    polished: bool = False,
) -> Allocation:
    workers = np.flatnonzero(state.choice >= 0)
    funded = dense.arcs.starts[workers] + state.choice[workers]
    return Allocation.from_arcs(
        problem,
        funded,
        method="fast",
        n_seats=target.n_seats,
        quotas=target.quotas,
        bound=bound,
        info={"n_augmented": state.n_augmented, "polished": polished},
    )


def _better(a: Allocation | None, b: Allocation | None) -> Allocation | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.objective > a.objective else a
