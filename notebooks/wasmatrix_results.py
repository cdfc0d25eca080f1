"""Load a wasmatrix run and plot it: the analysis end of the benchmark, used by wasmatrix.ipynb.

A run is a results CSV (one row per cell, schema version 2 to 11, every column documented in
results/README.md) and its raw-samples sidecar ``<stem>.samples.csv.gz``. Typical use::

    import wasmatrix_results as wr
    path = wr.results_path()            # $WASMATRIX_RESULTS, or the newest run in results/
    rows, samples = wr.load(path)
    wr.varying_axes(rows)               # e.g. ['compiler', 'engine', 'transport', 'codec']
    fig = wr.plot_round_trip(rows, samples)
    wr.save(fig, "round_trip", wr.figures_dir(path))
    wr.winners(rows), wr.failures(rows)

Every plot facets, groups or colours over the axes that vary in the run (``varying_axes``), so a
new axis column shows up in the figures without editing them; labels leave out the axis values
that are the same in every cell. Under ``--measure instructions`` (``measure`` ==
``instructions``) the ``_ns`` figures are empty and the plots use the ``_instructions`` columns
instead, and say so in their titles. The functions return ``matplotlib.figure.Figure`` objects
made without pyplot, so nothing here depends on a GUI backend or keeps global state; a notebook
displays them as the value of a cell.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

SCHEMA_VERSION = 11
MIN_SCHEMA_VERSION = 2
"""The results schema these functions read (results/README.md); later ones only add columns.
Files of schema 2 read too: the schema 3 columns are then empty, and logging is ``off``; files
before schema 5 read with the ``default`` allocator, files before schema 6 with the runtime that
ran them then (Wasmer, or native for the native engine), files before schema 7 with ``call = host``,
files before schema 8 with their medians over processes as the headline figures (HEADLINES),
files before schema 11 (no ``twin_cell``) with their native twins found as the runner defined them
(native_ratios)."""

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "results"
SAMPLE = REPO / "notebooks" / "sample" / "quick-sample.csv"

AXES_FILE = REPO / "notebooks" / "axes.json"
"""Every axis, its values in order and its default, as the runner publishes them (``runner axes
--json``, from runner/core/src/axes.rs; a Rust test keeps this file what the command prints)."""

PUBLISHED_AXES = json.loads(AXES_FILE.read_text(encoding="utf-8"))["axes"]

AXES = tuple(axis["name"] for axis in PUBLISHED_AXES)
"""Every axis column the runner knows (AXES_FILE), in the order of the parts of ``cell``. An axis
column not listed here is still found if its value is one of those parts in every row."""

VALUE_ORDER = {axis["name"]: tuple(axis["values"]) for axis in PUBLISHED_AXES}
"""Display order of known axis values (AXES_FILE); other values follow alphabetically."""

WASM_ONLY_AXES = ("compiler", "engine", "runtime")
"""Axes a native twin does not share: the twin of a wasm cell matches it on every other axis."""

NATIVE_ENGINE = "native"
"""The ``engine`` value of the native twins (compiler ``rustc``)."""

FACET_AXES = ("transport", "environment", "profile", "runtime", "allocator")
"""Axes that get a panel each (the first of them that varies) in the per-cell plots."""

REQUIRED_COLUMNS = (
    "schema_version", "run_id", "cell", "compiler", "engine", "environment", "transport",
    "codec", "profile", "status", "error", "measure", "noisy", "processes",
    "producer_wasm_bytes", "consumer_wasm_bytes", "artifact_bytes",
    "compile_ns", "load_ns", "instantiate_ns", "setup_ns", "first_round_trip_ns",
    "cold_start_ns", "rt_p50_ns", "rt_proc_min_ns", "call_floor_p50_ns",
    "rt_instructions", "call_floor_instructions",
)
"""The results columns the plots and tables need (all present since schema version 2)."""

HEADLINES = {"rt_headline_ns": "rt_p50_ns", "call_floor_headline_ns": "call_floor_p50_ns",
             "rt_headline_ci_pct": "rt_ci_pct"}
"""The headline columns (from schema 9 the p10 over processes of each process's p2, in schema 8 of
each process's p10; chosen by measured repeatability, docs/measuring.md) the plots read, and what a
file before schema 8 has instead."""

SCHEMA_3_COLUMNS = ("environment_ns", "log_bytes", "stdout_bytes", "stderr_bytes")
"""Columns schema 3 added; empty (NaN) when a schema 2 file is loaded."""

SAMPLE_COLUMNS = ("run_id", "cell", "process", "seq", "metric", "sample", "value")
"""The columns of the raw-samples sidecar."""

FIGURES = ("startup", "round_trip", "call_floor", "code_size", "native_ratio", "environments",
           "builds", "interference")
"""The figure names the notebook saves (``save(fig, name, ...)``), in the notebook's order."""

PHASES = (
    ("compile_ns", "compile (in process)"),
    ("load_ns", "load artifacts"),
    ("environment_ns", "create environment (WASI)"),
    ("instantiate_ns", "instantiate"),
    ("first_round_trip_ns", "first round trip"),
)
"""Start-up phases in the order a worker goes through them, with their legend labels."""

PHASE_COLOURS = ("#4c72b0", "#55a868", "#8172b3", "#dd8452", "#c44e52")
NOISY_HATCH = "////"
KEY = ["run_id", "cell"]


# ---------------------------------------------------------------------------------------------
# Finding and loading a run


def sidecar_path(results_csv: Path | str) -> Path:
    """The raw-samples sidecar of a results CSV: ``<stem>.samples.csv.gz`` beside it."""
    results_csv = Path(results_csv)
    return results_csv.with_name(results_csv.stem + ".samples.csv.gz")


def results_path(results_dir: Path | str | None = None) -> Path:
    """The results CSV to analyse.

    ``$WASMATRIX_RESULTS`` (a path to a results ``.csv``) if set; otherwise the newest ``*.csv``
    (by modification time) in ``results_dir`` (default ``<repo>/results``) whose samples sidecar
    exists and is not empty (a run still waiting for its first process has an empty one).
    Raises FileNotFoundError, saying where it looked, when there is none.
    """
    chosen = os.environ.get("WASMATRIX_RESULTS")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"WASMATRIX_RESULTS={chosen}: no such results CSV")
        return path
    results_dir = Path(results_dir) if results_dir is not None else RESULTS_DIR
    runs = [p for p in results_dir.glob("*.csv")
            if sidecar_path(p).is_file() and sidecar_path(p).stat().st_size > 0]
    if not runs:
        raise FileNotFoundError(
            f"no results CSV with a non-empty samples sidecar (<stem>.samples.csv.gz) in "
            f"{results_dir}; run `runner/wasmatrix.sh quick`, or set WASMATRIX_RESULTS to a "
            f"results .csv (for example {SAMPLE})")
    return max(runs, key=lambda p: p.stat().st_mtime)


