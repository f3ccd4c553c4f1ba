"""The folder tree is the layering: contracts hold and no import cycle exists anywhere.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are also run by
``make check``. The cycle check covers every import grimp sees, including imports inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import skillmatch

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("text", "core", "learn", "allocate", "sim", "batch", "service", "cli")


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere() -> None:
    graph = grimp.build_graph("skillmatch", cache_dir=None)
    assert _cycles(graph) == []


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_is_a_folder_with_a_public_api(layer: str) -> None:
    folder = ROOT / "src" / "skillmatch" / layer
    assert (folder / "__init__.py").is_file()
    module = __import__(f"skillmatch.{layer}", fromlist=["__all__"])
    assert sorted(module.__all__) == sorted(set(module.__all__))
    assert all(hasattr(module, name) for name in module.__all__)


def test_evaluate_is_both_the_function_and_the_module() -> None:
    import skillmatch.evaluate as module
    from skillmatch import evaluate
    from skillmatch.learn import compute_metrics

    assert evaluate is module is skillmatch.evaluate
    assert callable(evaluate)
    assert skillmatch.evaluate.compute_metrics is compute_metrics
