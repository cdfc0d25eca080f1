//! One runtime, as every cell sets it up: the [`Runtime`] a worker implements (what its runtime's
//! API does in each phase), and [`run`], which runs a job through it the same way for every
//! runtime: each set-up phase timed into the report (a phase gets a figure only if it completed),
//! the measurements ([`exercise`]), the repeated set-up, and failures, the memory cap's among them,
//! turned into the report's.
//!
//! The phases of a fresh set-up, in the order a cell goes through them:
//!
//! - the engine (not timed: a host has one already);
//! - the guests' code: compiled (`compile`, engine `jit`), loaded from the artifacts another
//!   process precompiled (`load`, engine `artifact`), or built into the worker (engine `native`,
//!   not timed);
//! - their environment (`environment`: what they may import), made before they are instantiated;
//!   the native engine runs no sandbox, so a native cell has none to time;
//! - `instantiate = pre` and `pooled`: the runtime's pre-linked form of the pair, made once
//!   (`prepare`; [`Prepare`], Wasmtime's only);
//! - their instances, linked by the cell's transport (`instantiate`, or `instantiate_prepared`).
//!
//! After the measurements, the set-up again (the repeated set-up), then instantiation as a
//! distribution: pairs made and dropped many times from the code (and pre-linked form) the
//! process holds ([`crate::measure::instantiations`]).
//!
//! Generic over the runtime and what it sets up, so each worker's round trips are compiled with
//! nothing dynamic inside.

use crate::axes::{self, Instantiate};
use crate::cap;
use crate::guests::{Failure, GuestFiles, Guests};
use crate::measure::instantiations::{distribution, parallel_ns, serial_ns};
use crate::measure::{phase, vm_size_kib, MechanismKind};
use crate::worker::{self, exercise, Job, Phase, Report};
use std::path::Path;

/// What one runtime does in each phase of a cell. Every method is one step of its API; [`run`]
/// orders, times and repeats them.
pub trait Runtime {
    /// The runtime's engine, configured for the cell's compiler (`()` where there is none).
    type Engine;
    /// Both guests' code, ready to instantiate: compiled, loaded, or built in.
    type Code;
    /// Both guests compiled for the `artifact` engine, before [`Runtime::save`] writes them.
    type Precompiled;
    /// What the guests may import, made before they are instantiated.
    type Environment;
    /// Both guests instantiated and linked: what the cell measures.
    type Guests: Guests;

    /// The engine for the job: one that compiles (`jit`, and the process that precompiles for
    /// `artifact`), or, `compiling` false, one that only loads what another process compiled.
    fn engine(&self, job: &Job, compiling: bool) -> Result<Self::Engine, Failure>;

    /// Compiles both guests (the `compile` phase of engine `jit`).
    fn compile(&self, engine: &Self::Engine, guests: &GuestFiles) -> Result<Self::Code, Failure>;

    /// Compiles both guests for the `artifact` engine (the precompiling process's `compile`
    /// phase); `dir` is where [`Runtime::save`] will write them.
    fn precompile(&self, engine: &Self::Engine, guests: &GuestFiles, dir: &Path) -> Result<Self::Precompiled, Failure>;

    /// Writes precompiled guests into `dir`, after the `compile` phase; their size in bytes.
    fn save(&self, precompiled: Self::Precompiled, dir: &Path) -> Result<u64, Failure>;

    /// Loads both guests' artifacts from `dir` (the `load` phase of engine `artifact`).
    fn load(&self, engine: &Self::Engine, dir: &Path) -> Result<Self::Code, Failure>;

    /// The guests as the worker was built with them (engine `native`): nothing to compile or load.
    fn built_in(&self) -> Result<Self::Code, Failure> {
        Err(Failure::Error("native cells run in the wasmatrix-native worker".into()))
    }

    /// Makes the guests' environment (the `environment` phase).
    fn environment(&self, engine: &Self::Engine, job: &Job) -> Result<Self::Environment, Failure>;