def check_columns(frame: pd.DataFrame, required, path: Path | str, what: str) -> None:
    """Raises ValueError naming ``path`` and every column of ``required`` missing from ``frame``."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ""
        if "schema_version" in frame.columns and len(frame):
            found = f"; this file says schema_version {frame['schema_version'].iloc[0]}"
        raise ValueError(
            f"{path}: not a wasmatrix {what} of schema version {MIN_SCHEMA_VERSION} or later: "
            f"missing column(s) {', '.join(missing)} (expected schema version {MIN_SCHEMA_VERSION} "
            f"to {SCHEMA_VERSION}, "
            f"see results/README.md{found})")


def load(path: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reads a results CSV and its samples sidecar; returns (rows, samples).

    Checks that every column in REQUIRED_COLUMNS (results) and SAMPLE_COLUMNS (sidecar) is
    present and raises ValueError naming the file and the missing ones otherwise. Normalises
    types: axis, ``status`` and ``error`` columns are strings ("" when empty), ``noisy`` is a
    bool, metric columns are floats (NaN when not measured). An empty sidecar (no process
    finished yet) gives an empty samples frame.
    """
    path = Path(path)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    check_columns(rows, REQUIRED_COLUMNS, path, "results CSV")
    text = set(axis_columns(rows)) | {"run_id", "cell", "status", "error", "measure", "noisy",
                                      "matrix", "run_fingerprint", "shard", "schedule_seed", "twin_cell"}
    for column in rows.columns:
        if column not in text:
            numbers = pd.to_numeric(rows[column], errors="coerce")
            if numbers.notna().sum() == (rows[column] != "").sum():
                rows[column] = numbers
    rows["noisy"] = rows["noisy"].str.lower().eq("true")
    for column in SCHEMA_3_COLUMNS:
        if column not in rows.columns:
            rows[column] = np.nan
    for headline, before in HEADLINES.items():
        if headline not in rows.columns:
            rows[headline] = rows[before]
    samples = read_samples(sidecar_path(path))
    if "logging" not in rows.columns:
        # Schema 2 named cells without the logging value; today's names end in it.
        rows["logging"] = "off"
        rows["cell"] = rows["cell"] + "/off"
        samples["cell"] = samples["cell"] + "/off"
    if "allocator" not in rows.columns:
        # Before schema 5 cells had no allocator part: their guests used the default.
        rows["allocator"] = "default"
        rows["cell"] = rows["cell"] + "/default"
        samples["cell"] = samples["cell"] + "/default"
    if "runtime" not in rows.columns:
        # Before schema 6 cells had no runtime part: Wasmer ran them, or natively the twin.
        runtime = dict(zip(rows["cell"], np.where(rows["engine"].astype(str) == NATIVE_ENGINE, "native",
                                                  "wasmer")))
        rows["runtime"] = rows["cell"].map(runtime)
        rows["cell"] = rows["cell"] + "/" + rows["runtime"]
        samples["cell"] = samples["cell"] + "/" + samples["cell"].map(runtime).fillna("wasmer")
    if "call" not in rows.columns:
        # Before schema 7 cells had no call part: the host called each guest.
        rows["call"] = "host"
        rows["cell"] = rows["cell"] + "/host"
        samples["cell"] = samples["cell"] + "/host"
    return rows, samples


