"""The question figures, one question each, on the cells that answer it: which back-end per
runtime, which transport, which codec, what set-up costs, what a component costs, what isolated
memories in one module cost.

Each takes a run's rows and its name (the results file's stem, for the caption) and returns a
Figure, or raises Unanswered saying why the run cannot answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..axes import VALUE_ORDER, labels, sort_rows
from ..drawing import _colours, _si_time
from ..metrics import measure_of, ok_rows
from ..startup import PHASES, _draw_phases, _phase_handles
from .bars import bars, finish, fmt, legend, new_figure, palette, value_axis
from .slicing import (Unanswered, best_per, caption, column, component_transports, hold, interval, measured,
                      with_twins)

BY = " · "
"""Joins the axis values naming a bar."""


def backend(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip per runtime and compiler (back-end), the native twin as a line."""
    value = column(rows, "rt")
    answer = hold(measured(rows), ["runtime", "compiler"], ok_rows(rows))
    frame = _grouped(with_twins(answer.rows, rows), "runtime", value)
    _enough(frame, ["runtime", "compiler"], "back-end")
    colours, _ = palette(frame["runtime"], VALUE_ORDER["runtime"])
    fig, (ax,) = new_figure(len(frame))
    bars(ax, frame, value, colours, labels(frame, ["runtime", "compiler"]).str.replace("/", BY),
         interval(frame))
    twin = _twin_line(ax, frame)
    value_axis(ax, rows, _extent(frame, value, "native"))
    legend(fig, twin, twin=False, interval=interval(frame) is not None)
    return finish(fig, "Which back-end? Round trip per runtime and compiler", answer.held_text(),
                  caption(rows, run, _headline_note(rows)))


def transport(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip per runtime (its fastest back-end) and transport."""
    value = column(rows, "rt")
    wasm = measured(rows)
    fastest = best_per(hold(wasm, ["runtime", "compiler"], ok_rows(rows)).rows, "runtime", value)
    chosen = wasm.set_index(["runtime", "compiler"]).index.isin(fastest.set_index(["runtime", "compiler"]).index)
    answer = hold(wasm[chosen], ["runtime", "compiler", "transport"], ok_rows(rows))
    frame = _grouped(with_twins(answer.rows, rows), "runtime", value)
    _enough(frame, ["transport"], "transport")
    colours, handles = palette(frame["transport"], VALUE_ORDER["transport"])
    names = frame["runtime"] + " (" + frame["compiler"] + ")" + BY + frame["transport"]
    fig, (ax,) = new_figure(len(frame))
    bars(ax, frame, value, colours, names, interval(frame), twin="native")
    value_axis(ax, rows, _extent(frame, value, "native"))
    legend(fig, handles, twin=frame["native"].notna().any(), interval=interval(frame) is not None)
    held = "; ".join(p for p in ("each runtime's fastest back-end (1-backend)", answer.held_text()) if p)
    return finish(fig, "Which transport? Round trip per runtime and transport", held,
                  caption(rows, run, _headline_note(rows)))


def codec(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip per codec, and beside it what encoding and decoding one record cost."""
    value = column(rows, "rt")
    answer = hold(measured(rows), ["codec"], ok_rows(rows))
    frame = with_twins(answer.rows, rows).sort_values(value)
    _enough(frame, ["codec"], "codec")
    parts = [column(rows, "encode"), column(rows, "decode")]
    coded = frame[parts].notna().any(axis=None)
    fig, axs = new_figure(len(frame), 2 if coded else 1, [3, 2] if coded else None)
    names = frame["codec"].astype(str)
    tones = _colours(["round trip", "encode", "decode"])
    colours = pd.Series([tones["round trip"]] * len(frame), index=frame.index)
    bars(axs[0], frame, value, colours, names, interval(frame), twin="native")
    value_axis(axs[0], rows, _extent(frame, value, "native"))
    handles = []
    if coded:
        handles = _encode_decode(axs[1], frame, parts, rows, tones)
    legend(fig, handles, twin=frame["native"].notna().any(), interval=interval(frame) is not None)
    return finish(fig, "Which codec? Round trip per codec" + (", and encode + decode" if coded else ""),
                  answer.held_text(), caption(rows, run, _headline_note(rows)))


def setup(rows: pd.DataFrame, run: str) -> Figure:
    """Set-up of a fresh worker process per runtime, compiler and engine, phase by phase."""
    if measure_of(rows) == "instructions":
        raise Unanswered("set-up is timed only under the wall clock; this run counted instructions")
    free = ["runtime", "compiler", "engine"]
    answer = hold(ok_rows(rows, "setup_ns"), free, ok_rows(rows))
    frame = answer.rows.sort_values("setup_ns")
    _enough(frame, free, "set-up")
    fig, (ax,) = new_figure(len(frame))
    y = pd.Series(np.arange(len(frame)), index=frame.index)
    _draw_phases(ax, frame, y)
    ax.set_xscale("log")
    ax.set_xlim(left=frame[[p for p, _ in PHASES]].where(lambda v: v > 0).min(axis=None) / 2)
    start = "the spawn" if frame["process_start_ns"].notna().any() else "the start of set-up"
    ax.xaxis.set_major_formatter(FuncFormatter(_si_time))
    ax.set_yticks(y, labels(frame, free).str.replace("/", BY).to_list(), fontsize=8.5)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"time from {start}, log scale (lower is better)", fontsize=9)
    fig.subfigs[0].legend(handles=_phase_handles(frame), loc="outside lower center", ncol=3, fontsize=7.5,
                          frameon=False)
    return finish(fig, "What does set-up cost? A fresh worker process, phase by phase",
                  "; ".join(p for p in ("phases stacked (medians over processes)", answer.held_text()) if p),
                  caption(rows, run, _setup_bars(frame)))


