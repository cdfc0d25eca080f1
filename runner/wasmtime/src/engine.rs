//! Where Wasmtime is configured: one `Config` per compiler value, and the two ways compiled code
//! reaches the measured process: compiled in it (`jit`), or precompiled by another process with
//! `Engine::precompile_module`, written to disk, and mapped in with `Module::deserialize_file`
//! (`artifact`); components (transports `component` and `composed`) the same way, with
//! `Engine::precompile_component` and `Component::deserialize_file`; the merged pair's one module
//! (transport `merged`) as a guest's. Everything else is Wasmtime's default, except that the
//! component model's concurrency support is off, and that `instantiate = pooled` cells get the
//! pooling instance allocator ([`Pool`]) with copy-on-write memory images.

use anyhow::Context;
use std::path::{Path, PathBuf};
use wasmatrix_core::axes::{Compiler, Transport};
use wasmatrix_core::guests::{read_guest, Failure, GuestFiles};
use wasmtime::component::Component;
use wasmtime::{Config, InstanceAllocationStrategy, Module, PoolingAllocationConfig, Strategy};

/// The pooling instance allocator of `instantiate = pooled`, sized for the pairs a worker holds at
/// once (one per instantiating thread): per pair, two core instances with a memory and a table
/// each (core modules), two components (one composed) whose core instances, memories and tables
/// are bounded by [`COMPONENT_CORE_ITEMS`], or one core instance with two memories and two tables
/// (transport `merged`: each guest's, in one module; in the slots of a pair of core modules);
/// every memory at most the cell's memory cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    pub pairs: u32,
    /// The cell's transport, which says how a pair is made of modules.
    pub transport: Transport,
    pub memory_limit_mib: u64,
}

/// Room in the pool, per guest component, for its core instances, memories and tables: a guest
/// component made by wit-component holds its core module and a few shim and fix-up instances;
/// a pair that needs more fails at instantiation with Wasmtime's own pool-limit error.
pub const COMPONENT_CORE_ITEMS: u32 = 8;

impl Pool {
    /// The pooling configuration: slots for `pairs` pairs.
    fn config(&self) -> PoolingAllocationConfig {
        let per_pair = match self.transport {
            Transport::Component | Transport::Composed => 2 * COMPONENT_CORE_ITEMS,
            _ => 2,
        };
        let slots = self.pairs.max(1) * per_pair;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_core_instances(slots)
            .total_memories(slots)
            .total_tables(slots)
            .total_component_instances(2 * self.pairs.max(1))
            .max_memory_size(wasmatrix_core::cap::bytes(self.memory_limit_mib));
        if self.transport == Transport::Merged {
            // The one module holds both guests' memories and tables (Wasmtime's default is one of
            // each per module); raised for these cells only, so the others' pools stay as they were.
            pool.max_memories_per_module(2).max_tables_per_module(2);
        }
        pool
    }
}

/// The engine for `compiler`. `compiling: false` is the loading engine of the `artifact` engine:
/// no compiler in it (`enable_compiler(false)`), except for Winch, whose artifacts are accepted
/// only by an engine configured for Winch.
/// `pool`: the pooling instance allocator and copy-on-write memory images (`instantiate =
/// pooled`), else Wasmtime's default on-demand allocator.
pub fn engine(compiler: Compiler, compiling: bool, pool: Option<Pool>) -> Result<wasmtime::Engine, Failure> {
    let mut config = Config::new();
    if let Some(pool) = pool {
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool.config()));
        // Wasmtime's default, set because the fast-instantiation guide lists it: a memory's initial
        // data is mapped copy-on-write from the module's image, not copied at instantiation.
        config.memory_init_cow(true);
    }
    match compiler {
        Compiler::Cranelift => {}
        Compiler::Winch => {
            config.strategy(Strategy::Winch);
        }
        Compiler::Pulley => {
            config.target("pulley64").map_err(|e| Failure::Error(format!("cannot target Pulley: {e}")))?;
        }
        other => {
            return Err(Failure::Error(format!("{other} is not one of Wasmtime's compilers (see Cell::not_a_cell)")))
        }
    }
    leave_out(&mut config, compiler, compiling);
    wasmtime::Engine::new(&config).map_err(|e| Failure::Error(format!("cannot create the Wasmtime engine: {e:#}")))
}

