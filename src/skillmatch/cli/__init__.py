"""The ``skillmatch`` command line: :func:`main` and one module per command."""

from __future__ import annotations

from skillmatch.cli.main import main

__all__ = ["main"]
