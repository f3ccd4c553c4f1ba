"""The allocation report: ``report.md`` and ``report.png``.

The figure has six panels: fill rate per program and per chain, each group's share of the
funded seats against its floor, the share of each group's funded workers who got their first
or one of their first three choices (so a quota does not push a group to worse programs), the
unfunded workers by reason, and the price of each quota (total fit with and without it).
matplotlib is imported inside :func:`write_report` and drawn on the Agg canvas (no pyplot).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["write_report"]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value).replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def _markdown(summary: dict[str, Any], programs: pd.DataFrame) -> str:
    groups = pd.DataFrame(summary["groups"])
    head = (
        f"# Funded-seat allocation\n\n"
        f"Method **{summary['method']}**: {summary['n_funded']:,} seats funded for "
        f"{summary['n_workers']:,} workers on {summary['n_programs']} programs "
        f"(capacity {summary['capacity_total']:,}; seat target limited by "
        f"{summary['limited_by']}). Total fit {summary['objective']:.4f}, upper bound "
        f"{summary['bound']:.4f}, certified gap {summary['gap']:.2e}. Aid spent "
        f"{summary['aid_spent']:,.0f} CNY (budget: {summary['budget']}). Quarantined input rows: "
        f"{summary['n_quarantined']}. Constraint violations: {len(summary['violations'])}.\n\n"
        "![allocation report](report.png)\n"
    )
    worst = programs.sort_values(["fill_rate", "program_id"]).head(10)
    sections = [
        ("Groups: share of the funded seats and fit", groups),
        (
            "Unfunded workers by reason",
            pd.DataFrame(list(summary["unfunded"].items()), columns=["reason", "workers"]),
        ),
        (
            "Price of each quota (total fit with and without it)",
            pd.DataFrame(summary["quota_prices"]),
        ),
        ("Fill rate per chain", pd.DataFrame(summary["chains"])),
        ("Least-filled programs", worst),
    ]
    body = "".join(
        f"\n## {title}\n\n{_table(t) if len(t) else '(none)'}\n" for title, t in sections
    )
    return head + body


def _plots(summary: dict[str, Any], programs: pd.DataFrame, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 8.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3)
    fill = programs["fill_rate"].fillna(0).sort_values(ascending=False).to_numpy()
    axes[0, 0].bar(np.arange(fill.size), fill, width=1.0)
    axes[0, 0].set(title="fill rate per program (sorted)", xlabel="program", ylim=(0, 1.05))
    chains = pd.DataFrame(summary["chains"])
    axes[0, 1].barh(chains["chain"], chains["fill_rate"])
    axes[0, 1].set(title="fill rate per chain", xlim=(0, 1.05))
    groups = pd.DataFrame(summary["groups"])
    floors = groups[groups["min_share"].notna()]
    axes[0, 2].bar(floors["group"], floors["share"], label="funded share")
    axes[0, 2].scatter(
        floors["group"],
        floors["min_share"],
        color="red",
        marker="_",
        s=900,
        label="floor",
        zorder=3,
    )
    axes[0, 2].set(title="group share of funded seats vs floor", ylim=(0, 1.05))
    axes[0, 2].legend(loc="upper right")
    x = np.arange(len(groups))
    axes[1, 0].bar(x - 0.2, groups["top1_share"].fillna(0), 0.4, label="top-1")
    axes[1, 0].bar(x + 0.2, groups["top3_share"].fillna(0), 0.4, label="top-3")
    axes[1, 0].set_xticks(x, groups["group"], rotation=20)
    axes[1, 0].set(title="funded workers who got their top-1 / top-3 choice", ylim=(0, 1.05))
    axes[1, 0].legend(loc="lower right")
    axes[1, 1].bar(list(summary["unfunded"]), list(summary["unfunded"].values()))
    axes[1, 1].set(title="unfunded workers by reason")
    prices = pd.DataFrame(summary["quota_prices"])
    if len(prices):
        lost = 100 * prices["price"] / prices["fit_without"].abs().clip(lower=1e-12)
        bars = axes[1, 2].bar(prices["quota"], lost)
        axes[1, 2].bar_label(bars, [f"{p:.4g} fit" for p in prices["price"]])
    axes[1, 2].set(title="price of each quota: % of total fit given up", ylabel="%")
    fig.savefig(path, dpi=90)


def write_report(out_dir: Path, summary: dict[str, Any], programs: pd.DataFrame) -> Path:
    """Write ``report.md`` and ``report.png`` into ``out_dir``; return the markdown path.

    ``summary`` is the content of ``summary.json`` and ``programs`` the fill table
    (:func:`skillmatch.allocate.summary.program_fill`).
    """
    _plots(summary, programs, out_dir / "report.png")
    path = out_dir / "report.md"
    path.write_text(_markdown(summary, programs), encoding="utf-8")
    return path
