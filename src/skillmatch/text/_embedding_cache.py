"""The embedding cache of an :class:`~skillmatch.text.encode.Encoder`: pinned texts for good,
the others least recently used first out within a byte budget; saved as ``.npy`` + JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError
from skillmatch.text._lru import ByteLRU

__all__ = ["EMBEDDING_CACHE_BYTES", "EmbeddingCache"]

_CACHE_FORMAT = 1
#: Default budget of an embedding cache's texts that are not pinned (about 30,000 texts of
#: 512 dimensions).
EMBEDDING_CACHE_BYTES = 64 << 20

FloatMatrix = NDArray[np.float32]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _vector_bytes(vector: FloatMatrix) -> int:
    return int(vector.nbytes)


class EmbeddingCache:
    """Embeddings keyed by (model id, text), deduplicated, saved as ``.npy`` + JSON (no pickle).

    Texts added with ``pin=True`` (the catalogue texts a bundle needs, see
    :meth:`skillmatch.text.Encoder.pinning`) and texts read from a saved cache stay for good.
    Every other text is kept in a least-recently-used map of at most ``max_bytes``: a server
    fed endless new text holds at most that much, and a text evicted and seen again is encoded
    again.

    Parameters
    ----------
    model_id : str
        The encoder the vectors come from; loading a cache of another model is refused.
    dim : int
        Embedding dimension.
    max_bytes : int, default=EMBEDDING_CACHE_BYTES
        Budget of the texts that are not pinned (see :class:`~skillmatch.text._lru.ByteLRU`).

    Examples
    --------
    >>> cache = EmbeddingCache("toy", dim=2)
    >>> cache.add(["a"], np.array([[1.0, 0.0]], dtype=np.float32))
    >>> cache.missing(["a", "b", "b"])
    ['b']
    >>> cache.get(["a"]).tolist()
    [[1.0, 0.0]]
    """

    def __init__(self, model_id: str, dim: int, max_bytes: int = EMBEDDING_CACHE_BYTES) -> None:
        self.model_id = model_id
        self.dim = dim
        self._index: dict[str, int] = {}  # pinned texts: row in the buffer
        # Rows [0, n_pinned) of a buffer that doubles when full: pinning one new text costs
        # O(dim), not a copy of everything cached so far.
        self._buffer: FloatMatrix = np.zeros((0, dim), dtype=np.float32)
        self._recent: ByteLRU[str, FloatMatrix] = ByteLRU(max_bytes, _vector_bytes)

    def __len__(self) -> int:
        return len(self._index) + len(self._recent)

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        key = _text_key(text)
        return key in self._index or key in self._recent

    @property
    def max_bytes(self) -> int:
        """Budget of the texts that are not pinned."""
        return self._recent.max_bytes

    @property
    def nbytes(self) -> int:
        """Bytes held by the texts that are not pinned (at most :attr:`max_bytes`)."""
        return self._recent.nbytes

    @property
    def n_pinned(self) -> int:
        """Number of pinned texts."""
        return len(self._index)

    def resize(self, max_bytes: int) -> None:
        """Set the budget of the texts that are not pinned, evicting at once to fit."""
        self._recent.resize(max_bytes)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Distinct texts not yet cached, in first-seen order."""
        seen: dict[str, None] = {}
        for text in texts:
            key = _text_key(text)
            if key not in self._index and key not in self._recent:
                seen.setdefault(text, None)
        return list(seen)

    def add(self, texts: Sequence[str], vectors: FloatMatrix, *, pin: bool = False) -> None:
        """Store ``vectors[i]`` as the embedding of ``texts[i]`` (for good with ``pin``)."""
        if vectors.shape != (len(texts), self.dim):
            raise ValueError(
                f"vectors must have shape ({len(texts)}, {self.dim}), got {vectors.shape}"
            )
        if not pin:
            for text, vec in zip(texts, vectors, strict=True):
                key = _text_key(text)
                if key not in self._index and key not in self._recent:  # known: kept as is
                    # a copy: a view would keep the whole batch's array alive
                    self._recent.put(key, np.array(vec, dtype=np.float32))
            return
        self.pin(texts)
        fresh = {_text_key(t): i for i, t in enumerate(texts)}
        keys = [k for k in fresh if k not in self._index]
        if keys:
            self._pin_rows(keys, vectors[[fresh[k] for k in keys]])

    def _pin_rows(self, keys: list[str], new_rows: FloatMatrix) -> None:
        start = len(self._index)
        self._index.update((key, start + i) for i, key in enumerate(keys))
        end = start + len(new_rows)
        if end > self._buffer.shape[0]:
            grown = np.zeros((max(end, 2 * self._buffer.shape[0], 64), self.dim), np.float32)
            grown[:start] = self._buffer[:start]
            self._buffer = grown
        self._buffer[start:end] = np.asarray(new_rows, dtype=np.float32)

    def pin(self, texts: Sequence[str]) -> None:
        """Keep for good those of ``texts`` that are cached but not pinned yet."""
        keys = dict.fromkeys(map(_text_key, texts))
        popped = {k: v for k in keys if (v := self._recent.pop(k)) is not None}
        if popped:
            self._pin_rows(list(popped), np.stack(list(popped.values())))

    def _compact(self) -> FloatMatrix:
        return self._buffer[: len(self._index)]

    def get(self, texts: Sequence[str]) -> FloatMatrix:
        """Embeddings of ``texts`` (all must be cached), shape ``(len(texts), dim)``."""
        keys = [_text_key(t) for t in texts]
        rows = np.fromiter((self._index.get(k, -1) for k in keys), np.int64, count=len(keys))
        if len(self._index):
            out = self._compact()[np.maximum(rows, 0)]
        else:
            out = np.zeros((len(keys), self.dim), dtype=np.float32)
        for i in np.flatnonzero(rows < 0).tolist():
            vec = self._recent.get(keys[i])
            if vec is None:
                raise KeyError(f"text not in the embedding cache: {texts[i]!r}")
            out[i] = vec
        return out

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``<path>.npy`` and ``<path>.json``; returns the directory-less stem path.

        Pinned texts and those now in the recent map are written; a saved cache loads with
        every text pinned.
        """
        stem = Path(path)
        stem.parent.mkdir(parents=True, exist_ok=True)
        recent = list(self._recent.items())
        matrix = self._compact()
        if recent:
            matrix = np.concatenate([matrix, np.stack([vec for _, vec in recent])])
        np.save(stem.with_suffix(".npy"), matrix, allow_pickle=False)
        meta = {
            "format": _CACHE_FORMAT,
            "model_id": self.model_id,
            "dim": self.dim,
            "keys": [*sorted(self._index, key=self._index.__getitem__), *(k for k, _ in recent)],
        }
        stem.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        return stem

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, model_id: str | None = None) -> EmbeddingCache:
        """Read a cache written by :meth:`save` (every text pinned), refusing another model's."""
        stem = Path(path)
        meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        matrix = np.load(stem.with_suffix(".npy"), allow_pickle=False)
        if model_id is not None and meta["model_id"] != model_id:
            raise ModelFormatError(
                f"embedding cache {str(stem)!r} was built with model_id={meta['model_id']!r}, "
                f"expected {model_id!r}"
            )
        if matrix.shape != (len(meta["keys"]), meta["dim"]):
            raise ModelFormatError(
                f"embedding cache {str(stem)!r}: array shape {matrix.shape} does not match "
                f"{len(meta['keys'])} keys of dim {meta['dim']}"
            )
        cache = cls(meta["model_id"], int(meta["dim"]))
        cache._buffer = np.ascontiguousarray(matrix, dtype=np.float32)
        cache._index = {key: i for i, key in enumerate(meta["keys"])}
        return cache
