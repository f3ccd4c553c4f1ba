"""Data contracts: workers, programs, chains and recommendations.

Every model is a frozen pydantic v2 model that rejects unknown fields; strings and lists are
bounded and closed sets are ``Literal`` enums, so a bad value is refused at the boundary with an
error that names the field and repeats the value.

Ordinal conventions
-------------------
* Education levels are ordered by :data:`EDUCATION_RANK` (``senior_secondary`` and
  ``secondary_vocational`` are the same rank).
* National vocational skill levels run from 5 (entry, 初级工) to 1 (senior technician, 高级技师):
  a *smaller* number is a *higher* level. A program's ``min_certificate_level=4`` is met by a
  certificate of level 4, 3, 2 or 1.
* Skill proficiency in :class:`SkillClaim` and :class:`TaughtSkill` runs from 1 (novice) to 5
  (expert): a *larger* number is more proficient.

Examples
--------
>>> w = Worker(worker_id="w1", skills=[SkillClaim(text="arc welding", level=3)],
...            occupation="welder", education="secondary_vocational", region="CN-GD",
...            migrant=True, weekly_hours=6, shift_pattern="rotating")
>>> w.skills[0].text
'arc welding'
>>> Worker.model_validate({**w.model_dump(), "weekly_hours": -1})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Worker
weekly_hours
  Input should be greater than or equal to 0 [type=greater_than_equal, ...
...
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "EDUCATION_LEVELS",
    "EDUCATION_RANK",
    "GENDERS",
    "MODALITIES",
    "MODALITY_PREFERENCES",
    "PROGRAM_KINDS",
    "SCHEDULES",
    "SHIFT_PATTERNS",
    "Certificate",
    "Explanation",
    "FeatureContribution",
    "Chain",
    "ChainNode",
    "Education",
    "InnovationStage",
    "Modality",
    "Program",
    "ProgramKind",
    "Reason",
    "Recommendation",
    "Schedule",
    "ShiftPattern",
    "SkillClaim",
    "TaughtSkill",
    "Worker",
]

Education = Literal[
    "primary",
    "junior_secondary",
    "senior_secondary",
    "secondary_vocational",
    "junior_college",
    "bachelor",
    "postgraduate",
]
EDUCATION_LEVELS: tuple[str, ...] = get_args(Education)
#: Ordinal rank of each education level (higher is more advanced).
EDUCATION_RANK: dict[str, int] = dict(zip(EDUCATION_LEVELS, (0, 1, 2, 2, 3, 4, 5), strict=True))
ProgramKind = Literal["credential", "certificate", "short_course"]
#: How a program is delivered; ``"any"`` is only a worker preference.
Modality = Literal["online", "in_person", "blended"]
ModalityPreference = Literal["online", "in_person", "blended", "any"]
#: When a worker's shifts leave them free.
ShiftPattern = Literal["day", "night", "rotating", "flexible"]
#: When a program's sessions take place.
Schedule = Literal["weekday_evening", "weekend", "weekday_day", "self_paced", "full_time"]
InnovationStage = Literal["mature", "scale_up", "pilot", "rnd"]
Gender = Literal["female", "male", "other"]

#: The values of the literal types above, in their declared order (written once, there).
PROGRAM_KINDS: tuple[str, ...] = get_args(ProgramKind)
MODALITIES: tuple[str, ...] = get_args(Modality)
MODALITY_PREFERENCES: tuple[str, ...] = get_args(ModalityPreference)
SHIFT_PATTERNS: tuple[str, ...] = get_args(ShiftPattern)
SCHEDULES: tuple[str, ...] = get_args(Schedule)
GENDERS: tuple[str, ...] = get_args(Gender)

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
RegionCode = Annotated[
    str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Z0-9\-]+$")
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
SkillLevel = Annotated[int, Field(ge=1, le=5)]
CertificateLevel = Annotated[int, Field(ge=1, le=5)]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Model(BaseModel):
    model_config = _STRICT


class SkillClaim(_Model):
    """A skill as a worker states it, in free text (Chinese, English or mixed).

    Examples
    --------
    >>> SkillClaim(text="电焊 arc welding", level=3, years=4.5).level
    3
    """

    text: ShortText
    level: SkillLevel | None = None
    years: float | None = Field(default=None, ge=0, le=60)


class Certificate(_Model):
    """A national vocational skill certificate: a trade and a level from 5 (entry) to 1."""

    trade: ShortText
    level: CertificateLevel


class Worker(_Model):
    """A worker's profile: skills, background, constraints and goal.

    ``weekly_hours`` is the time available for study per week; ``region`` is a province or
    city code such as ``"CN-GD"``; ``employer_node`` is the chain node of the employer.
    """

    worker_id: Id
    skills: list[SkillClaim] = Field(default_factory=list, max_length=50)
    occupation: ShortText
    education: Education
    certificates: list[Certificate] = Field(default_factory=list, max_length=20)
    region: RegionCode
    employer_node: Id | None = None
    migrant: bool
    weekly_hours: float = Field(ge=0, le=80)
    shift_pattern: ShiftPattern
    preferred_modality: ModalityPreference = "any"
    goal: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    gender: Gender | None = None
    age: int | None = Field(default=None, ge=15, le=80)


class TaughtSkill(_Model):
    """A skill a program teaches, with the proficiency level it targets (1-5)."""

    text: ShortText
    level: SkillLevel = 3


class Program(_Model):
    """A continuing-education program in the catalogue.

    ``regions`` lists the provinces where it can be attended (empty means nationwide, as for
    online programs). ``hours`` is the total study load and ``weeks`` its duration, so it needs
    ``hours / weeks`` hours a week. ``cost`` is the fee in CNY before aid; ``aid_eligible``
    programs are covered by public financial aid for eligible workers. ``sponsor`` is the
    employer or chain node that co-sponsors paid learning. ``awards_education`` and
    ``awards_certificate_level`` state what a credential or certificate program confers.
    """

    program_id: Id
    title: ShortText
    description: LongText = ""
    kind: ProgramKind
    provider: ShortText
    skills_taught: list[TaughtSkill] = Field(min_length=1, max_length=40)
    min_education: Education | None = None
    min_certificate_level: CertificateLevel | None = None
    required_skills: list[ShortText] = Field(default_factory=list, max_length=20)
    chain_nodes: list[Id] = Field(default_factory=list, max_length=20)
    modality: Modality
    regions: list[RegionCode] = Field(default_factory=list, max_length=40)
    schedule: Schedule
    hours: float = Field(gt=0, le=5000)
    weeks: int = Field(default=12, ge=1, le=260)
    cost: float = Field(default=0.0, ge=0, le=1_000_000)
    aid_eligible: bool = False
    capacity: int = Field(default=100, ge=0, le=1_000_000)
    credits: float = Field(default=0.0, ge=0, le=300)
    sponsor: Id | None = None
    awards_education: Education | None = None
    awards_certificate_level: CertificateLevel | None = None
    certificate_trade: ShortText | None = None

    @model_validator(mode="after")
    def _kind_matches_award(self) -> Program:
        if self.kind == "credential" and self.awards_education is None:
            raise ValueError(
                "awards_education is required when kind='credential', got awards_education=None"
            )
        if self.kind == "certificate" and self.awards_certificate_level is None:
            raise ValueError(
                "awards_certificate_level is required when kind='certificate', "
                "got awards_certificate_level=None"
            )
        return self


class ChainNode(_Model):
    """One node of an industrial chain, from upstream (position 0) to downstream.

    ``demand`` maps a region code to the node's labour demand weight there (0..1);
    ``skills_demanded`` lists skill ids of the vocabulary that the node needs.
    """

    node_id: Id
    chain_id: Id
    name_en: ShortText
    name_zh: ShortText
    position: int = Field(ge=0, le=50)
    upstream: list[Id] = Field(default_factory=list, max_length=20)
    downstream: list[Id] = Field(default_factory=list, max_length=20)
    innovation_stage: InnovationStage = "mature"
    skills_demanded: list[Id] = Field(default_factory=list, max_length=200)
    demand: dict[RegionCode, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)


class Chain(_Model):
    """An industrial chain: an ordered set of nodes from upstream to downstream."""

    chain_id: Id
    name_en: ShortText
    name_zh: ShortText
    nodes: list[ChainNode] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _nodes_belong(self) -> Chain:
        for node in self.nodes:
            if node.chain_id != self.chain_id:
                raise ValueError(
                    f"nodes: node {node.node_id!r} has chain_id={node.chain_id!r}, "
                    f"expected {self.chain_id!r}"
                )
        return self


class Reason(_Model):
    """One plain-language reason behind a recommendation, in English and Chinese.

    ``weight`` is the reason's contribution to the score (0 for purely informative reasons).
    """

    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    text_en: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    text_zh: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    weight: float = 0.0


class Recommendation(_Model):
    """A ranked program for a worker, with the reasons a worker can read."""

    program_id: Id
    rank: int = Field(ge=1)
    score: float
    reasons: list[Reason] = Field(min_length=1)


class FeatureContribution(_Model):
    """One feature of a worker-program pair: its value in [0, 1] and its share of the score."""

    name: str
    value: float
    contribution: float


class Explanation(_Model):
    """Why a program is (or is not) recommended to a worker.

    ``contributions`` sum to ``score``. Skill lists hold English names; ``reasons`` carry the
    worker-readable sentences in English and Chinese. For an excluded program ``eligible`` is
    False, ``exclusions`` says why and ``score`` is still reported for transparency.
    """

    worker_id: str
    program_id: str
    eligible: bool
    score: float
    contributions: list[FeatureContribution]
    matched_skills: list[str]
    missing_skills: list[str]
    gained_skills: list[str]
    chain_nodes: list[str]
    exclusions: list[Reason]
    net_cost: float
    aid_applied: bool
    sponsor: str | None
    reasons: list[Reason]
