"""Run every notebooks/*.ipynb headless and check the analysis module; for CI and by hand.

    target/wasmatrix/venv/bin/python notebooks/run_notebooks.py [--results CSV] [--figures DIR]
                                                                [--notebooks-only | --checks-only]

Needs the packages of notebooks/requirements.txt in the interpreter that runs it (the project's
venv); the notebooks run in a ``python3`` kernel of that same interpreter, which is checked.

- Notebooks: each runs with nbclient against ``--results`` (default ``$WASMATRIX_RESULTS``, else
  the committed sample notebooks/sample/quick-sample.csv), writing its figures to ``--figures``
  (default ``$WASMATRIX_FIGURES``, else a temporary directory removed afterwards); then every
  figure of ``wasmatrix_results.FIGURES`` must exist there as a non-empty PNG and SVG.
- Checks of ``wasmatrix_results`` on temporary copies of the sample: files with a missing or a
  renamed column are refused, naming the columns; a cell made to fail shows in ``failures()``; a
  new axis column shows in ``varying_axes`` and in the figures; the axes and their order are the
  runner's (axes.json); the ``twin_cell`` column names the native twin; a noisy cell is marked; an
  instruction-count run plots instructions; ``results_path`` picks the right file; the committed
  notebooks hold no outputs.

Prints one line per check and finally ``N passed, M failed``; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import nbformat
import pandas as pd
from matplotlib.text import Text
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import wasmatrix_results as wr  # noqa: E402  (found beside this file)

KERNEL = "python3"
CELL_TIMEOUT_S = 300
PROBE = "import sys; print(sys.prefix)"


# ---------------------------------------------------------------------------------------------
# Helpers


@contextlib.contextmanager
def environment(**values):
    """Sets (or, with None, unsets) environment variables for the duration of a block."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = str(value)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def read_raw(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's results and samples as text, exactly as in the files (for making variants)."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    samples = pd.read_csv(wr.sidecar_path(path), dtype=str, keep_default_na=False)
    return rows, samples


def write_run(directory: Path, name: str, rows: pd.DataFrame, samples: pd.DataFrame) -> Path:
    """Writes ``name.csv`` and ``name.samples.csv.gz`` into ``directory``; returns the CSV."""
    path = directory / f"{name}.csv"
    rows.to_csv(path, index=False)
    samples.to_csv(wr.sidecar_path(path), index=False, compression="gzip")
    return path


def refusal(path: Path) -> str:
    """The message of the ValueError ``wr.load(path)`` raises (fails if it raises none)."""
    try:
        wr.load(path)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"{path.name} was loaded, but should have been refused")


def figure_texts(fig) -> str:
    """All the text drawn in a figure (titles, labels, legends, annotations), newline-joined."""
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def render_all(rows, samples, outdir: Path) -> dict:
    """Draws and saves every figure; asserts each file is written and non-empty."""
    figures = wr.plot_all(rows, samples)
    for name, fig in figures.items():
        for path in wr.save(fig, name, outdir):
            assert path.stat().st_size > 0, f"{path} is empty"
    return figures


def blank(rows: pd.DataFrame, index, suffixes) -> None:
    """Empties the columns ending in any of ``suffixes`` in row ``index`` (as not measured)."""
    for column in rows.columns:
        if column.endswith(suffixes):
            rows.loc[index, column] = ""


# ---------------------------------------------------------------------------------------------
# Running the notebooks


