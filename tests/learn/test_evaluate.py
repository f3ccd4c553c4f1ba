"""Tests of skillmatch.evaluate: metrics (hand-worked and against ranx), groups, splits, report."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillmatch.errors import SchemaError
from skillmatch.evaluate import (
    METRICS,
    RESULT_COLUMNS,
    MetricSpec,
    Split,
    age_band,
    catalogue_coverage,
    compute_metrics,
    evaluate,
    exposure_by_group,
    metrics_by_group,
    parse_metric,
    split_by_program,
    split_by_time,
    split_by_worker,
    worker_folds,
    write_report,
)

LOG2_3 = math.log2(3)


def make_run(rows: dict[str, list[str]]) -> pd.DataFrame:
    """A run from worker -> programs in rank order (scores n, n-1, ..., 1)."""
    records = [
        (worker, program, float(len(programs) - i))
        for worker, programs in rows.items()
        for i, program in enumerate(programs)
    ]
    return pd.DataFrame(records, columns=["worker_id", "program_id", "score"])


def make_qrels(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    records = [(w, p, float(r)) for w, rels in rows.items() for p, r in rels.items()]
    return pd.DataFrame(records, columns=["worker_id", "program_id", "relevance"])


def metric(run: pd.DataFrame, qrels: pd.DataFrame, name: str, worker: str = "w") -> float:
    table = compute_metrics(run, qrels, [name])
    values = table.loc[table["worker_id"] == worker, parse_metric(name).label]
    return float(values.to_numpy(dtype=np.float64)[0])


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ndcg@10", MetricSpec("ndcg", 10)),
        ("recall@5", MetricSpec("recall", 5)),
        ("precision@1", MetricSpec("precision", 1)),
        ("map@10", MetricSpec("map", 10)),
        ("mrr", MetricSpec("mrr", None)),
        ("mrr@3", MetricSpec("mrr", 3)),
        ("hit_rate@20", MetricSpec("hit_rate", 20)),
        ("ndcg", MetricSpec("ndcg", None)),
    ],
)
def test_parse_metric(name: str, expected: MetricSpec) -> None:
    assert parse_metric(name) == expected
    assert expected.label == name


@pytest.mark.parametrize("name", ["auc", "NDCG@10", "ndcg10", "recall@@5", "", "f1@3"])
def test_unknown_metric_raises_naming_it(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        parse_metric(name)


def test_unknown_metric_message_lists_choices() -> None:
    with pytest.raises(ValueError, match=r"Unknown metric 'auc@5'; expected one of \['hit_rate'"):
        compute_metrics(make_run({"w": ["a"]}), make_qrels({"w": {"a": 1}}), ["auc@5"])


@pytest.mark.parametrize("name", ["ndcg@0", "recall@-1", "map@x", "mrr@"])
def test_bad_k_in_metric_raises(name: str) -> None:
    with pytest.raises(ValueError, match="k must be"):
        parse_metric(name)


def test_k_below_one_raises_everywhere() -> None:
    run = make_run({"w": ["a"]})
    groups = pd.DataFrame({"worker_id": ["w"], "migrant": [True]})
    with pytest.raises(ValueError, match=r"k must be >= 1, got k=0"):
        catalogue_coverage(run, catalogue_size=3, k=0)
    with pytest.raises(ValueError, match=r"k must be >= 1, got k=-2"):
        exposure_by_group(run, groups, k=-2, column="migrant")
    with pytest.raises(ValueError, match=r"k must be >= 1, got k=0 in metric 'ndcg@0'"):
        evaluate({"m": run}, make_qrels({"w": {"a": 1}}), ["ndcg@0"])


def test_metrics_must_be_a_sequence_of_names() -> None:
    run, qrels = make_run({"w": ["a"]}), make_qrels({"w": {"a": 1}})
    with pytest.raises(ValueError, match="sequence of strings"):
        compute_metrics(run, qrels, "ndcg@10")
    with pytest.raises(ValueError, match="at least one metric"):
        compute_metrics(run, qrels, [])


# -- hand-worked metric values ---------------------------------------------------------------


def test_ndcg_graded_linear_gain() -> None:
    # Run a, b, c has relevances [3, 0, 1]; the ideal list is [3, 1].
    # DCG@3  = 3/log2(2) + 0/log2(3) + 1/log2(4) = 3 + 0 + 0.5 = 3.5
    # IDCG@3 = 3/log2(2) + 1/log2(3)             = 3 + 0.6309297535714575
    # nDCG@3 = 3.5 / 3.6309297535714575          = 0.9639404333166532
    run = make_run({"w": ["a", "b", "c"]})
    qrels = make_qrels({"w": {"a": 3, "b": 0, "c": 1}})
    assert metric(run, qrels, "ndcg@3") == pytest.approx(3.5 / (3 + 1 / LOG2_3), abs=1e-12)
    # At k=1 both lists hold a (gain 3): nDCG@1 = 3 / 3 = 1.
    assert metric(run, qrels, "ndcg@1") == pytest.approx(1.0)
    # At k=2: DCG@2 = 3 + 0 = 3, IDCG@2 = 3 + 1/log2(3); nDCG@2 = 3 / 3.6309...
    assert metric(run, qrels, "ndcg@2") == pytest.approx(3 / (3 + 1 / LOG2_3), abs=1e-12)


def test_ndcg_ideal_uses_all_qrels_not_only_retrieved() -> None:
    # Run x, a with relevances [0, 1]; the worker also has d (relevance 2), never retrieved.
    # DCG@2  = 0 + 1/log2(3)          = 0.6309297535714575
    # IDCG@2 = 2/log2(2) + 1/log2(3)  = 2.6309297535714575
    run = make_run({"w": ["x", "a"]})
    qrels = make_qrels({"w": {"a": 1, "d": 2}})
    expected = (1 / LOG2_3) / (2 + 1 / LOG2_3)
    assert metric(run, qrels, "ndcg@2") == pytest.approx(expected, abs=1e-12)


def test_recall_and_precision() -> None:
    # Relevant: a, c, d (3 programs). Run a, b, c.
    # top-2 = a, b -> 1 hit: recall@2 = 1/3, precision@2 = 1/2
    # top-3 = a, b, c -> 2 hits: recall@3 = 2/3, precision@3 = 2/3
    # precision@5 divides by k = 5, not by the 3 returned: 2/5
    run = make_run({"w": ["a", "b", "c"]})
    qrels = make_qrels({"w": {"a": 1, "c": 2, "d": 3}})
    assert metric(run, qrels, "recall@2") == pytest.approx(1 / 3)
    assert metric(run, qrels, "precision@2") == pytest.approx(1 / 2)
    assert metric(run, qrels, "recall@3") == pytest.approx(2 / 3)
    assert metric(run, qrels, "precision@3") == pytest.approx(2 / 3)
    assert metric(run, qrels, "precision@5") == pytest.approx(2 / 5)
    # Without a cut-off precision divides by the list length: 2/3.
    assert metric(run, qrels, "precision") == pytest.approx(2 / 3)


def test_average_precision() -> None:
    # Relevant: a, b, c (3 programs). Run x, a, y, b.
    # map@3: hits in top 3 at rank 2 only; P@2 = 1/2        -> AP@3 = (1/2) / 3 = 1/6
    # map@4: hits at ranks 2 and 4; P@2 = 1/2, P@4 = 2/4    -> AP@4 = (1/2 + 1/2) / 3 = 1/3
    # The divisor is all 3 relevant programs, not min(k, 3) (as ranx and trec_eval).
    run = make_run({"w": ["x", "a", "y", "b"]})
    qrels = make_qrels({"w": {"a": 1, "b": 3, "c": 2}})
    assert metric(run, qrels, "map@3") == pytest.approx(1 / 6)
    assert metric(run, qrels, "map@4") == pytest.approx(1 / 3)
    assert metric(run, qrels, "map") == pytest.approx(1 / 3)


def test_reciprocal_rank_and_hit_rate() -> None:
    # First relevant program (c) is at rank 3.
    # mrr = 1/3; mrr@2 = 0 (nothing relevant in the top 2); hit_rate@2 = 0, hit_rate@3 = 1.
    run = make_run({"w": ["a", "b", "c", "d"]})
    qrels = make_qrels({"w": {"c": 1, "d": 3, "a": 0}})
    assert metric(run, qrels, "mrr") == pytest.approx(1 / 3)
    assert metric(run, qrels, "mrr@2") == 0.0
    assert metric(run, qrels, "hit_rate@2") == 0.0
    assert metric(run, qrels, "hit_rate@3") == 1.0


def test_ties_break_by_program_id_ascending() -> None:
    # b and a share the top score: a ranks first, so the relevant a gives mrr = 1 and
    # precision@1 = 1, whatever the row order of the run.
    run = pd.DataFrame(
        {"worker_id": ["w", "w", "w"], "program_id": ["b", "c", "a"], "score": [1.0, 0.5, 1.0]}
    )
    qrels = make_qrels({"w": {"a": 1}})
    assert metric(run, qrels, "mrr") == 1.0
    assert metric(run, qrels, "precision@1") == 1.0
    assert metric(run, qrels.assign(program_id=["b"]), "mrr") == 0.5


def test_workers_without_relevant_programs_are_nan_and_skipped() -> None:
    # w1: relevant a at rank 1 -> 1.  w2: only relevance-0 rows -> NaN.
    # w3: not in the qrels at all -> NaN.  w4: relevant but absent from the run -> 0.
    # The overall mean skips the NaN workers: (1 + 0) / 2 = 0.5.
    run = make_run({"w1": ["a"], "w2": ["a"], "w3": ["a"]})
    qrels = make_qrels({"w1": {"a": 2}, "w2": {"a": 0}, "w4": {"b": 1}})
    table = compute_metrics(run, qrels, ["ndcg@5", "mrr"])
    assert table["worker_id"].tolist() == ["w1", "w2", "w3", "w4"]
    assert table["ndcg@5"].tolist()[0] == 1.0
    assert table["ndcg@5"].isna().tolist() == [False, True, True, False]
    assert table["mrr"].tolist()[3] == 0.0
    result = evaluate({"m": run}, qrels, ["ndcg@5", "mrr"])
    assert result["value"].tolist() == [0.5, 0.5]


def test_compute_metrics_columns_are_canonical_and_deduplicated() -> None:
    run, qrels = make_run({"w": ["a"]}), make_qrels({"w": {"a": 1}})
    table = compute_metrics(run, qrels, ["mrr", "ndcg@3", "mrr"])
    assert list(table.columns) == ["worker_id", "mrr", "ndcg@3"]


# -- validation ------------------------------------------------------------------------------


def test_missing_column_raises_schema_error() -> None:
    run = make_run({"w": ["a"]}).drop(columns="score")
    with pytest.raises(SchemaError, match=r"run is missing columns \['score'\]"):
        compute_metrics(run, make_qrels({"w": {"a": 1}}), ["mrr"])
    with pytest.raises(SchemaError, match="qrels is missing columns"):
        compute_metrics(make_run({"w": ["a"]}), pd.DataFrame({"worker_id": ["w"]}), ["mrr"])


def test_bad_values_raise_value_error() -> None:
    run = make_run({"w": ["a", "b"]})
    with pytest.raises(SchemaError, match="must be numeric"):
        compute_metrics(run.assign(score=["x", "y"]), make_qrels({"w": {"a": 1}}), ["mrr"])
    with pytest.raises(ValueError, match=r"relevance'\] must be >= 0, got -1.0"):
        compute_metrics(run, make_qrels({"w": {"a": -1}}), ["mrr"])
    with pytest.raises(ValueError, match="must be finite"):
        compute_metrics(run.assign(score=[1.0, np.nan]), make_qrels({"w": {"a": 1}}), ["mrr"])
    dup = pd.concat([run, run.iloc[:1]])
    with pytest.raises(ValueError, match=r"duplicate \(worker_id, program_id\).*'w', 'a'"):
        compute_metrics(dup, make_qrels({"w": {"a": 1}}), ["mrr"])


# -- against ranx ----------------------------------------------------------------------------

RANX_METRICS = [
    "ndcg@5",
    "ndcg@10",
    "ndcg",
    "recall@5",
    "recall@10",
    "precision@3",
    "precision@20",
    "map@5",
    "map@10",
    "map",
    "mrr",
    "mrr@3",
    "hit_rate@1",
    "hit_rate@5",
]


def random_case(seed: int, n_workers: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Graded qrels with >= 1 relevant program per worker, runs of 0-15 programs."""
    rng = np.random.default_rng(seed)
    runs, qrels = [], []
    for w in range(n_workers):
        worker = f"w{w:02d}"
        judged = rng.choice(40, size=rng.integers(1, 12), replace=False)
        grades = rng.integers(0, 4, size=len(judged))
        grades[0] = rng.integers(1, 4)  # at least one relevant program
        qrels += [(worker, f"p{p:02d}", float(g)) for p, g in zip(judged, grades, strict=True)]
        if w % 17 == 5:
            continue  # a worker the ranker returned nothing for
        ranked = rng.choice(40, size=rng.integers(1, 16), replace=False)
        runs += [
            (worker, f"p{p:02d}", float(s))
            for p, s in zip(ranked, rng.random(len(ranked)), strict=True)
        ]
    return (
        pd.DataFrame(runs, columns=["worker_id", "program_id", "score"]),
        pd.DataFrame(qrels, columns=["worker_id", "program_id", "relevance"]),
    )


