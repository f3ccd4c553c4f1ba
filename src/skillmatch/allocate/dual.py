"""The per-iteration step of the fast (dual) method: every worker's best arc at given prices.

The step is a pure function of a block of workers and the current prices, and its result
sums over blocks, so the same :func:`best_response` runs on the whole population in memory
or, through :func:`response_frame`, on every partition of a Spark DataFrame
(``mapInPandas``) whose results the driver adds up.

At prices ``pi`` (per program), ``mu`` (per group), ``nu`` (per seat) and ``lam`` (per unit
of aid), the reduced value of arc ``a`` of worker ``w`` to program ``p`` is::

    r_a = score_a - pi_p + sum(mu_g for g containing w) + nu - lam * aid_a

and a worker takes their arc of largest ``r_a`` if it is positive (ties: the better rank).

With a temperature ``tau > 0`` the step is the *smoothed* response instead: each worker's
``max(0, max_a r_a)`` becomes ``tau * log(1 + sum_a exp(r_a / tau))`` (at most ``tau * log(k + 1)``
more, so the smoothed dual is still an upper bound), and the loads, counts and seats are the
expected ones under the softmax of ``(0, r_1, ..., r_k) / tau``: the exact gradient of a
smooth convex function, which a quasi-Newton method minimises in far fewer steps than the
subgradient method needs (see :mod:`skillmatch.allocate._smooth`).

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
    The smoothed response (``tau > 0``) has float loads, counts and seats (expected values).
    """

    load: NDArray[Any]
    group_count: NDArray[Any]
    n_taking: float
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


def best_response(block: ArcBlock, prices: Prices, tau: float = 0.0) -> Response:
    """Each worker's best arc at ``prices``, summed into loads, counts, aid and value; with
    ``tau > 0`` the smoothed response (see the module docstring)."""
    n_programs, n_groups = prices.program.shape[0], prices.group.shape[0]
    kind = np.float64 if tau > 0 else np.int64
    total = Response(np.zeros(n_programs, kind), np.zeros(n_groups, kind), 0, 0.0, 0.0)
    rows_of = _smooth_rows if tau > 0 else _response_rows
    for start in range(0, block.score.shape[0], CHUNK):
        total = total + rows_of(block, prices, slice(start, start + CHUNK), tau)
    return total


def _smooth_rows(block: ArcBlock, prices: Prices, rows: slice, tau: float) -> Response:
    """The smoothed response of the workers ``rows``, in float32 (a search direction; the
    bound is always the exact response in float64), column by column: the lists are short,
    and numpy's row reductions over a few columns are slow."""
    score = block.score[rows]
    kind = np.promote_types(score.dtype, np.float32).type
    bits = block.bits[rows]
    member = [((bits >> g) & 1).astype(kind) for g in range(prices.group.shape[0])]
    offset = np.full(bits.shape[0], prices.seat, dtype=kind)
    for m, mu in zip(member, prices.group, strict=True):
        if mu != 0.0:
            offset += kind(mu) * m
    r = prices.program.astype(kind)[block.program[rows]]
    np.subtract(score, r, out=r)
    r += offset[:, None]
    if prices.aid != 0.0 and block.aid is not None:
        r -= (prices.aid * block.aid[rows]).astype(kind)
    top = np.zeros(r.shape[0], dtype=kind)  # the outside option is worth 0
    for c in range(r.shape[1]):
        np.maximum(top, r[:, c], out=top)
    r -= top[:, None]
    r *= kind(1.0 / tau)
    np.exp(r, out=r)  # padding (-inf) gives 0
    outside = np.exp(top * kind(-1.0 / tau))
    z = outside.copy()
    for c in range(r.shape[1]):
        z += r[:, c]
    r *= (1 / z)[:, None]  # the softmax weight of each arc
    take = 1 - outside / z  # the weights of the arcs sum to 1 - that of the outside option
    counts = np.array([float(take @ m) for m in member])
    aid = 0.0
    if block.aid is not None:
        aid = float(np.einsum("ij,ij->", r, block.aid[rows], dtype=np.float64))
    load = np.bincount(
        block.program[rows].ravel(), weights=r.ravel(), minlength=prices.program.shape[0]
    )
    value = top.sum(dtype=np.float64) + tau * np.log(z).sum(dtype=np.float64)
    return Response(
        load=load,
        group_count=counts,
        n_taking=float(take.sum(dtype=np.float64)),
        aid=aid,
        value=float(value),
    )


def _response_rows(block: ArcBlock, prices: Prices, rows: slice, tau: float = 0.0) -> Response:
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


def response_frame(frame: pd.DataFrame, prices: Prices, k: int, tau: float = 0.0) -> pd.DataFrame:
    """:func:`best_response` on a frame of workers, as ``kind, index, value`` rows to sum.

    This is the body of the Spark ``mapInPandas`` step (see :mod:`skillmatch.allocate.spark`).
    """
    r = best_response(block_from_frame(frame, k), prices, tau)
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


def response_from_rows(
    rows: pd.DataFrame, n_programs: int, n_groups: int, tau: float = 0.0
) -> Response:
    """Sum the ``kind, index, value`` rows of :func:`response_frame` into a :class:`Response`
    (counts rounded to integers unless the response is smoothed, ``tau > 0``)."""
    load, counts = np.zeros(n_programs), np.zeros(n_groups)
    scalars = {"seats": 0.0, "aid": 0.0, "value": 0.0}
    for kind, index, value in rows[["kind", "index", "value"]].itertuples(index=False):
        if kind == "load":
            load[int(index)] += value
        elif kind == "group":
            counts[int(index)] += value
        else:
            scalars[str(kind)] += float(value)
    seats: float = scalars["seats"]
    if tau <= 0:  # the exact response counts workers
        load, counts = np.rint(load).astype(np.int64), np.rint(counts).astype(np.int64)
        seats = int(round(seats))
    return Response(load, counts, seats, scalars["aid"], scalars["value"])
