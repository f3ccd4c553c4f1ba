"""Markdown report and PNG plots of an evaluation table.

Private module behind :mod:`skillmatch.learn.evaluate`; :func:`write_report` is re-exported there.
matplotlib is imported inside the plotting helpers only, so importing skillmatch stays cheap.
Figures are drawn on matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``),
without pyplot: no window opens, and the host process's matplotlib backend and global figure
state are left untouched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skillmatch.learn.metrics import require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["write_report"]

_RESULT_COLUMNS: tuple[str, ...] = ("model", "metric", "group", "value")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    return str(value).replace("|", "\\|")


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table of ``table`` (its index becomes the first columns)."""
    flat = table.reset_index()
    header = [str(c) for c in flat.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in flat.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _overall(results: pd.DataFrame) -> pd.DataFrame:
    rows = results[results["group"] == "all"]
    return rows.pivot_table(
        index="model", columns="metric", values="value", sort=False, dropna=False
    )


def _by_group(results: pd.DataFrame) -> pd.DataFrame:
    rows = results[results["group"] != "all"]
    return rows.pivot_table(
        index=["metric", "group"], columns="model", values="value", sort=False, dropna=False
    )


def _new_figure(width: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, 4.0), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _grouped_bars(table: pd.DataFrame, path: Path, title: str, parity: bool = False) -> None:
    """Bars of ``table``'s columns (one colour each) at each of its index labels."""
    fig = _new_figure(max(6.0, 0.9 * len(table.index) * max(1, len(table.columns)) ** 0.5))
    ax = fig.add_subplot()
    x = np.arange(len(table.index))
    width = 0.8 / max(1, len(table.columns))
    for i, column in enumerate(table.columns):
        offset = (i - (len(table.columns) - 1) / 2) * width
        ax.bar(x + offset, table[column].to_numpy(dtype=float), width, label=str(column))
    if parity:
        ax.axhline(1.0, color="black", linewidth=1, linestyle="--", label="parity")
    ax.set_xticks(x, [str(v) for v in table.index], rotation=30, ha="right")
    ax.set_title(title)
    ax.legend(fontsize="small")
    fig.savefig(path, dpi=100)


def _group_plot_rows(results: pd.DataFrame) -> tuple[pd.DataFrame, str, bool]:
    rows = results[results["group"] != "all"]
    exposure = rows[rows["metric"].str.startswith("exposure_ratio")]
    if len(exposure):
        metric = str(exposure["metric"].iloc[0])
        title, parity = f"{metric} by group (1.0 = parity)", True
    else:
        metric = str(rows["metric"].iloc[0])
        title, parity = f"{metric} by group", False
    chosen = rows[rows["metric"] == metric]
    table = chosen.pivot_table(
        index="group", columns="model", values="value", sort=False, dropna=False
    )
    return table, title, parity


def _score_histograms(scores: Mapping[str, np.ndarray], path: Path) -> None:
    fig = _new_figure(6.0)
    ax = fig.add_subplot()
    for model, values in scores.items():
        data = np.asarray(values, dtype=np.float64).reshape(-1)
        data = data[np.isfinite(data)]
        ax.hist(data, bins=30, alpha=0.5, label=str(model))
    ax.set_xlabel("score")
    ax.set_ylabel("count")
    ax.set_title("Score distribution by model")
    ax.legend(fontsize="small")
    fig.savefig(path, dpi=100)


def _check_results(results: object) -> pd.DataFrame:
    df = require_columns(results, _RESULT_COLUMNS, "results")
    if df.empty:
        raise ValueError("results must hold at least one row, got an empty DataFrame")
    return df


def write_report(
    results: pd.DataFrame,
    out_dir: str | PathLike[str],
    *,
    scores: Mapping[str, np.ndarray] | None = None,
) -> Path:
    """Write a markdown report with plots of an :func:`evaluate` table.

    Files written to ``out_dir`` (created if missing, existing files replaced):

    - ``report.md``: a table of the overall metrics by model and, if the results hold group
      rows, a table by metric and group;
    - ``metrics_by_model.png``: grouped bars of the overall metrics, one colour per model;
    - ``exposure_by_group.png`` (if group rows are present): the ``exposure_ratio`` rows by
      group with a parity line at 1.0, or the first group metric if there are none;
    - ``score_distribution.png`` (if ``scores`` is given): a histogram of each model's scores.

    Parameters
    ----------
    results : DataFrame
        Columns ``model, metric, group, value`` as returned by :func:`evaluate`.
    out_dir : str or path-like
        Output directory.
    scores : mapping of str to ndarray, optional
        Model name -> array of raw ranker scores.

    Returns
    -------
    Path
        The path of ``report.md``.

    Raises
    ------
    SchemaError
        If ``results`` lacks one of its columns.
    ValueError
        If ``results`` is empty.

    Examples
    --------
    >>> import tempfile
    >>> results = pd.DataFrame({"model": ["a", "b"], "metric": ["ndcg@10", "ndcg@10"],
    ...                         "group": ["all", "all"], "value": [0.41, 0.52]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_report(results, tmp)
    ...     print(path.name, sorted(p.name for p in path.parent.iterdir()))
    report.md ['metrics_by_model.png', 'report.md']
    """
    df = _check_results(results)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = ["# Evaluation report", "", *_overall_section(df, out), *_group_section(df, out)]
    if scores is not None:
        parts += _score_section(scores, out)
    path = out / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _overall_section(df: pd.DataFrame, out: Path) -> list[str]:
    """Overall metrics by model: table and ``metrics_by_model.png`` (none without rows)."""
    overall = _overall(df)
    if not len(overall):
        return []
    _grouped_bars(overall.T, out / "metrics_by_model.png", "Metrics by model")
    return [
        "## Metrics by model",
        "",
        markdown_table(overall),
        "",
        "![metrics by model](metrics_by_model.png)",
        "",
    ]


def _group_section(df: pd.DataFrame, out: Path) -> list[str]:
    """Metrics by group: table and ``exposure_by_group.png`` (none without group rows)."""
    if not (df["group"] != "all").any():
        return []
    table, title, parity = _group_plot_rows(df)
    _grouped_bars(table, out / "exposure_by_group.png", title, parity=parity)
    return [
        "## Metrics by group",
        "",
        markdown_table(_by_group(df)),
        "",
        "![exposure by group](exposure_by_group.png)",
        "",
    ]


def _score_section(scores: Mapping[str, np.ndarray], out: Path) -> list[str]:
    """Histogram of each model's scores in ``score_distribution.png``."""
    _score_histograms(scores, out / "score_distribution.png")
    return ["## Score distribution", "", "![scores](score_distribution.png)", ""]
