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
``GET /``                      the course-finder page over these endpoints (``page=False``: off)
=============================  ===============================================================

Every error answer is ``{"error": {"code", "message", "field", "details"}}``; a 422 names
the offending fields without echoing the input, and an unexpected failure answers a generic
500 (the traceback goes to the server log only). The access log carries the route template,
status and duration, plus a salted hash of the worker id at most. Every limit (body size and
read time, bodies in flight, header and keep-alive timeouts, concurrency) is a field of
:class:`~skillmatch.service.limits.ServerLimits`; the routes live in
:mod:`skillmatch.service.routes`.

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

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillmatch.errors import MissingDependencyError

try:
    from fastapi import FastAPI
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise MissingDependencyError(
        'the HTTP service needs FastAPI and uvicorn: pip install "skillmatch[service]"'
    ) from exc

from skillmatch._version import __version__
from skillmatch.service.errors import install_error_handlers
from skillmatch.service.generation import FollowGeneration, SharedGeneration
from skillmatch.service.http import Metrics, Observe, Scope
from skillmatch.service.limits import BodyGuard, ServerLimits
from skillmatch.service.models import MAX_BATCH
from skillmatch.service.page import page as page_routes
from skillmatch.service.routes import API_KEY_HEADER, api, probes, route_of
from skillmatch.service.state import ModelSlot, ServiceState, load_recommender

if TYPE_CHECKING:
    from skillmatch.core import Recommender

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ServerLimits",
    "ServiceState",
    "create_app",
    "openapi_document",
]

#: Default request body limit; larger bodies get 413.
DEFAULT_MAX_BODY_BYTES = ServerLimits().max_body_bytes
_KEY_HEADER = API_KEY_HEADER.lower().encode()


def _header_key(state: ServiceState) -> Callable[[Scope], bool]:
    def authorized(scope: Scope) -> bool:
        key = next((v for k, v in scope["headers"] if k == _KEY_HEADER), None)
        return state.authorized(None if key is None else key.decode("latin-1"))

    return authorized


def _build(state: ServiceState | None, *, limits: ServerLimits, page: bool = False) -> FastAPI:
    app = FastAPI(
        title="skillmatch",
        version=__version__,
        summary="Continuing-education program recommendations for industrial workers.",
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(api)
    app.include_router(probes)
    if page:
        app.include_router(page_routes)
    install_error_handlers(app)
    app.state.skillmatch = state
    app.state.metrics = Metrics()
    app.state.limits = limits
    if state is not None and state.shared is not None:
        app.add_middleware(FollowGeneration, state=state)
    authorized = _header_key(state) if state is not None and state.has_api_key else None
    app.add_middleware(BodyGuard, limits=limits, authorized=authorized)
    app.add_middleware(Observe, metrics=app.state.metrics, route_of=route_of)
    return app


def create_app(
    recommender: Recommender | None = None,
    *,
    bundle: str | Path | None = None,
    loader: Callable[[], Recommender] | None = None,
    api_key: str | None = None,
    max_batch: int = MAX_BATCH,
    max_body_bytes: int | None = None,
    limits: ServerLimits | None = None,
    generation_file: str | Path | None = None,
    bundle_sha256: str | None = None,
    bundle_key: bytes | str | None = None,
    page: bool = True,
    phrase_cache_bytes: int | None = None,
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
        constant time; a request without it is refused before its body is read), and the
        admin endpoint is enabled.
    max_batch : int, default=100
        Most workers per batch request (1..100).
    max_body_bytes : int, optional
        Shorthand for ``limits.max_body_bytes`` (default 2 MiB); larger bodies get 413.
    limits : ServerLimits, optional
        Body size, body read time and bodies in flight apply in the app; the server-level
        limits apply when it runs under :func:`skillmatch.service.server.uvicorn_config`.
    generation_file : str or Path, optional
        Shared by the worker processes of one server: a reload in one worker reaches all
        (see :mod:`skillmatch.service.generation`). ``skillmatch serve --workers N`` sets it.
    bundle_sha256 : str, optional
        Pins what ``bundle`` may hold: its manifest's sha256 (``Recommender.fingerprint()``).
        A bundle with another digest is refused at start and on every reload.
    bundle_key : bytes or str, optional
        HMAC key the bundle's manifest must be signed with (``Recommender.save(hmac_key=...)``).
    page : bool, default=True
        Serve the course-finder page at ``/`` (see :mod:`skillmatch.service.page`); it calls
        the ``/v1`` endpoints like any client and needs no key of its own.
    phrase_cache_bytes : int, optional
        Budget of the caches of request phrases of each model the app loads (default
        :data:`~skillmatch.core.PHRASE_CACHE_BYTES`, 256 MiB); least recently used phrases
        beyond it are evicted. Not applied to a ``recommender`` passed in.

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
    limits = limits or ServerLimits()
    if max_body_bytes is not None:
        limits = replace(limits, max_body_bytes=max_body_bytes)
    _check_options(bundle, loader, api_key, max_batch, limits)
    if loader is not None and (bundle_sha256 is not None or bundle_key is not None):
        raise ValueError("bundle_sha256 and bundle_key pin a bundle: give bundle, not loader")
    if loader is None and (recommender is None or bundle is not None):

        def loader() -> Recommender:
            return load_recommender(
                bundle,
                expected_sha256=bundle_sha256,
                hmac_key=bundle_key,
                phrase_cache_bytes=phrase_cache_bytes,
            )

    shared = None if generation_file is None else SharedGeneration(generation_file)
    generation = 0 if shared is None else shared.read()  # read before loading
    first = recommender if recommender is not None else loader()  # type: ignore[misc]
    state = ServiceState(
        ModelSlot.of(first),
        loader=loader,
        api_key=api_key,
        max_batch=max_batch,
        shared=shared,
        generation=generation,
    )
    return _build(state, limits=limits, page=page)


def _check_options(
    bundle: str | Path | None,
    loader: Callable[[], Recommender] | None,
    api_key: str | None,
    max_batch: int,
    limits: ServerLimits,
) -> None:
    if bundle is not None and loader is not None:
        raise ValueError("give bundle or loader, not both")
    if api_key is not None and (not api_key or not api_key.isascii()):
        raise ValueError("api_key must be a non-empty ASCII string")
    if not 1 <= max_batch <= MAX_BATCH:
        raise ValueError(f"max_batch must be in 1..{MAX_BATCH}, got max_batch={max_batch!r}")
    limits.check()


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3 document of the service (no model needed); ``openapi.json`` holds it."""
    document: dict[str, Any] = _build(None, limits=ServerLimits()).openapi()
    return document
