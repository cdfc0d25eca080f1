//! wasmatrix's runner. Where things happen:
//! - [`matrix`]: a matrix file is read, checked and expanded into cells; [`matrix::axes`] lists
//!   every axis value.
//! - [`guest_build`]: the guest `.wasm` files are built, once per variant; [`component`] turns them
//!   into components and composes the pair; [`guest_set`] checks every file a run uses (built or
//!   given) before any cell runs, and names the set in the run fingerprint.
//! - [`run`]: a run; [`stop`] how it stops short (Ctrl-C, a failure after cells ran) and
//!   [`exit`] the exit statuses; [`supervise`] runs each cell in worker processes with a time limit;
//!   [`workers`] says which process runs each runtime's cells, one file per runtime (how its
//!   worker is built, started, checked before a run, and its version): every runtime's worker is
//!   a program of its own (runner/wasmer, runner/wasmtime, runner/wasmi, runner/v8, runner/native),
//!   so the runner links none of them.
//! - [`reference`]: the checksum every cell must reproduce.
//! - wasmatrix-core (runner/core): axes, cells, the `Guests` interface, timing and statistics, and
//!   the worker protocol that every worker shares.
//! - [`results`]: the CSV schema, the results file, the summary; [`meta`]: versions and machine.
//! - [`compare`]: two runs cell by cell, read against the machine; [`calibrate`]: how well two runs
//!   of the same code agree, per estimator, and how `compare` does on them.
//! - [`history`]: the store of runs (Parquet) and their trend over nights.
//! - [`shard`]: `--shard I/N` and the run fingerprint shards share; [`merge`] joins shards.
//! - [`atomic`]: outputs written whole or not at all (a temporary name, renamed when complete).
//! - [`fuzz_checks`]: what the fuzz targets (runner/fuzz) assert, replayed by the tests.
//! - [`published`]: the axes and their values as data for the notebooks (`runner axes --json`).

pub mod atomic;
pub mod calibrate;
pub mod compare;
pub mod component;
pub mod exit;
pub mod fuzz_checks;
pub mod guest_build;
pub mod guest_set;
pub mod history;
pub mod matrix;
pub mod merge;
pub mod merged_pair;
pub mod meta;
pub mod oom;
pub mod preflight;
pub mod published;
pub mod reference;
pub mod report;
pub mod results;
pub mod run;
pub mod run_length;
pub mod schedule;
pub mod shard;
pub mod stats;
pub mod stop;
pub mod supervise;
pub mod workers;

pub use wasmatrix_core::measure;

use std::path::PathBuf;

/// The wasmatrix checkout: `WASMATRIX_ROOT`, or the one this runner was built from.
pub fn workspace_root() -> PathBuf {
    let root = std::env::var_os("WASMATRIX_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
    root.canonicalize().unwrap_or(root)
}
