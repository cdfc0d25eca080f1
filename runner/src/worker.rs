//! The runner's own worker process (`runner worker JOB`): wasm cells under Wasmer. Native cells
//! run in wasmatrix-native (runner/native), built with the guests' profile.

use crate::harness::wasmer::transport::{CopyLink, SharedLink};
use crate::harness::{wasmer, Failure};
use crate::matrix::axes::{Engine, Environment, Transport};
pub use wasmatrix_core::worker::*;

pub fn main(job: &Job) {
    serve(job, |job, report| {
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
            (Phase::Precompile, _, _) => wasmer::precompile(job, report),
            (Phase::Measure, _, Transport::Copy) => wasmer::set_up::<CopyLink>(job, report).and_then(|pair| {
                wasmer::set_up_again::<CopyLink>(job, report)?;
                exercise(pair, job, report)
            }),
            (Phase::Measure, _, Transport::Shared) => wasmer::set_up::<SharedLink>(job, report).and_then(|pair| {
                wasmer::set_up_again::<SharedLink>(job, report)?;
                exercise(pair, job, report)
            }),
        };
        outcome.map_err(|failure| wasmer::blame_the_cap(failure, job.measure.memory_limit_mib))
    })
}
