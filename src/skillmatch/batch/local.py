"""Population-scale batch scoring: streaming, resumable, with a quarantine for bad rows.

:func:`score_file` reads workers from Parquet (a file or a directory) or CSV in fixed chunks,
validates each chunk once against the :class:`~skillmatch.schema.Worker` contract, ranks the
valid rows with the same block code as :meth:`Recommender.score_frame
<skillmatch.core.recommend.Recommender.score_frame>`, and writes, in ``out_dir``:

``scores/part-NNNNN.parquet``
    The top-``k`` rows of chunk ``NNNNN``, columns :data:`OUTPUT_COLUMNS`
    (``worker_id, rank, program_id, score, reason_codes, bundle_hash``).
``quarantine.parquet``
    Every input row that was not scored, columns :data:`QUARANTINE_COLUMNS`: ``row`` (0-based
    input row), the raw ``worker_id``, the ``field``, ``value`` and ``reason`` of each problem
    (schema violations, unparsable values, duplicate ``worker_id``) and the original row as a
    JSON ``record``. CSV lines with the wrong number of columns have ``row`` null.
``_manifest.json``
    Input fingerprint, bundle hash, ``k``, chunk size, and per chunk its row range, counts and
    the sha256 of its parts. ``_quarantine/`` holds the per-chunk quarantine parts.

Guarantees: memory is bounded by the chunk size (plus 16 bytes per worker for duplicate
detection); each part is written under a temporary name and renamed atomically, and the
manifest is rewritten atomically after each part, so after a crash (even ``kill -9``) a
``resume=True`` run re-verifies the finished parts, skips them and writes output identical to
an uninterrupted run. ``rows in = scored + quarantined`` always; the chunk size never changes
the results, only how they are split into parts.

With ``n_jobs > 1`` chunks are scored in worker processes. Text the bundle's embedding cache
lacks is embedded once, by this process, and sent with each chunk, so the workers never load
the sentence-transformers model (see :mod:`skillmatch.batch.text`).

Examples
--------
>>> import tempfile, pathlib
>>> from skillmatch.sim import make_world, write_population
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_population(make_world(0), 50, tmp / "w.parquet", progress=False)
>>> summary = score_file(tmp / "w.parquet", tmp / "out", k=3, progress=False)  # doctest: +SKIP
>>> summary.n_rows_in == summary.n_scored + summary.n_quarantined  # doctest: +SKIP
True
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from skillmatch.batch._csv import CsvEncoding
from skillmatch.batch.chunk import OUTPUT_SCHEMA, QUARANTINE_SCHEMA, ChunkTask, score_chunk
from skillmatch.batch.dedupe import SeenIds
from skillmatch.batch.io import (
    Chunk,
    InputSource,
    atomic_write_bytes,
    open_input,
    table_to_parquet_bytes,
)
from skillmatch.batch.manifest import MANIFEST_NAME, ChunkRecord, Manifest, ResumeError
from skillmatch.batch.text import ChunkTexts
from skillmatch.core import Recommender, Scorer, check_k

__all__ = ["OUTPUT_COLUMNS", "QUARANTINE_COLUMNS", "BatchSummary", "ResumeError", "score_file"]

#: Columns of the score parts.
OUTPUT_COLUMNS: tuple[str, ...] = tuple(OUTPUT_SCHEMA.names)
#: Columns of ``quarantine.parquet``.
QUARANTINE_COLUMNS: tuple[str, ...] = tuple(QUARANTINE_SCHEMA.names)
QUARANTINE_NAME = "quarantine.parquet"
_log = logging.getLogger(__name__)


class _Progress(Protocol):
    """The part of a tqdm progress bar the runner uses."""

    def update(self, n: int) -> object: ...


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    n_rows_in, n_scored, n_quarantined : int
        Input rows, rows ranked and rows quarantined (``n_rows_in = n_scored + n_quarantined``).
    n_output_rows : int
        Recommendation rows written (at most ``k`` per scored worker).
    n_parts : int
        Score parts in the output; ``n_parts_skipped`` of them were finished by an earlier run.
    wall_s : float
        Wall time of this call in seconds.
    """

    out_dir: str
    bundle_hash: str
    n_rows_in: int
    n_scored: int
    n_quarantined: int
    n_output_rows: int
    n_parts: int
    n_parts_skipped: int
    wall_s: float

    def format(self) -> str:
        """A one-paragraph human-readable summary."""
        rate = self.n_rows_in / self.wall_s if self.wall_s > 0 else 0.0
        return (
            f"rows in {self.n_rows_in:,} | scored {self.n_scored:,} | quarantined "
            f"{self.n_quarantined:,} | parts written {self.n_parts - self.n_parts_skipped:,}"
            f" (skipped {self.n_parts_skipped:,} already complete) | recommendation rows "
            f"{self.n_output_rows:,} | wall {self.wall_s:.1f} s ({rate:,.0f} workers/s)\n"
            f"output: {self.out_dir}"
        )


