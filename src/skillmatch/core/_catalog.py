"""Catalogue and worker arguments of the :class:`~skillmatch.core.recommend.Recommender`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from skillmatch.core.frames import first_error, programs_from_frame
from skillmatch.errors import SchemaError
from skillmatch.schema import Chain, Program, Worker
from skillmatch.text import Encoder, SkillVocabulary, TextEncoder

__all__ = ["WorldLike", "as_worker", "choice", "parse_programs", "vocabulary_from_catalog"]


class WorldLike(Protocol):
    """A skill taxonomy, a catalogue and chains (the simulator's ``World`` is one)."""

    @property
    def skills(self) -> pd.DataFrame: ...

    @property
    def programs(self) -> list[Program]: ...

    @property
    def chains(self) -> list[Chain]: ...


def choice(name: str, value: str, allowed: tuple[str, ...]) -> int:
    if value not in allowed:
        raise ValueError(f"Unknown {name} value {value!r}; expected one of {list(allowed)}")
    return allowed.index(value)


def as_worker(worker: Worker | Mapping[str, Any]) -> Worker:
    if isinstance(worker, Worker):
        return worker
    if isinstance(worker, Mapping):
        return Worker.model_validate(worker)
    raise TypeError(f"worker must be a Worker or a mapping, got {type(worker).__name__}")


def parse_programs(
    programs: Sequence[Program | Mapping[str, Any]] | pd.DataFrame,
) -> list[Program]:
    if isinstance(programs, pd.DataFrame):
        result = programs_from_frame(programs)
        if len(result.errors):
            raise SchemaError(first_error(result.errors, result.n_invalid, "program"))
        parsed = result.models
    else:
        parsed = [p if isinstance(p, Program) else Program.model_validate(p) for p in programs]
    seen: set[str] = set()
    for p in parsed:
        if p.program_id in seen:
            raise ValueError(f"duplicate program_id {p.program_id!r} in the catalogue")
        seen.add(p.program_id)
    return parsed


def vocabulary_from_catalog(
    programs: list[Program],
    encoder: TextEncoder | None,
    second_encoder: TextEncoder | None = None,
) -> SkillVocabulary:
    """A vocabulary whose skills are the distinct skill texts of the catalogue."""
    texts = list(
        dict.fromkeys(
            [s.text for p in programs for s in p.skills_taught]
            + [r for p in programs for r in p.required_skills]
        )
    )
    frame = pd.DataFrame({"skill_id": [f"s{i:05d}" for i in range(len(texts))], "name": texts})
    return SkillVocabulary.from_frame(
        frame,
        encoder=encoder if encoder is not None else Encoder(),
        second_encoder=second_encoder,
    )
