"""Thousands of stalled connections against a real server: /healthz must keep answering.

Starts ``skillmatch serve`` (the shipped bundle, default limits unless ``--serve-arg`` says
otherwise) and opens ``--connections`` TCP connections to it from ``--holders`` processes
(each holds its share, so no process needs 20,000 descriptors). Each connection sends half a
request head and then nothing (a slow-loris client), and is held for ``--hold`` seconds.
Meanwhile a fresh connection asks ``GET /healthz`` every ``--probe-interval`` seconds: how
many probes answered 200, their p50/p99/max latency and the longest gap between two good
answers are reported, with the server's log (lines, bytes, and the lines about descriptors
running out: one per episode is the goal) and its RSS.

``--server-nofile N`` starts the server with a descriptor limit of ``N`` so that descriptors
run out before the connection cap (pair it with ``--serve-arg=--max-connections=100000``).

Prints one JSON line; exits 1 if no probe answered in ``--max-gap`` seconds or the log grew
past ``--max-log-lines``.

    HF_HUB_OFFLINE=1 python benchmarks/bench_connections.py --connections 20000 --hold 40
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_http import _free_port  # noqa: E402
from bench_service_load import start_server, tree_rss, wait_ready  # noqa: E402

HALF_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Stalled: "
#: Log lines that say descriptors (or memory for sockets) ran out.
EXHAUSTION = ("Too many open files", "accept() failed", "EMFILE", "ENFILE")


def hold(port: int, n: int, seconds: float) -> dict[str, int]:
    """Open ``n`` stalled connections, hold them ``seconds``; how many the server closed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks: list[socket.socket] = []
    refused = 0
    for _ in range(n):
        s = socket.socket()
        s.settimeout(3)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(HALF_HEAD)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            refused += 1
            s.close()
    time.sleep(seconds)
    closed = 0
    for s in socks:
        try:
            s.recv(1024, socket.MSG_PEEK)  # an answer (408) or the end: the server closed it
            closed += 1
        except BlockingIOError:
            pass  # still open, nothing received
        except OSError:
            closed += 1
        s.close()
    return {"opened": len(socks), "refused": refused, "closed_by_server": closed}


def probe(port: int, timeout: float) -> float | None:
    """Seconds ``GET /healthz`` took on a fresh connection, or None if it failed."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = s.recv(64)
    except OSError:
        return None
    return time.perf_counter() - start if data.startswith(b"HTTP/1.1 200") else None


def run_probes(
    port: int, holders: list[subprocess.Popen[str]], args: argparse.Namespace
) -> tuple[list[float], list[float | None]]:
    """Probe until every holder is done; ``(times, latencies)`` with None for failures."""
    t0 = time.monotonic()
    times: list[float] = []
    latencies: list[float | None] = []
    while any(h.poll() is None for h in holders):
        times.append(time.monotonic() - t0)
        latencies.append(probe(port, args.probe_timeout))
        time.sleep(args.probe_interval)
    return times, latencies


def longest_gap(times: list[float], latencies: list[float | None]) -> float:
    good = [t for t, lat in zip(times, latencies, strict=True) if lat is not None]
    if not good:
        return float(times[-1]) if times else 0.0
    edges = [0.0, *good, times[-1]]
    return round(float(np.max(np.diff(edges))), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=20_000)
    parser.add_argument("--holders", type=int, default=4, help="processes holding them")
    parser.add_argument("--hold", type=float, default=40, help="seconds each is held")
    parser.add_argument("--probe-interval", type=float, default=0.25)
    parser.add_argument("--probe-timeout", type=float, default=5)
    parser.add_argument("--server-nofile", type=int, default=0, help="server descriptor limit")
    parser.add_argument("--serve-arg", action="append", default=[], help="passed to serve")
    parser.add_argument("--max-gap", type=float, default=10, help="seconds without a 200")
    parser.add_argument("--max-log-lines", type=int, default=2000)
    parser.add_argument("--startup-timeout", type=float, default=900)
    parser.add_argument("--holder", nargs=3, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.holder:  # a holder process: port, connections, seconds
        port, n, seconds = args.holder
        print(json.dumps(hold(int(port), int(n), seconds)))
        return

    port = _free_port()
    nofile = args.server_nofile

    def limit_descriptors() -> None:  # in the server process only
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    extra = ["--log-level", "info", *args.serve_arg]
    proc, log = start_server(port, 1, extra, limit_descriptors if nofile else None)
    try:
        wait_ready(port, proc, log, args.startup_timeout)
        rss_start = tree_rss(proc.pid)
        log_start = len(log)
        share = -(-args.connections // args.holders)
        holders = [
            subprocess.Popen(
                [sys.executable, __file__, "--holder", str(port), str(share), str(args.hold)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.holders)
        ]
        times, latencies = run_probes(port, holders, args)
        rss_end = tree_rss(proc.pid)
        held = [json.loads(h.communicate()[0]) for h in holders]
        time.sleep(2)
        after = probe(port, args.probe_timeout)
    finally:
        proc.terminate()
        proc.wait(60)
    new_log = log[log_start:]
    ok = [lat * 1000 for lat in latencies if lat is not None]
    gap = longest_gap(times, latencies)
    result = {
        "bench": "connections",
        "connections": args.connections,
        "hold_s": args.hold,
        "serve_args": args.serve_arg,
        "server_nofile": args.server_nofile or None,
        "held": {k: sum(h[k] for h in held) for k in held[0]},
        "probes": len(latencies),
        "probes_ok": len(ok),
        "probe_p50_ms": round(float(np.percentile(ok, 50)), 1) if ok else None,
        "probe_p99_ms": round(float(np.percentile(ok, 99)), 1) if ok else None,
        "probe_max_ms": round(max(ok), 1) if ok else None,
        "longest_gap_s": gap,
        "healthz_after": after is not None,
        "log_lines": len(new_log),
        "log_bytes": sum(len(line) for line in new_log),
        "exhaustion_lines": sum(any(m in line for m in EXHAUSTION) for line in new_log),
        "tracebacks": sum("Traceback" in line for line in new_log),
        "rss_mib": {"start": round(rss_start / 2**20, 1), "end": round(rss_end / 2**20, 1)},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg": os.getloadavg(),
        },
    }
    print(json.dumps(result))
    failed = gap > args.max_gap or len(new_log) > args.max_log_lines or after is None
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
