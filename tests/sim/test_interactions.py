"""Tests of the interaction simulator (``skillmatch.sim.interactions``, re-exported by simulate)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from skillmatch.cli import main
from skillmatch.core.features import FEATURE_NAMES
from skillmatch.core.frames import workers_from_frame
from skillmatch.core.recommend import Recommender
from skillmatch.schema import TaughtSkill
from skillmatch.sim._draws import BLOCK_SIZE
from skillmatch.sim._impressions import DrawCache, draw_block, shown
from skillmatch.sim.truth import build_truth, hidden_utility
from skillmatch.simulate import (
    INTERACTION_COLUMNS,
    WORKER_COLUMNS,
    World,
    make_population,
    make_world,
    population_truth,
    simulate_interactions,
    write_interactions,
)
from skillmatch.text.encode import Encoder

N_WORKERS, K = 300, 10


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(0, n_programs=80)


@pytest.fixture(scope="module")
def rec(world: World, encoder: Encoder) -> Recommender:
    """One recommender for the module; the session encoder shares its embedding cache."""
    return Recommender.from_world(world, encoder=encoder)


def _log(
    world: World,
    rec: Recommender,
    n: int = N_WORKERS,
    *,
    k: int = K,
    seed: int = 0,
    policy: Literal["mixed", "random"] = "mixed",
) -> pd.DataFrame:
    frames = simulate_interactions(
        world, n, recommender=rec, impressions_per_worker=k, seed=seed, policy=policy
    )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def log(world: World, rec: Recommender) -> pd.DataFrame:
    return _log(world, rec)


@pytest.fixture(scope="module")
def random_log(world: World, rec: Recommender) -> pd.DataFrame:
    return _log(world, rec, policy="random")


def _index(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """0-based worker row and program column of every impression."""
    w = log["worker_id"].str[1:].astype(int).to_numpy() - 1
    p = log["program_id"].str[1:].astype(int).to_numpy() - 1
    return w, p


def _workers(world: World, n: int = N_WORKERS) -> pd.DataFrame:
    return next(make_population(world, n, chunk_size=n))


def test_columns_and_types(log: pd.DataFrame) -> None:
    assert tuple(log.columns) == INTERACTION_COLUMNS
    assert set(WORKER_COLUMNS) <= set(log.columns)
    assert log["timestamp"].dtype.kind == "M"
    for name in ("clicked", "enrolled", "completed"):
        assert log[name].dtype == bool
    assert log["position"].dtype == np.int64 and log["relevance"].dtype == np.int64
    hidden = {"true_skill_ids", "true_levels", "motivation", "commute_tolerance", "utility"}
    assert not hidden & set(log.columns)


def test_same_arguments_give_the_same_log(
    world: World, rec: Recommender, log: pd.DataFrame
) -> None:
    again = _log(world, rec)
    pd.testing.assert_frame_equal(again, log)
    # a smaller population is a prefix, except that arrivals spread over the requested size
    prefix = _log(world, rec, 60).drop(columns="timestamp")
    pd.testing.assert_frame_equal(
        prefix, log[log["worker_id"] <= "w00000060"].drop(columns="timestamp")
    )


def test_different_seed_gives_a_different_log(
    world: World, rec: Recommender, log: pd.DataFrame
) -> None:
    other = _log(world, rec, 60, seed=1)
    assert not other["program_id"].equals(log["program_id"].iloc[: len(other)])


@pytest.mark.parametrize("chunk_size", [1, 7, 128])
def test_log_does_not_depend_on_chunk_size(
    world: World, rec: Recommender, log: pd.DataFrame, chunk_size: int
) -> None:
    n = 40
    frames = list(
        simulate_interactions(
            world, n, recommender=rec, impressions_per_worker=K, chunk_size=chunk_size
        )
    )
    assert len(frames) == -(-n // chunk_size)
    got = pd.concat(frames, ignore_index=True)
    # the arrival times spread over the requested population, the rest is a prefix
    want = log[log["worker_id"] <= f"w{n:08d}"].drop(columns="timestamp")
    pd.testing.assert_frame_equal(got.drop(columns="timestamp"), want)
    again = pd.concat(
        simulate_interactions(world, n, recommender=rec, impressions_per_worker=K, chunk_size=n),
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(got, again)


def test_draws_across_a_block_boundary_do_not_depend_on_the_split() -> None:
    lo, hi = BLOCK_SIZE - 5, BLOCK_SIZE + 3
    whole = DrawCache(3, 12, 4).rows(lo, hi)
    parts = [DrawCache(3, 12, 4).rows(a, b) for a, b in ((lo, BLOCK_SIZE), (BLOCK_SIZE, hi))]
    for name in ("arrival", "pick", "slots", "noise", "outcome"):
        np.testing.assert_array_equal(
            getattr(whole, name), np.concatenate([getattr(p, name) for p in parts])
        )
    np.testing.assert_array_equal(whole.noise[5:], draw_block(3, 1, 12, 4).noise[:3])


@pytest.mark.parametrize("policy", ["mixed", "random"])
def test_shown_lists_interleave_the_ranking_and_random_eligible_programs(
    policy: Literal["mixed", "random"],
) -> None:
    rng = np.random.default_rng(0)
    n_rows, n_programs, k = 50, 9, 6
    scores = rng.random((n_rows, n_programs)).astype(np.float32)
    eligible = rng.random((n_rows, n_programs)) < 0.6
    pick, slots = rng.random((n_rows, n_programs)), rng.random((n_rows, k))
    lists = shown(scores, eligible, pick, slots, k, policy)
    assert lists.shape == (n_rows, k)
    n_rank = (k + 1) // 2 if policy == "mixed" else 0
    for row, got in enumerate(lists):
        n_shown = int((got >= 0).sum())
        assert (got[:n_shown] >= 0).all() and (got[n_shown:] == -1).all()
        assert n_shown == min(k, int(eligible[row].sum()))
        assert len(set(got[:n_shown])) == n_shown and eligible[row, got[:n_shown]].all()
        best = [c for c in np.argsort(-scores[row], kind="stable") if eligible[row, c]][:n_rank]
        assert [c for c in got if c in best] == best  # the ranking keeps its order


def test_funnel_is_monotone_and_relevance_grades_it(log: pd.DataFrame) -> None:
    assert not (log["completed"] & ~log["enrolled"]).any()
    assert not (log["enrolled"] & ~log["clicked"]).any()
    grade = log["clicked"].astype(int) + log["enrolled"] + log["completed"]
    np.testing.assert_array_equal(log["relevance"], grade)
    assert set(log["relevance"]) == {0, 1, 2, 3}


def test_positions_are_one_to_n_and_programs_unique_per_worker(log: pd.DataFrame) -> None:
    assert log["worker_id"].nunique() == N_WORKERS
    for _, group in log.groupby("worker_id"):
        assert group["position"].tolist() == list(range(1, len(group) + 1))
        assert group["program_id"].is_unique
    assert (log.groupby("worker_id").size() == K).mean() > 0.9


def test_only_eligible_programs_are_shown(
    world: World, rec: Recommender, log: pd.DataFrame
) -> None:
    eligible = rec.features_.transform(workers_from_frame(_workers(world)).models).eligible
    w, p = _index(log)
    assert eligible[w, p].all()


def test_a_worker_with_few_eligible_programs_sees_all_of_them(
    world: World, rec: Recommender
) -> None:
    small = _log(world, rec, 20, k=len(world.programs))
    eligible = rec.features_.transform(workers_from_frame(_workers(world, 20)).models).eligible
    np.testing.assert_array_equal(small.groupby("worker_id").size(), eligible.sum(axis=1))


def test_rates_are_realistic(log: pd.DataFrame) -> None:
    ctr = log["clicked"].mean()
    enrol = log["enrolled"].sum() / log["clicked"].sum()
    complete = log["completed"].sum() / log["enrolled"].sum()
    assert 0.08 < ctr < 0.3, ctr
    assert 0.15 < enrol < 0.6, enrol
    assert 0.35 < complete < 0.85, complete


def test_position_bias(random_log: pd.DataFrame) -> None:
    by_position = random_log.groupby("position")["clicked"].mean()
    assert by_position.iloc[0] > by_position.iloc[-3:].mean() * 1.5


def test_workers_are_the_population_and_validate(world: World, log: pd.DataFrame) -> None:
    profiles = log.drop_duplicates("worker_id")[list(WORKER_COLUMNS)].reset_index(drop=True)
    result = workers_from_frame(profiles)
    assert len(result.errors) == 0 and len(result.models) == N_WORKERS
    pd.testing.assert_frame_equal(profiles, _workers(world))


def test_timestamps_follow_worker_order_over_180_days(log: pd.DataFrame) -> None:
    first = log.groupby("worker_id", sort=True)["timestamp"].first()
    assert first.is_monotonic_increasing
    span = log["timestamp"].max() - log["timestamp"].min()
    assert pd.Timedelta(days=170) < span <= pd.Timedelta(days=180)
    assert (log.groupby("worker_id")["timestamp"].nunique() == 1).all()


def test_hidden_utility_drives_the_outcomes(world: World, log: pd.DataFrame) -> None:
    truth = next(population_truth(world, N_WORKERS, chunk_size=N_WORKERS))
    utility = hidden_utility(build_truth(world), _workers(world), truth).total()
    w, p = _index(log)
    scored = log.assign(utility=utility[w, p])
    top = scored.sort_values(["worker_id", "utility"], ascending=[True, False])
    top5 = top.groupby("worker_id").head(5)["relevance"].mean()
    assert top5 > 1.3 * scored["relevance"].mean()


def test_stated_goals_drive_the_utility(world: World) -> None:
    """A worker who names a certificate trade values that trade's programs most (goal term)."""
    truth = next(population_truth(world, N_WORKERS, chunk_size=N_WORKERS))
    tables = build_truth(world)
    utility = hidden_utility(tables, _workers(world), truth)
    trade_of = [p.certificate_trade for p in world.programs]
    trade_goals = truth.index[truth["goal_kind"] == "trade"]
    served_any = False
    for w in trade_goals:
        served = np.array([t == truth.at[w, "goal_target"] for t in trade_of])
        assert (utility.goal[w] == served).all()
        served_any |= bool(served.any())
    assert served_any
    no_goal = truth["goal_kind"].isna().to_numpy()
    assert (utility.goal[no_goal] == 0).all()
    assert ((utility.goal >= 0) & (utility.goal <= 1)).all()


