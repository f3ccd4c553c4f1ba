"""The serving state of the HTTP service: the current model, atomic swaps, settings.

No web framework here: :class:`ServiceState` is plain Python, so the swap logic is testable
without an HTTP stack and the command line can drive it from a signal handler.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from skillmatch.service.generation import SharedGeneration
from skillmatch.service.lanes import RankingLanes
from skillmatch.service.models import MAX_BATCH, ReloadResponse

if TYPE_CHECKING:
    from skillmatch.core import Recommender

__all__ = ["ModelSlot", "ReloadInProgressError", "ServiceState", "load_recommender"]


def load_recommender(
    bundle: str | Path | None,
    *,
    expected_sha256: str | None = None,
    hmac_key: bytes | str | None = None,
    phrase_cache_bytes: int | None = None,
) -> Recommender:
    """The recommender the service serves when none is passed in.

    ``bundle=None`` means the default bundle shipped in ``models/default``. The bundle is
    verified (versions and the sha256 of every file) before anything in it is used; with
    ``expected_sha256`` its manifest must have that digest, and with ``hmac_key`` it must be
    signed with that key (see :meth:`skillmatch.core.Recommender.load`).
    ``phrase_cache_bytes`` bounds its caches of request phrases (default
    :data:`~skillmatch.core.PHRASE_CACHE_BYTES`).
    """
    from skillmatch.core import PHRASE_CACHE_BYTES, Recommender

    return Recommender.load(
        bundle,
        expected_sha256=expected_sha256,
        hmac_key=hmac_key,
        phrase_cache_bytes=PHRASE_CACHE_BYTES if phrase_cache_bytes is None else phrase_cache_bytes,
    )


class ReloadInProgressError(RuntimeError):
    """A reload was asked for while another one is running."""


@dataclass(frozen=True)
class ModelSlot:
    """One loaded model with everything a request needs from it; swapped as a whole."""

    recommender: Recommender
    fingerprint: str
    program_ids: frozenset[str]

    @classmethod
    def of(cls, recommender: Recommender) -> ModelSlot:
        """Wrap ``recommender``, computing its fingerprint once."""
        ids = frozenset(p.program_id for p in recommender.programs)
        return cls(recommender=recommender, fingerprint=recommender.fingerprint(), program_ids=ids)

    def known(self, program_ids: Iterable[str]) -> list[str]:
        """The ids of ``program_ids`` that are in this model's catalogue."""
        return [p for p in program_ids if p in self.program_ids]


class ServiceState:
    """The model being served, the way to reload it, and the request settings.

    Parameters
    ----------
    slot : ModelSlot
        The model served first.
    loader : callable, optional
        Builds a fresh recommender for :meth:`reload`; None disables reloading.
    api_key : str, optional
        When set, ``/v1/*`` requests need it in the ``X-API-Key`` header.
    max_batch : int
        Most workers per batch request.
    shared : SharedGeneration, optional
        The generation file of a multi-process server: a reload publishes to it, and
        :meth:`follow` catches up with it (see :mod:`skillmatch.service.generation`).
    generation : int, default=0
        The shared generation ``slot`` was loaded at (read before loading it).
    """

    def __init__(
        self,
        slot: ModelSlot,
        *,
        loader: Callable[[], Recommender] | None,
        api_key: str | None,
        max_batch: int = MAX_BATCH,
        shared: SharedGeneration | None = None,
        generation: int = 0,
    ) -> None:
        self._slot = slot
        self.loader = loader
        self.shared = shared
        self.generation = generation
        #: ``shared.stamp()`` when :attr:`generation` was read; a request compares it.
        self.stamp = shared.stamp() if shared is not None else None
        self._api_key = api_key.encode() if api_key is not None else None
        self.max_batch = max_batch
        self._reloading = threading.Lock()
        self._salt = secrets.token_bytes(16)
        #: The one thread that calls into recommenders. The phrase memo and embedding cache
        #: are not safe to update from two threads, and a single thread also avoids the lock
        #: convoy of many pool threads waiting for one lock under the GIL.
        self.ranking = RankingLanes()

    @property
    def slot(self) -> ModelSlot:
        """The current model; read it once per request and use that reference throughout."""
        return self._slot

    @property
    def has_api_key(self) -> bool:
        """Whether requests must carry the API key."""
        return self._api_key is not None

    def authorized(self, key: str | None) -> bool:
        """Constant-time check of a presented key (True when no key is configured)."""
        if self._api_key is None:
            return True
        presented = (key or "").encode("utf-8", "surrogateescape")
        return hmac.compare_digest(presented, self._api_key)

    def pseudonym(self, worker_id: str) -> str:
        """A salted hash of a worker id for log lines (the salt lives and dies with the process).

        It links the requests of one worker within a process, but cannot be reversed by hashing
        candidate ids, unlike a plain hash of a short or sequential id.
        """
        digest = hmac.new(self._salt, worker_id.encode(), hashlib.sha256).hexdigest()
        return f"worker={digest[:12]}"

    def reload(self) -> ReloadResponse:
        """Build a new model off the request path, then swap it in with one assignment.

        Requests already running keep the model they started with; new ones get the new model.
        On failure the previous model keeps serving and the exception propagates.

        Raises
        ------
        ReloadInProgressError
            Another reload is running.
        RuntimeError
            This service has nothing to reload from.
        """
        if self.loader is None:
            raise RuntimeError("this service was given a Recommender object; nothing to reload")
        if not self._reloading.acquire(blocking=False):
            raise ReloadInProgressError("a reload is already running")
        try:
            start = time.perf_counter()
            new = ModelSlot.of(self.loader())
            previous, self._slot = self._slot, new
            if self.shared is not None:
                self.generation = self.shared.publish(new.fingerprint)
                self.stamp = self.shared.stamp()
            return ReloadResponse(
                model=new.fingerprint,
                previous_model=previous.fingerprint,
                n_programs=len(new.program_ids),
                seconds=round(time.perf_counter() - start, 3),
            )
        finally:
            self._reloading.release()

    def follow(self) -> None:
        """Load the model again for the generation another worker published (no publish).

        The stamp and generation are read before loading, so a publish during the load is
        seen by the next request. Raises what the loader raises; the previous model is kept.
        """
        if self.shared is None or self.loader is None:
            return
        with self._reloading:
            stamp, generation = self.shared.stamp(), self.shared.read()
            self._slot = ModelSlot.of(self.loader())
            self.generation, self.stamp = generation, stamp
