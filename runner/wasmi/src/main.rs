//! `wasmatrix-wasmi worker JOB`: one cell under the wasmi interpreter in its own process, speaking
//! the same worker protocol as every runtime's worker (wasmatrix-core's `worker`), its phases run
//! by wasmatrix-core's `runtime::run` over what [`Wasmi`] does in each. wasmi translates wasm to
//! its own bytecode (when: the `compiler` axis, see [`engine`]) and interprets it; it has no machine
//! code and no serialized modules, so it has only the `jit` engine. Imports come from
//! [`environment`], a [`transport`] links the guests, their [`route`] carries each request, and
//! [`pair`] makes the round trip's calls; [`merged`] runs the pair wasm-merge made one module. Each transport and call pattern is compiled on its own.

#![cfg_attr(not(test), no_main)]

mod call;
mod chain;
mod engine;
mod environment;
mod limits;
mod merged;
mod pair;
mod route;
mod transport;

use engine::Modules;
use environment::Host;
use pair::Calls;
use route::{Held, Place, Route, Stored};
use std::marker::PhantomData;
use std::path::Path;
use transport::{CopyLink, SharedLink, Transport};
use wasmatrix_core::axes::{Call, Transport as TransportAxis};
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::runtime::{run, Runtime};
use wasmatrix_core::worker::{self, Job};

/// The wasmi crate this worker was built with, from the workspace's Cargo.lock.
pub const WASMI_VERSION: &str = env!("WASMATRIX_WASMI_VERSION");
/// The wasmi_wasi crate (the `wasi` and `emscripten` environments), from the same lock file.
pub const WASMI_WASI_VERSION: &str = env!("WASMATRIX_WASMI_WASI_VERSION");

wasmatrix_core::worker_main!("wasmatrix-wasmi", |job, report| {
    report.runtime_version = Some(format!("wasmi {WASMI_VERSION}"));
    let chain = job.cell.modules != wasmatrix_core::axes::Modules::Two;
    match job.cell.transport {
        TransportAxis::Copy if chain => linked_by::<chain::CopyChain>(job, report),
        TransportAxis::Shared if chain => linked_by::<chain::SharedChain>(job, report),
        TransportAxis::Copy => linked_by::<CopyLink>(job, report),
        TransportAxis::Shared => linked_by::<SharedLink>(job, report),
        TransportAxis::Merged => run(&merged::WasmiMerged, job, report),
        TransportAxis::Component | TransportAxis::Composed | TransportAxis::Bindgen => {
            Err(worker::not_here(&job.cell, "wasmi"))
        }
    }
});

/// Runs the job with the guests linked by `T`, the route where the call pattern keeps it.
fn linked_by<T: Transport>(job: &Job, report: &mut worker::Report) -> Result<(), Failure> {
    match job.cell.call {
        Call::Host => run(&Wasmi::<T, Held<T>>(PhantomData), job, report),
        Call::Import => run(&Wasmi::<T, Stored>(PhantomData), job, report),
    }
}

/// wasmi, its guests linked by transport `T`, their route in place `P`.
struct Wasmi<T, P>(PhantomData<(T, P)>);

/// wasmi has no artifacts: it makes no machine code to keep.
pub(crate) fn no_artifacts() -> Failure {
    Failure::Error(wasmatrix_core::cell::WASMI_ARTIFACT.into())
}

impl<T: Transport, P: Place<T>> Runtime for Wasmi<T, P> {
    type Engine = wasmi::Engine;
    type Code = Modules;
    type Precompiled = ();
    type Environment = Host<Route<T>>;
    type Guests = Pair<Calls<T, P>>;

    fn engine(&self, job: &Job, _compiling: bool) -> Result<wasmi::Engine, Failure> {
        Ok(engine::engine(job.cell.compiler)?)
    }

    fn compile(&self, engine: &wasmi::Engine, guests: &GuestFiles) -> Result<Modules, Failure> {
        engine::compile(engine, guests)
    }

    fn precompile(&self, _: &wasmi::Engine, _: &GuestFiles, _: &Path) -> Result<(), Failure> {
        Err(no_artifacts())
    }

    fn save(&self, (): (), _: &Path) -> Result<u64, Failure> {
        Err(no_artifacts())
    }

    fn load(&self, _: &wasmi::Engine, _: &Path) -> Result<Modules, Failure> {
        Err(no_artifacts())
    }

    fn environment(&self, _: &wasmi::Engine, job: &Job) -> Result<Host<Route<T>>, Failure> {
        let cell = &job.cell;
        Ok(Host::new(cell.environment, cell.logging, cell.call, job.measure.memory_limit_mib)?)
    }

    /// The store that holds the environment, and both guests linked in it.
    fn instantiate(
        &self,
        engine: &wasmi::Engine,
        host: Host<Route<T>>,
        modules: &Modules,
        job: &Job,
    ) -> Result<Pair<Calls<T, P>>, Failure> {
        Ok(pair::instantiate::<T, P>(environment::store(engine, host), modules, job.cell.call)?)
    }
}
