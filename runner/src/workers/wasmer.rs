//! Wasmer's home in the runner: its worker is runner/wasmer (so the runner links no Wasmer), built
//! with the release profile; its `llvm` compiler needs LLVM 22 to build ([`llvm_prefix`]), without
//! which the worker is built without that compiler and the preflight refuses its `llvm` cells.
//! Release `wasmer-6` is the same worker source built against Wasmer 6.1.0 (runner/releases/wasmer-6,
//! a workspace of its own with its own lock file), without LLVM: its `llvm` cells are unsupported
//! (`Cell::unsupported`), as are its merged ones.

use super::cargo::WorkerCrate;
use super::recipe::Recipe;
use crate::guest_build::Builder;
use crate::matrix::axes::{Compiler, Runtime};
use crate::matrix::Cell;
use crate::meta::RunMeta;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use wasmatrix_core::measure::MechanismKind;

const CRATE: WorkerCrate =
    WorkerCrate { runtime: Runtime::Wasmer, package: "wasmatrix-wasmer", manifest: None, static_exe: false };

/// Why the `llvm` compiler is unavailable when no LLVM 22 is found to build Wasmer's worker with.
pub const LLVM_MISSING: &str = "Wasmer's llvm compiler needs LLVM 22 to build its worker (runner/wasmer), and \
none was found (LLVM_SYS_221_PREFIX is unset and /usr/lib/llvm-22 has no llvm-config). Install it \
(apt-get install llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev) and \
set LLVM_SYS_221_PREFIX to it (runner/wasmatrix.sh does both)";

/// Where LLVM 22 is, for building the Wasmer worker with its `llvm` compiler (llvm-sys reads
/// `LLVM_SYS_221_PREFIX`): that variable, or Debian's /usr/lib/llvm-22 (where runner/wasmatrix.sh
/// installs it) if it has an llvm-config. `None`: no LLVM 22 here.
pub fn llvm_prefix() -> Option<PathBuf> {
    match std::env::var_os("LLVM_SYS_221_PREFIX") {
        Some(prefix) => Some(PathBuf::from(prefix)),
        None => {
            let debian = Path::new("/usr/lib/llvm-22");
            debian.join("bin/llvm-config").exists().then(|| debian.to_owned())
        }
    }
}

/// Release `wasmer-6`: linked as the default worker is (not static), so the releases differ only
/// in Wasmer.
pub(super) const WASMER_6: WorkerCrate = WorkerCrate {
    runtime: Runtime::Wasmer,
    package: "wasmatrix-wasmer-6",
    manifest: Some("runner/releases/wasmer-6/Cargo.toml"),
    static_exe: false,
};

pub struct Wasmer;

impl Recipe for Wasmer {
    /// Built with LLVM where [`llvm_prefix`] finds it, else without its `llvm` compiler (whose
    /// cells then fail, saying how to get it; the preflight refuses them before the run).
    fn worker(&self, builder: &Builder, _cell: &Cell) -> Result<PathBuf> {
        let llvm = llvm_prefix();
        let note = match &llvm {
            Some(prefix) => format!(
                " (with LLVM_SYS_221_PREFIX={}: LLVM 22's development files must be there, see runner/wasmatrix.sh \
                 setup)",
                prefix.display()
            ),
            None => String::new(),
        };
        CRATE.build(builder, &note, |cargo| match &llvm {
            Some(prefix) => {
                cargo.env("LLVM_SYS_221_PREFIX", prefix);
            }
            None => {
                eprintln!("no LLVM 22 (LLVM_SYS_221_PREFIX): building the wasmer worker without its llvm compiler");
                cargo.arg("--no-default-features");
            }
        })
    }

    fn check(&self, _root: &Path, cells: &[Cell], _mechanism: MechanismKind) -> Result<()> {
        if cells.iter().any(|c| c.compiler == Compiler::Llvm) && llvm_prefix().is_none() {
            bail!("{LLVM_MISSING}; or leave llvm out with --filter compiler=singlepass,cranelift");
        }
        Ok(())
    }

    /// The Wasmer the workspace's Cargo.lock resolves, which runner/wasmer is built with.
    fn version(&self, meta: &RunMeta) -> String {
        meta.wasmer_version.clone()
    }
}
