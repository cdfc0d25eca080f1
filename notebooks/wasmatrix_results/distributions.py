"""Figures b and c, distributions: every raw sample and each process's median of the round trip
and of the call floor, per cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .axes import (_facet_axis, _facet_rows, _facet_title, _label_axes, _ordered_values, labels, sort_rows,
                   varying_axes)
from .drawing import _colours, _message_figure, _skipped_note, _spans_decades, _title
from .metrics import _metric, measure_of, ok_rows, process_medians
from .schema import KEY

NOISY_HATCH = "////"


def plot_round_trip(rows: pd.DataFrame, samples: pd.DataFrame) -> Figure:
    """Round trip per cell, grouped by codec, one panel per transport (see _plot_distribution)."""
    return _plot_distribution(rows, samples, "rt")


def plot_call_floor(rows: pd.DataFrame, samples: pd.DataFrame) -> Figure:
    """The call floor (a bare host→guest call) per cell, the same way as plot_round_trip."""
    return _plot_distribution(rows, samples, "call_floor")


def _plot_distribution(rows: pd.DataFrame, samples: pd.DataFrame, what: str) -> Figure:
    """Boxes of every raw sample of each cell, dots for each process's median.

    One panel per value of the facet axis (transport), boxes grouped along x by codec, coloured
    by the other varying axes (compiler/engine, ...). The box spans the quartiles of all samples,
    its line is their median, whiskers reach the 1st and 99th percentiles; a diamond (in the
    cell's colour, so it shows even where a box collapses to a line) is the row's headline (HEADLINES: the p10 over processes of each process's p2, p10 in schema 8; before schema 8 the median of the per-process medians). Noisy cells (95% interval
    of the headline wider than ±noisy_ci_pct) are hatched and marked "~".
    """
    measure = measure_of(rows)
    metric = _metric(what, measure)
    title = f"{metric['title']} per cell ({metric['unit']}): " \
            f"spread of raw samples and of processes"
    used = ok_rows(rows, metric["headline"])
    used = used[used["measure"].astype(str) == measure]
    if used.empty:
        return _message_figure(title, f"No ok cell has {metric['headline']}.")
    facet = _facet_axis(used, exclude=("codec",))
    group = "codec" if "codec" in varying_axes(used) else None
    hue_axes = _label_axes(used, exclude=(facet, group))
    used = sort_rows(used, hue_axes)
    used = used.assign(_hue=labels(used, hue_axes))
    colours = _colours(used["_hue"])
    raw = samples[samples["metric"] == metric["sample"]]
    raw_by_cell = {k: g["value"].to_numpy() for k, g in raw.groupby(KEY)}
    medians = process_medians(samples, metric["sample"])
    medians_by_cell = {k: g["value"].to_numpy() for k, g in medians.groupby(KEY)}
    facets = _ordered_values(used, facet)
    groups = _ordered_values(used, group)
    boxes = max(len(_facet_rows(used, facet, v)) for v in facets)
    width = min(22.0, max(7.0, 0.42 * boxes + 0.5 * len(groups) + 3.5))
    fig = Figure(figsize=(width, 3.4 * len(facets) + 1.4), layout="constrained")
    panels = fig.subplots(len(facets), 1, sharey=True, squeeze=False)[:, 0]
    for ax, value in zip(panels, facets):
        part = _facet_rows(used, facet, value)
        _draw_boxes(ax, part, group, groups, colours, raw_by_cell, medians_by_cell, metric)
        ax.set_title(_facet_title(facet, value), fontsize=10)
        ax.set_ylabel(f"{metric['name']} ({metric['unit']})")
        ax.grid(axis="y", alpha=0.3)
    if _spans_decades(used[metric["headline"]]):
        panels[0].set_yscale("log")
        panels[0].yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        panels[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        panels[0].yaxis.set_minor_formatter(NullFormatter())
        for ax in panels:
            ax.set_ylabel(f"{metric['name']} ({metric['unit']}, log scale)")
    if group:
        panels[-1].set_xlabel(group)
    handles = [Patch(facecolor=c, alpha=0.6, label=h) for h, c in colours.items()]
    handles += [
        Line2D([], [], marker=".", color="black", ls="", label="one process's median"),
        Line2D([], [], marker="D", mfc="lightgrey", mec="black", ls="",
               label=f"headline ({metric['headline']})"),
        Patch(facecolor="white", edgecolor="black", hatch=NOISY_HATCH,
              label="~ noisy (95% interval too wide)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", fontsize=8, frameon=False,
               ncol=min(5, len(handles)), title="/".join(hue_axes) or None, title_fontsize=8)
    subtitle = f"{metric['note']}; box: quartiles of all samples, whiskers 1st–99th percentile"
    note = _skipped_note(rows, used)
    _title(fig, title, subtitle + (f"\n{note}" if note else ""))
    return fig


def _draw_boxes(ax, part, group, groups, colours, raw_by_cell, medians_by_cell, metric) -> None:
    """One panel of _plot_distribution: boxes and dots of ``part``, grouped along x."""
    rng = np.random.default_rng(0)
    position, ticks, tick_labels = 0.0, [], []
    for value in groups:
        cells = _facet_rows(part, group, value)
        if cells.empty:
            continue
        start = position
        for _, row in cells.iterrows():
            key = (row["run_id"], row["cell"])
            _draw_one_box(ax, position, row, raw_by_cell.get(key), colours[row["_hue"]],
                          metric)
            dots = medians_by_cell.get(key)
            if dots is not None and len(dots):
                jitter = rng.uniform(-0.22, 0.22, len(dots))
                ax.plot(position + jitter, dots, ".", color="black", ms=3, alpha=0.6, zorder=3)
            ax.plot([position], [row[metric["headline"]]], "D", mfc=colours[row["_hue"]],
                    mec="black", ms=5, zorder=4)
            position += 1
        ticks.append((start + position - 1) / 2)
        tick_labels.append(str(value) if value is not None else "")
        ax.axvline(position - 0.25, color="grey", lw=0.5, alpha=0.5)
        position += 0.5
    ax.set_xticks(ticks, tick_labels)
    ax.set_xlim(-0.75, position - 0.5)


def _draw_one_box(ax, position, row, values, colour, metric) -> None:
    """The box of one cell's raw samples, hatched and marked "~" when the cell is noisy."""
    top = row[metric["headline"]]
    if values is not None and len(values):
        artists = ax.boxplot([values], positions=[position], widths=0.7, whis=(1, 99),
                             showfliers=False, patch_artist=True, manage_ticks=False,
                             medianprops={"color": "black"})
        box = artists["boxes"][0]
        box.set_facecolor(colour)
        box.set_alpha(0.6)
        if row["noisy"]:
            box.set_hatch(NOISY_HATCH)
        top = max(top, np.percentile(values, 99))
    if row["noisy"]:
        ax.annotate("~", (position, top), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=12, fontweight="bold")
