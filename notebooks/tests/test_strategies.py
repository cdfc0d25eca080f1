"""The set-up strategies table (schema 12's instantiation figures) on a small made-up run, and on
older runs, which have none."""

from __future__ import annotations

import math

import pandas as pd

import wasmatrix_results as wr
from wasmatrix_results.axes import DEFAULTS


def strategy_row(runtime, compiler, engine, instantiate, p50_ns, **changes) -> dict:
    """A loaded schema 12 row of an ok cell on the baseline but for its strategy axes."""
    axes = {**DEFAULTS, "runtime": runtime, "compiler": compiler, "engine": engine, "instantiate": instantiate}
    pooled = instantiate == "pooled"
    row = {**axes, "run_id": "r", "status": "ok", "error": "", "schema_version": 12,
           "instantiate_p50_ns": p50_ns, "instantiate_p99_ns": 2 * p50_ns, "teardown_ns": p50_ns / 10,
           "instantiations": 20, "instantiate_threads": 2, "instantiations_per_s": 1e9 / p50_ns / 1.5,
           "instantiations_per_s_parallel": 1.8e9 / p50_ns / 1.5 if runtime == "wasmtime" else math.nan,
           "prepare_ns": math.nan if instantiate == "fresh" else 50_000.0,
           "rss_after_setup_kib": 20_480.0, "peak_rss_kib": 25_600.0, "producer_memory_pages": 17.0,
           "consumer_memory_pages": 18.0, "reserved_kib": 2 * 1024.0 ** 2 if pooled else math.nan}
    row.update(changes)
    row["cell"] = "/".join(str(row[a]) for a in wr.AXES)
    return row


def test_setup_strategies_on_a_schema_12_run():
    rows = pd.DataFrame([
        strategy_row("wasmtime", "cranelift", "jit", "fresh", 60_000.0),
        strategy_row("wasmtime", "cranelift", "jit", "pre", 20_000.0),
        strategy_row("wasmtime", "cranelift", "jit", "pooled", 8_000.0),
        strategy_row("wasmi", "eager", "jit", "fresh", 30_000.0),
        # Left out: off the baseline (json), the native twin, a cell that could not run.
        strategy_row("wasmtime", "cranelift", "jit", "pooled", 1_000.0, codec="json"),
        strategy_row("native", "rustc", "native", "fresh", 500.0),
        strategy_row("wasmtime", "cranelift", "artifact", "pre", math.nan, status="unsupported"),
    ])
    table = wr.setup_strategies(rows)
    assert list(table.columns) == [*wr.STRATEGY_AXES, *wr.STRATEGY_COLUMNS], list(table.columns)
    assert table[list(wr.STRATEGY_AXES)].values.tolist() == [
        ["wasmi", "eager", "jit", "fresh"],
        ["wasmtime", "cranelift", "jit", "pooled"],
        ["wasmtime", "cranelift", "jit", "pre"],
        ["wasmtime", "cranelift", "jit", "fresh"],
    ], table
    pooled = table.iloc[1]
    assert (pooled["p50_us"], pooled["p99_us"], pooled["teardown_us"]) == (8.0, 16.0, 0.8), pooled
    assert round(pooled["pairs_per_s"]) == 83_333 and round(pooled["pairs_per_s_parallel"]) == 150_000, pooled
    assert (pooled["threads"], pooled["prepare_us"], pooled["reserved_gib"]) == (2, 50.0, 2.0), pooled
    assert (pooled["rss_after_setup_mib"], pooled["rss_end_mib"]) == (20.0, 25.0), pooled
    assert (pooled["producer_pages"], pooled["consumer_pages"]) == (17, 18), pooled
    wasmi = table.iloc[0]
    assert wasmi[["pairs_per_s_parallel", "threads", "prepare_us", "reserved_gib"]].isna().all(), wasmi


def test_older_runs_read_fresh_and_have_no_strategies():
    rows, samples = wr.load(wr.SAMPLE)
    assert rows["instantiate"].eq("fresh").all() and rows["cell"].str.endswith("/fresh").all(), rows["cell"]
    assert set(samples["cell"]) <= set(rows["cell"]), "samples name the rows' cells"
    table = wr.setup_strategies(rows)
    assert table.empty and list(table.columns) == [*wr.STRATEGY_AXES, *wr.STRATEGY_COLUMNS], table
