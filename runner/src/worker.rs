//! The runner's own worker process (`runner worker JOB`): wasm cells under Wasmer. Native cells
//! run in wasmatrix-native (runner/native), built with the guests' profile.

use crate::harness::wasmer::transport::{CopyLink, SharedLink};
use crate::harness::{wasmer, Failure};
use crate::matrix::axes::{Engine, Transport};
pub use wasmatrix_core::worker::*;

pub fn main(job: &Job) {
    serve(job, |job, report| match (job.phase, job.cell.engine, job.cell.transport) {
        (_, Engine::Native, _) => Err(Failure::Error("native cells run in the wasmatrix-native worker".into())),
        (Phase::Precompile, _, _) => wasmer::precompile(job, report),
        (Phase::Measure, _, Transport::Copy) => exercise(wasmer::set_up::<CopyLink>(job, report)?, job, report),
        (Phase::Measure, _, Transport::Shared) => exercise(wasmer::set_up::<SharedLink>(job, report)?, job, report),
    })
}
