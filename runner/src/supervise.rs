//! Runs a cell's worker processes with a time limit, and turns whatever happens to them into an
//! outcome with a status: a trap, a crash or a hang ends one cell, never the run.

use crate::worker::{FailureKind, Job, Phase, Report, READY_LINE, REPORT_PREFIX};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How a cell ended; the `status` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Ran to the end, but its checksum differs from the expected one.
    ChecksumMismatch,
    /// The harness or a guest reported an error (bad module, refused message, ...).
    Error,
    /// A guest trapped.
    Trap,
    /// The worker process died without a report (signal, abort, out of memory).
    Crash,
    /// The worker did not finish within the matrix's `timeout_s` and was killed.
    Timeout,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::ChecksumMismatch => "checksum_mismatch",
            Status::Error => "error",
            Status::Trap => "trap",
            Status::Crash => "crash",
            Status::Timeout => "timeout",
        }
    }
}

/// Everything known about one cell once its workers are done.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub status: Status,
    pub error: String,
    /// Worker spawn to its ready line.
    pub cold_start_ns: Option<u64>,
}

/// Runs a cell in `worker` (the runner, or the native worker): a precompile process first for the
/// `artifact` engine, then the measuring one.
pub fn run_cell(worker: &Path, job: &Job, expected_checksum: u64) -> Outcome {
    let timeout = Duration::from_secs(job.measure.timeout_s);
    let mut report = Report::default();
    if job.cell.engine == crate::matrix::axes::Engine::Artifact {
        let pre = Job { phase: Phase::Precompile, ..job.clone() };
        let run = run_worker(worker, &pre, timeout);
        if let Some(r) = &run.report {
            report.compile_ns = r.compile_ns;
            report.artifact_bytes = r.artifact_bytes;
        }
        if let Some((status, error)) = run.failure() {
            return Outcome { report, status, error: format!("precompiling: {error}"), cold_start_ns: None };
        }
    }
    let run = run_worker(worker, &Job { phase: Phase::Measure, ..job.clone() }, timeout);
    let failure = run.failure();
    let measured = run.report.unwrap_or_default();
    report = Report {
        compile_ns: report.compile_ns.or(measured.compile_ns),
        artifact_bytes: report.artifact_bytes,
        ..measured
    };
    let (status, error) = match failure {
        Some(f) => f,
        None => match report.checksum {
            Some(sum) if sum == expected_checksum => (Status::Ok, String::new()),
            Some(sum) => {
                (Status::ChecksumMismatch, format!("checksum {sum:#018x}, expected {expected_checksum:#018x}"))
            }
            None => (Status::Error, "the worker reported no checksum".into()),
        },
    };
    Outcome { report, status, error, cold_start_ns: run.ready_after.map(|d| d.as_nanos() as u64) }
}

struct WorkerRun {
    report: Option<Report>,
    ready_after: Option<Duration>,
    timed_out: bool,
    exit: Option<ExitStatus>,
    stderr: String,
    spawn_error: Option<String>,
}

impl WorkerRun {
    /// The status and message if this worker did not succeed.
    fn failure(&self) -> Option<(Status, String)> {
        if let Some(e) = &self.spawn_error {
            return Some((Status::Error, e.clone()));
        }
        if self.timed_out {
            return Some((Status::Timeout, "the worker did not finish in time and was killed".into()));
        }
        if let Some((kind, message)) = self.report.as_ref().and_then(|r| r.failure.clone()) {
            let status = match kind {
                FailureKind::Trap => Status::Trap,
                FailureKind::Error => Status::Error,
            };
            return Some((status, message));
        }
        let exit = self.exit.map_or_else(|| "unknown".into(), describe_exit);
        let tail = tail(&self.stderr);
        match (&self.report, self.exit) {
            (Some(_), Some(status)) if status.success() => None,
            (Some(_), _) => Some((Status::Crash, format!("the worker reported, then {exit}: {tail}"))),
            (None, _) => Some((Status::Crash, format!("the worker {exit} without a report: {tail}"))),
        }
    }
}

fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => format!("ended ({status})"),
    }
}

/// The last lines of a worker's stderr, on one line, for the `error` column.
fn tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let text = lines[lines.len().saturating_sub(3)..].join(" | ");
    if text.is_empty() {
        "(no stderr)".into()
    } else {
        text
    }
}

enum Line {
    Ready(Instant),
    Report(String),
}

fn run_worker(runner: &Path, job: &Job, timeout: Duration) -> WorkerRun {
    let mut run = WorkerRun {
        report: None,
        ready_after: None,
        timed_out: false,
        exit: None,
        stderr: String::new(),
        spawn_error: None,
    };
    let job_json = serde_json::to_string(job).expect("a job serializes");
    let started = Instant::now();
    let mut child = match Command::new(runner)
        .arg("worker")
        .arg(job_json)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            run.spawn_error = Some(format!("cannot start worker {}: {e}", runner.display()));
            return run;
        }
    };
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let event = if line == READY_LINE {
                Line::Ready(Instant::now())
            } else if let Some(json) = line.strip_prefix(REPORT_PREFIX) {
                Line::Report(json.to_owned())
            } else {
                continue;
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let deadline = started + timeout;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Line::Ready(at)) => run.ready_after = Some(at - started),
            Ok(Line::Report(json)) => match serde_json::from_str(&json) {
                Ok(report) => run.report = Some(report),
                Err(e) => run.spawn_error = Some(format!("unreadable worker report: {e}")),
            },
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                run.timed_out = true;
                let _ = child.kill();
                break;
            }
        }
    }
    run.exit = child.wait().ok();
    let _ = reader.join();
    run.stderr = stderr_reader.join().unwrap_or_default();
    run
}