def run_notebook(notebook: Path, results: Path, figures: Path) -> None:
    """Executes one notebook in a ``python3`` kernel of this interpreter; raises on any error."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    with environment(WASMATRIX_RESULTS=results.resolve(), WASMATRIX_FIGURES=figures.resolve()):
        # The kernel's warning that it talks over (loopback, signed) TCP is only noise here.
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                                resources={"metadata": {"path": str(notebook.parent)}})
        client.execute()
    prefix = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve(), \
        f"kernel {KERNEL} ran in {prefix}, not in this interpreter's {sys.prefix}"
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images >= len(wr.FIGURES) or notebook.name != "wasmatrix.ipynb", \
        f"{notebook.name} displayed {images} figures, expected {len(wr.FIGURES)}"


def check_figure_files(figures: Path) -> None:
    """Every figure of wr.FIGURES exists in ``figures`` as a non-empty PNG and SVG."""
    missing = [f"{name}.{ext}" for name in wr.FIGURES for ext in ("png", "svg")
               if not (figures / f"{name}.{ext}").is_file()
               or (figures / f"{name}.{ext}").stat().st_size == 0]
    assert not missing, f"missing or empty in {figures}: {', '.join(missing)}"


# ---------------------------------------------------------------------------------------------
# Checks of wasmatrix_results (each gets a fresh temporary directory)


def check_sample_axes_and_winners(tmp: Path) -> None:
    """The sample varies on seven axes (the runtime with the engine: Wasmer or the native twin);
    every environment and logging value is in the environments
    figure; winners are ok, non-noisy wasm cells; failures are only the unsupported cells."""
    rows, samples = wr.load(wr.SAMPLE)
    assert wr.varying_axes(rows) == ["compiler", "engine", "environment", "transport", "codec",
                                     "logging", "runtime"], wr.varying_axes(rows)
    texts = figure_texts(wr.plot_environments(rows, samples))
    for shown in ("wasi/on", "emscripten/off", "bare/off", "cranelift/artifact/shared"):
        assert shown in texts, f"{shown!r} not in the environments figure"
    table = wr.winners(rows)
    assert len(table) == 5, table
    assert table["what"].str.contains("closest to native").any(), table
    ratio = table.loc[table["what"].str.contains("native"), "value"].iloc[0]
    assert 1 < ratio < 5, ratio
    assert not table["winner"].str.contains("native").any(), table
    assert wr.failures(rows)["status"].eq("unsupported").all(), wr.failures(rows)


TRAPPED = "llvm/artifact/bare/shared/rkyv/release/off"
"""A cell of the sample run (schema 4) that checks make fail or noisy."""

TRAPPED_LOADED = TRAPPED + "/default/wasmer/host"
"""The same cell once loaded: files before schema 5 read with the default allocator, before schema
6 with their runtime, before schema 7 with the host calling."""


def check_schema_2_reads(tmp: Path) -> None:
    """A schema 2 file (no logging column, six-part cell names) loads as logging ``off``."""
    rows, samples = read_raw(wr.SAMPLE)
    rows = rows.drop(columns=["logging", *wr.SCHEMA_3_COLUMNS], errors="ignore")
    rows["schema_version"] = "2"
    rows["cell"] = rows["cell"].str.removesuffix("/off")
    samples["cell"] = samples["cell"].str.removesuffix("/off")
    rows, samples = wr.load(write_run(tmp, "schema2", rows, samples))
    assert rows["cell"].str.contains("/off/default/").all() and rows["logging"].eq("off").all(), rows["cell"]
    assert rows["allocator"].eq("default").all(), rows["allocator"]
    assert set(samples["cell"]) <= set(rows["cell"]), "samples name the rows' cells"
    assert rows["environment_ns"].isna().all()
    render_all(rows, samples, tmp / "figures")


def check_missing_columns_refused(tmp: Path) -> None:
    """A results CSV without two needed columns is refused, naming both, the file, the schema."""
    rows, samples = read_raw(wr.SAMPLE)
    path = write_run(tmp, "missing", rows.drop(columns=["rt_p50_ns", "noisy"]), samples)
    message = refusal(path)
    for needed in ("rt_p50_ns", "noisy", "missing.csv", "schema version 2 or later"):
        assert needed in message, f"{needed!r} not in: {message}"


def check_renamed_column_refused(tmp: Path) -> None:
    """A results CSV whose column was renamed is refused, naming the expected column."""
    rows, samples = read_raw(wr.SAMPLE)
    rows = rows.rename(columns={"call_floor_p50_ns": "call_floor_median_ns"})
    message = refusal(write_run(tmp, "renamed", rows, samples))
    assert "call_floor_p50_ns" in message and "schema version 2 or later" in message, message


def check_sidecar_columns_refused(tmp: Path) -> None:
    """A samples sidecar without its ``process`` column is refused, naming it and the sidecar."""
    rows, samples = read_raw(wr.SAMPLE)
    message = refusal(write_run(tmp, "sidecar", rows, samples.drop(columns=["process"])))
    assert "process" in message and "sidecar.samples.csv.gz" in message, message


def check_failed_cell(tmp: Path) -> None:
    """A cell that trapped shows in failures() with its error, is no winner, plots still draw."""
    rows, samples = read_raw(wr.SAMPLE)
    index = rows.index[rows["cell"] == TRAPPED][0]
    rows.loc[index, ["status", "error"]] = ["trap", "consumer trapped: unreachable executed"]
    blank(rows, index, ("_ns", "_pct", "_instructions", "noisy", "msgs_per_s", "mb_per_s"))
    rows, samples = wr.load(write_run(tmp, "trap", rows, samples))
    failed = wr.failures(rows)
    failed = failed[failed["status"] != "unsupported"]
    assert failed[["cell", "status"]].values.tolist() == [[TRAPPED_LOADED, "trap"]], failed
    assert "unreachable" in failed["error"].iloc[0], failed
    assert not wr.winners(rows)["winner"].eq("llvm/artifact/bare/shared/rkyv/off").any()
    figures = render_all(rows, samples, tmp / "figures")
    assert "not ok" in figure_texts(figures["round_trip"])


def check_new_axis(tmp: Path) -> None:
    """A new axis column (``runtime``) with two values varies, and every figure shows it."""
    rows, samples = read_raw(wr.SAMPLE)
    rows["runtime"] = ["wasmer" if i % 2 else "wasmtime" for i in range(len(rows))]
    rows, samples = wr.load(write_run(tmp, "runtime", rows, samples))
    assert "runtime" in wr.varying_axes(rows), wr.varying_axes(rows)
    figures = render_all(rows, samples, tmp / "figures")
    for name in ("startup", "round_trip", "call_floor", "native_ratio"):
        assert "wasmtime" in figure_texts(figures[name]), f"runtime not shown in {name}"


def check_components_read_against_copy(tmp: Path) -> None:
    """A component cell (transport ``component``, codec ``wit``), which has no native form, is read
    against the native twin of ``copy`` and ``raw``, as the runner's report reads it."""
    rows, samples = read_raw(wr.SAMPLE)
    base = rows[(rows["status"] == "ok") & (rows["engine"] == "artifact") & (rows["transport"] == "copy")
                & (rows["codec"] == "raw") & (rows["environment"] == "bare") & (rows["logging"] == "off")]
    source = base.iloc[[0]].copy()
    comp = source.assign(transport="component", codec="wit",
                         cell=source["cell"].str.replace("/copy/raw/", "/component/wit/", regex=False))
    comp["rt_p50_ns"] = str(float(source["rt_p50_ns"].iloc[0]) * 2)
    rows, samples = wr.load(write_run(tmp, "component", pd.concat([rows, comp], ignore_index=True), samples))
    ratios = wr.native_ratios(rows)
    pair = ratios[ratios["cell"].str.startswith(source["cell"].iloc[0].removesuffix("/off").replace(
        "/copy/raw/", "/component/wit/"))]
    assert len(pair) == 1, pair
    twin = ratios[ratios["cell"].str.startswith(source["cell"].iloc[0])]
    assert pair["transport"].iloc[0] == "component" and pair["codec"].iloc[0] == "wit", pair
    assert abs(pair["ratio"].iloc[0] - 2 * twin["ratio"].iloc[0]) < 1e-9, (pair, twin)


