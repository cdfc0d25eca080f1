//! Where Wasmer is configured: one compiler per `compiler` value, and the two ways compiled code
//! reaches the measured process (`engine`): compiled in it (`jit`), or precompiled by another
//! process, serialized, and loaded with a headless engine (`artifact`).

use crate::limits::Capped;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use wasmatrix_core::axes::Compiler;
use wasmatrix_core::guests::{read_guest, Failure, GuestFiles};
use wasmer::Module;

/// Why the `llvm` compiler is unavailable in a worker built without it.
#[cfg(not(feature = "llvm"))]
const LLVM_MISSING: &str = "the llvm compiler is not built into this Wasmer worker. Install LLVM 22 \
(apt-get install llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev) \
and rebuild it with the default features and LLVM_SYS_221_PREFIX set (runner/wasmatrix.sh does both)";

/// The Wasmer engine that compiles with `compiler`, with Wasmer's default settings for it, its
/// memories capped at `memory_limit_mib`.
pub fn compiling_engine(compiler: Compiler, memory_limit_mib: u64) -> Result<wasmer::Engine> {
    use wasmer::sys::{Cranelift, NativeEngineExt, Singlepass};
    let mut engine: wasmer::Engine = match compiler {
        Compiler::Singlepass => Singlepass::default().into(),
        Compiler::Cranelift => Cranelift::default().into(),
        #[cfg(feature = "llvm")]
        Compiler::Llvm => wasmer::sys::LLVM::default().into(),
        #[cfg(not(feature = "llvm"))]
        Compiler::Llvm => anyhow::bail!("{LLVM_MISSING}"),
        other => anyhow::bail!("{other} is not one of Wasmer's compilers (see Cell::not_a_cell)"),
    };
    engine.set_tunables(Capped::new(memory_limit_mib));
    Ok(engine)
}

/// The guests as Wasmer modules, ready to instantiate: the pair, and a chain's relays (each
/// distinct module once).
pub struct Modules {
    pub producer: Module,
    pub consumer: Module,
    pub relays: Vec<Module>,
    /// Which of `relays` each relay of the chain instantiates, in order.
    pub relay_of: Vec<usize>,
}

/// Compiles one guest file.
pub fn compile_one(engine: &wasmer::Engine, path: &Path) -> Result<Module, Failure> {
    let wasm = read_guest(path)?;
    Ok(Module::new(engine, wasm).with_context(|| format!("cannot compile guest {}", path.display()))?)
}

/// Compiles the guests (the `jit` engine, and the first half of `artifact`).
pub fn compile(engine: &wasmer::Engine, guests: &GuestFiles) -> Result<Modules, Failure> {
    let (relays, relay_of) = guests.relay_modules();
    Ok(Modules {
        relay_of,
        producer: compile_one(engine, &guests.producer)?,
        consumer: compile_one(engine, &guests.consumer)?,
        relays: relays.into_iter().map(|relay| compile_one(engine, relay)).collect::<Result<_, _>>()?,
    })
}

/// Where the artifacts of a cell's guests live: the pair's, then `relays` relays'.
pub fn artifact_paths(dir: &Path, relays: usize) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let relays = (1..=relays).map(|j| dir.join(format!("relay-{j}.wasmu"))).collect();
    (dir.join("producer.wasmu"), dir.join("consumer.wasmu"), relays)
}

/// Serializes compiled modules into `dir`; returns the artifacts' total size in bytes.
pub fn save_artifacts(modules: &Modules, dir: &Path) -> Result<u64> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (p, c, relays) = artifact_paths(dir, modules.relays.len());
    let mut size = save_artifact(&modules.producer, &p)? + save_artifact(&modules.consumer, &c)?;
    for (module, path) in modules.relays.iter().zip(&relays) {
        size += save_artifact(module, path)?;
    }
    Ok(size)
}

/// Serializes one compiled module to `path`; returns its size in bytes.
pub fn save_artifact(module: &Module, path: &Path) -> Result<u64> {
    module.serialize_to_file(path).with_context(|| format!("cannot write artifact {}", path.display()))?;
    // On disk, as a deployed artifact is, before the measured process loads it.
    std::fs::File::open(path).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync {}", path.display()))?;
    Ok(std::fs::metadata(path)?.len())
}

/// The headless engine that runs precompiled artifacts: no compiler in the process; its
/// memories capped at `memory_limit_mib`.
pub fn headless_engine(memory_limit_mib: u64) -> wasmer::Engine {
    use wasmer::sys::NativeEngineExt;
    let mut engine = wasmer::Engine::headless();
    engine.set_tunables(Capped::new(memory_limit_mib));
    engine
}

/// Loads the guests' artifacts from `dir` (the `artifact` engine's measured phase): the pair's,
/// and the relays' (`relay_of`: which distinct module each relay instantiates, as
/// [`GuestFiles::relay_modules`] says).
pub fn load_artifacts(engine: &wasmer::Engine, dir: &Path, relay_of: &[usize]) -> Result<Modules> {
    let (p, c, relays) = artifact_paths(dir, relay_of.iter().max().map_or(0, |m| m + 1));
    Ok(Modules {
        relay_of: relay_of.to_vec(),
        producer: load_artifact(engine, &p)?,
        consumer: load_artifact(engine, &c)?,
        relays: relays.iter().map(|path| load_artifact(engine, path)).collect::<Result<_>>()?,
    })
}

/// Loads one artifact [`save_artifact`] wrote.
#[allow(unsafe_code)]
pub fn load_artifact(engine: &wasmer::Engine, path: &Path) -> Result<Module> {
    // SAFETY: deserializing maps machine code into the process. The file is one that
    // `save_artifacts` wrote moments ago, in this run's private artifact directory, with this
    // same Wasmer build, so it is trusted and the archive's validation pass (about 25 us per
    // guest here) is skipped, as a deployment loading its own artifacts would. Wasmer still
    // checks the header and version and refuses a mismatch.
    unsafe { Module::deserialize_from_file_unchecked(engine, path) }
        .with_context(|| format!("cannot load artifact {}", path.display()))
}
