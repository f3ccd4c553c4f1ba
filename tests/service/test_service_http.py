"""The service over real HTTP: a uvicorn process on 127.0.0.1, signals, schemathesis live."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("uvicorn")

import httpx  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.conftest import make_worker  # noqa: E402
from tests.service.live import ROOT, Server  # noqa: E402

KEY = "http-test-key"
AUTH = {"X-API-Key": KEY}

# The server process: the tiny catalogue of conftest, reloading alternates two catalogues.
SERVER = """
import sys
from tests.conftest import TINY_SKILLS, tiny_chains, tiny_programs
from skillmatch.text.encode import Encoder
from skillmatch.text.vocab import SkillVocabulary
from skillmatch.core.recommend import Recommender
from skillmatch.service import create_app
from skillmatch.cli.serve import run_server

vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=Encoder())
catalogues = [tiny_programs(), tiny_programs()[:-1]]
loads = []

def loader():
    loads.append(1)
    return Recommender.from_catalog(catalogues[len(loads) % 2], chains=tiny_chains(),
                                    vocabulary=vocab)

app = create_app(loader=loader, api_key=sys.argv[2])
sys.exit(run_server(app, host="127.0.0.1", port=int(sys.argv[1]), graceful_timeout=10))
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(SERVER, KEY)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def body(**overrides: Any) -> dict[str, Any]:
    return {"worker": make_worker(**overrides).model_dump(mode="json"), "k": 3}


def test_endpoints_over_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        r = c.post("/v1/recommendations", json=body(), headers=AUTH)
        assert r.status_code == 200 and len(r.json()["recommendations"]) == 3
        assert c.post("/v1/recommendations", json=body()).status_code == 401
        r = c.post(
            "/v1/recommendations:batch",
            headers=AUTH,
            json={"workers": [body()["worker"], body(worker_id="w2")["worker"]]},
        )
        assert [x["worker_id"] for x in r.json()["results"]] == ["w1", "w2"]
        r = c.post(
            "/v1/explanations",
            headers=AUTH,
            json={"worker": body()["worker"], "program_id": "robot"},
        )
        assert r.status_code == 200 and r.json()["explanation"]["program_id"] == "robot"
        assert c.get("/v1/programs/nope", headers=AUTH).status_code == 404
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.get("/openapi.json").json() == json.loads((ROOT / "openapi.json").read_text())
        assert 'status="200"' in c.get("/metrics").text


def test_body_limit_over_a_real_socket(server: Server) -> None:
    big = b'{"worker": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/v1/recommendations", content=big, headers=AUTH)
        assert r.status_code == 413
        chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))  # chunked encoding
        r = c.post("/v1/recommendations", content=chunks, headers=AUTH)
        assert r.status_code == 413
    assert server.proc.poll() is None


def test_reload_under_load_drops_nothing(server: Server) -> None:
    first = server.wait_ready()["model"]
    stop = threading.Event()

    def hammer() -> list[tuple[int, str]]:
        seen = []
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not stop.is_set():
                r = c.post("/v1/recommendations", json=body(), headers=AUTH)
                seen.append((r.status_code, r.json().get("model", "")))
        return seen

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(hammer) for _ in range(4)]
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGHUP)
        second = _wait_for_model_change(server, first)
        r = httpx.post(f"{server.url}/v1/admin/reload", headers=AUTH, timeout=60)
        assert r.status_code == 200 and r.json()["previous_model"] == second
        time.sleep(0.5)
        stop.set()
        results = [x for f in futures for x in f.result()]
    assert len(results) > 20
    assert {status for status, _ in results} == {200}
    assert {model for _, model in results} == {first, second}


def _wait_for_model_change(server: Server, model: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = str(server.wait_ready()["model"])
        if current != model:
            return current
        time.sleep(0.1)
    raise TimeoutError("the model did not change after SIGHUP:\n" + "".join(server.log))


schema = schemathesis.openapi.from_dict(json.loads((ROOT / "openapi.json").read_text("utf-8")))


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_schemathesis_live(case: Any, server: Server) -> None:
    if case.path == "/v1/admin/reload":
        pytest.skip("reloads are covered above; fuzzing them only rebuilds the model")
    case.call_and_validate(base_url=server.url, headers=AUTH, timeout=30)  # every check


def test_graceful_shutdown_and_clean_logs(server: Server) -> None:
    secret = "emp-secret-0042"
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert (
            c.post(
                "/v1/recommendations",
                json=body(worker_id=secret, goal="private goal"),
                headers=AUTH,
            ).status_code
            == 200
        )
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0
    log = "".join(server.log)
    assert "POST /v1/recommendations 200" in log and "worker=" in log
    assert secret not in log and "private goal" not in log
    assert "Traceback" not in log
