"""A short mixed load against a real uvicorn process: no 5xx, bounded caches and memory.

The fast version of ``benchmarks/bench_service_load.py``: four clients each send a fixed
sequence of valid requests, requests with text never seen before, invalid ones and slow ones
(a body or a head that never completes), against the tiny catalogue with the fake encoder and
a small phrase-cache budget. The workload is a fixed count, not a duration, and nothing here
is a speed claim: the bounds are on status codes, bytes and RSS.
"""

from __future__ import annotations

import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("uvicorn")

import httpx  # noqa: E402

from tests.conftest import make_worker  # noqa: E402
from tests.service.live import Server  # noqa: E402
from tests.service.test_limits_http import head, read_until_closed  # noqa: E402

BUDGET = 1 << 18  # 256 KiB: a few hundred phrases, so the caches evict during the test
ROUNDS = 40  # requests per client

SERVER = f"""
import sys
from tests.conftest import TINY_SKILLS, FakeEncoder, tiny_chains, tiny_programs
from skillmatch.text.vocab import SkillVocabulary
from skillmatch.core.recommend import Recommender
from skillmatch.service import ServerLimits, create_app
from skillmatch.cli.serve import run_server

vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=FakeEncoder())
rec = Recommender.from_catalog(
    tiny_programs(), chains=tiny_chains(), vocabulary=vocab, phrase_cache_bytes={BUDGET}
)
limits = ServerLimits(header_timeout=1.0, body_timeout=1.5)
app = create_app(rec, limits=limits)
sys.exit(run_server(app, host="127.0.0.1", port=int(sys.argv[1]), graceful_timeout=5))
"""


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cache_bytes(client: httpx.Client) -> dict[str, int]:
    text = client.get("/metrics").text
    prefix = 'skillmatch_phrase_cache_bytes{cache="'
    return {
        line[len(prefix) :].split('"')[0]: int(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(prefix)
    }


def _body(kind: str, n: int) -> dict[str, Any]:
    if kind == "new_text":
        worker = make_worker(
            worker_id=f"n{n}",
            skills=[{"text": f"数控 variant {n}", "level": 2}, {"text": f"line {n} upkeep"}],
            occupation=f"technician {n}",
            goal=f"robot module {n}",
        )
    else:
        worker = make_worker(worker_id=f"w{n % 7}", occupation=["welder", "fitter"][n % 2])
    body: dict[str, Any] = {"worker": worker.model_dump(mode="json"), "k": 3}
    if kind == "invalid":
        body["k"] = [0, True, "3"][n % 3]
    return body


def _slow(server: Server, n: int) -> bytes:
    """A body (even ``n``) or a head (odd) that never completes; what the server answered."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        if n % 2:
            s.sendall(b"POST /v1/recommendations HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        else:
            s.sendall(head("POST", "/v1/recommendations", "Content-Length: 1000") + b'{"wo')
        data, closed = read_until_closed(s, timeout=15)
    assert closed, "the server kept a stalled request open"
    return data


def _client(server: Server, index: int) -> list[str]:
    kinds = ["valid"] * 6 + ["new_text"] * 2 + ["invalid", "slow"]
    outcomes: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for i in range(ROUNDS):
            kind, n = kinds[i % len(kinds)], index * ROUNDS + i
            if kind == "slow":
                outcomes.append(f"slow:{_slow(server, n)[:12].decode() or 'closed'}")
                continue
            status = client.post("/v1/recommendations", json=_body(kind, n)).status_code
            outcomes.append(f"{kind}:{status}")
    return outcomes


@pytest.fixture(scope="module")
def server() -> Any:
    srv = Server(SERVER)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def test_mixed_load_gives_no_5xx_and_stays_within_its_caches(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for n in range(20):  # warm up: every code path, and a first round of new text
            client.post("/v1/recommendations", json=_body(["valid", "new_text"][n % 2], -n))
        rss_before = _rss(server.proc.pid)
        with ThreadPoolExecutor(4) as pool:
            outcomes = [o for out in pool.map(lambda i: _client(server, i), range(4)) for o in out]
        sizes = _cache_bytes(client)
        assert client.get("/healthz").status_code == 200
    rss_growth = _rss(server.proc.pid) - rss_before
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    assert set(counts) <= {
        "valid:200",
        "new_text:200",
        "invalid:422",
        "slow:HTTP/1.1 408",
        "slow:closed",
    }, counts
    assert counts["new_text:200"] == 4 * ROUNDS // 5
    assert set(sizes) == {"embedding", "memo", "store", "goals"}
    assert sum(sizes.values()) <= BUDGET, sizes
    assert rss_growth < 64 << 20, f"RSS grew by {rss_growth / 2**20:.0f} MiB"
    assert "Traceback" not in server.text()
    json.dumps(counts)  # the counts are plain data (printed by pytest on failure)
