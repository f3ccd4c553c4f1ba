from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from skillmatch.core.recommend import Recommender
from skillmatch.errors import ModelFormatError
from skillmatch.text import Encoder
from tests.conftest import make_worker

WORKERS = [
    make_worker(),
    make_worker(
        worker_id="w2", education="senior_secondary", certificates=[{"trade": "welder", "level": 5}]
    ),
]


@pytest.fixture()
def bundle(tiny_rec: Recommender, tmp_path: Path) -> Path:
    tiny_rec.recommend_many(WORKERS)  # their texts are then in the encoder cache saved below
    return tiny_rec.save(tmp_path / "bundle", metrics={"ndcg@10": 0.5})


def test_round_trip_gives_identical_recommendations(tiny_rec: Recommender, bundle: Path) -> None:
    loaded = Recommender.load(bundle)
    assert loaded.recommend_many(WORKERS, k=5) == tiny_rec.recommend_many(WORKERS, k=5)
    assert loaded.explain(WORKERS[1], "welder4") == tiny_rec.explain(WORKERS[1], "welder4")
    assert loaded.manifest_["metrics"] == {"ndcg@10": 0.5}
    # every text was cached in the bundle: loading and ranking encodes nothing
    assert loaded.features_.vocabulary_.encoder.n_encoded == 0  # type: ignore[attr-defined]


def test_fingerprint_is_the_bundle_hash(bundle: Path) -> None:
    loaded = Recommender.load(bundle)
    expected = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert loaded.fingerprint() == expected


def test_every_file_is_hashed(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    on_disk = {p.name for p in bundle.iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk


def _files(bundle_dir: Path) -> list[str]:
    return sorted(p.name for p in bundle_dir.iterdir())


@pytest.mark.parametrize("index", range(11))
def test_flipping_one_byte_in_any_file_is_refused(bundle: Path, index: int) -> None:
    names = _files(bundle)
    if index >= len(names):
        pytest.skip("fewer files")
    target = bundle / names[index]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    # a flipped byte in manifest.json itself may hit any field: any refusal will do
    with pytest.raises(
        ModelFormatError, match=names[index] if names[index] != "manifest.json" else None
    ):
        Recommender.load(bundle)


def test_planted_pickle_is_never_opened(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    (bundle / "ranker.extra.pkl").write_bytes(pickle.dumps(Boom()))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pickle must never be used")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    with pytest.raises(ModelFormatError, match="unexpected file 'ranker.extra.pkl'"):
        Recommender.load(bundle)


def test_pickled_array_with_matching_hash_is_refused(bundle: Path) -> None:
    """Even a listed, correctly hashed .npy must not hold pickled objects."""
    target = bundle / "vocabulary.embeddings.npy"
    np.save(target, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"][target.name] = hashlib.sha256(target.read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match="vocabulary.embeddings.npy"):
        Recommender.load(bundle)


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("format", 99, "format"),
        ("library_version", "9.9.0", "9.9.0"),
        ("feature_names", ["x"], "feature_names"),
    ],
)
def test_mismatched_manifest_is_refused(bundle: Path, key: str, value: object, match: str) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest[key] = value
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match=match):
        Recommender.load(bundle)


def test_missing_file_is_refused(bundle: Path) -> None:
    (bundle / "programs.json").unlink()
    with pytest.raises(ModelFormatError, match="'programs.json' is missing"):
        Recommender.load(bundle)


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="manifest.json missing"):
        Recommender.load(tmp_path)


def test_save_replaces_existing_bundle(tiny_rec: Recommender, bundle: Path) -> None:
    (bundle / "stale.txt").write_text("left over")
    tiny_rec.save(bundle)
    assert "stale.txt" not in _files(bundle)
    Recommender.load(bundle)


def test_loading_the_default_bundle_does_not_import_torch() -> None:
    # the bundle's embedding cache gives the dimension: the model (and torch, ~400 MB of
    # memory in every batch and service process) loads only when unseen text must be encoded
    import subprocess
    import sys

    code = (
        "import sys; from skillmatch.core.recommend import Recommender; Recommender.load(); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "False"]


def test_bundle_with_an_e5_second_encoder_round_trips(use_encoder: Encoder, tmp_path: Path) -> None:
    """A vocabulary with e5 beside USE v3 is saved as format 3 and loaded with e5 again."""
    from skillmatch.core.recommend import Recommender
    from skillmatch.text import E5_MULTILINGUAL, SkillVocabulary
    from tests.conftest import TINY_SKILLS, tiny_chains, tiny_programs

    e5 = Encoder(E5_MULTILINGUAL)
    vocab = SkillVocabulary.from_frame(TINY_SKILLS, encoder=use_encoder, second_encoder=e5)
    rec = Recommender.from_catalog(tiny_programs(), chains=tiny_chains(), vocabulary=vocab)
    loaded = Recommender.load(rec.save(tmp_path / "bundle"))
    second = loaded.features_.vocabulary_.second_encoder  # type: ignore[attr-defined]
    assert second is not None and second.model_id == E5_MULTILINGUAL
    assert loaded.recommend_many(WORKERS, k=5) == rec.recommend_many(WORKERS, k=5)
