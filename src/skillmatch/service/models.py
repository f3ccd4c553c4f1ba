"""Request, response and error bodies of the HTTP service (see :mod:`skillmatch.service.app`).

Pure pydantic: importing this module does not import the web framework. Every request body
rejects unknown fields and bounds its strings and lists, so the OpenAPI document that FastAPI
derives from these models is also the complete input contract.

Request bodies are validated in pydantic's strict mode: JSON gives types, so a number field
refuses ``false`` and a bool field refuses ``"yes"`` (422 naming the field), while an integer
field takes ``4.0``, an integer to JSON Schema. The worker of a request is a strict subclass
of :class:`skillmatch.schema.Worker` (same fields and limits, so the core takes it as it is);
its free-text fields publish :data:`NON_BLANK`, a pattern that needs one character the
validator does not strip, so a blank ``"\\n"`` is refused by the published schema as by the
validator, whatever regex engine reads the schema.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from skillmatch import schema
from skillmatch.schema import Explanation, Modality, Program, ProgramKind, Recommendation

__all__ = [
    "MAX_BATCH",
    "MAX_EXCLUDE",
    "MAX_K",
    "NON_BLANK",
    "BatchRecommendRequest",
    "BatchRecommendResponse",
    "ErrorBody",
    "ErrorDetail",
    "ErrorResponse",
    "ExplainRequest",
    "ExplainResponse",
    "Health",
    "ProgramResponse",
    "Readiness",
    "RecommendRequest",
    "RecommendResponse",
    "ReloadResponse",
    "Worker",
]

#: Largest ``k`` a request may ask for.
MAX_K = 100
#: Most workers in one batch request (``create_app(max_batch=...)`` may lower it).
MAX_BATCH = 100
#: Most program ids in ``exclude``.
MAX_EXCLUDE = 500

ProgramId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
]


def _integral(value: object) -> object:
    """A JSON number with no fraction (``4.0``) as an int; everything else unchanged, so the
    strict int check still refuses ``true`` and ``"4"``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_AS_INT = BeforeValidator(_integral)
#: ``k``: a JSON integer, ``4.0`` included (JSON Schema calls it one), never ``true``.
K = Annotated[
    int,
    Field(ge=1, le=MAX_K, description=f"How many programs at most (1..{MAX_K})."),
    _AS_INT,
]
_Level = Annotated[int, Field(ge=1, le=5), _AS_INT]

_REQUEST = ConfigDict(extra="forbid", frozen=True, strict=True)


def _strict(parent: type[BaseModel]) -> ConfigDict:
    """The config of ``parent`` in strict mode, publishing ``parent``'s description."""
    description = inspect.cleandoc(parent.__doc__ or "")
    return ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        strict=True,
        json_schema_extra={"description": description},
    )


#: Some character that ``strip_whitespace`` keeps (not Unicode White_Space), spelt out
#: rather than ``\\S``, whose meaning differs between ECMA, Python and Rust regexes.
NON_BLANK = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
#: ``ShortText`` of the schema, with the non-blank rule in the published pattern.
_Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NON_BLANK)
]


class SkillClaim(schema.SkillClaim):
    """:class:`skillmatch.schema.SkillClaim`, strictly typed."""

    model_config = _strict(schema.SkillClaim)

    text: _Text
    level: _Level | None = None


class Certificate(schema.Certificate):
    """:class:`skillmatch.schema.Certificate`, strictly typed."""

    model_config = _strict(schema.Certificate)

    trade: _Text
    level: _Level


class Worker(schema.Worker):
    """:class:`skillmatch.schema.Worker`, strictly typed, as a request carries it.

    Examples
    --------
    >>> Worker.model_validate({"worker_id": "w1", "occupation": "welder",
    ...     "education": "secondary_vocational", "region": "CN-GD", "migrant": "yes",
    ...     "weekly_hours": 6, "shift_pattern": "day"})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Worker
    migrant
      Input should be a valid boolean [type=bool_type, input_value='yes', input_type=str]
    ...
    """

    model_config = _strict(schema.Worker)

    skills: list[SkillClaim] = Field(default_factory=list, max_length=50)  # type: ignore[assignment]
    occupation: _Text
    certificates: list[Certificate] = Field(default_factory=list, max_length=20)  # type: ignore[assignment]
    age: Annotated[int, Field(ge=15, le=80), _AS_INT] | None = None


class _Filters(BaseModel):
    model_config = _REQUEST

    k: K = 10
    exclude: list[ProgramId] = Field(
        default_factory=list,
        max_length=MAX_EXCLUDE,
        description="Program ids to leave out (e.g. already enrolled). Ids that are not in the "
        "catalogue are ignored, so a host may keep ids of programs retired since.",
    )
    kinds: list[ProgramKind] | None = Field(
        default=None,
        min_length=1,
        max_length=3,
        description="Keep only these program kinds.",
    )
    modality: list[Modality] | None = Field(
        default=None,
        min_length=1,
        max_length=3,
        description="Keep only these delivery modes.",
    )


class RecommendRequest(_Filters):
    """One worker and the ranking options."""

    worker: Worker


class BatchRecommendRequest(_Filters):
    """Several workers ranked with the same options."""

    workers: list[Worker] = Field(min_length=1, max_length=MAX_BATCH)


class ExplainRequest(BaseModel):
    """A worker and the program to explain."""

    model_config = _REQUEST

    worker: Worker
    program_id: ProgramId


class RecommendResponse(BaseModel):
    """The top-``k`` programs for one worker, best first."""

    worker_id: str
    model: str = Field(description="Fingerprint of the model that ranked (sha256).")
    recommendations: list[Recommendation]


class BatchRecommendResponse(BaseModel):
    """One :class:`RecommendResponse` per worker, in request order."""

    model: str = Field(description="Fingerprint of the model that ranked (sha256).")
    results: list[RecommendResponse]


class ExplainResponse(BaseModel):
    """The explanation of one worker-program pair."""

    model: str = Field(description="Fingerprint of the model that scored (sha256).")
    explanation: Explanation


class ProgramResponse(BaseModel):
    """A program of the catalogue."""

    model: str = Field(description="Fingerprint of the model that serves it (sha256).")
    program: Program


class Health(BaseModel):
    """Liveness: the process answers."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Readiness: a model is loaded and serving."""

    status: Literal["ready"] = "ready"
    model: str
    n_programs: int


class ReloadResponse(BaseModel):
    """Result of an atomic model swap."""

    model: str
    previous_model: str
    n_programs: int
    seconds: float


class ErrorDetail(BaseModel):
    """One problem with the request."""

    field: str = Field(description="Dotted location, e.g. 'worker.skills.0.level'.")
    message: str
    type: str


class ErrorBody(BaseModel):
    """What went wrong, in words a client developer can act on."""

    code: str = Field(description="Stable machine-readable code, e.g. 'validation_error'.")
    message: str
    field: str | None = Field(default=None, description="The first offending field, if any.")
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer of the service has this body."""

    error: ErrorBody
