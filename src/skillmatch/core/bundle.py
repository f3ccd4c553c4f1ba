"""The model bundle on disk: a manifest, JSON and ``.npy`` files, every file hashed.

A bundle is a directory::

    manifest.json            format and library version, encoder id, feature names, metrics,
                             the ranker type, and the sha256 of every other file
    programs.json            the catalogue (validated again at load)
    chains.json              the chain map
    vocabulary.json          the skill taxonomy, lexical model and settings
    vocabulary.*.npy         vocabulary arrays
    encoder_cache.json/.npy  embeddings of every text seen so far (no re-encoding at load)
    features.json            FeatureBuilder parameters
    ranker.json, ranker.*.npy  the ranker in a non-executable form
    MODEL_CARD.md            optional, hashed like the rest

:func:`write_bundle` writes the parts of a recommender (:class:`BundleParts`) and
:func:`read_bundle` reads them back; :meth:`Recommender.save` and :meth:`Recommender.load`
assemble them, so this module never needs the recommender itself.

:func:`read_bundle` checks the manifest's format and library version, then the sha256 of every
file **before** reading any of them, refuses files the manifest does not list, and reads arrays
with ``allow_pickle=False``. Nothing is ever unpickled; rankers are rebuilt from JSON and plain
arrays by a fixed registry of classes, never by importing a name found in the bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch._version import __version__
from skillmatch.core.chains import ChainMap
from skillmatch.core.features import FEATURE_NAMES, FeatureBuilder
from skillmatch.core.rank import LearnedRanker, LinearRanker, Ranker
from skillmatch.errors import ModelFormatError
from skillmatch.schema import Chain, Program
from skillmatch.text import EmbeddingCache, Encoder, SkillVocabulary, TextEncoder, Vocabulary

__all__ = [
    "BUNDLE_FORMAT",
    "BundleParts",
    "LoadedBundle",
    "default_bundle_path",
    "read_bundle",
    "register_ranker",
    "verify_bundle",
    "write_bundle",
]

#: Version of the on-disk layout; a bundle of another format is refused.
BUNDLE_FORMAT = 1
_OPTIONAL_DOCS = ("MODEL_CARD.md",)

RankerState = tuple[dict[str, Any], dict[str, NDArray[Any]]]
_RANKER_LOADERS: dict[str, Callable[[dict[str, Any], dict[str, NDArray[Any]]], Ranker]] = {}


class BundleParts(NamedTuple):
    """The pieces a bundle stores; :meth:`Recommender.load` assembles a recommender from them.

    Attributes
    ----------
    programs : list of Program
        The catalogue, in index order.
    chains : ChainMap
    vocabulary : Vocabulary
        Carries its encoder; an :class:`Encoder`'s embedding cache is saved with it.
    features : FeatureBuilder
        Settings only (``get_params``); it is fitted again at load.
    ranker : Ranker
        A :class:`LinearRanker` or a registered ranker with ``to_state()``.
    """

    programs: list[Program]
    chains: ChainMap
    vocabulary: Vocabulary
    features: FeatureBuilder
    ranker: Ranker


class LoadedBundle(NamedTuple):
    """What :func:`read_bundle` returns: the parts, the manifest and the manifest's sha256."""

    parts: BundleParts
    manifest: dict[str, Any]
    sha256: str


def register_ranker(
    name: str, loader: Callable[[dict[str, Any], dict[str, NDArray[Any]]], Ranker]
) -> None:
    """Allow rankers of type ``name`` in bundles, rebuilt by ``loader(meta, arrays)``."""
    _RANKER_LOADERS[name] = loader


register_ranker("LinearRanker", lambda meta, arrays: LinearRanker(weights=meta["weights"]))
register_ranker("LearnedRanker", LearnedRanker.from_state)


def default_bundle_path() -> Path:
    """``models/default`` of the source tree this package runs from."""
    return Path(__file__).resolve().parents[3] / "models" / "default"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ranker_state(ranker: Ranker) -> RankerState:
    if isinstance(ranker, LinearRanker):
        ranker.fit()
        return {"type": "LinearRanker", "weights": dict(ranker.weights or {})}, {}
    to_state = getattr(ranker, "to_state", None)
    if to_state is None:
        raise ModelFormatError(
            f"ranker {type(ranker).__name__} cannot be saved: it has no to_state() method"
        )
    meta, arrays = to_state()
    if meta.get("type") not in _RANKER_LOADERS:
        raise ModelFormatError(f"ranker type {meta.get('type')!r} is not registered")
    return meta, arrays


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )


def _write_arrays(directory: Path, prefix: str, arrays: Mapping[str, NDArray[Any]]) -> None:
    for name, array in arrays.items():
        if np.asarray(array).dtype.hasobject:
            raise ModelFormatError(f"array {prefix}.{name} has dtype object; refusing to save")
        np.save(directory / f"{prefix}.{name}.npy", np.asarray(array), allow_pickle=False)


