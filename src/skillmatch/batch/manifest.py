"""The run manifest of a batch scoring job: what was scored with what, and which parts exist.

``_manifest.json`` in the output directory records the input fingerprint, the bundle hash, ``k``
and the chunk size, and for every finished chunk its row range, row counts and the sha256 of
its part files. It is rewritten atomically (temporary file + ``os.replace``) after each part,
so after a crash it lists exactly the parts that were completely written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from skillmatch.batch.io import atomic_write_bytes, sha256_file
from skillmatch.errors import SkillmatchError

__all__ = ["FORMAT", "MANIFEST_NAME", "ChunkRecord", "Manifest", "ResumeError"]

FORMAT = "skillmatch-batch/1"
MANIFEST_NAME = "_manifest.json"


class ResumeError(SkillmatchError, ValueError):
    """An output directory cannot be resumed: other input, other bundle or other settings."""


@dataclass(frozen=True)
class ChunkRecord:
    """One finished chunk: its input rows, counts and part files (paths relative to the run)."""

    index: int
    start: int
    n_in: int
    n_scored: int
    n_quarantined: int
    n_output_rows: int
    part: str
    sha256: str
    quarantine_part: str | None = None
    quarantine_sha256: str | None = None

    def is_intact(self, root: Path) -> bool:
        """Whether the part files exist with the recorded sha256."""
        files = [(self.part, self.sha256)]
        if self.quarantine_part is not None:
            files.append((self.quarantine_part, str(self.quarantine_sha256)))
        return all(
            (root / rel).is_file() and sha256_file(root / rel) == digest for rel, digest in files
        )


@dataclass
class Manifest:
    """The run manifest (see the module docstring)."""

    input_fingerprint: str
    input_files: list[str]
    bundle_hash: str
    k: int
    chunk_size: int
    chunks: dict[int, ChunkRecord] = field(default_factory=dict)
    complete: bool = False
    summary: dict[str, Any] | None = None

    def check_matches(self, other: Manifest) -> None:
        """Raise :class:`ResumeError` unless ``other`` describes the same job as this one."""
        for name, what in (
            ("input_fingerprint", "the input files"),
            ("bundle_hash", "the model bundle"),
            ("k", "k"),
            ("chunk_size", "chunk_size"),
        ):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                raise ResumeError(
                    f"cannot resume: {what} changed since the run was started "
                    f"({name}={theirs!r} now, {mine!r} in the manifest); rerun with the "
                    "original settings or write to a new output directory"
                )

    def save(self, root: Path) -> None:
        """Write the manifest atomically into ``root``."""
        # shallow: the fields are plain values, and a deep asdict of every chunk on every
        # save made the manifest quadratic in the number of chunks
        payload = {f.name: getattr(self, f.name) for f in fields(self)}
        payload["format"] = FORMAT
        payload["chunks"] = [vars(c) for _, c in sorted(self.chunks.items())]
        text = json.dumps(payload, indent=1, sort_keys=True)
        atomic_write_bytes(root / MANIFEST_NAME, text.encode())

    @classmethod
    def load(cls, root: Path) -> Manifest | None:
        """The manifest in ``root``, or None if there is none."""
        path = root / MANIFEST_NAME
        if not path.is_file():
            return None
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if payload.pop("format", None) != FORMAT:
                raise ValueError(f"format is not {FORMAT!r}")
            chunks = [ChunkRecord(**c) for c in payload.pop("chunks")]
            return cls(**payload, chunks={c.index: c for c in chunks})
        except (ValueError, TypeError, KeyError) as exc:
            raise ResumeError(f"unreadable batch manifest {str(path)!r}: {exc}") from exc
