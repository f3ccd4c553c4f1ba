"""Funded-seat allocation: capacities, group shares, seats and an aid budget, all hard.

Turns population-wide rankings (the output of ``skillmatch score``) into funded seats with the
most total fit the constraints allow. :func:`solve_exact` is exact (OR-Tools min-cost flow with
group supply nodes); :func:`solve_fast` is a dual (price) method (a smoothed dual minimised by
L-BFGS-B, the close calls solved exactly, a repair) with a certified gap, whose per-evaluation
step also runs on Spark (:mod:`skillmatch.allocate.spark`).
:func:`allocate` reads the files, solves, and writes the outputs and the report.
"""

from __future__ import annotations

from skillmatch.allocate.dual import ArcBlock, Prices, Response, best_response, response_frame
from skillmatch.allocate.exact import solve_exact
from skillmatch.allocate.fast import StepFunction, arc_block, solve_fast
from skillmatch.allocate.inputs import (
    QUARANTINE_COLUMNS,
    ProblemInputs,
    problem_from_frames,
)
from skillmatch.allocate.problem import (
    AllocationProblem,
    GroupShare,
    InfeasibleAllocationError,
    parse_min_share,
)
from skillmatch.allocate.report import write_report
from skillmatch.allocate.result import UNFUNDED_REASONS, Allocation, unfunded_reasons
from skillmatch.allocate.run import DEFAULT_MIN_SHARES, AllocationRun, allocate, quota_prices, solve
from skillmatch.allocate.summary import ALLOCATION_COLUMNS, UNFUNDED_COLUMNS

__all__ = [
    "ALLOCATION_COLUMNS",
    "DEFAULT_MIN_SHARES",
    "QUARANTINE_COLUMNS",
    "UNFUNDED_COLUMNS",
    "UNFUNDED_REASONS",
    "Allocation",
    "AllocationProblem",
    "AllocationRun",
    "ArcBlock",
    "GroupShare",
    "InfeasibleAllocationError",
    "Prices",
    "ProblemInputs",
    "Response",
    "StepFunction",
    "allocate",
    "arc_block",
    "best_response",
    "parse_min_share",
    "problem_from_frames",
    "quota_prices",
    "response_frame",
    "solve",
    "solve_exact",
    "solve_fast",
    "unfunded_reasons",
    "write_report",
]
