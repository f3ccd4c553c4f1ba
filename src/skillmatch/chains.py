"""Chains under their historical import path; see :mod:`skillmatch.core.chains`."""

from __future__ import annotations

from skillmatch.core.chains import *  # noqa: F403
from skillmatch.core.chains import __all__ as __all__
