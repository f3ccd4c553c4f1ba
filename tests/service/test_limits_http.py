"""Server limits against a real uvicorn process: slow and stalled clients, floods, bad labels.

The server runs the tiny catalogue with the fake encoder (these limits do not depend on
meaning) and short limits, so each case takes seconds. Time bounds in these tests are
generous upper bounds that prove a connection was closed, never performance claims.
"""

from __future__ import annotations

import json
import select
import signal
import socket
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("uvicorn")

import httpx  # noqa: E402

from tests.conftest import make_worker  # noqa: E402
from tests.service.live import Server  # noqa: E402

KEY = "limits-test-key"
AUTH = {"X-API-Key": KEY}
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 3.0
MAX_BODY = 16384
INFLIGHT = 40000

SERVER = f"""
import sys
from tests.conftest import TINY_SKILLS, FakeEncoder, tiny_chains, tiny_programs
from skillmatch.text.vocab import SkillVocabulary
from skillmatch.core.recommend import Recommender
from skillmatch.service import ServerLimits, create_app
from skillmatch.cli.serve import run_server

vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=FakeEncoder())
rec = Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=vocab)
limits = ServerLimits(
    max_body_bytes={MAX_BODY}, max_inflight_body_bytes={INFLIGHT},
    header_timeout={HEADER_TIMEOUT}, body_timeout={BODY_TIMEOUT}, keep_alive_timeout=1,
    limit_concurrency=150, max_connections=200,
)
app = create_app(rec, api_key=sys.argv[2], limits=limits)
if len(sys.argv) > 3:  # a hard descriptor limit a few above what is open now
    import os, resource, signal
    n_open = len(os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (n_open + int(sys.argv[3]),) * 2)
    hogged = []

    def hog(signum, frame):  # SIGUSR1: use up every descriptor left; SIGUSR2: give them back
        if signum == signal.SIGUSR2:
            while hogged:
                os.close(hogged.pop())
            return
        try:
            while True:
                hogged.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            pass

    signal.signal(signal.SIGUSR1, hog)
    signal.signal(signal.SIGUSR2, hog)
sys.exit(run_server(app, host="127.0.0.1", port=int(sys.argv[1]), graceful_timeout=5))
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(SERVER, KEY)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def connect(server: Server, data: bytes = b"") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    if data:
        s.sendall(data)
    return s


def read_until_closed(s: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    data = b""
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([s], [], [], left)
        if not ready:
            break
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def head(method: str, path: str, *extra: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: t", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def worker_body(size: int = 0) -> bytes:
    body = json.dumps({"worker": make_worker().model_dump(mode="json"), "k": 3}).encode()
    return body + b" " * max(0, size - len(body))


def test_half_sent_headers_and_idle_connections_are_closed(server: Server) -> None:
    stalled = [connect(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ") for _ in range(60)]
    stalled += [connect(server) for _ in range(40)]  # connected, never a byte
    try:
        # the server keeps answering others meanwhile
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        for s in stalled:
            data, closed = read_until_closed(s, HEADER_TIMEOUT + 20)
            assert closed and (not data or data.startswith(b"HTTP/1.1 408"))
    finally:
        for s in stalled:
            s.close()


def test_a_body_at_one_byte_per_second_gets_408(server: Server) -> None:
    s = connect(
        server, head("POST", "/v1/recommendations", f"X-API-Key: {KEY}", "Content-Length: 400")
    )
    try:
        deadline = time.monotonic() + BODY_TIMEOUT + 20
        data, closed = b"", False
        while not closed and time.monotonic() < deadline:
            try:
                s.sendall(b" ")
            except OSError:
                pass
            more, closed = read_until_closed(s, 1.0)
            data += more
        assert closed and data.startswith(b"HTTP/1.1 408"), data[:200]
        assert b'"request_timeout"' in data
    finally:
        s.close()


def test_idle_keep_alive_connection_is_closed(server: Server) -> None:
    s = connect(server, head("GET", "/healthz"))
    try:
        data, closed = read_until_closed(s, 20)
        assert data.startswith(b"HTTP/1.1 200") and closed
    finally:
        s.close()


def test_chunked_body_without_key_is_refused_before_it_is_read(server: Server) -> None:
    s = connect(
        server,
        head(
            "POST",
            "/v1/recommendations",
            "Transfer-Encoding: chunked",
            "Content-Type: application/json",
        ),
    )
    try:
        data, closed = read_until_closed(s, 10)  # well before the body timeout
        assert data.startswith(b"HTTP/1.1 401") and closed
    finally:
        s.close()


def test_chunked_body_over_the_cap_gets_413_while_streaming(server: Server) -> None:
    s = connect(
        server,
        head("POST", "/v1/recommendations", f"X-API-Key: {KEY}", "Transfer-Encoding: chunked"),
    )
    try:
        chunk = b"x" * 4096
        for _ in range(MAX_BODY // 4096 + 2):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        data, closed = read_until_closed(s, 10)
        assert data.startswith(b"HTTP/1.1 413") and closed
    finally:
        s.close()


def test_bodies_in_flight_are_bounded_and_released(server: Server) -> None:
    declared = head(
        "POST", "/v1/recommendations", f"X-API-Key: {KEY}", f"Content-Length: {MAX_BODY - 100}"
    )
    held = [connect(server, declared + b"{") for _ in range(2)]  # 2 x 16 KB of 40 KB
    try:
        time.sleep(0.5)  # let the server start reading both
        s = connect(server, declared + b"{")
        data, closed = read_until_closed(s, 10)
        s.close()
        assert data.startswith(b"HTTP/1.1 503") and b"retry-after: 1" in data.lower() and closed
        for h in held:  # the held bodies time out and give their budget back
            data, closed = read_until_closed(h, BODY_TIMEOUT + 20)
            assert data.startswith(b"HTTP/1.1 408") and closed
    finally:
        for h in held:
            h.close()
    body = worker_body(MAX_BODY - 100)
    r = httpx.post(f"{server.url}/v1/recommendations", content=body, headers=AUTH, timeout=30)
    assert r.status_code == 200


def test_missing_content_type_is_read_as_json(server: Server) -> None:
    s = connect(
        server,
        head(
            "POST",
            "/v1/recommendations",
            f"X-API-Key: {KEY}",
            f"Content-Length: {len(worker_body())}",
        )
        + worker_body(),
    )
    try:
        data, _ = read_until_closed(s, 3)
        assert data.startswith(b"HTTP/1.1 200"), data[:300]
    finally:
        s.close()


def test_metrics_labels_stay_bounded(server: Server) -> None:
    for i in range(30):
        s = connect(server, head(f"FOO{i}", f"/random/{i}", "Connection: close"))
        read_until_closed(s, 3)
        s.close()
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    assert "FOO" not in text and "/random" not in text
    assert 'method="OTHER",route="other"' in text


def test_client_disconnect_is_counted_apart_from_5xx(server: Server) -> None:
    s = connect(
        server,
        head("POST", "/v1/recommendations", f"X-API-Key: {KEY}", "Content-Length: 500") + b'{"wor',
    )
    time.sleep(0.3)
    s.close()
    deadline = time.monotonic() + 20
    while 'status="499"' not in (text := httpx.get(f"{server.url}/metrics", timeout=10).text):
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
    assert 'status="500"' not in text
    assert "Traceback" not in server.text()


def test_requests_in_flight_past_the_concurrency_limit_get_503(server: Server) -> None:
    # heads complete, bodies pending: requests in flight, none of them waiting for a head
    pending = (
        head(
            "POST",
            "/v1/recommendations",
            "Content-Type: application/json",
            "Content-Length: 10",
            f"X-API-Key: {KEY}",
        )
        + b'{"w'
    )
    busy = [connect(server, pending) for _ in range(140)]
    time.sleep(0.5)  # read by the server: not evicted by the next ones
    try:
        for _ in range(15):
            busy.append(connect(server, pending))
            time.sleep(0.02)
        deadline = time.monotonic() + BODY_TIMEOUT
        statuses = set()
        while time.monotonic() < deadline and 503 not in statuses:
            statuses.add(httpx.get(f"{server.url}/healthz", timeout=10).status_code)
        assert 503 in statuses  # past limit_concurrency (150): refused, not queued
    finally:
        for s in busy:
            s.close()
    _wait_healthy(server)


def test_stalled_connections_make_room_for_a_prompt_request(server: Server) -> None:
    # regression: 20,000 stalled connections made /healthz time out (issue 13)
    stalled = [connect(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ") for _ in range(260)]
    try:  # past limit_concurrency (150) and max_connections (200)
        time.sleep(0.5)  # before the header timeout: the longest waiting got 408 and closed
        evicted = 0
        for s in stalled[:100]:
            data, closed = read_until_closed(s, 0.01)
            evicted += closed and data.startswith(b"HTTP/1.1 408")
        assert evicted > 0
        # a request sent at once gets in: it evicts the connection waiting longest
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        for s in stalled:
            s.close()
    _wait_healthy(server)


def test_descriptor_limit_logs_one_line_per_episode() -> None:
    srv = Server(SERVER, KEY, "120")  # 120 descriptors left, 64 of them kept from connections
    try:
        srv.wait_ready()
        held = [connect(srv) for _ in range(150)]
        time.sleep(1.5)  # the loop retries the paused accept every second
        assert srv.text().count("accept() failed") == 1, srv.text()
        for s in held:
            s.close()
        _wait_healthy(srv)
        _wait_for(srv, "accepting connections again")
        time.sleep(3.5)  # a new episode
        # descriptors used up by something else: accept() itself fails, one more line
        srv.proc.send_signal(signal.SIGUSR1)
        held = [connect(srv) for _ in range(20)]
        time.sleep(1.5)
        srv.proc.send_signal(signal.SIGUSR2)
        for s in held:
            s.close()
        _wait_healthy(srv)
    finally:
        srv.stop()
    log = srv.text()
    assert log.count("accept() failed") == 2, log
    assert "last 64" in log and "Traceback" not in log


def _wait_for(srv: Server, text: str) -> None:
    deadline = time.monotonic() + 30
    while text not in srv.text():
        assert time.monotonic() < deadline, srv.text()
        time.sleep(0.2)


def _wait_healthy(srv: Server) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{srv.url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, srv.text()
        time.sleep(0.2)
