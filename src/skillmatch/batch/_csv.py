"""Reading worker CSV files from real exports: encodings, BOMs and broken quoting.

:func:`check_csv` runs before anything is written: it decodes the whole file once (so a bad
byte late in the file fails the run up front, naming the file, the encoding, the byte offset
and the line), detects GBK/GB18030 when asked to, and reads the header. :func:`csv_batches`
then parses the file into Arrow tables of string columns, accounting for every physical line:

- a UTF-8 BOM (or a BOM decoded from GB18030) is stripped from the header;
- every field is kept as text (``00000000`` stays ``00000000``); only an empty field is null;
- a record may span lines inside a quoted field, but a line with a quote that never closes
  is quarantined *alone*: the lines after it are parsed again, so a valid worker is never
  merged into a broken record. A multi-line record is refused as soon as one of its
  continuation lines is, on its own, a complete record with the header's number of columns.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from skillmatch.errors import SchemaError

__all__ = ["ENCODINGS", "CsvEncoding", "CsvInfo", "check_csv", "csv_batches"]

CsvEncoding = Literal["auto", "utf-8", "gbk", "gb18030"]
#: Values of ``encoding``; ``"auto"`` reads UTF-8, or GB18030 when the file is only valid
#: as GB18030 and its non-ASCII text is mostly Chinese.
ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "gbk", "gb18030")
_BLOCK = 1 << 20
_MAX_RECORD_LINES = 200
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True)
class CsvInfo:
    """What :func:`check_csv` found: the encoding to read with and the header's columns."""

    encoding: str
    header: tuple[str, ...]


class _Undecodable(Exception):
    def __init__(self, offset: int, line: int, byte: int) -> None:
        super().__init__(offset, line, byte)
        self.offset, self.line, self.byte = offset, line, byte


def _scan(path: Path, encoding: str, *, count: bool = False) -> tuple[int, int]:
    """Decode all of ``path``; returns (non-ASCII, CJK) character counts if ``count``, or raises
    :class:`_Undecodable`. Blocks end at a newline, which no multi-byte character of UTF-8,
    GBK or GB18030 contains, so every offset is exact."""
    n_other = n_cjk = offset = line = 0
    rest = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            data = rest + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            part, rest = data[:cut], data[cut:]
            try:
                text = part.decode(encoding)
            except UnicodeDecodeError as exc:
                at, lines_before = offset + exc.start, part.count(b"\n", 0, exc.start)
                raise _Undecodable(at, line + lines_before + 1, part[exc.start]) from None
            if count:
                n_other += len(_NON_ASCII.findall(text))
                n_cjk += len(_CJK.findall(text))
            offset, line = offset + len(part), line + part.count(b"\n")
            if not block:
                return n_other, n_cjk


def _resolve(path: Path, encoding: str) -> str:
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {list(ENCODINGS)}, got encoding={encoding!r}")
    first = "utf-8" if encoding == "auto" else encoding
    try:
        _scan(path, first)
        return first
    except _Undecodable as exc:
        failure = exc
    if encoding == "auto":
        try:
            n_other, n_cjk = _scan(path, "gb18030", count=True)
        except _Undecodable:
            pass
        else:
            if n_cjk * 2 >= n_other:
                return "gb18030"
    hint = (
        "pass --encoding gb18030 (encoding='gb18030') for a GBK/GB18030 export (Chinese "
        "Windows), or save the file as UTF-8"
        if first == "utf-8"
        else "pass --encoding utf-8 or gb18030 (encoding=...) if that is the file's encoding"
    )
    raise SchemaError(
        f"workers file {str(path)!r} cannot be decoded as {first}"
        f"{' (auto-detection also tried gb18030)' if encoding == 'auto' else ''}: byte "
        f"0x{failure.byte:02x} at byte offset {failure.offset} (line {failure.line}); {hint}"
    )


def check_csv(path: Path, encoding: str = "auto") -> CsvInfo:
    """Decode all of the CSV file ``path`` and read its header, before anything is written.

    Raises
    ------
    ValueError
        ``encoding`` is not one of :data:`ENCODINGS`.
    SchemaError
        A byte that ``encoding`` cannot decode (the message names the file, the encoding,
        the byte offset, the line and the option to use), or a header with a repeated or
        empty column name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = path.write_bytes("worker_id,occupation\\n00000000,焊工\\n".encode("gbk"))
    >>> check_csv(path)
    CsvInfo(encoding='gb18030', header=('worker_id', 'occupation'))
    """
    resolved = _resolve(path, encoding)
    with open(path, encoding=_codec(resolved), newline="") as fh:
        header = _header(_Lines(fh))
    names = [name for name in header if name]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if len(names) < len(header) or repeated:
        raise SchemaError(
            f"workers file {str(path)!r} has a header with empty or repeated column names: "
            f"{header!r}"
        )
    return CsvInfo(resolved, tuple(header))


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding


class _Lines:
    """Physical lines with their 1-based numbers, and a way to push some back."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self._back: deque[tuple[int, str]] = deque()
        self._number = 0

    def next(self) -> tuple[int, str] | None:
        if self._back:
            return self._back.popleft()
        text = self._fh.readline()
        if not text:
            return None
        self._number += 1
        return self._number, text

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(lines))


def _header(lines: _Lines) -> list[str]:
    while (first := lines.next()) is not None and not first[1].strip():
        pass
    if first is None:
        return []
    fields = next(csv.reader([first[1]]), [])
    if fields:
        fields[0] = fields[0].removeprefix("\ufeff")
    return fields


@dataclass
class _Bad:
    line: int
    text: str
    reason: str


class _TooLong(Exception):
    pass


def _parse(
    lines: _Lines, first: tuple[int, str]
) -> tuple[list[str] | None, list[tuple[int, str]], str]:
    """One record from ``first`` on: (fields or None, the physical lines taken, error)."""
    taken = [first]

    def feed() -> Iterator[str]:
        yield first[1]
        while len(taken) < _MAX_RECORD_LINES:
            line = lines.next()
            if line is None:
                return
            taken.append(line)
            yield line[1]
        raise _TooLong

    try:
        return next(csv.reader(feed(), strict=True), []), taken, ""
    except csv.Error as exc:
        return None, taken, str(exc)
    except _TooLong:
        return None, taken, f"a quoted field runs over more than {_MAX_RECORD_LINES} lines"


def _whole(text: str, n_columns: int) -> bool:
    """Whether one line is, by itself, a complete record of ``n_columns`` fields (the last
    line of a field that spans lines holds its closing quote: an odd number of quotes)."""
    if text.count('"') % 2:
        return False
    try:
        return len(next(csv.reader([text], strict=True), [])) == n_columns
    except csv.Error:
        return False


def _records(lines: _Lines, n_columns: int) -> Iterator[list[str] | _Bad]:
    while (first := lines.next()) is not None:
        if not first[1].strip("\r\n"):
            continue  # a blank line holds no record
        fields, taken, error = _parse(lines, first)
        if len(taken) > 1 and (
            error
            or len(fields or ()) != n_columns
            or any(_whole(text, n_columns) for _, text in taken[1:])
        ):
            lines.push_back(taken[1:])  # parsed again: only the line that broke is lost
            yield _Bad(
                first[0], first[1], f"a quoted field opened on line {first[0]} is not closed"
            )
        elif error:
            yield _Bad(first[0], first[1], f"{error} (bad quoting)")
        elif fields is not None and len(fields) != n_columns:
            yield _Bad(first[0], first[1], f"expected {n_columns} columns, got {len(fields)}")
        elif fields is not None:
            yield fields


def _table(header: tuple[str, ...], rows: list[list[str]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return pa.table(
        {
            name: pa.array([v if v != "" else None for v in column], pa.string())
            for name, column in zip(header, columns, strict=True)
        }
    )


def csv_batches(
    path: Path, info: CsvInfo, batch_rows: int = 8192
) -> Iterator[tuple[pa.Table, list[dict[str, Any]]]]:
    """Tables of up to ``batch_rows`` records (string columns), each with the malformed
    lines met while it was read (``line``, ``text``, ``reason``)."""
    n_columns = len(info.header)
    rows: list[list[str]] = []
    bad: list[dict[str, Any]] = []
    with open(path, encoding=_codec(info.encoding), newline="") as fh:
        lines = _Lines(fh)
        _header(lines)
        for record in _records(lines, n_columns):
            if isinstance(record, _Bad):
                text = record.text.rstrip("\r\n")
                bad.append({"line": record.line, "text": text, "reason": record.reason})
            else:
                rows.append(record)
            if len(rows) >= batch_rows:
                yield _table(info.header, rows), bad
                rows, bad = [], []
    if rows or bad:
        yield _table(info.header, rows), bad
