"""The public API is exactly ``skillmatch.__all__``, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import skillmatch


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in vars(skillmatch) if not n.startswith("_") or n == "__version__"}
    submodules = {n for n in public if type(getattr(skillmatch, n)).__name__ == "module"}
    assert sorted(skillmatch.__all__) == skillmatch.__all__
    assert set(skillmatch.__all__) == public - submodules - {"annotations"}


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "skillmatch.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"skillmatch {skillmatch.__version__}"


def test_import_loads_no_heavy_optional_dependency() -> None:
    code = (
        "import sys, skillmatch; heavy = ['torch', 'sentence_transformers', 'fastapi', "
        "'pyspark', 'dask', 'matplotlib', 'bm25s']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
