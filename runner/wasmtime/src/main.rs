//! `wasmatrix-wasmtime worker JOB`: one cell under Wasmtime in its own process, speaking the same
//! worker protocol as every other runtime's worker (wasmatrix-core's `worker`), its phases run by
//! wasmatrix-core's `runtime::run` over what [`Wasmtime`] (core modules) or [`WasmtimeComponents`]
//! does in each. Compilers and engines are configured in [`engine`], imports come from
//! [`environment`], a [`transport`] links the guests, and [`pair`] makes the round trip's calls;
//! the guests as components (transports `component` and `composed`) are set up and run by
//! [`component`], and the one module they were merged into (transport `merged`) by [`merged`]
//! ([`WasmtimeMerged`]).

#![cfg_attr(not(test), no_main)]

mod call;
mod chain;
mod component;
mod engine;
mod environment;
mod limits;
mod merged;
mod pair;
#[cfg(test)]
mod real_guests;
mod transport;

use environment::Host;
use pair::{Calls, PrePair};
use std::marker::PhantomData;
use std::path::Path;
use transport::{CopyLink, SharedLink};
use wasmatrix_core::axes::{Instantiate, Transport};
use wasmatrix_core::calls::Pair;
use wasmatrix_core::cell::Cell;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::runtime::{run_prepared, Prepare, Runtime};
use wasmatrix_core::worker::Job;
use wasmtime::{InstancePre, Module, Store};

/// The Wasmtime this worker was built with, from its lock file (build.rs).
pub const WASMTIME_VERSION: &str = env!("WASMATRIX_WASMTIME_VERSION");

wasmatrix_core::worker_main!("wasmatrix-wasmtime", |job, report| {
    report.runtime_version = Some(format!("wasmtime {WASMTIME_VERSION}"));
    let relay_of = job.guests.as_ref().map(|guests| guests.relay_modules().1).unwrap_or_default();
    let chain = job.cell.modules != wasmatrix_core::axes::Modules::Two;
    match job.cell.transport {
        Transport::Copy if chain => run_prepared(&Wasmtime::<chain::CopyChain>::new(relay_of), job, report),
        Transport::Shared if chain => run_prepared(&Wasmtime::<chain::SharedChain>::new(relay_of), job, report),
        Transport::Copy => run_prepared(&Wasmtime::<CopyLink>::new(relay_of), job, report),
        Transport::Shared => run_prepared(&Wasmtime::<SharedLink>::new(relay_of), job, report),
        Transport::Component | Transport::Composed => {
            runs(&job.cell)?;
            let composed = job.cell.transport == Transport::Composed;
            run_prepared(&WasmtimeComponents { composed, relay_of }, job, report)
        }
        Transport::Merged => {
            runs(&job.cell)?;
            run_prepared(&WasmtimeMerged, job, report)
        }
        Transport::Bindgen => Err(wasmatrix_core::worker::not_here(&job.cell, "Wasmtime")),
    }
});

/// Refuses a cell this worker cannot run (written by hand: the runner sends none).
fn runs(cell: &Cell) -> Result<(), Failure> {
    match cell.not_a_cell().or_else(|| cell.unsupported()) {
        Some(why) => Err(Failure::Error(why.into())),
        None => Ok(()),
    }
}

/// The engine for the cell's compiler: one that compiles, or one that only loads artifacts; for
/// `instantiate = pooled`, with a pool for one pair per instantiating thread.
fn engine(job: &Job, compiling: bool) -> Result<wasmtime::Engine, Failure> {
    let cell = &job.cell;
    let pool = (cell.instantiate == Instantiate::Pooled).then(|| engine::Pool {
        pairs: job.measure.instantiate_threads.max(1),
        transport: cell.transport,
        memory_limit_mib: job.measure.memory_limit_mib,
    });
    engine::engine(cell.compiler, compiling, pool)
}

/// Whether the cell's pairs are instantiated by linkers (`fresh`), else from pre-linked forms.
fn fresh(job: &Job) -> bool {
    job.cell.instantiate == Instantiate::Fresh
}

/// Wasmtime running the guests as core modules, linked by transport `T`; a chain's relays
/// instantiate the modules `relay_of` says ([`GuestFiles::relay_modules`]).
struct Wasmtime<T> {
    relay_of: Vec<usize>,
    transport: PhantomData<T>,
}

impl<T> Wasmtime<T> {
    fn new(relay_of: Vec<usize>) -> Wasmtime<T> {
        Wasmtime { relay_of, transport: PhantomData }
    }
}

