//! What a runtime's home in the runner provides ([`Recipe`]), which of its workers a cell runs in
//! ([`WorkerKey`]) and how a worker process is started ([`WorkerCommand`]).

use crate::guest_build::Builder;
use crate::matrix::axes::{Allocator, Profile};
use crate::matrix::Cell;
use crate::meta::RunMeta;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_core::measure::MechanismKind;

/// One runtime's recipe in the runner: everything about it that is not its worker's own code.
pub trait Recipe: Sync {
    /// Which of the runtime's workers `cell` runs in: cells with the same key share one.
    fn key(&self, _cell: &Cell) -> WorkerKey {
        WorkerKey::One
    }

    /// Builds (or finds) the worker `cell` runs in: once per [`Recipe::key`] and run, before the
    /// first cell; cargo (where it builds) decides what is stale.
    fn worker(&self, builder: &Builder, cell: &Cell) -> Result<PathBuf>;

    /// How to start `worker` (what [`Recipe::worker`] gave) for `cell`: by default, the program alone.
    fn start(&self, worker: &Path, _root: &Path, _cell: &Cell) -> WorkerCommand {
        WorkerCommand::of(worker)
    }

    /// What the runtime needs of this machine before any cell runs, given the run's `cells` of
    /// this runtime (those that cannot run too) and how they are measured; an error says what is
    /// missing and how to get it.
    fn check(&self, _root: &Path, _cells: &[Cell], _mechanism: MechanismKind) -> Result<()> {
        Ok(())
    }

    /// The version a row records when the worker did not report one (a cell that never reached
    /// its worker): by default none.
    fn version(&self, _meta: &RunMeta) -> String {
        String::new()
    }
}

/// Which of a runtime's workers a cell runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerKey {
    /// One worker for every cell of the runtime.
    One,
    /// One per guest build settings: a worker compiled with the guests' cargo profile and
    /// allocator (the native twin's).
    Guests(Profile, Allocator),
}

/// How to start one worker process: a program and its leading arguments; the supervisor adds
/// `worker JOB`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl WorkerCommand {
    pub fn of(program: impl Into<PathBuf>) -> WorkerCommand {
        WorkerCommand { program: program.into(), args: Vec::new() }
    }

    /// The command, ready for `worker JOB`; `prefix` (valgrind and its arguments, or a wrapper)
    /// goes first.
    pub fn command(&self, prefix: Option<(&std::ffi::OsStr, &[String])>) -> Command {
        let mut command = match prefix {
            Some((tool, args)) => {
                let mut c = Command::new(tool);
                c.args(args).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        command.args(&self.args);
        command
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valgrind_goes_before_the_worker_and_its_arguments() {
        let worker = WorkerCommand { program: "node".into(), args: vec!["--liftoff".into(), "w.mjs".into()] };
        let args = ["--tool=none".to_owned()];
        let command = worker.command(Some(("valgrind".as_ref(), &args)));
        let got: Vec<_> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(command.get_program(), "valgrind");
        assert_eq!(got, ["--tool=none", "node", "--liftoff", "w.mjs"]);
    }
}
