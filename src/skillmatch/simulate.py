"""The simulated world under its historical import path; see :mod:`skillmatch.sim`."""

from __future__ import annotations

from skillmatch.sim import *  # noqa: F403
from skillmatch.sim import __all__ as __all__
