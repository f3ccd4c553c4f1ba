"""Goal matching: a worker's stated goal against each program's own words.

A goal names where the worker wants to go ("想考电子设备装接工证", "become a network
administrator"). It is matched the way the skill vocabulary matches a phrase to a concept,
with the same lexical + embedding fusion (see :mod:`skillmatch.text._fusion`), over an index
with one entry per distinct title and certificate trade (a course offered by several providers
is one entry): those as names, and the program's description and skills taught as the
description. On real taxonomies this finds the program a goal names far
more often than the cosine of the goal with the program's skill vector (see
``benchmarks/bench_ranking.py``).

``goal_fit`` is the match score ``s`` of the pair, sharpened against the goal's best match in
the whole catalogue: ``s * (s / s_max) ** sharpness``. The program a goal names keeps its
score; programs that are merely related to the goal fall away (at half the best score, a
program keeps 1/32 of it), so a stated goal outweighs skill similarity only for the program
it clearly names. Computed over the whole catalogue, it is the same in every regional
view, online and in batch. Each distinct goal is matched once and kept in a small LRU cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from skillmatch.core._types import FloatArray, IntArray
from skillmatch.schema import Program
from skillmatch.text import ByteLRU, SkillVocabulary, TextEncoder, pinned

__all__ = [
    "DESCRIBE_LIMIT",
    "GOAL_CACHE_BYTES",
    "GOAL_MARGIN",
    "GOAL_SHARPNESS",
    "GoalIndex",
    "program_table",
]

#: Memory bound of the cache of goal score rows (float32, one row per distinct goal).
GOAL_CACHE_BYTES = 16 * 2**20

GoalRow = tuple[FloatArray, int]


def _row_bytes(row: GoalRow) -> int:
    return int(row[0].nbytes) + 8


#: Exponent of the sharpening against the best match (tuned on the dev half of
#: ``benchmarks/bench_ranking.py``).
GOAL_SHARPNESS = 4.0
#: A goal *names* its best match only when the second best scores at most this share of it;
#: only then may a recommendation say "Matches your goal". Calibrated on the dev halves of
#: ``benchmarks/bench_ranking.py``: the loosest margin (of 0.8, 0.75, 0.7, 0.65, 0.6) whose
#: precision is >= 0.9 on both catalogues (ESCO 0.964 of 83 claims, Chinese 0.929 of 14).
GOAL_MARGIN = 0.75
#: Largest catalogue (distinct titles) whose descriptions are matched by default.
DESCRIBE_LIMIT = 2000


def program_table(
    programs: Sequence[Program], *, describe: bool = True
) -> tuple[pd.DataFrame, IntArray]:
    """The index entries of a catalogue and the entry of each program.

    Programs with the same title and certificate trade (the same course offered by several
    providers or in several regions) share one entry, named by both; its description is the
    first such program's description and skills taught (none when ``describe`` is false).

    Examples
    --------
    >>> from skillmatch.sim import make_world
    >>> table, entry_of = program_table(make_world(seed=0).programs)
    >>> list(table.columns)
    ['skill_id', 'name', 'aliases', 'description']
    >>> len(table) <= len(entry_of) == 320
    True
    """
    rows: list[dict[str, object]] = []
    position: dict[tuple[str, str], int] = {}
    entry_of = np.empty(len(programs), dtype=np.int64)
    for i, p in enumerate(programs):
        key = (p.title, p.certificate_trade or "")
        if key not in position:
            position[key] = len(rows)
            skills = "; ".join(s.text for s in p.skills_taught)
            rows.append(
                {
                    "skill_id": f"entry-{len(rows)}",
                    "name": p.title,
                    "aliases": [p.certificate_trade] if p.certificate_trade else [],
                    "description": f"{p.description} {skills}".strip() if describe else "",
                }
            )
        entry_of[i] = position[key]
    table = pd.DataFrame(rows, columns=["skill_id", "name", "aliases", "description"])
    return table, entry_of


class GoalIndex:
    """Scores a stated goal against every program of a catalogue.

    Parameters
    ----------
    programs : sequence of Program
        The catalogue, in the order of the score columns.
    encoder : TextEncoder
        The encoder of the recommender's vocabulary.
    second_encoder : TextEncoder, default=None
        The vocabulary's second encoder, if it has one (e5 beside USE v3): goals are then
        matched with its channel too. On the ESCO catalogue of ``benchmarks/bench_ranking.py``
        it raises the precision of "Matches your goal" from 0.82 to 0.97 on the test half.
    sharpness : float, default=GOAL_SHARPNESS
        Exponent of the sharpening against the goal's best match (0: raw match scores).
    describe : bool, default=None
        Match descriptions and skills too, not only titles and trades. By default, for
        catalogues of at most :data:`DESCRIBE_LIMIT` distinct titles (encoding every
        description of a larger one takes minutes).
    cache_bytes : int, default=GOAL_CACHE_BYTES
        Memory bound of the cache of score rows (least recently used goals evicted; see
        :meth:`set_cache_budget`).

    Attributes
    ----------
    entry_of : ndarray of shape (n_programs,)
        The index entry of each program (programs with one title and trade share one).

    Examples
    --------
    >>> from skillmatch.sim import make_world
    >>> from skillmatch.text import Encoder
    >>> world = make_world(seed=0)
    >>> index = GoalIndex(world.programs, Encoder("use-multilingual-v3"))
    >>> goal = "想考" + world.programs[0].title
    >>> int(index.scores([goal])[0].argmax())
    0
    """

    def __init__(
        self,
        programs: Sequence[Program],
        encoder: TextEncoder,
        *,
        second_encoder: TextEncoder | None = None,
        sharpness: float = GOAL_SHARPNESS,
        describe: bool | None = None,
        cache_bytes: int = GOAL_CACHE_BYTES,
    ) -> None:
        if not np.isfinite(sharpness) or sharpness < 0:
            raise ValueError(f"sharpness must be finite and >= 0, got sharpness={sharpness!r}")
        self.sharpness = float(sharpness)
        self.program_ids = [p.program_id for p in programs]
        if describe is None:
            describe = len({(p.title, p.certificate_trade) for p in programs}) <= DESCRIBE_LIMIT
        self.describe = describe
        table, self.entry_of = program_table(programs, describe=describe)
        with pinned(encoder):  # the catalogue's texts: a saved bundle needs them all
            self.vocabulary = SkillVocabulary.from_frame(
                table, encoder=encoder, second_encoder=second_encoder
            )
        self._cache: ByteLRU[str, GoalRow] = ByteLRU(cache_bytes, _row_bytes)

    @property
    def n_programs(self) -> int:
        return len(self.program_ids)

    @property
    def cache_nbytes(self) -> int:
        """Bytes held by the cache of goal score rows."""
        return self._cache.nbytes

    def set_cache_budget(self, max_bytes: int) -> None:
        """Bound the cache of goal score rows to ``max_bytes``, evicting at once to fit."""
        self._cache.resize(max_bytes)

    def _rows(self, goals: Sequence[str]) -> list[GoalRow]:
        found: dict[str, GoalRow] = {}
        for goal in dict.fromkeys(goals):
            if (hit := self._cache.get(goal)) is not None:
                found[goal] = hit
        new = [g for g in dict.fromkeys(goals) if g not in found]
        if new:
            for goal, entries in zip(new, self.vocabulary.scores(new), strict=True):
                found[goal] = self._row(entries)
                self._cache.put(goal, found[goal])
        return [found[goal] for goal in goals]

    def _row(self, entries: FloatArray) -> tuple[FloatArray, int]:
        """Program scores (sharpened over entries) and the entry the goal names, else -1."""
        raw = entries.astype(np.float64)
        order = np.argsort(-raw, kind="stable")[:2]
        best = raw[order[0]] if len(order) else 0.0
        second = raw[order[1]] if len(order) > 1 else 0.0
        sharp = raw * (raw / best) ** self.sharpness if best > 0 else raw
        named = int(order[0]) if best > 0 and second <= GOAL_MARGIN * best else -1
        return sharp[self.entry_of].astype(np.float32), named

    def scores(self, goals: Sequence[str]) -> FloatArray:
        """``goal_fit`` of each goal (rows) with each program (columns), in [0, 1]."""
        out = np.zeros((len(goals), self.n_programs), dtype=np.float32)
        for i, (row, _) in enumerate(self._rows(goals)):
            out[i] = row
        return out

    def named(self, goals: Sequence[str]) -> IntArray:
        """The entry each goal clearly names (see :data:`GOAL_MARGIN`), else -1.

        A program is named by a goal when ``entry_of[program]`` equals it.

        Examples
        --------
        >>> from skillmatch.sim import make_world
        >>> from skillmatch.text import Encoder
        >>> world = make_world(seed=0)
        >>> index = GoalIndex(world.programs, Encoder("use-multilingual-v3"))
        >>> world.programs[1].title
        'Linux基础高级研修班 Linux basics master class'
        >>> named = index.named(["想学" + world.programs[1].title, "做蛋糕"])
        >>> [int(named[0]) == int(index.entry_of[1]), int(named[1])]
        [True, -1]

        A certificate of several levels is not named by the title of one of them: the levels
        are too close to tell apart (the second best is within :data:`GOAL_MARGIN`).

        >>> int(index.named(["想考" + world.programs[0].title])[0])
        -1
        """
        return np.array([named for _, named in self._rows(goals)], dtype=np.int64)

    def __repr__(self) -> str:
        return f"GoalIndex(n_programs={self.n_programs}, describe={self.describe})"
