"""The one thread that calls into recommenders, with a fast lane and an encoding lane.

The phrase memo and embedding caches of a recommender are not safe to update from two
threads, so every call runs on one thread. A request that brings text never seen before
first encodes it in small batches (:data:`ENCODE_BATCH` texts) on the *encoding* lane, then
ranks on the *fast* lane with every text cached. The thread takes fast work first and runs
one encoding batch after at most :data:`FAST_PER_ENCODE` fast calls, so an ordinary request
waits behind at most one small batch of another client's encoding, and encoding clients take
turns batch by batch instead of one holding the thread for seconds.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["ENCODE_BATCH", "FAST_PER_ENCODE", "RankingLanes"]

T = TypeVar("T")
#: Texts encoded per task of the encoding lane.
ENCODE_BATCH = 8
#: Fast calls the thread may run while encoding work waits, before it runs one batch.
FAST_PER_ENCODE = 4


class RankingLanes:
    """One worker thread fed by two FIFO queues, fast work first (see the module docstring).

    Examples
    --------
    >>> lanes = RankingLanes()
    >>> lanes.submit(lambda: 6 * 7).result(), lanes.submit(len, "abc", encode=True).result()
    (42, 3)
    >>> lanes.shutdown()
    """

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._fast: deque[tuple[Future[Any], Callable[[], Any]]] = deque()
        self._encode: deque[tuple[Future[Any], Callable[[], Any]]] = deque()
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., T], /, *args: Any, encode: bool = False) -> Future[T]:
        """Run ``fn(*args)`` on the thread; ``encode=True`` queues it on the encoding lane."""
        future: Future[T] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the ranking lanes are shut down")
            (self._encode if encode else self._fast).append((future, lambda: fn(*args)))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="skillmatch-rank", daemon=True
                )
                self._thread.start()
            self._ready.notify()
        return future

    def shutdown(self) -> None:
        """Finish the queued work, then stop the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _next(self, fast_run: int) -> tuple[Future[Any], Callable[[], Any], bool] | None:
        with self._ready:
            while not (self._fast or self._encode or self._closed):
                self._ready.wait()
            if self._encode and (not self._fast or fast_run >= FAST_PER_ENCODE):
                return (*self._encode.popleft(), True)
            if self._fast:
                return (*self._fast.popleft(), False)
            return None

    def _run(self) -> None:
        fast_run = 0
        while (item := self._next(fast_run)) is not None:
            future, call, encoding = item
            fast_run = 0 if encoding else fast_run + 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:
                future.set_exception(exc)
