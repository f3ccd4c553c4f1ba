"""Framework-free ASGI pieces of the HTTP service: access log, Prometheus metrics, error bodies.

These are plain ASGI middlewares (no ``BaseHTTPMiddleware``), so they add microseconds, not
milliseconds, and they never read request bodies into the log. Every label of ``/metrics`` is
bounded: methods outside :data:`METHODS` count as ``"OTHER"``, paths outside the app's routes
as ``"other"``, and a request whose client went away before the answer as status 499
(``"client closed request"``), never as a 500.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = [
    "ACCESS_LOGGER",
    "BUCKETS",
    "CLIENT_CLOSED",
    "METHODS",
    "Metrics",
    "Observe",
    "error_bytes",
    "send_error",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Name of the access logger (one line per request, no personal data).
ACCESS_LOGGER = "skillmatch.service.app.access"
#: Upper bounds (seconds) of the latency histogram buckets.
BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
#: Methods counted under their own name in ``/metrics``; any other counts as ``"OTHER"``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Status recorded for a request whose client disconnected before the answer was sent.
CLIENT_CLOSED = 499
_access = logging.getLogger(ACCESS_LOGGER)


def error_bytes(code: str, message: str) -> bytes:
    """The JSON error body shared by every error answer."""
    error: dict[str, Any] = {"code": code, "message": message, "field": None, "details": []}
    return json.dumps({"error": error}).encode()


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send an error answer with the shared JSON body and ``Connection: close``."""
    body = error_bytes(code, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Request counts per route and status, and a latency histogram per route.

    Examples
    --------
    >>> m = Metrics()
    >>> m.observe("GET", "/healthz", 200, 0.002)
    >>> 'skillmatch_http_requests_total{method="GET",route="/healthz",status="200"} 1' in m.render()
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = {}
        self._buckets: dict[str, list[int]] = {}
        self._sums: dict[str, float] = {}
        self._events: dict[tuple[str, str], int] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and put its duration in the histogram."""
        with self._lock:
            key = (method, route, status)
            self._requests[key] = self._requests.get(key, 0) + 1
            counts = self._buckets.setdefault(route, [0] * (len(BUCKETS) + 1))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._sums[route] = self._sums.get(route, 0.0) + seconds

    def event(self, name: str, outcome: str) -> None:
        """Count an event such as a model reload (``skillmatch_<name>_total{outcome=...}``)."""
        with self._lock:
            self._events[(name, outcome)] = self._events.get((name, outcome), 0) + 1

    def render(self, extra: Iterable[str] = ()) -> str:
        """Prometheus text exposition format 0.0.4."""
        with self._lock:
            lines = self._render_requests() + self._render_latency() + self._render_events()
        return "\n".join([*lines, *extra]) + "\n"

    def _render_requests(self) -> list[str]:
        lines = [
            "# HELP skillmatch_http_requests_total HTTP requests by route and status.",
            "# TYPE skillmatch_http_requests_total counter",
        ]
        for (method, route, status), n in sorted(self._requests.items()):
            lines.append(
                f'skillmatch_http_requests_total{{method="{_label(method)}",'
                f'route="{_label(route)}",status="{status}"}} {n}'
            )
        return lines

    def _render_latency(self) -> list[str]:
        name = "skillmatch_http_request_duration_seconds"
        lines = [
            f"# HELP {name} Time from request start to response end.",
            f"# TYPE {name} histogram",
        ]
        for route, counts in sorted(self._buckets.items()):
            label = f'route="{_label(route)}"'
            total = 0
            for bound, n in zip([*BUCKETS, float("inf")], counts, strict=True):
                total += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f'{name}_bucket{{{label},le="{le}"}} {total}')
            lines.append(f"{name}_sum{{{label}}} {self._sums[route]!r}")
            lines.append(f"{name}_count{{{label}}} {total}")
        return lines

    def _render_events(self) -> list[str]:
        lines: list[str] = []
        for name in sorted({n for n, _ in self._events}):
            lines += [
                f"# HELP skillmatch_{name}_total Count of {name} by outcome.",
                f"# TYPE skillmatch_{name}_total counter",
            ]
            lines += [
                f'skillmatch_{name}_total{{outcome="{_label(o)}"}} {c}'
                for (n, o), c in sorted(self._events.items())
                if n == name
            ]
        return lines


def _app_path(scope: Scope) -> str:
    """The path below the app's mount point (``root_path``), as its routes see it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class Observe:
    """Access log line and metrics for every request.

    The log line holds the method, the route template (never the raw path or query), the
    status, the duration and, when an endpoint sets ``request.state.log_worker``, a salted hash
    of the worker id. Bodies are never logged. A client that disconnects before its answer is
    recorded with status :data:`CLIENT_CLOSED`, and an error raised only because it went away
    is not re-raised (so no traceback is logged for it).
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics, route_of: Callable[[str], str]) -> None:
        self.app = app
        self.metrics = metrics
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0
        gone = False

        async def observed_receive() -> Message:
            nonlocal gone
            message = await receive()
            gone = gone or message["type"] == "http.disconnect"
            return message

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, observed_receive, observed_send)
        except Exception:
            if not gone:
                status = status or 500
                raise
        finally:
            if status == 0:
                status = CLIENT_CLOSED if gone else 500
            self._record(scope, status, time.perf_counter() - start)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or self.route_of(_app_path(scope))
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        self.metrics.observe(method, route, status, seconds)
        if _access.isEnabledFor(logging.INFO):
            extra = (scope.get("state") or {}).get("log_worker")
            _access.info(
                "%s %s %d %.1fms%s",
                method,
                route,
                status,
                seconds * 1000,
                f" {extra}" if extra else "",
            )
