"""Figure a, start-up: the phases a measured worker process goes through, stacked per cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .axes import _facet_axis, _facet_rows, _facet_title, _label_axes, _ordered_values, labels, sort_rows
from .drawing import _message_figure, _si_time, _skipped_note, _title
from .metrics import measure_of, ok_rows

PHASES = (
    ("process_start_ns", "process start (spawn → main)"),
    ("worker_start_ns", "worker start (job, pin, cap)"),
    ("engine_ns", "create engine"),
    ("compile_ns", "compile (in process)"),
    ("load_ns", "load artifacts"),
    ("environment_ns", "create environment (WASI)"),
    ("instantiate_ns", "instantiate"),
    ("first_round_trip_ns", "first round trip"),
)
"""Start-up phases in the order a worker goes through them, with their legend labels."""

PHASE_COLOURS = ("#bbbbbb", "#8c8c8c", "#937860", "#4c72b0", "#55a868", "#8172b3", "#dd8452", "#c44e52")


def plot_startup(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Start-up phases per cell, stacked, log scale; one panel per facet axis value (transport).

    Bars: the median over processes of each phase a measured process goes through (from schema
    13 the process's start, the worker's start and the engine's creation; then compile in process
    for ``jit``, load artifacts for ``artifact``, instantiate, first round trip).
    Markers: the cold start (spawn to ready, the whole worker process) and, for ``artifact``
    cells, the one ahead-of-time compile in the precompile process (not part of a process's
    start-up, so not stacked). ``samples`` is unused (the rows hold the medians).
    """
    title = "Start-up per cell: phases of a measured worker process (median over processes)"
    if measure_of(rows) == "instructions":
        return _message_figure(title, "Start-up phases are timed only under the wall clock; "
                                      "this run counted instructions (--measure instructions).")
    used = ok_rows(rows, "setup_ns")
    if used.empty:
        return _message_figure(title, "No ok cell has start-up figures.")
    facet = _facet_axis(used)
    axes_in_label = _label_axes(used, exclude=(facet,))
    used = sort_rows(used, axes_in_label)
    bar_labels = list(dict.fromkeys(labels(used, axes_in_label)))
    facets = _ordered_values(used, facet)
    height = max(3.0, (0.26 if len(bar_labels) <= 40 else 0.2) * len(bar_labels) + 1.8)
    fig = Figure(figsize=(6.2 * len(facets) + 1.5, height), layout="constrained")
    panels = fig.subplots(1, len(facets), sharey=True, sharex=True, squeeze=False)[0]
    positive = used[[p for p, _ in PHASES] + ["cold_start_ns"]].to_numpy(dtype=float)
    low = np.nanmin(np.where(positive > 0, positive, np.nan)) / 2
    high = np.nanmax(positive) * 2
    # From schema 13 the phases before the set-up are timed, and the bars start at the spawn.
    start = "the spawn" if used["process_start_ns"].notna().any() else "the start of set-up"
    for ax, value in zip(panels, facets):
        part = _facet_rows(used, facet, value)
        y = pd.Series(labels(part, axes_in_label).map(bar_labels.index).to_numpy(),
                      index=part.index)
        _draw_phases(ax, part, y)
        ax.set_xscale("log")
        ax.set_xlim(low, high)
        ax.xaxis.set_major_formatter(FuncFormatter(_si_time))
        ax.set_yticks(range(len(bar_labels)), bar_labels, fontsize=8)
        ax.set_ylim(len(bar_labels) - 0.5, -0.5)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_xlabel(f"time from {start}, log scale (ns, µs, ms, s)")
        ax.set_title(_facet_title(facet, value), fontsize=10)
    panels[0].set_ylabel("/".join(axes_in_label) or "cell")
    fig.legend(handles=_phase_handles(used), loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    subtitle = "stacked on a log scale: each segment ends at the running total of the phases"
    note = _skipped_note(rows, used)
    _title(fig, title, subtitle + (f"\n{note}" if note else ""))
    return fig


def _phase_handles(used: pd.DataFrame) -> list:
    """Legend entries of _draw_phases: a colour per phase that some row of ``used`` has (files
    before schema 13 have no process, worker or engine start), the cold start and the AOT compile."""
    handles = [Patch(color=c, label=l) for (p, l), c in zip(PHASES, PHASE_COLOURS) if used[p].notna().any()]
    return handles + [Line2D([], [], marker="D", color="black", ls="", label="cold start: spawn → "
                                                                               "ready (whole process)"),
                      Line2D([], [], marker="o", mfc="none", mec="black", ls="",
                             label="compile ahead of time (artifact, once per cell)")]


def _draw_phases(ax, part: pd.DataFrame, y: pd.Series) -> None:
    """Stacked horizontal bars of the phases of ``part`` at rows ``y``, plus the markers."""
    ahead = part["load_ns"].notna()
    left = pd.Series(0.0, index=part.index)
    for (column, _), colour in zip(PHASES, PHASE_COLOURS):
        if part[column].isna().all():
            continue
        width = part[column].where(~(ahead & (column == "compile_ns"))).fillna(0.0)
        ax.barh(y, width, left=left, color=colour, height=0.7)
        left += width
    ax.plot(part["cold_start_ns"], y, "D", color="black", ms=4)
    aot = part[ahead]
    ax.plot(aot["compile_ns"], y[aot.index], "o", mfc="none", mec="black", ms=5)
