"""Server limits of the HTTP service, and the ASGI guard that enforces those on request bodies.

:class:`ServerLimits` gathers every limit in one place, with defaults that hold against slow
or hostile clients: the command line turns each into a flag, :func:`~skillmatch.service.create_app`
and :mod:`skillmatch.service.server` read them. :class:`BodyGuard` is a plain ASGI middleware
(no web framework) that reads each request body itself, under three bounds:

* ``max_body_bytes`` per request, declared (``Content-Length``) or streamed (chunked): 413;
* ``body_timeout`` seconds to receive the whole body: 408, and the connection is closed;
* ``max_inflight_body_bytes`` over all bodies being read or served at once: 503 with
  ``Retry-After``, so a thousand held bodies cannot grow the process.

When the service has an API key, a ``/v1`` request without the right key is refused before a
byte of its body is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass

from skillmatch.service.http import ASGIApp, Message, Receive, Scope, Send, send_error

__all__ = ["BodyGuard", "ServerLimits"]

_MIB = 1024 * 1024
_JSON = b"application/json"


@dataclass(frozen=True)
class ServerLimits:
    """Every limit of the HTTP service; the defaults are safe for a public network.

    Parameters
    ----------
    max_body_bytes : int, default=2 MiB
        Larger request bodies get 413, checked while the body streams in.
    max_inflight_body_bytes : int, default=64 MiB
        Bytes of request bodies held at once by one worker process; past it, 503.
    header_timeout : float, default=10.0
        Seconds a client has to send a whole request head (line and headers) once it started
        one, or once it connected; then the connection is closed (slow-loris headers).
    body_timeout : float, default=30.0
        Seconds to receive a whole request body; then 408 and the connection is closed.
    keep_alive_timeout : int, default=5
        Seconds an idle keep-alive connection stays open.
    limit_concurrency : int, default=512
        Open connections or running requests per worker process past which new requests get
        503 (uvicorn's ``limit_concurrency``).
    max_connections : int, default=1024
        Open connections per worker process past which a new connection is closed as soon as
        it is accepted, so stalled connections cannot use up the file descriptors.
    backlog : int, default=2048
        Connections the kernel queues before they are accepted.

    Examples
    --------
    >>> limits = ServerLimits(header_timeout=2.0)
    >>> limits.check().header_timeout, limits.max_body_bytes
    (2.0, 2097152)
    >>> ServerLimits(body_timeout=0).check()
    Traceback (most recent call last):
    ...
    ValueError: body_timeout must be > 0, got body_timeout=0
    """

    max_body_bytes: int = 2 * _MIB
    max_inflight_body_bytes: int = 64 * _MIB
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: int = 5
    limit_concurrency: int = 512
    max_connections: int = 1024
    backlog: int = 2048

    def check(self) -> ServerLimits:
        """Return self, or raise ``ValueError`` naming the first limit out of range."""
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be > 0, got {name}={value!r}")
        if self.max_body_bytes < 1024:
            raise ValueError(
                f"max_body_bytes must be >= 1024, got max_body_bytes={self.max_body_bytes!r}"
            )
        if self.max_inflight_body_bytes < self.max_body_bytes:
            raise ValueError(
                "max_inflight_body_bytes must be >= max_body_bytes, got "
                f"max_inflight_body_bytes={self.max_inflight_body_bytes!r}"
            )
        if self.max_connections < self.limit_concurrency:
            raise ValueError(
                "max_connections must be >= limit_concurrency, got "
                f"max_connections={self.max_connections!r}"
            )
        return self


class _BodyRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BodyGuard:
    """Read each request body under the limits, then hand the app one complete message.

    Answers 400 (bad ``Content-Length``), 401 (``/v1`` without the API key, body unread),
    413 (too large), 415 (not JSON), 408 (too slow) or 503 (too many bodies in flight).
    A request body must be JSON: a ``Content-Type`` other than ``application/json`` (or
    ``application/*+json``) is refused; a missing one is read as JSON.

    Parameters
    ----------
    app : ASGI app
        The app behind the guard.
    limits : ServerLimits
        ``max_body_bytes``, ``body_timeout`` and ``max_inflight_body_bytes`` apply here.
    authorized : callable, optional
        Called with the ASGI scope of a ``/v1`` request; False answers 401 at once.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: ServerLimits,
        authorized: Callable[[Scope], bool] | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.authorized = authorized
        #: Bytes of the bodies being read or served now (one event loop: no lock needed).
        self.inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        ticket = _Ticket(self)
        try:
            await self._guarded(scope, receive, send, ticket)
        finally:
            ticket.release()

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, ticket: _Ticket) -> None:
        try:
            length, scope = self._admit(scope)
            ticket.take(length or 0)
            body = await self._read(receive, ticket)
        except _BodyRefused as refused:
            headers = [(b"retry-after", b"1")] if refused.status == 503 else []
            await send_error(send, refused.status, refused.code, refused.message, headers)
            return
        except _ClientGone:
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _admit(self, scope: Scope) -> tuple[int | None, Scope]:
        """Check the request head: the declared body length (None: chunked), and the scope
        to pass on (a missing ``Content-Type`` becomes ``application/json``)."""
        length, content_type = _body_headers(scope)
        if length == -1:
            raise _BodyRefused(400, "bad_request", "invalid Content-Length header")
        if length is not None and length > self.limits.max_body_bytes:
            raise self._too_large()
        if length != 0 and not _is_json(content_type):
            raise _BodyRefused(
                415,
                "unsupported_media_type",
                "request bodies must be JSON: send Content-Type: application/json",
            )
        if self.authorized is not None and _app_path(scope).startswith("/v1/"):
            if not self.authorized(scope):
                raise _BodyRefused(401, "unauthorized", "missing or wrong X-API-Key header")
        if content_type is None:
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": [*headers, (b"content-type", _JSON)]}
        return length, scope

    def _too_large(self) -> _BodyRefused:
        limit = self.limits.max_body_bytes
        return _BodyRefused(413, "payload_too_large", f"request body larger than {limit} bytes")

    async def _read(self, receive: Receive, ticket: _Ticket) -> bytes:
        """The whole body, within ``body_timeout``, its bytes reserved on ``ticket``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_timeout
        buffer = bytearray()
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                seconds = self.limits.body_timeout
                raise _BodyRefused(
                    408, "request_timeout", f"request body not received within {seconds:g} s"
                ) from None
            if message["type"] != "http.request":
                raise _ClientGone
            chunk = message.get("body", b"")
            if len(buffer) + len(chunk) > self.limits.max_body_bytes:
                raise self._too_large()
            ticket.take(len(buffer) + len(chunk) - ticket.n)
            buffer += chunk
            if not message.get("more_body", False):
                return bytes(buffer)


class _Ticket:
    """The body bytes one request holds in its guard's in-flight budget."""

    def __init__(self, guard: BodyGuard) -> None:
        self.guard = guard
        self.n = 0

    def take(self, more: int) -> None:
        """Reserve ``more`` bytes (nothing when not positive); 503 past the budget."""
        if more <= 0:
            return
        if self.guard.inflight + more > self.guard.limits.max_inflight_body_bytes:
            raise _BodyRefused(
                503, "server_busy", "too many request bodies in flight; retry in a second"
            )
        self.guard.inflight += more
        self.n += more

    def release(self) -> None:
        self.guard.inflight -= self.n
        self.n = 0


class _ClientGone(Exception):
    """The client disconnected before its body was complete."""


def _body_headers(scope: Scope) -> tuple[int | None, bytes | None]:
    """Declared body length (None when absent, -1 when malformed) and content type."""
    length: int | None = None
    content_type: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return -1, content_type
            if length < 0:
                return -1, content_type
        elif name == b"content-type":
            content_type = value if value.strip() else None  # empty: as if absent
    return length, content_type


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


def _app_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
