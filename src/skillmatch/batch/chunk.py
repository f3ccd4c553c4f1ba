"""Scoring one chunk of a batch run: validate, quarantine, rank, write the part files.

Runs in the main process or in a worker process of the local runner; everything it needs
arrives in a :class:`ChunkTask`, and it returns a :class:`ChunkRecord` for the manifest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from skillmatch.batch.io import Chunk, atomic_write_bytes, table_to_parquet_bytes
from skillmatch.batch.manifest import ChunkRecord
from skillmatch.batch.text import TextVectors, adopt_vectors
from skillmatch.core import ScoredArrays, Scorer, columns_from_arrow

__all__ = [
    "OUTPUT_SCHEMA",
    "QUARANTINE_SCHEMA",
    "ChunkTask",
    "part_paths",
    "quarantine_records",
    "raw_id",
    "score_chunk",
]

OUTPUT_SCHEMA = pa.schema(
    [
        ("worker_id", pa.string()),
        ("rank", pa.int32()),
        ("program_id", pa.string()),
        ("score", pa.float32()),
        ("reason_codes", pa.list_(pa.string())),
        ("bundle_hash", pa.string()),
    ]
)
QUARANTINE_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("worker_id", pa.string()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
        ("record", pa.string()),
    ]
)


@dataclass(frozen=True)
class ChunkTask:
    """A chunk to score, with its duplicate marks (``first_row[i] >= 0``: row ``i`` repeats the
    ``worker_id`` of input row ``first_row[i]``)."""

    chunk: Chunk
    first_row: np.ndarray
    k: int
    bundle_hash: str
    root: Path
    vectors: TextVectors | None = None  # embeddings of new text, from the main process


def part_paths(index: int) -> tuple[str, str]:
    """Relative paths of the score part and the quarantine part of chunk ``index``."""
    return f"scores/part-{index:05d}.parquet", f"_quarantine/part-{index:05d}.parquet"


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _record(row: dict[str, Any]) -> str:
    return json.dumps(_jsonable(row), ensure_ascii=False, sort_keys=False)


def raw_id(value: Any) -> str | None:
    """A ``worker_id`` as the quarantine records it: ``str(value)``, None for null or NaN."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _quarantine_rows(
    task: ChunkTask,
    records: Mapping[int, dict[str, Any]] | Sequence[dict[str, Any]],
    errors: pd.DataFrame,
    candidates: Sequence[int],
) -> list[dict[str, Any]]:
    """Quarantine rows of a chunk (see :func:`quarantine_records`)."""
    rows = task.chunk.start + np.arange(len(task.first_row), dtype=np.int64)
    return quarantine_records(
        rows, task.first_row, records, errors, candidates, task.chunk.malformed
    )