@pytest.fixture(scope="module")
def ranx_scores() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]]:
    ranx = pytest.importorskip("ranx")
    run, qrels = random_case(seed=7)
    ranx_qrels = ranx.Qrels.from_dict(
        {
            w: dict(zip(g.program_id, g.relevance.astype(int), strict=True))
            for w, g in qrels.groupby("worker_id")
        }
    )
    ranx_run = ranx.Run.from_dict(
        {w: dict(zip(g.program_id, g.score, strict=True)) for w, g in run.groupby("worker_id")}
    )
    ranx.evaluate(ranx_qrels, ranx_run, RANX_METRICS, make_comparable=True)
    per_query = {
        m: {q: float(v) for q, v in scores.items()} for m, scores in ranx_run.scores.items()
    }
    return run, qrels, per_query


@pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaWarning")
def test_per_worker_metrics_equal_ranx(
    ranx_scores: tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]],
) -> None:
    run, qrels, expected = ranx_scores
    ours = compute_metrics(run, qrels, RANX_METRICS).set_index("worker_id")
    assert len(ours) == 50 and ours.notna().all().all()
    for name in RANX_METRICS:
        theirs = pd.Series(expected[name]).reindex(ours.index)
        np.testing.assert_allclose(
            ours[name].to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-9, err_msg=name
        )


@pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaWarning")
def test_evaluate_means_equal_ranx(
    ranx_scores: tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]],
) -> None:
    run, qrels, expected = ranx_scores
    result = evaluate({"random": run}, qrels, RANX_METRICS).set_index("metric")["value"]
    for name in RANX_METRICS:
        assert result[name] == pytest.approx(np.mean(list(expected[name].values())), abs=1e-9)


# -- properties ------------------------------------------------------------------------------

PROGRAMS = [f"p{i}" for i in range(8)]
ALL_METRICS = [f"{m}@{k}" for m in sorted(METRICS) for k in (1, 3, 10)] + sorted(METRICS)


@st.composite
def run_and_qrels(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_workers = draw(st.integers(1, 4))
    runs: list[tuple[Any, ...]] = []
    qrels: list[tuple[Any, ...]] = []
    for w in range(n_workers):
        for p in draw(st.lists(st.sampled_from(PROGRAMS), max_size=6, unique=True)):
            runs.append((f"w{w}", p, draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, -3.0]))))
        for p in draw(st.lists(st.sampled_from(PROGRAMS), max_size=5, unique=True)):
            qrels.append((f"w{w}", p, float(draw(st.integers(0, 3)))))
    return (
        pd.DataFrame(runs, columns=["worker_id", "program_id", "score"]),
        pd.DataFrame(qrels, columns=["worker_id", "program_id", "relevance"]),
    )


