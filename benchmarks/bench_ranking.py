"""Ranking on real-taxonomy catalogues: the default rankers beside every single feature.

Catalogues and cases come from ESCO (occupation-skill links) and China's 2022 occupational
classification (production occupations); see ``_catalogue_data.py``. For each catalogue the
recommender is built once with ``Recommender.from_catalog`` and the chosen encoder; the pair
features of every case are computed once, and each ranker (the default ``LinearRanker``, the
shipped ``LearnedRanker``, and one ranker per single feature) ranks the same eligible programs.

Metrics, per half (``dev`` was used for decisions, ``test`` never):

* ``goal``: Recall@1 and MRR@10 of the goal's program;
* ``next``: NDCG@10 against the taxonomy's graded relevance;
* ``all``: NDCG@10 over every case (a goal case has one relevant program), the figure a
  ranker is judged by: no single feature may beat the default ranker on it.

Reason precision: ``recommend_many(k=10)`` with the default ranker; a ``goal_match``
("Matches your goal") is right when the program is the goal's; a "Builds on skills you have"
(``skills_match`` naming skills) when the program teaches one of the skills the worker really
has (the taxonomy's, before they were put in other words).

Run ``make bench-deps`` first. Prints one JSON line per catalogue; ``--markdown`` adds tables.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _catalogue_data import RankingCase, RealCatalogue, csco_catalogue, esco_catalogue  # noqa: E402

from skillmatch import Recommender  # noqa: E402
from skillmatch.core import FEATURE_NAMES, LinearRanker  # noqa: E402
from skillmatch.text import E5_MULTILINGUAL, Encoder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES: dict[str, Callable[[], RealCatalogue]] = {"esco": esco_catalogue, "zh": csco_catalogue}
ENCODERS = {"use": "use-multilingual-v3", "minilm": "all-MiniLM-L6-v2"}
#: ``--second-encoder`` choices: the vocabulary's (and so the goal index's) second encoder.
SECOND_ENCODERS = {"none": None, "e5": E5_MULTILINGUAL, "minilm": "all-MiniLM-L6-v2"}


def _ndcg(ranked: Sequence[str], relevance: dict[str, float], k: int = 10) -> float:
    gains = [relevance.get(p, 0.0) for p in ranked[:k]]
    dcg = sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(ideal))
    return float(dcg / idcg) if idcg > 0 else 0.0


def case_metrics(
    cases: Sequence[RankingCase], ranked: Sequence[Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Recall@1 / MRR@10 (goal cases) and NDCG@10 (next cases) for each half."""
    out: dict[str, dict[str, float]] = {}
    for half in ("dev", "test"):
        goal_rr, goal_hit, ndcg, every = [], [], [], []
        for case, top in zip(cases, ranked, strict=True):
            if case.half != half:
                continue
            every.append(_ndcg(top, case.relevance))
            if case.kind == "goal":
                pos = list(top[:10]).index(case.target) + 1 if case.target in top[:10] else 0
                goal_rr.append(1.0 / pos if pos else 0.0)
                goal_hit.append(float(pos == 1))
            else:
                ndcg.append(_ndcg(top, case.relevance))
        out[half] = {
            "goal_r1": round(float(np.mean(goal_hit)), 3) if goal_hit else float("nan"),
            "goal_mrr10": round(float(np.mean(goal_rr)), 3) if goal_rr else float("nan"),
            "next_ndcg10": round(float(np.mean(ndcg)), 3) if ndcg else float("nan"),
            "all_ndcg10": round(float(np.mean(every)), 3) if every else float("nan"),
            "n_goal": len(goal_hit),
            "n_next": len(ndcg),
        }
    return out


def rank_with(
    predict: Callable[[np.ndarray], np.ndarray],
    values: np.ndarray,
    eligible: np.ndarray,
    ids: np.ndarray,
    k: int = 10,
) -> list[list[str]]:
    """Top-``k`` program ids per worker; ties go to the earlier program, as in the library."""
    n_w, n_p, n_f = values.shape
    scores = predict(values.reshape(-1, n_f)).reshape(n_w, n_p)
    scores = np.where(eligible, scores, -np.inf)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [list(ids[row]) for row in order]


def _rankers(shipped: Any) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    rankers: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "default LinearRanker": LinearRanker().fit().predict,
    }
    if shipped is not None:
        rankers["shipped LearnedRanker"] = shipped.predict
    for i, name in enumerate(FEATURE_NAMES):
        rankers[f"only {name}"] = lambda X, i=i: X[:, i].astype(np.float64)
    return rankers


