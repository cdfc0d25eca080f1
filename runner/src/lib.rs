//! wasmatrix's runner. Where things happen:
//! - [`matrix`]: a matrix file is read, checked and expanded into cells; [`matrix::axes`] lists
//!   every axis value.
//! - [`guests`]: the guest `.wasm` files are built, once per variant.
//! - [`run`]: a run; [`supervise`] runs each cell in worker processes with a time limit;
//!   [`worker`] is one cell inside its process.
//! - [`harness`]: the guests under Wasmer: engine configuration, imports, transports, round trip.
//! - [`measure`]: timing and statistics; [`reference`]: the checksum every cell must reproduce.
//! - [`results`]: the CSV schema, the results file, the summary; [`meta`]: versions and machine.

pub mod guests;
pub mod harness;
pub mod matrix;
pub mod measure;
pub mod meta;
pub mod preflight;
pub mod reference;
pub mod results;
pub mod run;
pub mod supervise;
pub mod worker;

use std::path::PathBuf;

/// The wasmatrix checkout: `WASMATRIX_ROOT`, or the one this runner was built from.
pub fn workspace_root() -> PathBuf {
    std::env::var_os("WASMATRIX_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")))
}
