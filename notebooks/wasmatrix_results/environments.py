"""The environments figure: what the environment and logging cost in the round trip and the set-up."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .axes import _label_axes, labels, sort_rows, varying_axes
from .drawing import _colours, _message_figure, _si_time, _skipped_note, _title
from .metrics import _metric, measure_of, ok_rows


def plot_environments(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """What the environment and logging cost: round trip and set-up per cell, one bar per
    (environment, logging), on the raw codec.

    Left: the round trip (the headline, with the slowest and fastest process's median as a
    line); right: set-up (median over processes), with the environment's own part
    (``environment_ns``) darker. Cells are named by the other axes that vary (compiler, engine,
    transport). ``samples`` is unused (the rows hold the medians).
    """
    title = "Environments and logging: round trip and set-up per cell (raw codec)"
    metric = _metric("rt", measure_of(rows))
    used = ok_rows(rows, metric["headline"])
    used = used[used["codec"].astype(str) == "raw"] if "codec" in used else used
    variants = [a for a in ("environment", "logging") if a in varying_axes(used)]
    if not variants:
        return _message_figure(title, "This run has one environment and one logging value.")
    used = used.assign(_variant=labels(used, variants))
    name_axes = [a for a in _label_axes(used) if a not in variants]
    used = sort_rows(used, name_axes + variants)
    names = list(dict.fromkeys(labels(used, name_axes)))
    kinds = list(dict.fromkeys(used["_variant"]))
    colours = _colours(kinds)
    height = max(3.0, 0.16 * len(names) * len(kinds) + 1.8)
    fig = Figure(figsize=(13, height), layout="constrained")
    rt_ax, setup_ax = fig.subplots(1, 2, sharey=True)
    step = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        part = used[used["_variant"] == kind]
        y = labels(part, name_axes).map(names.index).to_numpy() - 0.4 + step * (k + 0.5)
        rt_ax.barh(y, part[metric["headline"]], height=step, color=colours[kind], label=kind)
        if metric["headline"] == "rt_headline_ns":
            rt_ax.hlines(y, part["rt_proc_min_ns"], part["rt_proc_max_ns"], color="black", lw=0.8)
        if "setup_ns" in part and part["setup_ns"].notna().any():
            setup_ax.barh(y, part["setup_ns"], height=step, color=colours[kind], alpha=0.45)
            setup_ax.barh(y, part["environment_ns"].fillna(0.0), height=step, color=colours[kind])
    rt_ax.set_yticks(range(len(names)), names, fontsize=8)
    rt_ax.set_ylim(len(names) - 0.5, -0.5)
    rt_ax.set_xlabel(f"{metric['name']} ({metric['unit']})")
    rt_ax.set_title("round trip (bar: headline; line: slowest to fastest process)",
                    fontsize=9)
    setup_ax.set_xscale("log")
    setup_ax.xaxis.set_major_formatter(FuncFormatter(_si_time))
    setup_ax.set_title("set-up, log scale (dark: creating the environment)", fontsize=9)
    for ax in (rt_ax, setup_ax):
        ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncol=len(kinds), fontsize=8, frameon=False,
               title="/".join(variants))
    _title(fig, title, _skipped_note(rows[rows["codec"].astype(str) == "raw"], used))
    return fig
