"""Every phrase resolved so far, by integer id: its skill index and semantic vector.

Worker blocks refer to phrases by their id in the store, so a block's profile product reads
the rows it needs in place (``weights @ store.vectors``) instead of gathering a fresh
``(phrases, dim)`` matrix per block. Ids are stable until the store is cleared (when it is
full); :attr:`PhraseStore.generation` counts clears, so caches keyed on ids know when to drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

#: Below this many phrases a lookup uses the dictionary, not the pandas index.
_FEW = 64

#: Phrases kept before the store starts afresh (about 2.5 KB each at 640 dimensions).
PHRASE_STORE_SIZE = 200_000


class PhraseStore:
    """Append-only table of resolved phrases with amortised growth.

    Parameters
    ----------
    dim : int
        Width of the semantic vectors.
    capacity : int, default=PHRASE_STORE_SIZE
        Phrases kept before :meth:`add` clears the store.

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
        self.ids: dict[str, int] = {}
        self._by_text: pd.Index | None = None  # hash index of (the older) ids
        self._index = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, dim), dtype=np.float32)

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
        """Id of each phrase (repeats allowed), -1 where it is not in the store.

        A few phrases (one request) are looked up in the dictionary; many (a batch block) in
        a pandas hash index of the ids. Ids never change until :meth:`clear`, so the index
        stays valid as phrases are added and only misses are checked against the newer
        ones; it is rebuilt once the phrases added since exceed a quarter of it, which keeps
        the rebuilding linear overall.
        """
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

    def fits(self, n_new: int) -> bool:
        """Whether ``n_new`` more phrases fit before the store must be cleared."""
        return len(self) + n_new <= self.capacity

    def clear(self) -> None:
        """Forget every phrase (ids start again from 0)."""
        self.ids.clear()
        self._by_text = None
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
            size = max(stop, 2 * len(self._index), 1024)
            self._index = _grown(self._index, size, start)
            self._vectors = _grown(self._vectors, size, start)
        self._index[start:stop] = index
        self._vectors[start:stop] = vectors
        self.ids.update(zip(phrases, range(start, stop), strict=True))


def _grown(array: Any, size: int, used: int) -> Any:
    out = np.zeros((size, *array.shape[1:]), dtype=array.dtype)
    out[:used] = array[:used]
    return out
