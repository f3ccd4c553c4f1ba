"""``skillmatch serve --workers 2``: an admin reload reaches both worker processes.

Two tiny bundles (the packaged multilingual encoder, pure NumPy, so a worker starts in
seconds); the served directory is swapped from the first to the second, then one admin
reload is sent while four clients keep ranking on fresh connections (the kernel spreads
them over both workers). Every request sent after the reload answered must be ranked by
the new bundle.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

import httpx  # noqa: E402

from skillmatch.core.recommend import Recommender  # noqa: E402
from skillmatch.text.encode import Encoder  # noqa: E402
from skillmatch.text.vocab import SkillVocabulary  # noqa: E402
from tests.conftest import TINY_SKILLS, make_worker, tiny_chains, tiny_programs  # noqa: E402
from tests.service.live import Server  # noqa: E402

KEY = "workers-test-key"
AUTH = {"X-API-Key": KEY, "Connection": "close"}


def test_admin_reload_reaches_every_worker(tmp_path: Path, use_encoder: Encoder) -> None:
    vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=use_encoder)
    old = Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=vocab)
    new = Recommender.from_catalog(tiny_programs()[:-1], chains=tiny_chains(), vocabulary=vocab)
    live, staged = tmp_path / "live", tmp_path / "staged"
    old.save(live)
    new.save(staged)
    old_model, new_model = old.fingerprint(), new.fingerprint()
    skillmatch = str(Path(sys.executable).with_name("skillmatch"))
    srv = Server(
        argv=[skillmatch, "serve", "--workers", "2", "--bundle", str(live), "--port", "{port}"],
        env={"SKILLMATCH_API_KEY": KEY},
    )
    try:
        assert srv.wait_ready()["model"] == old_model
        deadline = time.monotonic() + 120  # both workers loaded the first bundle
        while srv.text().count("Application startup complete") < 2:
            assert time.monotonic() < deadline, srv.text()
            time.sleep(0.2)
        shutil.rmtree(live)
        shutil.copytree(staged, live)
        seen = _hammer_around_a_reload(srv.url, old_model, new_model)
    finally:
        srv.stop()
    after = [model for sent, status, model in seen if sent == "after"]
    assert {status for _, status, _ in seen} == {200}
    assert len(after) >= 20 and set(after) == {new_model}, srv.text()


def _hammer_around_a_reload(url: str, old_model: str, new_model: str) -> list[tuple[str, int, str]]:
    # text the bundles' encoder caches hold: no worker has to load the encoder's weights
    program = tiny_programs()[0]
    worker = make_worker(
        skills=[{"text": program.skills_taught[0].text, "level": 3}],
        occupation=program.title,
        goal=None,
    )
    body = {"worker": worker.model_dump(mode="json"), "k": 3}
    stop = threading.Event()
    answered = threading.Event()

    n_after = 0

    def hammer() -> list[tuple[str, int, str]]:
        nonlocal n_after
        seen = []
        while not stop.is_set():
            sent = "after" if answered.is_set() else "before"
            r = httpx.post(f"{url}/v1/recommendations", json=body, headers=AUTH, timeout=60)
            seen.append((sent, r.status_code, str(r.json().get("model", ""))))
            n_after += sent == "after"
        return seen

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(hammer) for _ in range(4)]
        try:
            time.sleep(1.0)
            r = httpx.post(f"{url}/v1/admin/reload", headers=AUTH, timeout=120)
            answered.set()
            deadline = time.monotonic() + 90
            while n_after < 24 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop.set()
    assert r.status_code == 200, r.text
    assert r.json()["model"] == new_model
    return [x for f in futures for x in f.result()]