def check_axes_published(tmp: Path) -> None:
    """The axes and their values' order are the runner's (axes.json, ``runner axes --json``), every
    axis the module names is one of them, and a value it does not list sorts alphabetically after
    those it does."""
    published = json.loads(wr.AXES_FILE.read_text(encoding="utf-8"))["axes"]
    assert wr.AXES == tuple(a["name"] for a in published), wr.AXES
    assert wr.VALUE_ORDER == {a["name"]: tuple(a["values"]) for a in published}, wr.VALUE_ORDER
    assert wr.VALUE_ORDER["runtime"][:2] == ("wasmer", "wasmtime"), wr.VALUE_ORDER
    for named in (*wr.FACET_AXES, *wr.WASM_ONLY_AXES):
        assert named in wr.AXES, f"{named} is not an axis of {wr.AXES_FILE}"
    assert all(a["default"] in a["values"] for a in published), published
    rows = pd.DataFrame({"codec": ["zeta", "json", "alpha", "raw"]})
    assert wr.sort_rows(rows, ["codec"])["codec"].tolist() == ["raw", "json", "alpha", "zeta"]


def check_twin_cell_read(tmp: Path) -> None:
    """From schema 11 a row names its native twin (``twin_cell``, the runner's definition): the
    ratios follow that column, and agree with the older files' way where both apply."""
    rows, samples = wr.load(wr.SAMPLE)
    before = wr.native_ratios(rows)
    assert len(before) > 0, "the sample has wasm cells with native twins"
    native = rows["engine"] == wr.NATIVE_ENGINE
    parts = rows["cell"].str.split("/", expand=True)
    twin = "rustc/native/" + parts[2] + "/" + parts[3] + "/" + parts[4] + "/" + parts[5] + "/" + parts[6] \
        + "/" + parts[7] + "/native/" + parts[9]
    rows["twin_cell"] = twin.where(~native & ~rows["environment"].str.startswith("emscripten"), "")
    rows["schema_version"] = 11
    raw, _ = read_raw(wr.SAMPLE)
    rows = rows[list(dict.fromkeys([*raw.columns, *wr.axis_columns(rows), "twin_cell"]))]
    path = write_run(tmp, "schema11", rows, samples)
    rows, samples = wr.load(path)
    after = wr.native_ratios(rows)
    assert after[["cell", "ratio"]].reset_index(drop=True).equals(before[["cell", "ratio"]].reset_index(drop=True))
    # A row read against another twin than the axes would say, and one with none: the column rules.
    wasm = rows.index[(rows["status"] == "ok") & ~native & (rows["codec"] == "json")][0]
    other = rows.loc[wasm, "twin_cell"].replace("/json/", "/rkyv/")
    rows.loc[wasm, "twin_cell"] = other
    gone = rows.index[(rows["status"] == "ok") & ~native & (rows["codec"] == "raw")][0]
    rows.loc[gone, "twin_cell"] = ""
    ratios = wr.native_ratios(rows).set_index("cell")["ratio"]
    expected = rows.loc[wasm, "rt_headline_ns"] / rows.set_index("cell").loc[other, "rt_headline_ns"]
    assert abs(ratios[rows.loc[wasm, "cell"]] - expected) < 1e-12, (ratios[rows.loc[wasm, "cell"]], expected)
    assert rows.loc[gone, "cell"] not in ratios.index


