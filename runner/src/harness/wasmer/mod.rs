//! The guests under Wasmer: compilers and engines are configured in [`engine`], imports come
//! from [`environment`], a [`transport`] links the guests, and [`pair`] runs the round trip.

pub mod engine;
pub mod environment;
pub mod limits;
pub mod pair;
pub mod transport;

use crate::guests::GuestFiles;
use crate::harness::Failure;
use crate::matrix::axes::Engine;
use crate::measure::time;
use crate::worker::{Job, Report};
use environment::Host;
use pair::Pair;
use transport::Transport;

/// Compiles (`jit`) or loads (`artifact`) both guests and instantiates them, timing each phase
/// into `report`.
pub fn set_up<T: Transport>(job: &Job, report: &mut Report) -> Result<Pair<T>, Failure> {
    let cell = &job.cell;
    let guests = wasm_files(job)?;
    let (engine, modules) = match cell.engine {
        Engine::Jit => {
            let engine = engine::compiling_engine(cell.compiler, job.measure.memory_limit_mib)?;
            let (modules, ns) = time(|| engine::compile(&engine, guests));
            report.compile_ns = Some(ns);
            (engine, modules?)
        }
        Engine::Artifact => {
            let engine = engine::headless_engine(job.measure.memory_limit_mib);
            let (modules, ns) = time(|| engine::load_artifacts(&engine, &job.artifacts));
            report.load_ns = Some(ns);
            (engine, modules?)
        }
        Engine::Native => return Err(Failure::Error("the native engine does not run under Wasmer".into())),
    };
    let mut store = wasmer::Store::new(engine);
    let (host, ns) = time(|| Host::new(&mut store, cell.environment, cell.logging, &job.artifacts));
    report.environment_ns = Some(ns);
    let (pair, ns) = time(|| Pair::<T>::instantiate(store, host?, &modules));
    report.instantiate_ns = Some(ns);
    Ok(pair?)
}

/// Under the `artifact` engine, sets both guests up once more from the same artifacts (load,
/// environment, instantiate: what [`set_up`] times, in a process that has done it once) and drops
/// them, timing it into `report.setup_warm_ns`; other engines have nothing to do again.
pub fn set_up_again<T: Transport>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let cell = &job.cell;
    if cell.engine != Engine::Artifact {
        return Ok(());
    }
    let (pair, ns) = time(|| -> Result<Pair<T>, Failure> {
        let engine = engine::headless_engine(job.measure.memory_limit_mib);
        let modules = engine::load_artifacts(&engine, &job.artifacts)?;
        let mut store = wasmer::Store::new(engine);
        let host = Host::new(&mut store, cell.environment, cell.logging, &job.artifacts)?;
        Ok(Pair::<T>::instantiate(store, host, &modules)?)
    });
    drop(pair?);
    report.setup_warm_ns = Some(ns);
    Ok(())
}

/// Compiles both guests and serializes them for the `artifact` engine.
pub fn precompile(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let guests = wasm_files(job)?;
    let engine = engine::compiling_engine(job.cell.compiler, job.measure.memory_limit_mib)?;
    let (modules, ns) = time(|| engine::compile(&engine, guests));
    report.compile_ns = Some(ns);
    report.artifact_bytes = Some(engine::save_artifacts(&modules?, &job.artifacts)?);
    Ok(())
}

/// A failure after a guest memory was refused growth within the cap is the cap's doing: a guest's
/// allocator traps (Rust aborts) when `memory.grow` fails.
pub fn blame_the_cap(failure: Failure, memory_limit_mib: u64) -> Failure {
    match failure {
        Failure::Trap(m) | Failure::Error(m) if limits::refused() => Failure::OutOfMemory(format!(
            "a guest memory could not grow within the cap of {memory_limit_mib} MiB, then: {m}"
        )),
        other => other,
    }
}

fn wasm_files(job: &Job) -> Result<&GuestFiles, Failure> {
    job.guests.as_ref().ok_or_else(|| Failure::Error("no guest .wasm files were given for a wasm cell".into()))
}