def read_samples(path: Path) -> pd.DataFrame:
    """Reads a samples sidecar (multi-member gzip CSV); checks its columns."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: samples sidecar of the results CSV not found")
    if path.stat().st_size == 0:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object)
                             for c in SAMPLE_COLUMNS})
    samples = pd.read_csv(path, dtype={"run_id": str, "cell": str, "metric": str})
    check_columns(samples, SAMPLE_COLUMNS, path, "samples sidecar")
    return samples


# ---------------------------------------------------------------------------------------------
# Axes and labels


def axis_columns(rows: pd.DataFrame) -> list[str]:
    """Every axis column of the run, in the order of the parts of ``cell``.

    The columns named in AXES that exist, plus any other text column whose value is the same
    ``/``-separated part of ``cell`` in every row (an axis added after this was written).
    """
    parts = rows["cell"].astype(str).str.split("/", expand=True)
    position = {}
    for column in rows.columns:
        if column in ("cell", "run_id") or rows[column].dtype.kind in "biuf":
            continue
        values = rows[column].astype(str)
        for k in parts.columns:
            if len(rows) and values.eq(parts[k]).all():
                position[column] = k
                break
    known = [a for a in AXES if a in rows.columns]
    found = set(known) | set(position)
    rank = {a: i for i, a in enumerate(AXES)}
    return sorted(found, key=lambda a: (position.get(a, len(parts.columns)), rank.get(a, 0), a))


def varying_axes(rows: pd.DataFrame) -> list[str]:
    """The axis columns (see axis_columns) that take more than one value in ``rows``."""
    return [a for a in axis_columns(rows) if rows[a].astype(str).nunique() > 1]


def axis_values(rows: pd.DataFrame) -> dict[str, list]:
    """Each varying axis and its values, in display order (VALUE_ORDER)."""
    return {axis: _ordered_values(rows, axis) for axis in varying_axes(rows)}


def _label_axes(rows: pd.DataFrame, exclude=()) -> list[str]:
    """Axes that tell the rows apart (plus ``run_id`` if the file holds several runs)."""
    axes = [a for a in varying_axes(rows) if a not in exclude]
    if rows["run_id"].nunique() > 1:
        axes.append("run_id")
    return axes


def labels(rows: pd.DataFrame, axes) -> pd.Series:
    """Short names for rows: the values of ``axes`` joined by ``/`` ("all" if no axis)."""
    if not axes:
        return pd.Series("all", index=rows.index)
    return rows[list(axes)].astype(str).agg("/".join, axis=1)


def _rank(axis: str, values: pd.Series) -> pd.Series:
    """Sort key of an axis's values: VALUE_ORDER first, the rest alphabetically after."""
    order = VALUE_ORDER.get(axis, ())
    known = {v: i for i, v in enumerate(order)}
    text = values.astype(str)
    return text.map(lambda v: f"{known[v]:03d}" if v in known else f"999{v}")


