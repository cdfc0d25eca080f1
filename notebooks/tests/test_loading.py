"""Loading a run: older schemas read as today's, files lacking a column refused naming it, the
right results file and figures directory found."""

from __future__ import annotations

import os

import pytest

import wasmatrix_results as wr
from helpers import draw_all, read_raw, refusal, write_run


def test_schema_2_reads(tmp_path):
    """A schema 2 file (no logging column, six-part cell names) loads as logging ``off``."""
    rows, samples = read_raw()
    rows = rows.drop(columns=["logging", *wr.SCHEMA_3_COLUMNS], errors="ignore")
    rows["schema_version"] = "2"
    rows["cell"] = rows["cell"].str.removesuffix("/off")
    samples["cell"] = samples["cell"].str.removesuffix("/off")
    rows, samples = wr.load(write_run(tmp_path, "schema2", rows, samples))
    assert rows["cell"].str.contains("/off/default/").all() and rows["logging"].eq("off").all(), rows["cell"]
    assert rows["allocator"].eq("default").all(), rows["allocator"]
    assert set(samples["cell"]) <= set(rows["cell"]), "samples name the rows' cells"
    assert rows["environment_ns"].isna().all()
    draw_all(rows, samples)


def test_missing_columns_refused(tmp_path):
    """A results CSV without two needed columns is refused, naming both, the file, the schema."""
    rows, samples = read_raw()
    message = refusal(write_run(tmp_path, "missing", rows.drop(columns=["rt_p50_ns", "noisy"]), samples))
    for needed in ("rt_p50_ns", "noisy", "missing.csv", "schema version 2 or later"):
        assert needed in message, f"{needed!r} not in: {message}"


def test_renamed_column_refused(tmp_path):
    """A results CSV whose column was renamed is refused, naming the expected column."""
    rows, samples = read_raw()
    rows = rows.rename(columns={"call_floor_p50_ns": "call_floor_median_ns"})
    message = refusal(write_run(tmp_path, "renamed", rows, samples))
    assert "call_floor_p50_ns" in message and "schema version 2 or later" in message, message


def test_sidecar_columns_refused(tmp_path):
    """A samples sidecar without its ``process`` column is refused, naming it and the sidecar."""
    rows, samples = read_raw()
    message = refusal(write_run(tmp_path, "sidecar", rows, samples.drop(columns=["process"])))
    assert "process" in message and "sidecar.samples.csv.gz" in message, message


def test_inferred_axis(tmp_path):
    """An axis column not in wr.AXES is found when its value is a part of ``cell``."""
    rows, samples = read_raw()
    rows["layout"] = rows["cell"].str.split("/").str[3]
    rows, _ = wr.load(write_run(tmp_path, "layout", rows, samples))
    assert "layout" in wr.varying_axes(rows), wr.varying_axes(rows)


def test_results_path(tmp_path, monkeypatch):
    """results_path: $WASMATRIX_RESULTS wins; else the newest CSV with a non-empty sidecar."""
    rows, samples = read_raw()
    old = write_run(tmp_path, "old", rows, samples)
    (tmp_path / "no-sidecar.csv").write_text(wr.SAMPLE.read_text())
    (tmp_path / "pending.csv").write_text(wr.SAMPLE.read_text())
    wr.sidecar_path(tmp_path / "pending.csv").write_bytes(b"")
    os.utime(old, (1, 1))
    monkeypatch.delenv("WASMATRIX_RESULTS", raising=False)
    assert wr.results_path(tmp_path) == old, wr.results_path(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=str(empty)):
        wr.results_path(empty)
    monkeypatch.setenv("WASMATRIX_RESULTS", str(tmp_path / "pending.csv"))
    assert wr.results_path(tmp_path) == tmp_path / "pending.csv"
    monkeypatch.setenv("WASMATRIX_RESULTS", str(tmp_path / "nothing.csv"))
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        wr.results_path(tmp_path)


def test_figures_dir(tmp_path, monkeypatch):
    """figures_dir: $WASMATRIX_FIGURES, else notebooks/figures/<results stem>/."""
    monkeypatch.delenv("WASMATRIX_FIGURES", raising=False)
    assert wr.figures_dir(wr.SAMPLE) == wr.REPO / "notebooks" / "figures" / "quick-sample"
    monkeypatch.setenv("WASMATRIX_FIGURES", str(tmp_path))
    assert wr.figures_dir(wr.SAMPLE) == tmp_path
