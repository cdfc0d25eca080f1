//! Wasmtime's home in the runner: its worker is runner/wasmtime, a workspace of its own (its own
//! lock file: see its Cargo.toml), built with the release profile; it reports its own version.

use super::cargo::WorkerCrate;
use crate::matrix::axes::Runtime;

pub(super) const WASMTIME: WorkerCrate = WorkerCrate {
    runtime: Runtime::Wasmtime,
    package: "wasmatrix-wasmtime",
    manifest: Some("runner/wasmtime/Cargo.toml"),
    static_exe: true,
};
