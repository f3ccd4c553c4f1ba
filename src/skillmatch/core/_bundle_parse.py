"""Strict, bounded parsing of the bytes of a bundle file: JSON and ``.npy``.

Everything here works on bytes already read (and hashed) by :mod:`skillmatch.core._bundle_files`
and raises :class:`~skillmatch.errors.ModelFormatError` naming the file and the problem, never
``RecursionError``, ``MemoryError`` or a parser's own exception:

- JSON nesting is measured by a linear scan *before* parsing (:func:`json_depth`), duplicate
  keys are refused, and so are ``NaN``/``Infinity`` and invalid UTF-8;
- an ``.npy`` header is read first: only little- or native-endian bool, integer and float
  arrays are accepted, and the data must be exactly as long as the header's shape says, so a
  truncated file is refused before any array is allocated. Nothing is unpickled.
"""

from __future__ import annotations

import ast
import json
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError

__all__ = ["MAX_JSON_DEPTH", "array_from_npy", "json_depth", "strict_json"]

#: Deepest JSON nesting a bundle file may have (the shipped bundle needs 5).
MAX_JSON_DEPTH = 32
_SCAN_BLOCK = 1 << 20
_NPY_MAGIC = b"\x93NUMPY"
_NPY_KINDS = frozenset("biuf")


def json_depth(data: bytes, *, limit: int = MAX_JSON_DEPTH, block: int = _SCAN_BLOCK) -> int:
    """Deepest ``[``/``{`` nesting of JSON text, counting no bracket inside a string.

    The scan is linear and vectorised in blocks of ``block`` bytes; it stops at the first
    block where the depth passes ``limit`` (the value returned is then > ``limit``).

    Examples
    --------
    >>> json_depth(b'{"a": [1, {"b": "[[[["}]}')
    3
    """
    depth = top = run = 0  # run: trailing backslashes carried over from the previous block
    in_string = False
    for start in range(0, len(data), block):
        chunk = np.frombuffer(data, np.uint8, count=min(block, len(data) - start), offset=start)
        escaped = _escaped(chunk == 0x5C, run)
        quotes = (chunk == 0x22) & ~escaped
        inside = (np.cumsum(quotes) % 2).astype(bool) ^ in_string  # within a string, at i
        outside = ~inside & ~quotes
        step = (outside & ((chunk == 0x5B) | (chunk == 0x7B))).astype(np.int64) - (
            outside & ((chunk == 0x5D) | (chunk == 0x7D))
        ).astype(np.int64)
        levels = depth + np.cumsum(step)
        top = max(top, int(levels.max()))
        if top > limit:
            return top
        depth, in_string = int(levels[-1]), bool(inside[-1])
        run = _trailing_run(chunk == 0x5C, run)
    return top


def _escaped(backslash: NDArray[np.bool_], carried: int) -> NDArray[np.bool_]:
    """``True`` where a byte follows an odd run of backslashes (``carried`` run before 0)."""
    n = len(backslash)
    index = np.arange(n, dtype=np.int64)
    last_other = np.maximum.accumulate(np.where(backslash, -1, index))
    # backslashes ending just before position i: a run that may start in an earlier block
    before = np.empty(n, dtype=np.int64)
    before[0] = carried
    if n > 1:
        prev = last_other[:-1]
        before[1:] = np.where(prev < 0, index[1:] + carried, index[1:] - 1 - prev)
    return (before % 2).astype(bool)


def _trailing_run(backslash: NDArray[np.bool_], carried: int) -> int:
    others = np.flatnonzero(~backslash)
    if not len(others):
        return carried + len(backslash)
    return len(backslash) - 1 - int(others[-1])