def test_features_carry_signal_about_clicks(
    world: World, rec: Recommender, log: pd.DataFrame, random_log: pd.DataFrame
) -> None:
    values = rec.features_.transform(workers_from_frame(_workers(world)).models).values
    semantic, gain = FEATURE_NAMES.index("semantic_fit"), FEATURE_NAMES.index("skill_gain")
    for frame, column, margin in (
        (log, semantic, 0.02),
        (random_log, semantic, 0.005),
        (random_log, gain, 0.0),
    ):
        w, p = _index(frame)
        x = values[w, p, column]
        clicked = frame["clicked"].to_numpy()
        assert x[clicked].mean() > x[~clicked].mean() + margin, FEATURE_NAMES[column]


def test_mixed_policy_shows_the_recommender_ranking(
    world: World, rec: Recommender, log: pd.DataFrame, random_log: pd.DataFrame
) -> None:
    values = rec.features_.transform(workers_from_frame(_workers(world)).models).values
    scores = rec.ranker_.predict(values)
    top = rec.recommend_many(workers_from_frame(_workers(world, 5)).models, k=(K + 1) // 2)
    for worker, recs in enumerate(top):
        shown = set(log.loc[log["worker_id"] == f"w{worker + 1:08d}", "program_id"])
        assert {r.program_id for r in recs} <= shown
    mixed, rand = (scores[_index(frame)].mean() for frame in (log, random_log))
    assert mixed > rand
    assert random_log["clicked"].mean() < log["clicked"].mean()


def test_write_interactions_round_trips(
    world: World, rec: Recommender, log: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "log.parquet"
    n = write_interactions(
        world, 30, path, recommender=rec, impressions_per_worker=K, progress=False
    )
    back = pd.read_parquet(path)
    want = pd.concat(
        simulate_interactions(world, 30, recommender=rec, impressions_per_worker=K),
        ignore_index=True,
    )
    assert n == len(back) == len(want)
    assert tuple(back.columns) == INTERACTION_COLUMNS
    np.testing.assert_array_equal(
        back["timestamp"].astype("datetime64[s]"), want["timestamp"].astype("datetime64[s]")
    )
    flat = [
        "worker_id",
        "program_id",
        "position",
        "clicked",
        "enrolled",
        "completed",
        "relevance",
        "region",
        "employer_node",
        "weekly_hours",
        "goal",
        "age",
    ]
    for name in flat:
        assert back[name].tolist() == want[name].tolist() or name == "goal", name
    assert back["goal"].fillna("").tolist() == want["goal"].fillna("").tolist()
    profiles = back.drop_duplicates("worker_id")[list(WORKER_COLUMNS)].reset_index(drop=True)
    assert len(workers_from_frame(profiles).errors) == 0
    assert [w.model_dump() for w in workers_from_frame(profiles).models] == [
        w.model_dump() for w in workers_from_frame(_workers(world, 30)).models
    ]


def test_no_workers_gives_no_rows(world: World, rec: Recommender) -> None:
    assert list(simulate_interactions(world, 0, recommender=rec)) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_workers": -1}, "n_workers"),
        ({"impressions_per_worker": 0}, "impressions_per_worker"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"seed": -2}, "seed"),
        ({"policy": "greedy"}, "policy"),
    ],
)
def test_bad_arguments_are_refused(
    world: World, rec: Recommender, kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"n_workers": 5, "recommender": rec} | kwargs
    with pytest.raises(ValueError, match=match):
        simulate_interactions(world, **args)  # type: ignore[arg-type]


