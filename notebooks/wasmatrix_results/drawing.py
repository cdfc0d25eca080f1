"""What every figure shares: colours per name, time tick labels, when a log scale reads better,
titles, the note on the cells a figure leaves out, and the figure that says why it is empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def _colours(names) -> dict:
    """A stable colour per name, in the given order (tab10, or tab20 beyond ten)."""
    from matplotlib import colormaps
    names = list(dict.fromkeys(names))
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


def _si_time(value, _pos=None) -> str:
    """Tick label for a time in ns: 500 ns, 2 µs, 10 ms, 1 s."""
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if abs(value) >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} ns"


def _spans_decades(values) -> bool:
    """True when positive values span more than a factor of 20 (then a log scale reads better)."""
    values = np.asarray(pd.Series(values).dropna(), dtype=float)
    values = values[values > 0]
    return len(values) > 1 and values.max() / values.min() > 20


def _message_figure(title: str, message: str) -> Figure:
    """A small figure that only says why there is nothing to plot."""
    fig = Figure(figsize=(8, 2.5), layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    fig.suptitle(title)
    return fig


def _skipped_note(rows: pd.DataFrame, used: pd.DataFrame) -> str:
    """Names how many cells a plot leaves out because they are not ok or not measured."""
    failed = int((rows["status"] != "ok").sum())
    missing = int(((rows["status"] == "ok") & ~rows.index.isin(used.index)).sum())
    notes = []
    if failed:
        notes.append(f"{failed} cell(s) not ok, left out (see failures())")
    if missing:
        notes.append(f"{missing} ok cell(s) without this figure left out")
    return "; ".join(notes)


def _title(fig: Figure, title: str, subtitle: str = "") -> None:
    """A bold title with an optional smaller second line."""
    fig.suptitle(title + (f"\n{subtitle}" if subtitle else ""), fontsize=11)
