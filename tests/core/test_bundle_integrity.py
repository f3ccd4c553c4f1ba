"""Bundles that are linked, substituted or malformed are refused with ModelFormatError.

Each case edits a real saved bundle on disk; most re-hash the manifest afterwards, as an
attacker who can write the directory would, so that only the new checks can refuse them.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from skillmatch.core import _bundle_files
from skillmatch.core._bundle_parse import json_depth
from skillmatch.core.bundle import read_bundle, sign_bundle, verify_bundle
from skillmatch.core.recommend import Recommender
from skillmatch.errors import ModelFormatError
from skillmatch.text.encode import Encoder

KEY = "correct horse battery staple"


@pytest.fixture(scope="module")
def saved(tiny_rec: Recommender, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_rec.save(tmp_path_factory.mktemp("saved") / "bundle")


@pytest.fixture()
def bundle(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "bundle"))


def _rehash(root: Path) -> None:
    """Recompute every sha256 in the manifest, as someone editing the bundle would."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((root / name).read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _edit_programs(root: Path) -> None:
    programs = json.loads((root / "programs.json").read_text(encoding="utf-8"))
    programs[0]["title"] = "TAMPERED TITLE"
    (root / "programs.json").write_text(json.dumps(programs), encoding="utf-8")
    _rehash(root)


# -- item 7: symlinks and entries outside the bundle -----------------------------------------


@pytest.mark.parametrize("name", ["programs.json", "manifest.json"])
def test_symlink_to_an_identical_file_outside_is_refused(
    bundle: Path, tmp_path: Path, name: str
) -> None:
    outside = tmp_path / f"outside-{name}"
    shutil.copyfile(bundle / name, outside)  # same bytes: the sha256 alone would pass it
    (bundle / name).unlink()
    (bundle / name).symlink_to(outside)
    with pytest.raises(ModelFormatError, match=f"{name}.*symlink"):
        Recommender.load(bundle)


def test_symlink_to_a_system_file_is_refused_before_hashing(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundle / "chains.json").unlink()
    (bundle / "chains.json").symlink_to("/etc/passwd")
    opened: list[str] = []
    monkeypatch.setattr(_bundle_files, "_read_file", lambda root, name, limit: opened.append(name))
    with pytest.raises(ModelFormatError, match="'chains.json'.*symlink"):
        verify_bundle(bundle)
    assert opened == []  # refused from the listing: not even manifest.json was read


def test_subdirectory_in_a_bundle_is_refused(bundle: Path) -> None:
    (bundle / "extra").mkdir()
    with pytest.raises(ModelFormatError, match="'extra' .* not a regular file"):
        verify_bundle(bundle)


def test_manifest_listing_a_path_outside_is_refused(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["../outside.json"] = "0" * 64
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match="lists an invalid file name '../outside.json'"):
        verify_bundle(bundle)


def test_a_symlinked_bundle_directory_itself_is_followed(bundle: Path, tmp_path: Path) -> None:
    """The operator chooses the path (``models/current -> models/v3``); its files may not."""
    link = tmp_path / "current"
    link.symlink_to(bundle, target_is_directory=True)
    assert verify_bundle(link)["n_programs"] > 0


# -- item 8: substitution, pins and keys -----------------------------------------------------


def test_rehashed_tampered_bundle_is_refused_when_pinned(bundle: Path, encoder: Encoder) -> None:
    pinned = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert Recommender.load(bundle, encoder=encoder, expected_sha256=pinned).fingerprint() == (
        pinned
    )
    _edit_programs(bundle)
    with pytest.raises(ModelFormatError, match=f"not the pinned {pinned}"):
        Recommender.load(bundle, encoder=encoder, expected_sha256=pinned)
    with pytest.raises(ModelFormatError, match=f"not the pinned {pinned}"):
        Recommender.load(bundle, encoder=encoder, expected_sha256=pinned.upper())
    # without a pin or a key, a consistent re-hashed bundle is indistinguishable from a new one
    loaded = Recommender.load(bundle, encoder=encoder)
    assert loaded.programs[0].title == "TAMPERED TITLE"


