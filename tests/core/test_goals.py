"""Goal matching: the program a goal names wins, and only it is said to match the goal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skillmatch import Recommender
from skillmatch.core.goals import GoalIndex, program_table
from skillmatch.text import Encoder
from skillmatch.text._lru import ENTRY_OVERHEAD
from tests.conftest import make_worker, tiny_programs


@pytest.fixture(scope="module")
def index(use_encoder: Encoder) -> GoalIndex:
    return GoalIndex(tiny_programs(), use_encoder)


def test_a_goal_in_chinese_names_its_program(index: GoalIndex) -> None:
    scores = index.scores(["想考叉车证", "我想学机器人操作", "想读机电一体化大专"])
    assert scores.shape == (3, len(tiny_programs()))
    assert ((scores >= 0) & (scores <= 1)).all()
    ids = [index.program_ids[i] for i in scores.argmax(axis=1)]
    assert ids == ["fork", "robot", "mecha"]
    fork = index.program_ids.index("fork")
    assert index.named(["想考叉车证"]).tolist() == [index.entry_of[fork]]


def test_a_goal_no_program_names_is_not_claimed(index: GoalIndex) -> None:
    # two programs teach welding at two levels: neither is *clearly* the goal's, and a
    # baking goal names nothing in this catalogue
    assert index.named(["做蛋糕 bake bread"]).tolist() == [-1]
    assert index.named(["焊工证 welder certificate"]).tolist() == [-1]


def test_sharpening_keeps_the_best_match_and_lowers_the_rest(use_encoder: Encoder) -> None:
    raw = GoalIndex(tiny_programs(), use_encoder, sharpness=0).scores(["想考叉车证"])[0]
    sharp = GoalIndex(tiny_programs(), use_encoder).scores(["想考叉车证"])[0]
    best = int(raw.argmax())
    assert sharp[best] == pytest.approx(raw[best])
    others = np.arange(len(raw)) != best
    assert (sharp[others] <= raw[others] + 1e-7).all()
    assert sharp[others].max() < 0.5 * raw[others].max()


def test_the_cache_is_bounded_and_answers_equal(use_encoder: Encoder) -> None:
    programs = tiny_programs()
    budget = 2 * (4 * len(programs) + 8 + ENTRY_OVERHEAD + 100)  # two short goals
    index = GoalIndex(programs, use_encoder, cache_bytes=budget)
    first = index.scores(["叉车", "焊工", "机器人"])
    assert len(index._cache) == 2
    assert index.cache_nbytes <= budget
    np.testing.assert_array_equal(index.scores(["叉车", "焊工", "机器人"]), first)


def test_bad_sharpness_names_the_value(use_encoder: Encoder) -> None:
    with pytest.raises(ValueError, match="sharpness=-1"):
        GoalIndex(tiny_programs(), use_encoder, sharpness=-1)


def test_the_table_indexes_titles_trades_descriptions_and_skills() -> None:
    programs = tiny_programs()
    table, entry_of = program_table(programs)
    row = table.iloc[entry_of[0]]
    assert row["name"].startswith("Welder level 4") and row["aliases"] == ["welder"]
    assert "电焊" in row["description"]
    assert program_table(programs, describe=False)[0]["description"].eq("").all()


def test_one_course_offered_twice_is_named_once(use_encoder: Encoder) -> None:
    programs = tiny_programs()
    again = programs[5].model_copy(update={"program_id": "fork2", "regions": ["CN-AH"]})
    index = GoalIndex([*programs, again], use_encoder)
    assert index.entry_of[5] == index.entry_of[-1]
    named = index.named(["想考叉车证"])[0]
    assert named == index.entry_of[5]
    scores = index.scores(["想考叉车证"])[0]
    assert scores[5] == scores[-1] == scores.max()


def test_a_clear_goal_wins_over_skill_similarity(use_encoder: Encoder) -> None:
    rec = Recommender.from_catalog(tiny_programs(), encoder=use_encoder)
    # a welder whose skills match the welding programs, who wants a forklift licence
    worker = make_worker(goal="想考叉车证", region="CN-GD")
    recs = rec.recommend(worker, k=3)
    assert recs[0].program_id == "fork"
    assert "goal_match" in {r.code for r in recs[0].reasons}
    for r in recs[1:]:
        assert "goal_match" not in {x.code for x in r.reasons}
    # the same worker without a goal: skill fit decides
    assert rec.recommend(make_worker(goal=None), k=1)[0].program_id != "fork"


def test_the_demo_worker_is_not_told_another_trade_matches_the_goal() -> None:
    # `skillmatch demo`, worker w00000003: no program in the catalogue awards this
    # certificate, so none may say "Matches your goal" (it once said so for Fitter)
    from skillmatch.sim import make_workers, make_world

    world = make_world(seed=0)
    worker = next(w for w in make_workers(world, 3, seed=0) if w.worker_id == "w00000003")
    assert worker.goal is not None and "电子设备装接工" in worker.goal
    rec = Recommender.load()
    programs = {p.program_id: p for p in rec.programs}
    for r in rec.recommend(worker, k=10):
        if "goal_match" in {x.code for x in r.reasons}:
            trade = programs[r.program_id].certificate_trade or programs[r.program_id].title
            assert "electronic" in trade.lower() or "电子设备装接" in trade, trade


def test_a_saved_bundle_builds_its_goal_index_without_encoding(
    use_encoder: Encoder, tmp_path: Path
) -> None:
    # every process that loads a bundle (service workers, batch jobs) would otherwise encode
    # the catalogue's titles and descriptions again at its first goal
    Recommender.from_catalog(tiny_programs(), encoder=use_encoder).save(tmp_path / "b")
    loaded = Recommender.load(tmp_path / "b")
    encoder = loaded.features_.vocabulary_.encoder
    before = encoder.n_encoded
    goal = "我想在仓库开叉车，先考叉车证"  # a text no other test encodes
    assert loaded.features_.goals_.named([goal])[0] == loaded.features_.goals_.entry_of[5]
    assert encoder.n_encoded == before + 1  # the goal itself, nothing of the catalogue


def test_a_recommender_with_e5_matches_goals_with_it_too(use_encoder: Encoder) -> None:
    """``second_encoder`` reaches the catalogue's vocabulary and the goal index, on the real
    e5; the goals above are still named and the unrelated one still is not."""
    from skillmatch.text import E5_MULTILINGUAL

    e5 = Encoder(E5_MULTILINGUAL)
    rec = Recommender.from_catalog(tiny_programs(), encoder=use_encoder, second_encoder=e5)
    goals = rec.fitted_features().goals_
    assert goals.vocabulary.second_encoder is e5
    assert rec.vocabulary is not None and rec.vocabulary.second_encoder is e5  # type: ignore[attr-defined]
    scores = goals.scores(["想考叉车证", "我想学机器人操作", "想读机电一体化大专"])
    assert [goals.program_ids[i] for i in scores.argmax(axis=1)] == ["fork", "robot", "mecha"]
    assert goals.named(["做蛋糕 bake bread"]).tolist() == [-1]
    top = rec.recommend(make_worker(goal="想考叉车证"), k=3)
    assert top[0].program_id == "fork"