    /// Instantiates both guests in `environment`, linked as the cell's transport says (the
    /// `instantiate` phase).
    fn instantiate(
        &self,
        engine: &Self::Engine,
        environment: Self::Environment,
        code: &Self::Code,
        job: &Job,
    ) -> Result<Self::Guests, Failure>;
}

/// A runtime with a pre-linked form of the pair (cells with `instantiate = pre` and `pooled`), whose
/// engine, code and pre-linked form threads may share. A trait of its own rather than items of
/// [`Runtime`] with defaults (associated type defaults are unstable, rust-lang/rust#29661): the
/// runtimes without one implement nothing more, and [`run`] refuses their `pre` and `pooled` cells.
/// `pooled` is `pre` in an engine the runtime's [`Runtime::engine`] configures for it.
pub trait Prepare: Runtime + Sync
where
    Self::Engine: Sync,
    Self::Code: Sync,
{
    /// The pair's pre-linked form: what an instantiation needs besides its environment.
    type Prepared: Sync;

    /// Makes the pre-linked form of both guests once (the `prepare` phase): imports resolved and
    /// type-checked, nothing tied to one pair's environment.
    fn prepare(&self, engine: &Self::Engine, code: &Self::Code, job: &Job) -> Result<Self::Prepared, Failure>;

    /// Instantiates both guests in `environment` from their pre-linked form (the `instantiate`
    /// phase of `pre` and `pooled` cells).
    fn instantiate_prepared(
        &self,
        engine: &Self::Engine,
        environment: Self::Environment,
        prepared: &Self::Prepared,
        job: &Job,
    ) -> Result<Self::Guests, Failure>;
}

/// Runs `job` through `runtime`: precompiles, or sets the guests up (each phase timed into
/// `report`), measures them, sets them up again as many times as the repeated set-up asks, and
/// instantiates them as a distribution. A failure after a guest memory was refused by the cap
/// becomes the cap's ([`cap::blame`]). A runtime without a pre-linked form runs `fresh` cells only,
/// and its instantiations on one thread.
pub fn run<R: Runtime>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure> {
    run_with(runtime, &Fresh, job, report)
}

/// [`run`] for a runtime with a pre-linked form ([`Prepare`]): every `instantiate` strategy, and
/// the instantiations also on `instantiate_threads` threads.
pub fn run_prepared<R>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure>
where
    R: Prepare,
    R::Engine: Sync,
    R::Code: Sync,
{
    run_with(runtime, &Prepared, job, report)
}

fn run_with<R: Runtime, W: Ways<R>>(runtime: &R, ways: &W, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let outcome = match job.phase {
        Phase::Precompile => precompile(runtime, job, report),
        Phase::Measure => measure(runtime, ways, job, report),
    };
    outcome.map_err(|failure| cap::blame(failure, job.measure.memory_limit_mib))
}

/// The ways a runtime can make a pair from its code: what [`run`] and [`run_prepared`] differ in.
trait Ways<R: Runtime> {
    /// The pre-linked form, where there is one.
    type Made;

    /// The pre-linked form of the cell's strategy: none for `fresh`.
    fn prepare(
        &self,
        runtime: &R,
        engine: &R::Engine,
        code: &R::Code,
        job: &Job,
    ) -> Result<Option<Self::Made>, Failure>;

    /// Both guests instantiated in `environment`, from the code or its pre-linked form.
    fn instantiate(
        &self,
        runtime: &R,
        engine: &R::Engine,
        environment: R::Environment,
        code: &R::Code,
        made: Option<&Self::Made>,
        job: &Job,
    ) -> Result<R::Guests, Failure>;

    /// Wall-clock ns per pair made and dropped on `threads` threads at once, if the runtime's
    /// pieces may be shared by threads.
    fn parallel_ns(
        &self,
        runtime: &R,
        engine: &R::Engine,
        code: &R::Code,
        made: Option<&Self::Made>,
        job: &Job,
    ) -> Result<Option<f64>, Failure>;
}

