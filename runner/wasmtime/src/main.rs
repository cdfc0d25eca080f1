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

use std::process::ExitCode;
use wasmatrix_core::axes::{Engine, Transport};
use wasmatrix_core::calls::Pair;
use wasmatrix_core::cell::Cell;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::measure::time;
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

/// Compiles (`jit`) or loads (`artifact`) both guests, instantiates them, timing each phase, then
/// (artifact) sets them up once more and measures the first pair.
fn measure<T: transport::Transport>(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let cell = &job.cell;
    let (engine, modules) = match cell.engine {
        Engine::Jit => {
            let engine = engine::engine(cell.compiler, true)?;
            let guests = guest_files(job)?;
            let (modules, ns) = time(|| engine::compile(&engine, guests));
            report.compile_ns = Some(ns);
            (engine, modules?)
        }
        Engine::Artifact => {
            let engine = engine::engine(cell.compiler, false)?;
            let (modules, ns) = time(|| engine::load_artifacts(&engine, &job.artifacts));
            report.load_ns = Some(ns);
            (engine, modules?)
        }
        Engine::Native => return Err(Failure::Error("the native engine does not run under Wasmtime".into())),
    };
    let pair = set_up::<T>(&engine, &modules, job, report)?;
    if cell.engine == Engine::Artifact {
        // What a host that already runs wasm pays for another pair: load, environment,
        // instantiation, from the same artifacts, in a process that has done it once.
        let (again, ns) = time(|| -> Result<_, Failure> {
            let modules = engine::load_artifacts(&engine, &job.artifacts)?;
            set_up::<T>(&engine, &modules, job, &mut Report::default())
        });
        drop(again?);
        report.setup_warm_ns = Some(ns);
    }
    exercise(pair, job, report)
}

/// The guests' environment and instances (the "environment" and "instantiate" phases).
fn set_up<T: transport::Transport>(
    engine: &wasmtime::Engine,
    modules: &engine::Modules,
    job: &Job,
    report: &mut Report,
) -> Result<Pair<pair::Calls<T>>, Failure> {
    let cell = &job.cell;
    let (environment, ns) =
        time(|| host::store(engine, cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib));
    report.environment_ns = Some(ns);
    let environment = environment?;
    let (pair, ns) = time(|| pair::instantiate::<T>(environment, modules, cell.call));
    report.instantiate_ns = Some(ns);
    pair
}

/// Compiles both guests and serializes them for the `artifact` engine.
fn precompile(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let engine = engine::engine(job.cell.compiler, true)?;
    let guests = guest_files(job)?;
    let (bytes, ns) = time(|| engine::precompile(&engine, guests, &job.artifacts));
    report.compile_ns = Some(ns);
    report.artifact_bytes = Some(bytes?);
    Ok(())
}

/// Refuses a component cell this worker cannot run (written by hand: the runner sends none).
fn runs_components(cell: &Cell) -> Result<(), Failure> {
    match cell.not_a_cell().or_else(|| cell.unsupported()) {
        Some(why) => Err(Failure::Error(why.into())),
        None => Ok(()),
    }
}

/// [`measure`] for components: compiles (`jit`) or loads (`artifact`) the cell's components (the
/// producer and the consumer, or the composed one), instantiates them, timing each phase, then
/// (artifact) sets them up once more and measures them.
fn measure_components(job: &Job, report: &mut Report) -> Result<(), Failure> {
    let cell = &job.cell;
    runs_components(cell)?;
    let composed = cell.transport == Transport::Composed;
    let (engine, components) = match cell.engine {
        Engine::Jit => {
            let engine = engine::engine(cell.compiler, true)?;
            let guests = guest_files(job)?;
            let (components, ns) = time(|| engine::compile_components(&engine, guests, composed));
            report.compile_ns = Some(ns);
            (engine, components?)
        }
        Engine::Artifact => {
            let engine = engine::engine(cell.compiler, false)?;
            let (components, ns) = time(|| engine::load_component_artifacts(&engine, &job.artifacts, composed));
            report.load_ns = Some(ns);
            (engine, components?)
        }
        Engine::Native => return Err(Failure::Error("the native engine does not run under Wasmtime".into())),
    };
    let guests = set_up_components(&engine, &components, job, report)?;
    if cell.engine == Engine::Artifact {
        let (again, ns) = time(|| -> Result<_, Failure> {
            let components = engine::load_component_artifacts(&engine, &job.artifacts, composed)?;
            set_up_components(&engine, &components, job, &mut Report::default())
        });
        drop(again?);
        report.setup_warm_ns = Some(ns);
    }
    exercise(guests, job, report)
}

/// The components' environment and instances (the "environment" and "instantiate" phases).
fn set_up_components(
    engine: &wasmtime::Engine,
    components: &engine::Components,
    job: &Job,
    report: &mut Report,
) -> Result<component::Components, Failure> {
    let cell = &job.cell;
    let (environment, ns) = time(|| component::environment(engine, cell.transport, job.measure.memory_limit_mib));
    report.environment_ns = Some(ns);
    let environment = environment?;
    let (guests, ns) = time(|| component::instantiate(environment, components, cell.call, cell.codec));
    report.instantiate_ns = Some(ns);
    guests
}

/// Compiles the cell's components and serializes them for the `artifact` engine.
fn precompile_components(job: &Job, report: &mut Report) -> Result<(), Failure> {
    runs_components(&job.cell)?;
    let engine = engine::engine(job.cell.compiler, true)?;
    let guests = guest_files(job)?;
    let composed = job.cell.transport == Transport::Composed;
    let (bytes, ns) = time(|| engine::precompile_components(&engine, guests, &job.artifacts, composed));
    report.compile_ns = Some(ns);
    report.artifact_bytes = Some(bytes?);
    Ok(())
}
