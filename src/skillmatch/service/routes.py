"""The routes of the HTTP service: the ``/v1`` API and the probes, over a :class:`ServiceState`.

Endpoints read the model slot once per request and rank on the state's
:class:`~skillmatch.service.lanes.RankingLanes`: text a request brings for the first time is
encoded first, in small batches on the encoding lane, so it never holds up other clients for
longer than one small batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Security
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from skillmatch.schema import Worker
from skillmatch.service.errors import ServiceError, error_responses
from skillmatch.service.lanes import ENCODE_BATCH
from skillmatch.service.models import (
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
from skillmatch.service.state import ModelSlot, ReloadInProgressError, ServiceState

__all__ = ["API_KEY_HEADER", "STATIC_ROUTES", "api", "probes", "route_of"]

#: The header that carries the API key.
API_KEY_HEADER = "X-API-Key"
_JSON = "application/json"
#: Paths of the routes without path parameters.
STATIC_ROUTES = frozenset(
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
    name=API_KEY_HEADER,
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
    """Run ``call`` on the fast lane of the ranking thread, off the event loop."""
    return await asyncio.wrap_future(_state(request).ranking.submit(call))


def _texts(workers: Iterable[Worker]) -> Iterator[str]:
    """The free text of ``workers`` that ranking embeds: skill claims, occupation, goal."""
    for worker in workers:
        yield from (claim.text for claim in worker.skills)
        yield worker.occupation
        if worker.goal:
            yield worker.goal


async def _encode_new(request: Request, slot: ModelSlot, workers: Iterable[Worker]) -> None:
    """Resolve the texts of ``workers`` not seen yet (encoding them), batch by batch on the
    encoding lane, so that ranking then finds them all in the vocabulary's memo."""
    vocabulary = slot.recommender.fitted_features().vocabulary_
    cache = getattr(vocabulary.encoder, "cache", None)
    texts = [t for t in dict.fromkeys(_texts(workers)) if cache is None or t not in cache]
    lanes = _state(request).ranking
    for lo in range(0, len(texts), ENCODE_BATCH):
        batch = texts[lo : lo + ENCODE_BATCH]
        await asyncio.wrap_future(lanes.submit(vocabulary.resolve, batch, encode=True))


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
    await _encode_new(request, slot, [body.worker])
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
    await _encode_new(request, slot, body.workers)
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
    await _encode_new(request, slot, [body.worker])
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
        "# HELP skillmatch_phrase_cache_bytes Bytes the caches of request phrases hold.",
        "# TYPE skillmatch_phrase_cache_bytes gauge",
        *(
            f'skillmatch_phrase_cache_bytes{{cache="{name}"}} {size}'
            for name, size in slot.recommender.phrase_cache_sizes().items()
        ),
    ]
    text = request.app.state.metrics.render(extra)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")


def route_of(path: str) -> str:
    """The route template of an app path; ``"other"`` for a path no route serves."""
    if path in STATIC_ROUTES:
        return path
    return "/v1/programs/{program_id}" if path.startswith("/v1/programs/") else "other"
