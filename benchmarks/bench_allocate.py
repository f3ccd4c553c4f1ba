"""Benchmark funded-seat allocation: exact (OR-Tools min-cost flow) against fast (dual method).

Each run allocates ``n`` workers x top-``k`` candidate programs over the shipped bundle's
catalogue (320 programs), with the capacities scaled so that the seats are ``--seat-ratio`` of
the workers (the issue's anchor: 1.8 M seats for 3 M workers) and the 2/3 migrant share. By
default the score lists are synthetic (scoring millions of workers is `bench_batch.py`'s job):
each worker's ``k`` programs are drawn without replacement with the weight of the bundle's
program prior (Gumbel top-k), scores descend along the list, 60 % of workers are migrants.
The arrays are built in the compact dtypes the solvers take (int32 indices, float32 scores,
a NumPy string array of worker ids). With ``--scored SCORES_DIR WORKERS`` the lists are those
of a real ``skillmatch score`` run over a ``skillmatch simulate`` population instead (read
with pyarrow, capacities scaled the same way).

Each (size, method) runs in a fresh child process, so its peak RSS is its own:
``peak_rss_gb`` (``ru_maxrss``) includes building the synthetic problem, ``rss_input_gb`` is
the RSS holding the built problem, and ``rss_solve_peak_gb`` the highest RSS sampled (every
50 ms) while the solver runs, input included. One JSON line per run on stdout; ``solve_s`` is the
solver alone (seat target + solve), ``build_s`` the problem's construction. For ``fast`` the
line also carries ``gap`` (certified) and ``gap_to_exact`` (against the exact run of the same
size). Run:

    python benchmarks/bench_allocate.py --sizes 200000 1000000 3000000
    python benchmarks/bench_allocate.py --scored scores/ workers.parquet
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

SEED = 0


def make_problem(n: int, k: int, seat_ratio: float) -> Any:
    """A synthetic allocation problem over the shipped catalogue (deterministic in ``n``).

    Built in slices of 100,000 workers, straight into the compact dtypes the solvers take
    (int32 indices, float32 scores, a NumPy string array of worker ids), so that building
    does not set the process's peak memory.
    """
    from skillmatch.allocate import AllocationProblem, GroupShare
    from skillmatch.allocate.io import read_bundle_catalogue

    catalogue = read_bundle_catalogue()
    programs = catalogue.programs
    rng = np.random.default_rng(SEED)
    weight = np.array([max(p.capacity, 1) for p in programs], dtype=float)
    log_w = np.log(weight / weight.sum())
    lists = np.empty((n, k), dtype=np.int32)
    ids = np.empty(n, dtype=f"U{max(len(str(n - 1)), 8) + 1}")
    for start in range(0, n, 100_000):
        rows = min(100_000, n - start)
        keys = log_w[None, :] + rng.gumbel(size=(rows, len(programs)))
        top = np.argpartition(-keys, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        lists[start : start + rows] = np.take_along_axis(top, order, axis=1)
        numbers = np.arange(start, start + rows).astype(str)
        ids[start : start + rows] = np.strings.add("w", np.strings.zfill(numbers, 8))
    scores = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, 100_000):  # the same draws as one (n, k) call
        chunk = rng.beta(2, 2, size=(min(100_000, n - start), k))
        scores[start : start + chunk.shape[0]] = np.sort(chunk, axis=1)[:, ::-1]
    capacity = np.array([p.capacity for p in programs], dtype=float)
    capacity = np.maximum(1, np.round(capacity * seat_ratio * n / capacity.sum())).astype(np.int64)
    return AllocationProblem(
        worker_ids=ids,
        program_ids=[p.program_id for p in programs],
        capacity=capacity,
        arc_worker=np.repeat(np.arange(n, dtype=np.int32), k),
        arc_program=lists.reshape(-1),
        arc_score=scores.reshape(-1),
        arc_rank=np.tile(np.arange(1, k + 1, dtype=np.int32), n),
        arc_aid=np.zeros(n * k, dtype=np.float32),
        groups=(GroupShare("migrant", 2 / 3),),
        members=(rng.random(n) < 0.6).reshape(-1, 1),
    )


def load_scored(scores: str, workers: str, seat_ratio: float) -> Any:
    """The problem of a real ``skillmatch score`` run over a ``skillmatch simulate`` file.

    A lean reader for the benchmark (no quarantine: the run is known to be clean): the
    Parquet parts are read one at a time into preallocated compact columns (a worker's rows
    are consecutive within one part), so the peak stays near the problem's own size.
    Program capacities come from the shipped catalogue, scaled like :func:`make_problem`'s
    so that seats = ``seat_ratio`` x workers.
    """
    import glob

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from skillmatch.allocate import AllocationProblem, GroupShare
    from skillmatch.allocate.io import read_bundle_catalogue

    programs = read_bundle_catalogue().programs
    catalogue = pa.array([p.program_id for p in programs])
    parts = sorted(glob.glob(os.path.join(scores, "scores", "*.parquet")))
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    arc_worker = np.empty(total, dtype=np.int32)
    arc_program = np.empty(total, dtype=np.int32)
    arc_rank = np.empty(total, dtype=np.int32)
    arc_score = np.empty(total, dtype=np.float32)
    ids, offset, n_seen = [], 0, 0
    for path in parts:
        table = pq.read_table(path, columns=["worker_id", "rank", "program_id", "score"])
        wid = table.column("worker_id").combine_chunks()
        m = len(wid)
        new = np.ones(m, dtype=bool)
        if m > 1:
            new[1:] = pc.not_equal(wid.slice(1), wid.slice(0, m - 1)).to_numpy(zero_copy_only=False)
        rows = slice(offset, offset + m)
        arc_worker[rows] = n_seen + np.cumsum(new) - 1
        arc_program[rows] = pc.index_in(table.column("program_id"), catalogue).to_numpy(
            zero_copy_only=False
        )
        arc_rank[rows] = table.column("rank").to_numpy()
        arc_score[rows] = table.column("score").to_numpy()
        ids.append(wid.filter(pa.array(new)))
        offset, n_seen = offset + m, n_seen + int(new.sum())
        del table, wid
    worker_ids = pa.chunked_array(ids)
    people = pq.read_table(workers, columns=["worker_id", "migrant"])
    row = pc.index_in(worker_ids, people.column("worker_id")).to_numpy(zero_copy_only=False)
    migrant = people.column("migrant").to_numpy(zero_copy_only=False).astype(bool)[row]
    del people, row
    worker_ids = worker_ids.to_numpy().astype(str)
    capacity = np.array([p.capacity for p in programs], dtype=float)
    capacity = np.maximum(1, np.round(capacity * seat_ratio * n_seen / capacity.sum()))
    return AllocationProblem(
        worker_ids=worker_ids,
        program_ids=[p.program_id for p in programs],
        capacity=capacity.astype(np.int64),
        arc_worker=arc_worker,
        arc_program=arc_program,
        arc_score=arc_score,
        arc_rank=arc_rank,
        arc_aid=np.zeros(total, dtype=np.float32),
        groups=(GroupShare("migrant", 2 / 3),),
        members=migrant.reshape(-1, 1),
    )


def _rss_gb() -> float:
    """Resident set size of this process now, in GB (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30


class _PeakSampler(threading.Thread):
    """Samples the RSS every 50 ms; ``peak`` is the highest seen (the solve's own peak)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_gb()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, _rss_gb())


def run_one(
    n: int, k: int, seat_ratio: float, method: str, scored: list[str] | None = None
) -> dict[str, Any]:
    """Build (or load, with ``scored = [scores_dir, workers_file]``) and solve one problem in
    this process; the result line."""
    from skillmatch.allocate import solve_exact, solve_fast

    t0 = time.perf_counter()
    problem = load_scored(*scored, seat_ratio) if scored else make_problem(n, k, seat_ratio)
    import gc

    gc.collect()
    input_gb = _rss_gb()
    sampler = _PeakSampler()
    sampler.start()
    t1 = time.perf_counter()
    result = solve_exact(problem) if method == "exact" else solve_fast(problem)
    t2 = time.perf_counter()
    sampler.done.set()
    sampler.join()
    violations = result.violations(problem)
    return {
        "bench": "allocate",
        "method": method,
        "input": "scored" if scored else "synthetic",
        "n_workers": problem.n_workers,
        "k": k,
        "n_arcs": problem.n_arcs,
        "n_programs": problem.n_programs,
        "n_seats": result.n_seats,
        "capacity": int(problem.capacity.sum()),
        "build_s": round(t1 - t0, 2),
        "solve_s": round(t2 - t1, 2),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
        "rss_input_gb": round(input_gb, 3),
        "rss_solve_peak_gb": round(max(sampler.peak, _rss_gb()), 3),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "info": {key: v for key, v in result.info.items() if key != "resolution"},
        "resolution": result.info.get("resolution"),
        "n_violations": len(violations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000, 500_000])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seat-ratio", type=float, default=0.6)
    parser.add_argument("--methods", nargs="+", default=["exact", "fast"])
    parser.add_argument(
        "--scored",
        nargs=2,
        metavar=("SCORES_DIR", "WORKERS"),
        help="allocate a real `skillmatch score` run (of a `skillmatch simulate` file) instead "
        "of synthetic lists; --sizes is then ignored",
    )
    parser.add_argument("--one", nargs=2, metavar=("N", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        line = run_one(int(args.one[0]), args.k, args.seat_ratio, args.one[1], args.scored)
        print(json.dumps(line))
        return
    if args.scored:
        args.sizes = [0]
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for n in args.sizes:
        exact_objective = None
        for method in args.methods:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                str(n),
                method,
                "--k",
                str(args.k),
                "--seat-ratio",
                str(args.seat_ratio),
                *(["--scored", *args.scored] if args.scored else []),
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            line = json.loads(done.stdout.strip().splitlines()[-1])
            if method == "exact":
                exact_objective = line["objective"]
            elif exact_objective is not None:
                line["gap_to_exact"] = (exact_objective - line["objective"]) / exact_objective
            line["machine"] = machine
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
