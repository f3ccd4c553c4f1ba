"""Input and output of batch scoring: chunked reading, fingerprints and atomic file writes.

The input is cut into fixed row ranges (chunk ``i`` holds input rows
``[i * chunk_size, (i + 1) * chunk_size)``), so the chunk -> part map depends only on the input
and the chunk size. CSV files are decoded in full before anything is written (UTF-8 with or
without a BOM, GBK or GB18030: see :mod:`skillmatch.batch._csv`) and read with every column as
a string (ids stay as written): a value that does not parse is then refused by the
:class:`~skillmatch.schema.Worker` contract with the field's name, and a line that cannot be
split into the header's columns (wrong count, broken quoting) is kept, with its line number and
the reason, as a *malformed line* for the quarantine. Every physical line is either the
header, blank, part of a row, or such a malformed line.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from skillmatch.batch._csv import ENCODINGS, CsvEncoding, CsvInfo, check_csv, csv_batches

__all__ = [
    "Chunk",
    "InputSource",
    "atomic_write_bytes",
    "open_input",
    "sha256_file",
    "table_to_parquet_bytes",
]

_HASH_BLOCK = 1 << 20


@dataclass
class Chunk:
    """One fixed row range of the input.

    ``malformed`` holds CSV lines that could not be split into the header's columns; they were
    met while this chunk was read and are quarantined with it.
    """

    index: int
    start: int
    table: pa.Table
    malformed: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class InputSource:
    """The worker input: one CSV file, or one or more Parquet files read in name order."""

    paths: tuple[Path, ...]
    kind: Literal["parquet", "csv"]
    csv: CsvInfo | None = None

    @property
    def n_rows(self) -> int | None:
        """Rows in the input when known without reading it (Parquet metadata), else None."""
        if self.kind != "parquet":
            return None
        return sum(int(pq.ParquetFile(p).metadata.num_rows) for p in self.paths)

    def fingerprint(self) -> str:
        """sha256 over the names, sizes and bytes of every input file."""
        digest = hashlib.sha256(self.kind.encode())
        if self.csv is not None and self.csv.encoding != "utf-8":
            digest.update(f"\nencoding={self.csv.encoding}".encode())
        for path in self.paths:
            digest.update(f"\n{path.name}\n{path.stat().st_size}\n".encode())
            with open(path, "rb") as fh:
                while block := fh.read(_HASH_BLOCK):
                    digest.update(block)
        return digest.hexdigest()

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        """Yield the input as consecutive chunks of exactly ``chunk_size`` rows (the last may
        be shorter)."""
        batches = self._parquet_batches(chunk_size) if self.kind == "parquet" else None
        if batches is None:
            yield from _rechunk(self._csv_batches(), chunk_size)
        else:
            yield from _rechunk(((b, []) for b in batches), chunk_size)

    def _parquet_batches(self, chunk_size: int) -> Iterator[pa.Table]:
        for path in self.paths:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                yield pa.Table.from_batches([batch])

    def _csv_batches(self) -> Iterator[tuple[pa.Table, list[dict[str, Any]]]]:
        if self.csv is None or not self.csv.header:
            return iter(())
        return csv_batches(self.paths[0], self.csv)


def _rechunk(
    batches: Iterator[tuple[pa.Table, list[dict[str, Any]]]], chunk_size: int
) -> Iterator[Chunk]:
    buffer: list[pa.Table] = []
    malformed: list[dict[str, Any]] = []
    n_buffered = index = start = 0
    for table, bad in batches:
        malformed.extend(bad)
        buffer.append(table)
        n_buffered += table.num_rows
        while n_buffered >= chunk_size:
            merged = pa.concat_tables(buffer, promote_options="permissive")
            yield Chunk(index, start, merged.slice(0, chunk_size), malformed)
            rest = merged.slice(chunk_size)
            buffer, malformed = [rest], []
            n_buffered = rest.num_rows
            index, start = index + 1, start + chunk_size
    if n_buffered or malformed:
        merged = pa.concat_tables(buffer, promote_options="permissive")
        yield Chunk(index, start, merged, malformed)


def open_input(path: str | os.PathLike[str], *, encoding: CsvEncoding = "auto") -> InputSource:
    """Describe the worker input at ``path``: a Parquet file or directory, or a CSV file.

    A CSV file is decoded in full here, before any output is written (see
    :func:`~skillmatch.batch._csv.check_csv`): ``encoding`` is ``"auto"`` (UTF-8, or
    GB18030 detected), ``"utf-8"``, ``"gbk"`` or ``"gb18030"``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or a directory holds no ``*.parquet`` file.
    ValueError
        If a file is neither ``.parquet`` nor ``.csv``, or ``encoding`` is not known.
    SchemaError
        If a CSV file cannot be decoded (the message names the file, the encoding, the byte
        offset, the line and the option to use) or its header repeats a column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "workers.csv"
    >>> _ = path.write_text("\\ufeffworker_id,occupation\\n00000000,welder\\n", encoding="utf-8")
    >>> source = open_input(path)
    >>> source.csv.encoding, source.csv.header
    ('utf-8', ('worker_id', 'occupation'))
    >>> next(source.chunks(10)).table.column("worker_id").to_pylist()
    ['00000000']
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {list(ENCODINGS)}, got encoding={encoding!r}")
    p = Path(path)
    if p.is_dir():
        files = sorted(
            f
            for f in p.rglob("*.parquet")
            if f.is_file()
            and not any(part.startswith(("_", ".")) for part in f.relative_to(p).parts)
        )
        if not files:
            raise FileNotFoundError(f"workers directory {str(p)!r} holds no *.parquet file")
        return InputSource(tuple(files), "parquet")
    if not p.exists():
        raise FileNotFoundError(f"workers path {str(p)!r} does not exist")
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return InputSource((p,), "parquet")
    if suffix == ".csv":
        return InputSource((p,), "csv", check_csv(p, encoding))
    raise ValueError(
        f"workers path {str(p)!r} must be a .parquet file, a directory of Parquet files or a "
        f".csv file, got suffix {suffix!r}"
    )


def table_to_parquet_bytes(
    table: pa.Table,
    *,
    dictionary: bool | list[str] = True,
    statistics: bool | list[str] = True,
) -> bytes:
    """Serialise ``table`` to Parquet bytes (deterministic for the same table).

    ``dictionary`` and ``statistics`` name the columns to dictionary-encode and to keep
    min/max statistics for (all by default): leaving out columns where neither pays (unique
    floats, long lists) makes large parts quicker to write and smaller.
    """
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        use_dictionary=dictionary,
        write_statistics=statistics,
    )
    return sink.getvalue()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` under a temporary name, fsync it, then rename atomically."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
