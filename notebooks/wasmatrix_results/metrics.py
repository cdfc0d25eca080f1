"""What the figures and tables read off the rows: the run's measure (wall clock or instructions)
and its columns, the ok rows, each process's median, and each wasm cell's ratio to its native twin."""

from __future__ import annotations

import pandas as pd

from .axes import NATIVE_ENGINE, WASM_ONLY_AXES, axis_columns
from .schema import KEY


def measure_of(rows: pd.DataFrame) -> str:
    """``instructions`` if every measured row counted instructions, else ``wall_clock``."""
    measures = rows.loc[rows["status"] == "ok", "measure"].astype(str)
    if len(measures) and measures.eq("instructions").all():
        return "instructions"
    return "wall_clock"


def _metric(what: str, measure: str) -> dict:
    """Column names, unit and wording for ``rt``, ``call_floor``, ``encode`` or ``decode`` under a
    measure."""
    names = {"rt": "round trip", "call_floor": "call floor", "encode": "encode", "decode": "decode"}
    long = {"rt": "Round trip", "call_floor": "Call floor (a bare host→guest call)", "encode": "Encode",
            "decode": "Decode"}
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