def reason_precision(
    cat: RealCatalogue, cases: Sequence[RankingCase], recs: Sequence[Any]
) -> dict[str, dict[str, Any]]:
    """Precision of ``goal_match`` and ``skills_match`` per half."""
    out: dict[str, dict[str, Any]] = {}
    for half in ("dev", "test"):
        tally = {"goal_match": [0, 0], "skills_match": [0, 0]}
        for case, rec in zip(cases, recs, strict=True):
            if case.half != half:
                continue
            for r in rec:
                codes = {x.code for x in r.reasons}
                if "goal_match" in codes:
                    tally["goal_match"][0] += r.program_id == case.target
                    tally["goal_match"][1] += 1
                builds = [x for x in r.reasons if x.text_en.startswith("Builds on skills you")]
                if builds:
                    tally["skills_match"][0] += bool(cat.taught[r.program_id] & case.held)
                    tally["skills_match"][1] += 1
        out[half] = {
            code: {"precision": round(a / b, 3) if b else None, "n": b}
            for code, (a, b) in tally.items()
        }
    return out


def run(name: str, encoder_name: str, shipped: Any, second: str = "none") -> dict[str, Any]:
    cat = CATALOGUES[name]()
    encoder = Encoder(ENCODERS[encoder_name])
    encoder.load()
    second_model = SECOND_ENCODERS[second]
    second_encoder = None if second_model is None else Encoder(second_model).load()
    start = time.perf_counter()
    rec = Recommender.from_catalog(cat.programs, encoder=encoder, second_encoder=second_encoder)
    _ = rec.fitted_features().goals_  # built on first use: timed here, as part of the build
    build_s = time.perf_counter() - start
    workers = [c.worker for c in cat.cases]
    pf = rec.fitted_features().transform(workers)
    ids = np.array([p.program_id for p in cat.programs], dtype=object)
    results = {
        label: case_metrics(cat.cases, rank_with(predict, pf.values, pf.eligible, ids))
        for label, predict in _rankers(shipped).items()
    }
    recs = rec.recommend_many(workers, k=10)
    return {
        "bench": "ranking",
        "catalogue": name,
        "encoder": encoder_name,
        "second_encoder": second,
        "programs": len(cat.programs),
        "cases": len(cat.cases),
        "build_s": round(build_s, 2),
        "rankers": results,
        "reasons": reason_precision(cat, cat.cases, recs),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"### {result['catalogue']} ({result['programs']} programs, {result['cases']} cases, "
        f"encoder {result['encoder']}, second encoder {result['second_encoder']})",
        "",
        "| ranker | all NDCG@10 dev / test | goal R@1 dev / test | goal MRR@10 dev / test "
        "| next NDCG@10 dev / test |",
        "|---|---|---|---|---|",
    ]
    for label, m in result["rankers"].items():
        d, t = m["dev"], m["test"]
        lines.append(
            f"| {label} | {d['all_ndcg10']:.3f} / {t['all_ndcg10']:.3f} "
            f"| {d['goal_r1']:.3f} / {t['goal_r1']:.3f} | "
            f"{d['goal_mrr10']:.3f} / {t['goal_mrr10']:.3f} | "
            f"{d['next_ndcg10']:.3f} / {t['next_ndcg10']:.3f} |"
        )
    lines += ["", "| reason | precision dev (n) | precision test (n) |", "|---|---|---|"]
    for code in ("goal_match", "skills_match"):
        d, t = result["reasons"]["dev"][code], result["reasons"]["test"][code]
        lines.append(f"| {code} | {d['precision']} ({d['n']}) | {t['precision']} ({t['n']}) |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogues", default="esco,zh", help="comma list of: esco, zh")
    parser.add_argument("--encoder", choices=sorted(ENCODERS), default="use")
    parser.add_argument(
        "--second-encoder",
        choices=sorted(SECOND_ENCODERS),
        default="none",
        help="second encoder of the catalogue's vocabulary and goal index",
    )
    parser.add_argument(
        "--bundle",
        default=str(ROOT / "models" / "default"),
        help="bundle whose LearnedRanker is compared ('' to skip)",
    )
    parser.add_argument("--markdown", action="store_true", help="also print markdown tables")
    args = parser.parse_args(argv)
    shipped = Recommender.load(args.bundle).ranker_ if args.bundle else None
    for name in args.catalogues.split(","):
        result = run(name, args.encoder, shipped, args.second_encoder)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if args.markdown:
            print(markdown(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