/// A runtime's only way: `fresh`, one thread.
struct Fresh;

impl<R: Runtime> Ways<R> for Fresh {
    type Made = std::convert::Infallible;

    fn prepare(&self, _: &R, _: &R::Engine, _: &R::Code, job: &Job) -> Result<Option<Self::Made>, Failure> {
        match job.cell.instantiate {
            Instantiate::Fresh => Ok(None),
            Instantiate::Pre | Instantiate::Pooled => Err(worker::not_here(&job.cell, "this runtime's")),
        }
    }

    fn instantiate(
        &self,
        runtime: &R,
        engine: &R::Engine,
        environment: R::Environment,
        code: &R::Code,
        _: Option<&Self::Made>,
        job: &Job,
    ) -> Result<R::Guests, Failure> {
        runtime.instantiate(engine, environment, code, job)
    }

    fn parallel_ns(
        &self,
        _: &R,
        _: &R::Engine,
        _: &R::Code,
        _: Option<&Self::Made>,
        _: &Job,
    ) -> Result<Option<f64>, Failure> {
        Ok(None)
    }
}

/// A [`Prepare`] runtime's ways: `fresh`, or from the pre-linked form; on threads too.
struct Prepared;

impl<R> Ways<R> for Prepared
where
    R: Prepare,
    R::Engine: Sync,
    R::Code: Sync,
{
    type Made = R::Prepared;

    fn prepare(
        &self,
        runtime: &R,
        engine: &R::Engine,
        code: &R::Code,
        job: &Job,
    ) -> Result<Option<R::Prepared>, Failure> {
        match job.cell.instantiate {
            Instantiate::Fresh => Ok(None),
            Instantiate::Pre | Instantiate::Pooled => runtime.prepare(engine, code, job).map(Some),
        }
    }

    fn instantiate(
        &self,
        runtime: &R,
        engine: &R::Engine,
        environment: R::Environment,
        code: &R::Code,
        made: Option<&R::Prepared>,
        job: &Job,
    ) -> Result<R::Guests, Failure> {
        match made {
            Some(prepared) => runtime.instantiate_prepared(engine, environment, prepared, job),
            None => runtime.instantiate(engine, environment, code, job),
        }
    }

    fn parallel_ns(
        &self,
        runtime: &R,
        engine: &R::Engine,
        code: &R::Code,
        made: Option<&R::Prepared>,
        job: &Job,
    ) -> Result<Option<f64>, Failure> {
        parallel_ns(&job.measure, job.measure.instantiate_threads, || pair(runtime, self, engine, code, made, job))
    }
}

/// Compiles both guests and writes them for the `artifact` engine; the compile is timed.
fn precompile<R: Runtime>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let engine = runtime.engine(job, true)?;
    let guests = job.guest_files()?;
    let precompiled = phase(&mut report.compile_ns, || runtime.precompile(&engine, guests, &job.artifacts))?;
    report.artifact_bytes = Some(runtime.save(precompiled, &job.artifacts)?);
    Ok(())
}

