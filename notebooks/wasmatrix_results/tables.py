"""Tables of a run: a few facts about it, the cells that failed, which configuration wins for what, and
the set-up strategies side by side."""

from __future__ import annotations

import pandas as pd

from .axes import DEFAULTS, NATIVE_ENGINE, WASM_ONLY_AXES, _label_axes, axis_columns, labels
from .metrics import measure_of, native_ratios
from .schema import KEY


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


STRATEGY_AXES = ("runtime", "compiler", "engine", "instantiate")
"""The axes the set-up strategies table tells apart; every other axis is held at its default."""

STRATEGY_COLUMNS = {
    "pair_us": ("instantiate_headline_ns", 1e3), "p50_us": ("instantiate_p50_ns", 1e3), "p99_us": ("instantiate_p99_ns", 1e3),
    "teardown_us": ("teardown_ns", 1e3), "pairs_per_s": ("instantiations_per_s", 1),
    "pairs_per_s_parallel": ("instantiations_per_s_parallel", 1), "threads": ("instantiate_threads", 1),
    "prepare_us": ("prepare_ns", 1e3), "rss_after_setup_mib": ("rss_after_setup_kib", 1024),
    "rss_end_mib": ("peak_rss_kib", 1024), "producer_pages": ("producer_memory_pages", 1),
    "consumer_pages": ("consumer_memory_pages", 1), "reserved_gib": ("reserved_kib", 1024 ** 2),
}
"""Each column of setup_strategies(): the results column it is read from (docs/instantiate.md) and
what to divide it by for its unit."""


def setup_strategies(rows: pd.DataFrame) -> pd.DataFrame:
    """The set-up strategies (the ``instantiate`` axis, schema 12) as ``runner report``'s "Set-up
    strategies" tells them: one row per runtime × compiler × engine × instantiate, of the ok wasm cells
    with instantiation figures whose other axes are at their defaults (DEFAULTS: ``bare``, ``copy``,
    raw, the release build, ...). Columns: STRATEGY_AXES, then STRATEGY_COLUMNS (a pair made: its
    headline (schema 13: the fastest process's median pair, which repeats better), the p50 and p99
    over all pairs, and dropped, in µs; pairs per second on one thread and on ``threads`` threads, ``threads``
    empty where only one was measured; the pre-linked form once, µs; the resident set after set-up and
    at the end, MiB; each guest memory's pages; the pool's reservation, GiB). Runtimes by name, each
    one's fastest strategy first (by the headline, else the p50 over all pairs). Empty, with those columns, for a run without these figures.
    """
    names = [*STRATEGY_AXES, *STRATEGY_COLUMNS]
    if "instantiate_p50_ns" not in rows.columns:
        return pd.DataFrame(columns=names)
    keep = (rows["status"] == "ok") & rows["instantiate_p50_ns"].notna() & (rows["engine"] != NATIVE_ENGINE)
    for axis in axis_columns(rows):
        if axis not in STRATEGY_AXES and axis in DEFAULTS:
            keep &= rows[axis].astype(str) == DEFAULTS[axis]
    chosen = rows[keep]
    table = chosen[list(STRATEGY_AXES)].astype(str)
    for name, (column, divisor) in STRATEGY_COLUMNS.items():
        values = chosen[column] if column in chosen.columns else pd.Series(float("nan"), index=chosen.index)
        table[name] = pd.to_numeric(values, errors="coerce") / divisor
    table["threads"] = table["threads"].where(table["pairs_per_s_parallel"].notna())
    table["rank"] = table["pair_us"].fillna(table["p50_us"])
    table = table.sort_values(["runtime", "rank", "compiler", "engine", "instantiate"], kind="stable")
    table = table.drop(columns="rank")
    return table.reset_index(drop=True)
