from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from skillmatch.schema import Chain, ChainNode, Program, Reason, Recommendation, SkillClaim, Worker

WORKER: dict[str, Any] = {
    "worker_id": "w1",
    "skills": [{"text": "arc welding", "level": 3, "years": 2}],
    "occupation": "welder",
    "education": "secondary_vocational",
    "certificates": [{"trade": "welder", "level": 4}],
    "region": "CN-GD",
    "employer_node": "nev.cells",
    "migrant": True,
    "weekly_hours": 6,
    "shift_pattern": "rotating",
    "preferred_modality": "online",
    "goal": "get a welding certificate",
    "gender": "female",
    "age": 31,
}
PROGRAM: dict[str, Any] = {
    "program_id": "p1",
    "title": "Welder level 4",
    "description": "National welder certificate, level 4.",
    "kind": "certificate",
    "provider": "Shenzhen Polytechnic",
    "skills_taught": [{"text": "arc welding", "level": 4}],
    "min_education": "junior_secondary",
    "min_certificate_level": 5,
    "required_skills": ["welding safety"],
    "chain_nodes": ["nev.assembly"],
    "modality": "in_person",
    "regions": ["CN-GD"],
    "schedule": "weekend",
    "hours": 120,
    "weeks": 12,
    "cost": 3000,
    "aid_eligible": True,
    "capacity": 30,
    "credits": 4,
    "sponsor": "nev.assembly",
    "awards_certificate_level": 4,
    "certificate_trade": "welder",
}


def test_valid_models_round_trip() -> None:
    assert Worker.model_validate(WORKER).model_dump()["skills"][0]["text"] == "arc welding"
    assert Program.model_validate(PROGRAM).awards_certificate_level == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("worker_id", ""),
        ("worker_id", "has space"),
        ("worker_id", "x" * 65),
        ("skills", [{"text": ""}]),
        ("skills", [{"text": "welding", "level": 6}]),
        ("skills", [{"text": "welding", "years": -1}]),
        ("skills", [{"text": "welding", "colour": "red"}]),
        ("skills", [{"text": "w"}] * 51),
        ("occupation", ""),
        ("occupation", "x" * 201),
        ("education", "phd"),
        ("certificates", [{"trade": "welder", "level": 0}]),
        ("certificates", [{"trade": "welder", "level": 6}]),
        ("region", "guangdong province"),
        ("employer_node", "bad node id"),
        ("migrant", "sometimes"),
        ("weekly_hours", -1),
        ("weekly_hours", 81),
        ("shift_pattern", "whenever"),
        ("preferred_modality", "telepathy"),
        ("goal", "x" * 501),
        ("gender", "unknown-value"),
        ("age", 9),
        ("age", 120),
        ("favourite_colour", "blue"),
    ],
)
def test_bad_worker_field_is_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        Worker.model_validate({**WORKER, field: value})
    locations = [err["loc"][0] for err in info.value.errors()]
    assert field in locations
    assert field in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("program_id", ""),
        ("title", ""),
        ("kind", "degree"),
        ("skills_taught", []),
        ("skills_taught", [{"text": "x", "level": 0}]),
        ("min_education", "kindergarten"),
        ("min_certificate_level", 7),
        ("required_skills", ["x"] * 21),
        ("chain_nodes", ["not valid!"]),
        ("modality", "any"),
        ("regions", ["lowercase"]),
        ("schedule", "sometimes"),
        ("hours", 0),
        ("weeks", 0),
        ("cost", -5),
        ("capacity", -1),
        ("credits", -1),
        ("awards_certificate_level", 0),
        ("unknown_field", 1),
    ],
)
def test_bad_program_field_is_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        Program.model_validate({**PROGRAM, field: value})
    assert field in str(info.value)


def test_program_kind_requires_its_award() -> None:
    with pytest.raises(ValidationError, match="awards_certificate_level"):
        Program.model_validate({**PROGRAM, "awards_certificate_level": None})
    with pytest.raises(ValidationError, match="awards_education"):
        Program.model_validate({**PROGRAM, "kind": "credential"})


def test_models_are_frozen() -> None:
    claim = SkillClaim(text="welding")
    with pytest.raises(ValidationError):
        claim.text = "other"  # type: ignore[misc]


def test_chain_rejects_foreign_node() -> None:
    node = ChainNode(node_id="a.1", chain_id="a", name_en="x", name_zh="甲", position=0)
    with pytest.raises(ValidationError, match="chain_id"):
        Chain(chain_id="b", name_en="B", name_zh="乙", nodes=[node])


def test_chain_node_demand_bounded() -> None:
    with pytest.raises(ValidationError, match="demand"):
        ChainNode(
            node_id="a.1",
            chain_id="a",
            name_en="x",
            name_zh="甲",
            position=0,
            demand={"CN-GD": 1.5},
        )


def test_recommendation_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="reasons"):
        Recommendation(program_id="p1", rank=1, score=0.5, reasons=[])
    reason = Reason(code="skills_match", text_en="Fits.", text_zh="适合。")
    assert Recommendation(program_id="p1", rank=1, score=0.5, reasons=[reason]).rank == 1
