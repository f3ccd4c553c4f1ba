"""The engine adapters under their historical import path; see :mod:`skillmatch.batch.engines`."""

from __future__ import annotations

from skillmatch.batch.engines import *  # noqa: F403
from skillmatch.batch.engines import __all__ as __all__