@given(run_and_qrels())
@settings(max_examples=75, deadline=None)
def test_every_metric_lies_in_unit_interval(case: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    run, qrels = case
    values = compute_metrics(run, qrels, ALL_METRICS).drop(columns="worker_id").to_numpy()
    defined = values[~np.isnan(values)]
    assert ((defined >= 0) & (defined <= 1 + 1e-12)).all()


@given(
    st.lists(
        st.dictionaries(st.sampled_from(PROGRAMS), st.integers(0, 3), min_size=1),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=75, deadline=None)
def test_perfect_run_scores_one(workers: list[dict[str, int]]) -> None:
    # Every worker gets exactly their relevant programs, ordered by relevance.
    qrels = make_qrels(
        {f"w{i}": {p: float(r) for p, r in rels.items()} for i, rels in enumerate(workers)}
    )
    relevant = qrels[qrels.relevance > 0]
    run = relevant.rename(columns={"relevance": "score"})
    names = [
        "ndcg@1",
        "ndcg@3",
        "ndcg",
        "mrr",
        "mrr@2",
        "hit_rate@1",
        "recall",
        "map",
        "precision",
        "precision@1",
    ]
    table = compute_metrics(run, qrels, names).dropna()
    assert set(table["worker_id"]) == set(relevant["worker_id"])
    np.testing.assert_allclose(table[names].to_numpy(dtype=float), 1.0, atol=1e-12)


@given(run_and_qrels(), st.integers(1, 5))
@settings(max_examples=50, deadline=None)
def test_metrics_do_not_depend_on_row_order(
    case: tuple[pd.DataFrame, pd.DataFrame], seed: int
) -> None:
    run, qrels = case
    shuffled = run.sample(frac=1.0, random_state=seed)
    pd.testing.assert_frame_equal(
        compute_metrics(run, qrels, ALL_METRICS), compute_metrics(shuffled, qrels, ALL_METRICS)
    )


# -- coverage, groups, exposure --------------------------------------------------------------


def test_catalogue_coverage() -> None:
    # Top-1 lists: w1 -> a, w2 -> a: 1 of 5 programs. Top-2: a, b, c: 3 of 5.
    run = make_run({"w1": ["a", "b"], "w2": ["a", "c"]})
    assert catalogue_coverage(run, catalogue_size=5, k=1) == pytest.approx(0.2)
    assert catalogue_coverage(run, catalogue_size=5, k=2) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="catalogue_size must be >= the 3 distinct"):
        catalogue_coverage(run, catalogue_size=2, k=2)
    with pytest.raises(ValueError, match="catalogue_size must be >= 1, got catalogue_size=0"):
        catalogue_coverage(run, catalogue_size=0, k=2)


def test_exposure_by_group_shares() -> None:
    # k=2. Exposure: m1 gets 1 + 1/log2(3); m2 gets nothing; l1 and l2 get 1 each.
    # total = 3 + 1/log2(3); migrant share = (1 + 1/log2(3)) / total, population share 1/2.
    run = make_run({"m1": ["a", "b", "c"], "l1": ["a"], "l2": ["b"]})
    groups = pd.DataFrame(
        {"worker_id": ["m1", "m2", "l1", "l2"], "migrant": [True, True, False, False]}
    )
    table = exposure_by_group(run, groups, k=2, column="migrant").set_index("group")
    total = 3 + 1 / LOG2_3
    assert table.loc[True, "exposure_share"] == pytest.approx((1 + 1 / LOG2_3) / total)
    assert table.loc[False, "exposure_ratio"] == pytest.approx((2 / total) / 0.5)
    assert table.loc[True, "mean_exposure"] == pytest.approx((1 + 1 / LOG2_3) / 2)
    assert table["n_workers"].tolist() == [2, 2]
    assert table["population_share"].sum() == pytest.approx(1.0)
    assert table["exposure_share"].sum() == pytest.approx(1.0)


def test_exposure_parity_when_every_worker_gets_a_full_list() -> None:
    run = make_run({"a": ["x", "y"], "b": ["y", "z"], "c": ["x", "z"]})
    groups = pd.DataFrame({"worker_id": ["a", "b", "c"], "region": ["n", "s", "s"]})
    table = exposure_by_group(run, groups, k=2, column="region")
    np.testing.assert_allclose(table["exposure_ratio"], 1.0)


def test_group_tables_reject_bad_groups() -> None:
    run = make_run({"a": ["x"]})
    with pytest.raises(SchemaError, match="groups is missing columns"):
        exposure_by_group(run, pd.DataFrame({"worker_id": ["a"]}), k=1, column="migrant")
    dup = pd.DataFrame({"worker_id": ["a", "a"], "migrant": [True, False]})
    with pytest.raises(ValueError, match="duplicate worker_id values, e.g. 'a'"):
        exposure_by_group(run, dup, k=1, column="migrant")


def test_metrics_by_group() -> None:
    # m1 hit at rank 1 (1.0), m2 missed (0.0), l1 hit (1.0); l2 has no relevant program.
    run = make_run({"m1": ["a"], "m2": ["a"], "l1": ["b"], "l2": ["b"]})
    qrels = make_qrels({"m1": {"a": 1}, "m2": {"c": 2}, "l1": {"b": 3}})
    groups = pd.DataFrame(
        {"worker_id": ["m1", "m2", "l1", "l2"], "migrant": [True, True, False, False]}
    )
    table = metrics_by_group(run, qrels, ["hit_rate@1"], groups, "migrant")
    assert table.to_dict("list") == {
        "group": [False, True],
        "n_evaluated": [1, 2],
        "hit_rate@1": [1.0, 0.5],
    }


def test_age_band() -> None:
    ages = pd.Series([16, 24, 25, 34.5, 35, 45, 54.99, 55, 80], index=list("abcdefghi"))
    bands = age_band(ages)
    assert bands.tolist() == [
        "16-24",
        "16-24",
        "25-34",
        "25-34",
        "35-44",
        "45-54",
        "45-54",
        "55+",
        "55+",
    ]
    assert list(bands.index) == list("abcdefghi")
    with pytest.raises(ValueError, match="ages must be >= 16, got 15.0"):
        age_band([30, 15])
    with pytest.raises(ValueError, match="got nan"):
        age_band([30, np.nan])


# -- evaluate --------------------------------------------------------------------------------


@pytest.fixture
def population() -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    qrels = make_qrels({"m1": {"a": 3}, "m2": {"b": 1}, "l1": {"c": 2}, "l2": {"a": 1}})
    good = make_run({"m1": ["a", "b"], "m2": ["b", "a"], "l1": ["c", "a"], "l2": ["a", "c"]})
    weak = make_run({"m1": ["c"], "m2": ["a", "b"], "l1": ["a", "b"], "l2": ["a", "b"]})
    groups = pd.DataFrame(
        {
            "worker_id": ["m1", "m2", "l1", "l2"],
            "migrant": [True, True, False, False],
            "age": age_band([22, 47, 31, 58]),
        }
    )
    return {"good": good, "weak": weak}, qrels, groups


def test_evaluate_tidy_frame(
    population: tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame],
) -> None:
    runs, qrels, groups = population
    result = evaluate(
        runs, qrels, ["ndcg@2", "mrr"], groups=groups, group_columns=["migrant"], catalogue_size=4
    )
    assert list(result.columns) == list(RESULT_COLUMNS)
    overall = result[result.group == "all"].set_index(["model", "metric"])["value"]
    assert overall["good", "mrr"] == 1.0
    # weak: m1 0, m2 1/2, l1 0, l2 1 -> mrr = 1.5 / 4
    assert overall["weak", "mrr"] == pytest.approx(1.5 / 4)
    assert overall["good", "coverage@2"] == pytest.approx(3 / 4)
    groups_seen = set(result.loc[result.group != "all", "group"])
    assert groups_seen == {"migrant=True", "migrant=False"}
    exposure = result[result.metric == "exposure_ratio@2"].set_index(["model", "group"])["value"]
    assert exposure["good", "migrant=True"] == pytest.approx(1.0)
    # weak: m1 has one program (1), the others two (1 + 1/log2(3)) -> migrants get less.
    assert exposure["weak", "migrant=True"] < 1.0 < exposure["weak", "migrant=False"]