def sort_rows(rows: pd.DataFrame, axes) -> pd.DataFrame:
    """``rows`` ordered by ``axes`` (VALUE_ORDER within each axis)."""
    axes = [a for a in axes if a in rows.columns]
    if not axes or rows.empty:
        return rows
    keys = pd.DataFrame({a: _rank(a, rows[a]) for a in axes}, index=rows.index)
    return rows.loc[keys.sort_values(list(axes)).index]


def _ordered_values(rows: pd.DataFrame, axis: str | None) -> list:
    """The distinct values of an axis in display order ([None] when there is no axis)."""
    if axis is None:
        return [None]
    return list(dict.fromkeys(sort_rows(rows, [axis])[axis].astype(str)))


def _facet_axis(rows: pd.DataFrame, exclude=()) -> str | None:
    """The first of FACET_AXES that varies (and is not excluded), else None."""
    varying = varying_axes(rows)
    return next((a for a in FACET_AXES if a in varying and a not in exclude), None)


def _facet_rows(rows: pd.DataFrame, facet: str | None, value) -> pd.DataFrame:
    """The rows of one facet (all rows when there is no facet axis)."""
    return rows if facet is None else rows[rows[facet].astype(str) == value]


def _facet_title(facet: str | None, value) -> str:
    return "" if facet is None else f"{facet} = {value}"


def _colours(names) -> dict:
    """A stable colour per name, in the given order (tab10, or tab20 beyond ten)."""
    from matplotlib import colormaps
    names = list(dict.fromkeys(names))
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


# ---------------------------------------------------------------------------------------------
# Measures and metrics


def measure_of(rows: pd.DataFrame) -> str:
    """``instructions`` if every measured row counted instructions, else ``wall_clock``."""
    measures = rows.loc[rows["status"] == "ok", "measure"].astype(str)
    if len(measures) and measures.eq("instructions").all():
        return "instructions"
    return "wall_clock"


def _metric(what: str, measure: str) -> dict:
    """Column names, unit and wording for ``rt`` or ``call_floor`` under a measure."""
    names = {"rt": "round trip", "call_floor": "call floor"}
    long = {"rt": "Round trip", "call_floor": "Call floor (a bare host→guest call)"}
    if measure == "instructions":
        return {"sample": f"{what}_instructions", "headline": f"{what}_instructions",
                "unit": "instructions", "name": names[what], "title": long[what],
                "note": "instructions counted by callgrind (--measure instructions), "
                        "one count per process"}
    return {"sample": f"{what}_ns", "headline": f"{what}_headline_ns", "unit": "ns",
            "name": names[what], "title": long[what],
            "note": "wall clock, each sample a batch mean"}


def ok_rows(rows: pd.DataFrame, column: str | None = None) -> pd.DataFrame:
    """Rows with status ``ok`` (and, if given, a value in ``column``)."""
    keep = rows["status"] == "ok"
    if column is not None:
        keep &= rows[column].notna()
    return rows[keep]


