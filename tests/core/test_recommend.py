"""Recommender invariants on the hand-made catalogue with the real packaged encoder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from skillmatch.core.features import FEATURE_NAMES
from skillmatch.core.frames import models_to_frame
from skillmatch.core.reasons import RULES
from skillmatch.core.recommend import SCORE_COLUMNS, Recommender
from skillmatch.core.scoring import rank_block
from skillmatch.errors import SchemaError, UnknownIdError
from skillmatch.schema import EDUCATION_LEVELS, EDUCATION_RANK, Program, Worker
from tests.conftest import make_worker, tiny_programs

PHRASES = [
    "烧电焊",
    "arc welding",
    "QC",
    "质检",
    "PLC",
    "plc编程",
    "robot teaching",
    "叉车",
    "forklift",
    "CNC lathe",
    "electrician",
    "karaoke singing",
    "cell assembly",
]
GOALS = [None, "learn robot programming", "get a forklift licence", "拿到焊工证"]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def workers(draw: st.DrawFn, worker_id: str | None = None) -> Worker:
    n_skills = draw(st.integers(0, 4))
    return Worker(
        worker_id=worker_id or f"w{draw(st.integers(0, 10_000))}",
        skills=[
            {"text": draw(st.sampled_from(PHRASES)), "level": draw(st.none() | st.integers(1, 5))}
            for _ in range(n_skills)
        ],
        occupation=draw(st.sampled_from(["welder", "焊工", "forklift driver", "assembler"])),
        education=draw(st.sampled_from(EDUCATION_LEVELS)),
        certificates=draw(
            st.lists(
                st.builds(
                    dict, trade=st.sampled_from(["welder", "electrician"]), level=st.integers(1, 5)
                ),
                max_size=2,
            )
        ),
        region=draw(st.sampled_from(["CN-GD", "CN-AH", "CN-XZ"])),
        employer_node=draw(
            st.sampled_from([None, "ev.cells", "ev.assembly", "rb.integration", "unknown.node"])
        ),
        migrant=draw(st.booleans()),
        weekly_hours=draw(st.sampled_from([0, 2, 6, 12, 40])),
        shift_pattern=draw(st.sampled_from(["day", "night", "rotating", "flexible"])),
        preferred_modality=draw(st.sampled_from(["online", "in_person", "blended", "any"])),
        goal=draw(st.sampled_from(GOALS)),
    )


def oracle_eligible(worker: Worker, program: Program) -> bool:
    """Eligibility written directly from the schema's rules, independent of the matrices."""
    edu = EDUCATION_RANK[worker.education]
    if program.min_education and edu < EDUCATION_RANK[program.min_education]:
        return False
    trade = program.certificate_trade
    levels = [
        c.level
        for c in worker.certificates
        if trade is None or c.trade.casefold() == trade.casefold()
    ]
    best = min(levels, default=6)
    if program.min_certificate_level and best > program.min_certificate_level:
        return False
    if program.capacity <= 0:
        return False
    if program.modality != "online" and program.regions and worker.region not in program.regions:
        return False
    if program.kind == "credential" and edu >= EDUCATION_RANK[program.awards_education or ""]:
        return False
    return not (
        program.kind == "certificate"
        and trade is not None
        and best <= (program.awards_certificate_level or 0)
    )


@SETTINGS
@given(worker=workers(), k=st.integers(1, 8))
def test_recommend_invariants(tiny_rec: Recommender, worker: Worker, k: int) -> None:
    recs = tiny_rec.recommend(worker, k=k)
    programs = {p.program_id: p for p in tiny_rec.programs}
    eligible = [p for p in programs.values() if oracle_eligible(worker, p)]
    assert len(recs) == min(k, len(eligible))
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    assert len({r.program_id for r in recs}) == len(recs)
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    for r in recs:
        assert oracle_eligible(worker, programs[r.program_id])
        assert r.reasons and all(x.text_en and x.text_zh for x in r.reasons)
    assert tiny_rec.recommend(worker, k=k + 1)[: len(recs)] == recs