def quarantine_records(
    rows: np.ndarray,
    first: np.ndarray,
    records: Mapping[int, dict[str, Any]] | Sequence[dict[str, Any]],
    errors: pd.DataFrame,
    candidates: Sequence[int],
    malformed: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Quarantine rows (columns of ``QUARANTINE_SCHEMA``) of one chunk or partition, by row.

    Row ``i`` of the chunk is input row ``rows[i]``; ``first[i] >= 0`` marks it a repeat of
    the ``worker_id`` of input row ``first[i]``; ``errors`` come from validating the rows
    ``candidates`` (its ``row`` is a position in ``candidates``); ``records[i]`` holds the
    original values of row ``i`` (needed only for quarantined rows); ``malformed`` are CSV
    lines that could not be split into columns.
    """
    out: list[dict[str, Any]] = []

    def add(i: int, field: str, value: str, reason: str) -> None:
        out.append(
            {
                "row": int(rows[i]),
                "worker_id": raw_id(records[i].get("worker_id")),
                "field": field,
                "value": value,
                "reason": reason,
                "record": _record(records[i]),
            }
        )

    for i in np.flatnonzero(first >= 0).tolist():
        wid = records[i].get("worker_id")
        add(i, "worker_id", repr(wid), f"duplicate worker_id (first seen at row {first[i]})")
    for pos, group in errors.groupby("row", sort=True):
        add(
            candidates[int(pos)],  # type: ignore[arg-type]
            "; ".join(group["field"].astype(str)),
            "; ".join(group["value"].astype(str)),
            "; ".join(group["message"].astype(str)),
        )
    out.extend(_malformed_row(bad) for bad in malformed)
    out.sort(key=lambda r: (r["row"] is None, r["row"] if r["row"] is not None else 0))
    return out


def _malformed_row(bad: dict[str, Any]) -> dict[str, Any]:
    """The quarantine row of a CSV line that could not be split into columns."""
    line = bad["line"]
    return {
        "row": None,
        "worker_id": None,
        "field": "<line>",
        "value": repr(bad["text"]),
        "reason": f"unparsable CSV line {line}: {bad['reason']}",
        "record": json.dumps({"line": line, "text": bad["text"]}, ensure_ascii=False),
    }


#: Part-file columns worth dictionary-encoding (repeated strings) and keeping min/max
#: statistics for (what readers filter on); a third faster to write than all of them.
_DICTIONARY_COLUMNS = ["worker_id", "program_id", "bundle_hash", "reason_codes.list.element"]
_STATISTICS_COLUMNS = ["worker_id", "rank", "program_id", "score"]


def _output_table(
    scored: ScoredArrays, worker_ids: np.ndarray, program_ids: list[str], bundle_hash: str
) -> pa.Table:
    """The part file's table, from :class:`~skillmatch.core.recommend.ScoredArrays`.

    Repeated strings are converted once and gathered by Arrow: ``worker_ids`` are the ranked
    workers' ids (``scored.worker`` indexes them), programs and reason lists are indices.
    """
    patterns = pa.array([list(p) for p in scored.patterns], pa.list_(pa.string()))
    n = len(scored.rank)
    return pa.table(
        {
            "worker_id": pa.array(worker_ids, pa.string()).take(pa.array(scored.worker)),
            "rank": pa.array(scored.rank, pa.int32()),
            "program_id": pa.array(program_ids, pa.string()).take(pa.array(scored.program_index)),
            "score": pa.array(scored.score, pa.float32()),
            "reason_codes": patterns.take(pa.array(scored.pattern_of, pa.int64())),
            "bundle_hash": pa.repeat(pa.scalar(bundle_hash, pa.string()), n),
        },
        schema=OUTPUT_SCHEMA,
    )


def score_chunk(task: ChunkTask, recommender: Scorer) -> ChunkRecord:
    """Validate, quarantine and rank one chunk, write its part files atomically, and describe
    them for the manifest."""
    adopt_vectors(recommender, task.vectors)
    table = task.chunk.table
    candidates = np.flatnonzero(task.first_row < 0)
    if len(candidates) < table.num_rows:
        table = table.take(pa.array(candidates))
    # Validate at the boundary, once, column by column (rows the column checks cannot clear
    # go through the Worker model); the valid rows are ranked from these columns directly.
    parsed = columns_from_arrow(table)
    scores = recommender.score_arrays(parsed.columns, task.k)
    bad = np.union1d(
        np.flatnonzero(task.first_row >= 0),
        candidates[parsed.errors["row"].to_numpy(np.int64)],
    )
    records = dict(zip(bad.tolist(), _records(task.chunk.table, bad), strict=True))
    quarantined = _quarantine_rows(task, records, parsed.errors, candidates.tolist())
    part, q_part = part_paths(task.chunk.index)
    q_sha = _write_quarantine(task.root / q_part, quarantined)
    data = table_to_parquet_bytes(
        _output_table(scores, parsed.columns.worker_id, recommender.program_ids, task.bundle_hash),
        dictionary=_DICTIONARY_COLUMNS,
        statistics=_STATISTICS_COLUMNS,
    )
    atomic_write_bytes(task.root / part, data)
    n_in = task.chunk.table.num_rows
    return ChunkRecord(
        index=task.chunk.index,
        start=task.chunk.start,
        n_in=n_in + len(task.chunk.malformed),
        n_scored=len(parsed.columns),
        n_quarantined=len(quarantined),
        n_output_rows=len(scores.rank),
        part=part,
        sha256=_sha(data),
        quarantine_part=q_part if quarantined else None,
        quarantine_sha256=q_sha,
    )


def _write_quarantine(path: Path, quarantined: list[dict[str, Any]]) -> str | None:
    """Write the quarantine part of a chunk, if it has one; its sha256 or None."""
    if not quarantined:
        return None
    data = table_to_parquet_bytes(pa.Table.from_pylist(quarantined, schema=QUARANTINE_SCHEMA))
    atomic_write_bytes(path, data)
    return _sha(data)


def _records(table: pa.Table, rows: np.ndarray) -> list[dict[str, Any]]:
    """The original values of the quarantined ``rows``, as pandas reads them."""
    if not len(rows):
        return []
    return table.take(pa.array(rows)).to_pandas().to_dict("records")  # type: ignore[no-any-return]


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
