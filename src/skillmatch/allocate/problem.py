"""The allocation problem: candidate arcs, program capacities, seats, budget and group shares.

An :class:`AllocationProblem` holds one *arc* per (worker, candidate program) pair, sorted by
worker and then by the rank the worker's list gave it. Every constraint is hard:

* at most one funded seat per worker;
* at most ``capacity[p]`` funded seats on program ``p``;
* exactly ``n_seats`` funded seats in total, where ``n_seats`` is the largest number that the
  capacities, ``seats`` and ``budget`` allow (filling funded seats comes first, fit second);
* the aid spent, ``sum(aid)`` over funded arcs, is at most ``budget``;
* every group ``g`` gets at least ``ceil(min_share[g] * n_seats)`` of the funded seats.

Among the allocations that meet them, the solvers maximise the total fit ``sum(score)``.

Examples
--------
>>> import numpy as np
>>> problem = AllocationProblem(
...     worker_ids=["a", "b"], program_ids=["p1"], capacity=np.array([1]),
...     arc_worker=np.array([0, 1]), arc_program=np.array([0, 0]),
...     arc_score=np.array([0.9, 0.5]), arc_rank=np.array([1, 1]),
...     arc_aid=np.array([0.0, 0.0]), groups=(GroupShare("migrant", 0.5),),
...     members=np.array([[False], [True]]))
>>> problem.check().n_arcs
2
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import SchemaError, SkillmatchError

__all__ = [
    "AllocationProblem",
    "GroupShare",
    "InfeasibleAllocationError",
    "parse_min_share",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
#: Arc columns may be stored compactly (int32 indices, float32 scores): at 3 M workers x
#: top-10 every byte per arc is 30 MB. Objectives and bounds are always summed in float64.
IndexArray = NDArray[np.integer[Any]]
ValueArray = NDArray[np.floating[Any]]
#: Worker ids: a list, or a NumPy string array (far smaller than 3 M Python strings).
WorkerIds = Sequence[str] | NDArray[np.str_]


class InfeasibleAllocationError(SkillmatchError, ValueError):
    """The hard constraints cannot all hold; the message names the binding one."""


@dataclass(frozen=True)
class GroupShare:
    """A minimum share of the funded seats for one group of workers.

    ``name`` is ``"migrant"`` or ``"<attribute>:<value>"`` with attribute ``region`` or
    ``gender`` (e.g. ``"region:CN-GD"``); ``min_share`` lies in [0, 1].

    Examples
    --------
    >>> GroupShare("region:CN-GD", 0.05).quota(1000)
    50
    """

    name: str
    min_share: float

    def quota(self, n_seats: int) -> int:
        """Seats the group needs out of ``n_seats``: ``ceil(min_share * n_seats)``."""
        # the 1e-9 keeps 2/3 * 3 = 2.0000000000000004 from becoming 3
        return max(0, math.ceil(self.min_share * n_seats - 1e-9))


def parse_min_share(text: str) -> GroupShare:
    """Parse ``"migrant=0.667"``, ``"region:CN-GD=0.05"`` or ``"gender:female=0.4"``.

    Raises
    ------
    ValueError
        The text is not ``GROUP=SHARE`` with a known group and a share in [0, 1].

    Examples
    --------
    >>> parse_min_share("migrant=2/3")
    GroupShare(name='migrant', min_share=0.6666666666666666)
    >>> parse_min_share("age:30=0.1")
    Traceback (most recent call last):
    ...
    ValueError: min-share group must be 'migrant', 'region:<code>' or 'gender:<value>', got 'age:30'
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    attribute = name.split(":", 1)[0]
    if not sep or not (name == "migrant" or (attribute in ("region", "gender") and ":" in name)):
        raise ValueError(
            f"min-share group must be 'migrant', 'region:<code>' or 'gender:<value>', got {name!r}"
        )
    try:
        num, slash, den = value.partition("/")
        share = float(num) / float(den) if slash else float(value)
    except (ValueError, ZeroDivisionError):
        share = math.nan
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"min-share of {name!r} must be a number in [0, 1], got {value!r}")
    return GroupShare(name, share)


