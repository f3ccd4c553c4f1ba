"""CSV files as real exports write them: BOMs, numeric ids, GBK/GB18030, broken quoting.

Every case writes a real file and reads it through :func:`open_input` or :func:`score_file`;
the last runs ``skillmatch score`` in a subprocess on a GBK file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from skillmatch.batch import score_file
from skillmatch.batch.io import open_input
from skillmatch.core import Recommender
from skillmatch.errors import SchemaError
from tests.conftest import make_worker

# a header and one valid row whose text is Chinese (GBK-encodable)
ROW = "{id},[],焊工,secondary_vocational,[],CN-GD,,true,8,night,any,学习机器人编程,,\n"
HEADER = (
    "worker_id,skills,occupation,education,certificates,region,employer_node,migrant,"
    "weekly_hours,shift_pattern,preferred_modality,goal,gender,age\n"
)


def _csv_frame(population: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` simulated workers as a CSV export has them: JSON text, zero-padded numeric ids."""
    frame = population.head(n).copy()
    for col in ("skills", "certificates"):
        frame[col] = [json.dumps([dict(x) for x in v], ensure_ascii=False) for v in frame[col]]
    frame["worker_id"] = [f"{i:08d}" for i in range(n)]
    return frame


def _lines(n: int) -> list[str]:
    return [ROW.format(id=f"{i:08d}") for i in range(n)]


def _accounted(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    """The ids of the rows read and the malformed lines, over all chunks."""
    ids: list[str] = []
    bad: list[dict[str, object]] = []
    for chunk in open_input(path).chunks(300):
        ids += chunk.table.column("worker_id").to_pylist()
        bad += chunk.malformed
    return ids, bad


def test_bom_and_numeric_ids_are_kept(
    world_rec: Recommender, population: pd.DataFrame, tmp_path: Path
) -> None:
    frame = _csv_frame(population, 40)
    path = tmp_path / "workers.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfworker_id,")
    summary = score_file(path, tmp_path / "out", recommender=world_rec, k=2, progress=False)
    assert (summary.n_rows_in, summary.n_scored, summary.n_quarantined) == (40, 40, 0)
    scored = pd.read_parquet(tmp_path / "out" / "scores")
    assert sorted(set(scored["worker_id"])) == list(frame["worker_id"])  # "00000000", ...


def test_gbk_file_is_detected_and_scores_like_utf8(
    world_rec: Recommender, population: pd.DataFrame, tmp_path: Path
) -> None:
    frame = _csv_frame(population, 30)
    frame.to_csv(tmp_path / "utf8.csv", index=False, encoding="utf-8")
    frame.to_csv(tmp_path / "gbk.csv", index=False, encoding="gbk")
    assert open_input(tmp_path / "gbk.csv").csv.encoding == "gb18030"  # type: ignore[union-attr]
    runs = {}
    for name, encoding in [("utf8", "auto"), ("gbk", "auto"), ("gbk", "gbk")]:
        out = tmp_path / f"out-{name}-{encoding}"
        summary = score_file(
            tmp_path / f"{name}.csv",
            out,
            recommender=world_rec,
            k=3,
            progress=False,
            encoding=encoding,  # type: ignore[arg-type]
        )
        assert summary.n_scored == 30
        runs[name, encoding] = pd.read_parquet(out / "scores").drop(columns="bundle_hash")
    pd.testing.assert_frame_equal(runs["utf8", "auto"], runs["gbk", "auto"])
    pd.testing.assert_frame_equal(runs["utf8", "auto"], runs["gbk", "gbk"])


def test_late_gbk_row_fails_before_any_part_is_written(
    world_rec: Recommender, tmp_path: Path
) -> None:
    path = tmp_path / "late.csv"
    head = (HEADER + "".join(_lines(2000))).encode("utf-8")
    path.write_bytes(head + "w_late,[],电焊工,primary,[],CN-GD,,true,5,day,any,,,\n".encode("gbk"))
    out = tmp_path / "out"
    with pytest.raises(SchemaError) as info:
        score_file(path, out, recommender=world_rec, chunk_size=100, progress=False)
    message = str(info.value)
    for part in ("late.csv", "utf-8", f"byte offset {len(head) + 10}", "line 2002", "gb18030"):
        assert part in message
    assert not out.exists()  # refused up front: no part, no manifest


def test_undecodable_file_names_the_encoding_tried(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + ROW.format(id="1")).encode("utf-8"))
    with pytest.raises(SchemaError, match=r"cannot be decoded as gbk: byte 0x.. at byte offset"):
        open_input(path, encoding="gbk")
    with pytest.raises(ValueError, match="encoding='latin-1'"):
        open_input(path, encoding="latin-1")  # type: ignore[arg-type]


