"""In-process tests of the HTTP service (FastAPI TestClient, schemathesis over ASGI)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

import schemathesis  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from skillmatch.core.recommend import Recommender  # noqa: E402
from skillmatch.service import create_app, openapi_document  # noqa: E402
from skillmatch.service.http import ACCESS_LOGGER, BUCKETS  # noqa: E402
from skillmatch.service.state import ModelSlot, ReloadInProgressError, ServiceState  # noqa: E402
from tests.conftest import make_worker, tiny_chains, tiny_programs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key-0123456789"
AUTH = {"X-API-Key": KEY}


def worker_json(**overrides: Any) -> dict[str, Any]:
    return make_worker(**overrides).model_dump(mode="json")


@pytest.fixture(scope="module")
def client(tiny_rec: Recommender) -> TestClient:
    return TestClient(create_app(tiny_rec))


@pytest.fixture(scope="module")
def other_rec(tiny_vocab: object) -> Recommender:
    """The tiny catalogue without its last program: a different fingerprint."""
    return Recommender.from_catalog(
        tiny_programs()[:-1], chains=tiny_chains(), vocabulary=tiny_vocab
    )


def keyed_client(rec: Recommender, **kw: Any) -> TestClient:
    return TestClient(create_app(rec, api_key=KEY, **kw), raise_server_exceptions=False)


# -- endpoints against the in-process oracle -----------------------------------------------
def test_recommend_matches_the_python_api(client: TestClient, tiny_rec: Recommender) -> None:
    r = client.post("/v1/recommendations", json={"worker": worker_json(), "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = [x.model_dump(mode="json") for x in tiny_rec.recommend(make_worker(), k=3)]
    assert body["recommendations"] == expected
    assert body["worker_id"] == "w1"
    assert body["model"] == tiny_rec.fingerprint()


def test_recommend_filters_and_unknown_excludes(client: TestClient, tiny_rec: Recommender) -> None:
    payload = {
        "worker": worker_json(),
        "k": 10,
        "exclude": ["welder5", "retired-program"],
        "kinds": ["certificate", "short_course"],
    }
    r = client.post("/v1/recommendations", json=payload)
    assert r.status_code == 200, r.text
    expected = tiny_rec.recommend(
        make_worker(), k=10, exclude=["welder5"], kinds=["certificate", "short_course"]
    )
    assert [x["program_id"] for x in r.json()["recommendations"]] == [
        x.program_id for x in expected
    ]
    assert "welder5" not in {x["program_id"] for x in r.json()["recommendations"]}


def test_batch_matches_recommend_many(client: TestClient, tiny_rec: Recommender) -> None:
    workers = [make_worker(), make_worker(worker_id="w2", region="CN-AH", skills=[])]
    r = client.post(
        "/v1/recommendations:batch",
        json={"workers": [w.model_dump(mode="json") for w in workers], "k": 2},
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    expected = tiny_rec.recommend_many(workers, k=2)
    assert [x["worker_id"] for x in results] == ["w1", "w2"]
    for got, want in zip(results, expected, strict=True):
        assert got["recommendations"] == [x.model_dump(mode="json") for x in want]


def test_batch_bounds(tiny_rec: Recommender) -> None:
    client = TestClient(create_app(tiny_rec, max_batch=2))
    three = [worker_json(worker_id=f"w{i}") for i in range(3)]
    r = client.post("/v1/recommendations:batch", json={"workers": three})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "workers"
    r = client.post("/v1/recommendations:batch", json={"workers": [worker_json()] * 101})
    assert r.status_code == 422 and r.json()["error"]["field"] == "workers"
    r = client.post("/v1/recommendations:batch", json={"workers": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "workers"


def test_explain_matches_the_python_api(client: TestClient, tiny_rec: Recommender) -> None:
    r = client.post("/v1/explanations", json={"worker": worker_json(), "program_id": "robot"})
    assert r.status_code == 200, r.text
    expected = tiny_rec.explain(make_worker(), "robot").model_dump(mode="json")
    assert r.json()["explanation"] == expected


def test_unknown_program_is_404_naming_the_id(client: TestClient) -> None:
    r = client.post("/v1/explanations", json={"worker": worker_json(), "program_id": "nope-1"})
    assert r.status_code == 404
    assert r.json()["error"] == {
        "code": "unknown_program",
        "field": "program_id",
        "message": "unknown program_id 'nope-1'",
        "details": [],
    }
    r = client.get("/v1/programs/nope-2")
    assert r.status_code == 404 and "'nope-2'" in r.json()["error"]["message"]


def test_get_program(client: TestClient, tiny_rec: Recommender) -> None:
    r = client.get("/v1/programs/robot")
    assert r.status_code == 200
    assert r.json()["program"] == tiny_rec.program("robot").model_dump(mode="json")
    r = client.get("/v1/programs/" + "x" * 65)
    assert r.status_code == 422 and r.json()["error"]["field"] == "program_id"


# -- hardening -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": 101}, "k"),
        ({"k": "ten"}, "k"),
        ({"surprise": 1}, "surprise"),
        ({"kinds": ["phd"]}, "kinds.0"),
        ({"kinds": []}, "kinds"),
        ({"exclude": ["p"] * 501}, "exclude"),
        ({"exclude": ["bad id!"]}, "exclude.0"),
    ],
)
def test_422_names_the_field(client: TestClient, payload: dict[str, Any], field: str) -> None:
    r = client.post("/v1/recommendations", json={"worker": worker_json(), **payload})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert error["message"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"salary": 1000}, "worker.salary"),
        ({"skills": [{"text": "weld", "level": 9}]}, "worker.skills.0.level"),
        ({"skills": [{"text": "x"}] * 51}, "worker.skills"),
        ({"region": "nowhere"}, "worker.region"),
    ],
)
def test_worker_errors_name_the_nested_field(
    client: TestClient, overrides: dict[str, Any], field: str
) -> None:
    worker = {**worker_json(), **overrides}
    r = client.post("/v1/recommendations", json={"worker": worker})
    assert r.status_code == 422
    assert field in {d["field"] for d in r.json()["error"]["details"]}


def test_422_does_not_echo_large_inputs(client: TestClient) -> None:
    secret = "SECRET-" + "y" * 5000
    r = client.post(
        "/v1/recommendations",
        json={"worker": {**worker_json(), "occupation": secret, "goal": secret}},
    )
    assert r.status_code == 422
    assert "SECRET" not in r.text and len(r.text) < 2000


def test_invalid_json_and_media_type(client: TestClient) -> None:
    r = client.post(
        "/v1/recommendations", content=b'{"worker": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    r = client.post(
        "/v1/recommendations",
        content=b"worker=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"


def test_body_limit_declared_and_streamed(tiny_rec: Recommender) -> None:
    client = TestClient(create_app(tiny_rec, max_body_bytes=4096))
    big = json.dumps({"worker": worker_json(goal="g" * 400), "exclude": ["p"] * 2000})
    r = client.post(
        "/v1/recommendations", content=big, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    chunks = iter([big[:3000].encode(), big[3000:].encode()])  # no Content-Length: chunked
    r = client.post(
        "/v1/recommendations", content=chunks, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    small = json.dumps({"worker": worker_json(), "k": 2}).encode()
    r = client.post(
        "/v1/recommendations",
        content=iter([small[:50], small[50:]]),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200 and len(r.json()["recommendations"]) == 2


def test_api_key(tiny_rec: Recommender, monkeypatch: pytest.MonkeyPatch) -> None:
    import skillmatch.service.state as state_module

    compared: list[tuple[bytes, bytes]] = []
    real = state_module.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(state_module.hmac, "compare_digest", spy)
    client = keyed_client(tiny_rec)
    body = {"worker": worker_json()}
    assert client.post("/v1/recommendations", json=body).status_code == 401
    r = client.post("/v1/recommendations", json=body, headers={"X-API-Key": "wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert KEY not in r.text
    assert client.post("/v1/recommendations", json=body, headers=AUTH).status_code == 200
    assert client.get("/v1/programs/robot", headers=AUTH).status_code == 200
    assert client.get("/v1/programs/robot").status_code == 401
    assert client.get("/healthz").status_code == 200  # probes stay open
    assert compared and all(b == KEY.encode() for _, b in compared)


def test_errors_never_leak_internals(
    tiny_rec: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = keyed_client(tiny_rec)
    slot = client.app.state.skillmatch.slot  # type: ignore[attr-defined]

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret /srv/models/default connection string")

    monkeypatch.setattr(slot.recommender, "recommend", boom)
    r = client.post("/v1/recommendations", json={"worker": worker_json()}, headers=AUTH)
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal server error",
            "field": None,
            "details": [],
        }
    }
    for path, method in [("/nope", "get"), ("/v1/programs/robot", "delete")]:
        r = client.request(method, path, headers=AUTH)
        assert r.status_code in (404, 405) and set(r.json()) == {"error"}


def test_metrics_exposition(tiny_rec: Recommender) -> None:
    client = TestClient(create_app(tiny_rec))
    client.post("/v1/recommendations", json={"worker": worker_json()})
    client.post("/v1/recommendations", json={"worker": worker_json(), "k": 0})
    client.get("/v1/programs/robot")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert (
        'skillmatch_http_requests_total{method="POST",route="/v1/recommendations",status="200"} 1'
    ) in text
    assert 'route="/v1/recommendations",status="422"} 1' in text
    assert 'route="/v1/programs/{program_id}",status="200"} 1' in text  # template, not path
    name = "skillmatch_http_request_duration_seconds"
    assert f'{name}_bucket{{route="/v1/recommendations",le="+Inf"}} 2' in text
    assert f'{name}_count{{route="/v1/recommendations"}} 2' in text
    assert text.count(f'{name}_bucket{{route="/v1/recommendations",') == len(BUCKETS) + 1
    assert f'skillmatch_model_info{{model="{tiny_rec.fingerprint()}"}} 1' in text


def test_access_log_has_no_personal_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    goal = "find a job away from my abusive manager"
    worker = worker_json(worker_id="emp-4711-secret", goal=goal)
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.post("/v1/recommendations", json={"worker": worker, "k": 2})
        client.post("/v1/recommendations", json={"worker": worker, "k": 2})
        client.post("/v1/recommendations", json={"worker": {**worker, "age": 3}})
        client.get("/v1/programs/robot?email=someone@example.com")
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 4
    joined = "\n".join(lines)
    for private in ("emp-4711", "abusive", "someone@example.com", "age"):
        assert private not in joined
    assert lines[0].startswith("POST /v1/recommendations 200 ")
    hashed = [part for part in lines[0].split() if part.startswith("worker=")]
    assert len(hashed) == 1 and len(hashed[0]) == len("worker=") + 12
    assert hashed[0] in lines[1]  # the same worker links within the process
    assert lines[3].startswith("GET /v1/programs/{program_id} 200 ")


# -- reload --------------------------------------------------------------------------------
def test_admin_reload_swaps_the_model(tiny_rec: Recommender, other_rec: Recommender) -> None:
    models = iter([other_rec, tiny_rec])
    client = TestClient(create_app(tiny_rec, loader=lambda: next(models), api_key=KEY))
    before = client.get("/readyz").json()
    assert before == {"status": "ready", "model": tiny_rec.fingerprint(), "n_programs": 7}
    assert client.post("/v1/admin/reload").status_code == 401
    r = client.post("/v1/admin/reload", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["model"] == other_rec.fingerprint()
    assert r.json()["previous_model"] == tiny_rec.fingerprint()
    assert client.get("/readyz").json()["n_programs"] == 6
    got = client.post("/v1/recommendations", json={"worker": worker_json()}, headers=AUTH)
    assert got.json()["model"] == other_rec.fingerprint()
    assert 'skillmatch_reloads_total{outcome="ok"} 1' in client.get("/metrics").text


def test_admin_reload_needs_a_key_and_a_source(tiny_rec: Recommender) -> None:
    r = TestClient(create_app(tiny_rec, loader=lambda: tiny_rec)).post("/v1/admin/reload")
    assert r.status_code == 403
    r = keyed_client(tiny_rec).post("/v1/admin/reload", headers=AUTH)  # an object, no bundle
    assert r.status_code == 409


def test_failed_reload_keeps_serving(tiny_rec: Recommender) -> None:
    def broken() -> Recommender:
        raise OSError("/srv/bundles/new: manifest.json missing")

    client = TestClient(create_app(tiny_rec, loader=broken, api_key=KEY))
    r = client.post("/v1/admin/reload", headers=AUTH)
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "reload_failed" and "/srv" not in r.text
    assert client.get("/readyz").json()["model"] == tiny_rec.fingerprint()
    got = client.post("/v1/recommendations", json={"worker": worker_json()}, headers=AUTH)
    assert got.status_code == 200


def test_swap_keeps_in_flight_model(tiny_rec: Recommender, other_rec: Recommender) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow_loader() -> Recommender:
        started.set()
        release.wait(10)
        return other_rec

    state = ServiceState(ModelSlot.of(tiny_rec), loader=slow_loader, api_key=None)
    in_flight = state.slot  # what a request read when it started
    worker = threading.Thread(target=state.reload)
    worker.start()
    started.wait(10)
    assert state.slot is in_flight  # still serving while the new model builds
    with pytest.raises(ReloadInProgressError):
        state.reload()
    release.set()
    worker.join(10)
    assert state.slot.fingerprint == other_rec.fingerprint()
    assert in_flight.recommender.recommend(make_worker(), k=1)  # the old one still works


# -- construction and packaging ------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_batch": 0},
        {"max_batch": 101},
        {"max_body_bytes": 10},
        {"api_key": ""},
        {"bundle": "x", "loader": lambda: None},
    ],
)
def test_create_app_rejects_bad_options(tiny_rec: Recommender, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        create_app(tiny_rec, **kwargs)


def test_openapi_document_is_committed_and_served(client: TestClient) -> None:
    committed = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    assert openapi_document() == committed, (
        "openapi.json is stale: run `skillmatch serve --openapi > openapi.json`"
    )
    assert client.get("/openapi.json").json() == committed


def test_import_skillmatch_does_not_import_fastapi() -> None:
    code = (
        "import sys, skillmatch, skillmatch.core.recommend, skillmatch.cli; "
        "assert 'fastapi' not in sys.modules and 'uvicorn' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_missing_fastapi_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['fastapi'] = None\n"
        "from skillmatch.errors import MissingDependencyError\n"
        "try:\n    import skillmatch.service\n"
        "except MissingDependencyError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, timeout=120, capture_output=True, text=True
    ).stdout
    assert 'pip install "skillmatch[service]"' in out


# -- schemathesis against the OpenAPI document, in process ----------------------------------
# The committed document drives generation; the fixture's app answers (pytest 9 broke
# schemathesis.pytest.from_fixture, so the schema is loaded from the file at import time).


class _LateApp:
    """An ASGI app that forwards to the fixture's app. Set on the schema at import time, so
    that every check, including those that send requests of their own (without the API key,
    with another method), reaches the app in process."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