/// What the engine is built without. Concurrency support: off, explicitly: the worker builds
/// Wasmtime without `component-model-async`, so it is off by default; with it, every host-mediated
/// component call pays for the concurrent machinery. The compiler, when the guests come
/// precompiled (not for Winch: see [`engine`]).
#[cfg(not(wasmtime_36))]
fn leave_out(config: &mut Config, compiler: Compiler, compiling: bool) {
    config.concurrency_support(false);
    if !compiling && compiler != Compiler::Winch {
        config.enable_compiler(false);
    }
}

/// Wasmtime 36 (release `wasmtime-36`) has neither switch: it has no concurrent component calls,
/// and its engine always holds the compiler it was built with, also to load precompiled guests.
#[cfg(wasmtime_36)]
fn leave_out(_config: &mut Config, _compiler: Compiler, _compiling: bool) {}

/// The guests as Wasmtime modules, ready to instantiate: the pair, and a chain's relays (each
/// distinct module once).
pub struct Modules {
    pub producer: Module,
    pub consumer: Module,
    pub relays: Vec<Module>,
    /// Which of `relays` each relay of the chain instantiates, in order.
    pub relay_of: Vec<usize>,
}

/// Wasmtime's error as anyhow's, for its context: a conversion since Wasmtime 37 made its error a
/// type of its own; the same type in 36 (release `wasmtime-36`).
#[cfg_attr(wasmtime_36, allow(clippy::useless_conversion))]
fn anyhow_of(e: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from(e)
}

fn compile_one(engine: &wasmtime::Engine, path: &Path) -> Result<Module, Failure> {
    let wasm = read_guest(path)?;
    Ok(Module::new(engine, wasm)
        .map_err(anyhow_of)
        .with_context(|| format!("cannot compile guest {}", path.display()))?)
}

/// Compiles the guests (the `jit` engine).
pub fn compile(engine: &wasmtime::Engine, guests: &GuestFiles) -> Result<Modules, Failure> {
    let (relays, relay_of) = guests.relay_modules();
    Ok(Modules {
        producer: compile_one(engine, &guests.producer)?,
        consumer: compile_one(engine, &guests.consumer)?,
        relays: relays.into_iter().map(|relay| compile_one(engine, relay)).collect::<Result<_, _>>()?,
        relay_of,
    })
}

/// Where the artifacts of a cell's guests live: the pair's, then those of `relays` distinct relay
/// modules.
fn artifact_paths(dir: &Path, relays: usize) -> Vec<PathBuf> {
    let relays = (1..=relays).map(|j| dir.join(format!("relay-{j}.cwasm")));
    [dir.join("producer.cwasm"), dir.join("consumer.cwasm")].into_iter().chain(relays).collect()
}

/// Compiles the guests and writes their artifacts into `dir`; returns their total size in bytes.
pub fn precompile(engine: &wasmtime::Engine, guests: &GuestFiles, dir: &Path) -> Result<u64, Failure> {
    let (relays, _) = guests.relay_modules();
    let sources = [guests.producer.as_path(), guests.consumer.as_path()].into_iter().chain(relays.iter().copied());
    let paths = artifact_paths(dir, relays.len());
    write_artifacts(sources.zip(paths), |wasm| engine.precompile_module(wasm))
}

/// Compiles each `(source, artifact)` with `compile` and writes the artifact; returns their total
/// size in bytes.
fn write_artifacts<'a>(
    files: impl IntoIterator<Item = (&'a Path, PathBuf)>,
    compile: impl Fn(&[u8]) -> wasmtime::Result<Vec<u8>>,
) -> Result<u64, Failure> {
    let mut total = 0;
    for (source, path) in files {
        let wasm = read_guest(source)?;
        let written = (|| -> anyhow::Result<u64> {
            let artifact = compile(&wasm)
                .map_err(anyhow_of)
                .with_context(|| format!("cannot compile guest {}", source.display()))?;
            std::fs::write(&path, &artifact).with_context(|| format!("cannot write artifact {}", path.display()))?;
            // On disk, as a deployed artifact is, before the measured process maps it.
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot sync {}", path.display()))?;
            Ok(artifact.len() as u64)
        })()?;
        total += written;
    }
    Ok(total)
}

