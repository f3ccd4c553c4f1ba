"""The skills table a vocabulary is built from, parsed and checked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from skillmatch.errors import SchemaError

__all__ = ["Taxonomy", "taxonomy_from_frame"]

_REQUIRED = ("skill_id", "name")


@dataclass(frozen=True)
class Taxonomy:
    """A skills table, parsed: ids, English and Chinese names, aliases, descriptions."""

    skill_ids: list[str]
    names: list[str]
    names_zh: list[str]
    aliases: list[list[str]]
    descriptions: list[str]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per skill, the columns of :meth:`SkillVocabulary.from_frame`."""
        return [
            {"skill_id": s, "name": n, "name_zh": z, "aliases": a, "description": d}
            for s, n, z, a, d in zip(
                self.skill_ids,
                self.names,
                self.names_zh,
                self.aliases,
                self.descriptions,
                strict=True,
            )
        ]


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text_cell(value: object) -> str:
    return "" if _is_missing(value) else str(value).strip()


def _parse_aliases(value: object) -> list[str]:
    if _is_missing(value):
        return []
    items = value.split("|") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return list(dict.fromkeys(s for s in (_text_cell(v) for v in items) if s))


def taxonomy_from_frame(df: pd.DataFrame) -> Taxonomy:
    """Parse a skills table (see :meth:`SkillVocabulary.from_frame` for its columns).

    Raises
    ------
    SchemaError
        A required column is missing or a required cell is empty.
    ValueError
        The table is empty or a ``skill_id`` occurs twice.
    """
    for column in _REQUIRED:
        if column not in df.columns:
            raise SchemaError(
                f"skills table is missing required column {column!r}; got {list(df.columns)}"
            )
    if len(df) == 0:
        raise ValueError("skills table is empty; a vocabulary needs at least one skill")
    skill_ids: list[str] = []
    seen: set[str] = set()
    for row, value in enumerate(df["skill_id"]):
        skill_id = _text_cell(value)
        if not skill_id:
            raise SchemaError(f"column 'skill_id' is empty at row {row}: {value!r}")
        if skill_id in seen:
            raise ValueError(f"duplicate skill_id {skill_id!r} at row {row}")
        seen.add(skill_id)
        skill_ids.append(skill_id)
    names = [_text_cell(v) for v in df["name"]]
    for row, name in enumerate(names):
        if not name:
            raise SchemaError(f"column 'name' is empty at row {row} (skill_id={skill_ids[row]!r})")
    n = len(skill_ids)

    def optional(column: str) -> list[Any]:
        return list(df[column]) if column in df.columns else [None] * n

    return Taxonomy(
        skill_ids=skill_ids,
        names=names,
        names_zh=[_text_cell(v) for v in optional("name_zh")],
        aliases=[_parse_aliases(v) for v in optional("aliases")],
        descriptions=[_text_cell(v) for v in optional("description")],
    )
