//! wasmi's home in the runner: its worker is runner/wasmi, in the main workspace, built with the
//! release profile; it reports its own version. Release `wasmi-1` is the same worker source built
//! against wasmi 1.0.9 (runner/releases/wasmi-1, a workspace of its own with its own lock file).

use super::cargo::WorkerCrate;
use crate::matrix::axes::Runtime;

pub(super) const WASMI: WorkerCrate =
    WorkerCrate { runtime: Runtime::Wasmi, package: "wasmatrix-wasmi", manifest: None, static_exe: true };

pub(super) const WASMI_1: WorkerCrate = WorkerCrate {
    runtime: Runtime::Wasmi,
    package: "wasmatrix-wasmi-1",
    manifest: Some("runner/releases/wasmi-1/Cargo.toml"),
    static_exe: true,
};
