"""Rebuilding a bundle's parts from its verified bytes, every problem a ModelFormatError.

Used by :func:`skillmatch.core.bundle.read_bundle` once :mod:`._bundle_files` has checked the
files: each part is parsed strictly (:mod:`._bundle_parse`), its types are checked, and any
error a constructor raises on malformed content is reported as a
:class:`~skillmatch.errors.ModelFormatError` that names the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from numpy.typing import NDArray
from pydantic import BaseModel, ValidationError

from skillmatch.core._bundle_parse import array_from_npy, strict_json
from skillmatch.core.features import FeatureBuilder
from skillmatch.core.rank import Ranker
from skillmatch.errors import ModelFormatError
from skillmatch.text import EmbeddingCache, Encoder, TextEncoder

__all__ = [
    "RankerLoader",
    "arrays",
    "bundle_encoder",
    "embedding_cache",
    "features_part",
    "json_part",
    "models_part",
    "ranker_part",
    "rebuild",
    "typed",
]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
RankerLoader = Callable[[dict[str, Any], dict[str, NDArray[Any]]], Ranker]


def rebuild(name: str, build: Callable[[], T]) -> T:
    """``build()``, with any error of malformed content turned into a ModelFormatError."""
    try:
        return build()
    except (ValueError, TypeError, KeyError, LookupError, AttributeError, OverflowError) as exc:
        message = str(exc) if isinstance(exc, ModelFormatError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, ModelFormatError) and repr(name) in message:
            raise
        if len(message) > 400:
            message = message[:400] + " ..."
        raise ModelFormatError(f"bundle file {name!r} is malformed: {message}") from None


def typed(value: Any, kind: type, name: str) -> Any:
    """``value`` if it is a ``kind`` (dict or list), else a ModelFormatError naming ``name``."""
    if not isinstance(value, kind):
        raise ModelFormatError(
            f"bundle file {name!r} must hold a JSON {'object' if kind is dict else 'array'}, "
            f"got {type(value).__name__}"
        )
    return value


def arrays(data: Mapping[str, bytes], prefix: str) -> dict[str, NDArray[Any]]:
    """The arrays of the ``<prefix>.<key>.npy`` files, by key."""
    return {
        name[len(prefix) + 1 : -4]: array_from_npy(raw, name)
        for name, raw in data.items()
        if name.startswith(f"{prefix}.") and name.endswith(".npy")
    }


def embedding_cache(data: Mapping[str, bytes], model_id: str) -> EmbeddingCache:
    """The encoder cache, from verified bytes (written to a private folder for its loader)."""
    name = "encoder_cache.json"
    if name not in data:
        raise ModelFormatError(f"bundle has encoder_cache.npy but no {name!r}")
    meta = typed(strict_json(data[name], name), dict, name)
    types = {"format": int, "model_id": str, "dim": int, "keys": list}
    if set(meta) != set(types) or any(type(meta[k]) is not t for k, t in types.items()):
        raise ModelFormatError(f"bundle file {name!r} must have exactly the fields {types}")
    if meta["model_id"] != model_id or not all(type(k) is str for k in meta["keys"]):
        raise ModelFormatError(
            f"bundle file {name!r} is for model {meta['model_id']!r}, not {model_id!r}, "
            "or lists keys that are not strings"
        )
    matrix = array_from_npy(data["encoder_cache.npy"], "encoder_cache.npy")
    if matrix.shape != (len(meta["keys"]), meta["dim"]) or matrix.dtype.kind != "f":
        raise ModelFormatError(
            f"bundle file 'encoder_cache.npy' has shape {matrix.shape} ({matrix.dtype}); "
            f"expected ({len(meta['keys'])}, {meta['dim']}) floats"
        )
    with tempfile.TemporaryDirectory(prefix="skillmatch-cache-") as tmp:
        (Path(tmp) / "cache.json").write_bytes(data[name])
        (Path(tmp) / "cache.npy").write_bytes(data["encoder_cache.npy"])
        return rebuild(name, lambda: EmbeddingCache.load(Path(tmp) / "cache", model_id=model_id))


def bundle_encoder(manifest: Mapping[str, Any], data: Mapping[str, bytes]) -> TextEncoder:
    """The encoder the manifest names, with the bundle's embedding cache when it has one."""
    encoder = Encoder(manifest["encoder"])
    if "encoder_cache.npy" in data:
        encoder.use_cache(embedding_cache(data, encoder.model_id))
    return encoder


def json_part(data: Mapping[str, bytes], name: str) -> Any:
    """The strictly parsed JSON of the required file ``name``."""
    if name not in data:
        raise ModelFormatError(f"bundle manifest does not list the required file {name!r}")
    return strict_json(data[name], name)


def models_part(data: Mapping[str, bytes], name: str, model: type[M]) -> list[M]:
    """Every item of ``name`` validated strictly (no bool for a number, no str for an int)."""
    out = []
    for i, row in enumerate(typed(json_part(data, name), list, name)):
        try:
            out.append(model.model_validate(row, strict=True))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "<item>"
            raise ModelFormatError(
                f"bundle file {name!r}, item {i}: field {field!r}: {first['msg']}, got "
                f"{first.get('input')!r:.200}"
            ) from None
    return out


def features_part(data: Mapping[str, bytes]) -> FeatureBuilder:
    """The FeatureBuilder settings, each of the JSON type of its default."""
    name = "features.json"
    params = typed(json_part(data, name), dict, name)
    for key, default in FeatureBuilder().get_params().items():
        value = params.get(key, default)
        if not (_prior(value) if key == "program_prior" else _same_kind(value, default)):
            raise ModelFormatError(
                f"bundle file {name!r}: {key}={value!r} has type {type(value).__name__}; "
                f"expected {type(default).__name__}"
            )
    return rebuild(name, lambda: _checked(FeatureBuilder(**params)))


def _checked(features: FeatureBuilder) -> FeatureBuilder:
    """``features`` once its settings pass the checks ``fit`` would run at load."""
    features._check_params()
    return features


def _same_kind(value: Any, default: Any) -> bool:
    """Whether ``value`` has the JSON type of ``default`` (no bool for a number)."""
    if default is None:
        return True  # the parameter's own validation (at fit) decides
    if isinstance(default, bool) or isinstance(value, bool):
        return type(value) is type(default)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, (int, str)):
        return type(value) is type(default)
    return isinstance(value, type(default))


def _prior(value: Any) -> bool:
    """Whether ``value`` is None or maps program ids to numbers in [0, 1]."""
    return value is None or (
        isinstance(value, dict)
        and all(type(v) in (int, float) and 0 <= v <= 1 for v in value.values())
    )


def ranker_part(data: Mapping[str, bytes], loaders: Mapping[str, RankerLoader]) -> Ranker:
    """The ranker, rebuilt by the loader ``loaders`` registers for its ``type``."""
    name = "ranker.json"
    meta = typed(json_part(data, name), dict, name)
    loader = loaders.get(meta.get("type")) if isinstance(meta.get("type"), str) else None
    if loader is None:
        raise ModelFormatError(f"bundle ranker type {meta.get('type')!r} is not known")
    return rebuild(name, lambda: loader(meta, arrays(data, "ranker")))
