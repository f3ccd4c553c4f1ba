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
    manifest.hmac            optional: ``hmac-sha256 <hex>`` of manifest.json under a secret key

:func:`write_bundle` writes the parts of a recommender (:class:`BundleParts`) and
:func:`read_bundle` reads them back; :meth:`Recommender.save` and :meth:`Recommender.load`
assemble them, so this module never needs the recommender itself.

:func:`read_bundle` refuses symlinks and any entry that is not a regular file before it
reads a byte, then checks the manifest (its sha256 against a pinned ``expected_sha256``, its
keyed signature ``manifest.hmac`` against ``hmac_key``, its format, library version and the
exact type of every field), then the size and sha256 of every file, and refuses files the
manifest does not list (:mod:`._bundle_files`). JSON is parsed strictly (duplicate keys and
deep nesting refused) and arrays are read from their header with no pickle
(:mod:`._bundle_parse`). Nothing is ever unpickled; rankers are rebuilt from JSON and plain
arrays by a fixed registry of classes, never by importing a name found in the bundle. Every
malformed bundle raises :class:`~skillmatch.errors.ModelFormatError` naming the file.

The sha256 of ``manifest.json`` pins the whole bundle (it lists every other file's sha256);
it is the recommender's ``fingerprint()``, and ``sha256sum manifest.json`` prints it too.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from numpy.typing import NDArray

from skillmatch._version import __version__
from skillmatch.core import _bundle_parts as _parts
from skillmatch.core import _bundle_write as _write
from skillmatch.core._bundle_files import (
    MANIFEST,
    SIGNATURE,
    VerifiedFiles,
    read_verified,
    signature_text,
)
from skillmatch.core._bundle_parse import strict_json
from skillmatch.core._bundle_parts import RankerLoader
from skillmatch.core.chains import ChainMap
from skillmatch.core.features import FEATURE_NAMES, FeatureBuilder
from skillmatch.core.rank import LearnedRanker, LinearRanker, Ranker
from skillmatch.errors import ModelFormatError
from skillmatch.schema import Chain, Program
from skillmatch.text import Encoder, SkillVocabulary, TextEncoder, Vocabulary

__all__ = [
    "BUNDLE_FORMAT",
    "BundleParts",
    "LoadedBundle",
    "default_bundle_path",
    "read_bundle",
    "register_ranker",
    "sign_bundle",
    "verify_bundle",
    "write_bundle",
]

#: Version of the on-disk layout; a bundle of another format is refused.
BUNDLE_FORMAT = 1
_OPTIONAL_DOCS = ("MODEL_CARD.md",)

RankerState = tuple[dict[str, Any], dict[str, NDArray[Any]]]
_RANKER_LOADERS: dict[str, RankerLoader] = {}


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


def register_ranker(name: str, loader: RankerLoader) -> None:
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


def write_bundle(
    parts: BundleParts,
    path: str | os.PathLike[str],
    *,
    metrics: Mapping[str, Any] | None = None,
    model_card: str | None = None,
    hmac_key: bytes | str | None = None,
) -> str:
    """Write ``parts`` as a bundle directory (replacing an existing one atomically).

    With ``hmac_key``, ``manifest.hmac`` signs the manifest (see :func:`sign_bundle`).

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
    _write.write_arrays(tmp, "vocabulary", vocab_arrays)
    _write_json(tmp / "programs.json", [p.model_dump(mode="json") for p in parts.programs])
    _write_json(tmp / "chains.json", [c.model_dump(mode="json") for c in parts.chains.chains])
    _write_json(tmp / "features.json", parts.features.get_params())
    ranker_meta, ranker_arrays = _ranker_state(parts.ranker)
    _write_json(tmp / "ranker.json", ranker_meta)
    _write.write_arrays(tmp, "ranker", ranker_arrays)
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
        "metrics": _write.finite(dict(metrics or {})),
        "files": files,
    }
    _write_json(tmp / MANIFEST, manifest)
    if hmac_key is not None:
        (tmp / SIGNATURE).write_bytes(signature_text((tmp / MANIFEST).read_bytes(), hmac_key))
    _write.replace_dir(tmp, target)
    return _sha256(target / MANIFEST)


def _check_versions(manifest: dict[str, Any]) -> None:
    """Refuse a manifest of another format, library major.minor or feature list."""
    if manifest["format"] != BUNDLE_FORMAT:
        raise ModelFormatError(
            f"bundle format {manifest['format']!r} is not supported; expected {BUNDLE_FORMAT}"
        )
    version = manifest["library_version"]
    if version.split(".")[:2] != __version__.split(".")[:2]:
        raise ModelFormatError(
            f"bundle was written by skillmatch {version!r}; this is {__version__} "
            "(major.minor must match): retrain or re-save the bundle"
        )
    if manifest["feature_names"] != list(FEATURE_NAMES):
        raise ModelFormatError("bundle feature_names do not match this version's FEATURE_NAMES")


def _verified(
    root: Path, expected_sha256: str | None, hmac_key: bytes | str | None
) -> VerifiedFiles:
    return read_verified(
        root,
        parse=strict_json,
        expected_sha256=expected_sha256,
        hmac_key=hmac_key,
        check=_check_versions,
    )


def verify_bundle(
    path: str | os.PathLike[str],
    *,
    expected_sha256: str | None = None,
    hmac_key: bytes | str | None = None,
) -> dict[str, Any]:
    """Check a bundle's files, manifest, versions, pins and every file's sha256.

    Parameters
    ----------
    path : path
        The bundle directory.
    expected_sha256 : str, optional
        The sha256 of ``manifest.json`` the bundle must have (its :meth:`fingerprint
        <skillmatch.core.recommend.Recommender.fingerprint>`): pins the exact bundle.
    hmac_key : str or bytes, optional
        Require ``manifest.hmac`` to be the HMAC-SHA256 of ``manifest.json`` under this key
        (see :func:`sign_bundle`).

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    ModelFormatError
        A symlink or other non-regular entry, an unexpected, missing, oversized or modified
        file, a manifest that is malformed, of another version, not the pinned one or not
        signed with ``hmac_key``.

    Examples
    --------
    >>> manifest = verify_bundle(default_bundle_path())
    >>> manifest["format"] == BUNDLE_FORMAT
    True
    """
    return _verified(Path(path), expected_sha256, hmac_key).manifest


def sign_bundle(path: str | os.PathLike[str], hmac_key: bytes | str) -> Path:
    """Verify the bundle at ``path``, then write ``manifest.hmac``, its keyed signature.

    A bundle loaded with the same ``hmac_key`` (``Recommender.load(path, hmac_key=...)``)
    must carry this signature, so a manifest edited and re-hashed by someone without the
    key is refused. Returns the signature file's path.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> copy = pathlib.Path(tempfile.mkdtemp()) / "bundle"
    >>> _ = shutil.copytree(default_bundle_path(), copy)
    >>> sign_bundle(copy, "secret").name
    'manifest.hmac'
    >>> verify_bundle(copy, hmac_key="secret")["format"] == BUNDLE_FORMAT
    True
    """
    root = Path(path)
    manifest_bytes = _verified(root, None, None).manifest_bytes  # sign what was verified
    target = root / SIGNATURE
    tmp = root / f".{SIGNATURE}.tmp"
    tmp.write_bytes(signature_text(manifest_bytes, hmac_key))
    os.replace(tmp, target)
    return target


def _vocabulary(data: Mapping[str, bytes], encoder: TextEncoder) -> SkillVocabulary:
    """The bundle's vocabulary; one built with a second encoder (e5, MiniLM) gets that model,
    loaded offline like the main one."""
    meta = _parts.typed(_parts.json_part(data, "vocabulary.json"), dict, "vocabulary.json")
    second_id = meta.get("second_model_id")
    second = Encoder(second_id) if isinstance(second_id, str) else None
    return SkillVocabulary.from_state(
        meta, _parts.arrays(data, "vocabulary"), encoder=encoder, second_encoder=second
    )


def read_bundle(
    path: str | os.PathLike[str] | None = None,
    *,
    encoder: TextEncoder | None = None,
    expected_sha256: str | None = None,
    hmac_key: bytes | str | None = None,
) -> LoadedBundle:
    """Verify a bundle written by :func:`write_bundle` and read its parts (default: shipped one).

    ``expected_sha256`` and ``hmac_key`` are those of :func:`verify_bundle`. Every file is
    read once, checked against its sha256, parsed strictly (:mod:`._bundle_parse`) and
    validated; content that does not fit raises :class:`ModelFormatError` naming the file.

    Raises
    ------
    ModelFormatError
        The bundle is tampered with, incomplete, malformed, not the pinned or signed one, or
        from an incompatible version.

    Examples
    --------
    >>> loaded = read_bundle()
    >>> len(loaded.parts.programs) == loaded.manifest["n_programs"]
    True
    """
    root = Path(path) if path is not None else default_bundle_path()
    verified = _verified(root, expected_sha256, hmac_key)
    data = verified.data
    if encoder is None:
        encoder = _parts.bundle_encoder(verified.manifest, data)
    vocabulary = _parts.rebuild("vocabulary.json", lambda: _vocabulary(data, encoder))
    parts = BundleParts(
        programs=_parts.models_part(data, "programs.json", Program),
        chains=ChainMap(_parts.models_part(data, "chains.json", Chain)),
        vocabulary=vocabulary,
        features=_parts.features_part(data),
        ranker=_parts.ranker_part(data, _RANKER_LOADERS),
    )
    _check_counts(verified.manifest, parts)
    return LoadedBundle(parts, verified.manifest, verified.sha256)


def _check_counts(manifest: Mapping[str, Any], parts: BundleParts) -> None:
    found = {"n_programs": len(parts.programs), "n_skills": parts.vocabulary.n_skills}
    for field, count in found.items():
        if manifest[field] != count:
            raise ModelFormatError(
                f"{MANIFEST} says {field}={manifest[field]!r}, but the bundle holds {count}"
            )
