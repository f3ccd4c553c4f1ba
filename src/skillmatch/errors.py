"""Exception hierarchy of skillmatch.

::

    SkillmatchError
     ├── SchemaError(ValueError)          a table has missing or wrongly typed columns
     ├── UnknownIdError(KeyError)         a worker, program, skill or node id is not known
     ├── MissingDependencyError(ImportError)     an optional dependency is not installed
     ├── ModelNotFoundError(FileNotFoundError)   an encoder model is not available locally
     └── ModelFormatError(ValueError)     a model bundle is tampered with or mismatched

pydantic's ``ValidationError`` (a ``ValueError``) propagates unchanged from the data models
in :mod:`skillmatch.schema`; its messages name the field and repeat the bad value.
scikit-learn's ``NotFittedError`` is raised through ``check_is_fitted``.
"""

from __future__ import annotations

__all__ = [
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "SchemaError",
    "SkillmatchError",
    "UnknownIdError",
]


class SkillmatchError(Exception):
    """Base class of every error raised by skillmatch."""


class SchemaError(SkillmatchError, ValueError):
    """A table has missing or wrongly typed columns."""


class UnknownIdError(SkillmatchError, KeyError):
    """An identifier (worker, program, skill or chain node) is not known."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(SkillmatchError, ImportError):
    """An optional dependency is missing; the message gives the install command."""


class ModelNotFoundError(SkillmatchError, FileNotFoundError):
    """An encoder model cannot be found locally (nothing is downloaded implicitly)."""


class ModelFormatError(SkillmatchError, ValueError):
    """A model bundle is tampered with, incomplete or from an incompatible version."""
