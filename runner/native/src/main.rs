//! `wasmatrix-native worker JOB`: one native cell in its own process, speaking the same worker
//! protocol as every runtime's worker (wasmatrix-core's `worker`). The runner builds this binary
//! with the guests' cargo profile.

mod pair;

use std::process::ExitCode;
use wasmatrix_core::guests::Failure;
use wasmatrix_core::worker::{self, Phase};

fn main() -> ExitCode {
    worker::main("wasmatrix-native", |job, report| match job.phase {
        Phase::Measure => pair::set_up_and_exercise(job, report),
        Phase::Precompile => Err(Failure::Error("native cells have nothing to precompile".into())),
    })
}
