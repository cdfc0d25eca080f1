//! `wasmatrix-native worker JOB`: one native cell in its own process, speaking the same worker
//! protocol as `runner worker`. The runner builds this binary with the guests' cargo profile.

mod pair;

use std::process::ExitCode;
use wasmatrix_core::guests::Failure;
use wasmatrix_core::worker::{serve, Job, Phase};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, job] = args.as_slice() else {
        eprintln!("usage: wasmatrix-native worker JOB (started by `runner run`)");
        return ExitCode::from(2);
    };
    let job: Job = match (command.as_str(), serde_json::from_str(job)) {
        ("worker", Ok(job)) => job,
        (_, Err(e)) => {
            eprintln!("error: bad worker job: {e}");
            return ExitCode::from(2);
        }
        (other, _) => {
            eprintln!("error: unknown command `{other}`; usage: wasmatrix-native worker JOB");
            return ExitCode::from(2);
        }
    };
    serve(&job, |job, report| match job.phase {
        Phase::Measure => pair::set_up_and_exercise(job, report),
        Phase::Precompile => Err(Failure::Error("native cells have nothing to precompile".into())),
    });
    ExitCode::SUCCESS
}
