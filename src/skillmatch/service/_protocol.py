"""uvicorn's h11 protocol with the connection-level limits uvicorn lacks.

* A request head (request line and headers) must arrive within ``header_timeout`` seconds of
  the connection, or of its first byte on a kept-alive connection; otherwise the server
  answers 408 and closes. Slow-loris headers hold a descriptor for seconds, not forever.
* When a new connection would reach ``limit_concurrency`` (where requests get 503) or pass
  ``max_connections``, the connection that has waited longest for a request head (a stalled
  one) gets 408 and is closed to make room, so a client that sends its request at once (a
  health probe) still gets in during a flood of stalled connections. Past
  ``max_connections`` with none waiting, the new connection is closed as soon as it is
  accepted.
* :class:`GuardedEventLoop` raises the soft descriptor limit to the hard one, and keeps the
  last :data:`FD_RESERVE` descriptors for everything but connections: a connection accepted
  above that line is closed at once and accepting pauses for a second, so a flood of stalled
  connections cannot make ``accept()`` (or anything else) fail with "Too many open files".
* When ``accept()`` fails anyway for want of descriptors or memory (EMFILE, ENFILE, ...), the
  loop ends that round of accepts at the first failure (CPython 3.11's loop retries up to
  ``backlog`` times per round and schedules a retry for each, a storm that doubles every
  second), and its exception handler logs one line per episode, and one when accepting
  resumes, instead of a traceback per failure.

The limits come from attributes of the uvicorn config (see :mod:`skillmatch.service.server`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import weakref
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["FD_RESERVE", "GuardedEventLoop", "GuardedH11Protocol"]

_log = logging.getLogger("skillmatch.service.app")
_RESOURCE_ERRORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
#: An accept failure this long after the previous one starts a new episode.
_EPISODE_GAP = 3.0
#: Descriptors kept free for everything but connections (logs, lazy imports, the model).
FD_RESERVE = 64
_TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: 0\r\n\r\n"
)


class _AcceptGuard:
    """Per event loop: logs accept failures once per episode, passes other errors on."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.previous = loop.get_exception_handler()
        self.failures = 0
        self.last = float("-inf")

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _RESOURCE_ERRORS:
            now = loop.time()
            if now - self.last > _EPISODE_GAP:
                self.failures = 0
                _log.error(
                    "accept() failed: %s (errno %s); new connections wait until descriptors "
                    "or memory free up (logged once per episode)",
                    exc.strerror,
                    errno.errorcode.get(exc.errno or 0, exc.errno),
                )
            self.failures += 1
            self.last = now
        elif self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def accepted(self, loop: asyncio.AbstractEventLoop) -> None:
        """A connection was accepted: close the episode, if one is open."""
        if self.failures:
            _log.warning("accepting connections again after %d failed accepts", self.failures)
            self.failures = 0


_guards: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _AcceptGuard] = (
    weakref.WeakKeyDictionary()
)


#: Per event loop: connections waiting for a request head, the longest waiting first.
_waiting: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, OrderedDict[GuardedH11Protocol, None]
] = weakref.WeakKeyDictionary()


def _waiting_on(loop: asyncio.AbstractEventLoop) -> OrderedDict[GuardedH11Protocol, None]:
    waiting = _waiting.get(loop)
    if waiting is None:
        waiting = _waiting[loop] = OrderedDict()
    return waiting


def _guard(loop: asyncio.AbstractEventLoop) -> _AcceptGuard:
    guard = _guards.get(loop)
    if guard is None:
        guard = _guards[loop] = _AcceptGuard(loop)
        loop.set_exception_handler(guard)
    return guard


def _fd_limit() -> int | None:
    """Raise the soft descriptor limit to the hard one; the soft limit (None: unlimited)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # pragma: no cover - not allowed
            pass
    return None if soft == resource.RLIM_INFINITY else int(soft)


class _OneFailure:
    """A listening socket whose ``accept()`` reports one resource error per round, then
    "nothing to accept", so the loop's accept round ends at the first failure. A connection
    that lands on one of the last :data:`FD_RESERVE` descriptors is closed at once and
    reported as such an error."""

    def __init__(self, sock: Any, fd_limit: int | None) -> None:
        self.sock = sock
        self.fd_limit = fd_limit
        self.failed = False

    def accept(self) -> tuple[socket.socket, Any]:
        if self.failed:
            raise BlockingIOError(errno.EAGAIN, "accept round ended after a resource error")
        try:
            conn, addr = self.sock.accept()
        except OSError as exc:
            self.failed = exc.errno in _RESOURCE_ERRORS
            raise
        if self.fd_limit is not None and conn.fileno() >= self.fd_limit - FD_RESERVE:
            conn.close()
            self.failed = True
            raise OSError(
                errno.EMFILE,
                f"Too many open files: connections may not use the last {FD_RESERVE} "
                f"of {self.fd_limit} descriptors",
            )
        return conn, addr

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class GuardedEventLoop(asyncio.SelectorEventLoop):
    """The selector event loop with the descriptor guard and the one-failure accept rounds."""

    def __init__(self) -> None:
        super().__init__()
        self.fd_limit = _fd_limit()
        _guard(self)

    def _accept_connection(self, protocol_factory: Any, sock: Any, *args: Any, **kw: Any) -> None:
        if isinstance(sock, _OneFailure):
            sock = sock.sock
        super()._accept_connection(  # type: ignore[misc]
            protocol_factory, _OneFailure(sock, self.fd_limit), *args, **kw
        )


class GuardedH11Protocol(H11Protocol):
    """:class:`uvicorn.protocols.http.h11_impl.H11Protocol` plus a header timeout and a
    connection cap, read from ``config.header_timeout`` and ``config.max_connections``."""

    def __init__(self, config: Any, server_state: Any, app_state: Any, _loop: Any = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = float(getattr(config, "header_timeout", 10.0))
        self.max_connections: int | None = getattr(config, "max_connections", None)
        concurrency = getattr(config, "limit_concurrency", None)
        bounds = [] if self.max_connections is None else [self.max_connections]
        bounds += [] if concurrency is None else [int(concurrency) - 1]
        #: Past this many connections, the one waiting longest for its head is evicted.
        self.evict_above = min(bounds) if bounds else None
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _guard(self.loop).accepted(self.loop)
        super().connection_made(transport)
        n = len(self.connections)
        evicted = self.evict_above is not None and n > self.evict_above
        evicted = evicted and self._evict_longest_waiting()
        if not evicted and self.max_connections is not None and n > self.max_connections:
            self.transport.close()
            return
        self._arm()

    def _evict_longest_waiting(self) -> bool:
        """Answer 408 to the connection that has waited longest for a head, and close it."""
        waiting = _waiting_on(self.loop)
        while waiting:
            oldest, _ = waiting.popitem(last=False)
            oldest._disarm()
            if not oldest.transport.is_closing():
                oldest._header_timeout()
                return True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._between_requests() and self.header_timer is None:
            self._arm()
        super().data_received(data)
        if not self._between_requests():
            self._disarm()

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self.header_timer = self.loop.call_later(self.header_timeout, self._header_timeout)
        _waiting_on(self.loop)[self] = None

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        _waiting_on(self.loop).pop(self, None)

    def _header_timeout(self) -> None:
        self.header_timer = None
        _waiting_on(self.loop).pop(self, None)
        if self._between_requests() and not self.transport.is_closing():
            self.transport.write(_TIMEOUT_408)
            self.transport.close()
