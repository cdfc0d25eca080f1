//! `wasmatrix-wasmer worker JOB`: one cell under Wasmer in its own process, speaking the worker
//! protocol of wasmatrix-core (`worker::serve`), as every runtime's worker does. The runner builds
//! it (runner/src/workers.rs), so the runner itself links no Wasmer.
//!
//! The guests under Wasmer: compilers and engines are configured in [`engine`], imports come
//! from [`environment`], a [`transport`] links the guests, and [`pair`] runs the round trip.

mod engine;
mod environment;
mod limits;
mod pair;
mod transport;

use environment::Host;
use pair::Calls;
use std::process::ExitCode;
use transport::{CopyLink, SharedLink, Transport};
use wasmatrix_core::axes::{Engine, Environment, Transport as TransportAxis};
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::measure::phase;
use wasmatrix_core::worker::{self, exercise, Job, Phase, Report};

/// The wasmer crate this worker was built with, from the workspace's Cargo.lock.
pub const WASMER_VERSION: &str = env!("WASMATRIX_WASMER_VERSION");

/// Why the `llvm` compiler is unavailable in a worker built without it.
pub const LLVM_MISSING: &str = "the llvm compiler is not built into this Wasmer worker. Install LLVM 22 \
(apt-get install llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev) \
and rebuild it with the default features and LLVM_SYS_221_PREFIX set (runner/wasmatrix.sh does both)";

fn main() -> ExitCode {
    worker::main("wasmatrix-wasmer", |job, report| {
        report.runtime_version = Some(WASMER_VERSION.into());
        // wasmer-wasix runs its syscalls on a tokio runtime, which must be entered while WASI
        // guests are set up and called. Made before anything is timed: a host has one already.
        let runtime = match job.cell.environment {
            Environment::Wasi | Environment::Emscripten => Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .build()
                    .map_err(|e| Failure::Error(format!("cannot start the tokio runtime WASI needs: {e}")))?,
            ),
            Environment::Bare | Environment::EmscriptenLegacy => None,
        };
        let _entered = runtime.as_ref().map(|r| r.enter());
        let outcome = match (job.phase, job.cell.engine, job.cell.transport) {
            (_, Engine::Native, _) => Err(Failure::Error("native cells run in the wasmatrix-native worker".into())),
            (Phase::Precompile, _, _) => precompile(job, report),
            (Phase::Measure, _, TransportAxis::Copy) => set_up::<CopyLink>(job, report).and_then(|pair| {
                exercise(pair, job, report)?;
                set_up_again::<CopyLink>(job, report)
            }),
            (Phase::Measure, _, TransportAxis::Shared) => set_up::<SharedLink>(job, report).and_then(|pair| {
                exercise(pair, job, report)?;
                set_up_again::<SharedLink>(job, report)
            }),
            (Phase::Measure, _, TransportAxis::Component | TransportAxis::Composed) => {
                Err(worker::not_here(&job.cell, "Wasmer"))
            }
        };
        outcome.map_err(|failure| blame_the_cap(failure, job.measure.memory_limit_mib))
    })
}

/// Compiles (`jit`) or loads (`artifact`) both guests and instantiates them, timing each phase
/// into `report`.
pub fn set_up<T: Transport>(job: &Job, report: &mut Report) -> Result<Pair<Calls<T>>, Failure> {
    let cell = &job.cell;
    let guests = wasm_files(job)?;
    let (engine, modules) = match cell.engine {
        Engine::Jit => {
            let engine = engine::compiling_engine(cell.compiler, job.measure.memory_limit_mib)?;
            let modules = phase(&mut report.compile_ns, || engine::compile(&engine, guests))?;
            (engine, modules)
        }
        Engine::Artifact => {
            let engine = engine::headless_engine(job.measure.memory_limit_mib);
            let modules = phase(&mut report.load_ns, || engine::load_artifacts(&engine, &job.artifacts))?;
            (engine, modules)
        }
        Engine::Native => return Err(Failure::Error("the native engine does not run under Wasmer".into())),
    };
    let mut store = wasmer::Store::new(engine);
    let host = phase(&mut report.environment_ns, || {
        Host::new(&mut store, cell.environment, cell.logging, cell.call, &job.artifacts)
    })?;
    Ok(phase(&mut report.instantiate_ns, || pair::instantiate::<T>(store, host, &modules, cell.call))?)
}

/// Sets both guests up again, several times, as [`set_up`] did (compile or load, environment,
/// instantiate), in a process that has done it once and measured it, and drops them: the repeated
/// set-up (`report.setup_warm`, see wasmatrix-core's `measure::setup`).
pub fn set_up_again<T: Transport>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    report.repeat_set_up(&job.measure, || set_up::<T>(job, &mut Report::default()))
}

/// Compiles both guests and serializes them for the `artifact` engine.
pub fn precompile(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let guests = wasm_files(job)?;
    let engine = engine::compiling_engine(job.cell.compiler, job.measure.memory_limit_mib)?;
    let modules = phase(&mut report.compile_ns, || engine::compile(&engine, guests))?;
    report.artifact_bytes = Some(engine::save_artifacts(&modules, &job.artifacts)?);
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
