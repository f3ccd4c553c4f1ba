"""Tests of the deterministic simulated world (``skillmatch.simulate``)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillmatch.core.frames import programs_from_frame, workers_from_frame
from skillmatch.schema import EDUCATION_LEVELS, Worker
from skillmatch.sim._draws import BLOCK_SIZE
from skillmatch.sim._tables.occupations import TRADES
from skillmatch.simulate import (
    TRUTH_COLUMNS,
    WORKER_COLUMNS,
    World,
    make_population,
    make_workers,
    make_world,
    population_truth,
    write_population,
    write_programs,
)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(seed=0)


@pytest.fixture(scope="module")
def population(world: World) -> pd.DataFrame:
    return pd.concat(make_population(world, 3000, seed=0), ignore_index=True)


def _collect(world: World, n: int, *, seed: int = 0, chunk_size: int = 10_000) -> pd.DataFrame:
    return pd.concat(make_population(world, n, seed=seed, chunk_size=chunk_size), ignore_index=True)


def _public_forms(world: World) -> set[str]:
    sk = world.skills
    forms = {_norm(s) for s in sk["name"]} | {_norm(s) for s in sk["name_zh"]}
    return forms | {_norm(a) for aliases in sk["aliases"] for a in aliases}


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_world(world: World) -> None:
    again = make_world(seed=0)
    assert [c.model_dump() for c in again.chains] == [c.model_dump() for c in world.chains]
    assert [p.model_dump() for p in again.programs] == [p.model_dump() for p in world.programs]
    pd.testing.assert_frame_equal(again.skills, world.skills)
    pd.testing.assert_frame_equal(again.skill_variants, world.skill_variants)
    pd.testing.assert_frame_equal(again.occupations, world.occupations)


def test_different_seed_gives_different_world(world: World) -> None:
    other = make_world(seed=1)
    assert [p.model_dump() for p in other.programs] != [p.model_dump() for p in world.programs]
    assert [n.demand for n in other.nodes] != [n.demand for n in world.nodes]


def test_same_seed_gives_identical_population(world: World, population: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_collect(world, 3000, seed=0), population)


def test_different_seed_gives_different_population(world: World, population: pd.DataFrame) -> None:
    other = _collect(world, 3000, seed=1)
    assert other["skills"].tolist() != population["skills"].tolist()
    assert other["worker_id"].tolist() == population["worker_id"].tolist()


# --- chains --------------------------------------------------------------------------------


def test_chain_counts_and_positions(world: World) -> None:
    assert len(world.chains) >= 6
    assert {"nev", "ic", "robot", "pv", "bio", "mat"} <= {c.chain_id for c in world.chains}
    for chain in world.chains:
        assert 5 <= len(chain.nodes) <= 10
        assert [n.position for n in chain.nodes] == list(range(len(chain.nodes)))
        assert all(n.node_id.startswith(f"{chain.chain_id}.") for n in chain.nodes)
    ids = [n.node_id for n in world.nodes]
    assert len(ids) == len(set(ids))


def test_node_links_are_symmetric(world: World) -> None:
    by_id = {n.node_id: n for n in world.nodes}
    for node in world.nodes:
        for up in node.upstream:
            assert node.node_id in by_id[up].downstream
            assert by_id[up].position == node.position - 1
        for down in node.downstream:
            assert node.node_id in by_id[down].upstream
    for chain in world.chains:
        assert chain.nodes[0].upstream == [] and chain.nodes[-1].downstream == []


def test_node_demand_covers_regions_and_skills_exist(world: World) -> None:
    skill_ids = set(world.skills["skill_id"])
    assert len(world.regions) >= 12
    for node in world.nodes:
        assert set(node.demand) == set(world.regions)
        assert all(0.0 <= v <= 1.0 for v in node.demand.values())
        assert node.skills_demanded and set(node.skills_demanded) <= skill_ids
        assert node.innovation_stage in {"mature", "scale_up", "pilot", "rnd"}
    assert {n.innovation_stage for n in world.nodes} == {"mature", "scale_up", "pilot", "rnd"}


@pytest.mark.parametrize(
    ("node_id", "strong", "weak"),
    [
        ("ic.design", "CN-SH", "CN-FJ"),
        ("nev.cells", "CN-FJ", "CN-SH"),
        ("pv.polysilicon", "CN-SC", "CN-GD"),
        ("tex.garments", "CN-ZJ", "CN-SN"),
    ],
)
def test_regional_specialisation(world: World, node_id: str, strong: str, weak: str) -> None:
    node = {n.node_id: n for n in world.nodes}[node_id]
    assert node.demand[strong] > node.demand[weak] + 0.2


# --- skills, variants, occupations ---------------------------------------------------------


def test_skill_taxonomy(world: World) -> None:
    sk = world.skills
    assert list(sk.columns) == [
        "skill_id",
        "name",
        "name_zh",
        "aliases",
        "description",
        "category",
        "node_ids",
    ]
    assert sk["skill_id"].nunique() == len(sk) >= 400
    assert sk["name"].nunique() == len(sk) and sk["name_zh"].nunique() == len(sk)
    assert all(re.search(r"[\u3400-\u9fff]", zh) for zh in sk["name_zh"])
    assert sum(len(a) > 0 for a in sk["aliases"]) > 0.95 * len(sk)
    demanded = {(s, n.node_id) for n in world.nodes for s in n.skills_demanded}
    listed = {
        (s, node) for s, nodes in zip(sk["skill_id"], sk["node_ids"], strict=True) for node in nodes
    }
    assert demanded == listed


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("PLC", "PLC programming"),
        ("电焊", "Shielded metal arc welding"),
        ("CNC turning", "CNC lathe operation"),
        ("SMT", "SMT line operation"),
        ("HPLC", "HPLC analysis"),
        ("5S", "5S workplace organisation"),
    ],
)
def test_well_known_aliases(world: World, alias: str, name: str) -> None:
    row = world.skills.set_index("name").loc[name]
    assert alias in row["aliases"]


def test_held_out_variants(world: World) -> None:
    v = world.skill_variants
    assert list(v.columns) == ["phrase", "skill_id", "kind"]
    assert set(v["kind"]) == {"synonym", "abbreviation", "typo", "zh", "mixed"}
    assert len(v) >= 2 * len(world.skills)
    assert set(v["skill_id"]) <= set(world.skills["skill_id"])
    keys = v["phrase"].map(_norm)
    assert keys.is_unique
    assert not set(keys) & _public_forms(world)
    assert not set(keys) & set(world.claim_forms["phrase"].map(_norm))
    assert {"烧电焊", "开叉车"} <= set(v["phrase"])


def test_occupations(world: World) -> None:
    occ = world.occupations
    assert len(occ) >= 40 and occ["occupation_id"].is_unique
    assert set(occ["node_id"]) <= {n.node_id for n in world.nodes}
    skill_ids = set(world.skills["skill_id"])
    assert all(ids and set(ids) <= skill_ids for ids in occ["skill_ids"])


# --- programs ------------------------------------------------------------------------------


def test_programs_validate_and_reference_the_world(world: World) -> None:
    programs = world.programs
    assert len(programs) >= 300
    assert {p.kind for p in programs} == {"credential", "certificate", "short_course"}
    assert len({p.program_id for p in programs}) == len(programs)
    result = programs_from_frame(world.programs_frame())
    assert len(result.errors) == 0 and len(result.models) == len(programs)
    node_ids = {n.node_id for n in world.nodes}
    for p in programs:
        assert set(p.chain_nodes) <= node_ids
        assert p.sponsor is None or p.sponsor in node_ids
        assert set(p.regions) <= set(world.regions)
        assert (p.modality == "online") == (p.regions == [])
        if p.kind == "certificate":
            assert p.certificate_trade and p.awards_certificate_level is not None
    assert sum(p.sponsor is not None for p in programs) > 10
    assert any(p.aid_eligible for p in programs) and any(p.cost > 0 for p in programs)


def test_large_catalogue_has_unique_ids() -> None:
    big = make_world(seed=5, n_programs=30_000)
    assert len({p.program_id for p in big.programs}) == 30_000


# --- population ----------------------------------------------------------------------------


def test_population_rows_validate(population: pd.DataFrame) -> None:
    assert list(population.columns) == list(WORKER_COLUMNS) == list(Worker.model_fields)
    result = workers_from_frame(population)
    assert len(result.errors) == 0 and len(result.models) == 3000
    assert population["worker_id"].is_unique


def test_population_mix_is_plausible(world: World, population: pd.DataFrame) -> None:
    assert 0.55 <= population["migrant"].mean() <= 0.75
    assert 0.85 <= population["employer_node"].notna().mean() <= 0.97
    assert set(population["education"]) <= set(EDUCATION_LEVELS)
    core = (
        population["education"]
        .isin(["junior_secondary", "senior_secondary", "secondary_vocational"])
        .mean()
    )
    assert core > 0.7
    assert population["weekly_hours"].between(2, 20).all()
    assert population["age"].between(18, 60).all()
    assert 0.35 <= population["goal"].notna().mean() <= 0.65
    assert population["skills"].map(len).between(1, 8).all()
    assert 0.2 <= population["certificates"].map(bool).mean() <= 0.6
    assert set(population["region"]) == set(world.regions)


def test_claims_are_written_like_workers_write(world: World, population: pd.DataFrame) -> None:
    texts = [claim["text"] for claims in population["skills"] for claim in claims]
    public = _public_forms(world)
    exact = sum(_norm(t) in public for t in texts) / len(texts)
    assert 0.5 <= exact <= 0.9
    assert sum(bool(re.search(r"[\u3400-\u9fff]", t)) for t in texts) > 0.2 * len(texts)
    assert not {_norm(t) for t in texts} & set(world.skill_variants["phrase"].map(_norm))


@pytest.mark.parametrize("chunk_size", [1_000, BLOCK_SIZE, 4_099, 50_000])
def test_population_does_not_depend_on_chunk_size(world: World, chunk_size: int) -> None:
    n = BLOCK_SIZE + 50
    frames = list(make_population(world, n, seed=3, chunk_size=chunk_size))
    assert all(len(f) <= chunk_size for f in frames)
    pd.testing.assert_frame_equal(
        pd.concat(frames, ignore_index=True), _collect(world, n, seed=3, chunk_size=777)
    )


@pytest.fixture(scope="module")
def reference(world: World) -> pd.DataFrame:
    return _collect(world, 120, seed=9)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 120), chunk_size=st.integers(1, 130))
def test_population_is_a_prefix_whatever_the_chunking(
    world: World, reference: pd.DataFrame, n: int, chunk_size: int
) -> None:
    got = _collect(world, n, seed=9, chunk_size=chunk_size)
    pd.testing.assert_frame_equal(got, reference.iloc[:n].reset_index(drop=True))


def test_single_worker(world: World) -> None:
    frames = list(make_population(world, 1))
    assert len(frames) == 1 and frames[0]["worker_id"].tolist() == ["w00000001"]
    assert len(workers_from_frame(frames[0]).errors) == 0
    assert list(make_population(world, 0)) == []


def test_truth_is_row_aligned(world: World, population: pd.DataFrame) -> None:
    truth = pd.concat(population_truth(world, 3000, seed=0, chunk_size=999), ignore_index=True)
    assert list(truth.columns) == list(TRUTH_COLUMNS)
    assert truth["worker_id"].tolist() == population["worker_id"].tolist()
    occ_skills = dict(
        zip(world.occupations["occupation_id"], world.occupations["skill_ids"], strict=True)
    )
    for ids, levels, claims, occ in zip(
        truth["true_skill_ids"],
        truth["true_levels"],
        population["skills"],
        truth["occupation_id"],
        strict=True,
    ):
        assert len(ids) == len(levels) >= len(claims)
        assert len(set(ids)) == len(ids) and set(ids) <= set(occ_skills[occ])
        assert all(1 <= lv <= 5 for lv in levels)
    assert truth["motivation"].between(0, 1).all()
    assert truth["commute_tolerance"].between(0, 1).all()
    has_goal = population["goal"].notna()
    assert (truth["goal_kind"].notna() == has_goal).all()
    skill_ids = set(world.skills["skill_id"])
    occupation_ids = set(world.occupations["occupation_id"])
    for goal, kind, target in zip(
        population["goal"][has_goal],
        truth["goal_kind"][has_goal],
        truth["goal_target"][has_goal],
        strict=True,
    ):
        if kind == "trade":  # the goal text names the trade it is about
            assert target in goal or TRADES[target][0] in goal
        elif kind == "skill":
            assert target in skill_ids
        elif kind == "occupation":
            assert target in occupation_ids
        elif kind == "education":
            assert target in ("junior_college", "bachelor")
        else:
            assert kind == "vague" and target is None


def test_make_workers(world: World) -> None:
    workers = make_workers(world, 25, seed=2)
    assert [w.worker_id for w in workers] == [f"w{i:08d}" for i in range(1, 26)]
    assert all(isinstance(w, Worker) for w in workers)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": -1}, "n"),
        ({"n": 5, "chunk_size": 0}, "chunk_size"),
        ({"n": 5, "seed": -2}, "seed"),
    ],
)
def test_population_rejects_bad_arguments(world: World, kwargs: dict[str, int], name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} must be"):
        make_population(world, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": -1}, "seed"),
        ({"n_programs": 0}, "n_programs"),
    ],
)
def test_make_world_rejects_bad_arguments(kwargs: dict[str, int], name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} must be"):
        make_world(**kwargs)


# --- files ---------------------------------------------------------------------------------


def test_write_population_round_trip(world: World, tmp_path: Path) -> None:
    path = tmp_path / "workers.parquet"
    assert write_population(world, 1000, path, seed=4, chunk_size=300, progress=False) == 1000
    assert pq.ParquetFile(path).metadata.num_row_groups == 4
    back = pq.read_table(path).to_pandas()
    result = workers_from_frame(back)
    assert len(result.errors) == 0 and len(result.models) == 1000
    expected = make_workers(world, 1000, seed=4)
    assert [w.model_dump() for w in result.models] == [w.model_dump() for w in expected]


def test_write_population_shows_progress(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert write_population(world, 10, tmp_path / "w.parquet", progress=True) == 10
    assert "10/10" in capsys.readouterr().err


def test_write_programs_round_trip(world: World, tmp_path: Path) -> None:
    path = tmp_path / "programs.parquet"
    assert write_programs(world, path) == len(world.programs)
    result = programs_from_frame(pq.read_table(path).to_pandas())
    assert len(result.errors) == 0
    assert [p.model_dump() for p in result.models] == [p.model_dump() for p in world.programs]