def test_bad_pin_value_is_a_usage_error(bundle: Path) -> None:
    with pytest.raises(ValueError, match="expected_sha256='abc'"):
        verify_bundle(bundle, expected_sha256="abc")


def test_signed_bundle_loads_with_its_key_only(
    tiny_rec: Recommender, tmp_path: Path, encoder: Encoder
) -> None:
    root = tiny_rec.save(tmp_path / "signed", hmac_key=KEY)
    assert (root / "manifest.hmac").read_text().startswith("hmac-sha256 ")
    Recommender.load(root, encoder=encoder, hmac_key=KEY)
    Recommender.load(root, encoder=encoder, hmac_key=KEY.encode())
    with pytest.raises(ModelFormatError, match="signed with another key"):
        verify_bundle(root, hmac_key="another key")


def test_rehashed_tampered_bundle_is_refused_with_a_key(bundle: Path) -> None:
    sign_bundle(bundle, KEY)
    verify_bundle(bundle, hmac_key=KEY)
    _edit_programs(bundle)  # the attacker re-hashes, but cannot re-sign
    with pytest.raises(ModelFormatError, match="manifest.hmac does not match"):
        verify_bundle(bundle, hmac_key=KEY)


def test_unsigned_bundle_is_refused_when_a_key_is_given(bundle: Path) -> None:
    with pytest.raises(ModelFormatError, match="not signed"):
        verify_bundle(bundle, hmac_key=KEY)
    with pytest.raises(ValueError, match="hmac_key must be a non-empty"):
        sign_bundle(bundle, "")


# -- item 8: strict JSON and exact types -----------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace('"format": 1', '"format": 1, "format": 1'),
            "repeats the key 'format'",
        ),
        (lambda t: t.replace('"format": 1', '"format": true'), "'format' must be of type int"),
        (lambda t: t.replace('"n_programs": ', '"n_programs": 1.0, "x": '), "unknown fields"),
        (lambda t: "[" + t + "]", "must hold an object"),
        (lambda t: "[" * 100_000 + "]" * 100_000, "deeper than 32"),
        (lambda t: t.replace('"metrics": {}', '"metrics": NaN'), "NaN"),
        (lambda t: t[: len(t) // 2], "not valid JSON"),
        (lambda t: t.replace('"ranker"', '"\udcff"'), "not UTF-8|not valid JSON"),
    ],
)
def test_malformed_manifest_is_refused(
    bundle: Path, edit: Callable[[str], str], match: str
) -> None:
    path = bundle / "manifest.json"
    text = edit(path.read_text(encoding="utf-8"))
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(ModelFormatError, match=match):
        Recommender.load(bundle)


def _programs_with_duplicate_key(root: Path) -> None:
    text = (root / "programs.json").read_text(encoding="utf-8")
    (root / "programs.json").write_text(text.replace('"title"', '"title": "x", "title"', 1))


def _npy_truncated(root: Path) -> None:
    path = root / "vocabulary.embeddings.npy"
    path.write_bytes(path.read_bytes()[:-100])


def _npy_big_endian(root: Path) -> None:
    buf = io.BytesIO()
    np.save(buf, np.load(root / "vocabulary.embeddings.npy").astype(">f4"))
    (root / "vocabulary.embeddings.npy").write_bytes(buf.getvalue())


def _npy_wrong_shape(root: Path) -> None:
    np.save(root / "vocabulary.form_embeddings.npy", np.zeros((3, 2), dtype=np.float32))


def _npy_huge_shape(root: Path) -> None:
    """A header promising 4 PB of floats: refused from the header, nothing allocated."""
    buf = io.BytesIO()
    header = {"descr": "<f4", "fortran_order": False, "shape": (10**12, 10**3)}
    np.lib.format.write_array_header_1_0(buf, header)
    (root / "vocabulary.form_embeddings.npy").write_bytes(buf.getvalue() + b"\0" * 16)


def _json_file(name: str, payload: object) -> Callable[[Path], object]:
    return lambda root: (root / name).write_text(json.dumps(payload), encoding="utf-8")


