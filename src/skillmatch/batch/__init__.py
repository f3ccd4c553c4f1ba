"""Batch layer: score a whole worker population, locally or on an existing engine.

:func:`score_file` streams a Parquet or CSV file in chunks (manifest, resume, quarantine,
worker processes); :func:`score_spark` and :func:`score_dask` run the same scoring inside
Spark and Dask (their libraries are imported only when called). The old module paths
``skillmatch.batch`` and ``skillmatch.distributed`` keep working.
"""

from __future__ import annotations

from skillmatch.batch.engines import (
    ARROW_QUARANTINE_SCHEMA,
    ARROW_SCHEMA,
    SPARK_QUARANTINE_SCHEMA,
    SPARK_SCHEMA,
    EngineCounts,
    EngineResult,
    score_dask,
    score_spark,
)
from skillmatch.batch.local import (
    OUTPUT_COLUMNS,
    QUARANTINE_COLUMNS,
    BatchSummary,
    ResumeError,
    score_file,
)

__all__ = [
    "ARROW_QUARANTINE_SCHEMA",
    "ARROW_SCHEMA",
    "BatchSummary",
    "EngineCounts",
    "EngineResult",
    "OUTPUT_COLUMNS",
    "QUARANTINE_COLUMNS",
    "ResumeError",
    "score_dask",
    "score_file",
    "score_spark",
    "SPARK_QUARANTINE_SCHEMA",
    "SPARK_SCHEMA",
]
