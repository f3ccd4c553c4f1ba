"""The per-iteration step of the fast (dual) method: every worker's best arc at given prices.

The step is a pure function of a block of workers and the current prices, and its result
sums over blocks, so the same :func:`best_response` runs on the whole population in memory
or, through :func:`response_frame`, on every partition of a Spark DataFrame
(``mapInPandas``) whose results the driver adds up.

At prices ``pi`` (per program), ``mu`` (per group), ``nu`` (per seat) and ``lam`` (per unit
of aid), the reduced value of arc ``a`` of worker ``w`` to program ``p`` is::

    r_a = score_a - pi_p + sum(mu_g for g containing w) + nu - lam * aid_a

and a worker takes their arc of largest ``r_a`` if it is positive (ties: the better rank).

Examples
--------
>>> import numpy as np
>>> block = ArcBlock(program=np.array([[0, 1], [0, 0]]),
...                  score=np.array([[0.9, 0.8], [0.7, -np.inf]]),
...                  aid=np.zeros((2, 2)), bits=np.array([0, 1]))
>>> prices = Prices(program=np.array([0.2, 0.0]), group=np.array([0.1]), seat=0.0, aid=0.0)
>>> r = best_response(block, prices)
>>> r.load.tolist(), r.group_count.tolist(), r.n_taking, round(r.value, 6)
([1, 1], [1], 2, 1.4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["RESPONSE_SCHEMA", "ArcBlock", "Prices", "Response", "best_response", "response_frame"]

#: Spark DDL schema of :func:`response_frame`'s output.
RESPONSE_SCHEMA = "kind string, index long, value double"


#: Workers per slice in the price step: keeps the float64 temporaries to a few MB each.
CHUNK = 1 << 17


@dataclass(frozen=True)
class ArcBlock:
    """Candidate arcs of a block of workers, one row per worker, padded to ``k`` columns.

    ``program`` (int32) and ``score`` (float32, or float64) have shape (n_workers, k)
    (padding: any program, score -inf); ``aid`` likewise, or None when aid is not tracked (no
    budget: the response's ``aid`` is then 0); ``bits`` (n_workers,) holds each worker's
    groups as bits. Scores are promoted to float64 before any sum, so the dual bound is a
    float64 sum of the stored values either way.
    """

    program: NDArray[np.int32]
    score: NDArray[np.floating[Any]]
    aid: NDArray[np.floating[Any]] | None
    bits: NDArray[np.int64]


@dataclass(frozen=True)
class Prices:
    """Dual prices: per program, per group, per seat and per unit of aid."""

    program: NDArray[np.float64]
    group: NDArray[np.float64]
    seat: float
    aid: float


@dataclass(frozen=True)
class Response:
    """What the workers demand at given prices (sums over blocks add up).

    ``value`` is ``sum(max(0, max_a r_a))`` over workers, the price-free part of the dual.
    """

    load: NDArray[np.int64]
    group_count: NDArray[np.int64]
    n_taking: int
    aid: float
    value: float

    def __add__(self, other: Response) -> Response:
        return Response(
            self.load + other.load,
            self.group_count + other.group_count,
            self.n_taking + other.n_taking,
            self.aid + other.aid,
            self.value + other.value,
        )


def group_bonus(bits: NDArray[np.int64], prices: Prices) -> NDArray[np.float64]:
    """``sum(mu_g)`` over each worker's groups; shape (n_workers,)."""
    bonus = np.zeros(bits.shape[0], dtype=np.float64)
    for g, mu in enumerate(prices.group):
        if mu != 0.0:
            bonus += mu * ((bits >> g) & 1)
    return bonus


def _reduced_rows(block: ArcBlock, prices: Prices, rows: slice) -> NDArray[np.float64]:
    """``r_a`` of the workers ``rows`` in float64; shape (n_rows, k)."""
    r = block.score[rows].astype(np.float64)
    r -= prices.program[block.program[rows]]
    r += (group_bonus(block.bits[rows], prices) + prices.seat)[:, None]
    if prices.aid != 0.0 and block.aid is not None:
        r -= prices.aid * block.aid[rows]
    return r


def reduced_values(block: ArcBlock, prices: Prices) -> NDArray[np.float32]:
    """``r_a`` of every arc of ``block`` in float32 (to order arcs, never in a bound);
    shape (n_workers, k)."""
    out = np.empty(block.score.shape, dtype=np.float32)
    for start in range(0, block.score.shape[0], CHUNK):
        rows = slice(start, start + CHUNK)
        out[rows] = _reduced_rows(block, prices, rows)
    return out


def best_response(block: ArcBlock, prices: Prices) -> Response:
    """Each worker's best arc at ``prices``, summed into loads, counts, aid and value."""
    n_programs, n_groups = prices.program.shape[0], prices.group.shape[0]
    total = Response(np.zeros(n_programs, np.int64), np.zeros(n_groups, np.int64), 0, 0.0, 0.0)
    for start in range(0, block.score.shape[0], CHUNK):
        total = total + _response_rows(block, prices, slice(start, start + CHUNK))
    return total


def _response_rows(block: ArcBlock, prices: Prices, rows: slice) -> Response:
    r = _reduced_rows(block, prices, rows)
    best = np.argmax(r, axis=1)  # first maximum: the better rank wins ties
    top = np.take_along_axis(r, best[:, None], axis=1)[:, 0]
    taking = top > 0.0
    programs = np.take_along_axis(block.program[rows], best[:, None], axis=1)[:, 0][taking]
    bits = block.bits[rows][taking]
    n_groups = prices.group.shape[0]
    counts = np.array([int(((bits >> g) & 1).sum()) for g in range(n_groups)], dtype=np.int64)
    aid = 0.0
    if block.aid is not None:
        chosen = np.take_along_axis(block.aid[rows], best[:, None], axis=1)[:, 0]
        aid = float(chosen[taking].sum(dtype=np.float64))
    return Response(
        load=np.bincount(programs, minlength=prices.program.shape[0]).astype(np.int64),
        group_count=counts,
        n_taking=int(taking.sum()),
        aid=aid,
        value=float(top[taking].sum()),
    )


def block_from_frame(frame: pd.DataFrame, k: int) -> ArcBlock:
    """An :class:`ArcBlock` from rows ``bits, programs, scores, aid`` (list columns)."""
    n = len(frame)
    program = np.zeros((n, k), dtype=np.int32)
    score = np.full((n, k), -np.inf)  # float64, like the Spark columns: no rounding
    aid = np.zeros((n, k))
    for i, (p, s, a) in enumerate(
        zip(frame["programs"], frame["scores"], frame["aid"], strict=True)
    ):
        m = len(p)
        program[i, :m], score[i, :m], aid[i, :m] = p, s, a
    return ArcBlock(program, score, aid, frame["bits"].to_numpy(dtype=np.int64))


def response_frame(frame: pd.DataFrame, prices: Prices, k: int) -> pd.DataFrame:
    """:func:`best_response` on a frame of workers, as ``kind, index, value`` rows to sum.

    This is the body of the Spark ``mapInPandas`` step (see :mod:`skillmatch.allocate.spark`).
    """
    r = best_response(block_from_frame(frame, k), prices)
    parts = [
        pd.DataFrame({"kind": "load", "index": np.arange(r.load.size), "value": r.load}),
        pd.DataFrame(
            {"kind": "group", "index": np.arange(r.group_count.size), "value": r.group_count}
        ),
        pd.DataFrame(
            {
                "kind": ["seats", "aid", "value"],
                "index": [0, 0, 0],
                "value": [r.n_taking, r.aid, r.value],
            }
        ),
    ]
    out = pd.concat(parts, ignore_index=True)
    # an object column: pandas >= 3 infers Arrow-backed strings, which Spark cannot take
    return out.astype({"kind": object, "index": np.int64, "value": np.float64})


def response_from_rows(rows: pd.DataFrame, n_programs: int, n_groups: int) -> Response:
    """Sum the ``kind, index, value`` rows of :func:`response_frame` into a :class:`Response`."""
    load = np.zeros(n_programs, dtype=np.int64)
    counts = np.zeros(n_groups, dtype=np.int64)
    scalars = {"seats": 0.0, "aid": 0.0, "value": 0.0}
    for kind, index, value in rows[["kind", "index", "value"]].itertuples(index=False):
        if kind == "load":
            load[int(index)] += int(round(value))
        elif kind == "group":
            counts[int(index)] += int(round(value))
        else:
            scalars[str(kind)] += float(value)
    return Response(load, counts, int(round(scalars["seats"])), scalars["aid"], scalars["value"])
