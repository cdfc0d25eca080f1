"""The notebook's figures and tables on the sample and on altered copies of it: a failed cell, a
noisy cell, a new axis, gzip'd sizes, a second build, an instruction-count run, components and the
native twins."""

from __future__ import annotations

import pandas as pd

import wasmatrix_results as wr
from helpers import TRAPPED, TRAPPED_LOADED, blank, draw_all, figure_texts, read_raw, write_run


def test_sample_axes_and_winners():
    """The sample varies on seven axes (the runtime with the engine: Wasmer or the native twin);
    every environment and logging value is in the environments figure; winners are ok, non-noisy
    wasm cells; failures are only the unsupported cells."""
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


def test_failed_cell(tmp_path):
    """A cell that trapped shows in failures() with its error, is no winner, plots still draw."""
    rows, samples = read_raw()
    index = rows.index[rows["cell"] == TRAPPED][0]
    rows.loc[index, ["status", "error"]] = ["trap", "consumer trapped: unreachable executed"]
    blank(rows, index, ("_ns", "_pct", "_instructions", "noisy", "msgs_per_s", "mb_per_s"))
    rows, samples = wr.load(write_run(tmp_path, "trap", rows, samples))
    failed = wr.failures(rows)
    failed = failed[failed["status"] != "unsupported"]
    assert failed[["cell", "status"]].values.tolist() == [[TRAPPED_LOADED, "trap"]], failed
    assert "unreachable" in failed["error"].iloc[0], failed
    assert not wr.winners(rows)["winner"].eq("llvm/artifact/bare/shared/rkyv/off").any()
    figures = draw_all(rows, samples)
    assert "not ok" in figure_texts(figures["round_trip"])


def test_new_axis(tmp_path):
    """A new axis column (``runtime``) with two values varies, and every figure shows it."""
    rows, samples = read_raw()
    rows["runtime"] = ["wasmer" if i % 2 else "wasmtime" for i in range(len(rows))]
    rows, samples = wr.load(write_run(tmp_path, "runtime", rows, samples))
    assert "runtime" in wr.varying_axes(rows), wr.varying_axes(rows)
    figures = draw_all(rows, samples)
    for name in ("startup", "round_trip", "call_floor", "native_ratio"):
        assert "wasmtime" in figure_texts(figures[name]), f"runtime not shown in {name}"


def test_components_read_against_copy(tmp_path):
    """A component cell (transport ``component``, codec ``wit``), which has no native form, is read
    against the native twin of ``copy`` and ``raw``, as the runner's report reads it."""
    rows, samples = read_raw()
    base = rows[(rows["status"] == "ok") & (rows["engine"] == "artifact") & (rows["transport"] == "copy")
                & (rows["codec"] == "raw") & (rows["environment"] == "bare") & (rows["logging"] == "off")]
    source = base.iloc[[0]].copy()
    comp = source.assign(transport="component", codec="wit",
                         cell=source["cell"].str.replace("/copy/raw/", "/component/wit/", regex=False))
    comp["rt_p50_ns"] = str(float(source["rt_p50_ns"].iloc[0]) * 2)
    rows, samples = wr.load(write_run(tmp_path, "component", pd.concat([rows, comp], ignore_index=True), samples))
    ratios = wr.native_ratios(rows)
    pair = ratios[ratios["cell"].str.startswith(source["cell"].iloc[0].removesuffix("/off").replace(
        "/copy/raw/", "/component/wit/"))]
    assert len(pair) == 1, pair
    twin = ratios[ratios["cell"].str.startswith(source["cell"].iloc[0])]
    assert pair["transport"].iloc[0] == "component" and pair["codec"].iloc[0] == "wit", pair
    assert abs(pair["ratio"].iloc[0] - 2 * twin["ratio"].iloc[0]) < 1e-9, (pair, twin)


def test_twin_cell_read(tmp_path):
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
    # Schema 11 names its cells and twins without the instantiate part, which loading adds to both.
    rows["cell"] = rows["cell"].str.removesuffix("/fresh")
    samples["cell"] = samples["cell"].str.removesuffix("/fresh")
    raw, _ = read_raw()
    axes = [a for a in wr.axis_columns(rows) if a != "instantiate"]
    rows = rows[list(dict.fromkeys([*raw.columns, *axes, "twin_cell"]))]
    rows, samples = wr.load(write_run(tmp_path, "schema11", rows, samples))
    assert rows["instantiate"].eq("fresh").all(), rows["instantiate"]
    assert (rows["twin_cell"].eq("") | rows["twin_cell"].str.endswith("/fresh")).all(), rows["twin_cell"]
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


