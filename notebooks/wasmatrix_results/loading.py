"""Finding a run and loading it: the results CSV and its raw-samples sidecar, checked and
normalised, files of older schemas read as today's."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .axes import NATIVE_ENGINE, axis_columns
from .schema import (HEADLINES, MIN_SCHEMA_VERSION, REQUIRED_COLUMNS, RESULTS_DIR, SAMPLE, SAMPLE_COLUMNS,
                     SCHEMA_3_COLUMNS, SCHEMA_13_COLUMNS, SCHEMA_VERSION)


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
    for column in SCHEMA_3_COLUMNS + SCHEMA_13_COLUMNS:
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
    if "instantiate" not in rows.columns:
        # Before schema 12 cells had no instantiate part: each pair was instantiated fresh. A twin
        # named in ``twin_cell`` (schema 11) is such a cell too.
        rows["instantiate"] = "fresh"
        rows["cell"] = rows["cell"] + "/fresh"
        samples["cell"] = samples["cell"] + "/fresh"
        if "twin_cell" in rows.columns:
            rows["twin_cell"] = rows["twin_cell"].where(rows["twin_cell"] == "", rows["twin_cell"] + "/fresh")
    # One block again: the columns converted and added above leave the frame fragmented.
    rows = rows.copy()
    if "records" not in rows.columns:
        # Before schema 14 a message carried one record (a cell of one record has no records part in
        # its name, then as now).
        rows["records"] = "1"
    if "modules" not in rows.columns:
        # Before schema 15 a round trip ran between two modules (a cell of two has no modules part in
        # its name, then as now).
        rows["modules"] = "2"
    if "release" not in rows.columns:
        # Before schema 16 every runtime ran its own release (a cell of it has no release part in its
        # name, then as now).
        rows["release"] = "default"
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