def test_evaluate_uses_every_group_column_by_default(
    population: tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame],
) -> None:
    runs, qrels, groups = population
    result = evaluate(runs, qrels, ["mrr"], groups=groups)
    labels = set(result["group"])
    assert {"all", "migrant=True", "age=16-24", "age=55+"} <= labels


def test_evaluate_labels_missing_group_values() -> None:
    run, qrels = make_run({"a": ["x"], "b": ["x"]}), make_qrels({"a": {"x": 1}, "b": {"x": 1}})
    groups = pd.DataFrame({"worker_id": ["a", "b"], "region": ["north", None]})
    result = evaluate({"m": run}, qrels, ["mrr"], groups=groups)
    assert "region=<missing>" in set(result["group"])


def test_evaluate_rejects_contradictory_options() -> None:
    run, qrels = make_run({"a": ["x"]}), make_qrels({"a": {"x": 1}})
    with pytest.raises(ValueError, match="group_columns=\\['migrant'\\] needs groups"):
        evaluate({"m": run}, qrels, ["mrr"], group_columns=["migrant"])
    with pytest.raises(ValueError, match="runs must be a non-empty mapping"):
        evaluate({}, qrels)
    with pytest.raises(SchemaError, match=r"runs\['m'\] is missing columns"):
        evaluate({"m": run.drop(columns="score")}, qrels)


