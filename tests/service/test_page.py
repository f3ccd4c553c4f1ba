"""The course-finder page as HTTP sees it: files in the package, headers, the switch to turn it off.

What it does in a browser is in ``test_page_browser.py``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.resources import files
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from skillmatch.cli import main  # noqa: E402
from skillmatch.cli.demo import PAGE_HINT  # noqa: E402
from skillmatch.core.recommend import Recommender  # noqa: E402
from skillmatch.service import create_app  # noqa: E402
from skillmatch.service.page import CONTENT_SECURITY_POLICY, STATIC_TYPES  # noqa: E402
from skillmatch.text.vocab import SkillVocabulary  # noqa: E402
from tests.conftest import TINY_SKILLS, FakeEncoder, tiny_chains, tiny_programs  # noqa: E402

KEY = "page-test-key"
STATIC = files("skillmatch.service").joinpath("static")


@pytest.fixture(scope="module")
def rec() -> Recommender:
    vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=FakeEncoder())
    return Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=vocab)


@pytest.fixture(scope="module")
def client(rec: Recommender) -> TestClient:
    return TestClient(create_app(rec, api_key=KEY))


class _Refs(HTMLParser):
    """The files a page refers to, and whether it holds inline script, style or handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        values = dict(attrs)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]
        self.inline += [f"{tag} {k}" for k, _ in attrs if k == "style" or k.startswith("on")]
        if tag == "style" or (tag == "script" and "src" not in values):
            self.inline.append(tag)

    def handle_data(self, data: str) -> None:
        if self._tag == "script" and data.strip():
            self.inline.append("script text")


def test_page_and_its_files_are_served_with_a_strict_policy(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    refs = _Refs()
    refs.feed(r.text)
    assert refs.inline == []
    assert sorted(refs.refs) == [
        "static/app.js",
        "static/favicon.svg",
        "static/style.css",
    ]
    for url in ["/", *(f"/{ref}" for ref in refs.refs), "/static/i18n.js"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert client.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    policy = dict(p.split(" ", 1) for p in CONTENT_SECURITY_POLICY.split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_only_the_page_files_are_served(client: TestClient) -> None:
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/..%2Fpage.py").status_code == 404
    assert client.get("/static/").status_code == 404
    assert client.post("/").status_code == 405


def test_page_needs_no_key_and_is_not_part_of_the_api(client: TestClient) -> None:
    assert client.get("/").status_code == 200
    assert client.post("/v1/recommendations", json={}).status_code == 401
    paths = client.app.openapi()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


def test_page_can_be_switched_off(rec: Recommender) -> None:
    client = TestClient(create_app(rec, page=False))
    assert client.get("/").status_code == 404
    assert client.get("/static/app.js").status_code == 404
    assert client.get("/readyz").status_code == 200


def test_serve_no_page_flag_reaches_create_app(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def fake_create_app(**kwargs: Any) -> None:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr("skillmatch.service.app.create_app", fake_create_app)
    monkeypatch.setattr("skillmatch.cli.serve._configure_logging", lambda level: None)
    monkeypatch.setattr("skillmatch.cli.serve._limit_torch_threads", lambda n: None)
    for argv, page in ((["serve", "--no-page"], False), (["serve"], True)):
        with pytest.raises(Stop):
            main(argv)
        assert seen["page"] is page


def _sources() -> dict[str, str]:
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in STATIC.iterdir()
        if entry.is_file() and "." + entry.name.rsplit(".", 1)[-1] in STATIC_TYPES
    }


def test_page_is_small_plain_and_self_contained() -> None:
    sources = _sources()
    assert {"index.html", "app.js", "api.js", "i18n.js", "render.js", "style.css"} <= set(sources)
    total = sum(len(text.encode()) for text in sources.values())
    assert total < 64_000, f"the page should stay small (tens of KB), it is {total} bytes"
    for name, text in sources.items():
        assert not re.search(
            r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text.replace("w3.org", "")
        ), f"{name} refers to another origin"
        if name.endswith(".js"):
            for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
                assert sink not in text, f"{name} uses {sink}"
            assert "localStorage" not in text and "sessionStorage" not in text
            assert "document.cookie" not in text


def test_demo_says_how_to_open_the_page() -> None:
    assert "skillmatch serve" in PAGE_HINT and "http://127.0.0.1:8000/" in PAGE_HINT