LATE_APP = _LateApp()
schema = schemathesis.openapi.from_dict(json.loads((ROOT / "openapi.json").read_text("utf-8")))
schema.app = LATE_APP


@pytest.fixture(scope="module")
def fuzzed_app(tiny_rec: Recommender) -> Any:
    """The app with an API key, as the schema declares (checks send requests without it)."""
    LATE_APP.target = create_app(tiny_rec, api_key=KEY)
    return LATE_APP.target


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_schemathesis_all_checks(case: Any, fuzzed_app: Any) -> None:
    """``st run --checks all`` in process: positive and negative cases, every built-in check.

    Without ``checks=``, schemathesis runs every check its registry enables (server errors,
    status codes, content types, headers, response schemas, negative data rejection,
    positive data acceptance, missing required headers, unsupported methods, ...).
    """
    case.call_and_validate(headers=AUTH)


def test_a_pinned_bundle_is_served_and_any_other_is_refused(
    tiny_rec: Recommender, tmp_path: Path
) -> None:
    from skillmatch.errors import ModelFormatError

    bundle = tmp_path / "bundle"
    tiny_rec.save(bundle)
    digest = Recommender.load(bundle).fingerprint()
    with pytest.raises(ModelFormatError, match="sha256"):
        create_app(bundle=bundle, bundle_sha256="0" * 64)
    client = TestClient(create_app(bundle=bundle, bundle_sha256=digest, api_key="k"))
    assert client.get("/readyz").status_code == 200
    # the bundle is swapped for another (a re-saved one with a different model card): a
    # reload must refuse it and keep serving the pinned model
    tiny_rec.save(bundle, model_card="# another model\n")
    answer = client.post("/v1/admin/reload", headers={"X-API-Key": "k"})
    assert answer.status_code >= 400
    assert client.get("/readyz").status_code == 200
    with pytest.raises(ValueError, match="give bundle, not loader"):
        create_app(loader=lambda: tiny_rec, bundle_sha256=digest)


def test_serve_refuses_a_malformed_pin() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "skillmatch.cli", "serve", "--bundle-sha256", "abc"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "expected 64 hexadecimal digits, got 'abc'" in out.stderr