def test_gzip_sizes(tmp_path):
    """gzip'd guest sizes (a later schema's ``*_wasm_gzip_bytes``) are plotted when present."""
    rows, samples = read_raw()
    for guest in ("producer", "consumer"):
        plain = pd.to_numeric(rows[f"{guest}_wasm_bytes"], errors="coerce")
        rows[f"{guest}_wasm_gzip_bytes"] = (plain * 0.4).round().astype("Int64").astype(str)
        rows[f"{guest}_wasm_gzip_bytes"] = rows[f"{guest}_wasm_gzip_bytes"].replace("<NA>", "")
    rows, samples = wr.load(write_run(tmp_path, "gzip", rows, samples))
    texts = figure_texts(wr.plot_code_size(rows, samples))
    assert "producer wasm gzip" in texts and "consumer wasm gzip" in texts, texts


def test_builds_drawn(tmp_path):
    """A run with a second build profile and allocator draws one point per build and compiler."""
    rows, samples = read_raw()
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
    rows, samples = wr.load(write_run(tmp_path, "builds", rows, samples))
    fig = wr.plot_builds(rows, samples)
    points = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert points == 2 * len(picked), f"{points} points for {len(picked)} cells in two builds"
    assert "size/talc" in figure_texts(fig), figure_texts(fig)
    assert "one build profile" in figure_texts(wr.plot_builds(*wr.load(wr.SAMPLE)))


def test_noisy_marked(tmp_path):
    """A noisy cell is marked ``~`` in the latency plots and is not a winner."""
    rows, samples = read_raw()
    index = rows.index[rows["cell"] == TRAPPED][0]
    rows.loc[index, "noisy"] = "true"
    rows, samples = wr.load(write_run(tmp_path, "noisy", rows, samples))
    for plot in (wr.plot_round_trip, wr.plot_call_floor):
        texts = figure_texts(plot(rows, samples)).splitlines()
        assert texts.count("~") == 1, f"{plot.__name__}: {texts.count('~')} '~' marks"
    assert not wr.winners(rows)["winner"].eq("llvm/artifact/bare/shared/rkyv/off").any()


def instructions_run(tmp_path):
    """The sample as if counted with ``--measure instructions``: empty ``_ns`` columns, counts
    instead (3 per ns of round trip, 600 per ns of call floor), one sample per process."""
    rows, samples = read_raw()
    for what, scale in {"rt": 3.0, "call_floor": 600.0}.items():
        timed = pd.to_numeric(rows[f"{what}_p50_ns"], errors="coerce")
        rows[f"{what}_instructions"] = (timed * scale).round()
    rows["measure"] = "instructions"
    for column in [c for c in rows.columns if c.endswith("_ns")]:
        rows[column] = ""
    chosen = samples[samples["metric"].isin(["rt_ns", "call_floor_ns"])].copy()
    chosen["value"] = chosen["value"].astype(float)
    one = chosen.groupby(["run_id", "cell", "process", "seq", "metric"], as_index=False)["value"].median()
    one["value"] *= one["metric"].map({"rt_ns": 3.0, "call_floor_ns": 600.0})
    one["metric"] = one["metric"].str.replace("_ns", "_instructions")
    one["sample"] = 0
    return wr.load(write_run(tmp_path, "instructions", rows, one[list(wr.SAMPLE_COLUMNS)]))


def test_instructions_run(tmp_path):
    """An instruction-count run (empty ``_ns`` columns) plots instructions and says so."""
    rows, samples = instructions_run(tmp_path)
    assert wr.measure_of(rows) == "instructions"
    figures = draw_all(rows, samples)
    for name in ("round_trip", "call_floor", "startup"):
        assert "instructions" in figure_texts(figures[name]), f"{name} does not say so"
    assert "1." in figure_texts(figures["native_ratio"])
    assert wr.winners(rows)["what"].str.contains("instructions").any()