def test_recommender_over_another_catalogue_is_refused(world: World, rec: Recommender) -> None:
    other = make_world(0, n_programs=90).programs[80:]
    foreign = Recommender.from_catalog(other, vocabulary=rec.vocabulary, chains=rec.chains)
    with pytest.raises(ValueError, match="not in the world's catalogue"):
        simulate_interactions(world, 5, recommender=foreign)


def test_catalogue_text_outside_the_taxonomy_is_refused(world: World) -> None:
    first = world.programs[0]
    odd = first.model_copy(update={"skills_taught": [TaughtSkill(text="basket weaving")]})
    bad = dataclasses.replace(world, programs=[odd, *world.programs[1:]])
    with pytest.raises(ValueError, match="basket weaving"):
        build_truth(bad)


def test_every_catalogue_text_maps_to_a_skill() -> None:
    truth = build_truth(make_world(2))
    assert len(truth.taught_skill) >= 320 and truth.has_required.any()


def test_cli_needs_an_output() -> None:
    assert main(["simulate", "--workers", "5"]) == 2


@pytest.mark.slow
def test_cli_writes_interactions(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "skillmatch.cli",
            "simulate",
            "--workers",
            "50",
            "--interactions",
            str(path),
            "--impressions-per-worker",
            "4",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    back = pd.read_parquet(path)
    assert back["worker_id"].nunique() == 50 and len(back) == 200
    assert "wrote 200 impressions" in done.stderr
    # made in world 0 (the shipped bundle's), and the file says so
    from skillmatch.core import CATALOGUE_METADATA_KEY, catalogue_digest

    metadata = pq.read_schema(path).metadata
    assert metadata[CATALOGUE_METADATA_KEY].decode() == catalogue_digest(make_world(0).programs)
