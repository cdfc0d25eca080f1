//! `wasmatrix-native worker JOB`: one native cell in its own process, speaking the same worker
//! protocol as every runtime's worker (wasmatrix-core's `worker`), its phases run by
//! wasmatrix-core's `runtime::run` as every runtime's are: the guest crates are built into this
//! binary (engine `native`), so a native set-up is only its `instantiate` (constructing both
//! sides). The runner builds this binary with the guests' cargo profile.

#![cfg_attr(not(test), no_main)]

mod pair;

use pair::{CopyLink, Link, NativePair, SharedLink, Sink};
use std::marker::PhantomData;
use std::path::Path;
use wasmatrix_consumer::log::{BufferLog, NoLog};
use wasmatrix_core::axes::{Logging, Transport};
use wasmatrix_core::guests::{Failure, GuestFiles};
use wasmatrix_core::runtime::{run, Runtime};
use wasmatrix_core::worker::{self, Job, Report};
use wasmatrix_proto::{Codec, CodecVisitor};

wasmatrix_core::worker_main!("wasmatrix-native", |job, report| match job.cell.codec.bytes() {
    Some(codec) => codec.visit(Visit { job, report }),
    None => Err(worker::not_here(&job.cell, "native")),
});

/// Runs the job with the pair of its codec, transport and logging. A native log line goes to a
/// buffer, as a `bare` guest's goes to the host's; the environment changes nothing else natively.
struct Visit<'a> {
    job: &'a Job,
    report: &'a mut Report,
}

impl CodecVisitor for Visit<'_> {
    type Output = Result<(), Failure>;
    fn visit<C: Codec>(self) -> Self::Output {
        let Visit { job, report } = self;
        match (job.cell.transport, job.cell.logging) {
            (Transport::Copy, Logging::Off) => run(&Native::<C, CopyLink, NoLog>(PhantomData), job, report),
            (Transport::Copy, Logging::On) => run(&Native::<C, CopyLink, BufferLog>(PhantomData), job, report),
            (Transport::Shared, Logging::Off) => run(&Native::<C, SharedLink, NoLog>(PhantomData), job, report),
            (Transport::Shared, Logging::On) => run(&Native::<C, SharedLink, BufferLog>(PhantomData), job, report),
            (Transport::Component | Transport::Composed | Transport::Bindgen | Transport::Merged, _) => {
                Err(worker::not_here(&job.cell, "native"))
            }
        }
    }
}

/// The guest crates compiled natively, with codec `C`, link `L` and log sink `S`.
struct Native<C, L, S>(PhantomData<(C, L, S)>);

/// What a native cell does not have: wasm to compile or precompile, artifacts to load.
fn no_wasm(what: &str) -> Failure {
    Failure::Error(format!("native cells have nothing to {what}"))
}

impl<C: Codec, L: Link, S: Sink> Runtime for Native<C, L, S> {
    type Engine = ();
    type Code = ();
    type Precompiled = ();
    type Environment = ();
    type Guests = NativePair<C, L, S>;

    fn engine(&self, _: &Job, _: bool) -> Result<(), Failure> {
        Ok(())
    }

    fn compile(&self, (): &(), _: &GuestFiles) -> Result<(), Failure> {
        Err(no_wasm("compile"))
    }

    fn precompile(&self, (): &(), _: &GuestFiles, _: &Path) -> Result<(), Failure> {
        Err(no_wasm("precompile"))
    }

    fn save(&self, (): (), _: &Path) -> Result<u64, Failure> {
        Err(no_wasm("precompile"))
    }

    fn load(&self, (): &(), _: &Path) -> Result<(), Failure> {
        Err(no_wasm("load"))
    }

    fn built_in(&self) -> Result<(), Failure> {
        Ok(())
    }

    fn environment(&self, (): &(), _: &Job) -> Result<(), Failure> {
        Ok(())
    }

    fn instantiate(&self, (): &(), (): (), (): &(), job: &Job) -> Result<NativePair<C, L, S>, Failure> {
        Ok(NativePair::new(job.cell.call, job.cell.records.count(), job.cell.modules.relays()))
    }
}
