"""What the tests share: a run written from altered rows, what loading refuses, a figure's text,
every figure drawn."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.text import Text

import wasmatrix_results as wr

TRAPPED = "llvm/artifact/bare/shared/rkyv/release/off"
"""A cell of the sample run (schema 4) that tests make fail or noisy."""

TRAPPED_LOADED = TRAPPED + "/default/wasmer/host/fresh"
"""The same cell once loaded: files before schema 5 read with the default allocator, before schema
6 with their runtime, before schema 7 with the host calling, before schema 12 instantiated fresh."""


def read_raw(path: Path = wr.SAMPLE) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def draw_all(rows, samples) -> dict:
    """Draws every figure of the notebook, layout and all, as saving would (without writing a file:
    the notebook's test saves them)."""
    figures = wr.plot_all(rows, samples)
    for fig in figures.values():
        fig.draw_without_rendering()
    return figures


def blank(rows: pd.DataFrame, index, suffixes) -> None:
    """Empties the columns ending in any of ``suffixes`` in row ``index`` (as not measured)."""
    for column in rows.columns:
        if column.endswith(suffixes):
            rows.loc[index, column] = ""
