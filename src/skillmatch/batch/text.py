"""Encode each chunk's new text once, in the main process, for parallel batch runs.

Without this every worker process imports torch and sentence-transformers, loads the model
and embeds the phrases the bundle's cache lacks, each on its own: the same phrases once per
process, and seconds of start-up and hundreds of MB each. Instead the main process embeds the
distinct texts of each chunk that are new to the run (skill claims, occupations, goals, read
straight from the Arrow columns) and sends their vectors with the chunk; a worker adds them
to its cache before scoring and never loads the model. Texts it still lacks (a layout these
columns do not expose, say CSV cells holding JSON) are embedded by the worker as before, so
this only moves work, it never changes what is computed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from skillmatch.core import Scorer
from skillmatch.text import Encoder

__all__ = ["ChunkTexts", "TextVectors", "adopt_vectors"]

#: ``(texts, vectors)``: embeddings a worker adds to its encoder cache before scoring.
TextVectors = tuple[list[str], NDArray[np.float32]]


def _encoder_of(recommender: Scorer) -> Encoder | None:
    """The recommender's :class:`Encoder`; ``None`` for another kind of encoder (nothing to
    prefetch: only an :class:`Encoder` loads a model and keeps a cache)."""
    encoder = recommender.text_encoder
    return encoder if isinstance(encoder, Encoder) else None


def chunk_texts(table: pa.Table) -> list[str]:
    """Distinct non-empty texts of the ``skills[].text``, ``occupation`` and ``goal`` columns
    (columns missing or of another type are skipped)."""
    arrays: list[pa.Array | pa.ChunkedArray] = []
    names = table.column_names
    if "skills" in names:
        skills = table.column("skills")
        kind = skills.type
        if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and pa.types.is_struct(
            kind.value_type
        ):
            if kind.value_type.get_field_index("text") >= 0:
                arrays.append(pc.struct_field(pc.list_flatten(skills), "text"))
    for name in ("occupation", "goal"):
        if name in names:
            arrays.append(table.column(name))
    texts: dict[str, None] = {}
    for array in arrays:
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            continue
        for text in pc.unique(array).to_pylist():
            if text:
                texts[text] = None
    return list(texts)


class ChunkTexts:
    """The main process's side: which texts of a chunk workers would have to embed.

    Parameters
    ----------
    recommender : Recommender
        The recommender the workers receive (its vocabulary's :class:`Encoder` is used; with
        another kind of encoder nothing is done).
    """

    def __init__(self, recommender: Scorer) -> None:
        self.encoder = _encoder_of(recommender)
        self._checked: set[str] = set()  # texts looked up in the cache already
        self._encoded: set[str] = set()  # texts this run embedded (workers lack them)
        self._loading: threading.Thread | None = None

    def prefetch(self, table: pa.Table) -> None:
        """Start loading the model in a background thread if ``table`` (the first chunk) has
        text the cache lacks: the load then overlaps the start-up of the worker processes
        instead of delaying the first chunk."""
        if self.encoder is None or self._loading is not None:
            return
        if self.encoder.cache.missing(chunk_texts(table)):
            self._loading = threading.Thread(target=_load_quietly, args=(self.encoder,))
            self._loading.daemon = True
            self._loading.start()

    def vectors_for(self, table: pa.Table) -> TextVectors | None:
        """Vectors of the chunk's texts that the workers' copy of the cache lacks."""
        if self.encoder is None:
            return None
        texts = set(chunk_texts(table))
        unchecked = sorted(texts - self._checked)  # set algebra: no Python loop per text
        if unchecked:
            self._checked.update(unchecked)
            missing = self.encoder.cache.missing(unchecked)
            if missing:
                if self._loading is not None:  # never two loads at once
                    self._loading.join()
                    self._loading = None
                with _one_torch_thread():  # the cores are the workers'; idle threads spin
                    self.encoder.encode(missing)  # loads the model here, once per run
                self._encoded.update(missing)
        extra = sorted(texts & self._encoded)
        # encode, not cache.get: the cache keeps recent texts within a budget, and a text
        # this run embedded long ago may have been evicted (it is encoded again)
        return (extra, self.encoder.encode(extra)) if extra else None


def _load_quietly(encoder: Encoder) -> None:
    try:
        encoder.load()
    except Exception:  # noqa: BLE001 - the encode that needs the model raises it again
        pass


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def adopt_vectors(recommender: Scorer, vectors: TextVectors | None) -> None:
    """The worker's side: add the vectors the main process sent to the encoder cache."""
    encoder = _encoder_of(recommender)
    if vectors is None or encoder is None:
        return
    texts, matrix = vectors
    missing = set(encoder.cache.missing(texts))
    if missing:
        keep = [i for i, t in enumerate(texts) if t in missing]
        encoder.cache.add([texts[i] for i in keep], matrix[keep])