@SETTINGS
@given(batch=st.lists(workers(), min_size=1, max_size=6), k=st.integers(1, 6))
def test_score_frame_equals_recommend_loop(
    tiny_rec: Recommender, batch: list[Worker], k: int
) -> None:
    batch = [w.model_copy(update={"worker_id": f"w{i}"}) for i, w in enumerate(batch)]
    frame = tiny_rec.score_frame(models_to_frame(batch), k=k)
    assert list(frame.columns) == list(SCORE_COLUMNS)
    expected = [
        (w.worker_id, r.rank, r.program_id, r.score, [x.code for x in r.reasons])
        for w in batch
        for r in tiny_rec.recommend(w, k=k)
    ]
    got = [(a, int(b), c, float(d), list(e)) for a, b, c, d, e in frame.itertuples(index=False)]
    assert got == expected


@SETTINGS
@given(a=st.lists(workers(), min_size=1, max_size=4), b=st.lists(workers(), min_size=1, max_size=4))
def test_score_frame_split_invariance(
    tiny_rec: Recommender, a: list[Worker], b: list[Worker]
) -> None:
    fa, fb = models_to_frame(a), models_to_frame(b)
    whole = tiny_rec.score_frame(pd.concat([fa, fb], ignore_index=True), k=4)
    parts = pd.concat(
        [tiny_rec.score_frame(fa, k=4), tiny_rec.score_frame(fb, k=4)], ignore_index=True
    )
    pd.testing.assert_frame_equal(whole, parts)


@SETTINGS
@given(worker=workers())
def test_adding_a_required_skill_never_lowers_coverage(
    tiny_rec: Recommender, worker: Worker
) -> None:
    col = FEATURE_NAMES.index("prereq_coverage")
    before = tiny_rec.features_.transform([worker]).values[0, :, col]
    more = Worker.model_validate(
        {
            **worker.model_dump(),
            "skills": [*worker.model_dump()["skills"], {"text": "PLC programming"}],
        }
    )
    after = tiny_rec.features_.transform([more]).values[0, :, col]
    assert (after >= before - 1e-6).all()
    robot = [p.program_id for p in tiny_rec.programs].index("robot")
    assert after[robot] == 1.0


@SETTINGS
@given(worker=workers(), k=st.integers(1, 5))
def test_every_reason_agrees_with_its_feature(
    tiny_rec: Recommender, worker: Worker, k: int
) -> None:
    rules = {r.code: r for r in RULES}
    for rec in tiny_rec.recommend(worker, k=k):
        explanation = tiny_rec.explain(worker, rec.program_id)
        assert explanation.eligible
        assert explanation.score == pytest.approx(rec.score, abs=1e-6)
        values = {c.name: c for c in explanation.contributions}
        assert sum(c.contribution for c in explanation.contributions) == pytest.approx(
            rec.score, abs=1e-5
        )

        def passes(code: str, values: dict[str, Any] = values) -> bool:
            # thresholds apply to float32 feature values
            rule, value = rules[code], np.float32(values[rules[code].feature].value)
            return bool(np.float32(rule.low) <= value < np.float32(rule.high))

        fired = [x for x in rec.reasons if passes(x.code)]
        # every reason passes its threshold, except the single fallback of a pair with none
        assert len(fired) == len(rec.reasons) or len(rec.reasons) == 1
        for reason in rec.reasons:
            assert reason.weight == pytest.approx(
                values[rules[reason.code].feature].contribution, abs=1e-6
            )
        assert [x.code for x in explanation.reasons] == [x.code for x in rec.reasons]
        # the same sentences (fees and chain nodes are computed per block in recommend())
        assert [x.text_en for x in explanation.reasons] == [x.text_en for x in rec.reasons]


@SETTINGS
@given(batch=st.lists(workers(), min_size=1, max_size=6), k=st.integers(1, 5))
def test_recommend_many_equals_one_by_one(
    tiny_rec: Recommender, batch: list[Worker], k: int
) -> None:
    """Per-worker quantities computed once per block land on the right worker."""
    assert tiny_rec.recommend_many(batch, k=k) == [tiny_rec.recommend(w, k=k) for w in batch]


