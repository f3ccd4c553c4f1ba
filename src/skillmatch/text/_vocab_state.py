"""The fitted pieces of a skill vocabulary, how they are built, and their saved state.

Private to :mod:`skillmatch.text`; nothing is pickled.

Format 1 (the first vocabulary, ``fusion="legacy"``) holds the taxonomy rows, the lexical
model's vocabulary and settings as JSON, and ``embeddings``, ``form_embeddings`` and
``lexical_idf`` as arrays. Format 2 (``fusion="hybrid"``) adds ``fusion``, ``reads_cjk`` and the
BM25 vocabulary to the JSON, and ``description_embeddings`` and the BM25 matrix as plain CSR
arrays (``bm25_idf``, ``bm25_data``, ``bm25_indices``, ``bm25_indptr``). A legacy vocabulary is
still written as format 1, so older readers load it. Format 3 is format 2 plus a second
encoder's channel: ``second_model_id`` and ``second_reads_cjk`` in the JSON,
``second_form_embeddings`` and ``second_description_embeddings`` as arrays. A hybrid
vocabulary without a second encoder is still written as format 2.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError
from skillmatch.text._bm25 import BM25Index
from skillmatch.text._fusion import Fusion, encoder_reads_cjk
from skillmatch.text._lexical import CharNgramModel, surface_forms
from skillmatch.text.encode import TextEncoder, encode_documents
from skillmatch.text.taxonomy import Taxonomy, taxonomy_from_frame

__all__ = [
    "LEGACY_FORMAT",
    "SECOND_ENCODER_FORMAT",
    "STATE_FORMAT",
    "SecondParts",
    "VocabularyParts",
    "build_parts",
    "check_second_encoder",
    "parts_from_state",
    "state_of",
]

LEGACY_FORMAT = 1
STATE_FORMAT = 2
SECOND_ENCODER_FORMAT = 3
_FORMATS = (LEGACY_FORMAT, STATE_FORMAT, SECOND_ENCODER_FORMAT)
_COLUMNS = ["skill_id", "name", "name_zh", "aliases", "description"]


class SecondParts(NamedTuple):
    """A second encoder's embeddings of the forms and of ``"name: description"``."""

    model_id: str
    reads_cjk: bool
    form_embeddings: NDArray[np.float32]
    description_embeddings: NDArray[np.float32]


class VocabularyParts(NamedTuple):
    """What a vocabulary is built from: taxonomy, fitted models and encoded texts."""

    taxonomy: Taxonomy
    lexical: CharNgramModel
    form_embeddings: NDArray[np.float32]
    fusion: Fusion = "legacy"
    reads_cjk: bool = False
    bm25: BM25Index | None = None
    description_embeddings: NDArray[np.float32] | None = None
    second: SecondParts | None = None


def state_of(
    parts: VocabularyParts, settings: dict[str, Any], embeddings: NDArray[np.float32]
) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """JSON-able metadata and plain arrays of ``parts`` plus ``settings`` (model id, ...)."""
    fmt = LEGACY_FORMAT if parts.fusion == "legacy" else STATE_FORMAT
    meta: dict[str, Any] = {
        "format": SECOND_ENCODER_FORMAT if parts.second is not None else fmt,
        **settings,
        "skills": parts.taxonomy.rows(),
        "lexical": parts.lexical.get_params(),
    }
    arrays: dict[str, NDArray[Any]] = {
        "embeddings": embeddings,
        "form_embeddings": parts.form_embeddings,
        "lexical_idf": parts.lexical.idf,
    }
    if parts.bm25 is not None and parts.description_embeddings is not None:
        meta.update(fusion="hybrid", reads_cjk=parts.reads_cjk, bm25=parts.bm25.get_params())
        arrays["description_embeddings"] = parts.description_embeddings
        arrays.update({f"bm25_{k}": v for k, v in parts.bm25.to_arrays().items()})
    if parts.second is not None:
        meta.update(second_model_id=parts.second.model_id, second_reads_cjk=parts.second.reads_cjk)
        arrays["second_form_embeddings"] = parts.second.form_embeddings
        arrays["second_description_embeddings"] = parts.second.description_embeddings
    return meta, arrays


def _description_texts(taxonomy: Taxonomy) -> list[str]:
    """``"name: description"`` per skill (the name alone when it has no description)."""
    return [
        f"{name}: {desc}" if desc else name
        for name, desc in zip(taxonomy.names, taxonomy.descriptions, strict=True)
    ]


def _bm25_documents(taxonomy: Taxonomy) -> list[str]:
    """Names, aliases and description of each skill, as one text."""
    return [
        " ".join([name, zh, *aliases, desc])
        for name, zh, aliases, desc in zip(
            taxonomy.names,
            taxonomy.names_zh,
            taxonomy.aliases,
            taxonomy.descriptions,
            strict=True,
        )
    ]


def _build_second(taxonomy: Taxonomy, encoder: TextEncoder) -> SecondParts:
    reads_cjk = encoder_reads_cjk(encoder)
    forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=reads_cjk)
    return SecondParts(
        encoder.model_id,
        reads_cjk,
        encoder.encode(forms.embedding),
        encode_documents(encoder, _description_texts(taxonomy)),
    )