/// Creates the engine and sets the guests up, each phase timed into `report`, with each guest
/// memory's size after it; measures them; sets them up again (the repeated
/// set-up: what a host that already runs wasm pays for another pair, after the round trips so the
/// cold start holds none of it), each timed whole and dropped; then instantiates pairs from the
/// code (and pre-linked form) of the first set-up as a distribution (wall clock only). A `pooled`
/// engine's reservation is what creating it added to the process's virtual size.
fn measure<R: Runtime, W: Ways<R>>(runtime: &R, ways: &W, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let pooled = job.cell.instantiate == Instantiate::Pooled;
    let before = pooled.then(vm_size_kib).flatten();
    let compiling = job.cell.engine != axes::Engine::Artifact;
    let engine = phase(&mut report.engine_ns, || runtime.engine(job, compiling))?;
    if pooled {
        report.reserved_kib = vm_size_kib().zip(before).map(|(after, before)| after.saturating_sub(before));
    }
    let (code, made, guests) = set_up(runtime, ways, &engine, job, Some(report))?;
    let pages = guests.memory_pages();
    (report.producer_memory_pages, report.consumer_memory_pages) = (pages.producer, pages.consumer);
    exercise(guests, job, report)?;
    report.repeat_set_up(&job.measure, || set_up(runtime, ways, &engine, job, None))?;
    if job.mechanism == MechanismKind::WallClock && job.measure.instantiations > 0 {
        worker::phase("instantiations");
        let made = made.as_ref();
        let one = || pair(runtime, ways, &engine, &code, made, job);
        let d = distribution(&job.measure, one)?;
        (report.instantiate_pair, report.teardown, report.instantiate_rss_kib) = (d.instantiate, d.teardown, d.rss_kib);
        report.instantiate_serial_ns = serial_ns(&job.measure, one)?;
        report.instantiate_parallel_ns = ways.parallel_ns(runtime, &engine, &code, made, job)?;
    }
    Ok(())
}

/// One more pair from the code (and pre-linked form) a process holds: its environment and both
/// instances, as each pair of the instantiations is made.
fn pair<R: Runtime, W: Ways<R>>(
    runtime: &R,
    ways: &W,
    engine: &R::Engine,
    code: &R::Code,
    made: Option<&W::Made>,
    job: &Job,
) -> Result<R::Guests, Failure> {
    let environment = runtime.environment(engine, job)?;
    ways.instantiate(runtime, engine, environment, code, made, job)
}

/// A pair set up: its code, its pre-linked form (if its strategy has one), its instances.
type SetUp<R, M> = (<R as Runtime>::Code, Option<M>, <R as Runtime>::Guests);

/// Sets both guests up once: their code, their pre-linked form (`pre`, `pooled`), their
/// environment and their instances. With `report`, each phase is timed into it (the fresh set-up);
/// without, nothing is (a repeat, timed whole).
fn set_up<R: Runtime, W: Ways<R>>(
    runtime: &R,
    ways: &W,
    engine: &R::Engine,
    job: &Job,
    mut report: Option<&mut Report>,
) -> Result<SetUp<R, W::Made>, Failure> {
    let code = match job.cell.engine {
        axes::Engine::Jit => {
            let guests = job.guest_files()?;
            timed(report.as_deref_mut().map(|r| &mut r.compile_ns), || runtime.compile(engine, guests))?
        }
        axes::Engine::Artifact => {
            timed(report.as_deref_mut().map(|r| &mut r.load_ns), || runtime.load(engine, &job.artifacts))?
        }
        axes::Engine::Native => runtime.built_in()?,
    };
    let made = match job.cell.instantiate {
        Instantiate::Fresh => ways.prepare(runtime, engine, &code, job)?,
        Instantiate::Pre | Instantiate::Pooled => {
            timed(report.as_deref_mut().map(|r| &mut r.prepare_ns), || ways.prepare(runtime, engine, &code, job))?
        }
    };
    let environment = match job.cell.engine {
        axes::Engine::Native => runtime.environment(engine, job)?,
        axes::Engine::Jit | axes::Engine::Artifact => {
            timed(report.as_deref_mut().map(|r| &mut r.environment_ns), || runtime.environment(engine, job))?
        }
    };
    let instantiate = || ways.instantiate(runtime, engine, environment, &code, made.as_ref(), job);
    let guests = timed(report.map(|r| &mut r.instantiate_ns), instantiate)?;
    Ok((code, made, guests))
}

/// `f`, as a [`phase`] timed into `slot` if there is one.
#[inline]
fn timed<T>(slot: Option<&mut Option<u64>>, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match slot {
        Some(slot) => phase(slot, f),
        None => f(),
    }
}

#[cfg(test)]
mod tests;
