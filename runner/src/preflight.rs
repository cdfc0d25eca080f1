//! Checks made before any cell runs, each failing with what is missing and how to install it.

use crate::guest_build::{emcc_node_path, guest_target, wasm_opt, GuestBuild, EMSCRIPTEN_TOOLS};
use crate::matrix::axes::{Compiler, Environment, Runtime};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use wasmatrix_core::measure::MechanismKind;

/// Why the `llvm` compiler is unavailable when no LLVM 22 is found to build Wasmer's worker with.
pub const LLVM_MISSING: &str = "Wasmer's llvm compiler needs LLVM 22 to build its worker (runner/wasmer), and \
none was found (LLVM_SYS_221_PREFIX is unset and /usr/lib/llvm-22 has no llvm-config). Install it \
(apt-get install llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev) and \
set LLVM_SYS_221_PREFIX to it (runner/wasmatrix.sh does both)";

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
    let runs = |runtime: Runtime| cells.iter().any(|c| c.runtime == runtime && c.unsupported().is_none());
    if runs(Runtime::V8) {
        check_node(root)?;
    }
    if mechanism == MechanismKind::Instructions && runs(Runtime::V8) {
        bail!(
            "--measure instructions cannot count V8's cells: callgrind cannot be started and stopped around a \
             region from JavaScript, and V8's compiler threads and garbage collector would be counted; leave them \
             out with --filter runtime=wasmer,wasmtime,wasmi,native"
        );
    }
    let wasmer_llvm = cells.iter().any(|c| c.compiler == Compiler::Llvm && c.runtime == Runtime::Wasmer);
    if wasmer_llvm && crate::workers::llvm_prefix().is_none() {
        bail!("{LLVM_MISSING}; or leave llvm out with --filter compiler=singlepass,cranelift");
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

/// Node.js, which runs V8's worker: version 20 or later (its `node:wasi` and V8 flags are the ones
/// runner/v8/worker.mjs was checked with).
fn check_node(root: &Path) -> Result<()> {
    let node = crate::workers::node(root);
    let how = "runner/wasmatrix.sh setup installs Node.js 20 with npm (runner/npm/package.json) into \
               target/wasmatrix/node; or point WASMATRIX_NODE at a Node.js 20 or later";
    let output = Command::new(&node).arg("--version").output();
    let version = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => bail!("V8's cells run in Node.js, and `{}` cannot be started: {how}", node.display()),
    };
    let major: Option<u32> = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok());
    if major.is_none_or(|m| m < 20) {
        bail!("V8's cells need Node.js 20 or later, and `{}` is {version}: {how}", node.display());
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
