"""HTTP ranking service: a FastAPI app factory over a :class:`~skillmatch.core.Recommender`.

Endpoints (all bodies JSON, described by the OpenAPI 3 document at ``/openapi.json``):

=============================  ===============================================================
``POST /v1/recommendations``   one worker in, top-``k`` programs with reasons out
``POST /v1/recommendations:batch``  up to ``max_batch`` workers, one result each
``POST /v1/explanations``      a worker and a program id in, the explanation out
``GET /v1/programs/{id}``      one program of the catalogue
``POST /v1/admin/reload``      rebuild the model and swap it in atomically (needs the API key)
``GET /healthz``, ``/readyz``  liveness and readiness
``GET /metrics``               Prometheus text: request counts and a latency histogram
=============================  ===============================================================

Every error answer is ``{"error": {"code", "message", "field", "details"}}``; a 422 names
the offending fields without echoing the input, and an unexpected failure answers a generic
500 (the traceback goes to the server log only). The access log carries the route template,
status and duration, plus a salted hash of the worker id at most.

Examples
--------
>>> from fastapi.testclient import TestClient
>>> from skillmatch.core import Recommender
>>> rec = Recommender.from_world(make_world(seed=0))  # doctest: +SKIP
>>> client = TestClient(create_app(rec))  # doctest: +SKIP
>>> client.post("/v1/recommendations", json={"worker": {...}, "k": 3}).json()  # doctest: +SKIP
>>> sorted(openapi_document()["paths"])[:3]
['/healthz', '/metrics', '/readyz']
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillmatch.errors import MissingDependencyError

try:
    from fastapi import APIRouter, FastAPI, Request, Security
    from fastapi import Path as PathParam
    from fastapi.responses import PlainTextResponse, Response
    from fastapi.security import APIKeyHeader
    from starlette.concurrency import run_in_threadpool
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise MissingDependencyError(
        'the HTTP service needs FastAPI and uvicorn: pip install "skillmatch[service]"'
    ) from exc

from skillmatch._version import __version__
from skillmatch.service.errors import ServiceError, error_responses, install_error_handlers
from skillmatch.service.http import BodyGuard, Metrics, Observe
from skillmatch.service.models import (
    MAX_BATCH,
    BatchRecommendRequest,
    BatchRecommendResponse,
    ExplainRequest,
    ExplainResponse,
    Health,
    ProgramResponse,
    Readiness,
    RecommendRequest,
    RecommendResponse,
    ReloadResponse,
)
from skillmatch.service.state import (
    ModelSlot,
    ReloadInProgressError,
    ServiceState,
    load_recommender,
)

if TYPE_CHECKING:
    from skillmatch.core import Recommender

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ServiceState", "create_app", "openapi_document"]

#: Default request body limit; larger bodies get 413.
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
_JSON = "application/json"
_STATIC_ROUTES = frozenset(
    {
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/recommendations",
        "/v1/recommendations:batch",
        "/v1/explanations",
        "/v1/admin/reload",
        "/openapi.json",
    }
)
_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="Needed only when the service was started with an API key.",
)


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.skillmatch
    return state


def _authorize(request: Request, key: str | None = Security(_api_key)) -> None:
    if not _state(request).authorized(key):
        raise ServiceError(401, "unauthorized", "missing or wrong X-API-Key header")


def _json(model: Any) -> Response:
    return Response(content=model.model_dump_json(), media_type=_JSON)


async def _ranked(request: Request, call: Callable[[], Any]) -> Any:
    """Run ``call`` on the ranking thread, off the event loop, one call at a time."""
    executor = _state(request).ranking
    return await asyncio.get_running_loop().run_in_executor(executor, call)


api = APIRouter(prefix="/v1", dependencies=[Security(_authorize)])


@api.post(
    "/recommendations",
    response_model=RecommendResponse,
    operation_id="recommend",
    responses=error_responses(400, 401, 413, 415, 422),
    summary="Top-k programs for one worker, with reasons",
)
async def recommend(body: RecommendRequest, request: Request) -> Response:
    """Rank the catalogue for one worker; ``k`` in 1..100, optional filters."""
    slot = _state(request).slot
    request.state.log_worker = _state(request).pseudonym(body.worker.worker_id)
    recs = await _ranked(
        request,
        lambda: slot.recommender.recommend(
            body.worker,
            body.k,
            exclude=slot.known(body.exclude),
            kinds=body.kinds,
            modality=body.modality,
        ),
    )
    return _json(
        RecommendResponse(
            worker_id=body.worker.worker_id, model=slot.fingerprint, recommendations=recs
        )
    )


@api.post(
    "/recommendations:batch",
    response_model=BatchRecommendResponse,
    operation_id="recommend_batch",
    responses=error_responses(400, 401, 413, 415, 422),
    summary="Top-k programs for each of several workers",
)
async def recommend_batch(body: BatchRecommendRequest, request: Request) -> Response:
    """Rank the catalogue for up to ``max_batch`` workers with the same options."""
    state = _state(request)
    if len(body.workers) > state.max_batch:
        raise ServiceError(
            422,
            "validation_error",
            f"at most {state.max_batch} workers per batch, got {len(body.workers)}",
            field="workers",
        )
    slot = state.slot
    request.state.log_worker = f"workers={len(body.workers)}"
    results = await _ranked(
        request,
        lambda: slot.recommender.recommend_many(
            body.workers,
            body.k,
            exclude=slot.known(body.exclude),
            kinds=body.kinds,
            modality=body.modality,
        ),
    )
    return _json(
        BatchRecommendResponse(
            model=slot.fingerprint,
            results=[
                RecommendResponse(worker_id=w.worker_id, model=slot.fingerprint, recommendations=r)
                for w, r in zip(body.workers, results, strict=True)
            ],
        )
    )


@api.post(
    "/explanations",
    response_model=ExplainResponse,
    operation_id="explain",
    responses=error_responses(400, 401, 404, 413, 415, 422),
    summary="Why a program is (or is not) recommended to a worker",
)
async def explain(body: ExplainRequest, request: Request) -> Response:
    """Feature contributions, skills, chain nodes, eligibility, cost and reasons of a pair."""
    slot = _state(request).slot
    request.state.log_worker = _state(request).pseudonym(body.worker.worker_id)
    if body.program_id not in slot.program_ids:
        raise _unknown_program(body.program_id)
    explanation = await _ranked(
        request, lambda: slot.recommender.explain(body.worker, body.program_id)
    )
    return _json(ExplainResponse(model=slot.fingerprint, explanation=explanation))


@api.get(
    "/programs/{program_id}",
    response_model=ProgramResponse,
    operation_id="get_program",
    responses=error_responses(401, 404, 422),
    summary="One program of the catalogue",
)
async def get_program(
    request: Request,
    program_id: str = PathParam(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"),
) -> Response:
    """The catalogue entry of ``program_id``."""
    slot = _state(request).slot
    if program_id not in slot.program_ids:
        raise _unknown_program(program_id)
    return _json(
        ProgramResponse(model=slot.fingerprint, program=slot.recommender.program(program_id))
    )


@api.post(
    "/admin/reload",
    response_model=ReloadResponse,
    operation_id="reload",
    responses=error_responses(400, 401, 403, 409, 413, 415, 500),
    summary="Rebuild the model and swap it in atomically",
)
async def reload(request: Request) -> Response:
    """Load the model again (e.g. a new bundle at the same path) without dropping requests."""
    state = _state(request)
    if not state.has_api_key:
        raise ServiceError(403, "forbidden", "admin endpoints need the service to have an API key")
    if state.loader is None:
        raise ServiceError(409, "conflict", "this service has no bundle to reload from")
    try:
        result = await run_in_threadpool(state.reload)
    except ReloadInProgressError:
        raise ServiceError(409, "conflict", "a reload is already running") from None
    except Exception as exc:
        request.app.state.metrics.event("reloads", "error")
        raise ServiceError(
            500,
            "reload_failed",
            f"reload failed ({type(exc).__name__}); "
            "the previous model keeps serving; see the server log",
        ) from exc
    request.app.state.metrics.event("reloads", "ok")
    return _json(result)


def _unknown_program(program_id: str) -> ServiceError:
    return ServiceError(
        404, "unknown_program", f"unknown program_id {program_id!r}", field="program_id"
    )


probes = APIRouter()


@probes.get("/healthz", response_model=Health, operation_id="healthz", summary="Liveness")
async def healthz() -> Response:
    """200 while the process serves requests."""
    return _json(Health())


@probes.get("/readyz", response_model=Readiness, operation_id="readyz", summary="Readiness")
async def readyz(request: Request) -> Response:
    """200 with the model fingerprint once a model is loaded."""
    slot = _state(request).slot
    return _json(Readiness(model=slot.fingerprint, n_programs=len(slot.program_ids)))


@probes.get(
    "/metrics",
    response_class=PlainTextResponse,
    operation_id="metrics",
    summary="Prometheus metrics",
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics(request: Request) -> PlainTextResponse:
    """Request counts by route and status, latency histogram, reloads, model info."""
    slot = _state(request).slot
    extra = [
        "# HELP skillmatch_model_info The model being served.",
        "# TYPE skillmatch_model_info gauge",
        f'skillmatch_model_info{{model="{slot.fingerprint}"}} 1',
        "# HELP skillmatch_model_programs Programs in the served catalogue.",
        "# TYPE skillmatch_model_programs gauge",
        f"skillmatch_model_programs {len(slot.program_ids)}",
    ]
    text = request.app.state.metrics.render(extra)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")


def _route_of(path: str) -> str:
    if path in _STATIC_ROUTES:
        return path
    return "/v1/programs/{program_id}" if path.startswith("/v1/programs/") else "other"


def _build(state: ServiceState | None, *, max_body_bytes: int) -> FastAPI:
    app = FastAPI(
        title="skillmatch",
        version=__version__,
        summary="Continuing-education program recommendations for industrial workers.",
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(api)
    app.include_router(probes)
    install_error_handlers(app)
    app.state.skillmatch = state
    app.state.metrics = Metrics()
    app.add_middleware(BodyGuard, max_body_bytes=max_body_bytes)
    app.add_middleware(Observe, metrics=app.state.metrics, route_of=_route_of)
    return app


def create_app(
    recommender: Recommender | None = None,
    *,
    bundle: str | Path | None = None,
    loader: Callable[[], Recommender] | None = None,
    api_key: str | None = None,
    max_batch: int = MAX_BATCH,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """Build the HTTP app over a recommender.

    Parameters
    ----------
    recommender : Recommender, optional
        The model to serve first. Without it the app loads ``bundle`` (or calls ``loader``).
    bundle : str or Path, optional
        Model bundle directory; None means the default model. ``POST /v1/admin/reload``
        loads it again.
    loader : callable, optional
        Builds a recommender: used instead of ``bundle`` for the first model when
        ``recommender`` is None, and for every reload.
    api_key : str, optional
        When set, every ``/v1`` request must send it in the ``X-API-Key`` header (compared in
        constant time), and the admin endpoint is enabled.
    max_batch : int, default=100
        Most workers per batch request (1..100).
    max_body_bytes : int, default=2 MiB
        Larger request bodies are answered with 413.

    Returns
    -------
    FastAPI
        The app; ``app.state.skillmatch`` is its :class:`ServiceState`.

    Raises
    ------
    ValueError
        If an option is out of range, or ``bundle`` and ``loader`` are both given.

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> app = create_app(rec, api_key="s3cret")  # doctest: +SKIP
    >>> TestClient(app).get("/v1/programs/p1", headers={"X-API-Key": "s3cret"})  # doctest: +SKIP
    <Response [200 OK]>
    """
    _check_options(bundle, loader, api_key, max_batch, max_body_bytes)
    if loader is None and (recommender is None or bundle is not None):

        def loader() -> Recommender:
            return load_recommender(bundle)

    first = recommender if recommender is not None else loader()  # type: ignore[misc]
    state = ServiceState(ModelSlot.of(first), loader=loader, api_key=api_key, max_batch=max_batch)
    return _build(state, max_body_bytes=max_body_bytes)


def _check_options(
    bundle: str | Path | None,
    loader: Callable[[], Recommender] | None,
    api_key: str | None,
    max_batch: int,
    max_body_bytes: int,
) -> None:
    if bundle is not None and loader is not None:
        raise ValueError("give bundle or loader, not both")
    if api_key is not None and (not api_key or not api_key.isascii()):
        raise ValueError("api_key must be a non-empty ASCII string")
    if not 1 <= max_batch <= MAX_BATCH:
        raise ValueError(f"max_batch must be in 1..{MAX_BATCH}, got max_batch={max_batch!r}")
    if max_body_bytes < 1024:
        raise ValueError(f"max_body_bytes must be >= 1024, got max_body_bytes={max_body_bytes!r}")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3 document of the service (no model needed); ``openapi.json`` holds it."""
    document: dict[str, Any] = _build(None, max_body_bytes=DEFAULT_MAX_BODY_BYTES).openapi()
    return document
