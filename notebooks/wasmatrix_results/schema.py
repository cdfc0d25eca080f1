"""The results files this package reads: where runs live, the schema versions it reads and the
columns it needs (results/README.md documents every column)."""

from __future__ import annotations

from pathlib import Path

SCHEMA_VERSION = 16
MIN_SCHEMA_VERSION = 2
"""The results schema these functions read (results/README.md); later ones only add columns.
Files of schema 2 read too: the schema 3 columns are then empty, and logging is ``off``; files
before schema 5 read with the ``default`` allocator, files before schema 6 with the runtime that
ran them then (Wasmer, or native for the native engine), files before schema 7 with ``call = host``,
files before schema 8 with their medians over processes as the headline figures (HEADLINES),
files before schema 11 (no ``twin_cell``) with their native twins found as the runner defined them
(native_ratios). Schema 12 adds the ``instantiate`` axis (older files: ``fresh``), instantiation as a
distribution and the memory a cell holds (docs/instantiate.md), which tables.setup_strategies reads.
Schema 13 splits the cold start into phases (SCHEMA_13_COLUMNS; older files: empty). Schema 14 adds the
``records`` axis, records per message (older files: ``1``; a cell of one record has no records part
in its name), which questions.payload reads. Schema 15 adds the ``modules`` axis, the guest modules of a
chain (older files: ``2``; a cell of two modules has no modules part in its name). Schema 16 adds the
``release`` axis, which release of the runtime (older files: ``default``, each runtime's own; a cell
of it has no release part in its name)."""

REPO = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO / "results"
SAMPLE = REPO / "notebooks" / "sample" / "quick-sample.csv"

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
             "rt_headline_ci_pct": "rt_ci_pct", "rt_headline_ci_low_ns": "rt_ci_low_ns",
             "rt_headline_ci_high_ns": "rt_ci_high_ns", "encode_headline_ns": "encode_p50_ns",
             "decode_headline_ns": "decode_p50_ns"}
"""The headline columns (from schema 9 the p10 over processes of each process's p2, in schema 8 of
each process's p10; chosen by measured repeatability, docs/measuring.md), their 95% interval and
the codec's headlines the plots read, and what a file before schema 8 has instead (the median over
processes, with its interval)."""

SCHEMA_3_COLUMNS = ("environment_ns", "log_bytes", "stdout_bytes", "stderr_bytes")
"""Columns schema 3 added; empty (NaN) when a schema 2 file is loaded."""

SCHEMA_13_COLUMNS = ("process_start_ns", "worker_start_ns", "engine_ns", "cold_start_untimed_ns",
                     "cold_start_headline_ns", "cold_start_headline_ci_pct", "instantiate_headline_ns")
"""Columns schema 13 added (the cold start's phases before the set-up, what no phase times, the
cold start's headline, a pair's instantiation's headline); empty (NaN) when an older
file is loaded."""

SAMPLE_COLUMNS = ("run_id", "cell", "process", "seq", "metric", "sample", "value")
"""The columns of the raw-samples sidecar."""

KEY = ["run_id", "cell"]
