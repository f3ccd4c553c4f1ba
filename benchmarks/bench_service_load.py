"""The HTTP service under hostile load: mixed clients, then throughput, with the server's RSS.

Starts a real ``skillmatch serve`` (uvicorn, the shipped bundle, ``--workers`` processes) on
loopback and runs two phases:

1. **mixed**: ``--clients`` clients for ``--seconds`` seconds. ``--slow-clients`` of them
   send, in turn, a slow body (headers, then one byte every ``--slow-interval`` seconds until
   the server gives up) and a slow-loris head (half a head, then a header line every
   ``--slow-interval`` seconds). The others draw each request at random (fixed seed): a
   valid ``POST /v1/recommendations`` of a simulated worker (75 %), a valid one whose
   skills, occupation and goal are phrases never seen before (10 %: they go through the
   encoder and fill the phrase caches), or an invalid one (15 %, 422: ``k`` 0, a bool for a
   number, a string for a bool, no ``worker_id``). Every answer is counted by status; a 5xx
   is a failure.
2. **throughput**: ``--requests`` valid requests of the worker pool at concurrency
   ``--concurrency`` over keep-alive connections: requests/s, p50 and p99 (the figures
   ``benchmarks/bench_http.py`` reports, comparable with its baseline).

The server's RSS (every process of it) is sampled every ``--rss-interval`` seconds from the
end of the warm-up (the worker pool, then a few requests of new text in each process, whose
first encoder batches allocate for good): at the start, its peak, at each quarter of the
mixed phase and at the end of each phase.

Prints one JSON line; exits 1 if any answer was a 5xx.

    HF_HUB_OFFLINE=1 python benchmarks/bench_service_load.py --clients 16 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_http import _free_port, _load, _raw_post, _request  # noqa: E402

#: Request kinds of the mixed phase's fast clients and their shares.
MIX = {"valid": 0.75, "new_text": 0.1, "invalid": 0.15}
#: What the slow clients send, in turn.
SLOW = ("slow_body", "slow_head")


def start_server(
    port: int,
    workers: int,
    extra: list[str],
    preexec_fn: Callable[[], Any] | None = None,
) -> tuple[subprocess.Popen[str], list[str]]:
    """``skillmatch serve`` on ``port``; its stderr lines are kept in the returned list."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("SKILLMATCH_API_KEY", None)
    cmd = [sys.executable, "-m", "skillmatch.cli", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning", *extra]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )
    log: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)

    threading.Thread(target=drain, daemon=True).start()
    return proc, log


