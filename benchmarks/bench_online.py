"""Latency of ``Recommender.recommend`` against the baseline a user would otherwise write.

Measures, on one process:

* p50/p99 of ``recommend(worker, k=10)`` on the default catalogue (320 programs) and on a
  30,000-program catalogue, with the workers' skills already seen (in the vocabulary and the
  embedding cache), and with one unseen free-text goal per request (one encoder call);
* the baseline: encode the worker's text with sentence-transformers, then
  ``util.semantic_search`` over precomputed program embeddings (same catalogues);
* encoder calls per request;
* ``score_frame`` throughput on 100,000 simulated workers (cold: phrases encoded on first
  sight; warm: second pass), with the default ``LinearRanker`` and, warm, with the shipped
  bundle's ``LearnedRanker``.

Prints one JSON line. Example::

    HF_HUB_OFFLINE=1 python benchmarks/bench_online.py --requests 500
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _baselines import packaged_minilm  # benchmarks/ is on sys.path when run as a script

from skillmatch import Recommender
from skillmatch.chains import ChainMap
from skillmatch.simulate import make_population, make_workers, make_world


def _percentiles(fn: Callable[[int], Any], n: int) -> dict[str, float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.percentile(times, 50)), "p99_ms": float(np.percentile(times, 99))}


def _worker_text(w: Any) -> str:
    return "; ".join([*(s.text for s in w.skills), w.occupation, w.goal or ""])


def _baseline(model: Any, corpus: Any, workers: list[Any], n: int) -> dict[str, float]:
    from sentence_transformers import util

    def one(i: int) -> None:
        query = model.encode(
            [_worker_text(workers[i % len(workers)])],
            convert_to_tensor=True,
            normalize_embeddings=True,
        )
        util.semantic_search(query, corpus, top_k=10)

    return _percentiles(one, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--batch-workers", type=int, default=100_000)
    parser.add_argument("--big-catalogue", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    world = make_world(seed=args.seed)
    rec = Recommender.from_world(world)
    encoder = rec.vocabulary.encoder
    workers = make_workers(world, 200, seed=args.seed + 1)
    rec.recommend_many(workers, k=10)  # their phrases are now known
    big_world = make_world(seed=args.seed, n_programs=args.big_catalogue)
    big = Recommender.from_catalog(
        big_world.programs, chains=ChainMap(big_world.chains), vocabulary=rec.vocabulary
    )
    big.recommend_many(workers, k=10)

    out: dict[str, Any] = {
        "benchmark": "online",
        "machine": platform.machine(),
        "python": platform.python_version(),
        "requests": args.requests,
    }
    for name, r in (("catalogue_320", rec), (f"catalogue_{args.big_catalogue}", big)):
        before = encoder.n_encoded
        out[f"recommend_known_{name}"] = _percentiles(
            lambda i, r=r: r.recommend(workers[i % len(workers)], k=10), args.requests
        )
        out[f"encoder_calls_per_request_known_{name}"] = (
            encoder.n_encoded - before
        ) / args.requests
        before = encoder.n_encoded
        out[f"recommend_unseen_goal_{name}"] = _percentiles(
            lambda i, r=r, name=name: r.recommend(
                workers[i % len(workers)].model_copy(
                    update={"goal": f"learn a new skill number {i} for {name}"}
                ),
                k=10,
            ),
            args.requests,
        )
        out[f"encoder_calls_per_request_unseen_goal_{name}"] = (
            encoder.n_encoded - before
        ) / args.requests

    model = packaged_minilm()  # the baseline calls sentence-transformers itself
    texts = [f"{p.title}. {p.description}" for p in world.programs]
    small = model.encode(texts, batch_size=64, convert_to_tensor=True, normalize_embeddings=True)
    # the search cost depends on the corpus size, not its content: the 30,000-row corpus
    # repeats the 320 real program embeddings instead of encoding 30,000 texts (minutes)
    reps = -(-args.big_catalogue // len(texts))
    large = small.repeat(reps, 1)[: args.big_catalogue]
    for name, corpus in (("catalogue_320", small), (f"catalogue_{args.big_catalogue}", large)):
        out[f"baseline_encode_semantic_search_{name}"] = _baseline(
            model, corpus, workers, min(args.requests, 200)
        )
    for key in ("catalogue_320", f"catalogue_{args.big_catalogue}"):
        ours = out[f"recommend_known_{key}"]["p50_ms"]
        out[f"speedup_p50_vs_baseline_{key}"] = (
            out[f"baseline_encode_semantic_search_{key}"]["p50_ms"] / ours
        )

    frame = next(
        make_population(
            world, args.batch_workers, seed=args.seed + 2, chunk_size=args.batch_workers
        )
    )
    for label in ("cold", "warm"):
        start = time.perf_counter()
        rec.score_frame(frame, k=10)
        out[f"score_frame_workers_per_s_{label}"] = args.batch_workers / (
            time.perf_counter() - start
        )
    # the shipped bundle (same world, LearnedRanker), warm
    learned = Recommender.load()
    learned.score_frame(frame, k=10)
    start = time.perf_counter()
    learned.score_frame(frame, k=10)
    out["score_frame_workers_per_s_warm_learned"] = args.batch_workers / (
        time.perf_counter() - start
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