def _setup_bars(frame: pd.DataFrame) -> str:
    """What the set-up figure's bars are made of: from schema 13 the cold start's phases before the
    set-up too."""
    before = "process_start_ns, worker_start_ns, engine_ns, " if frame["process_start_ns"].notna().any() else ""
    return f"bars: {before}setup_ns and first_round_trip_ns; ◆ cold_start_ns"


def component(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip and set-up of the Component Model's transports beside the core module's."""
    value = column(rows, "rt")
    wasm = measured(rows)
    components = component_transports(wasm)
    if not components:
        raise Unanswered("the run has no Component Model cells (no transport read against another's twin)")
    theirs = wasm[wasm["transport"].isin(components)]
    free = ["transport", "codec", "call"]
    answer = hold(wasm[wasm["runtime"].isin(theirs["runtime"]) & wasm["codec"].isin(theirs["codec"])], free,
                  ok_rows(rows))
    frame = with_twins(answer.rows, rows).sort_values(value)
    colours, handles = palette(frame["transport"], VALUE_ORDER["transport"])
    names = labels(frame, [a for a in free if frame[a].nunique() > 1]).str.replace("/", BY)
    timed = measure_of(rows) != "instructions" and frame["setup_ns"].notna().any()
    fig, axs = new_figure(len(frame), 2 if timed else 1, [3, 2] if timed else None)
    bars(axs[0], frame, value, colours, names, interval(frame), twin="native")
    value_axis(axs[0], rows, _extent(frame, value, "native"))
    if timed:
        bars(axs[1], frame, "setup_ns", colours, names)
        value_axis(axs[1], rows, frame["setup_ns"], "set-up")
    legend(fig, handles, twin=frame["native"].notna().any(), interval=interval(frame) is not None)
    return finish(fig, "What does a component cost? Component Model transports beside core modules",
                  answer.held_text(), caption(rows, run, _headline_note(rows)))


def isolation(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip of the merged pair (two memories in one module) beside copy and shared, per
    runtime (the compilers it has a merged cell with) and call pattern."""
    value = column(rows, "rt")
    wasm = measured(rows)
    merged = wasm[wasm["transport"] == "merged"]
    if merged.empty:
        raise Unanswered("the run has no merged cells (transport merged: isolated memories in one module)")
    mine = wasm.set_index(["runtime", "compiler"]).index.isin(merged.set_index(["runtime", "compiler"]).index)
    free = ["runtime", "compiler", "transport", "call"]
    answer = hold(wasm[mine & wasm["transport"].isin(["copy", "shared", "merged"])], free, ok_rows(rows))
    frame = _grouped(with_twins(answer.rows, rows), "runtime", value)
    _enough(frame, ["transport"], "transport")
    colours, handles = palette(frame["transport"], VALUE_ORDER["transport"])
    names = labels(frame, [a for a in free if frame[a].nunique() > 1]).str.replace("/", BY)
    fig, (ax,) = new_figure(len(frame))
    bars(ax, frame, value, colours, names, interval(frame), twin="native")
    value_axis(ax, rows, _extent(frame, value, "native"))
    legend(fig, handles, twin=frame["native"].notna().any(), interval=interval(frame) is not None)
    return finish(fig, "What does isolation cost? The merged pair beside copy and shared", answer.held_text(),
                  caption(rows, run, _headline_note(rows)))


def _grouped(frame: pd.DataFrame, group: str, value: str) -> pd.DataFrame:
    """``frame`` in groups, the group with the lowest ``value`` first, each sorted by ``value``."""
    best = frame.groupby(group)[value].transform("min")
    return frame.assign(_best=best).sort_values(["_best", group, value]).drop(columns="_best")


def _enough(frame: pd.DataFrame, axes, what: str) -> None:
    """Raises Unanswered unless ``frame`` holds at least two combinations of ``axes``."""
    if len(frame[list(axes)].drop_duplicates()) < 2:
        found = ", ".join(f"{a} {', '.join(map(str, frame[a].unique()))}" for a in axes) or "none"
        raise Unanswered(f"fewer than two cells to compare by {what} ({found})")


def _extent(frame: pd.DataFrame, *columns) -> pd.Series:
    """Every value the value axis has to show."""
    return pd.concat([frame[c] for c in columns if c in frame.columns])


def _twin_line(ax, frame: pd.DataFrame) -> list:
    """The native twin's round trip as a vertical line, when the bars share one twin; its legend
    entry (none otherwise)."""
    twins = frame["native"].dropna().unique()
    if len(twins) != 1:
        return []
    line = ax.axvline(twins[0], color="black", lw=1.2, ls="--", label=f"native twin ({fmt(twins[0], frame)})")
    return [line]


def _encode_decode(ax, frame: pd.DataFrame, parts, rows: pd.DataFrame, colours: dict) -> list:
    """Encode and decode of one record, stacked, per row of ``frame``; returns legend handles."""
    y = np.arange(len(frame))
    left = np.zeros(len(frame))
    for part, name in zip(parts, ("encode", "decode")):
        width = frame[part].fillna(0).to_numpy()
        ax.barh(y, width, left=left, color=colours[name], height=0.7, label=name)
        left += width
    value_axis(ax, rows, pd.Series(left[left > 0]), "encode + decode")
    return [Patch(color=colours[name], label=f"{name} one record") for name in ("encode", "decode")]


def _headline_note(rows: pd.DataFrame) -> str:
    """What the bars are: the headline column (or instruction counts)."""
    return f"bars: {column(rows, 'rt')}"