def _no_duplicates(name: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ModelFormatError(f"bundle file {name!r} repeats the key {key!r}")
            out[key] = value
        return out

    return hook


def _no_constant(name: str) -> Any:
    def hook(token: str) -> Any:
        raise ModelFormatError(f"bundle file {name!r} holds {token}, which JSON does not allow")

    return hook


def strict_json(data: bytes, name: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse the bytes of bundle file ``name`` as strict JSON.

    Raises
    ------
    ModelFormatError
        Invalid UTF-8 or JSON, nesting deeper than ``max_depth``, a repeated key in an object,
        or ``NaN``/``Infinity``.

    Examples
    --------
    >>> strict_json(b'{"format": 1}', "manifest.json")
    {'format': 1}
    >>> strict_json(b'{"a": 1, "a": 2}', "x.json")
    Traceback (most recent call last):
    ...
    skillmatch.errors.ModelFormatError: bundle file 'x.json' repeats the key 'a'
    """
    depth = json_depth(data, limit=max_depth)
    if depth > max_depth:
        raise ModelFormatError(
            f"bundle file {name!r} nests JSON deeper than {max_depth} levels; refusing it"
        )
    try:
        text = data.decode("utf-8")
        return json.loads(
            text, object_pairs_hook=_no_duplicates(name), parse_constant=_no_constant(name)
        )
    except UnicodeDecodeError as exc:
        raise ModelFormatError(
            f"bundle file {name!r} is not UTF-8: byte offset {exc.start}: {exc.reason}"
        ) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ModelFormatError(f"bundle file {name!r} is not valid JSON: {exc}") from None


def array_from_npy(data: bytes, name: str) -> NDArray[Any]:
    """A plain numeric array from the bytes of ``.npy`` file ``name`` (never unpickled).

    Raises
    ------
    ModelFormatError
        Not an ``.npy`` file, a dtype other than bool, integer or float (objects included),
        a big-endian or structured dtype, or data shorter or longer than the header says.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO(); np.save(buf, np.arange(3, dtype=np.float32))
    >>> array_from_npy(buf.getvalue(), "x.npy").tolist()
    [0.0, 1.0, 2.0]
    """
    header = _npy_header(data, name)
    dtype, shape, fortran, offset = header
    count = math.prod(shape)
    if len(data) - offset != count * dtype.itemsize:
        raise ModelFormatError(
            f"bundle file {name!r} holds {len(data) - offset} bytes of data, but its header "
            f"says shape {shape} of {dtype} ({count * dtype.itemsize} bytes): truncated or padded"
        )
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy()


def _npy_header(data: bytes, name: str) -> tuple[np.dtype[Any], tuple[int, ...], bool, int]:
    if not data.startswith(_NPY_MAGIC) or len(data) < 10:
        raise ModelFormatError(f"bundle file {name!r} is not an .npy array file")
    major = data[6]
    size_bytes = 2 if major == 1 else 4
    if major not in (1, 2, 3):
        raise ModelFormatError(f"bundle file {name!r} has .npy version {major}; expected 1-3")
    length = int.from_bytes(data[8 : 8 + size_bytes], "little")
    offset = 8 + size_bytes + length
    if offset > len(data) or length > 65_536:
        raise ModelFormatError(f"bundle file {name!r} has a truncated .npy header")
    try:
        text = data[8 + size_bytes : offset].decode("latin1" if major < 3 else "utf-8")
        meta = ast.literal_eval(text)
        dtype = np.dtype(meta["descr"]) if isinstance(meta["descr"], str) else None
        shape, fortran = tuple(meta["shape"]), meta["fortran_order"]
    except (ValueError, SyntaxError, TypeError, KeyError, MemoryError, RecursionError):
        raise ModelFormatError(f"bundle file {name!r} has an unreadable .npy header") from None
    if dtype is None or dtype.kind not in _NPY_KINDS or dtype.byteorder == ">":
        raise ModelFormatError(
            f"bundle file {name!r} has dtype {meta['descr']!r}; only little-endian bool, "
            "integer and float arrays are allowed (nothing is unpickled)"
        )
    if not all(type(n) is int and n >= 0 for n in shape) or type(fortran) is not bool:
        raise ModelFormatError(f"bundle file {name!r} has an invalid .npy shape {shape!r}")
    return dtype, shape, fortran, offset
