//! `wasmatrix-wasmtime worker JOB`: one cell under Wasmtime in its own process, speaking the same
//! worker protocol as every other runtime's worker (wasmatrix-core's `worker`). Compilers and
//! engines are configured in [`engine`], imports come from [`host`], a [`transport`] links the
//! guests, and [`pair`] runs the round trip; the guests as components (transports `component` and
//! `composed`) are set up and run by [`component`].

mod component;
mod engine;
mod host;
mod pair;
mod transport;

use std::path::Path;
use std::process::ExitCode;
use wasmatrix_core::axes::{Engine, Transport};
use wasmatrix_core::cell::Cell;
use wasmatrix_core::guests::{Failure, GuestFiles, Guests};
use wasmatrix_core::measure::phase;
use wasmatrix_core::worker::{self, exercise, Job, Phase, Report};

/// The Wasmtime this worker was built with, from its lock file (build.rs).
pub const WASMTIME_VERSION: &str = env!("WASMATRIX_WASMTIME_VERSION");

fn main() -> ExitCode {
    worker::main("wasmatrix-wasmtime", |job, report| {
        report.runtime_version = Some(format!("wasmtime {WASMTIME_VERSION}"));
        let outcome = match (job.phase, job.cell.transport) {
            (Phase::Precompile, Transport::Component | Transport::Composed) => precompile_components(job, report),
            (Phase::Precompile, _) => precompile(job, report),
            (Phase::Measure, Transport::Component | Transport::Composed) => measure_components(job, report),
            (Phase::Measure, Transport::Copy) => measure::<transport::CopyLink>(job, report),
            (Phase::Measure, Transport::Shared) => measure::<transport::SharedLink>(job, report),
        };
        outcome.map_err(|failure| host::blame_the_cap(failure, job.measure.memory_limit_mib))
    })
}

fn guest_files(job: &Job) -> Result<&GuestFiles, Failure> {
    job.guests.as_ref().ok_or_else(|| Failure::Error("no guest .wasm files were given for a wasm cell".into()))
}

/// The core modules of a cell linked by transport `T`: [`measure_with`] their compilation,
/// loading and set-up.
fn measure<T: transport::Transport>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    measure_with(job, report, engine::compile, engine::load_artifacts, |engine, modules, job, report| {
        let cell = &job.cell;
        set_up(
            report,
            || host::store(engine, cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib),
            |environment| pair::instantiate::<T>(environment, modules, cell.call),
        )
    })
}

/// The cell's components (the producer and the consumer, or the composed one): [`measure_with`]
/// their compilation, loading and set-up.
fn measure_components(job: &Job, report: &mut Report) -> Result<(), Failure> {
    runs_components(&job.cell)?;
    let composed = job.cell.transport == Transport::Composed;
    measure_with(
        job,
        report,
        |engine, guests| engine::compile_components(engine, guests, composed),
        |engine, dir| engine::load_component_artifacts(engine, dir, composed),
        |engine, components, job, report| {
            let cell = &job.cell;
            set_up(
                report,
                || component::environment(engine, cell.transport, job.measure.memory_limit_mib),
                |environment| component::instantiate(environment, components, cell.call, cell.codec),
            )
        },
    )
}

/// Compiles (`jit`, with `compile`) or loads (`artifact`, with `load`) the cell's guests, sets them
/// up (`set_up`), timing each phase, then sets them up again several times (the repeated set-up)
/// and measures the first.
fn measure_with<C, G: Guests>(
    job: &Job,
    report: &mut Report,
    compile: impl Fn(&wasmtime::Engine, &GuestFiles) -> Result<C, Failure>,
    load: impl Fn(&wasmtime::Engine, &Path) -> Result<C, Failure>,
    set_up: impl Fn(&wasmtime::Engine, &C, &Job, &mut Report) -> Result<G, Failure>,
) -> Result<(), Failure> {
    let cell = &job.cell;
    let (engine, compiled) = match cell.engine {
        Engine::Jit => {
            let engine = engine::engine(cell.compiler, true)?;
            let guests = guest_files(job)?;
            let compiled = phase(&mut report.compile_ns, || compile(&engine, guests))?;
            (engine, compiled)
        }
        Engine::Artifact => {
            let engine = engine::engine(cell.compiler, false)?;
            let compiled = phase(&mut report.load_ns, || load(&engine, &job.artifacts))?;
            (engine, compiled)
        }
        Engine::Native => return Err(Failure::Error("the native engine does not run under Wasmtime".into())),
    };
    let guests = set_up(&engine, &compiled, job, report)?;
    exercise(guests, job, report)?;
    // What a host that already runs wasm pays for another pair: compile or load, environment,
    // instantiation, in a process that has done it once (after its round trips, so the cold start
    // holds none of them); several times.
    report.repeat_set_up(&job.measure, || -> Result<_, Failure> {
        let compiled = match cell.engine {
            Engine::Artifact => load(&engine, &job.artifacts)?,
            _ => compile(&engine, guest_files(job)?)?,
        };
        set_up(&engine, &compiled, job, &mut Report::default())
    })?;
    Ok(())
}

/// The guests' environment and instances, each phase timed into `report` ("environment",
/// "instantiate").
fn set_up<E, G>(
    report: &mut Report,
    environment: impl FnOnce() -> Result<E, Failure>,
    instantiate: impl FnOnce(E) -> Result<G, Failure>,
) -> Result<G, Failure> {
    let environment = phase(&mut report.environment_ns, environment)?;
    phase(&mut report.instantiate_ns, || instantiate(environment))
}

/// Compiles both guests and serializes them for the `artifact` engine.
fn precompile(job: &Job, report: &mut Report) -> Result<(), Failure> {
    precompile_with(job, report, engine::precompile)
}

/// Compiles the cell's components and serializes them for the `artifact` engine.
fn precompile_components(job: &Job, report: &mut Report) -> Result<(), Failure> {
    runs_components(&job.cell)?;
    let composed = job.cell.transport == Transport::Composed;
    precompile_with(job, report, |engine, guests, dir| engine::precompile_components(engine, guests, dir, composed))
}

/// Compiles the cell's guests with `precompile`, which writes their artifacts; times it and
/// reports their size.
fn precompile_with(
    job: &Job,
    report: &mut Report,
    precompile: impl FnOnce(&wasmtime::Engine, &GuestFiles, &Path) -> Result<u64, Failure>,
) -> Result<(), Failure> {
    let engine = engine::engine(job.cell.compiler, true)?;
    let guests = guest_files(job)?;
    let bytes = phase(&mut report.compile_ns, || precompile(&engine, guests, &job.artifacts))?;
    report.artifact_bytes = Some(bytes);
    Ok(())
}

/// Refuses a component cell this worker cannot run (written by hand: the runner sends none).
fn runs_components(cell: &Cell) -> Result<(), Failure> {
    match cell.not_a_cell().or_else(|| cell.unsupported()) {
        Some(why) => Err(Failure::Error(why.into())),
        None => Ok(()),
    }
}