def check_gzip_sizes(tmp: Path) -> None:
    """gzip'd guest sizes (a later schema's ``*_wasm_gzip_bytes``) are plotted when present."""
    rows, samples = read_raw(wr.SAMPLE)
    for guest in ("producer", "consumer"):
        plain = pd.to_numeric(rows[f"{guest}_wasm_bytes"], errors="coerce")
        rows[f"{guest}_wasm_gzip_bytes"] = (plain * 0.4).round().astype("Int64").astype(str)
        rows[f"{guest}_wasm_gzip_bytes"] = rows[f"{guest}_wasm_gzip_bytes"].replace("<NA>", "")
    rows, samples = wr.load(write_run(tmp, "gzip", rows, samples))
    texts = figure_texts(wr.plot_code_size(rows, samples))
    assert "producer wasm gzip" in texts and "consumer wasm gzip" in texts, texts


def check_inferred_axis(tmp: Path) -> None:
    """An axis column not in wr.AXES is found when its value is a part of ``cell``."""
    rows, samples = read_raw(wr.SAMPLE)
    rows["layout"] = rows["cell"].str.split("/").str[3]
    rows, _ = wr.load(write_run(tmp, "layout", rows, samples))
    assert "layout" in wr.varying_axes(rows), wr.varying_axes(rows)


