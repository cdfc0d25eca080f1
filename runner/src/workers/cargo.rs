//! The one cargo build of a worker crate: into the guests' target directory, under their build
//! lock, as a static executable where the host allows ([`STATIC_EXE`]), failing with cargo's own
//! errors.

use super::recipe::Recipe;
use crate::guest_build::{Builder, ProtoThrough};
use crate::matrix::axes::{Axis, Runtime};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

/// The cargo configuration the Rust workers are built with, but Wasmer's (`cargo --config`,
/// relative to the checkout): static, non-position-independent executables on Linux with glibc,
/// for the host triple named explicitly. Its comments say why; runner/wasmatrix.sh builds the
/// workers' tests with it too, so that they share one build.
pub const STATIC_EXE: &str = "runner/static-exe.toml";

/// Where cargo puts the binaries a worker build makes with cargo's `profile`: a static one
/// ([`STATIC_EXE`]) under the host triple, which it names as the target.
pub fn binary_dir(builder: &Builder, static_exe: bool, profile: &str) -> PathBuf {
    let target = builder.target_dir();
    match static_exe {
        true => target.join(env!("WASMATRIX_HOST_TARGET")).join(profile),
        false => target.join(profile),
    }
}

/// Builds a worker crate: `cargo build --quiet --locked --config` [`STATIC_EXE`] (with the
/// runner's codec features, if any), then what `args` adds (package, profile, features,
/// environment), into the guests' target directory ([`binary_dir`]); cargo decides what is stale.
/// `worker` names it where cargo cannot be started, `what` where the build fails. Gives back the guests' build lock, still held: builds of different
/// variants share cargo's output paths, so what was built is copied before it is dropped.
pub fn build(builder: &Builder, worker: &str, what: &str, args: impl FnOnce(&mut Command)) -> Result<File> {
    build_linked(builder, worker, what, true, args)
}

/// [`build`], as a static executable or (`static_exe` false) as cargo builds by default.
fn build_linked(
    builder: &Builder,
    worker: &str,
    what: &str,
    static_exe: bool,
    args: impl FnOnce(&mut Command),
) -> Result<File> {
    let lock = builder.lock()?;
    let mut cargo = builder.cargo("build", ProtoThrough::Core);
    if static_exe {
        cargo.arg("--config").arg(builder.root().join(STATIC_EXE));
    }
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
    /// Built as a static executable ([`STATIC_EXE`]); false where the worker links C++ libraries
    /// that cannot be (Wasmer's LLVM: a worker linked so crashes at start).
    pub static_exe: bool,
}

impl WorkerCrate {
    /// The worker, built now; `configure` adds the runtime's own features and environment, `note`
    /// what the failure message says after the package.
    pub fn build(&self, builder: &Builder, note: &str, configure: impl FnOnce(&mut Command)) -> Result<PathBuf> {
        let (runtime, package) = (self.runtime, self.package);
        eprintln!("building the {runtime} worker");
        let what = format!("the {runtime} worker ({package}){note}");
        build_linked(builder, runtime.name(), &what, self.static_exe, |cargo| {
            cargo.args(["--release", "--bin", package]);
            match self.manifest {
                Some(manifest) => cargo.arg("--manifest-path").arg(builder.root().join(manifest)),
                None => cargo.args(["-p", package]),
            };
            configure(cargo);
        })?;
        Ok(binary_dir(builder, self.static_exe, "release").join(package))
    }
}

/// A worker crate that needs nothing more: built as it is, one worker for every cell, started alone.
impl Recipe for WorkerCrate {
    fn worker(&self, builder: &Builder, _cell: &Cell) -> Result<PathBuf> {
        self.build(builder, "", |_| {})
    }
}
