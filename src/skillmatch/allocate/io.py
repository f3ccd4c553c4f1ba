"""Files of an allocation: the score parts, the workers, the bundle's catalogue, the outputs.

The only module of :mod:`skillmatch.allocate` that touches ``pyarrow``. Score parts are the
output directory of ``skillmatch score``: ``_manifest.json`` (format ``skillmatch-batch/1``,
the ``bundle_hash`` the scores came from, and the sha256 of every part) and
``scores/part-NNNNN.parquet`` with ``worker_id, rank, program_id, score`` (and
``bundle_hash``). Parts from another bundle, an unfinished run or a changed part are refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from skillmatch.errors import ModelFormatError, SchemaError
from skillmatch.schema import Program

__all__ = [
    "BundleCatalogue",
    "read_bundle_catalogue",
    "read_score_parts",
    "read_workers",
    "write_json",
    "write_parquet",
]

_BATCH_FORMAT = "skillmatch-batch/1"
_WORKER_COLUMNS = ("worker_id", "migrant", "region", "education", "gender")


@dataclass(frozen=True)
class BundleCatalogue:
    """What an allocation needs from a bundle: programs, their chains, the aid rule, the hash."""

    programs: list[Program]
    program_chains: dict[str, list[str]]
    aid_share: float
    aid_max_education: str
    bundle_hash: str


def read_bundle_catalogue(path: str | os.PathLike[str] | None = None) -> BundleCatalogue:
    """The catalogue of a verified bundle (default: the shipped one).

    Raises
    ------
    ModelFormatError
        The bundle is tampered with, incomplete or from an incompatible version.
    """
    from skillmatch.core import read_bundle

    loaded = read_bundle(path)
    parts = loaded.parts
    node_chain = {n.node_id: c.chain_id for c in parts.chains.chains for n in c.nodes}
    chains = {
        p.program_id: sorted({node_chain[n] for n in p.chain_nodes if n in node_chain})
        for p in parts.programs
    }
    params = parts.features.get_params()
    return BundleCatalogue(
        list(parts.programs),
        chains,
        float(params["aid_share"]),
        str(params["aid_max_education"]),
        loaded.sha256,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _score_manifest(root: Path) -> dict[str, Any]:
    path = root / "_manifest.json"
    if not path.is_file():
        raise SchemaError(
            f"--scores {str(root)!r} is not a `skillmatch score` output directory: "
            "_manifest.json is missing"
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != _BATCH_FORMAT:
        raise SchemaError(
            f"_manifest.json in {str(root)!r} has format={manifest.get('format')!r}, "
            f"expected {_BATCH_FORMAT!r}"
        )
    if not manifest.get("complete"):
        raise SchemaError(
            f"the scoring run in {str(root)!r} is not complete; finish it with "
            "`skillmatch score --resume` before allocating"
        )
    return manifest


def read_score_parts(root: str | os.PathLike[str], bundle_hash: str) -> pd.DataFrame:
    """All score rows of a finished ``skillmatch score`` run made with ``bundle_hash``.

    Raises
    ------
    ModelFormatError
        The scores were made with another bundle, or a part changed since it was written.
    SchemaError
        The directory is not a finished scoring run.
    """
    root = Path(root)
    manifest = _score_manifest(root)
    if manifest.get("bundle_hash") != bundle_hash:
        raise ModelFormatError(
            f"the scores in {str(root)!r} were made with bundle_hash="
            f"{str(manifest.get('bundle_hash'))[:16]}..., but the allocation uses bundle_hash="
            f"{bundle_hash[:16]}...; score again with this bundle or pass the scoring run's "
            "--bundle"
        )
    frames: list[pd.DataFrame] = []
    for chunk in sorted(manifest.get("chunks", []), key=lambda c: int(c["index"])):
        part = root / chunk["part"]
        if _sha256(part) != chunk["sha256"]:
            raise ModelFormatError(f"score part {chunk['part']!r} does not match its sha256")
        table = pq.read_table(part)
        if "bundle_hash" in table.column_names:
            hashes = set(table.column("bundle_hash").unique().to_pylist())
            if hashes - {bundle_hash}:
                raise ModelFormatError(
                    f"score part {chunk['part']!r} holds rows of bundle_hash={sorted(hashes)!r}"
                )
        columns = [
            c for c in ("worker_id", "rank", "program_id", "score") if c in table.column_names
        ]
        frames.append(table.select(columns).to_pandas())
    if not frames:
        return pd.DataFrame(columns=["worker_id", "rank", "program_id", "score"])
    return pd.concat(frames, ignore_index=True)


def read_workers(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The group columns of a workers file: Parquet (file or directory) or CSV.

    Reads ``worker_id, migrant, region, education`` and ``gender`` when present; CSV values
    are read as text.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.parquet"))
        if not files:
            raise SchemaError(f"--workers {str(path)!r} holds no *.parquet files")
    elif path.suffix.lower() == ".csv":
        header = pd.read_csv(path, nrows=0).columns
        usecols = [c for c in _WORKER_COLUMNS if c in header]
        return pd.read_csv(path, usecols=usecols, dtype=str, keep_default_na=False)
    else:
        files = [path]
    tables = []
    for file in files:
        names = pq.ParquetFile(file).schema_arrow.names
        tables.append(pq.read_table(file, columns=[c for c in _WORKER_COLUMNS if c in names]))
    frame: pd.DataFrame = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    return frame


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` (via a temporary file and an atomic rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    os.replace(tmp, path)


def write_json(payload: dict[str, Any], path: Path) -> None:
    """Write ``payload`` as indented JSON (atomically)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, path)