def check_builds_drawn(tmp: Path) -> None:
    """A run with a second build profile and allocator draws one point per build and compiler."""
    rows, samples = read_raw(wr.SAMPLE)
    picked = rows[(rows["codec"] == "raw") & (rows["environment"] == "bare")
                  & (rows["transport"] == "shared") & (rows["logging"] == "off")
                  & (rows["engine"] == "artifact") & (rows["status"] == "ok")].copy()
    assert len(picked) > 0, "the sample has precompiled raw cells under bare and shared"
    rows["allocator"] = "default"
    rows["cell"] = rows["cell"] + "/default"
    samples["cell"] = samples["cell"] + "/default"
    picked["profile"], picked["allocator"] = "size", "talc"
    picked["cell"] = picked["cell"].str.replace("/release/", "/size/") + "/talc"
    rows = pd.concat([rows, picked], ignore_index=True)
    rows, samples = wr.load(write_run(tmp, "builds", rows, samples))
    fig = wr.plot_builds(rows, samples)
    rt_ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in rt_ax.collections)
    assert points == 2 * len(picked), f"{points} points for {len(picked)} cells in two builds"
    assert "size/talc" in figure_texts(fig), figure_texts(fig)
    one_build = wr.plot_builds(*wr.load(wr.SAMPLE))
    assert "one build profile" in figure_texts(one_build)


def check_noisy_marked(tmp: Path) -> None:
    """A noisy cell is marked ``~`` in the latency plots and is not a winner."""
    rows, samples = read_raw(wr.SAMPLE)
    index = rows.index[rows["cell"] == TRAPPED][0]
    rows.loc[index, "noisy"] = "true"
    rows, samples = wr.load(write_run(tmp, "noisy", rows, samples))
    for plot in (wr.plot_round_trip, wr.plot_call_floor):
        texts = figure_texts(plot(rows, samples)).splitlines()
        assert texts.count("~") == 1, f"{plot.__name__}: {texts.count('~')} '~' marks"
    assert not wr.winners(rows)["winner"].eq("llvm/artifact/bare/shared/rkyv/off").any()


def check_instructions_run(tmp: Path) -> None:
    """An instruction-count run (empty ``_ns`` columns) plots instructions and says so."""
    rows, samples = read_raw(wr.SAMPLE)
    counts = {"rt": 3.0, "call_floor": 600.0}
    for what, scale in counts.items():
        timed = pd.to_numeric(rows[f"{what}_p50_ns"], errors="coerce")
        rows[f"{what}_instructions"] = (timed * scale).round()
    rows["measure"] = "instructions"
    for column in [c for c in rows.columns if c.endswith("_ns")]:
        rows[column] = ""
    chosen = samples[samples["metric"].isin(["rt_ns", "call_floor_ns"])].copy()
    chosen["value"] = chosen["value"].astype(float)
    one = chosen.groupby(["run_id", "cell", "process", "seq", "metric"], as_index=False)[
        "value"].median()
    one["value"] *= one["metric"].map({"rt_ns": 3.0, "call_floor_ns": 600.0})
    one["metric"] = one["metric"].str.replace("_ns", "_instructions")
    one["sample"] = 0
    samples = one[list(wr.SAMPLE_COLUMNS)]
    rows, samples = wr.load(write_run(tmp, "instructions", rows, samples))
    assert wr.measure_of(rows) == "instructions"
    figures = render_all(rows, samples, tmp / "figures")
    for name in ("round_trip", "call_floor", "startup"):
        assert "instructions" in figure_texts(figures[name]), f"{name} does not say so"
    assert "1." in figure_texts(figures["native_ratio"])
    assert wr.winners(rows)["what"].str.contains("instructions").any()