def _default_recommender() -> Scorer:
    """The recommender used when none is given: the default bundle, verified at load."""
    return Recommender.load()


def score_file(
    workers: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    recommender: Scorer | None = None,
    k: int = 10,
    chunk_size: int = 20_000,
    resume: bool = False,
    n_jobs: int = 1,
    progress: bool = True,
    encoding: CsvEncoding = "auto",
) -> BatchSummary:
    """Score every worker in a Parquet or CSV input and write Parquet parts to ``out_dir``.

    Parameters
    ----------
    workers : path
        A Parquet file, a directory of Parquet files (in name order) or a CSV file: one row per
        worker, :class:`~skillmatch.schema.Worker` fields (nested ones as lists or JSON text).
    out_dir : path
        Output directory (its layout: the module docstring).
    recommender : Recommender, default=None
        The model; by default the default bundle. Its ``fingerprint()`` is the ``bundle_hash``.
    k : int, default=10
        Programs per worker.
    chunk_size : int, default=20_000
        Rows per chunk and per part; bounds memory. Results do not depend on it.
    resume : bool, default=False
        Continue the run in ``out_dir`` (or start one): finished parts are re-verified, skipped.
    n_jobs : int, default=1
        Worker processes that score chunks (each holds a copy of the model).
    progress : bool, default=True
        Show a progress bar with workers/s and ETA.
    encoding : {"auto", "utf-8", "gbk", "gb18030"}, default="auto"
        Of a CSV input, decoded in full first (``"auto"``: UTF-8, or GBK/GB18030 detected).

    Returns
    -------
    BatchSummary

    Raises
    ------
    ResumeError
        If ``out_dir`` holds another run (other input, bundle, ``k`` or ``chunk_size``), or a
        run while ``resume=False``.
    SchemaError
        If a CSV input cannot be decoded; nothing is written then.
    """
    started = time.perf_counter()
    k = check_k(k)
    _check_positive(chunk_size=chunk_size, n_jobs=n_jobs)
    source = open_input(workers, encoding=encoding)
    rec = recommender if recommender is not None else _default_recommender()
    root = Path(out_dir)
    manifest = _start(root, _fresh_manifest(source, rec, k, chunk_size), resume)
    n_skipped = len(manifest.chunks)
    if not manifest.complete:
        _score_missing_chunks(source, rec, root, manifest, n_jobs=n_jobs, progress=progress)
        _finish(root, manifest)
    return _summary(root, manifest, n_skipped, time.perf_counter() - started)


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {name}={value!r}")


def _fresh_manifest(source: InputSource, rec: Scorer, k: int, chunk_size: int) -> Manifest:
    """The manifest of a new run over ``source``: what a resumed run must match."""
    return Manifest(
        input_fingerprint=source.fingerprint(),
        input_files=[str(p) for p in source.paths],
        bundle_hash=rec.fingerprint(),
        k=k,
        chunk_size=chunk_size,
    )


def _score_missing_chunks(
    source: InputSource,
    rec: Scorer,
    root: Path,
    manifest: Manifest,
    *,
    n_jobs: int,
    progress: bool,
) -> None:
    """Score the chunks the manifest lacks, recording each in the manifest as it finishes."""
    bar = tqdm(
        total=source.n_rows,
        unit="worker",
        unit_scale=True,
        desc="scoring",
        disable=not progress,
        smoothing=0.1,
    )
    with bar:
        # with worker processes, new text is embedded here once and shipped with chunks
        texts = ChunkTexts(rec) if n_jobs > 1 else None
        chunks = source.chunks(manifest.chunk_size)
        if texts is not None:
            chunks = _prefetching(chunks, texts)
        tasks = _tasks(chunks, manifest, root, bar, texts)
        for record in _run(tasks, rec, n_jobs):
            manifest.chunks[record.index] = record
            manifest.save(root)
            bar.update(record.n_in)


def _prefetching(chunks: Iterator[Chunk], texts: ChunkTexts) -> Iterator[Chunk]:
    """``chunks`` unchanged, after starting the model load if the first one needs it."""
    first = next(chunks, None)
    if first is None:
        return chunks
    texts.prefetch(first.table)
    return itertools.chain([first], chunks)


