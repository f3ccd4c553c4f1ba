"""Writing helpers of :func:`skillmatch.core.bundle.write_bundle`: plain arrays, strict JSON
values and the atomic replacement of a bundle directory."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from skillmatch.errors import ModelFormatError

__all__ = ["finite", "replace_dir", "write_arrays"]


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None: strict JSON, which the reader requires."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def write_arrays(directory: Path, prefix: str, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Save each array as ``<prefix>.<name>.npy``; only what the reader accepts is written."""
    for name, array in arrays.items():
        plain = np.asarray(array)
        if plain.dtype.kind not in "biuf" or plain.dtype.byteorder == ">":
            raise ModelFormatError(
                f"array {prefix}.{name} has dtype {plain.dtype}; only little-endian bool, "
                "integer and float arrays can be saved"
            )
        np.save(directory / f"{prefix}.{name}.npy", plain, allow_pickle=False)


def replace_dir(tmp: Path, target: Path) -> None:
    """Put the finished bundle ``tmp`` in place of ``target`` (renames, no partial state)."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            _rmtree(old)
        target.rename(old)
        tmp.rename(target)
        _rmtree(old)
    else:
        tmp.rename(target)


def _rmtree(path: Path) -> None:
    for child in path.iterdir():
        _rmtree(child) if child.is_dir() else child.unlink()
    path.rmdir()