def check_results_path(tmp: Path) -> None:
    """results_path: $WASMATRIX_RESULTS wins; else the newest CSV with a non-empty sidecar."""
    rows, samples = read_raw(wr.SAMPLE)
    old = write_run(tmp, "old", rows, samples)
    (tmp / "no-sidecar.csv").write_text(wr.SAMPLE.read_text())
    (tmp / "pending.csv").write_text(wr.SAMPLE.read_text())
    wr.sidecar_path(tmp / "pending.csv").write_bytes(b"")
    os.utime(old, (1, 1))
    with environment(WASMATRIX_RESULTS=None):
        assert wr.results_path(tmp) == old, wr.results_path(tmp)
        empty = tmp / "empty"
        empty.mkdir()
        try:
            wr.results_path(empty)
            raise AssertionError("an empty directory gave a results path")
        except FileNotFoundError as error:
            assert str(empty) in str(error), error
    with environment(WASMATRIX_RESULTS=tmp / "pending.csv"):
        assert wr.results_path(tmp) == tmp / "pending.csv"
    with environment(WASMATRIX_RESULTS=tmp / "nothing.csv"):
        try:
            wr.results_path(tmp)
            raise AssertionError("a missing $WASMATRIX_RESULTS file was accepted")
        except FileNotFoundError as error:
            assert "nothing.csv" in str(error), error


def check_figures_dir(tmp: Path) -> None:
    """figures_dir: $WASMATRIX_FIGURES, else notebooks/figures/<results stem>/."""
    with environment(WASMATRIX_FIGURES=None):
        assert wr.figures_dir(wr.SAMPLE) == HERE / "figures" / "quick-sample"
    with environment(WASMATRIX_FIGURES=tmp):
        assert wr.figures_dir(wr.SAMPLE) == tmp


def check_notebooks_clean(tmp: Path) -> None:
    """The committed notebooks carry no outputs or execution counts (clear them before commit)."""
    for notebook in sorted(HERE.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        nbformat.validate(nb)
        dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                 and (c.outputs or c.execution_count is not None)]
        assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them"


CHECKS = [
    check_notebooks_clean,
    check_sample_axes_and_winners,
    check_schema_2_reads,
    check_missing_columns_refused,
    check_renamed_column_refused,
    check_sidecar_columns_refused,
    check_failed_cell,
    check_new_axis,
    check_inferred_axis,
    check_gzip_sizes,
    check_components_read_against_copy,
    check_axes_published,
    check_twin_cell_read,
    check_builds_drawn,
    check_noisy_marked,
    check_instructions_run,
    check_results_path,
    check_figures_dir,
]


# ---------------------------------------------------------------------------------------------
# Main


def attempt(name: str, action, tally: dict) -> None:
    """Runs one check, prints ``ok`` or ``FAIL`` with the reason, and counts it."""
    start = time.monotonic()
    try:
        action()
    except Exception as error:  # noqa: BLE001  (a check reports every failure, then goes on)
        tally["failed"] += 1
        print(f"FAIL {name} ({time.monotonic() - start:.1f} s): "
              f"{type(error).__name__}: {error}", flush=True)
        if os.environ.get("VERBOSE"):
            traceback.print_exc()
        return
    tally["passed"] += 1
    print(f"ok   {name} ({time.monotonic() - start:.1f} s)", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path,
                        default=Path(os.environ.get("WASMATRIX_RESULTS") or wr.SAMPLE),
                        help="results CSV the notebooks read (default: $WASMATRIX_RESULTS, "
                             "else the committed sample)")
    parser.add_argument("--figures", type=Path,
                        default=os.environ.get("WASMATRIX_FIGURES") or None,
                        help="where the notebooks write figures (default: $WASMATRIX_FIGURES, "
                             "else a temporary directory)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--notebooks-only", action="store_true", help="skip the module checks")
    only.add_argument("--checks-only", action="store_true", help="skip the notebooks")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    tally = {"passed": 0, "failed": 0}
    scratch = Path(tempfile.mkdtemp(prefix="wasmatrix-notebooks-"))
    try:
        if not args.checks_only:
            figures = args.figures or scratch / "figures"
            print(f"notebooks: results {args.results}, figures {figures}", flush=True)
            for notebook in sorted(HERE.glob("*.ipynb")):
                attempt(f"notebook {notebook.name}",
                        lambda nb=notebook: run_notebook(nb, args.results, figures), tally)
            attempt("figure files (png, svg)", lambda: check_figure_files(figures), tally)
        if not args.notebooks_only:
            for check in CHECKS:
                directory = scratch / check.__name__
                directory.mkdir()
                attempt(check.__name__, lambda c=check, d=directory: c(d), tally)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{tally['passed']} passed, {tally['failed']} failed")
    return 1 if tally["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
