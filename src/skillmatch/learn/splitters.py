"""Train/test splitters over an interaction log.

Private module behind :mod:`skillmatch.learn.evaluate`; the public names are re-exported there.

An interaction log is a DataFrame with at least the columns ``worker_id, program_id,
timestamp``; every other column is kept. Each splitter returns :class:`Split` frames that keep
the log's rows in their original order and with their original index, and every row of the log
lands in exactly one of ``train`` and ``test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from skillmatch.errors import SchemaError
from skillmatch.learn.metrics import require_columns

__all__ = ["Split", "split_by_program", "split_by_time", "split_by_worker", "worker_folds"]

LOG_COLUMNS: tuple[str, ...] = ("worker_id", "program_id", "timestamp")


class Split(NamedTuple):
    """A train/test pair of interaction logs.

    Attributes
    ----------
    train : DataFrame
        The rows to fit on.
    test : DataFrame
        The held-out rows.
    """

    train: pd.DataFrame
    test: pd.DataFrame


def _check_log(log: object) -> pd.DataFrame:
    return require_columns(log, LOG_COLUMNS, "log")


def _check_test_size(test_size: object) -> float:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.floating)):
        raise ValueError(f"test_size must be a float in (0, 1), got test_size={test_size!r}")
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got test_size={test_size!r}")
    return float(test_size)


def _split(log: pd.DataFrame, is_test: npt.NDArray[np.bool_], why: str) -> Split:
    if is_test.all() or not is_test.any():
        side = "train" if is_test.all() else "test"
        raise ValueError(f"the split leaves {side} empty: {why}")
    return Split(train=log.loc[~is_test], test=log.loc[is_test])


def _group_shuffle(log: pd.DataFrame, column: str, test_size: float, random_state: int) -> Split:
    groups = log[column]
    if groups.isna().any():
        raise ValueError(f"log[{column!r}] must not contain missing values")
    codes, uniques = pd.factorize(groups, sort=True)
    n_groups = len(uniques)
    if n_groups < 2:
        raise ValueError(
            f"the split leaves train empty: log has {n_groups} distinct {column} value(s); "
            "at least 2 are needed"
        )
    n_test = min(max(int(np.ceil(test_size * n_groups)), 1), n_groups - 1)
    order = np.random.default_rng(random_state).permutation(n_groups)
    test_groups = np.zeros(n_groups, dtype=bool)
    test_groups[order[:n_test]] = True
    return Split(train=log.loc[~test_groups[codes]], test=log.loc[test_groups[codes]])


def split_by_worker(log: pd.DataFrame, *, test_size: float = 0.2, random_state: int = 0) -> Split:
    """Hold out a random share of workers: no worker is in both train and test.

    Like scikit-learn's ``GroupShuffleSplit`` with the workers as groups:
    ``ceil(test_size * n_workers)`` workers (at least one, and at least one left for train),
    drawn with ``random_state``, go to test with all their rows.

    Parameters
    ----------
    log : DataFrame
        Interaction log with at least ``worker_id, program_id, timestamp``.
    test_size : float, default=0.2
        Share of workers held out, in (0, 1).
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    Split
        ``train`` and ``test`` rows of ``log``, in log order.

    Raises
    ------
    SchemaError
        If a required column is missing.
    ValueError
        If ``test_size`` is outside (0, 1) or the log has fewer than 2 workers.

    Examples
    --------
    >>> log = pd.DataFrame({"worker_id": ["a", "a", "b", "c", "d"],
    ...                     "program_id": [1, 2, 1, 3, 2], "timestamp": [1, 2, 3, 4, 5]})
    >>> train, test = split_by_worker(log, test_size=0.25)
    >>> len(train) + len(test), set(train.worker_id) & set(test.worker_id)
    (5, set())
    """
    df = _check_log(log)
    return _group_shuffle(df, "worker_id", _check_test_size(test_size), random_state)


def split_by_program(log: pd.DataFrame, *, test_size: float = 0.2, random_state: int = 0) -> Split:
    """Hold out a random share of programs (cold start): no program is in both sides.

    ``ceil(test_size * n_programs)`` programs (at least one, and at least one left for train),
    drawn with ``random_state``, go to test with all their rows.

    Parameters
    ----------
    log : DataFrame
        Interaction log with at least ``worker_id, program_id, timestamp``.
    test_size : float, default=0.2
        Share of programs held out, in (0, 1).
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    Split
        ``train`` and ``test`` rows of ``log``, in log order.

    Raises
    ------
    SchemaError
        If a required column is missing.
    ValueError
        If ``test_size`` is outside (0, 1) or the log has fewer than 2 programs.

    Examples
    --------
    >>> log = pd.DataFrame({"worker_id": ["a", "a", "b", "c", "d"],
    ...                     "program_id": [1, 2, 1, 3, 2], "timestamp": [1, 2, 3, 4, 5]})
    >>> train, test = split_by_program(log, test_size=0.3)
    >>> len(train) + len(test), set(train.program_id) & set(test.program_id)
    (5, set())
    """
    df = _check_log(log)
    return _group_shuffle(df, "program_id", _check_test_size(test_size), random_state)


def split_by_time(log: pd.DataFrame, *, test_size: float = 0.2) -> Split:
    """Cut the log at a timestamp quantile: rows at or after the cut are test.

    The cut is the ``1 - test_size`` quantile of ``timestamp`` (``interpolation="higher"``, so
    the cut is a timestamp of the log). Rows sharing the cut's timestamp all go to test, so the
    test share can exceed ``test_size`` when timestamps repeat.

    Parameters
    ----------
    log : DataFrame
        Interaction log with at least ``worker_id, program_id, timestamp``; ``timestamp`` is
        numeric or datetime and has no missing values.
    test_size : float, default=0.2
        Approximate share of rows held out, in (0, 1).

    Returns
    -------
    Split
        ``train`` (before the cut) and ``test`` (at or after it), in log order.

    Raises
    ------
    SchemaError
        If a required column is missing or ``timestamp`` is neither numeric nor datetime.
    ValueError
        If ``test_size`` is outside (0, 1), a timestamp is missing, or a side would be empty.

    Examples
    --------
    >>> log = pd.DataFrame({"worker_id": ["a", "b", "a", "c", "b"],
    ...                     "program_id": [1, 2, 3, 1, 2],
    ...                     "timestamp": pd.to_datetime(["2024-01-05", "2024-02-01",
    ...                                                  "2024-03-01", "2024-04-01",
    ...                                                  "2024-05-01"])})
    >>> train, test = split_by_time(log, test_size=0.4)
    >>> train.timestamp.max() < test.timestamp.min(), len(test)
    (True, 2)
    """
    df = _check_log(log)
    size = _check_test_size(test_size)
    stamps = df["timestamp"]
    is_time = pd.api.types.is_datetime64_any_dtype(stamps)
    if not (is_time or pd.api.types.is_numeric_dtype(stamps)) or pd.api.types.is_bool_dtype(stamps):
        raise SchemaError(f"log['timestamp'] must be numeric or datetime, got {stamps.dtype}")
    if stamps.isna().any():
        raise ValueError("log['timestamp'] must not contain missing values")
    cut = stamps.quantile(1.0 - size, interpolation="higher")
    is_test = (stamps >= cut).to_numpy(dtype=bool)
    return _split(df, is_test, f"every timestamp is >= the cut {cut!r} (test_size={size!r})")


def worker_folds(log: pd.DataFrame, n_splits: int = 5, random_state: int = 0) -> Iterator[Split]:
    """K-fold cross-validation by worker: each worker is in the test side of exactly one fold.

    Like scikit-learn's ``GroupKFold`` with shuffled groups: the workers are permuted with
    ``random_state`` and cut into ``n_splits`` nearly equal parts (by number of workers).

    Parameters
    ----------
    log : DataFrame
        Interaction log with at least ``worker_id, program_id, timestamp``.
    n_splits : int, default=5
        Number of folds, between 2 and the number of workers.
    random_state : int, default=0
        Seed of the permutation.

    Yields
    ------
    Split
        ``train`` and ``test`` rows of ``log`` for one fold, in log order.

    Raises
    ------
    SchemaError
        If a required column is missing.
    ValueError
        If ``n_splits`` is < 2 or larger than the number of workers.

    Examples
    --------
    >>> log = pd.DataFrame({"worker_id": ["a", "a", "b", "c", "d"],
    ...                     "program_id": [1, 2, 1, 3, 2], "timestamp": [1, 2, 3, 4, 5]})
    >>> folds = list(worker_folds(log, n_splits=2))
    >>> [len(f.test) for f in folds], sum(len(f.test) for f in folds)
    ([3, 2], 5)
    """
    df = _check_log(log)
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"n_splits must be an int >= 2, got n_splits={n_splits!r}")
    if df["worker_id"].isna().any():
        raise ValueError("log['worker_id'] must not contain missing values")
    codes, uniques = pd.factorize(df["worker_id"], sort=True)
    if n_splits > len(uniques):
        raise ValueError(
            f"n_splits must be <= the number of workers ({len(uniques)}), got n_splits={n_splits!r}"
        )
    order = np.random.default_rng(random_state).permutation(len(uniques))
    fold_of_worker = np.empty(len(uniques), dtype=np.int64)
    for fold, members in enumerate(np.array_split(order, n_splits)):
        fold_of_worker[members] = fold
    fold_of_row = fold_of_worker[codes]
    return (
        Split(train=df.loc[fold_of_row != fold], test=df.loc[fold_of_row == fold])
        for fold in range(n_splits)
    )
