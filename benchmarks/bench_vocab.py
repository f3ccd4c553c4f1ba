"""Benchmark skill-phrase resolution: lexical vs embedding channel vs fusion rules.

Builds a :class:`~skillmatch.text.vocab.SkillVocabulary` over the simulator's skills and ranks every
skill for each held-out variant phrase (synonym, abbreviation, typo, zh, mixed). The rules over
the name channels (lexical, embedding, their fusions) are tuned on the variants of a random half of
the skills and reported on the other half; ``shipped`` is the vocabulary as built (its default
fusion and threshold) through its public ``match()`` and ``resolve()``. The simulator's texts were
written here: this is a regression check, not what the defaults are tuned on
(``bench_relevance.py`` is). Prints one JSON line.

    HF_HUB_OFFLINE=1 python benchmarks/bench_vocab.py --seed 0 --encoder minilm
    HF_HUB_OFFLINE=1 python benchmarks/bench_vocab.py --seed 0 --encoder use --fusion legacy
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.text.encode import USE_MULTILINGUAL, Encoder
from skillmatch.text.vocab import SkillVocabulary

ENCODERS = {"minilm": "all-MiniLM-L6-v2", "use": USE_MULTILINGUAL}

Scores = NDArray[np.float64]

#: Phrases that name no industrial skill, used to tune and check the threshold.
UNRELATED = [
    "karaoke singing",
    "playing basketball",
    "guitar",
    "watching movies",
    "fishing on weekends",
    "cooking dumplings",
    "square dancing",
    "chess",
    "mahjong",
    "travelling",
    "photography hobby",
    "reading novels",
    "swimming",
    "taking care of children",
    "online shopping",
    "hiking",
    "painting landscapes",
    "gardening",
    "video games",
    "stamp collecting",
    "唱卡拉OK",
    "打篮球",
    "弹吉他",
    "看电影",
    "周末钓鱼",
    "包饺子",
    "跳广场舞",
    "下象棋",
    "打麻将",
    "旅游",
    "摄影爱好",
    "看小说",
    "游泳",
    "带孩子",
    "网购",
    "爬山",
    "画山水画",
    "养花",
    "玩游戏",
    "集邮",
]


def ranks_of_truth(scores: Scores, truth: NDArray[np.int64]) -> NDArray[np.int64]:
    """1-based rank of the true skill in each row (ties counted pessimistically)."""
    true_score = scores[np.arange(len(truth)), truth][:, None]
    return (scores >= true_score).sum(axis=1).astype(np.int64)


def metrics(ranks: NDArray[np.int64]) -> dict[str, float | None]:
    if len(ranks) == 0:
        return {"recall@1": None, "mrr@10": None}
    mrr = np.where(ranks <= 10, 1.0 / ranks, 0.0)
    return {"recall@1": round(float(np.mean(ranks == 1)), 4), "mrr@10": round(float(mrr.mean()), 4)}


def rrf(a: Scores, b: Scores, k0: float) -> Scores:
    ra = np.argsort(np.argsort(-a, axis=1, kind="stable"), axis=1) + 1
    rb = np.argsort(np.argsort(-b, axis=1, kind="stable"), axis=1) + 1
    return 1.0 / (k0 + ra) + 1.0 / (k0 + rb)


def fusions(lex: Scores, emb: Scores, cjk: Scores) -> dict[str, Callable[[float], Scores]]:
    """Each fusion rule as a function of its one tuned parameter."""
    return {
        "lexical": lambda _: lex,
        "embedding": lambda _: emb,
        "weighted_sum": lambda w: (1 - w) * lex + w * emb,
        "rrf": lambda k0: rrf(lex, emb, k0),
        "cjk_weighted": lambda a: (1 - a * (1 - cjk)) * lex + a * (1 - cjk) * emb,
    }


GRIDS: dict[str, list[float]] = {
    "lexical": [0.0],
    "embedding": [0.0],
    "weighted_sum": [round(x, 2) for x in np.arange(0.0, 1.01, 0.05)],
    "rrf": [1.0, 5.0, 10.0, 30.0, 60.0],
    "cjk_weighted": [round(x, 2) for x in np.arange(0.0, 1.01, 0.05)],
}


def tune_threshold(pos_conf: Scores, pos_ok: NDArray[np.bool_], neg_conf: Scores) -> float:
    """Threshold maximising the mean of (correctly resolved variants, rejected unrelated)."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    score = [np.mean(pos_ok & (pos_conf >= t)) + np.mean(neg_conf < t) for t in grid]
    return float(grid[int(np.argmax(score))])


