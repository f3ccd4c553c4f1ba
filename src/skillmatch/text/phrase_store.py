"""The phrases resolved recently, by integer id: their skill index and semantic vector.

Worker blocks refer to phrases by their id in the store, so a block's profile product reads
the rows it needs in place (``weights @ store.vectors``) instead of gathering a fresh
``(phrases, dim)`` matrix per block. The store holds at most :attr:`PhraseStore.capacity`
phrases (set from a byte budget, see :meth:`PhraseStore.set_budget`). When new phrases do not
fit, it keeps the most recently used half and renumbers them (a least-recently-used store,
compacted in steps so that ids stay dense); :attr:`PhraseStore.generation` counts these
steps, so caches keyed on ids know when to remap (:attr:`PhraseStore.kept`) or drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.text._lru import key_bytes

#: Below this many phrases a lookup uses the dictionary, not the pandas index.
_FEW = 64

#: Phrases kept before the store evicts (about 2.5 KB each at 640 dimensions).
PHRASE_STORE_SIZE = 200_000
#: Bytes counted per phrase beyond its vector: its skill index, last use, key and dict slot.
_PHRASE_OVERHEAD = 16 + 200
#: Bytes assumed for a phrase's key when sizing the store from a budget (a short phrase).
PHRASE_KEY_BYTES = 100


class PhraseStore:
    """Table of resolved phrases with amortised growth, least recently used evicted.

    Parameters
    ----------
    dim : int
        Width of the semantic vectors.
    capacity : int, default=PHRASE_STORE_SIZE
        Phrases kept before :meth:`make_room` evicts.

    Attributes
    ----------
    generation : int
        Evictions so far; ids of one generation mean nothing in another.
    kept : ndarray of shape (n_kept,)
        Old ids of the phrases the last eviction kept, in their new id order.

    Examples
    --------
    >>> store = PhraseStore(dim=2)
    >>> store.add(["weld"], np.array([3]), np.array([[0.6, 0.8]]))
    >>> store.lookup(["weld", "paint"]).tolist(), store.index[0], len(store)
    ([0, -1], np.int64(3), 1)
    """

    def __init__(self, dim: int, capacity: int = PHRASE_STORE_SIZE) -> None:
        self.dim = dim
        self.capacity = capacity
        self.generation = 0
        self.kept = np.zeros(0, dtype=np.int64)
        self.ids: dict[str, int] = {}
        self._by_text: pd.Index | None = None  # hash index of (the older) ids
        self._index = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._used = np.zeros(0, dtype=np.int64)  # the last lookup that touched each phrase
        self._tick = 0
        self._key_bytes = 0  # of the phrases held

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def index(self) -> NDArray[np.int64]:
        """Skill index of each phrase (-1: a free phrase)."""
        return self._index[: len(self)]

    @property
    def vectors(self) -> NDArray[np.float32]:
        """Semantic vector of each phrase, shape ``(len(self), dim)``."""
        return self._vectors[: len(self)]

    def lookup(self, phrases: Sequence[str] | NDArray[np.object_]) -> NDArray[np.int64]:
        """Id of each phrase (repeats allowed), -1 where it is not in the store; the phrases
        found become the most recently used.

        A few phrases (one request) are looked up in the dictionary; many (a batch block) in
        a pandas hash index of the ids. Ids never change until an eviction, so the index
        stays valid as phrases are added and only misses are checked against the newer
        ones; it is rebuilt once the phrases added since exceed a quarter of it, which keeps
        the rebuilding linear overall.
        """
        found = self._find(phrases)
        self._tick += 1
        self._used[found[found >= 0]] = self._tick
        return found

    def _find(self, phrases: Sequence[str] | NDArray[np.object_]) -> NDArray[np.int64]:
        get = self.ids.get
        if len(phrases) < _FEW:
            return np.fromiter((get(p, -1) for p in phrases), dtype=np.int64, count=len(phrases))
        indexed = len(self._by_text) if self._by_text is not None else -1
        if indexed < 0 or len(self) - indexed > max(_FEW, indexed // 4):
            # ids are insertion order, so a phrase's position in the index is its id
            self._by_text = pd.Index(list(self.ids), dtype=object)
            indexed = len(self)
        assert self._by_text is not None
        found = np.asarray(self._by_text.get_indexer(pd.Index(phrases, dtype=object)), np.int64)
        if indexed < len(self):
            miss = np.flatnonzero(found < 0)
            found[miss] = [get(phrases[i], -1) for i in miss.tolist()]
        return found

    @property
    def nbytes(self) -> int:
        """Bytes held: the allocated arrays, plus each phrase's key and overhead."""
        arrays = self._index.nbytes + self._vectors.nbytes + self._used.nbytes
        return arrays + self._key_bytes + (_PHRASE_OVERHEAD - 16) * len(self)

    def set_budget(self, max_bytes: int, row_bytes: int = 0) -> None:
        """Set :attr:`capacity` to the phrases that fit in ``max_bytes``.

        ``row_bytes`` counts what a consumer keeps per phrase besides (e.g. its cosines with
        every program). Phrases are assumed short (:data:`PHRASE_KEY_BYTES` for the text);
        at least 64 are kept.
        """
        per_phrase = 4 * self.dim + _PHRASE_OVERHEAD + PHRASE_KEY_BYTES + row_bytes
        self.capacity = max(64, max_bytes // per_phrase)
        if len(self) > self.capacity:
            self.make_room(0)
        if len(self._index) > self.capacity:  # give back what was allocated beyond it
            self._index = self._index[: self.capacity].copy()
            self._vectors = self._vectors[: self.capacity].copy()
            self._used = self._used[: self.capacity].copy()

    def fits(self, n_new: int) -> bool:
        """Whether ``n_new`` more phrases fit before the store must evict."""
        return len(self) + n_new <= self.capacity

    def make_room(self, n_new: int) -> None:
        """Evict the least recently used phrases: keep at most half the capacity, and room
        for ``n_new`` more; the kept phrases get ids ``0 ..`` in their old order."""
        keep = max(0, min(len(self), self.capacity // 2, self.capacity - n_new))
        n = len(self)
        order = np.argsort(-self._used[:n], kind="stable")[:keep]
        kept = np.sort(order).astype(np.int64)
        phrases = list(self.ids)  # ids are dense and in insertion order
        self.ids = {phrases[old]: new for new, old in enumerate(kept.tolist())}
        self._key_bytes = sum(key_bytes(p) for p in self.ids)
        self._index[:keep] = self._index[kept]
        self._vectors[:keep] = self._vectors[kept]
        self._used[:keep] = self._used[kept]
        self._by_text = None
        self.kept = kept
        self.generation += 1

    def clear(self) -> None:
        """Forget every phrase (ids start again from 0)."""
        self.ids.clear()
        self._key_bytes = 0
        self._by_text = None
        self.kept = np.zeros(0, dtype=np.int64)
        self.generation += 1

    def add(
        self,
        phrases: Sequence[str],
        index: NDArray[np.int64],
        vectors: NDArray[np.floating],
    ) -> None:
        """Append phrases not yet in the store (the caller checks :meth:`lookup` first)."""
        start, stop = len(self), len(self) + len(phrases)
        if stop > len(self._index):
            size = max(stop, min(max(2 * len(self._index), 1024), self.capacity))
            self._index = _grown(self._index, size, start)
            self._vectors = _grown(self._vectors, size, start)
            self._used = _grown(self._used, size, start)
        self._index[start:stop] = index
        self._vectors[start:stop] = vectors
        self._used[start:stop] = self._tick
        self.ids.update(zip(phrases, range(start, stop), strict=True))
        self._key_bytes += sum(key_bytes(p) for p in phrases)


def _grown(array: Any, size: int, used: int) -> Any:
    out = np.zeros((size, *array.shape[1:]), dtype=array.dtype)
    out[:used] = array[:used]
    return out