/// Maps the guests' artifacts from `dir` (the `artifact` engine's measured phase): the pair's and
/// the relays' (`relay_of`: which distinct module each relay instantiates, as
/// [`GuestFiles::relay_modules`] says).
pub fn load_artifacts(engine: &wasmtime::Engine, dir: &Path, relay_of: &[usize]) -> Result<Modules, Failure> {
    let paths = artifact_paths(dir, relay_of.iter().max().map_or(0, |m| m + 1));
    let mut modules = paths.iter().map(|path| load_artifact(engine, path)).collect::<Result<Vec<_>, _>>()?;
    let relays = modules.split_off(2);
    let (producer, consumer) = (modules.remove(0), modules.remove(0));
    Ok(Modules { producer, consumer, relays, relay_of: relay_of.to_vec() })
}

#[allow(unsafe_code)]
fn load_artifact(engine: &wasmtime::Engine, path: &Path) -> Result<Module, Failure> {
    // SAFETY: deserializing maps machine code (or Pulley bytecode) into the process unchecked.
    // The file is one `precompile` wrote moments ago, in this run's private artifact directory,
    // with this same Wasmtime build, so it is trusted; Wasmtime still checks its header, version
    // and configuration and refuses a mismatch.
    unsafe { Module::deserialize_file(engine, path) }
        .map_err(|e| Failure::Error(format!("cannot load artifact {}: {e:#}", path.display())))
}

/// The merged pair's one module (transport `merged`), compiled (the `jit` engine).
pub fn compile_merged(engine: &wasmtime::Engine, guests: &GuestFiles) -> Result<Module, Failure> {
    compile_one(engine, guests.merged()?)
}

/// Where the artifact of the merged pair's one module lives.
fn merged_artifact_path(dir: &Path) -> PathBuf {
    dir.join("merged.cwasm")
}

/// Compiles the merged pair's one module and writes its artifact into `dir`; its size in bytes.
pub fn precompile_merged(engine: &wasmtime::Engine, guests: &GuestFiles, dir: &Path) -> Result<u64, Failure> {
    write_artifacts([(guests.merged()?, merged_artifact_path(dir))], |wasm| engine.precompile_module(wasm))
}

/// Maps the merged pair's artifact from `dir` (the `artifact` engine's measured phase).
pub fn load_merged_artifact(engine: &wasmtime::Engine, dir: &Path) -> Result<Module, Failure> {
    load_artifact(engine, &merged_artifact_path(dir))
}

/// The guests as components: the two (transport `component`, which the host links) and a chain's
/// relays (each distinct relay component once), or the one they were composed into (`composed`).
pub enum Components {
    Linked {
        producer: Component,
        consumer: Component,
        relays: Vec<Component>,
        /// Which of `relays` each relay of the chain instantiates, in order (empty for a pair).
        relay_of: Vec<usize>,
    },
    Composed(Component),
}

/// The component files a cell runs: `(producer, consumer)` then the distinct relays, or the
/// composed one.
fn component_files(guests: &GuestFiles, composed: bool) -> Result<Vec<&Path>, Failure> {
    if !composed {
        let (relays, _) = guests.relay_modules();
        return Ok([guests.producer.as_path(), guests.consumer.as_path()].into_iter().chain(relays).collect());
    }
    let path = guests.composed.as_deref().ok_or_else(|| {
        Failure::Error("no composed component was given for a composed cell (guests.composed)".into())
    })?;
    Ok(vec![path])
}

/// Where the artifacts of a component cell live: one per file of [`component_files`] (`relays`:
/// how many distinct relay components).
fn component_artifact_paths(dir: &Path, composed: bool, relays: usize) -> Vec<PathBuf> {
    if composed {
        vec![dir.join("composed.cwasm")]
    } else {
        artifact_paths(dir, relays)
    }
}

fn components(mut each: Vec<Component>, composed: bool, relay_of: &[usize]) -> Components {
    if composed {
        return Components::Composed(each.remove(0));
    }
    let relays = each.split_off(2);
    let consumer = each.pop().expect("a producer and a consumer component");
    let producer = each.pop().expect("a producer and a consumer component");
    Components::Linked { producer, consumer, relays, relay_of: relay_of.to_vec() }
}