def test_welder_story(tiny_rec: Recommender) -> None:
    worker = make_worker()
    recs = tiny_rec.recommend(worker, k=10)
    ids = [r.program_id for r in recs]
    assert "welder4" not in ids  # needs a level-5 welder certificate first
    assert "cells" not in ids  # in person in CN-AH only; the worker is in CN-GD
    assert "full" not in ids  # no capacity
    explanation = tiny_rec.explain(worker, "welder4")
    assert not explanation.eligible
    assert [e.code for e in explanation.exclusions] == ["certificate_below_minimum"]
    certified = make_worker(certificates=[{"trade": "welder", "level": 5}])
    top = tiny_rec.recommend(certified, k=10)
    assert "welder4" in [r.program_id for r in top]
    assert "welder5" not in [r.program_id for r in top]  # already holds level 5
    sponsored = tiny_rec.explain(certified, "welder4")
    assert sponsored.sponsor == "ev.assembly"
    assert sponsored.net_cost == 0.0  # aid 80% then the employer pays the rest
    assert "arc welding" in sponsored.matched_skills


def test_filters(tiny_rec: Recommender) -> None:
    worker = make_worker(education="senior_secondary")
    ids = lambda recs: {r.program_id for r in recs}  # noqa: E731
    assert ids(tiny_rec.recommend(worker, kinds=["credential"])) == {"mecha"}
    assert all(
        tiny_rec.program(i).modality == "online"
        for i in ids(tiny_rec.recommend(worker, modality=["online"]))
    )
    assert "robot" not in ids(tiny_rec.recommend(worker, exclude=["robot"]))
    with pytest.raises(UnknownIdError, match="nope"):
        tiny_rec.recommend(worker, exclude=["nope"])
    with pytest.raises(ValueError, match="kinds"):
        tiny_rec.recommend(worker, kinds=["degree"])
    with pytest.raises(ValueError, match="k must be"):
        tiny_rec.recommend(worker, k=0)


def test_invalid_worker_dict_names_the_field(tiny_rec: Recommender) -> None:
    payload: dict[str, Any] = make_worker().model_dump()
    payload["weekly_hours"] = "lots"
    with pytest.raises(ValidationError, match="weekly_hours"):
        tiny_rec.recommend(payload)


def test_score_frame_rejects_bad_rows(tiny_rec: Recommender) -> None:
    df = models_to_frame([make_worker()])
    df.loc[0, "education"] = "phd"
    with pytest.raises(SchemaError, match="education"):
        tiny_rec.score_frame(df)


def test_score_frame_empty(tiny_rec: Recommender) -> None:
    out = tiny_rec.score_frame(models_to_frame([make_worker()]).iloc[:0])
    assert list(out.columns) == list(SCORE_COLUMNS) and len(out) == 0


def test_catalogue_changes_need_no_retraining(tiny_rec: Recommender, tiny_vocab: object) -> None:
    rec = Recommender.from_catalog(
        tiny_programs(), vocabulary=tiny_vocab, chains=tiny_rec.features_.chains_
    )
    worker = make_worker(education="senior_secondary")
    new = tiny_programs()[3].model_copy(update={"program_id": "mecha2", "capacity": 5})
    rec.add_programs([new])
    assert "mecha2" in [r.program_id for r in rec.recommend(worker, k=20)]
    rec.retire_programs(["mecha2", "robot"])
    assert {"mecha2", "robot"}.isdisjoint(r.program_id for r in rec.recommend(worker, k=20))
    with pytest.raises(ValueError, match="duplicate program_id 'fork'"):
        rec.add_programs([tiny_programs()[5]])
    with pytest.raises(UnknownIdError):
        rec.retire_programs(["never-there"])


def test_empty_catalogue(tiny_vocab: object) -> None:
    rec = Recommender.from_catalog([], vocabulary=tiny_vocab)
    assert rec.recommend(make_worker(), k=5) == []


