"""Reloads that reach every worker process: a shared generation file, checked per request.

With ``skillmatch serve --workers N`` each worker process holds its own model. The worker
that answers ``POST /v1/admin/reload`` loads the new model, then publishes a new generation
number (with the model fingerprint) in a small JSON file shared by the workers, and only then
answers. Every worker checks the file's ``stat()`` before each request (a microsecond); on a
change it loads the model again before it answers (other requests of that worker wait for the
same load), so no request that starts after the reload answered is served by the old model.
If that load fails, the worker answers 503 until a later load succeeds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Protocol

from skillmatch.service.http import ASGIApp, Receive, Scope, Send, send_error

__all__ = ["FollowGeneration", "Follower", "SharedGeneration"]

_log = logging.getLogger("skillmatch.service.app")
#: Seconds between two attempts of a worker to load a published generation that failed.
_RETRY = 5.0


class SharedGeneration:
    """The generation number all worker processes must serve, in a JSON file.

    Parameters
    ----------
    path : str or Path
        The file; created with generation 0 when missing.

    Examples
    --------
    >>> import tempfile
    >>> shared = SharedGeneration(Path(tempfile.mkdtemp()) / "generation.json")
    >>> shared.read()
    0
    >>> shared.publish("abc123")
    1
    >>> shared.changed(shared.stamp()), shared.read()
    (False, 1)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self._write(0, "")

    def stamp(self) -> tuple[int, int, int] | None:
        """Inode, size and modification time of the file: changes with every publish."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def changed(self, stamp: tuple[int, int, int] | None) -> bool:
        """Whether the file differs from the one ``stamp`` was taken of."""
        return self.stamp() != stamp

    def read(self) -> int:
        """The current generation number (0 when the file is missing or unreadable)."""
        try:
            return int(json.loads(self.path.read_text("utf-8"))["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def publish(self, model: str) -> int:
        """Write the next generation (under an exclusive lock); returns its number."""
        import fcntl

        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            generation = self.read() + 1
            self._write(generation, model)
        return generation

    def _write(self, generation: int, model: str) -> None:
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"generation": generation, "model": model}), "utf-8")
        os.replace(tmp, self.path)


class Follower(Protocol):
    """What :class:`FollowGeneration` needs of the serving state (``ServiceState`` has it)."""

    @property
    def shared(self) -> SharedGeneration | None:
        """The generation file, or None when there is nothing to follow."""
        ...

    @property
    def stamp(self) -> tuple[int, int, int] | None:
        """``shared.stamp()`` when the served model was loaded."""
        ...

    def follow(self) -> None:
        """Load the model of the published generation."""
        ...


class FollowGeneration:
    """ASGI middleware: before each request, catch up with the shared generation.

    Parameters
    ----------
    app : ASGI app
        The app behind it.
    state : Follower
        The serving state: its ``shared`` generation file, ``stamp`` and ``follow``.
    """

    def __init__(self, app: ASGIApp, *, state: Follower) -> None:
        self.app = app
        self.state = state
        self._lock: asyncio.Lock | None = None
        self._failed_at = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        shared = self.state.shared
        if scope["type"] == "http" and shared is not None and shared.changed(self.state.stamp):
            if not await self._catch_up():
                await send_error(
                    send,
                    503,
                    "model_unavailable",
                    "this worker could not load the model published by the last reload",
                    [(b"retry-after", b"5")],
                )
                return
        await self.app(scope, receive, send)

    async def _catch_up(self) -> bool:
        """Load the published generation once per change; True when it is served."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            shared = self.state.shared
            if shared is None or not shared.changed(self.state.stamp):
                return True  # another request of this worker caught up meanwhile
            if time.monotonic() - self._failed_at < _RETRY:
                return False
            try:
                await asyncio.to_thread(self.state.follow)
            except Exception as exc:
                self._failed_at = time.monotonic()
                _log.error(
                    "worker %d could not follow the reload (%s: %s)",
                    os.getpid(),
                    type(exc).__name__,
                    exc,
                )
                return False
            return True