# -- splitters -------------------------------------------------------------------------------


@st.composite
def logs(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 40))
    return pd.DataFrame(
        {
            "worker_id": draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)),
            "program_id": draw(st.lists(st.sampled_from(PROGRAMS), min_size=n, max_size=n)),
            "timestamp": draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)),
            "relevance": np.arange(n, dtype=float),
        }
    )


def check_partition(log: pd.DataFrame, split: Split) -> None:
    assert len(split.train) + len(split.test) == len(log)
    assert sorted([*split.train.index, *split.test.index]) == sorted(log.index)
    assert list(split.train.columns) == list(log.columns)


@pytest.mark.parametrize(
    ("splitter", "column"), [(split_by_worker, "worker_id"), (split_by_program, "program_id")]
)
@given(log=logs(), test_size=st.floats(0.05, 0.95), seed=st.integers(0, 3))
@settings(max_examples=50, deadline=None)
def test_group_splits_leak_nothing_and_lose_no_rows(
    splitter: Any, column: str, log: pd.DataFrame, test_size: float, seed: int
) -> None:
    if log[column].nunique() < 2:
        with pytest.raises(ValueError, match="leaves (train|test) empty"):
            splitter(log, test_size=test_size, random_state=seed)
        return
    split = splitter(log, test_size=test_size, random_state=seed)
    check_partition(log, split)
    assert not set(split.train[column]) & set(split.test[column])


