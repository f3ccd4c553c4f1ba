"""The fast method's per-iteration step on Spark: ``mapInPandas`` over partitions of workers.

:func:`spark_workers` puts the candidate arcs in a Spark DataFrame, one row per worker
(``bits, programs, scores, aid``), and :func:`spark_step` (or :func:`step_on` for a frame
already built) returns a step function for
:func:`~skillmatch.allocate.fast.solve_fast`: each call runs
:func:`~skillmatch.allocate.dual.response_frame` (the same
:func:`~skillmatch.allocate.dual.best_response` as in memory) on every partition and sums the
rows on the driver. Only the prices travel to the executors on each iteration.

pyspark is imported lazily; without it :class:`~skillmatch.errors.MissingDependencyError`
names the install command.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from skillmatch.allocate.dual import (
    RESPONSE_SCHEMA,
    ArcBlock,
    Prices,
    Response,
    response_frame,
    response_from_rows,
)
from skillmatch.allocate.fast import StepFunction, arc_block
from skillmatch.allocate.problem import AllocationProblem
from skillmatch.errors import MissingDependencyError

__all__ = ["spark_step", "spark_workers", "step_on"]


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            'the Spark step needs pyspark: pip install "skillmatch[spark]"'
        ) from exc


def spark_workers(spark: Any, block: ArcBlock, n_partitions: int = 2) -> Any:
    """A cached Spark DataFrame of ``block``, one row per worker, in ``n_partitions``."""
    _require_pyspark()
    finite = np.isfinite(block.score)
    aid = block.aid if block.aid is not None else np.zeros(block.score.shape, np.float32)
    frame = pd.DataFrame(
        {
            "bits": block.bits.astype(np.int64),
            "programs": [row[m].tolist() for row, m in zip(block.program, finite, strict=True)],
            "scores": [row[m].tolist() for row, m in zip(block.score, finite, strict=True)],
            "aid": [row[m].tolist() for row, m in zip(aid, finite, strict=True)],
        }
    )
    schema = "bits long, programs array<long>, scores array<double>, aid array<double>"
    return spark.createDataFrame(frame, schema=schema).repartition(n_partitions).cache()


def _map_partition(
    frames: Iterator[pd.DataFrame], prices: Prices, k: int, tau: float
) -> Iterator[pd.DataFrame]:
    for frame in frames:
        yield response_frame(frame, prices, k, tau)


def spark_step(spark: Any, problem: AllocationProblem, *, n_partitions: int = 2) -> StepFunction:
    """A step function for :func:`~skillmatch.allocate.fast.solve_fast` that runs on Spark.

    Examples
    --------
    >>> step = spark_step(spark, problem, n_partitions=8)  # doctest: +SKIP
    >>> result = solve_fast(problem, step=step)  # doctest: +SKIP
    """
    block, _ = arc_block(problem)
    workers = spark_workers(spark, block, n_partitions)
    return step_on(workers, problem.n_programs, len(problem.groups), block.score.shape[1])


def step_on(workers: Any, n_programs: int, n_groups: int, k: int) -> StepFunction:
    """A step function over a DataFrame made by :func:`spark_workers` (``k`` columns)."""
    _require_pyspark()

    def step(prices: Prices, tau: float = 0.0) -> Response:
        body = partial(_map_partition, prices=prices, k=k, tau=tau)
        rows = workers.mapInPandas(body, RESPONSE_SCHEMA).groupBy("kind", "index").sum("value")
        rows = rows.toPandas().rename(columns={"sum(value)": "value"})
        return response_from_rows(rows, n_programs, n_groups, tau)

    return step
