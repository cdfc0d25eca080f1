//! `wasmatrix-wasmi worker JOB`: one cell under the wasmi interpreter in its own process, speaking
//! the same worker protocol as every runtime's worker (wasmatrix-core's `worker`). wasmi translates
//! wasm to its own bytecode (when: the `compiler` axis, see [`engine`]) and interprets it; it has no
//! machine code and no serialized modules, so it has only the `jit` engine. Each transport and call pattern is compiled
//! on its own (see [`pair::Place`]).

mod engine;
mod environment;
mod limits;
mod pair;
mod transport;

use pair::{Held, Place, Stored};
use std::process::ExitCode;
use transport::{CopyLink, SharedLink, Transport};
use wasmatrix_core::axes::{Call, Engine, Transport as TransportAxis};
use wasmatrix_core::guests::Failure;
use wasmatrix_core::measure::phase;
use wasmatrix_core::worker::{self, exercise, Job, Phase, Report};

/// The wasmi crate this worker was built with, from the workspace's Cargo.lock.
pub const WASMI_VERSION: &str = env!("WASMATRIX_WASMI_VERSION");
/// The wasmi_wasi crate (the `wasi` and `emscripten` environments), from the same lock file.
pub const WASMI_WASI_VERSION: &str = env!("WASMATRIX_WASMI_WASI_VERSION");

fn main() -> ExitCode {
    worker::main("wasmatrix-wasmi", |job, report| {
        report.runtime_version = Some(format!("wasmi {WASMI_VERSION}"));
        let outcome = match (job.phase, job.cell.engine, job.cell.transport) {
            (Phase::Precompile, _, _) | (_, Engine::Artifact, _) => {
                Err(Failure::Error(wasmatrix_core::cell::WASMI_ARTIFACT.into()))
            }
            (_, Engine::Native, _) => Err(Failure::Error("native cells run in the wasmatrix-native worker".into())),
            (Phase::Measure, Engine::Jit, TransportAxis::Copy) => measure::<CopyLink>(job, report),
            (Phase::Measure, Engine::Jit, TransportAxis::Shared) => measure::<SharedLink>(job, report),
            (Phase::Measure, Engine::Jit, TransportAxis::Component | TransportAxis::Composed) => {
                Err(worker::not_here(&job.cell, "wasmi"))
            }
        };
        outcome.map_err(|failure| limits::blame_the_cap(failure, job.measure.memory_limit_mib))
    })
}

/// Translates (as the compilation mode says) and instantiates both guests, timing each phase into
/// `report`, then measures them.
fn measure<T: Transport>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    match job.cell.call {
        Call::Host => measure_in::<T, Held<T>>(job, report),
        Call::Import => measure_in::<T, Stored>(job, report),
    }
}

/// [`measure`] with the route where the call pattern keeps it.
fn measure_in<T: Transport, P: Place<T>>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let cell = &job.cell;
    let guests =
        job.guests.as_ref().ok_or_else(|| Failure::Error("no guest .wasm files were given for a wasm cell".into()))?;
    let engine = engine::engine(cell.compiler)?;
    let modules = phase(&mut report.compile_ns, || engine::compile(&engine, guests))?;
    let host = phase(&mut report.environment_ns, || {
        environment::Host::new(cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib)
    })?;
    let store = environment::store(&engine, host);
    let pair = phase(&mut report.instantiate_ns, || pair::instantiate::<T, P>(store, &modules, cell.call))?;
    exercise(pair, job, report)?;
    // What a host that already runs wasm pays for another pair: translation, environment and
    // instantiation again, in a process that has done them once (after its round trips, so the
    // cold start holds none of them); several times.
    report.repeat_set_up(&job.measure, || -> Result<_, Failure> {
        let modules = engine::compile(&engine, guests)?;
        let host = environment::Host::new(cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib)?;
        Ok(pair::instantiate::<T, P>(environment::store(&engine, host), &modules, cell.call)?)
    })?;
    Ok(())
}
