"""In-process regression tests of the service hardening: strict types, lanes, labels, limits."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from skillmatch.core.recommend import Recommender  # noqa: E402
from skillmatch.service import ServerLimits, create_app  # noqa: E402
from skillmatch.service.generation import SharedGeneration  # noqa: E402
from skillmatch.service.lanes import ENCODE_BATCH, RankingLanes  # noqa: E402
from skillmatch.service.models import NON_BLANK  # noqa: E402
from skillmatch.service.server import uvicorn_config  # noqa: E402
from skillmatch.text.vocab import SkillVocabulary  # noqa: E402
from tests.conftest import (  # noqa: E402
    TINY_SKILLS,
    FakeEncoder,
    make_worker,
    tiny_chains,
    tiny_programs,
)


class BatchRecorder(FakeEncoder):
    """The fake encoder with a cache, as the real one: records how many new texts each
    call had to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []
        self.cache: dict[str, NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            self.sizes.append(len(new))
            self.cache.update(zip(new, super().encode(new), strict=True))
        return np.array([self.cache[t] for t in texts], dtype=np.float32).reshape(-1, self.dim)


@pytest.fixture(scope="module")
def recorder() -> BatchRecorder:
    return BatchRecorder()


@pytest.fixture(scope="module")
def client(recorder: BatchRecorder) -> TestClient:
    vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=recorder)
    rec = Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=vocab)
    return TestClient(create_app(rec), raise_server_exceptions=False)


def body(**overrides: Any) -> dict[str, Any]:
    worker = make_worker().model_dump(mode="json")
    k = overrides.pop("k", 3)
    worker.update(overrides)
    return {"worker": worker, "k": k}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(weekly_hours=False), "worker.weekly_hours"),
        (body(k=True), "k"),
        (body(migrant="yes"), "worker.migrant"),
        (body(age=True), "worker.age"),
        (body(skills=[{"text": "weld", "level": True}]), "worker.skills.0.level"),
        (body(certificates=[{"trade": "\n", "level": 3}]), "worker.certificates.0.trade"),
        (body(occupation=" \t"), "worker.occupation"),
        (body(certificates=[{"trade": "\u0085", "level": 3}]), "worker.certificates.0.trade"),
        (body(k="3"), "k"),
        (body(certificates=[{"trade": "weld", "level": "4"}]), "worker.certificates.0.level"),
        (body(age=30.5), "worker.age"),
    ],
)
def test_http_types_are_strict(client: TestClient, payload: dict[str, Any], field: str) -> None:
    r = client.post("/v1/recommendations", json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_strict_types_still_take_json_numbers(client: TestClient) -> None:
    r = client.post("/v1/recommendations", json=body(weekly_hours=6, age=30, k=2))
    assert r.status_code == 200 and len(r.json()["recommendations"]) == 2
    # 2.0 is an integer to JSON Schema, so the validator takes it too
    certificates = [{"trade": "weld", "level": 4.0}]
    r = client.post("/v1/recommendations", json=body(age=30.0, k=2.0, certificates=certificates))
    assert r.status_code == 200 and len(r.json()["recommendations"]) == 2


def test_blank_trade_is_refused_by_the_published_schema_too(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Certificate"]["properties"]["trade"]["pattern"] == NON_BLANK


def test_request_without_content_type_is_read_as_json(client: TestClient) -> None:
    import json

    content = json.dumps(body()).encode()
    r = client.post("/v1/recommendations", content=content)
    assert "content-type" not in r.request.headers and r.status_code == 200, r.text
    r = client.post("/v1/recommendations", content=content, headers={"content-type": ""})
    assert r.status_code == 200, r.text


def test_new_text_is_encoded_in_small_batches(client: TestClient, recorder: BatchRecorder) -> None:
    recorder.sizes.clear()
    skills = [{"text": f"brand new skill number {i}"} for i in range(3 * ENCODE_BATCH)]
    r = client.post("/v1/recommendations", json=body(skills=skills))
    assert r.status_code == 200
    assert len(recorder.sizes) >= 3 and max(recorder.sizes) <= ENCODE_BATCH


def test_fast_work_overtakes_queued_encoding() -> None:
    lanes = RankingLanes()
    gate, started = threading.Event(), threading.Event()
    order: list[str] = []

    def blocker() -> None:
        started.set()
        gate.wait(30)
        order.append("e0")

    futures = [lanes.submit(blocker, encode=True)]
    assert started.wait(30)
    futures += [lanes.submit(order.append, f"e{i}", encode=True) for i in (1, 2, 3)]
    futures += [lanes.submit(order.append, f"f{i}") for i in range(6)]
    gate.set()
    for f in futures:
        f.result(30)
    lanes.shutdown()
    # at most one encoding batch between fast calls, and encoding still progresses
    assert order == ["e0", "f0", "f1", "f2", "f3", "e1", "f4", "f5", "e2", "e3"]


def test_metrics_collapse_unknown_methods_and_paths(client: TestClient) -> None:
    for i in range(5):
        client.request(f"BREW{i}", f"/teapot/{i}")
    text = client.get("/metrics").text
    assert "BREW" not in text and "/teapot" not in text
    assert 'method="OTHER",route="other"' in text


def test_limits_are_checked_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="header_timeout must be > 0, got header_timeout=-1"):
        ServerLimits(header_timeout=-1).check()
    with pytest.raises(ValueError, match="max_connections"):
        ServerLimits(limit_concurrency=10, max_connections=5).check()


def test_uvicorn_config_carries_every_limit() -> None:
    limits = ServerLimits(header_timeout=3.0, keep_alive_timeout=2, limit_concurrency=7)
    config = uvicorn_config("m:app", limits=ServerLimits(**{**limits.__dict__, "backlog": 64}))
    assert (config.header_timeout, config.timeout_keep_alive) == (3.0, 2)
    assert (config.limit_concurrency, config.max_connections, config.backlog) == (7, 1024, 64)


def test_shared_generation_publishes_in_order(tmp_path: Any) -> None:
    a = SharedGeneration(tmp_path / "generation.json")
    b = SharedGeneration(tmp_path / "generation.json")
    stamp = b.stamp()
    assert a.publish("m1") == 1 and b.changed(stamp) and b.read() == 1
    assert b.publish("m2") == 2 and a.read() == 2


@pytest.mark.parametrize(
    ("chunks", "status"),
    [
        ([b"x" * 1000] * 3, 413),  # over the cap while streaming
        ([b"{}", None], 408),  # the rest never comes
        ([b"{", "gone"], None),  # the client hangs up
        ([b"{}"], 200),
    ],
)
def test_body_guard_gives_back_every_reserved_byte(chunks: list[Any], status: int | None) -> None:
    import asyncio

    from skillmatch.service.limits import BodyGuard

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limits = ServerLimits(max_body_bytes=2048, max_inflight_body_bytes=4096, body_timeout=0.2)
    guard = BodyGuard(app, limits=limits)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else None
        if chunk is None:
            await asyncio.sleep(10)
        if chunk == "gone":
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/x", "headers": []}
    asyncio.run(guard(scope, receive, send))  # type: ignore[arg-type]
    assert [m.get("status") for m in sent if "status" in m] == ([status] if status else [])
    assert guard.inflight == 0
