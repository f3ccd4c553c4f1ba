"""Reading a bundle directory safely: no symlinks, bounded sizes, pinned and signed manifests.

:func:`read_verified` is the only place that opens a file of a bundle. In this order, it

1. lists the directory and refuses symlinks, sub-directories and anything but regular files
   (before reading any byte, so a link to ``/etc/passwd`` is never opened);
2. reads ``manifest.json`` (at most :data:`MAX_MANIFEST_BYTES`), opened relative to the bundle
   directory with ``O_NOFOLLOW`` where the platform allows it;
3. checks the manifest's sha256 against ``expected_sha256`` and its HMAC-SHA256 (in
   ``manifest.hmac``) against ``hmac_key``, when given, before parsing it;
4. parses the manifest as strict JSON and checks every field's type exactly;
5. reads every listed file once (JSON at most :data:`MAX_JSON_BYTES`) and compares its sha256
   with the manifest; what it returns are these verified bytes, so nothing is read twice.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from skillmatch.errors import ModelFormatError

__all__ = [
    "MANIFEST",
    "MAX_FILE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_MANIFEST_BYTES",
    "SIGNATURE",
    "VerifiedFiles",
    "check_manifest_fields",
    "read_verified",
    "signature_text",
]

MANIFEST = "manifest.json"
#: The optional keyed signature of ``manifest.json``: ``hmac-sha256 <hex digest>``.
SIGNATURE = "manifest.hmac"
#: Size caps, checked with ``fstat`` before a file is read.
MAX_MANIFEST_BYTES = 4 << 20
MAX_JSON_BYTES = 128 << 20
MAX_FILE_BYTES = 4 << 30
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")
_SIGNATURE_LINE = re.compile(rb"hmac-sha256 ([0-9a-f]{64})\n?")
#: field -> exact type of every manifest field (bool is not an int here)
_FIELDS: dict[str, type] = {
    "format": int,
    "library_version": str,
    "encoder": str,
    "feature_names": list,
    "ranker": str,
    "n_programs": int,
    "n_skills": int,
    "metrics": dict,
    "files": dict,
}


class VerifiedFiles(NamedTuple):
    """What :func:`read_verified` returns: the manifest (parsed, its sha256 and its bytes)
    and the bytes of every file it lists."""

    manifest: dict[str, Any]
    sha256: str
    data: dict[str, bytes]
    manifest_bytes: bytes


def _key_bytes(key: bytes | str) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if not isinstance(raw, bytes) or not raw:
        raise ValueError("hmac_key must be a non-empty str or bytes, got an empty or other value")
    return raw


def signature_text(manifest_bytes: bytes, key: bytes | str) -> bytes:
    """The content of ``manifest.hmac`` for ``manifest_bytes`` signed with ``key``."""
    digest = hmac.new(_key_bytes(key), manifest_bytes, hashlib.sha256).hexdigest()
    return f"hmac-sha256 {digest}\n".encode("ascii")


def _listing(root: Path) -> set[str]:
    """Names of the regular files in ``root``; refuses links, folders and odd entries."""
    if root.is_symlink() and not root.is_dir():
        raise ModelFormatError(f"bundle path {str(root)!r} is a symlink to a file; refusing it")
    if not root.is_dir():
        raise ModelFormatError(f"{str(root)!r} is not a skillmatch bundle: not a directory")
    names: set[str] = set()
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.is_symlink():
                raise ModelFormatError(
                    f"bundle file {entry.name!r} in {str(root)!r} is a symlink; bundles must "
                    "hold regular files only"
                )
            if not entry.is_file(follow_symlinks=False):
                raise ModelFormatError(
                    f"bundle entry {entry.name!r} in {str(root)!r} is not a regular file"
                )
            names.add(entry.name)
    if MANIFEST not in names:
        raise ModelFormatError(f"{str(root)!r} is not a skillmatch bundle: {MANIFEST} missing")
    return names


def _read_file(root: Path, name: str, limit: int) -> bytes:
    """The bytes of ``root/name``: never through a symlink, never more than ``limit``."""
    if not _NAME.fullmatch(name):
        raise ModelFormatError(f"bundle manifest lists an invalid file name {name!r}")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        if os.open in os.supports_dir_fd:
            dir_fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                fd = os.open(name, flags, dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
        else:  # pragma: no cover - platforms without openat
            fd = os.open(root / name, flags)
    except FileNotFoundError:
        raise ModelFormatError(f"bundle file {name!r} is missing from {str(root)!r}") from None
    except OSError as exc:  # ELOOP: replaced by a symlink since it was listed
        raise ModelFormatError(f"bundle file {name!r} cannot be opened safely: {exc}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ModelFormatError(f"bundle file {name!r} is not a regular file")
        if info.st_size > limit:
            raise ModelFormatError(
                f"bundle file {name!r} has {info.st_size} bytes; the limit is {limit}"
            )
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ModelFormatError(f"bundle file {name!r} grew past {limit} bytes while read")
    return data


def _check_pins(
    root: Path,
    manifest_bytes: bytes,
    names: set[str],
    expected_sha256: str | None,
    hmac_key: bytes | str | None,
) -> str:
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if expected_sha256 is not None:
        if not isinstance(expected_sha256, str) or not _HEX64.fullmatch(expected_sha256.lower()):
            raise ValueError(
                "expected_sha256 must be 64 hexadecimal digits (the sha256 of manifest.json), "
                f"got expected_sha256={expected_sha256!r}"
            )
        if not hmac.compare_digest(digest, expected_sha256.lower()):
            raise ModelFormatError(
                f"bundle {str(root)!r} has manifest sha256 {digest}, not the pinned "
                f"{expected_sha256.lower()}: it was replaced or re-hashed"
            )
    if hmac_key is not None:
        expected = signature_text(manifest_bytes, hmac_key)
        if SIGNATURE not in names:
            raise ModelFormatError(
                f"bundle {str(root)!r} is not signed ({SIGNATURE} missing), but a key was given"
            )
        found = _SIGNATURE_LINE.fullmatch(_read_file(root, SIGNATURE, 256))
        if found is None or not hmac.compare_digest(found.group(0).rstrip(), expected.rstrip()):
            raise ModelFormatError(
                f"bundle {str(root)!r}: {SIGNATURE} does not match manifest.json under the "
                "given key (the manifest was edited, or signed with another key)"
            )
    return digest


def check_manifest_fields(manifest: Any) -> dict[str, Any]:
    """``manifest`` if each field has exactly its type, else :class:`ModelFormatError`."""
    if not isinstance(manifest, dict):
        raise ModelFormatError(f"{MANIFEST} must hold an object, got {type(manifest).__name__}")
    unknown = sorted(set(manifest) - set(_FIELDS))
    missing = sorted(set(_FIELDS) - set(manifest))
    if unknown or missing:
        raise ModelFormatError(f"{MANIFEST} has unknown fields {unknown} or lacks {missing}")
    for field, kind in _FIELDS.items():
        if type(manifest[field]) is not kind:
            raise ModelFormatError(
                f"{MANIFEST} field {field!r} must be of type {kind.__name__}, got "
                f"{manifest[field]!r} ({type(manifest[field]).__name__})"
            )
    if not all(type(n) is str for n in manifest["feature_names"]):
        raise ModelFormatError(f"{MANIFEST} field 'feature_names' must list strings")
    for name, digest in manifest["files"].items():
        if not _NAME.fullmatch(name):
            raise ModelFormatError(f"{MANIFEST} lists an invalid file name {name!r}")
        if type(digest) is not str or not _HEX64.fullmatch(digest):
            raise ModelFormatError(
                f"{MANIFEST} gives file {name!r} the sha256 {digest!r}; expected 64 hex digits"
            )
    return manifest


def read_verified(
    root: Path,
    *,
    parse: Callable[[bytes, str], Any],
    expected_sha256: str | None = None,
    hmac_key: bytes | str | None = None,
    check: Callable[[dict[str, Any]], object] | None = None,
) -> VerifiedFiles:
    """Verify the bundle in ``root`` and return its manifest and the bytes of every file.

    ``parse(data, name)`` parses JSON strictly; ``check(manifest)`` may refuse a manifest
    (versions) before any other file is read.
    """
    names = _listing(root)
    manifest_bytes = _read_file(root, MANIFEST, MAX_MANIFEST_BYTES)
    digest = _check_pins(root, manifest_bytes, names, expected_sha256, hmac_key)
    manifest = check_manifest_fields(parse(manifest_bytes, MANIFEST))
    if check is not None:
        check(manifest)
    files: Mapping[str, str] = manifest["files"]
    for name in sorted(names - set(files) - {MANIFEST, SIGNATURE}):
        raise ModelFormatError(f"unexpected file {name!r} in bundle {str(root)!r}; refusing it")
    data: dict[str, bytes] = {}
    for name, expected in sorted(files.items()):
        if name in (MANIFEST, SIGNATURE):
            raise ModelFormatError(f"{MANIFEST} must not list {name!r} among its files")
        if name not in names:
            raise ModelFormatError(f"bundle file {name!r} is missing from {str(root)!r}")
        limit = MAX_JSON_BYTES if name.endswith(".json") else MAX_FILE_BYTES
        data[name] = _read_file(root, name, limit)
        if not hmac.compare_digest(hashlib.sha256(data[name]).hexdigest(), expected):
            raise ModelFormatError(
                f"bundle file {name!r} does not match its sha256 in {MANIFEST} "
                "(modified or corrupted)"
            )
    return VerifiedFiles(manifest, digest, data, manifest_bytes)
