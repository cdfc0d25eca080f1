"""What the question figures share: a README-wide figure, horizontal bars with their interval and
value, a native twin's mark, a time (or instruction count) axis, and the caption under it all."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter, FuncFormatter, LogLocator

from ..drawing import _colours, _si_time, _spans_decades
from ..metrics import measure_of

WIDTH_IN = 8.0
"""Every question figure is this wide (8 in: 576 pt, about 770 px where a README is 800)."""

BAR_IN = 0.3
"""Height per bar; the figure grows with its bars."""

TWIN = {"marker": "|", "color": "black", "ms": 14, "mew": 2, "ls": ""}
"""How a native twin is marked on a bar."""


FOOTER_IN = 0.55
"""Height of the footer under the panels and their legend: what is held and the caption."""


def new_figure(bars: int, panels: int = 1, widths=None) -> tuple[Figure, list]:
    """A README-wide figure with ``panels`` panels side by side sharing the bars' rows, and a
    footer below them (``fig.subfigs[1]``, written by finish)."""
    height = 2.0 + BAR_IN * bars
    fig = Figure(figsize=(WIDTH_IN, height + FOOTER_IN), layout="constrained")
    main, _ = fig.subfigures(2, 1, height_ratios=[height, FOOTER_IN])
    axs = main.subplots(1, panels, sharey=True, squeeze=False, width_ratios=widths)[0]
    return fig, list(axs)


def finish(fig: Figure, title: str, held: str, footer: str) -> Figure:
    """The title on top; in the footer, what is held (wrapped) and the caption (run, CPU)."""
    fig.suptitle(title, fontsize=11, weight="bold")
    lines = [textwrap.fill(held, 135)] if held else []
    fig.subfigs[1].text(0.01, 0.5, "\n".join([*lines, footer]), ha="left", va="center", fontsize=7.5,
                        color="0.3", linespacing=1.5)
    return fig


def fmt(value: float, rows: pd.DataFrame) -> str:
    """A value as written beside its bar: ``2.24 µs`` (or ``1.2 k`` instructions)."""
    if measure_of(rows) == "instructions":
        return EngFormatter(places=1)(value)
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} ns"


def value_axis(ax, rows: pd.DataFrame, values, what: str = "round trip") -> None:
    """The value axis: times as ns/µs/ms (or instructions), log when the values span decades."""
    log = _spans_decades(values)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    if measure_of(rows) == "instructions":
        ax.xaxis.set_major_formatter(EngFormatter())
        unit = "instructions"
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(_si_time))
        unit = "time"
    ax.set_xlabel(f"{what}, {unit}{', log scale' if log else ''} (lower is better)", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)


def bars(ax, frame: pd.DataFrame, value: str, colours: pd.Series, labels: pd.Series,
         span=None, twin: str | None = None) -> None:
    """One horizontal bar per row of ``frame`` (top to bottom in its order), its value written
    beside it, ``span`` (low, high) as an error bar, ``twin`` (a column) as a black mark."""
    y = np.arange(len(frame))
    ax.barh(y, frame[value], color=colours.to_list(), height=0.7)
    if span is not None:
        low, high = (s.reindex(frame.index) for s in span)
        err = np.vstack([frame[value] - low, high - frame[value]]).clip(min=0)
        ax.errorbar(frame[value], y, xerr=np.nan_to_num(err), fmt="none", ecolor="0.2", capsize=2, lw=1)
    if twin is not None and frame[twin].notna().any():
        ax.plot(frame[twin], y, **TWIN)
    for position, number in zip(y, frame[value]):
        if pd.notna(number):
            ax.annotate(fmt(number, frame), (number, position), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7.5)
    ax.set_yticks(y, labels.to_list(), fontsize=8.5)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.margins(x=0.12)


def palette(keys: pd.Series, order) -> tuple[pd.Series, list]:
    """A colour per row by ``keys`` (``order`` fixes which colour each key gets) and legend handles."""
    colours = _colours(order)
    handles = [Patch(color=colours[k], label=k) for k in order if k in set(keys)]
    return keys.map(colours), handles


def legend(fig: Figure, handles: list, twin: bool, interval: bool) -> None:
    """The legend under the panels: colours, the twin's mark, what the error bars are."""
    handles = list(handles)
    if twin:
        handles.append(Line2D([], [], **TWIN, label="native twin"))
    if interval:
        handles.append(Line2D([], [], color="0.2", marker="|", ms=6, lw=1, label="95% interval"))
    if handles:
        fig.subfigs[0].legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6),
                              fontsize=8, frameon=False)
