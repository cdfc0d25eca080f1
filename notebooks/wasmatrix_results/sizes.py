"""Figure d and the builds figure, guest size: each guest's .wasm and the artifacts per codec, and
the build profiles' and allocators' size against the round trip and the set-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .axes import _label_axes, _ordered_values, labels, sort_rows
from .drawing import _colours, _message_figure, _si_time, _skipped_note, _spans_decades, _title
from .metrics import _metric, measure_of, ok_rows


def size_columns(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(guest .wasm size columns, artifact size columns) present in ``rows``.

    The schema-2 columns plus any later ``*_wasm_*bytes`` / ``artifact*_bytes`` ones (for
    example ``producer_wasm_gzip_bytes``), so gzip'd sizes are plotted once a run has them.
    """
    wasm = [c for c in rows.columns if "_wasm_" in c and c.endswith("_bytes")]
    artifact = [c for c in rows.columns if c.startswith("artifact") and c.endswith("_bytes")]
    return wasm, artifact


def _deciding_axes(frame: pd.DataFrame, axes, values) -> list[str]:
    """The fewest of ``axes`` (dropping from the last) that still determine ``values``."""
    axes = list(axes)
    for axis in reversed(list(axes)):
        trial = [a for a in axes if a != axis]
        if not trial:
            if frame[values].drop_duplicates().shape[0] <= 1:
                axes = trial
            continue
        if (frame.groupby(trial)[values].nunique(dropna=False) <= 1).all().all():
            axes = trial
    return axes