impl<T: transport::Transport> Runtime for Wasmtime<T> {
    type Engine = wasmtime::Engine;
    type Code = engine::Modules;
    /// The artifacts' size: Wasmtime writes each artifact as it compiles it, so the precompiling
    /// process's compile time holds the writing.
    type Precompiled = u64;
    type Environment = pair::Environment<T>;
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
        engine::load_artifacts(engine, dir, &self.relay_of)
    }

    /// The store both guests live in (its state, its memory cap) and, `fresh`, their linkers.
    fn environment(&self, engine: &wasmtime::Engine, job: &Job) -> Result<Self::Environment, Failure> {
        let cell = &job.cell;
        let store = environment::store(engine, cell.environment, job.measure.memory_limit_mib)?;
        let host = fresh(job).then(|| environment::linkers(engine, cell.environment, cell.logging, cell.call));
        Ok((store, host.transpose()?))
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

/// `pre` and `pooled`: each guest's `InstancePre`, from linkers made once.
impl<T: transport::Transport + Sync> Prepare for Wasmtime<T> {
    type Prepared = PrePair<T>;

    fn prepare(&self, engine: &wasmtime::Engine, modules: &engine::Modules, job: &Job) -> Result<PrePair<T>, Failure> {
        runs(&job.cell)?;
        let cell = &job.cell;
        let host: Host<_> = environment::linkers(engine, cell.environment, cell.logging, cell.call)?;
        PrePair::new(host, modules)
    }

    fn instantiate_prepared(
        &self,
        _: &wasmtime::Engine,
        environment: Self::Environment,
        prepared: &PrePair<T>,
        job: &Job,
    ) -> Result<Pair<Calls<T>>, Failure> {
        pair::instantiate_pre(environment, prepared, job.cell.call)
    }
}

/// Wasmtime running the guests as components: the two (and a chain's relays, instantiating the
/// components `relay_of` says), linked by the host (transport `component`), or the one they were
/// composed into (`composed`).
struct WasmtimeComponents {
    composed: bool,
    relay_of: Vec<usize>,
}

impl Runtime for WasmtimeComponents {
    type Engine = wasmtime::Engine;
    type Code = engine::Components;
    /// The artifacts' size, written as they are compiled (as for core modules).
    type Precompiled = u64;
    type Environment = (Store<component::State>, Option<component::Linkers>);
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
        engine::load_component_artifacts(engine, dir, self.composed, &self.relay_of)
    }

    fn environment(&self, engine: &wasmtime::Engine, job: &Job) -> Result<Self::Environment, Failure> {
        let relays = job.cell.modules.relays();
        component::environment(engine, job.cell.transport, job.measure.memory_limit_mib, fresh(job), relays)
    }

    fn instantiate(
        &self,
        _: &wasmtime::Engine,
        environment: Self::Environment,
        components: &engine::Components,
        job: &Job,
    ) -> Result<component::Components, Failure> {
        let (store, linkers) = environment;
        let linkers = linkers.ok_or_else(|| Failure::Error("no linker in a fresh pair's environment".into()))?;
        let source = component::Source::Fresh(&linkers, components);
        component::instantiate(store, source, job.cell.call, job.cell.codec, job.cell.modules.relays())
    }
}

/// `pre` and `pooled`: each component's `InstancePre`, from a linker made once.
impl Prepare for WasmtimeComponents {
    type Prepared = component::PreComponents;

    fn prepare(
        &self,
        engine: &wasmtime::Engine,
        components: &engine::Components,
        job: &Job,
    ) -> Result<component::PreComponents, Failure> {
        runs(&job.cell)?;
        component::PreComponents::new(&component::linker(engine, job.cell.transport)?, components)
    }

    fn instantiate_prepared(
        &self,
        _: &wasmtime::Engine,
        (store, _): Self::Environment,
        prepared: &component::PreComponents,
        job: &Job,
    ) -> Result<component::Components, Failure> {
        let source = component::Source::Pre(prepared);
        component::instantiate(store, source, job.cell.call, job.cell.codec, job.cell.modules.relays())
    }
}

/// Wasmtime running the merged pair (transport `merged`): one module holding both guests, each in
/// its own memory, and the adapter that copies between them.
struct WasmtimeMerged;

impl Runtime for WasmtimeMerged {
    type Engine = wasmtime::Engine;
    type Code = Module;
    /// The artifact's size, written as it is compiled (as for the pair's modules).
    type Precompiled = u64;
    type Environment = merged::Environment;
    type Guests = Pair<merged::MergedCalls>;

    fn engine(&self, job: &Job, compiling: bool) -> Result<wasmtime::Engine, Failure> {
        engine(job, compiling)
    }

    fn compile(&self, engine: &wasmtime::Engine, guests: &GuestFiles) -> Result<Module, Failure> {
        engine::compile_merged(engine, guests)
    }

    fn precompile(&self, engine: &wasmtime::Engine, guests: &GuestFiles, dir: &Path) -> Result<u64, Failure> {
        engine::precompile_merged(engine, guests, dir)
    }

    fn save(&self, bytes: u64, _: &Path) -> Result<u64, Failure> {
        Ok(bytes)
    }

    fn load(&self, engine: &wasmtime::Engine, dir: &Path) -> Result<Module, Failure> {
        engine::load_merged_artifact(engine, dir)
    }

    fn environment(&self, engine: &wasmtime::Engine, job: &Job) -> Result<merged::Environment, Failure> {
        Ok(merged::environment(engine, job.measure.memory_limit_mib, fresh(job)))
    }

    fn instantiate(
        &self,
        _: &wasmtime::Engine,
        (store, linker): merged::Environment,
        module: &Module,
        job: &Job,
    ) -> Result<Pair<merged::MergedCalls>, Failure> {
        let linker = linker.ok_or_else(|| Failure::Error("no linker in a fresh pair's environment".into()))?;
        merged::instantiate(store, merged::Source::Fresh(&linker, module), job.cell.call)
    }
}

/// `pre` and `pooled`: the module's `InstancePre`, from an empty linker.
impl Prepare for WasmtimeMerged {
    type Prepared = InstancePre<limits::Cap>;

    fn prepare(&self, engine: &wasmtime::Engine, module: &Module, job: &Job) -> Result<Self::Prepared, Failure> {
        runs(&job.cell)?;
        merged::prepare(engine, module)
    }

    fn instantiate_prepared(
        &self,
        _: &wasmtime::Engine,
        (store, _): merged::Environment,
        prepared: &Self::Prepared,
        job: &Job,
    ) -> Result<Pair<merged::MergedCalls>, Failure> {
        merged::instantiate(store, merged::Source::Pre(prepared), job.cell.call)
    }
}