def _program_field(field: str, value: object) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        programs = json.loads((root / "programs.json").read_text(encoding="utf-8"))
        programs[0][field] = value
        (root / "programs.json").write_text(json.dumps(programs), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_programs_with_duplicate_key, "'programs.json' repeats the key 'title'"),
        (_json_file("programs.json", [[[[[[[[[[]]]]]]]]]] * 2), "programs.json"),
        (_json_file("chains.json", "[" * 50 + "]" * 50), "chains.json"),
        (lambda r: (r / "chains.json").write_text("[" * 50_000 + "]" * 50_000), "deeper than"),
        (_program_field("hours", True), "'programs.json', item 0: field 'hours'.*got True"),
        (_program_field("weeks", "12"), "'programs.json', item 0: field 'weeks'.*got '12'"),
        (_json_file("programs.json", {"not": "a list"}), "'programs.json' must hold a JSON array"),
        (_json_file("features.json", {"aid_share": "0.8"}), "aid_share='0.8'"),
        (_json_file("features.json", {"no_such": 1}), "features.json.*no_such"),
        (_json_file("features.json", {"aid_share": 5.0}), "features.json.*aid_share=5.0"),
        (_json_file("ranker.json", {"type": "LinearRanker"}), "ranker.json.*KeyError"),
        (_json_file("ranker.json", {"type": "os.system"}), "ranker type 'os.system'"),
        (_json_file("ranker.json", []), "'ranker.json' must hold a JSON object"),
        (_json_file("vocabulary.json", {"format": 1}), "vocabulary.json"),
        (_json_file("encoder_cache.json", {"keys": 3}), "encoder_cache.json"),
        (_npy_truncated, "'vocabulary.embeddings.npy' .*truncated"),
        (_npy_big_endian, "'vocabulary.embeddings.npy' has dtype '>f4'"),
        (_npy_wrong_shape, "vocabulary"),
        (_npy_huge_shape, "'vocabulary.form_embeddings.npy' holds 16 bytes of data"),
        (lambda r: (r / "vocabulary.lexical_idf.npy").write_bytes(b""), "not an .npy array"),
        (lambda r: (r / "encoder_cache.npy").write_bytes(b"\x93NUMPY\x01\x00"), "npy"),
    ],
)
def test_rehashed_malformed_part_raises_model_format_error(
    bundle: Path, edit: Callable[[Path], object], match: str
) -> None:
    edit(bundle)
    _rehash(bundle)
    with pytest.raises(ModelFormatError, match=match):
        Recommender.load(bundle)


def test_manifest_counts_must_match_the_parts(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["n_programs"] += 1
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match="n_programs="):
        read_bundle(bundle)


def test_oversized_file_is_refused_before_it_is_read(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_bundle_files, "MAX_JSON_BYTES", 1000)
    with pytest.raises(ModelFormatError, match="bytes; the limit is 1000"):
        verify_bundle(bundle)


def test_json_depth_scan_matches_a_reference() -> None:
    def reference(data: bytes) -> int:
        depth = top = 0
        in_string = escaped = False
        for ch in data.decode("latin1"):
            was, escaped = escaped, ch == "\\" and not escaped
            if ch == '"' and not was:
                in_string = not in_string
            elif not in_string and ch in "[{":
                depth += 1
                top = max(top, depth)
            elif not in_string and ch in "]}":
                depth -= 1
        return top

    rng = np.random.default_rng(0)
    alphabet = np.frombuffer(b'[]{}"\\ab', dtype=np.uint8)
    for _ in range(400):
        data = rng.choice(alphabet, size=int(rng.integers(0, 40))).tobytes()
        for block in (1, 3, 64):
            assert json_depth(data, limit=10**6, block=block) == reference(data), data


def test_cli_prints_one_line_for_a_malformed_bundle(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillmatch.cli.main import main

    (bundle / "programs.json").write_text("[" * 100_000)
    _rehash(bundle)
    workers = tmp_path / "w.csv"
    workers.write_text("worker_id\n1\n")
    code = main(
        [
            "score",
            "--workers",
            str(workers),
            "--out",
            str(tmp_path / "o"),
            "--bundle",
            str(bundle),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "programs.json" in err and "deeper than" in err
