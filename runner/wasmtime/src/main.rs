//! `wasmatrix-wasmtime worker JOB`: one cell under Wasmtime in its own process, speaking the same
//! worker protocol as every other runtime's worker (wasmatrix-core's `worker`), its phases run by
//! wasmatrix-core's `runtime::run` over what [`Wasmtime`] (core modules) or [`WasmtimeComponents`]
//! does in each. Compilers and engines are configured in [`engine`], imports come from
//! [`environment`], a [`transport`] links the guests, and [`pair`] makes the round trip's calls;
//! the guests as components (transports `component` and `composed`) are set up and run by
//! [`component`].

mod call;
mod component;
mod engine;
mod environment;
mod limits;
mod pair;
mod transport;

use environment::Host;
use pair::{Calls, GuestStore, Route};
use std::marker::PhantomData;
use std::path::Path;
use std::process::ExitCode;
use transport::{CopyLink, SharedLink};
use wasmatrix_core::axes::Transport;
use wasmatrix_core::calls::Pair;
use wasmatrix_core::cell::Cell;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::runtime::{run, Runtime};
use wasmatrix_core::worker::{self, Job};
use wasmtime::component::Linker;
use wasmtime::Store;

/// The Wasmtime this worker was built with, from its lock file (build.rs).
pub const WASMTIME_VERSION: &str = env!("WASMATRIX_WASMTIME_VERSION");

fn main() -> ExitCode {
    worker::main("wasmatrix-wasmtime", |job, report| {
        report.runtime_version = Some(format!("wasmtime {WASMTIME_VERSION}"));
        match job.cell.transport {
            Transport::Copy => run(&Wasmtime::<CopyLink>(PhantomData), job, report),
            Transport::Shared => run(&Wasmtime::<SharedLink>(PhantomData), job, report),
            Transport::Component | Transport::Composed => {
                runs_components(&job.cell)?;
                run(&WasmtimeComponents { composed: job.cell.transport == Transport::Composed }, job, report)
            }
        }
    })
}

/// Refuses a component cell this worker cannot run (written by hand: the runner sends none).
fn runs_components(cell: &Cell) -> Result<(), Failure> {
    match cell.not_a_cell().or_else(|| cell.unsupported()) {
        Some(why) => Err(Failure::Error(why.into())),
        None => Ok(()),
    }
}

/// The engine for the cell's compiler: one that compiles, or one that only loads artifacts.
fn engine(job: &Job, compiling: bool) -> Result<wasmtime::Engine, Failure> {
    engine::engine(job.cell.compiler, compiling)
}

/// Wasmtime running the guests as core modules, linked by transport `T`.
struct Wasmtime<T>(PhantomData<T>);

impl<T: transport::Transport> Runtime for Wasmtime<T> {
    type Engine = wasmtime::Engine;
    type Code = engine::Modules;
    /// The artifacts' size: Wasmtime writes each artifact as it compiles it, so the precompiling
    /// process's compile time holds the writing.
    type Precompiled = u64;
    type Environment = (GuestStore<T>, Host<Route<T>>);
    type Guests = Pair<Calls<T>>;

    fn engine(&self, job: &Job, compiling: bool) -> Result<wasmtime::Engine, Failure> {
        engine(job, compiling)
    }

    fn compile(&self, engine: &wasmtime::Engine, guests: &GuestFiles) -> Result<engine::Modules, Failure> {
        engine::compile(engine, guests)
    }

    fn precompile(&self, engine: &wasmtime::Engine, guests: &GuestFiles, dir: &Path) -> Result<u64, Failure> {
        engine::precompile(engine, guests, dir)
    }

    fn save(&self, bytes: u64, _: &Path) -> Result<u64, Failure> {
        Ok(bytes)
    }

    fn load(&self, engine: &wasmtime::Engine, dir: &Path) -> Result<engine::Modules, Failure> {
        engine::load_artifacts(engine, dir)
    }

    /// The store both guests live in (its state, its memory cap) and their linkers.
    fn environment(&self, engine: &wasmtime::Engine, job: &Job) -> Result<Self::Environment, Failure> {
        let cell = &job.cell;
        environment::store(engine, cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib)
    }

    fn instantiate(
        &self,
        _: &wasmtime::Engine,
        environment: Self::Environment,
        modules: &engine::Modules,
        job: &Job,
    ) -> Result<Pair<Calls<T>>, Failure> {
        pair::instantiate::<T>(environment, modules, job.cell.call)
    }
}

/// Wasmtime running the guests as components: the two, linked by the host (transport
/// `component`), or the one they were composed into (`composed`).
struct WasmtimeComponents {
    composed: bool,
}

impl Runtime for WasmtimeComponents {
    type Engine = wasmtime::Engine;
    type Code = engine::Components;
    /// The artifacts' size, written as they are compiled (as for core modules).
    type Precompiled = u64;
    type Environment = (Store<component::State>, Linker<component::State>);
    type Guests = component::Components;

    fn engine(&self, job: &Job, compiling: bool) -> Result<wasmtime::Engine, Failure> {
        engine(job, compiling)
    }

    fn compile(&self, engine: &wasmtime::Engine, guests: &GuestFiles) -> Result<engine::Components, Failure> {
        engine::compile_components(engine, guests, self.composed)
    }

    fn precompile(&self, engine: &wasmtime::Engine, guests: &GuestFiles, dir: &Path) -> Result<u64, Failure> {
        engine::precompile_components(engine, guests, dir, self.composed)
    }

    fn save(&self, bytes: u64, _: &Path) -> Result<u64, Failure> {
        Ok(bytes)
    }

    fn load(&self, engine: &wasmtime::Engine, dir: &Path) -> Result<engine::Components, Failure> {
        engine::load_component_artifacts(engine, dir, self.composed)
    }

    fn environment(&self, engine: &wasmtime::Engine, job: &Job) -> Result<Self::Environment, Failure> {
        component::environment(engine, job.cell.transport, job.measure.memory_limit_mib)
    }

    fn instantiate(
        &self,
        _: &wasmtime::Engine,
        environment: Self::Environment,
        components: &engine::Components,
        job: &Job,
    ) -> Result<component::Components, Failure> {
        component::instantiate(environment, components, job.cell.call, job.cell.codec)
    }
}