def build_parts(
    taxonomy: Taxonomy,
    encoder: TextEncoder,
    fusion: Fusion,
    second_encoder: TextEncoder | None = None,
) -> VocabularyParts:
    """Fit the lexical models and encode the forms (and, as documents, the descriptions)."""
    reads_cjk = fusion == "hybrid" and encoder_reads_cjk(encoder)
    forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=reads_cjk)
    lexical = CharNgramModel.fit(forms.lexical)
    if fusion == "legacy":
        return VocabularyParts(taxonomy, lexical, encoder.encode(forms.embedding), "legacy")
    return VocabularyParts(
        taxonomy,
        lexical,
        encoder.encode(forms.embedding),
        "hybrid",
        reads_cjk=reads_cjk,
        bm25=BM25Index.fit(_bm25_documents(taxonomy)),
        description_embeddings=encode_documents(encoder, _description_texts(taxonomy)),
        second=None if second_encoder is None else _build_second(taxonomy, second_encoder),
    )


def check_second_encoder(parts: VocabularyParts, encoder: TextEncoder | None) -> TextEncoder | None:
    """``encoder`` if it is the second encoder ``parts`` were built with; else ValueError."""
    wanted = None if parts.second is None else parts.second.model_id
    given = None if encoder is None else encoder.model_id
    if wanted != given:
        raise ValueError(
            f"second_encoder must be the model the vocabulary was built with "
            f"({wanted!r}), got {given!r}"
        )
    return encoder


def _lexical_from(meta: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> CharNgramModel:
    lex = meta["lexical"]
    return CharNgramModel(
        list(lex["vocabulary"]),
        np.asarray(arrays["lexical_idf"], dtype=np.float64),
        int(lex["n_documents"]),
        latin_range=tuple(lex["latin_range"]),
        cjk_range=tuple(lex["cjk_range"]),
    )


def _check_format(
    meta: dict[str, Any], encoder: TextEncoder, second_encoder: TextEncoder | None
) -> None:
    if meta.get("format") not in _FORMATS:
        raise ModelFormatError(
            f"vocabulary state format {meta.get('format')!r} is not supported; "
            f"expected one of {list(_FORMATS)}"
        )
    wanted = meta.get("second_model_id") if meta["format"] == SECOND_ENCODER_FORMAT else None
    given = None if second_encoder is None else second_encoder.model_id
    if wanted != given:
        raise ModelFormatError(
            f"vocabulary was built with second_model_id={wanted!r}, but second_encoder is {given!r}"
        )
    if meta["model_id"] != encoder.model_id:
        raise ModelFormatError(
            f"vocabulary was built with model_id={meta['model_id']!r}, "
            f"but the encoder is {encoder.model_id!r}"
        )


def _second_from(
    meta: dict[str, Any], arrays: dict[str, NDArray[Any]], taxonomy: Taxonomy, dim: int
) -> SecondParts:
    reads_cjk = bool(meta["second_reads_cjk"])
    forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=reads_cjk)
    second = SecondParts(
        str(meta["second_model_id"]),
        reads_cjk,
        np.asarray(arrays["second_form_embeddings"], dtype=np.float32),
        np.asarray(arrays["second_description_embeddings"], dtype=np.float32),
    )
    want = [(len(forms.embedding), dim), (len(taxonomy.skill_ids), dim)]
    got = [second.form_embeddings.shape, second.description_embeddings.shape]
    if got != want:
        raise ModelFormatError(
            f"vocabulary arrays do not match the metadata: second encoder embeddings {got}, "
            f"expected {want}"
        )
    return second


def parts_from_state(
    meta: dict[str, Any],
    arrays: dict[str, NDArray[Any]],
    encoder: TextEncoder,
    second_encoder: TextEncoder | None = None,
) -> VocabularyParts:
    """Rebuild the parts written by :func:`state_of`; raises :class:`ModelFormatError`."""
    _check_format(meta, encoder, second_encoder)
    taxonomy = taxonomy_from_frame(pd.DataFrame(meta["skills"], columns=_COLUMNS))
    lexical = _lexical_from(meta, arrays)
    hybrid = meta["format"] != LEGACY_FORMAT
    reads_cjk = bool(meta.get("reads_cjk", False)) if hybrid else False
    forms = surface_forms(taxonomy.names, taxonomy.names_zh, taxonomy.aliases, embed_cjk=reads_cjk)
    form_embeddings = np.asarray(arrays["form_embeddings"], dtype=np.float32)
    n_dims = {form_embeddings.shape[1]}
    bm25, descriptions = None, None
    if hybrid:
        bm25 = BM25Index.from_arrays(
            meta["bm25"], {k[5:]: v for k, v in arrays.items() if k.startswith("bm25_")}
        )
        descriptions = np.asarray(arrays["description_embeddings"], dtype=np.float32)
        n_dims.add(descriptions.shape[1])
        if descriptions.shape[0] != len(taxonomy.skill_ids) or bm25.weights.shape[1] != len(
            taxonomy.skill_ids
        ):
            raise ModelFormatError(
                f"vocabulary arrays do not match the metadata: description embeddings "
                f"{descriptions.shape} and BM25 {bm25.weights.shape} for "
                f"{len(taxonomy.skill_ids)} skills"
            )
    if (
        lexical.idf.shape != (len(lexical.vocabulary),)
        or form_embeddings.shape[0] != len(forms.embedding)
        or n_dims != {encoder.dim}
    ):
        raise ModelFormatError(
            "vocabulary arrays do not match the metadata: "
            f"idf {lexical.idf.shape} for {len(lexical.vocabulary)} n-grams, form embeddings "
            f"{form_embeddings.shape} for {len(forms.embedding)} forms of dim {encoder.dim}"
        )
    fusion: Fusion = "hybrid" if hybrid else "legacy"
    second = (
        None if second_encoder is None else _second_from(meta, arrays, taxonomy, second_encoder.dim)
    )
    return VocabularyParts(
        taxonomy, lexical, form_embeddings, fusion, reads_cjk, bm25, descriptions, second
    )
