"""A least-recently-used map bounded by bytes, for the phrase caches.

Every cache of request-time text (the embedding cache, the vocabulary's match memo, the
phrase store, the goal matches) keeps each phrase in one of these or counts its bytes the
same way, so a server fed endless new text holds at most its budget. What a bundle needs for
good (the catalogue's and the taxonomy's texts) is kept outside, pinned, and never counted.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["ENTRY_OVERHEAD", "MEMO_BYTES", "ByteLRU", "PhraseMemo", "Resolved", "key_bytes"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Bytes counted per entry beyond its key and value: the ordered dict's node and hash slot
#: and the value's container (a tuple, an array header), measured on CPython 3.11.
ENTRY_OVERHEAD = 200


def key_bytes(key: object) -> int:
    """Bytes a key takes (``sys.getsizeof``: a str counts its characters and header)."""
    return sys.getsizeof(key)


class ByteLRU(Generic[K, V]):
    """Mapping that evicts its least recently used entries to stay within ``max_bytes``.

    Parameters
    ----------
    max_bytes : int
        Budget for all entries together, each counted as ``key_bytes(key) + size(value) +
        ENTRY_OVERHEAD``. An entry larger than the whole budget is not kept.
    size : callable
        Bytes of a value (e.g. ``lambda a: a.nbytes`` for arrays).

    Attributes
    ----------
    nbytes : int
        Bytes counted for the entries now held (at most ``max_bytes``).
    n_evicted : int
        Entries dropped to make room so far.

    Examples
    --------
    >>> lru = ByteLRU(max_bytes=3 * (ENTRY_OVERHEAD + 100), size=lambda v: 100 - key_bytes(v))
    >>> for word in ["a", "b", "c"]:
    ...     lru.put(word, word)
    >>> lru.get("a")  # "a" is now the most recently used
    'a'
    >>> lru.put("d", "d")  # evicts "b", the least recently used
    >>> sorted(lru), lru.n_evicted, lru.nbytes <= lru.max_bytes
    (['a', 'c', 'd'], 1, True)
    """

    def __init__(self, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self.size = size
        self.nbytes = 0
        self.n_evicted = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def items(self) -> Iterator[tuple[K, V]]:
        """Keys and values, least recently used first (their order is left unchanged)."""
        return ((key, item[0]) for key, item in self._items.items())

    def get(self, key: K) -> V | None:
        """The value of ``key`` (now the most recently used), or None."""
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key`` as the most recently used, evicting to fit."""
        self.pop(key)
        cost = key_bytes(key) + self.size(value) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        self._items[key] = (value, cost)
        self.nbytes += cost
        self.shrink(self.max_bytes)

    def pop(self, key: K) -> V | None:
        """Remove ``key``; its value, or None."""
        item = self._items.pop(key, None)
        if item is None:
            return None
        self.nbytes -= item[1]
        return item[0]

    def shrink(self, max_bytes: int) -> None:
        """Evict the least recently used entries until at most ``max_bytes`` are held."""
        while self.nbytes > max_bytes and self._items:
            _, (_, cost) = self._items.popitem(last=False)
            self.nbytes -= cost
            self.n_evicted += 1

    def resize(self, max_bytes: int) -> None:
        """Set a new budget, evicting at once if the entries exceed it."""
        self.max_bytes = max_bytes
        self.shrink(max_bytes)

    def clear(self) -> None:
        """Drop every entry."""
        self._items.clear()
        self.nbytes = 0

    def __repr__(self) -> str:
        return f"ByteLRU(n={len(self)}, nbytes={self.nbytes}, max_bytes={self.max_bytes})"


#: Default budget of a vocabulary's memo of resolved phrases (about 30,000 phrases of 512
#: dimensions).
MEMO_BYTES = 64 << 20

#: What the memo keeps of a phrase: best skill, confidence and the phrase's own embedding.
Resolved = tuple[int, float, NDArray[np.float32]]


def _resolved_bytes(value: Resolved) -> int:
    return int(value[2].nbytes) + 16


class PhraseMemo:
    """A vocabulary's resolved phrases (best skill, confidence, embedding) within a budget.

    Parameters
    ----------
    dim : int
        Width of the embeddings.
    max_bytes : int, default=MEMO_BYTES
        Budget of the phrases kept (least recently used evicted first).

    Examples
    --------
    >>> memo = PhraseMemo(dim=2)
    >>> _ = memo.add(["weld"], np.array([3]), np.array([0.9]), np.ones((1, 2), np.float32))
    >>> hits = memo.lookup(["weld", "paint"])
    >>> list(hits), hits["weld"][0]
    (['weld'], 3)
    """

    def __init__(self, dim: int, max_bytes: int = MEMO_BYTES) -> None:
        self.dim = dim
        self._lru: ByteLRU[str, Resolved] = ByteLRU(max_bytes, _resolved_bytes)

    def __len__(self) -> int:
        return len(self._lru)

    @property
    def nbytes(self) -> int:
        """Bytes held (at most :attr:`max_bytes`)."""
        return self._lru.nbytes

    @property
    def max_bytes(self) -> int:
        """The budget."""
        return self._lru.max_bytes

    def resize(self, max_bytes: int) -> None:
        """Set the budget, evicting at once to fit."""
        self._lru.resize(max_bytes)

    def lookup(self, phrases: Sequence[str]) -> dict[str, Resolved]:
        """The phrases held, each now the most recently used."""
        hits: dict[str, Resolved] = {}
        for phrase in phrases:
            if phrase not in hits and (hit := self._lru.get(phrase)) is not None:
                hits[phrase] = hit
        return hits

    def add(
        self,
        phrases: Sequence[str],
        best: NDArray[np.integer],
        confidence: NDArray[np.floating],
        embedding: NDArray[np.float32],
    ) -> dict[str, Resolved]:
        """Keep what was resolved of ``phrases``; returns it as :meth:`lookup` would."""
        out: dict[str, Resolved] = {}
        for i, phrase in enumerate(phrases):
            # a copy of the row: a view would keep the whole batch's array alive
            out[phrase] = (int(best[i]), float(confidence[i]), np.array(embedding[i], np.float32))
            self._lru.put(phrase, out[phrase])
        return out

    def gather(
        self, phrases: Sequence[str], resolved: dict[str, Resolved]
    ) -> tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.float32]]:
        """Best skill, confidence and embedding of each of ``phrases``, from ``resolved``."""
        items = [resolved[p] for p in phrases]
        n = len(items)
        best = np.fromiter((it[0] for it in items), dtype=np.int64, count=n)
        confidence = np.fromiter((it[1] for it in items), dtype=np.float32, count=n)
        if not n:
            return best, confidence, np.zeros((0, self.dim), np.float32)
        return best, confidence, np.stack([it[2] for it in items])