def process_medians(samples: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each process's median of ``metric``: columns run_id, cell, process, value."""
    chosen = samples[samples["metric"] == metric]
    return chosen.groupby(KEY + ["process"], as_index=False)["value"].median()


def native_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """Every ok wasm row with ``ratio``: its round trip over its native twin's.

    The twin is the ok row its ``twin_cell`` names (the runner's one definition, ``Cell::native_twin``;
    files before schema 11 find it as _native_ratios_before_schema_11 does); the round trip is
    ``rt_headline_ns``, or ``rt_instructions`` under ``--measure instructions``. Rows without a twin
    are left out.
    """
    column = _metric("rt", measure_of(rows))["headline"]
    ok = ok_rows(rows, column)
    if "twin_cell" not in rows.columns:
        return _native_ratios_before_schema_11(rows, ok, column)
    wasm = ok[ok["twin_cell"] != ""]
    twins = ok.groupby(["cell", "run_id"], as_index=False)[column].median()
    twins = twins.rename(columns={"cell": "twin_cell", column: "native"})
    joined = wasm.merge(twins, on=["twin_cell", "run_id"], how="inner")
    return joined.assign(ratio=joined[column] / joined["native"])


# Only for files before schema 11 (no `twin_cell`): what the runner's Cell::native_twin reads
# components against (copy) and the typed WIT record against (raw), as it did when they were made.
TWIN_TRANSPORT_BEFORE_SCHEMA_11 = {"component": "copy", "composed": "copy"}
TWIN_CODEC_BEFORE_SCHEMA_11 = {"wit": "raw"}


def _native_ratios_before_schema_11(rows: pd.DataFrame, ok: pd.DataFrame, column: str) -> pd.DataFrame:
    """native_ratios for files before schema 11, which have no ``twin_cell`` column: only for them,
    the twin found again here as ``Cell::native_twin`` (runner/core/src/cell.rs) defines it: the ok
    native row equal on every axis but WASM_ONLY_AXES, components against ``copy`` and ``wit``
    against ``raw`` (the two dicts above). Files of schema 11 on carry the runner's answer instead."""
    shared = [a for a in axis_columns(rows) if a not in WASM_ONLY_AXES]
    native = ok[ok["engine"] == NATIVE_ENGINE]
    wasm = ok[ok["engine"] != NATIVE_ENGINE]
    if native.empty or wasm.empty:
        return wasm.assign(native=pd.Series(dtype=float), ratio=pd.Series(dtype=float)).iloc[:0]
    twins = native.groupby(shared + ["run_id"], as_index=False)[column].median()
    twins = twins.rename(columns={column: "native"})
    keyed = wasm.assign(transport=wasm["transport"].replace(TWIN_TRANSPORT_BEFORE_SCHEMA_11),
                        codec=wasm["codec"].replace(TWIN_CODEC_BEFORE_SCHEMA_11), _row=range(len(wasm)))
    joined = keyed.merge(twins, on=shared + ["run_id"], how="inner")
    for axis in ("transport", "codec"):
        joined[axis] = wasm[axis].to_numpy()[joined["_row"].to_numpy()]
    joined = joined.drop(columns="_row")
    return joined.assign(ratio=joined[column] / joined["native"])


# ---------------------------------------------------------------------------------------------
# Figures: helpers


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


# ---------------------------------------------------------------------------------------------
# Figure a: start-up phases


def plot_startup(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Start-up phases per cell, stacked, log scale; one panel per facet axis value (transport).

    Bars: the median over processes of each phase a measured process goes through (compile in
    process for ``jit``, load artifacts for ``artifact``, instantiate, first round trip).
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
        ax.set_xlabel("time from the start of set-up, log scale (ns, µs, ms, s)")
        ax.set_title(_facet_title(facet, value), fontsize=10)
    panels[0].set_ylabel("/".join(axes_in_label) or "cell")
    handles = [Patch(color=c, label=l) for (_, l), c in zip(PHASES, PHASE_COLOURS)]
    handles += [Line2D([], [], marker="D", color="black", ls="", label="cold start: spawn → "
                                                                        "ready (whole process)"),
                Line2D([], [], marker="o", mfc="none", mec="black", ls="",
                       label="compile ahead of time (artifact, once per cell)")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    subtitle = "stacked on a log scale: each segment ends at the running total of the phases"
    note = _skipped_note(rows, used)
    _title(fig, title, subtitle + (f"\n{note}" if note else ""))
    return fig


def _draw_phases(ax, part: pd.DataFrame, y: pd.Series) -> None:
    """Stacked horizontal bars of the phases of ``part`` at rows ``y``, plus the markers."""
    ahead = part["load_ns"].notna()
    left = pd.Series(0.0, index=part.index)
    for (column, _), colour in zip(PHASES, PHASE_COLOURS):
        width = part[column].where(~(ahead & (column == "compile_ns"))).fillna(0.0)
        ax.barh(y, width, left=left, color=colour, height=0.7)
        left += width
    ax.plot(part["cold_start_ns"], y, "D", color="black", ms=4)
    aot = part[ahead]
    ax.plot(aot["compile_ns"], y[aot.index], "o", mfc="none", mec="black", ms=5)


# ---------------------------------------------------------------------------------------------
# Figures b, c: distributions (round trip, call floor)


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


# ---------------------------------------------------------------------------------------------
# Figure d: code size


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


# ---------------------------------------------------------------------------------------------
# Figure e: ratio to native


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


def plot_native_ratio(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Heatmaps of round trip over the native twin's: compiler (its best engine) x codec.

    One heatmap per value of the facet axis (transport), annotated with the ratio and the engine
    that achieved it; other varying axes join the compiler in the row labels. ``samples`` is
    unused.
    """
    measure = measure_of(rows)
    metric = _metric("rt", measure)
    what = "headline" if measure == "wall_clock" else "instructions"
    title = f"Round trip in wasm over its native twin ({metric['headline']} ratio, " \
            f"best engine per compiler; lower is better, 1 = native)"
    ratios = native_ratios(rows)
    if ratios.empty:
        return _message_figure(title, "No ok wasm cell has an ok native twin in this run.")
    facet = _facet_axis(ratios, exclude=("codec",))
    column_axis = "codec"
    row_axes = [a for a in _label_axes(ratios, exclude=(facet, column_axis, "engine"))]
    row_axes = row_axes or ["compiler"]
    ratios = ratios.assign(_row=labels(ratios, row_axes))
    best = ratios.loc[ratios.groupby(["_row", column_axis] + ([facet] if facet else []))
                      ["ratio"].idxmin()]
    facets = _ordered_values(best, facet)
    row_names = list(dict.fromkeys(labels(sort_rows(best, row_axes), row_axes)))
    col_names = _ordered_values(best, column_axis)
    vmin, vmax = min(1.0, best["ratio"].min()), best["ratio"].max()
    fig = Figure(figsize=(0.95 * len(col_names) * len(facets) + 3.2,
                          0.7 * len(row_names) + 2.3), layout="constrained")
    axs = fig.subplots(1, len(facets), squeeze=False, sharey=True)[0]
    image = None
    for ax, value in zip(axs, facets):
        part = _facet_rows(best, facet, value)
        grid = part.pivot(index="_row", columns=column_axis, values="ratio")
        grid = grid.reindex(index=row_names, columns=col_names)
        engine = part.pivot(index="_row", columns=column_axis, values="engine")
        engine = engine.reindex(index=row_names, columns=col_names)
        image = ax.imshow(grid.to_numpy(dtype=float), cmap="YlOrRd", vmin=vmin, vmax=vmax,
                          aspect="auto")
        _annotate_heatmap(ax, grid, engine, image)
        ax.set_xticks(range(len(col_names)), col_names, rotation=30, ha="right")
        ax.set_yticks(range(len(row_names)), row_names)
        ax.set_xlabel(column_axis)
        ax.set_title(_facet_title(facet, value), fontsize=10)
    axs[0].set_ylabel("/".join(row_axes) + " (best engine)")
    fig.colorbar(image, ax=list(axs), label=f"wasm / native ({what}, ×)", shrink=0.9)
    _title(fig, title, "each square: ratio and the engine that achieved it; blank: not in this run")
    return fig


def _annotate_heatmap(ax, grid: pd.DataFrame, engine: pd.DataFrame, image) -> None:
    """Writes each square's ratio and engine, in black or white to stand out from its colour."""
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            value = grid.iat[i, j]
            if pd.isna(value):
                continue
            red, green, blue, _ = image.cmap(image.norm(value))
            colour = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
            ax.text(j, i, f"{value:.2f}×\n{engine.iat[i, j]}", ha="center", va="center",
                    fontsize=7.5, color=colour)


# ---------------------------------------------------------------------------------------------
# All figures, saving


INTERFERENCE = (("steal_pct", "hypervisor steal over the process (%)"),
                ("involuntary_switches", "involuntary context switches"),
                ("cpu_migrations", "CPU migrations of the measuring thread"),
                ("ref_ns", "in-process reference, ns per op (process median)"))
"""The per-process context a schema 8 sidecar carries, and the axis label of each."""


def plot_interference(rows: pd.DataFrame, samples: pd.DataFrame) -> Figure:
    """Why a process was slow: each process's round trip (its p2, nearest rank, the per-process
    step of the headline, runner/src/stats.rs `Headline::WITHIN`; as a share above its cell's fastest process) against what the OS said about it (INTERFERENCE), one panel each.

    A process that sits high with much steal, many involuntary switches or a slow reference ran
    on a busy machine; one high without any of them points at the process itself (its layout).
    """
    title = "Why a process was slow: its round trip against what the OS says about interference"
    rt = samples[samples["metric"] == "rt_ns"]
    present = [(m, label) for m, label in INTERFERENCE if (samples["metric"] == m).any()]
    if rt.empty or not present:
        return _message_figure(title, "This run's samples carry no interference metrics (they came "
                                      "before schema 8) or no timed round trips.")
    key = KEY + ["process"]
    per = rt.groupby(key)["value"].quantile(0.02, interpolation="lower").rename("rt").reset_index()
    per["above"] = 100 * (per["rt"] / per.groupby(KEY)["rt"].transform("min") - 1)
    fig = Figure(figsize=(4.2 * len(present), 4), layout="constrained")
    axs = np.atleast_1d(fig.subplots(1, len(present), sharey=True))
    for ax, (metric, label) in zip(axs, present):
        context = samples[samples["metric"] == metric].groupby(key)["value"].median().rename("x")
        joined = per.merge(context.reset_index(), on=key)
        ax.scatter(joined["x"], joined["above"], s=6, alpha=0.4, color="#4c72b0")
        ax.set_xlabel(label, fontsize=8)
        if _spans_decades(joined["x"]):
            ax.set_xscale("log")
    axs[0].set_ylabel("round trip above the cell's fastest process (%)")
    _title(fig, title, f"{len(per)} processes of {per['cell'].nunique()} cells; each dot one process")
    return fig


PLOTS = {
    "startup": plot_startup,
    "round_trip": plot_round_trip,
    "call_floor": plot_call_floor,
    "code_size": plot_code_size,
    "native_ratio": plot_native_ratio,
    "environments": plot_environments,
    "builds": plot_builds,
    "interference": plot_interference,
}
"""Each figure of FIGURES and the function that draws it from (rows, samples)."""


def plot_all(rows: pd.DataFrame, samples: pd.DataFrame) -> dict[str, Figure]:
    """Every figure of FIGURES, by name."""
    return {name: PLOTS[name](rows, samples) for name in FIGURES}


def figures_dir(results_csv: Path | str) -> Path:
    """Where figures go: ``$WASMATRIX_FIGURES``, else ``<repo>/notebooks/figures/<stem>/``."""
    chosen = os.environ.get("WASMATRIX_FIGURES")
    if chosen:
        return Path(chosen).expanduser()
    return REPO / "notebooks" / "figures" / Path(results_csv).stem


def save(fig: Figure, name: str, outdir: Path | str) -> tuple[Path, Path]:
    """Writes ``outdir/name.png`` (120 dpi) and ``outdir/name.svg``; returns both paths.

    The SVG keeps its text as text (smaller, searchable) and carries no date, so saving the
    same figure twice gives the same files.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    png, svg = outdir / f"{name}.png", outdir / f"{name}.svg"
    fig.savefig(png, dpi=120, metadata={"Software": None})
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "wasmatrix"}):
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return png, svg


# ---------------------------------------------------------------------------------------------
# Tables


def describe(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> pd.Series:
    """A few facts of the run: runs, cells, measure, processes, statuses, machine.

    With ``samples``, also how many processes per cell the sidecar holds (fewer than the rows'
    ``processes`` in a cut-down copy such as the committed sample).
    """
    facts = {
        "run_id": ", ".join(rows["run_id"].astype(str).unique()),
        "cells": len(rows),
        "measure": measure_of(rows),
        "processes per cell": ", ".join(map(str, sorted(rows["processes"].dropna().unique()))),
        "status": ", ".join(f"{s} {n}" for s, n in rows["status"].value_counts().items()),
        "noisy cells": int(rows["noisy"].sum()),
        "machine": ", ".join(rows.get("cpu_model", pd.Series(["?"])).astype(str).unique()),
        "git commit": ", ".join(rows.get("git_commit", pd.Series(["?"])).astype(str).unique()),
    }
    if samples is not None:
        counts = samples.groupby(KEY)["process"].nunique()
        spread = sorted({counts.min(), counts.max()}) if len(counts) else ["none"]
        facts["processes in samples"] = "–".join(map(str, spread))
    return pd.Series(facts)


def failures(rows: pd.DataFrame) -> pd.DataFrame:
    """The cells whose status is not ``ok``: cell, status, error (and run_id)."""
    bad = rows[rows["status"] != "ok"]
    return bad[["run_id", "cell", "status", "error"]].reset_index(drop=True)


def winners(rows: pd.DataFrame) -> pd.DataFrame:
    """Which configuration wins for what, among the ok, non-noisy wasm cells.

    One row per criterion: fastest start (``setup_ns``), fastest round trip (``rt_headline_ns``) and
    best process (``rt_proc_min_ns``), smallest guests (producer + consumer ``.wasm`` bytes),
    closest to native (round trip over the native twin's). Columns: what, winner (short cell
    name, only the axes that vary), value, unit, ties (other cells with the same value),
    runner_up and its value. Under ``--measure instructions`` the round trip is in instructions
    and the timed criteria are left out.
    """
    eligible = rows[(rows["status"] == "ok") & ~rows["noisy"]]
    wasm = eligible[eligible["engine"] != NATIVE_ENGINE]
    wasm = wasm.assign(total_wasm_bytes=wasm["producer_wasm_bytes"] +
                       wasm["consumer_wasm_bytes"])
    ratios = native_ratios(rows)
    ratios = ratios[ratios["cell"].isin(wasm["cell"])]
    if measure_of(rows) == "instructions":
        criteria = [("fewest instructions per round trip", wasm, "rt_instructions",
                     "instructions")]
    else:
        criteria = [
            ("fastest start (set-up, median over processes)", wasm, "setup_ns", "ns"),
            ("fastest round trip (headline)", wasm, "rt_headline_ns", "ns"),
            ("fastest round trip (best process)", wasm, "rt_proc_min_ns", "ns"),
        ]
    criteria += [("smallest guests (producer + consumer .wasm)", wasm, "total_wasm_bytes",
                  "bytes"),
                 ("closest to native (round trip ratio)", ratios, "ratio", "× native")]
    name_axes = _label_axes(rows)
    guest_axes = [a for a in name_axes if a not in WASM_ONLY_AXES]
    table = [_winner(what, frame, column, unit,
                     guest_axes if column == "total_wasm_bytes" else name_axes)
             for what, frame, column, unit in criteria]
    return pd.DataFrame([t for t in table if t is not None])


def _winner(what, frame, column, unit, name_axes) -> dict | None:
    """One row of winners(): the smallest ``column`` of ``frame`` and the runner-up.

    Rows with the same name (``name_axes`` values) count once: a guest's size, named by the
    axes other than compiler and engine, is one configuration however many cells share it.
    """
    ranked = frame[frame[column].notna()].sort_values(column, kind="stable")
    ranked = ranked.assign(_name=labels(ranked, name_axes)).drop_duplicates("_name")
    if ranked.empty:
        return None
    names = ranked["_name"].tolist()
    best = ranked[column].iloc[0]
    ties = int((ranked[column] == best).sum()) - 1
    others = ranked[ranked[column] > best]
    runner = others["_name"].iloc[0] if len(others) else ""
    return {"what": what, "winner": names[0], "value": round(float(best), 3), "unit": unit,
            "ties": ties, "runner_up": runner,
            "runner_up_value": round(float(others[column].iloc[0]), 3) if len(others) else None}