@dataclass(frozen=True)
class AllocationProblem:
    """Candidate arcs and constraints of one allocation (see the module docstring).

    Parameters
    ----------
    worker_ids : list of str or ndarray of str
        The workers, row ``w`` of ``members``.
    program_ids : list of str
        The programs, index ``p`` of ``capacity``.
    capacity : ndarray of shape (n_programs,)
        Seats on each program (>= 0).
    arc_worker, arc_program : ndarray of shape (n_arcs,)
        Worker and program index of each arc (any integer dtype; int32 saves memory),
        sorted by worker.
    arc_score : ndarray of shape (n_arcs,)
        Fit of the pair (the ``score`` of ``skillmatch score``; float32 or float64, and every
        objective and bound is summed in float64 from the stored values).
    arc_rank : ndarray of shape (n_arcs,)
        Rank of the program in the worker's list (1 = top).
    arc_aid : ndarray of shape (n_arcs,)
        Public aid in CNY that funding this pair spends (>= 0; float32 or float64).
    groups : tuple of GroupShare
        The minimum-share constraints, column ``g`` of ``members``.
    members : ndarray of shape (n_workers, n_groups)
        Whether worker ``w`` belongs to group ``g``.
    seats : int or None
        Cap on the funded seats in total.
    budget : float or None
        Cap on the aid spent, in CNY.
    """

    worker_ids: WorkerIds
    program_ids: list[str]
    capacity: IntArray
    arc_worker: IndexArray
    arc_program: IndexArray
    arc_score: ValueArray
    arc_rank: IndexArray
    arc_aid: ValueArray
    groups: tuple[GroupShare, ...] = ()
    members: BoolArray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    seats: int | None = None
    budget: float | None = None

    @property
    def n_workers(self) -> int:
        """Number of workers."""
        return len(self.worker_ids)

    @property
    def n_programs(self) -> int:
        """Number of programs."""
        return len(self.program_ids)

    @property
    def n_arcs(self) -> int:
        """Number of candidate (worker, program) arcs."""
        return int(self.arc_worker.shape[0])

    def worker_starts(self) -> IntArray:
        """First arc of each worker, and ``n_arcs`` at the end; shape (n_workers + 1,).

        Worker ``w``'s arcs are ``starts[w]:starts[w + 1]`` (a binary search, no copy of
        ``arc_worker``).
        """
        needles = np.arange(self.n_workers + 1).astype(self.arc_worker.dtype, copy=False)
        return np.searchsorted(self.arc_worker, needles, side="left").astype(np.int64)

    def arc_members(self) -> BoolArray:
        """Group membership of each arc's worker, shape (n_arcs, n_groups)."""
        return np.asarray(self.members_matrix()[self.arc_worker], dtype=bool)

    def members_matrix(self) -> BoolArray:
        """``members`` as a (n_workers, n_groups) boolean array, also when there are no groups."""
        return np.asarray(self.members, dtype=bool).reshape(self.n_workers, len(self.groups))

    def check(self) -> AllocationProblem:
        """Validate shapes, ranges and the arc order; return ``self``.

        Raises
        ------
        SchemaError
            An array has the wrong shape, or a value is out of range; the message names the
            field and repeats the value.
        """
        n_arcs = self.n_arcs
        for name in ("arc_program", "arc_score", "arc_rank", "arc_aid"):
            if getattr(self, name).shape != (n_arcs,):
                raise SchemaError(
                    f"{name} must have shape ({n_arcs},) like arc_worker, "
                    f"got {getattr(self, name).shape}"
                )
        if self.capacity.shape != (self.n_programs,):
            raise SchemaError(
                f"capacity must have one entry per program ({self.n_programs}), "
                f"got shape {self.capacity.shape}"
            )
        if self.members_matrix().shape != (self.n_workers, len(self.groups)):
            raise SchemaError("members must have shape (n_workers, n_groups)")
        _check_values(self)
        return self


def _duplicate_id(ids: WorkerIds) -> str | None:
    """A worker id that appears twice, or None."""
    if isinstance(ids, np.ndarray):
        ordered = ids if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])) else np.sort(ids)
        same = np.flatnonzero(ordered[1:] == ordered[:-1])
        return str(ordered[same[0]]) if same.size else None
    if len(set(ids)) == len(ids):
        return None
    seen: set[str] = set()
    return next(w for w in ids if w in seen or seen.add(w))  # type: ignore[func-returns-value]


def _has_duplicate_pair(problem: AllocationProblem) -> bool:
    """Whether a (worker, program) pair repeats; the arcs are sorted by worker.

    Short lists compare each arc with the next ``d`` arcs (boolean temporaries only); long
    lists sort a combined int64 key.
    """
    w, p = problem.arc_worker, problem.arc_program
    longest = int(np.diff(problem.worker_starts()).max(initial=0))
    if longest > 32:
        key = np.sort(w.astype(np.int64) * max(problem.n_programs, 1) + p)
        return bool(np.any(key[1:] == key[:-1]))
    for d in range(1, longest):
        if np.any((w[d:] == w[:-d]) & (p[d:] == p[:-d])):
            return True
    return False


def _first_bad(mask: BoolArray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _check_values(problem: AllocationProblem) -> None:
    """Range checks that name the field, the row and the value."""
    bad = _first_bad(problem.capacity < 0)
    if bad is not None:
        raise SchemaError(
            f"capacity must be >= 0, got capacity={int(problem.capacity[bad])} "
            f"for program_id={problem.program_ids[bad]!r}"
        )
    dup = _duplicate_id(problem.worker_ids)
    if dup is not None:
        raise SchemaError(f"worker_id must be unique, got worker_id={dup!r} twice")
    for name, values, upper in (
        ("arc_worker", problem.arc_worker, problem.n_workers),
        ("arc_program", problem.arc_program, problem.n_programs),
    ):
        bad = _first_bad((values < 0) | (values >= upper))
        if bad is not None:
            raise SchemaError(f"{name} must lie in [0, {upper}), got {name}={int(values[bad])}")
    for name in ("arc_score", "arc_aid"):
        values = getattr(problem, name)
        bad = _first_bad(~np.isfinite(values) | ((values < 0) if name == "arc_aid" else False))
        if bad is not None:
            raise SchemaError(f"{name} must be finite (aid >= 0), got {name}={values[bad]!r}")
    w = problem.arc_worker
    if problem.n_arcs and np.any(w[1:] < w[:-1]):
        raise SchemaError("arcs must be sorted by arc_worker")
    if _has_duplicate_pair(problem):
        raise SchemaError("each (worker, program) pair may appear once among the arcs")
    for group in problem.groups:
        if not 0.0 <= group.min_share <= 1.0:
            raise SchemaError(
                f"min_share of {group.name!r} must lie in [0, 1], got {group.min_share}"
            )
    if problem.seats is not None and problem.seats < 0:
        raise SchemaError(f"seats must be >= 0, got seats={problem.seats}")
    if problem.budget is not None and not problem.budget >= 0:
        raise SchemaError(f"budget must be >= 0, got budget={problem.budget}")