def wait_ready(port: int, proc: subprocess.Popen[str], log: list[str], timeout: float) -> None:
    """Until ``/readyz`` answers 200 (every worker has loaded the model before it listens)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited:\n" + "".join(log))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise TimeoutError("server not ready:\n" + "".join(log))


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


@dataclass
class RssSampler:
    """Samples :func:`tree_rss` of a process in a thread: ``(seconds, bytes)`` pairs."""

    pid: int
    interval: float
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> RssSampler:
        t0 = time.monotonic()

        def run() -> None:
            while not self._stop.is_set():
                self.samples.append((round(time.monotonic() - t0, 1), tree_rss(self.pid)))
                self._stop.wait(self.interval)

        threading.Thread(target=run, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.samples.append((self.samples[-1][0] if self.samples else 0.0, tree_rss(self.pid)))

    def mib(self, start: int = 0) -> dict[str, Any]:
        """Start, peak and end, and the RSS at each quarter of the samples (MiB)."""
        values = [v for _, v in self.samples[start:]] or [0]
        quarters = [values[min(len(values) - 1, len(values) * q // 4)] for q in (1, 2, 3, 4)]
        return {
            "start_mib": round(values[0] / 2**20, 1),
            "peak_mib": round(max(values) / 2**20, 1),
            "end_mib": round(values[-1] / 2**20, 1),
            "quarters_mib": [round(v / 2**20, 1) for v in quarters],
        }


def _worker_json(worker: Any) -> dict[str, Any]:
    return dict(worker.model_dump(mode="json"))


def _new_text(base: dict[str, Any], n: int) -> dict[str, Any]:
    """``base`` with skills, occupation and goal never seen before (``n`` makes them new)."""
    return {
        **base,
        "worker_id": f"new-{n}",
        "skills": [
            {"text": f"数控 operation variant {n}", "level": 2},
            {"text": f"maintenance of line {n} equipment"},
        ],
        "occupation": f"technician of workshop {n}",
        "goal": f"learn robot programming module {n}",
    }


def _invalid(base: dict[str, Any], n: int) -> dict[str, Any]:
    """A body the schema refuses (422), in one of a few ways."""
    kind = n % 4
    if kind == 0:
        return {"worker": base, "k": 0}
    if kind == 1:
        return {"worker": {**base, "weekly_hours": False}, "k": 5}
    if kind == 2:
        return {"worker": {**base, "migrant": "yes"}, "k": 5}
    return {"worker": {k: v for k, v in base.items() if k != "worker_id"}, "k": 5}


async def _slow(port: int, kind: str, interval: float, limit: float, stop_at: float) -> str:
    """A slow body or a slow-loris head; returns the status, or how the server closed it
    ("held": not within ``limit`` seconds; "cut": the phase ended at ``stop_at`` first)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if kind == "slow_body":
        head = (
            f"POST /v1/recommendations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        drip = b"{"
    else:
        head = f"POST /v1/recommendations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        drip = b"X-Pad: 1\r\n"
    deadline = min(time.monotonic() + limit, stop_at)
    try:
        writer.write(head.encode())
        await writer.drain()
        while time.monotonic() < deadline:
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=interval)
            except TimeoutError:
                writer.write(drip)
                await writer.drain()
                continue
            if not line:
                return "closed"
            return line[9:12].decode() if line.startswith(b"HTTP/1.1 ") else "garbled"
        # the server never gave up (a failure of its timeouts), or the phase ended first
        return "cut" if time.monotonic() >= stop_at else "held"
    except (ConnectionError, OSError):
        return "reset"
    finally:
        writer.close()


@dataclass
class Mixed:
    """Counts of the mixed phase."""

    statuses: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    valid_ms: list[float] = field(default_factory=list)

    def count(self, kind: str, status: str) -> None:
        self.statuses[status] += 1
        self.by_kind.setdefault(kind, Counter())[status] += 1


async def mixed(
    port: int, pool: list[dict[str, Any]], args: argparse.Namespace, seed: int
) -> Mixed:
    """``args.clients`` clients for ``args.seconds`` seconds (see the module docstring)."""
    out = Mixed()
    deadline = time.monotonic() + args.seconds
    counter = iter(range(10**9))
    kinds, weights = list(MIX), list(MIX.values())
    limit = args.slow_limit

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        turn = 0
        while time.monotonic() < deadline:
            n = next(counter)
            if index < args.slow_clients:
                kind = SLOW[turn % len(SLOW)]
                turn += 1
                out.count(kind, await _slow(port, kind, args.slow_interval, limit, deadline))
                continue
            kind = rng.choices(kinds, weights)[0]
            base = pool[rng.randrange(len(pool))]
            if kind == "valid":
                payload: dict[str, Any] = {"worker": base, "k": 10}
            elif kind == "new_text":
                payload = {"worker": _new_text(base, n), "k": 10}
            else:
                payload = _invalid(base, n)
            try:
                if conn is None:
                    conn = await asyncio.open_connection("127.0.0.1", port)
                start = time.perf_counter()
                status, _ = await _request(*conn, _raw_post(port, "/v1/recommendations", payload))
                if kind == "valid":
                    out.valid_ms.append((time.perf_counter() - start) * 1000)
                out.count(kind, str(status))
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                out.count(kind, "connection_error")
                conn = None
        if conn is not None:
            conn[1].close()

    await asyncio.gather(*(client(i) for i in range(args.clients)))
    return out


async def throughput(port: int, requests: list[bytes], concurrency: int) -> dict[str, Any]:
    """Valid requests at ``concurrency`` over keep-alive connections (``bench_http``'s load)."""
    level = await _load(port, requests, concurrency)
    del level["errors"]
    return level


def _percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {}
    a = np.asarray(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p99_ms": round(float(np.percentile(a, 99)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=16, help="clients of the mixed phase")
    parser.add_argument("--slow-clients", type=int, default=4, help="of them, slow ones")
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed phase")
    parser.add_argument("--slow-interval", type=float, default=1.0, help="seconds per drip")
    parser.add_argument("--slow-limit", type=float, default=45, help="give up a slow request")
    parser.add_argument("--concurrency", type=int, default=8, help="throughput phase")
    parser.add_argument("--requests", type=int, default=3000, help="throughput phase")
    parser.add_argument("--pool", type=int, default=200, help="distinct simulated workers")
    parser.add_argument("--rss-interval", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--startup-timeout", type=float, default=900)
    parser.add_argument("--serve-arg", action="append", default=[], help="passed to serve")
    args = parser.parse_args()

    from skillmatch.simulate import make_workers, make_world

    pool = [
        _worker_json(w) for w in make_workers(make_world(seed=0), args.pool, seed=args.seed + 1)
    ]
    port = _free_port()
    proc, log = start_server(port, args.workers, args.serve_arg)
    rss = RssSampler(proc.pid, args.rss_interval)
    try:
        wait_ready(port, proc, log, args.startup_timeout)
        valid = [_raw_post(port, "/v1/recommendations", {"worker": w, "k": 10}) for w in pool]
        rss_cold = tree_rss(proc.pid)
        # warm every process: the pool, and text never seen (the encoder's first batches)
        fresh = [
            _raw_post(port, "/v1/recommendations", {"worker": _new_text(w, -i - 1), "k": 10})
            for i, w in enumerate(pool[: 20 * args.workers])
        ]
        asyncio.run(throughput(port, valid * (2 * args.workers) + fresh, 8))
        rss.start()
        t0 = time.monotonic()
        mix = asyncio.run(mixed(port, pool, args, args.seed))
        mixed_s = time.monotonic() - t0
        n_mixed = len(rss.samples)
        mixed_rss = rss.mib()
        batch = [valid[i % len(valid)] for i in range(args.requests)]
        level = asyncio.run(throughput(port, batch, args.concurrency))
        rss.stop()
    finally:
        proc.terminate()
        proc.wait(60)
    n_5xx = sum(v for k, v in mix.statuses.items() if k.startswith("5"))
    n_5xx += sum(v for k, v in level["statuses"].items() if k.startswith("5"))
    result = {
        "bench": "service_load",
        "workers": args.workers,
        "mixed": {
            "clients": args.clients,
            "seconds": round(mixed_s, 1),
            "answers": sum(mix.statuses.values()),
            "rps": round(sum(mix.statuses.values()) / mixed_s, 1),
            "statuses": dict(sorted(mix.statuses.items())),
            "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(mix.by_kind.items())},
            "valid": _percentiles(mix.valid_ms),
            "rss": mixed_rss,
        },
        "throughput": level,
        "rss": {
            "before_warm_up_mib": round(rss_cold / 2**20, 1),
            **rss.mib(),
            "after_mixed_mib": round(rss.samples[n_mixed - 1][1] / 2**20, 1),
        },
        "n_5xx": n_5xx,
        "log_lines": len(log),
        "log_bytes": sum(len(line) for line in log),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg": os.getloadavg(),
        },
    }
    print(json.dumps(result))
    sys.exit(1 if n_5xx else 0)


if __name__ == "__main__":
    main()