@given(log=logs(), test_size=st.floats(0.05, 0.95))
@settings(max_examples=50, deadline=None)
def test_time_split_cuts_at_a_timestamp(log: pd.DataFrame, test_size: float) -> None:
    try:
        split = split_by_time(log, test_size=test_size)
    except ValueError as exc:
        assert "leaves train empty" in str(exc)
        return
    check_partition(log, split)
    assert split.train["timestamp"].max() < split.test["timestamp"].min()


def test_time_split_with_datetimes() -> None:
    stamps = pd.date_range("2024-01-01", periods=10, freq="D")
    log = pd.DataFrame({"worker_id": range(10), "program_id": "p", "timestamp": stamps})
    train, test = split_by_time(log, test_size=0.3)
    assert len(test) == 3 and test["timestamp"].min() == stamps[7]


def test_worker_split_is_reproducible_and_sized() -> None:
    log = pd.DataFrame(
        {"worker_id": np.repeat(np.arange(20), 3), "program_id": "p", "timestamp": 0}
    )
    first = split_by_worker(log, test_size=0.25, random_state=3)
    again = split_by_worker(log, test_size=0.25, random_state=3)
    assert first.test["worker_id"].nunique() == 5
    pd.testing.assert_frame_equal(first.test, again.test)


@given(log=logs(), n_splits=st.integers(2, 4), seed=st.integers(0, 3))
@settings(max_examples=50, deadline=None)
def test_worker_folds_partition_workers(log: pd.DataFrame, n_splits: int, seed: int) -> None:
    if log["worker_id"].nunique() < n_splits:
        with pytest.raises(ValueError, match="n_splits must be <= the number of workers"):
            worker_folds(log, n_splits=n_splits, random_state=seed)
        return
    folds = list(worker_folds(log, n_splits=n_splits, random_state=seed))
    assert len(folds) == n_splits
    for fold in folds:
        check_partition(log, fold)
        assert not set(fold.train["worker_id"]) & set(fold.test["worker_id"])
    tested = [w for fold in folds for w in fold.test["worker_id"].unique()]
    assert sorted(tested) == sorted(log["worker_id"].unique())


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.1, True, "0.2"])
def test_bad_test_size_raises(test_size: Any) -> None:
    log = pd.DataFrame({"worker_id": [1, 2], "program_id": ["a", "b"], "timestamp": [1, 2]})
    with pytest.raises(ValueError, match="test_size"):
        split_by_worker(log, test_size=test_size)


