"""Shared fixtures: the real packaged encoder and recommenders, loaded once per session."""

from __future__ import annotations

import os
import zlib

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from collections.abc import Sequence  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from skillmatch.chains import ChainMap  # noqa: E402
from skillmatch.schema import Chain, ChainNode, Program, TaughtSkill, Worker  # noqa: E402
from skillmatch.text.encode import USE_MULTILINGUAL, Encoder, l2_normalize  # noqa: E402

TINY_SKILLS = pd.DataFrame(
    [
        {
            "skill_id": "weld",
            "name": "arc welding",
            "name_zh": "电焊",
            "aliases": "stick welding|SMAW|焊接",
        },
        {
            "skill_id": "plc",
            "name": "PLC programming",
            "name_zh": "PLC编程",
            "aliases": "programmable logic controller",
        },
        {
            "skill_id": "cnc",
            "name": "CNC machining",
            "name_zh": "数控加工",
            "aliases": "CNC lathe|数控车床",
        },
        {
            "skill_id": "robot",
            "name": "industrial robot operation",
            "name_zh": "工业机器人操作",
            "aliases": "robot teaching|机器人示教",
        },
        {
            "skill_id": "batt",
            "name": "battery cell assembly",
            "name_zh": "电芯装配",
            "aliases": "cell assembly",
        },
        {
            "skill_id": "qc",
            "name": "quality inspection",
            "name_zh": "质量检验",
            "aliases": "QC|质检",
        },
        {
            "skill_id": "elec",
            "name": "electrical wiring",
            "name_zh": "电气接线",
            "aliases": "electrician|电工",
        },
        {
            "skill_id": "fork",
            "name": "forklift operation",
            "name_zh": "叉车驾驶",
            "aliases": "forklift|叉车",
        },
    ]
)


def tiny_chains() -> ChainMap:
    """A two-chain map: EV cells -> packs -> assembly, and a robot chain."""
    ev = [
        ChainNode(
            node_id="ev.cells",
            chain_id="ev",
            name_en="battery cells",
            name_zh="电芯",
            position=0,
            downstream=["ev.packs"],
            skills_demanded=["batt", "qc"],
            demand={"CN-AH": 0.9, "CN-GD": 0.4},
            innovation_stage="scale_up",
        ),
        ChainNode(
            node_id="ev.packs",
            chain_id="ev",
            name_en="battery packs",
            name_zh="电池包",
            position=1,
            upstream=["ev.cells"],
            downstream=["ev.assembly"],
            skills_demanded=["elec", "qc"],
            demand={"CN-AH": 0.6, "CN-GD": 0.5},
        ),
        ChainNode(
            node_id="ev.assembly",
            chain_id="ev",
            name_en="vehicle assembly",
            name_zh="整车装配",
            position=2,
            upstream=["ev.packs"],
            skills_demanded=["weld", "robot"],
            demand={"CN-AH": 0.5, "CN-GD": 0.8},
        ),
    ]
    robots = [
        ChainNode(
            node_id="rb.integration",
            chain_id="rb",
            name_en="robot integration",
            name_zh="机器人系统集成",
            position=0,
            skills_demanded=["robot", "plc"],
            demand={"CN-GD": 0.9},
            innovation_stage="pilot",
        ),
    ]
    return ChainMap(
        [
            Chain(chain_id="ev", name_en="new-energy vehicles", name_zh="新能源汽车", nodes=ev),
            Chain(chain_id="rb", name_en="industrial robots", name_zh="工业机器人", nodes=robots),
        ]
    )


def _program(
    program_id: str, title: str, kind: str, taught: Sequence[str], **kw: object
) -> Program:
    awards: dict[str, object] = {}
    if kind == "credential":
        awards["awards_education"] = kw.pop("awards_education", "junior_college")
    if kind == "certificate":
        awards["awards_certificate_level"] = kw.pop("awards_certificate_level", 4)
    base: dict[str, object] = dict(
        provider="Test College",
        modality="online",
        schedule="weekend",
        hours=40,
        weeks=8,
        cost=500,
        capacity=20,
    )
    base.update(kw)
    return Program(
        program_id=program_id,
        title=title,
        kind=kind,
        skills_taught=[TaughtSkill(text=t) for t in taught],
        **awards,
        **base,
    )