def _rule_table(
    ch: Any, truth: NDArray[np.int64], is_tune: NDArray[np.bool_], kinds: NDArray[Any], n: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each rule over the name channels, tuned on the tune half, reported on the other half."""
    table: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for name, rule in fusions(ch.lexical, ch.names, ch.cjk).items():
        tune_mrr = {
            p: metrics(ranks_of_truth(rule(p)[:n][is_tune], truth[is_tune])) for p in GRIDS[name]
        }
        best = max(GRIDS[name], key=lambda p: (tune_mrr[p]["recall@1"], tune_mrr[p]["mrr@10"]))
        scores = rule(best)
        ranks = ranks_of_truth(scores[:n], truth)
        row = {"param": best, "all": metrics(ranks[~is_tune])}
        for kind in sorted(set(kinds)):
            row[kind] = metrics(ranks[~is_tune & (kinds == kind)])
        table[name] = row
        if name == "cjk_weighted":
            chosen = {"param": best, "scores": scores}
    return table, chosen


def _shipped(
    vocab: SkillVocabulary,
    phrases: list[str],
    truth: NDArray[np.int64],
    is_tune: NDArray[np.bool_],
    kinds: NDArray[Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The vocabulary as built (its fusion and threshold), through match() and resolve()."""
    n = len(phrases)
    top = vocab.match(phrases, k=10)
    found = [[vocab.index_of(m.skill_id) for m in ms] for ms in top]
    shipped_ranks = np.array(
        [f.index(t) + 1 if t in f else 11 for f, t in zip(found, truth, strict=True)]
    )
    row = {"param": vocab.fusion, "all": metrics(shipped_ranks[~is_tune])}
    for kind in sorted(set(kinds)):
        row[kind] = metrics(shipped_ranks[~is_tune & (kinds == kind)])
    # Threshold of the vocabulary's own fused confidence.
    neg_tune = np.arange(len(UNRELATED)) % 2 == 0
    conf = vocab.resolve(phrases + UNRELATED).confidence.astype(np.float64)
    ok = np.array([f[0] == t for f, t in zip(found, truth, strict=True)])
    resolved = conf[:n][~is_tune] >= vocab.threshold
    held_ok = ok[~is_tune]
    return row, {
        "fusion": vocab.fusion,
        "embedding_weight": vocab.embedding_weight,
        "threshold": vocab.threshold,
        "tuned_threshold": tune_threshold(conf[:n][is_tune], ok[is_tune], conf[n:][neg_tune]),
        "report_resolved_correct": round(float(np.mean(held_ok & resolved)), 4),
        "report_resolved_wrong": round(float(np.mean(~held_ok & resolved)), 4),
        "unrelated_rejected": round(float(np.mean(conf[n:][~neg_tune] < vocab.threshold)), 4),
    }


def evaluate(
    skills: pd.DataFrame,
    variants: pd.DataFrame,
    *,
    seed: int,
    encoder: Encoder,
    fusion: str = "hybrid",
) -> dict[str, Any]:
    t0 = time.perf_counter()
    vocab = SkillVocabulary.from_frame(skills, encoder=encoder, fusion=fusion)  # type: ignore[arg-type]
    build_s = time.perf_counter() - t0
    phrases = variants["phrase"].astype(str).tolist()
    t0 = time.perf_counter()
    vocab.resolve(phrases + UNRELATED)
    resolve_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vocab.resolve(phrases + UNRELATED)
    memo_s = time.perf_counter() - t0

    emb_all = encoder.encode(phrases + UNRELATED)
    ch = vocab._index.scores(phrases + UNRELATED, emb_all)
    n = len(phrases)
    truth = np.array([vocab.index_of(s) for s in variants["skill_id"]], dtype=np.int64)
    rng = np.random.default_rng(seed)
    tune_skills = set(rng.permutation(vocab.skill_ids)[: vocab.n_skills // 2].tolist())
    is_tune = variants["skill_id"].isin(tune_skills).to_numpy()
    kinds = variants["kind"].to_numpy()

    table, chosen = _rule_table(ch, truth, is_tune, kinds, n)

    table["shipped"], shipped = _shipped(vocab, phrases, truth, is_tune, kinds)
    n_by_kind = {k: int(np.sum(~is_tune & (kinds == k))) for k in sorted(set(kinds))}
    return {
        "bench": "vocab",
        "seed": seed,
        "n_skills": vocab.n_skills,
        "n_phrases": n,
        "n_report_phrases": int((~is_tune).sum()),
        "n_report_by_kind": n_by_kind,
        "n_unrelated": len(UNRELATED),
        "build_s": round(build_s, 3),
        "resolve_s": round(resolve_s, 3),
        "resolve_memoised_s": round(memo_s, 5),
        "channels": table,
        "encoder": encoder.model_id,
        "shipped": {**shipped, "tuned_embedding_weight": chosen["param"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="world seed and split seed")
    parser.add_argument("--encoder", choices=sorted(ENCODERS), default="minilm")
    parser.add_argument("--fusion", choices=["hybrid", "legacy"], default="hybrid")
    args = parser.parse_args()
    from skillmatch.simulate import make_world

    world = make_world(seed=args.seed)
    result = evaluate(
        world.skills,
        world.skill_variants,
        seed=args.seed,
        encoder=Encoder(ENCODERS[args.encoder]),
        fusion=args.fusion,
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
