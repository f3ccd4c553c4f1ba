"""skillmatch: course matching for industrial workers."""

from __future__ import annotations

from skillmatch._version import __version__

__all__ = ["__version__"]
