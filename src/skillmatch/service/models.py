"""Request, response and error bodies of the HTTP service (see :mod:`skillmatch.service.app`).

Pure pydantic: importing this module does not import the web framework. Every request body
rejects unknown fields and bounds its strings and lists, so the OpenAPI document that FastAPI
derives from these models is also the complete input contract.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from skillmatch.schema import Explanation, Modality, Program, ProgramKind, Recommendation, Worker

__all__ = [
    "MAX_BATCH",
    "MAX_EXCLUDE",
    "MAX_K",
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
K = Annotated[int, Field(ge=1, le=MAX_K, description=f"How many programs at most (1..{MAX_K}).")]

_REQUEST = ConfigDict(extra="forbid", frozen=True)


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
