"""``python -m skillmatch.cli``: the same as the ``skillmatch`` command."""

from __future__ import annotations

import sys

from skillmatch.cli.main import main

sys.exit(main())
