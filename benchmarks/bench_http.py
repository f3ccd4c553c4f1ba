"""HTTP service throughput and latency against a real uvicorn server on loopback.

Starts ``skillmatch serve`` (``--workers`` processes) over the simulated world of seed 0,
warms it with a fixed pool of simulated workers, then sends ``--requests`` requests of
``POST /v1/recommendations`` at each concurrency level over keep-alive connections and reports
requests/s, p50 and p99 latency. Beside it: the in-process ``Recommender.recommend()`` cost on
the same workers (the floor the HTTP layer adds to).

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio streams rather than
httpx: it shares the machine with the server, and httpx spends several times more CPU per
request than the server's own HTTP layer, which would measure the client.

Prints one JSON line.

    HF_HUB_OFFLINE=1 python benchmarks/bench_http.py --workers 2 --requests 3000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SERVE = (
    "import sys; from argparse import ArgumentParser; "
    "from skillmatch.cli.serve import register; p = ArgumentParser(); "
    "register(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int, workers: int, threads: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("SKILLMATCH_API_KEY", None)
    cmd = [
        sys.executable,
        "-c",
        SERVE,
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "info",
    ]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    log: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)

    threading.Thread(target=drain, daemon=True).start()
    return proc, log


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def _raw_post(port: int, path: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _load(port: int, requests: list[bytes], concurrency: int) -> dict[str, Any]:
    """Send ``requests`` over ``concurrency`` keep-alive connections; rate, latency, statuses."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    next_index = 0

    async def client() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < len(requests):
                raw = requests[next_index]
                next_index += 1
                start = time.perf_counter()
                status, _ = await _request(reader, writer, raw)
                latencies.append(time.perf_counter() - start)
                statuses[status] += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    ms = np.asarray(latencies) * 1000
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(latencies) - statuses[200],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def _wait_ready(
    port: int, workers: int, proc: subprocess.Popen[str], log: list[str], timeout: float
) -> None:
    """Ready when every worker process has logged its start and /readyz answers."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited:\n" + "".join(log))
        started = sum("Started server process" in line for line in log)
        if started >= workers:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.5)
    raise TimeoutError("server not ready:\n" + "".join(log))


def _in_process(pool: list[Any], n: int, threads: int) -> dict[str, Any]:
    import torch

    from skillmatch.core.recommend import Recommender
    from skillmatch.simulate import make_world

    torch.set_num_threads(threads)
    rec = Recommender.from_world(make_world(seed=0))
    for worker in pool:  # the same warm-up the server gets
        rec.recommend(worker, k=10)
    times = []
    for i in range(n):
        start = time.perf_counter()
        rec.recommend(pool[i % len(pool)], k=10)
        times.append(time.perf_counter() - start)
    ms = np.asarray(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "per_core_rps": round(1000 / float(ms.mean()), 1),
        "n_programs": len(rec.programs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--requests", type=int, default=3000, help="requests per level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--pool", type=int, default=200, help="distinct simulated workers")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--startup-timeout", type=float, default=900)
    args = parser.parse_args()

    from skillmatch.simulate import make_workers, make_world

    pool = make_workers(make_world(seed=0), args.pool, seed=args.seed + 1)
    in_process = _in_process(pool, args.requests, args.threads)
    port = _free_port()
    proc, log = _start_server(port, args.workers, args.threads)
    try:
        _wait_ready(port, args.workers, proc, log, args.startup_timeout)
        requests = [
            _raw_post(
                port, "/v1/recommendations", {"worker": w.model_dump(mode="json"), "k": args.k}
            )
            for w in pool
        ]
        # Warm-up: every worker through every process (phrase memo, embedding cache).
        asyncio.run(_load(port, requests * (2 * args.workers), 8))
        levels = []
        for c in args.concurrency:
            batch = [requests[i % len(requests)] for i in range(args.requests)]
            levels.append(asyncio.run(_load(port, batch, c)))
    finally:
        proc.terminate()
        proc.wait(60)
    print(
        json.dumps(
            {
                "bench": "http",
                "endpoint": "POST /v1/recommendations",
                "k": args.k,
                "workers": args.workers,
                "torch_threads": args.threads,
                "pool": args.pool,
                "n_programs": in_process.pop("n_programs"),
                "levels": levels,
                "in_process_recommend": in_process,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_avg": os.getloadavg(),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
