"""Embed skillmatch in a host platform's own Python process.

A platform (a union's worker app, a national learning platform) builds one ``Recommender``
over its catalogue at start-up and calls it per request: no network hop, about a millisecond a
call once a worker's skill phrases have been seen. A worker profile arriving as JSON is
validated at the boundary; a bad field is refused with an error that names it.

The second half mounts the HTTP API inside the host's own ASGI app, for the host's
non-Python services, sharing the same model object.

    HF_HUB_OFFLINE=1 python examples/embed_in_platform.py
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from skillmatch.core.recommend import Recommender
from skillmatch.schema import Worker

# 1. Start-up: one recommender, loaded from a verified bundle (here the default one over the
#    simulated catalogue; a platform builds its own with Recommender.from_catalog and save).
rec = Recommender.load()
print(f"catalogue: {len(rec.programs)} programs, model {rec.fingerprint()[:12]}")

# 2. Per request: validate the profile the app sent, rank, show the reasons.
payload = json.loads("""{
  "worker_id": "union-app-000123",
  "skills": [{"text": "电焊 arc welding", "level": 3, "years": 6}, {"text": "forklift"}],
  "occupation": "welder", "education": "secondary_vocational", "region": "CN-GD",
  "migrant": true, "weekly_hours": 6, "shift_pattern": "rotating",
  "goal": "move into robot maintenance"
}""")
worker = Worker.model_validate(payload)
for r in rec.recommend(worker, k=5, kinds=["certificate", "short_course"]):
    program = rec.program(r.program_id)
    print(f"{r.rank}. {program.title} [{program.kind}, {program.modality}] {r.score:.3f}")
    for reason in r.reasons:
        print(f"     - {reason.text_en} / {reason.text_zh}")

top = rec.recommend(worker, k=1)[0]
why = rec.explain(worker, top.program_id)
print(
    f"net cost {why.net_cost} CNY, aid applied: {why.aid_applied}, "
    f"skills gained: {', '.join(why.gained_skills[:5])}"
)

try:
    Worker.model_validate({**payload, "weekly_hours": -3})
except ValidationError as exc:
    print("refused:", exc.errors()[0]["loc"], exc.errors()[0]["msg"])

# 3. Optional: serve the same model over HTTP from inside the host's ASGI app
#    (needs `pip install "skillmatch[service]"`).
try:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from skillmatch.service import create_app
except ImportError:
    print('skip HTTP part: pip install "skillmatch[service]"')
else:
    host = FastAPI(title="host platform")
    host.mount("/skillmatch", create_app(rec))  # same Recommender object, no second copy
    client = TestClient(host)
    reply = client.post(
        "/skillmatch/v1/recommendations",
        json={"worker": payload, "k": 3, "modality": ["online", "blended"]},
    )
    print("HTTP", reply.status_code, [r["program_id"] for r in reply.json()["recommendations"]])