def test_chinese_only_catalogue_and_profile(encoder: object) -> None:
    """No taxonomy, no English: the vocabulary is built from the catalogue's own words."""
    base = tiny_programs()[5].model_dump()
    programs = [
        Program.model_validate(
            {
                **base,
                "program_id": pid,
                "title": title,
                "skills_taught": [{"text": t} for t in taught],
            }
        )
        for pid, title, taught in [
            ("hj", "焊工培训班", ["电焊", "氩弧焊"]),
            ("cc", "叉车司机培训", ["叉车驾驶"]),
            ("kj", "会计基础", ["会计记账"]),
        ]
    ]
    rec = Recommender.from_catalog(programs, encoder=encoder)  # type: ignore[arg-type]
    worker = make_worker(
        skills=[{"text": "电焊", "level": 4}, {"text": "氩弧焊接"}],
        occupation="焊工",
        goal=None,
        employer_node=None,
    )
    recs = rec.recommend(worker, k=3)
    assert recs[0].program_id == "hj"
    assert recs[0].reasons[0].text_zh
    mixed = make_worker(
        skills=[{"text": "叉车 forklift driving"}],
        occupation="仓库 warehouse",
        goal=None,
        employer_node=None,
    )
    assert rec.recommend(mixed, k=1)[0].program_id == "cc"


def test_explain_unknown_program(tiny_rec: Recommender) -> None:
    with pytest.raises(UnknownIdError, match="'missing'"):
        tiny_rec.explain(make_worker(), "missing")


def test_no_catalogue_yet() -> None:
    with pytest.raises(SchemaError, match="from_catalog"):
        Recommender().recommend(make_worker())


def test_feature_values_in_unit_interval(tiny_rec: Recommender) -> None:
    values = tiny_rec.features_.transform([make_worker(), make_worker(goal=None)]).values
    assert values.shape == (2, len(tiny_rec.programs), len(FEATURE_NAMES))
    assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1


def _whole_catalogue_top(rec: Recommender, workers: Any, k: int) -> tuple[Any, Any, Any]:
    """Reference ranking: every program scored, ineligible ones masked (no region views)."""
    from skillmatch.core import top_k

    fb = rec.features_
    feats = fb.compute(fb.block(workers))
    top = top_k(rec.ranker_.predict(feats.values), feats.eligible, k)
    return top, feats, fb.block(workers)


def _check_views_match_whole(rec: Recommender, workers: Any, k: int) -> None:
    top, feats, block = _whole_catalogue_top(rec, workers, k)
    ranked = rank_block(
        rec.fitted_features(), rec.ranker_, workers, k, np.ones(len(rec.programs), dtype=bool)
    )
    np.testing.assert_array_equal(ranked.top.index, top.index)
    np.testing.assert_array_equal(ranked.top.score, top.score)
    valid = top.index >= 0
    rows = np.arange(len(workers))[:, None]
    expected = feats.values[rows, np.maximum(top.index, 0)]
    np.testing.assert_array_equal(ranked.values[valid], expected[valid])
    fb = rec.features_
    for region in np.unique(block.region):  # each view's features are the whole one's columns
        view = fb.region_view(int(region))
        sub = block.take(np.flatnonzero(block.region == region))
        own = fb.compute(sub, view)
        whole = fb.compute(sub)
        np.testing.assert_array_equal(own.values, whole.values[:, view.cols])
        np.testing.assert_array_equal(own.excluded, whole.excluded[:, view.cols])
        # every program left out of the view is excluded for these workers
        outside = np.setdiff1d(np.arange(len(rec.programs)), view.cols)
        assert whole.excluded[:, outside].all()


@SETTINGS
@given(batch=st.lists(workers(), min_size=1, max_size=8), k=st.integers(1, 8))
def test_region_views_rank_like_the_whole_catalogue(
    tiny_rec: Recommender, batch: list[Worker], k: int
) -> None:
    _check_views_match_whole(tiny_rec, batch, k)


def test_region_views_on_the_simulated_world() -> None:
    from skillmatch.core.columns import columns_from_frame
    from skillmatch.simulate import make_population, make_world

    rec = Recommender.load()  # the shipped bundle: 12 regions, learned ranker
    frame = next(make_population(make_world(0), 400, seed=11, chunk_size=400))
    frame.loc[::37, "region"] = "CN-XX"  # a region no program names: only online ones open
    columns = columns_from_frame(frame).columns
    _check_views_match_whole(rec, columns, 10)
    # batch scoring groups workers by region and gives rows back in input order
    scored = rec.score_arrays(columns, 10)
    assert (np.diff(scored.worker) >= 0).all()
    np.testing.assert_array_equal(scored.worker_id, columns.worker_id[scored.worker])