def _start(root: Path, fresh: Manifest, resume: bool) -> Manifest:
    old = Manifest.load(root)
    if old is not None and not resume:
        raise ResumeError(
            f"out_dir {str(root)!r} already holds a batch run ({MANIFEST_NAME}); pass "
            "resume=True (--resume) to continue it, or choose another output directory"
        )
    for sub in ("scores", "_quarantine"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for tmp in root.rglob(".*.tmp-*"):
        tmp.unlink()
    if old is None:
        fresh.save(root)
        return fresh
    old.check_matches(fresh)
    if old.complete and (root / QUARANTINE_NAME).is_file() and _intact(root, old):
        return old
    old.complete, old.summary = False, None
    old.chunks = {i: c for i, c in old.chunks.items() if c.is_intact(root)}
    return old


def _intact(root: Path, manifest: Manifest) -> bool:
    broken = [i for i, c in manifest.chunks.items() if not c.is_intact(root)]
    if broken:
        _log.warning("parts of chunks %s are missing or altered; they will be rewritten", broken)
    return not broken


def _tasks(
    chunks: Iterator[Chunk],
    manifest: Manifest,
    root: Path,
    bar: _Progress,
    texts: ChunkTexts | None = None,
) -> Iterator[ChunkTask]:
    seen = SeenIds()
    for chunk in chunks:
        ids = (
            chunk.table.column("worker_id")
            if "worker_id" in chunk.table.column_names
            else pa.nulls(chunk.table.num_rows, pa.string())
        )
        first_row = seen.mark(ids, chunk.start)
        if chunk.index in manifest.chunks:
            bar.update(manifest.chunks[chunk.index].n_in)
            continue
        vectors = texts.vectors_for(chunk.table) if texts is not None else None
        yield ChunkTask(chunk, first_row, manifest.k, manifest.bundle_hash, root, vectors)


def _run(tasks: Iterator[ChunkTask], rec: Scorer, n_jobs: int) -> Iterator[ChunkRecord]:
    if n_jobs == 1:
        for task in tasks:
            yield score_chunk(task, rec)
        return
    payload = pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL)
    with ProcessPoolExecutor(
        n_jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(payload,)
    ) as pool:
        # start the workers now (they spawn on the first submit), so that they load while
        # this process reads the first chunk and embeds its new text
        for _ in range(n_jobs):
            pool.submit(_ready)
        pending: list[Future[ChunkRecord]] = []
        for task in tasks:
            pending.append(pool.submit(_score_in_worker, task))
            while len(pending) > n_jobs:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


#: The recommender of a worker process, set by :func:`_init_worker`.
_WORKER_STATE: dict[str, Scorer] = {}


def _init_worker(payload: bytes) -> None:  # pragma: no cover - runs in worker processes
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    # one thread each for torch too, read when (and only if) the encoder loads it: importing
    # torch here would cost every worker seconds and hundreds of MB for nothing
    os.environ["OMP_NUM_THREADS"] = "1"
    _WORKER_STATE["recommender"] = pickle.loads(payload)  # in-memory transport, not a file


def _ready() -> None:  # pragma: no cover - runs in worker processes
    """Nothing: submitted once per worker to start the pool early."""


def _score_in_worker(task: ChunkTask) -> ChunkRecord:  # pragma: no cover - worker process
    return score_chunk(task, _WORKER_STATE["recommender"])


def _finish(root: Path, manifest: Manifest) -> None:
    tables = [
        pq.read_table(root / c.quarantine_part, schema=QUARANTINE_SCHEMA)
        for _, c in sorted(manifest.chunks.items())
        if c.quarantine_part is not None
    ]
    merged = pa.concat_tables(tables) if tables else QUARANTINE_SCHEMA.empty_table()
    atomic_write_bytes(root / QUARANTINE_NAME, table_to_parquet_bytes(merged))
    manifest.complete = True
    manifest.summary = {
        name: sum(getattr(c, name) for c in manifest.chunks.values())
        for name in ("n_in", "n_scored", "n_quarantined", "n_output_rows")
    }
    manifest.save(root)


def _summary(root: Path, manifest: Manifest, n_skipped: int, wall_s: float) -> BatchSummary:
    chunks = manifest.chunks.values()
    return BatchSummary(
        out_dir=str(root),
        bundle_hash=manifest.bundle_hash,
        n_rows_in=sum(c.n_in for c in chunks),
        n_scored=sum(c.n_scored for c in chunks),
        n_quarantined=sum(c.n_quarantined for c in chunks),
        n_output_rows=sum(c.n_output_rows for c in chunks),
        n_parts=len(manifest.chunks),
        n_parts_skipped=n_skipped,
        wall_s=wall_s,
    )
