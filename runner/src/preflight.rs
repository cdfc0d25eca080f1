//! Checks made before any cell runs, each failing with what is missing and how to install it:
//! valgrind for `--measure instructions`, what each runtime the cells name needs (asked of its
//! recipe in [`crate::workers`]), and the tools that build the guests.

use crate::guest_build::{emcc_node_path, guest_target, wasm_opt, GuestBuild, EMSCRIPTEN_TOOLS};
use crate::matrix::axes::{Axis, Environment, Release, Runtime};
use crate::matrix::Cell;
use crate::workers::recipe;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use wasmatrix_core::measure::MechanismKind;

/// Everything the cells need that this runner or machine may lack.
pub fn check(root: &Path, cells: &[Cell], building_guests: bool, mechanism: MechanismKind) -> Result<()> {
    if mechanism == MechanismKind::Instructions {
        let valgrind = Command::new("valgrind").arg("--version").output();
        if !valgrind.is_ok_and(|o| o.status.success()) {
            bail!(
                "--measure instructions runs the workers under valgrind's callgrind, and valgrind is not \
                 installed: apt-get install valgrind (runner/wasmatrix.sh setup does it)"
            );
        }
    }
    // What each runtime and release the cells name needs (its file in crate::workers says).
    for &runtime in Runtime::all() {
        for &release in Release::all() {
            let of: Vec<Cell> =
                cells.iter().filter(|c| (c.runtime, c.release) == (runtime, release)).copied().collect();
            if !of.is_empty() {
                recipe(runtime, release).check(root, &of, mechanism)?;
            }
        }
    }
    if building_guests {
        let sysroot = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .args(["--print", "sysroot"])
            .output()
            .context("cannot run rustc, which builds the guests; install Rust with rustup")?;
        check_targets(cells, Path::new(String::from_utf8_lossy(&sysroot.stdout).trim()))?;
        if cells.iter().any(|c| c.environment == Environment::Emscripten && c.unsupported().is_none()) {
            check_emscripten_tools(root)?;
        }
    }
    Ok(())
}

/// emcc and binaryen's wasm-opt, which build the `emscripten` environment's guests.
fn check_emscripten_tools(root: &Path) -> Result<()> {
    let emcc = Command::new("emcc").arg("--version").env("NODE_PATH", emcc_node_path()).output();
    if !emcc.is_ok_and(|o| o.status.success()) {
        bail!("the emscripten environment's guests are linked by emcc, which is not installed: {EMSCRIPTEN_TOOLS}");
    }
    let wasm_opt = wasm_opt(root);
    if !wasm_opt.exists() {
        bail!("{} is missing (the emscripten environment's guests need it): {EMSCRIPTEN_TOOLS}", wasm_opt.display());
    }
    Ok(())
}

/// The Rust targets the cells' guests are built for are installed in `sysroot`.
fn check_targets(cells: &[Cell], sysroot: &Path) -> Result<()> {
    let mut environments: Vec<Environment> = cells
        .iter()
        .filter(|c| GuestBuild::of(c).is_some() && c.unsupported().is_none())
        .map(|c| c.environment)
        .collect();
    environments.sort();
    environments.dedup();
    for environment in environments {
        let target = guest_target(environment);
        if !sysroot.join("lib/rustlib").join(target).exists() {
            bail!(
                "the Rust target {target} (for environment {environment}) is not installed: \
                 run `rustup target add {target}`"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_wasm_target_says_how_to_install_it() {
        let cells = [Cell::parse("cranelift/jit/bare/copy/raw/release").unwrap()];
        let sysroot = tempfile::tempdir().unwrap();
        let err = check_targets(&cells, sysroot.path()).unwrap_err().to_string();
        assert!(err.contains("rustup target add wasm32-unknown-unknown"), "{err}");
        std::fs::create_dir_all(sysroot.path().join("lib/rustlib/wasm32-unknown-unknown")).unwrap();
        check_targets(&cells, sysroot.path()).unwrap();
        // the native twin needs no wasm target
        let native = [Cell::parse("rustc/native/bare/copy/raw/release").unwrap()];
        check_targets(&native, tempfile::tempdir().unwrap().path()).unwrap();
    }
}