/// Compiles the cell's components (the `jit` engine); `composed`: the composed one only.
pub fn compile_components(
    engine: &wasmtime::Engine,
    guests: &GuestFiles,
    composed: bool,
) -> Result<Components, Failure> {
    let each = component_files(guests, composed)?
        .into_iter()
        .map(|path| {
            Component::from_file(engine, path)
                .map_err(|e| Failure::Error(format!("cannot compile component {}: {e:#}", path.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(components(each, composed, &guests.relay_modules().1))
}

/// Compiles the cell's components and writes their artifacts into `dir`; their total size.
pub fn precompile_components(
    engine: &wasmtime::Engine,
    guests: &GuestFiles,
    dir: &Path,
    composed: bool,
) -> Result<u64, Failure> {
    let sources = component_files(guests, composed)?;
    let relays = sources.len().saturating_sub(2);
    let files = sources.into_iter().zip(component_artifact_paths(dir, composed, relays));
    write_artifacts(files, |wasm| engine.precompile_component(wasm))
}

/// Maps the cell's components' artifacts from `dir` (the `artifact` engine's measured phase);
/// `relay_of`: which distinct relay component each relay instantiates, as
/// [`GuestFiles::relay_modules`] says (ignored when `composed`).
pub fn load_component_artifacts(
    engine: &wasmtime::Engine,
    dir: &Path,
    composed: bool,
    relay_of: &[usize],
) -> Result<Components, Failure> {
    let relays = relay_of.iter().max().map_or(0, |m| m + 1);
    let each = component_artifact_paths(dir, composed, relays)
        .iter()
        .map(|path| load_component_artifact(engine, path))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(components(each, composed, relay_of))
}

#[allow(unsafe_code)]
fn load_component_artifact(engine: &wasmtime::Engine, path: &Path) -> Result<Component, Failure> {
    // SAFETY: as for a module's artifact (`load_artifact`): a file `precompile_components` wrote
    // moments ago with this same Wasmtime build, in this run's private directory; Wasmtime checks
    // its header, version and configuration, and that it is a component, not a module.
    unsafe { Component::deserialize_file(engine, path) }
        .map_err(|e| Failure::Error(format!("cannot load artifact {}: {e:#}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_compiler_has_an_engine_and_others_are_refused() {
        for compiler in [Compiler::Cranelift, Compiler::Winch, Compiler::Pulley] {
            for compiling in [true, false] {
                assert!(engine(compiler, compiling, None).is_ok(), "{compiler} (compiling: {compiling})");
            }
        }
        for transport in [Transport::Copy, Transport::Composed, Transport::Merged] {
            let pool = Pool { pairs: 2, transport, memory_limit_mib: 64 };
            for compiler in [Compiler::Cranelift, Compiler::Winch, Compiler::Pulley] {
                assert!(engine(compiler, true, Some(pool)).is_ok(), "{compiler}, pooled, {transport}");
            }
        }
        let Err(Failure::Error(e)) = engine(Compiler::Llvm, true, None) else { panic!("llvm is not Wasmtime's") };
        assert!(e.contains("not one of Wasmtime's compilers"), "{e}");
    }

    #[test]
    fn an_artifact_loads_only_into_an_engine_of_its_compiler() {
        let wasm = b"\0asm\x01\0\0\0";
        let dir = std::env::temp_dir().join(format!("wasmatrix-wasmtime-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.cwasm");
        std::fs::write(&path, engine(Compiler::Cranelift, true, None).unwrap().precompile_module(wasm).unwrap())
            .unwrap();
        assert!(load_artifact(&engine(Compiler::Cranelift, false, None).unwrap(), &path).is_ok());
        assert!(load_artifact(&engine(Compiler::Pulley, false, None).unwrap(), &path).is_err(), "a Pulley engine");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_component_artifact_loads_back_and_a_module_artifact_is_no_component() {
        let dir = std::env::temp_dir().join(format!("wasmatrix-wasmtime-component-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.cwasm");
        for compiler in [Compiler::Cranelift, Compiler::Winch, Compiler::Pulley] {
            let compiling = engine(compiler, true, None).unwrap();
            std::fs::write(&path, compiling.precompile_component(b"\0asm\x0d\0\x01\0").unwrap()).unwrap();
            assert!(load_component_artifact(&engine(compiler, false, None).unwrap(), &path).is_ok(), "{compiler}");
            std::fs::write(&path, compiling.precompile_module(b"\0asm\x01\0\0\0").unwrap()).unwrap();
            assert!(load_component_artifact(&engine(compiler, false, None).unwrap(), &path).is_err(), "{compiler}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
