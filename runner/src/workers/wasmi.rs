//! wasmi's home in the runner: its worker is runner/wasmi, in the main workspace, built with the
//! release profile; it reports its own version.

use super::cargo::WorkerCrate;
use crate::matrix::axes::Runtime;

pub(super) const WASMI: WorkerCrate =
    WorkerCrate { runtime: Runtime::Wasmi, package: "wasmatrix-wasmi", manifest: None, static_exe: true };