def test_broken_quoting_quarantines_only_the_broken_lines(tmp_path: Path) -> None:
    lines = _lines(2000)
    broken = {
        11: lines[9].replace(",[],焊工", ',"[{"x"" ,焊工', 1),  # text after a closing quote
        501: lines[499].rstrip("\n") + ',"never closed\n',  # a quote that never closes
        1200: lines[1198].replace(",学习", ',"学习', 1),  # opens a field, swallows nothing
        2001: lines[1999].replace(",学习", ',"学习', 1),  # unclosed at the end of the file
    }
    for line, text in broken.items():
        lines[line - 2] = text
    path = tmp_path / "broken.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    ids, bad = _accounted(path)
    assert len(ids) + len(bad) == 2000  # every line after the header is accounted for
    assert [b["line"] for b in bad] == sorted(broken)
    assert all("quot" in str(b["reason"]) for b in bad)
    expected = [f"{i:08d}" for i in range(2000) if i + 2 not in broken]
    assert ids == expected  # no valid worker was merged into a broken record


def test_quoted_newlines_and_crlf_still_make_one_row(tmp_path: Path) -> None:
    goal = '"learn PLC,\r\nthen robots"'
    text = HEADER + ROW.format(id="007").replace(",学习机器人编程,", f",{goal},")
    path = tmp_path / "multi.csv"
    path.write_bytes((text + "\r\n" + ROW.format(id="008")).encode("utf-8"))
    ids, bad = _accounted(path)
    assert (ids, bad) == (["007", "008"], [])
    table = next(open_input(path).chunks(10)).table
    assert table.column("goal").to_pylist()[0] == "learn PLC,\r\nthen robots"


def test_quarantine_names_each_broken_line(
    world_rec: Recommender, population: pd.DataFrame, tmp_path: Path
) -> None:
    frame = _csv_frame(population, 20)
    path = tmp_path / "workers.csv"
    frame.to_csv(path, index=False)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = '"0000"' + lines[5][4:]  # worker 00000004: text after a closing quote
    path.write_text("".join(lines), encoding="utf-8")
    summary = score_file(path, tmp_path / "out", recommender=world_rec, k=2, progress=False)
    assert summary.n_rows_in == 20 == summary.n_scored + summary.n_quarantined
    quarantine = pq.read_table(tmp_path / "out" / "quarantine.parquet").to_pylist()
    assert [q["reason"][:26] for q in quarantine] == ["unparsable CSV line 6: ','"]
    assert json.loads(quarantine[0]["record"])["line"] == 6


def test_repeated_header_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("worker_id,goal,goal\n1,a,b\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="repeated column names"):
        open_input(path)


def test_cli_scores_a_gbk_csv(tiny_rec: Recommender, tmp_path: Path) -> None:
    workers = [make_worker(worker_id=f"{i:05d}", goal="学习机器人编程") for i in range(3)]
    tiny_rec.recommend_many(workers)  # the saved encoder cache then covers their text
    bundle = tiny_rec.save(tmp_path / "bundle")
    rows = []
    for w in workers:
        row = w.model_dump(mode="json")
        row["skills"] = json.dumps(row["skills"], ensure_ascii=False)
        row["certificates"] = json.dumps(row["certificates"], ensure_ascii=False)
        rows.append(row)
    pd.DataFrame(rows).to_csv(tmp_path / "w.csv", index=False, encoding="gbk")
    cmd = [
        sys.executable,
        "-m",
        "skillmatch.cli",
        "score",
        "--workers",
        str(tmp_path / "w.csv"),
        "--out",
        str(tmp_path / "out"),
        "--bundle",
        str(bundle),
        "--k",
        "2",
        "--no-progress",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "scored 3 | quarantined 0" in done.stderr
    assert sorted(set(pd.read_parquet(tmp_path / "out" / "scores")["worker_id"])) == [
        "00000",
        "00001",
        "00002",
    ]


def test_cli_prints_one_line_for_an_undecodable_csv(
    tiny_rec: Recommender, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillmatch.cli.main import main

    bundle = tiny_rec.save(tmp_path / "bundle")
    path = tmp_path / "late.csv"
    path.write_bytes((HEADER + "".join(_lines(50))).encode() + ROW.format(id="x").encode("gbk"))
    args = ["score", "--workers", str(path), "--out", str(tmp_path / "out"), "--bundle"]
    code = main([*args, str(bundle), "--encoding", "utf-8", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "late.csv" in err and "utf-8" in err and "line 52" in err
    assert not (tmp_path / "out").exists()
