"""Argument checks shared by the simulator's public entry points."""

from __future__ import annotations

__all__ = ["check_int"]


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) in ``[low, high]``, else a ValueError naming it.

    Examples
    --------
    >>> check_int("n_workers", 3, 0)
    3
    >>> check_int("seed", True, 0)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an int >= 0, got seed=True
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an int {bound}, got {name}={value!r}")
    return value