def test_splitters_check_columns() -> None:
    log = pd.DataFrame({"worker_id": [1, 2], "program_id": ["a", "b"]})
    with pytest.raises(SchemaError, match=r"log is missing columns \['timestamp'\]"):
        split_by_time(log)
    bad = log.assign(timestamp=["x", "y"])
    with pytest.raises(SchemaError, match="numeric or datetime"):
        split_by_time(bad)
    with pytest.raises(ValueError, match="n_splits must be an int >= 2, got n_splits=1"):
        worker_folds(bad, n_splits=1)


# -- report ----------------------------------------------------------------------------------


def test_write_report_writes_markdown_and_plots(
    population: tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
) -> None:
    runs, qrels, groups = population
    result = evaluate(runs, qrels, groups=groups, catalogue_size=4)
    scores = {name: run["score"].to_numpy() for name, run in runs.items()}
    path = write_report(result, tmp_path / "out", scores=scores)
    assert path == tmp_path / "out" / "report.md"
    text = path.read_text(encoding="utf-8")
    assert "## Metrics by model" in text and "## Metrics by group" in text
    assert "| good |" in text and "migrant=True" in text
    for name in ["metrics_by_model.png", "exposure_by_group.png", "score_distribution.png"]:
        png = tmp_path / "out" / name
        assert png.stat().st_size > 0
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_report_without_groups_or_scores(tmp_path: Path) -> None:
    result = evaluate({"m": make_run({"a": ["x"]})}, make_qrels({"a": {"x": 1}}))
    write_report(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics_by_model.png", "report.md"]


def test_write_report_checks_results(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="results is missing columns"):
        write_report(pd.DataFrame({"model": ["m"]}), tmp_path)


def test_import_is_cheap() -> None:
    # sklearn is loaded by the package itself (estimators); plotting and ranx stay lazy
    code = (
        "import sys, skillmatch.evaluate; "
        "print(sorted(m for m in ('matplotlib', 'ranx', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
