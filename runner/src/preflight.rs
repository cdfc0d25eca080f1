//! Checks made before any cell runs, each failing with what is missing and how to install it.

use crate::guests::GuestBuild;
use crate::harness::wasmer::environment::guest_target;
use crate::matrix::axes::{Compiler, Environment};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use std::process::Command;

/// Why the `llvm` compiler is unavailable in a runner built without it.
pub const LLVM_MISSING: &str = "the llvm compiler is not built into this runner. Install LLVM 22 \
(apt-get install llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev) \
and rebuild with the default features (runner/wasmatrix.sh does both)";

/// Everything the cells need that this runner or machine may lack.
pub fn check(cells: &[Cell], building_guests: bool) -> Result<()> {
    if cfg!(not(feature = "llvm")) && cells.iter().any(|c| c.compiler == Compiler::Llvm) {
        bail!("{LLVM_MISSING}; or leave llvm out with --filter compiler=singlepass,cranelift");
    }
    if building_guests {
        let mut environments: Vec<Environment> =
            cells.iter().filter(|c| GuestBuild::of(c).is_some()).map(|c| c.environment).collect();
        environments.sort();
        environments.dedup();
        let sysroot = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .args(["--print", "sysroot"])
            .output()
            .context("cannot run rustc, which builds the guests; install Rust with rustup")?;
        let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
        for environment in environments {
            let target = guest_target(environment);
            if !std::path::Path::new(&sysroot).join("lib/rustlib").join(target).exists() {
                bail!(
                    "the Rust target {target} (for environment {environment}) is not installed: \
                     run `rustup target add {target}`"
                );
            }
        }
    }
    Ok(())
}
