"""Benchmark population-scale batch scoring against the naive pipeline and the matmul floor.

In one run, over the default simulated world (320 programs), k=10, with reasons:

* local runner (:func:`skillmatch.batch.score_file`) on ``--workers`` simulated workers read
  from Parquet: wall time, workers/s, peak RSS of the process tree (sampled every 0.2 s);
* the naive pipeline a user would write, on ``--sample`` workers: sentence-transformers
  ``encode`` of each worker's text (skills, occupation, goal) against the encoded program texts,
  then ``util.semantic_search`` top-k (no eligibility, no reasons);
* the floor: the bare float32 matrix product (workers x 384) @ (384 x programs) plus top-k,
  block by block, on the same number of workers;
* Spark (``local[N]``) and Dask (``LocalCluster``) wall time on ``--engine-workers`` workers
  next to the local runner on the same file (skip with ``--skip-engines``).

Prints one JSON line. The 3M-worker run:

    HF_HUB_OFFLINE=1 python benchmarks/bench_batch.py --workers 3000000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from _baselines import packaged_minilm  # benchmarks/ is on sys.path when run as a script

from skillmatch.batch import score_file
from skillmatch.core.recommend import Recommender
from skillmatch.simulate import make_population, make_world, write_population


class PeakRss:
    """Samples the RSS of this process and its children; ``peak`` in bytes."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # noqa: BLE001 - a child may exit between listing and reading
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> PeakRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def local_runner(
    path: Path, out: Path, rec: Recommender, args: argparse.Namespace
) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    with PeakRss() as rss:
        summary = score_file(
            path,
            out,
            recommender=rec,
            k=args.k,
            chunk_size=args.chunk_size,
            n_jobs=args.jobs,
            progress=args.progress,
        )
    return {
        "wall_s": round(summary.wall_s, 2),
        "rows_in": summary.n_rows_in,
        "workers_per_s": round(summary.n_rows_in / summary.wall_s, 1),
        "peak_rss_gb": round(rss.peak / 2**30, 3),
        "quarantined": summary.n_quarantined,
    }


def worker_text(row: Any) -> str:
    skills = ", ".join(s["text"] for s in row["skills"])
    return f"{skills}. {row['occupation']}. {row['goal'] or ''}"


def naive(world: Any, n: int, k: int, seed: int) -> dict[str, Any]:
    from sentence_transformers import util

    model = packaged_minilm()  # the same packaged all-MiniLM-L6-v2, used directly
    programs = [
        f"{p.title}. {p.description} " + ", ".join(s.text for s in p.skills_taught)
        for p in world.programs
    ]
    corpus = model.encode(programs, convert_to_tensor=True, normalize_embeddings=True)
    frame = next(make_population(world, n, seed=seed + 1, chunk_size=n))
    start = time.perf_counter()
    texts = [worker_text(row) for row in frame.to_dict("records")]
    queries = model.encode(texts, convert_to_tensor=True, normalize_embeddings=True)
    hits = util.semantic_search(queries, corpus, top_k=k)
    wall = time.perf_counter() - start
    assert len(hits) == n
    return {"sample": n, "wall_s": round(wall, 2), "workers_per_s": round(n / wall, 1)}


def floor(n: int, n_programs: int, k: int, block: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((block, 384)).astype(np.float32)
    p = rng.standard_normal((384, n_programs)).astype(np.float32)
    start = time.perf_counter()
    for lo in range(0, n, block):
        scores = x[: min(block, n - lo)] @ p
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        part = np.take_along_axis(scores, top, axis=1)
        np.take_along_axis(top, np.argsort(-part, axis=1), axis=1)
    wall = time.perf_counter() - start
    return {"wall_s": round(wall, 2), "workers_per_s": round(n / wall, 1)}


def engines(world: Any, rec: Recommender, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    from skillmatch.distributed import (
        ARROW_QUARANTINE_SCHEMA,
        ARROW_SCHEMA,
        score_dask,
        score_spark,
    )

    src = tmp / "engine_workers"
    src.mkdir()
    for i, frame in enumerate(
        make_population(world, args.engine_workers, seed=args.seed, chunk_size=args.chunk_size)
    ):
        frame.to_parquet(src / f"part-{i:05d}.parquet", index=False)
    result: dict[str, Any] = {
        "workers": args.engine_workers,
        "local": local_runner(src, tmp / "engine_local", rec, args),
    }
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{args.jobs}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    start = time.perf_counter()
    scored = score_spark(spark.read.parquet(str(src)), rec, k=args.k)
    scored.scores.write.mode("overwrite").parquet(str(tmp / "spark_out"))
    scored.quarantine.write.mode("overwrite").parquet(str(tmp / "spark_quarantine"))
    result["spark_wall_s"] = round(time.perf_counter() - start, 2)
    result["spark_counts"] = scored.counts()._asdict()
    scored.unpersist()
    spark.stop()
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        scores, quarantine = score_dask(dd.read_parquet(str(src)), rec, k=args.k)
        dask.compute(
            scores.to_parquet(str(tmp / "dask_out"), schema=ARROW_SCHEMA, compute=False),
            quarantine.to_parquet(
                str(tmp / "dask_quarantine"), schema=ARROW_QUARANTINE_SCHEMA, compute=False
            ),
        )
        result["dask_wall_s"] = round(time.perf_counter() - start, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="naive-pipeline sample")
    parser.add_argument("--engine-workers", type=int, default=200_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-engines", action="store_true")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    world = make_world(seed=args.seed)
    rec = Recommender.load()  # the default bundle: world of seed 0, learned ranker
    tmp = Path(tempfile.mkdtemp(dir=args.workdir))
    try:
        path = tmp / "workers.parquet"
        start = time.perf_counter()
        write_population(world, args.workers, path, seed=args.seed, progress=args.progress)
        simulate_s = time.perf_counter() - start
        local = local_runner(path, tmp / "out", rec, args)
        naive_r = naive(world, args.sample, args.k, args.seed)
        floor_r = floor(args.workers, len(world.programs), args.k, args.chunk_size, args.seed)
        result: dict[str, Any] = {
            "benchmark": "batch",
            "workers": args.workers,
            "programs": len(world.programs),
            "k": args.k,
            "reasons": True,
            "chunk_size": args.chunk_size,
            "jobs": args.jobs,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "simulate_s": round(simulate_s, 2),
            "local": local,
            "naive": naive_r,
            "floor": floor_r,
            "speedup_vs_naive": round(local["workers_per_s"] / naive_r["workers_per_s"], 1),
            "slowdown_vs_floor": round(local["wall_s"] / floor_r["wall_s"], 2),
        }
        if not args.skip_engines:
            result["engines"] = engines(world, rec, tmp, args)
        print(json.dumps(result))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
