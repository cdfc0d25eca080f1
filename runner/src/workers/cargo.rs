//! The one cargo build of a worker crate: into the guests' target directory, under their build
//! lock, failing with cargo's own errors.

use super::recipe::Recipe;
use crate::guest_build::{Builder, ProtoThrough};
use crate::matrix::axes::{Axis, Runtime};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

/// Builds a worker crate: `cargo build --quiet --locked` (with the runner's codec features, if any),
/// then what `args` adds (package, profile, features, environment), into the guests' target
/// directory; cargo decides what is stale. `worker` names it where cargo cannot be started, `what`
/// where the build fails. Gives back the guests' build lock, still held: builds of different
/// variants share cargo's output paths, so what was built is copied before it is dropped.
pub fn build(builder: &Builder, worker: &str, what: &str, args: impl FnOnce(&mut Command)) -> Result<File> {
    let lock = builder.lock()?;
    let mut cargo = builder.cargo("build", ProtoThrough::Core);
    args(&mut cargo);
    let output = cargo
        .arg("--target-dir")
        .arg(builder.target_dir())
        .output()
        .with_context(|| format!("cannot run cargo to build the {worker} worker"))?;
    if !output.status.success() {
        bail!("building {what} failed:\n{}", String::from_utf8_lossy(&output.stderr).trim_end());
    }
    Ok(lock)
}

/// A runtime's worker crate built with the release profile (Wasmer's, Wasmtime's, wasmi's).
pub struct WorkerCrate {
    pub runtime: Runtime,
    /// The package, and the name of its binary.
    pub package: &'static str,
    /// The manifest of its own workspace (with its own lock file), if it is not in the main one.
    pub manifest: Option<&'static str>,
}

impl WorkerCrate {
    /// The worker, built now; `configure` adds the runtime's own features and environment, `note`
    /// what the failure message says after the package.
    pub fn build(&self, builder: &Builder, note: &str, configure: impl FnOnce(&mut Command)) -> Result<PathBuf> {
        let (runtime, package) = (self.runtime, self.package);
        eprintln!("building the {runtime} worker");
        let what = format!("the {runtime} worker ({package}){note}");
        build(builder, runtime.name(), &what, |cargo| {
            cargo.args(["--release", "--bin", package]);
            match self.manifest {
                Some(manifest) => cargo.arg("--manifest-path").arg(builder.root().join(manifest)),
                None => cargo.args(["-p", package]),
            };
            configure(cargo);
        })?;
        Ok(builder.target_dir().join("release").join(package))
    }
}

/// A worker crate that needs nothing more: built as it is, one worker for every cell, started alone.
impl Recipe for WorkerCrate {
    fn worker(&self, builder: &Builder, _cell: &Cell) -> Result<PathBuf> {
        self.build(builder, "", |_| {})
    }
}
