"""Parquet schemas and a streaming writer for simulated workers and programs."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

__all__ = ["PROGRAM_SCHEMA", "WORKER_SCHEMA", "write_frames"]

_STR, _INT, _FLOAT = pa.string(), pa.int64(), pa.float64()
WORKER_SCHEMA = pa.schema(
    [
        ("worker_id", _STR),
        ("skills", pa.list_(pa.struct([("text", _STR), ("level", _INT), ("years", _FLOAT)]))),
        ("occupation", _STR),
        ("education", _STR),
        ("certificates", pa.list_(pa.struct([("trade", _STR), ("level", _INT)]))),
        ("region", _STR),
        ("employer_node", _STR),
        ("migrant", pa.bool_()),
        ("weekly_hours", _FLOAT),
        ("shift_pattern", _STR),
        ("preferred_modality", _STR),
        ("goal", _STR),
        ("gender", _STR),
        ("age", _INT),
    ]
)
PROGRAM_SCHEMA = pa.schema(
    [
        ("program_id", _STR),
        ("title", _STR),
        ("description", _STR),
        ("kind", _STR),
        ("provider", _STR),
        ("skills_taught", pa.list_(pa.struct([("text", _STR), ("level", _INT)]))),
        ("min_education", _STR),
        ("min_certificate_level", _INT),
        ("required_skills", pa.list_(_STR)),
        ("chain_nodes", pa.list_(_STR)),
        ("modality", _STR),
        ("regions", pa.list_(_STR)),
        ("schedule", _STR),
        ("hours", _FLOAT),
        ("weeks", _INT),
        ("cost", _FLOAT),
        ("aid_eligible", pa.bool_()),
        ("capacity", _INT),
        ("credits", _FLOAT),
        ("sponsor", _STR),
        ("awards_education", _STR),
        ("awards_certificate_level", _INT),
        ("certificate_trade", _STR),
    ]
)


def write_frames(
    frames: Iterable[pd.DataFrame],
    path: str | PathLike[str],
    schema: pa.Schema,
    *,
    total: int,
    progress: bool,
) -> int:
    """Append every frame to one Parquet file with ``schema``; return the rows written."""
    written = 0
    with (
        pq.ParquetWriter(str(path), schema) as writer,
        tqdm(total=total, unit="row", disable=not progress, desc="writing") as bar,
    ):
        for frame in frames:
            writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            written += len(frame)
            bar.update(len(frame))
    return written