def write_bundle(
    parts: BundleParts,
    path: str | os.PathLike[str],
    *,
    metrics: Mapping[str, Any] | None = None,
    model_card: str | None = None,
) -> str:
    """Write ``parts`` as a bundle directory (replacing an existing one atomically).

    Returns
    -------
    str
        The sha256 of the written ``manifest.json``, which identifies the bundle.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    vocab_meta, vocab_arrays = parts.vocabulary.to_state()
    _write_json(tmp / "vocabulary.json", vocab_meta)
    _write_arrays(tmp, "vocabulary", vocab_arrays)
    _write_json(tmp / "programs.json", [p.model_dump(mode="json") for p in parts.programs])
    _write_json(tmp / "chains.json", [c.model_dump(mode="json") for c in parts.chains.chains])
    _write_json(tmp / "features.json", parts.features.get_params())
    ranker_meta, ranker_arrays = _ranker_state(parts.ranker)
    _write_json(tmp / "ranker.json", ranker_meta)
    _write_arrays(tmp, "ranker", ranker_arrays)
    encoder = parts.vocabulary.encoder
    if isinstance(encoder, Encoder):
        encoder.cache.save(tmp / "encoder_cache")
    if model_card is not None:
        (tmp / "MODEL_CARD.md").write_text(model_card, encoding="utf-8")
    files = {p.name: _sha256(p) for p in sorted(tmp.iterdir())}
    manifest = {
        "format": BUNDLE_FORMAT,
        "library_version": __version__,
        "encoder": encoder.model_id,
        "feature_names": list(FEATURE_NAMES),
        "ranker": ranker_meta["type"],
        "n_programs": len(parts.programs),
        "n_skills": parts.vocabulary.n_skills,
        "metrics": dict(metrics or {}),
        "files": files,
    }
    _write_json(tmp / "manifest.json", manifest)
    _replace_dir(tmp, target)
    return _sha256(target / "manifest.json")


def _replace_dir(tmp: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            _rmtree(old)
        target.rename(old)
        tmp.rename(target)
        _rmtree(old)
    else:
        tmp.rename(target)


def _rmtree(path: Path) -> None:
    for child in path.iterdir():
        _rmtree(child) if child.is_dir() else child.unlink()
    path.rmdir()


def _read_manifest(root: Path) -> dict[str, Any]:
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise ModelFormatError(f"{str(root)!r} is not a skillmatch bundle: manifest.json missing")
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFormatError(f"manifest.json of {str(root)!r} is not valid JSON: {exc}") from None
    if manifest.get("format") != BUNDLE_FORMAT:
        raise ModelFormatError(
            f"bundle format {manifest.get('format')!r} is not supported; expected {BUNDLE_FORMAT}"
        )
    version = str(manifest.get("library_version", ""))
    if version.split(".")[:2] != __version__.split(".")[:2]:
        raise ModelFormatError(
            f"bundle was written by skillmatch {version!r}; this is {__version__} "
            "(major.minor must match): retrain or re-save the bundle"
        )
    if manifest.get("feature_names") != list(FEATURE_NAMES):
        raise ModelFormatError("bundle feature_names do not match this version's FEATURE_NAMES")
    return manifest


def verify_bundle(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a bundle's manifest, versions and every file's sha256; returns the manifest."""
    root = Path(path)
    manifest = _read_manifest(root)
    files: dict[str, str] = manifest.get("files", {})
    present = {p.name for p in root.iterdir()} - {"manifest.json"}
    for name in sorted(present - set(files)):
        raise ModelFormatError(f"unexpected file {name!r} in bundle {str(root)!r}; refusing it")
    for name, expected in sorted(files.items()):
        file = root / name
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelFormatError(f"bundle manifest lists an invalid file name {name!r}")
        if not file.is_file():
            raise ModelFormatError(f"bundle file {name!r} is missing from {str(root)!r}")
        if _sha256(file) != expected:
            raise ModelFormatError(
                f"bundle file {name!r} does not match its sha256 in manifest.json "
                "(modified or corrupted)"
            )
    return manifest


def _read_arrays(root: Path, prefix: str, files: Mapping[str, str]) -> dict[str, NDArray[Any]]:
    arrays = {}
    for name in files:
        if name.startswith(f"{prefix}.") and name.endswith(".npy"):
            key = name[len(prefix) + 1 : -4]
            try:
                arrays[key] = np.load(root / name, allow_pickle=False)
            except ValueError as exc:
                raise ModelFormatError(
                    f"bundle file {name!r} is not a plain array: {exc}"
                ) from None
    return arrays


def read_bundle(
    path: str | os.PathLike[str] | None = None, *, encoder: TextEncoder | None = None
) -> LoadedBundle:
    """Verify a bundle written by :func:`write_bundle` and read its parts (default: shipped one).

    Raises
    ------
    ModelFormatError
        The bundle is tampered with, incomplete, or from an incompatible version.
    """
    root = Path(path) if path is not None else default_bundle_path()
    manifest = verify_bundle(root)
    files = manifest["files"]
    if encoder is None:
        encoder = Encoder(manifest["encoder"])
        if "encoder_cache.npy" in files:
            encoder.use_cache(
                EmbeddingCache.load(root / "encoder_cache", model_id=encoder.model_id)
            )
    vocabulary = SkillVocabulary.from_state(
        json.loads((root / "vocabulary.json").read_text(encoding="utf-8")),
        _read_arrays(root, "vocabulary", files),
        encoder=encoder,
    )
    parts = BundleParts(
        programs=[Program.model_validate(p) for p in _json(root, "programs.json")],
        chains=ChainMap([Chain.model_validate(c) for c in _json(root, "chains.json")]),
        vocabulary=vocabulary,
        features=FeatureBuilder(**_json(root, "features.json")),
        ranker=_read_ranker(root, files),
    )
    return LoadedBundle(parts, manifest, _sha256(root / "manifest.json"))


def _read_ranker(root: Path, files: Mapping[str, str]) -> Ranker:
    ranker_meta = json.loads((root / "ranker.json").read_text(encoding="utf-8"))
    loader = _RANKER_LOADERS.get(ranker_meta.get("type"))
    if loader is None:
        raise ModelFormatError(f"bundle ranker type {ranker_meta.get('type')!r} is not known")
    try:
        ranker: Ranker = loader(ranker_meta, _read_arrays(root, "ranker", files))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFormatError(f"bundle ranker could not be rebuilt: {exc}") from None
    return ranker


def _json(root: Path, name: str) -> Any:
    return json.loads((root / name).read_text(encoding="utf-8"))
