"""Positions of ids in a short list of known ids, fast for one request and for a batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from skillmatch.core._types import IntArray

__all__ = ["SMALL_LOOKUP", "positions"]

#: Up to this many values, :func:`positions` looks them up in a dict (a pandas index costs
#: about 0.1 ms to build, more than a request's whole lookup).
SMALL_LOOKUP = 64


def positions(
    values: Sequence[object] | NDArray[np.object_], known: Sequence[str], *, missing: int = -1
) -> IntArray:
    """Position of each value in ``known`` (``missing`` for None or an unknown value).

    Examples
    --------
    >>> positions(["CN-GD", None, "CN-XX"], ["CN-AH", "CN-GD"], missing=2).tolist()
    [1, 2, 2]
    """
    if len(values) <= SMALL_LOOKUP:
        pos = {k: i for i, k in enumerate(known)}
        return np.array([pos.get(v, missing) for v in values], dtype=np.int64)  # type: ignore[arg-type]
    found = pd.Index(list(known), dtype=object).get_indexer(pd.Index(values, dtype=object))
    return np.where(found < 0, missing, found).astype(np.int64)
