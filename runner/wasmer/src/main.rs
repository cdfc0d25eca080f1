//! `wasmatrix-wasmer worker JOB`: one cell under Wasmer in its own process, speaking the worker
//! protocol of wasmatrix-core (`worker::serve`), as every runtime's worker does, its phases run by
//! wasmatrix-core's `runtime::run` over what [`Wasmer`] does in each. The runner builds it
//! (runner/src/workers.rs), so the runner itself links no Wasmer.
//!
//! The guests under Wasmer: compilers and engines are configured in [`engine`], imports come
//! from [`environment`], a [`transport`] links the guests, and [`pair`] makes the round trip's
//! calls; [`merged`] runs the pair wasm-merge made one module.

#![cfg_attr(not(test), no_main)]

mod call;
mod chain;
mod engine;
mod environment;
mod limits;
mod merged;
mod pair;
mod transport;

use engine::Modules;
use environment::Host;
use pair::{Calls, Route};
use std::marker::PhantomData;
use std::path::Path;
use transport::{CopyLink, SharedLink, Transport};
use wasmatrix_core::axes::{Environment, Modules as ModulesAxis, Transport as TransportAxis};
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::runtime::{run, Runtime};
use wasmatrix_core::worker::{self, Job};
use wasmer::Store;

/// The wasmer crate this worker was built with, from the workspace's Cargo.lock.
pub const WASMER_VERSION: &str = env!("WASMATRIX_WASMER_VERSION");

wasmatrix_core::worker_main!("wasmatrix-wasmer", |job, report| {
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
    let relay_of = job.guests.as_ref().map(|guests| guests.relay_modules().1).unwrap_or_default();
    let chain = job.cell.modules != ModulesAxis::Two;
    match job.cell.transport {
        TransportAxis::Copy if chain => run(&Wasmer::<chain::CopyChain>::new(relay_of), job, report),
        TransportAxis::Shared if chain => run(&Wasmer::<chain::SharedChain>::new(relay_of), job, report),
        TransportAxis::Copy => run(&Wasmer::<CopyLink>::new(relay_of), job, report),
        TransportAxis::Shared => run(&Wasmer::<SharedLink>::new(relay_of), job, report),
        TransportAxis::Merged => run(&merged::WasmerMerged, job, report),
        TransportAxis::Component | TransportAxis::Composed | TransportAxis::Bindgen => {
            Err(worker::not_here(&job.cell, "Wasmer"))
        }
    }
});

/// A compiling engine, or a headless one that only loads artifacts; its memories capped.
fn engine_for(job: &Job, compiling: bool) -> Result<wasmer::Engine, Failure> {
    // The process's trap handlers, which Wasmer installs with its first store: before anything is
    // timed, as a host has them already.
    wasmer::sys::vm::init_traps();
    let cap = job.measure.memory_limit_mib;
    Ok(if compiling { engine::compiling_engine(job.cell.compiler, cap)? } else { engine::headless_engine(cap) })
}

/// Wasmer, its guests linked by transport `T`; a chain's relays instantiate the modules
/// `relay_of` says ([`GuestFiles::relay_modules`]).
struct Wasmer<T> {
    relay_of: Vec<usize>,
    transport: PhantomData<T>,
}

impl<T> Wasmer<T> {
    fn new(relay_of: Vec<usize>) -> Wasmer<T> {
        Wasmer { relay_of, transport: PhantomData }
    }
}

impl<T: Transport> Runtime for Wasmer<T> {
    type Engine = wasmer::Engine;
    type Code = Modules;
    type Precompiled = Modules;
    type Environment = (Store, Host<Route<T>>);
    type Guests = Pair<Calls<T>>;

    fn engine(&self, job: &Job, compiling: bool) -> Result<wasmer::Engine, Failure> {
        engine_for(job, compiling)
    }

    fn compile(&self, engine: &wasmer::Engine, guests: &GuestFiles) -> Result<Modules, Failure> {
        engine::compile(engine, guests)
    }

    fn precompile(&self, engine: &wasmer::Engine, guests: &GuestFiles, _: &Path) -> Result<Modules, Failure> {
        engine::compile(engine, guests)
    }

    fn save(&self, modules: Modules, dir: &Path) -> Result<u64, Failure> {
        Ok(engine::save_artifacts(&modules, dir)?)
    }

    fn load(&self, engine: &wasmer::Engine, dir: &Path) -> Result<Modules, Failure> {
        Ok(engine::load_artifacts(engine, dir, &self.relay_of)?)
    }

    /// The store the guests will live in, and their imports in it.
    fn environment(&self, engine: &wasmer::Engine, job: &Job) -> Result<(Store, Host<Route<T>>), Failure> {
        let cell = &job.cell;
        let mut store = Store::new(engine.clone());
        let host = Host::new(&mut store, cell.environment, cell.logging, cell.call, &job.artifacts)?;
        Ok((store, host))
    }

    fn instantiate(
        &self,
        _: &wasmer::Engine,
        (store, host): (Store, Host<Route<T>>),
        modules: &Modules,
        job: &Job,
    ) -> Result<Pair<Calls<T>>, Failure> {
        Ok(pair::instantiate::<T>(store, host, modules, job.cell.call)?)
    }
}