def plot_code_size(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Code size: each guest's .wasm per codec (left) and both guests' artifacts (right).

    Bars are grouped by codec and whatever other varying axis changes the size (for example
    transport, whose memory layout moves a few bytes); artifacts are coloured by compiler.
    ``samples`` is unused.
    """
    title = "Code size per guest and codec"
    wasm_cols, artifact_cols = size_columns(rows)
    wasm = rows[rows[wasm_cols].notna().any(axis=1)] if wasm_cols else rows.iloc[:0]
    if wasm.empty:
        return _message_figure(title, "No cell has wasm sizes (native twins only?).")
    panels = 2 if artifact_cols and rows[artifact_cols].notna().any().any() else 1
    fig = Figure(figsize=(7.5 * panels, 5.2), layout="constrained")
    axs = fig.subplots(1, panels, squeeze=False)[0]
    guest_axes = [a for a in _label_axes(wasm) if a not in ("compiler", "engine")]
    _draw_size_bars(axs[0], wasm, guest_axes, wasm_cols, None)
    axs[0].set_title("guest .wasm (stripped), per guest", fontsize=10)
    if panels == 2:
        art = rows[rows[artifact_cols].notna().any(axis=1)]
        art_axes = [a for a in _label_axes(art) if a not in ("compiler", "engine")]
        hue_axes = [a for a in _label_axes(art) if a in ("compiler", "engine")]
        _draw_size_bars(axs[1], art, art_axes, artifact_cols, hue_axes)
        axs[1].set_title("serialized artifacts of both guests, per compiler", fontsize=10)
    _title(fig, title, "bars grouped by the axes the size depends on; 1 kB = 1000 bytes")
    return fig


def _draw_size_bars(ax, frame, axes, columns, hue_axes) -> None:
    """Grouped bars of size ``columns`` (kB) over the groups of ``axes``, one bar per column
    (and per ``hue_axes`` value when given)."""
    deciding = _deciding_axes(frame, axes + (hue_axes or []), columns)
    group_axes = sorted((a for a in axes if a in deciding), key=lambda a: a != "codec")
    group_axes = group_axes or axes[:1]
    hue_axes = [a for a in (hue_axes or []) if a in deciding]
    frame = sort_rows(frame, group_axes + hue_axes)
    frame = frame.assign(_group=labels(frame, group_axes), _hue=labels(frame, hue_axes))
    sizes = frame.groupby(["_group", "_hue"], sort=False)[columns].first()
    series = [(c, h) for h in dict.fromkeys(frame["_hue"]) for c in columns
              if sizes.xs(h, level="_hue")[c].notna().any()]
    colours = _colours([(c.replace("_gzip", ""), h) for c, h in series])
    groups = list(dict.fromkeys(frame["_group"]))
    width = 0.8 / max(1, len(series))
    for i, (column, hue) in enumerate(series):
        values = [sizes[column].get((g, hue), np.nan) / 1000 for g in groups]
        name = column.removesuffix("_bytes").replace("_", " ")
        label = name if not hue_axes else f"{hue} ({name})" if len(columns) > 1 else hue
        ax.bar(np.arange(len(groups)) + (i - (len(series) - 1) / 2) * width, values, width,
               label=label, color=colours[(column.replace("_gzip", ""), hue)],
               hatch="//" if "gzip" in column else None, edgecolor="white")
    rotate = len(groups) > 8
    ax.set_xticks(range(len(groups)), groups, fontsize=8, rotation=35 if rotate else 0,
                  ha="right" if rotate else "center", rotation_mode="anchor")
    ax.set_xlabel("/".join(group_axes))
    log = _spans_decades(sizes.to_numpy().ravel())
    ax.set_yscale("log" if log else "linear")
    ax.set_ylabel("size (kB" + (", log scale)" if log else ")"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", title="/".join(hue_axes) or None, title_fontsize=8)
    ax.set_ylim(top=ax.get_ylim()[1] * (3 if log else 1.25))


def plot_builds(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Build profiles and allocators: both guests' size against the round trip and the set-up.

    One point per (profile, allocator) and compiler, on the raw codec, ``bare``, ``shared``,
    logging off, from the ``artifact`` cells. Left: round trip (the headline) against
    the two ``.wasm`` files' size; right: set-up from artifacts in a fresh process (dots) and done
    again in that process (``setup_warm_ns``, crosses). ``samples`` is unused.
    """
    title = "Build profiles and allocators: guest size against speed (raw, bare, shared)"
    metric = _metric("rt", measure_of(rows))
    used = ok_rows(rows, metric["headline"])
    keep = pd.Series(True, index=used.index)
    for axis, value in (("codec", "raw"), ("environment", "bare"), ("transport", "shared"),
                        ("logging", "off"), ("engine", "artifact")):
        if axis in used:
            keep &= used[axis].astype(str) == value
    used = used[keep]
    builds = [a for a in ("profile", "allocator") if a in used and used[a].nunique() > 1]
    if not builds:
        return _message_figure(title, "This run has one build profile and one allocator "
                                      "(or no precompiled raw cells under bare and shared).")
    used = used.assign(_wasm=used["producer_wasm_bytes"] + used["consumer_wasm_bytes"],
                       _build=labels(used, builds))
    compilers = _ordered_values(used, "compiler")
    colours = _colours(compilers)
    fig = Figure(figsize=(13, 5.5), layout="constrained")
    rt_ax, setup_ax = fig.subplots(1, 2, sharex=True)
    for compiler in compilers:
        part = used[used["compiler"] == compiler]
        rt_ax.scatter(part["_wasm"], part[metric["headline"]], color=colours[compiler], label=compiler)
        for _, row in part.iterrows():
            rt_ax.annotate(row["_build"], (row["_wasm"], row[metric["headline"]]), fontsize=6.5,
                           xytext=(3, 2), textcoords="offset points")
        setup_ax.scatter(part["_wasm"], part["setup_ns"], color=colours[compiler], marker="o")
        if "setup_warm_ns" in part:
            setup_ax.scatter(part["_wasm"], part["setup_warm_ns"], color=colours[compiler], marker="x")
    rt_ax.set_ylabel(f"{metric['name']} ({metric['unit']})")
    rt_ax.set_title("round trip, headline", fontsize=9)
    setup_ax.set_yscale("log")
    setup_ax.yaxis.set_major_formatter(FuncFormatter(_si_time))
    setup_ax.yaxis.set_minor_formatter(FuncFormatter(_si_time))
    setup_ax.set_title("set-up from artifacts: fresh process (dots), again in it (crosses), log scale",
                       fontsize=9)
    for ax in (rt_ax, setup_ax):
        ax.set_xlabel("both guests' .wasm (bytes)")
        ax.grid(alpha=0.3)
    handles = [Line2D([], [], color=colours[c], marker="o", ls="", label=c) for c in compilers]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(compilers), fontsize=8,
               frameon=False, title="compiler")
    _title(fig, title, _skipped_note(rows, used))
    return fig