def tiny_programs() -> list[Program]:
    return [
        _program(
            "welder4",
            "Welder level 4 焊工（四级）",
            "certificate",
            ["电焊", "quality inspection"],
            min_certificate_level=5,
            certificate_trade="welder",
            chain_nodes=["ev.assembly"],
            modality="in_person",
            regions=["CN-GD"],
            cost=3000,
            aid_eligible=True,
            sponsor="ev.assembly",
            hours=120,
            weeks=12,
        ),
        _program(
            "welder5",
            "Welder level 5 焊工（五级）",
            "certificate",
            ["arc welding"],
            certificate_trade="welder",
            awards_certificate_level=5,
            cost=1500,
            aid_eligible=True,
        ),
        _program(
            "robot",
            "Robot operation",
            "short_course",
            ["robot teaching", "PLC programming"],
            required_skills=["PLC"],
            schedule="weekday_evening",
            cost=800,
            chain_nodes=["rb.integration"],
        ),
        _program(
            "mecha",
            "Mechatronics junior college 机电一体化大专",
            "credential",
            ["PLC编程", "数控车床", "electrical wiring"],
            min_education="senior_secondary",
            modality="blended",
            regions=["CN-AH", "CN-GD"],
            hours=1200,
            weeks=120,
            cost=9000,
            aid_eligible=True,
        ),
        _program(
            "cells",
            "Battery cell assembly",
            "short_course",
            ["cell assembly", "质检"],
            modality="in_person",
            regions=["CN-AH"],
            schedule="weekday_evening",
            cost=0,
            chain_nodes=["ev.cells"],
        ),
        _program(
            "fork",
            "Forklift licence 叉车证",
            "short_course",
            ["叉车"],
            cost=600,
            schedule="weekday_day",
        ),
        _program("full", "Full programme", "short_course", ["CNC machining"], capacity=0),
    ]


def make_worker(**overrides: object) -> Worker:
    base: dict[str, object] = dict(
        worker_id="w1",
        skills=[{"text": "烧电焊", "level": 3}, {"text": "QC"}],
        occupation="welder",
        education="secondary_vocational",
        region="CN-GD",
        employer_node="ev.assembly",
        migrant=True,
        weekly_hours=8,
        shift_pattern="night",
        goal="learn robot programming",
    )
    base.update(overrides)
    return Worker.model_validate(base)


@pytest.fixture(scope="session")
def use_encoder() -> Encoder:
    """The packaged multilingual Universal Sentence Encoder v3 (pure NumPy), loaded once."""
    return Encoder(USE_MULTILINGUAL)


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The real packaged all-MiniLM-L6-v2, loaded once."""
    enc = Encoder("all-MiniLM-L6-v2")
    enc.encode(["warm up"])
    return enc


class FakeEncoder:
    """Deterministic character-trigram hashing encoder for unit tests that need no meaning."""

    model_id = "fake-trigram"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            padded = f"  {text.lower()} "
            for j in range(len(padded) - 2):
                out[i, zlib.crc32(padded[j : j + 3].encode()) % self.dim] += 1.0
        return l2_normalize(out)


@pytest.fixture()
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def tiny_vocab(encoder: Encoder) -> object:
    from skillmatch.text.vocab import SkillVocabulary

    return SkillVocabulary.from_frame(TINY_SKILLS, encoder=encoder)


@pytest.fixture(scope="session")
def tiny_rec(tiny_vocab: object) -> object:
    """A recommender over the hand-made catalogue, with the real encoder."""
    from skillmatch.core.recommend import Recommender

    return Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=tiny_vocab)
