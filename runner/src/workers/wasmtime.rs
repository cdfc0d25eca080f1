//! Wasmtime's home in the runner: its worker is runner/wasmtime, a workspace of its own (its own
//! lock file: see its Cargo.toml), built with the release profile; it reports its own version.
//! Release `wasmtime-36` is the same worker source built against Wasmtime 36, the long-term-support
//! line (runner/releases/wasmtime-36, a workspace of its own with its own lock file).

use super::cargo::WorkerCrate;
use crate::matrix::axes::Runtime;

pub(super) const WASMTIME: WorkerCrate = WorkerCrate {
    runtime: Runtime::Wasmtime,
    package: "wasmatrix-wasmtime",
    manifest: Some("runner/wasmtime/Cargo.toml"),
    static_exe: true,
};

pub(super) const WASMTIME_36: WorkerCrate = WorkerCrate {
    runtime: Runtime::Wasmtime,
    package: "wasmatrix-wasmtime-36",
    manifest: Some("runner/releases/wasmtime-36/Cargo.toml"),
    static_exe: true,
};
