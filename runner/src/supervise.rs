//! Runs a cell's worker processes, each with a time limit, and turns whatever happens to them
//! into an outcome with a status: a trap, a crash or a hang ends one cell, never the run. A
//! second Ctrl-C (the `abort` flag, see [`crate::stop::Signals`]) kills the running worker at once.

use crate::matrix::axes::Engine;
use crate::results::metric::Metric;
use crate::results::samples::{ProcessId, Sample};
use crate::results::status::Status;
use crate::workers::WorkerCommand;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use wasmatrix_core::measure::clock::monotonic_ns;
use wasmatrix_core::measure::instructions::callgrind_args;
use wasmatrix_core::measure::MechanismKind;
use wasmatrix_core::worker::{FailureKind, Job, Phase, Report, PHASE_PREFIX, READY_LINE, REPORT_PREFIX};
use watch::watch;

/// Everything known about one worker process of a cell (and its precompile process, if any).
#[derive(Debug)]
pub struct ProcessOutcome {
    pub report: Report,
    pub status: Status,
    pub error: String,
    /// Worker spawn to its ready line.
    pub cold_start_ns: Option<u64>,
    /// Worker spawn to its `main` (the monotonic clock, read by both): exec, loading and linking
    /// the binary, the language runtime's start.
    pub process_start_ns: Option<u64>,
    /// The 1-minute load average just before the process started and just after it ended.
    pub loadavg_start: Option<f64>,
    pub loadavg_end: Option<f64>,
    /// What the OS says about interference over the process's life: how often it was switched out
    /// against its will (all its threads, from `wait4`'s rusage), and the share of the machine's
    /// CPU time the hypervisor gave to others (steal, percent, from /proc/stat).
    pub involuntary_switches: Option<u64>,
    pub steal_pct: Option<f64>,
    /// The whole process as the runner saw it, spawn to exit, in seconds: what it cost the run.
    pub process_s: f64,
}

impl ProcessOutcome {
    /// The process's tidy samples for the sidecar: its repeated measurements in the mechanism's
    /// unit, its start-up phases (wall clock only: under callgrind they would time valgrind), and
    /// its context ([`Metric::CONTEXT`]).
    pub fn samples(&self, id: &ProcessId, mechanism: MechanismKind) -> Vec<Sample> {
        let (outcome, r) = (self, &self.report);
        let cell = id.cell.to_string();
        let mut out = Vec::new();
        let mut push = |metric: Metric, sample: usize, value: f64| {
            out.push(Sample {
                run_id: id.run_id.to_owned(),
                cell: cell.clone(),
                process: id.process,
                seq: id.seq,
                metric: metric.name().into(),
                sample: sample as u32,
                value,
            })
        };
        for (metric, values) in
            Metric::repeated(mechanism).into_iter().zip([&r.round_trip, &r.call_floor, &r.encode, &r.decode])
        {
            for (k, v) in values.iter().enumerate() {
                push(metric, k, *v);
            }
        }
        if mechanism == MechanismKind::WallClock {
            for (metric, values) in [
                (Metric::RefNs, &r.reference),
                (Metric::SetupWarmNs, &r.setup_warm),
                (Metric::SetupWarmCpuNs, &r.setup_warm_cpu),
                (Metric::InstantiatePairNs, &r.instantiate_pair),
                (Metric::TeardownNs, &r.teardown),
            ] {
                for (k, v) in values.iter().enumerate() {
                    push(metric, k, *v);
                }
            }
            for (metric, value) in [
                (Metric::CompileNs, r.compile_ns),
                (Metric::LoadNs, r.load_ns),
                (Metric::EnvironmentNs, r.environment_ns),
                (Metric::InstantiateNs, r.instantiate_ns),
                (Metric::PrepareNs, r.prepare_ns),
                (Metric::SetupNs, setup_ns(id.cell.engine, outcome)),
                (Metric::SetupCpuNs, r.setup_cpu_ns),
                (Metric::FirstRoundTripNs, r.first_round_trip_ns),
                (Metric::ColdStartNs, outcome.cold_start_ns),
                (Metric::ProcessStartNs, outcome.process_start_ns),
                (Metric::WorkerStartNs, r.worker_start_ns),
                (Metric::EngineNs, r.engine_ns),
                (Metric::ColdStartUntimedNs, untimed_ns(id.cell.engine, outcome)),
            ] {
                if let Some(v) = value {
                    push(metric, 0, v as f64);
                }
            }
            for (metric, value) in [
                (Metric::InstantiateSerialNs, r.instantiate_serial_ns),
                (Metric::InstantiateParallelNs, r.instantiate_parallel_ns),
            ] {
                if let Some(v) = value {
                    push(metric, 0, v);
                }
            }
        }
        let kib = |v: Option<u64>| v.map(|v| v as f64);
        let rss_growth = r.instantiate_rss_kib.first().zip(r.instantiate_rss_kib.last()).map(|(a, b)| b - a);
        let context = [
            outcome.loadavg_start,
            outcome.loadavg_end,
            r.peak_rss_kib.map(|v| v as f64),
            outcome.involuntary_switches.map(|v| v as f64),
            r.cpu_migrations.map(|v| v as f64),
            outcome.steal_pct,
            Some(if outcome.status == Status::Ok { 1.0 } else { 0.0 }),
            Some(outcome.process_s),
            kib(r.rss_after_setup_kib),
            kib(r.producer_memory_pages),
            kib(r.consumer_memory_pages),
            kib(r.reserved_kib),
            rss_growth,
        ];
        for (metric, value) in Metric::CONTEXT.into_iter().zip(context) {
            if let Some(v) = value {
                push(metric, 0, v);
            }
        }
        out
    }
}

/// From guest files to callable guests in the measured process: loading artifacts, or compiling
/// in process (jit), or nothing more (native), then the pre-linked form (`pre`, `pooled`), then
/// creating their environment (WASI), then instantiating.
fn setup_ns(engine: Engine, outcome: &ProcessOutcome) -> Option<u64> {
    let r = &outcome.report;
    let code_ns = match engine {
        Engine::Artifact => r.load_ns,
        Engine::Jit => r.compile_ns,
        Engine::Native => Some(0),
    };
    code_ns
        .zip(r.instantiate_ns)
        .map(|(code, inst)| code + r.prepare_ns.unwrap_or(0) + r.environment_ns.unwrap_or(0) + inst)
}

/// The cold start that no phase times ([`Metric::ColdStartUntimedNs`]): spawn to ready minus the
/// process start, the worker start, the engine (none under V8), the fresh set-up and the first
/// round trip. Only where the process start, the set-up and the first round trip were timed.
fn untimed_ns(engine: Engine, outcome: &ProcessOutcome) -> Option<u64> {
    let r = &outcome.report;
    let timed = outcome.process_start_ns? + r.worker_start_ns? + r.engine_ns.unwrap_or(0);
    let timed = timed + setup_ns(engine, outcome)? + r.first_round_trip_ns?;
    Some(outcome.cold_start_ns?.saturating_sub(timed))
}

/// The machine's 1-minute load average, where readable.
pub fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The machine's CPU time so far, in clock ticks: (all, stolen by the hypervisor), from the
/// `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal ...).
fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> =
        stat.lines().next()?.strip_prefix("cpu ")?.split_whitespace().take(8).map_while(|f| f.parse().ok()).collect();
    (fields.len() == 8).then(|| (fields.iter().sum(), fields[7]))
}

/// Percent of the CPU time between two [`cpu_ticks`] readings that was stolen.
fn steal_pct(before: Option<(u64, u64)>, after: Option<(u64, u64)>) -> Option<f64> {
    let ((all0, steal0), (all1, steal1)) = (before?, after?);
    let all = all1.checked_sub(all0).filter(|&t| t > 0)?;
    Some(100.0 * steal1.saturating_sub(steal0) as f64 / all as f64)
}

/// Involuntary context switches of every child process waited for so far.
fn children_involuntary_switches() -> Option<u64> {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).ok()?;
    u64::try_from(usage.involuntary_context_switches()).ok()
}

/// What precompiling a cell's guests (the `artifact` engine) gave.
#[derive(Clone, Copy, Debug, Default)]
pub struct Precompiled {
    pub compile_ns: Option<u64>,
    pub artifact_bytes: Option<u64>,
}

/// Compiles a cell's guests in a process of their own and serializes them into the job's
/// artifact directory, where every measuring process of the cell loads them. Once `abort` is set
/// the worker is killed and the result means nothing (the caller records none).
pub fn precompile(worker: &WorkerCommand, job: &Job, abort: &AtomicBool) -> Result<Precompiled, (Status, String)> {
    std::fs::create_dir_all(&job.artifacts)
        .map_err(|e| (Status::Error, format!("cannot create {}: {e}", job.artifacts.display())))?;
    let pre = Job { phase: Phase::Precompile, ..job.clone() };
    let run = run_worker(worker, &pre, Duration::from_secs(job.measure.timeout_s), abort);
    if let Some((status, error)) = run.failure() {
        return Err((status, format!("precompiling: {error}")));
    }
    let report = run.report.unwrap_or_default();
    Ok(Precompiled { compile_ns: report.compile_ns, artifact_bytes: report.artifact_bytes })
}

/// Runs one measuring process of a cell in `worker` (its runtime's worker), under
/// callgrind when the job counts instructions.
/// The runner runs one worker at a time, so the change in its children's rusage over one
/// process is that process's. Once `abort` is set the worker is killed and the outcome means
/// nothing (the caller records none).
pub fn run_process(worker: &WorkerCommand, job: &Job, expected_checksum: u64, abort: &AtomicBool) -> ProcessOutcome {
    let loadavg_start = loadavg();
    let (ticks, switches) = (cpu_ticks(), children_involuntary_switches());
    let started = Instant::now();
    let Measured { report, status, error, cold_start_ns, process_start_ns } =
        measure(worker, job, expected_checksum, abort);
    let process_s = started.elapsed().as_secs_f64();
    let involuntary_switches = switches.zip(children_involuntary_switches()).map(|(a, b)| b.saturating_sub(a));
    ProcessOutcome {
        report,
        status,
        error,
        cold_start_ns,
        process_start_ns,
        loadavg_start,
        loadavg_end: loadavg(),
        involuntary_switches,
        steal_pct: steal_pct(ticks, cpu_ticks()),
        process_s,
    }
}

/// What one measuring process gave: its report, how it ended, and its start as the runner saw it.
struct Measured {
    report: Report,
    status: Status,
    error: String,
    cold_start_ns: Option<u64>,
    process_start_ns: Option<u64>,
}

fn measure(worker: &WorkerCommand, job: &Job, expected_checksum: u64, abort: &AtomicBool) -> Measured {
    if let Err(e) = std::fs::create_dir_all(&job.artifacts) {
        let error = format!("cannot create {}: {e}", job.artifacts.display());
        return Measured {
            report: Report::default(),
            status: Status::Error,
            error,
            cold_start_ns: None,
            process_start_ns: None,
        };
    }
    let job = Job { phase: Phase::Measure, ..job.clone() };
    let run = run_worker(worker, &job, Duration::from_secs(job.measure.timeout_s), abort);
    let failure = run.failure();
    let report = run.report.unwrap_or_default();
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
    let process_start_ns = report.main_at_ns.map(|main| main.saturating_sub(run.spawned_at_ns));
    Measured { report, status, error, cold_start_ns: run.ready_after.map(|d| d.as_nanos() as u64), process_start_ns }
}

struct WorkerRun {
    report: Option<Report>,
    ready_after: Option<Duration>,
    /// The monotonic clock just before the spawn ([`monotonic_ns`]).
    spawned_at_ns: u64,
    /// The limit it was given (`timeout_s`), and whether it overran it and was killed.
    timeout: Duration,
    timed_out: bool,
    /// The last phase the worker said it entered (its `PHASE_PREFIX` lines), if any.
    phase: Option<String>,
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
            // A worker that names no phase (V8's) is placed by its ready line.
            let phase = match (&self.phase, self.ready_after) {
                (Some(phase), _) => phase.as_str(),
                (None, None) => "set-up or first round trip (before its ready line)",
                (None, Some(_)) => "measuring (after its ready line)",
            };
            return Some((
                Status::Timeout,
                format!(
                    "the worker did not finish within timeout_s = {} s and was killed in phase `{phase}`",
                    self.timeout.as_secs()
                ),
            ));
        }
        if let Some((kind, message)) = self.report.as_ref().and_then(|r| r.failure.clone()) {
            let status = match kind {
                FailureKind::OutOfMemory => Status::Oom,
                // An allocation the OS refused is `oom` whatever the runtime called it.
                _ if crate::oom::is_allocation_failure(&message) => Status::Oom,
                FailureKind::Trap => Status::Trap,
                FailureKind::Error => Status::Error,
            };
            return Some((status, message));
        }
        let exit = self.exit.map_or_else(|| "unknown".into(), describe_exit);
        let tail = tail(&self.stderr);
        // An abort after a refused allocation (Rust's message, or the runtime's).
        if crate::oom::is_allocation_failure(&self.stderr) {
            return Some((Status::Oom, format!("the worker ran out of memory and {exit}: {tail}")));
        }
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
        (None, Some(signal)) => match nix::sys::signal::Signal::try_from(signal) {
            Ok(name) => format!("was killed by signal {signal} ({name})"),
            Err(_) => format!("was killed by signal {signal}"),
        },
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

/// The environment variable naming a program that every worker process of a wall-clock run is
/// started under, as `PROGRAM WORKER... worker JOB` (precompiles too), for profiling or debugging a
/// worker as the runner starts it (runner/link_order.sh traces workers so). Its rows time the
/// wrapper too: the runner says so when it starts, and such a run belongs in a scratch file.
pub const WRAPPER_VAR: &str = "WASMATRIX_WORKER_WRAPPER";

/// [`WRAPPER_VAR`]'s program, if it is set and not empty.
pub fn wrapper() -> Option<std::ffi::OsString> {
    std::env::var_os(WRAPPER_VAR).filter(|w| !w.is_empty())
}

fn run_worker(worker: &WorkerCommand, job: &Job, timeout: Duration, abort: &AtomicBool) -> WorkerRun {
    let mut run = WorkerRun {
        report: None,
        ready_after: None,
        spawned_at_ns: 0,
        timeout,
        timed_out: false,
        phase: None,
        exit: None,
        stderr: String::new(),
        spawn_error: None,
    };
    let job_json = serde_json::to_string(job).expect("a job serializes");
    let valgrind = |args: Vec<String>| worker.command(Some(("valgrind".as_ref(), &args)));
    let mut command = match (job.mechanism, job.phase) {
        (MechanismKind::Instructions, Phase::Measure) => valgrind(callgrind_args(&job.callgrind_out())),
        // Compiled under valgrind too, so that the artifacts target the CPU valgrind presents
        // (it has no AVX-512, for one), which is the CPU the measured process will see.
        (MechanismKind::Instructions, Phase::Precompile) => valgrind(vec!["--tool=none".into()]),
        _ => match wrapper() {
            Some(wrapper) => worker.command(Some((&wrapper, &[]))),
            None => worker.command(None),
        },
    };
    // A process group of its own: Ctrl-C in a terminal reaches the runner, which lets the running
    // worker finish (see `run`), not the worker. The worker dies with the runner (PDEATHSIG).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    run.spawned_at_ns = monotonic_ns();
    let mut child = match command
        .arg("worker")
        .arg(job_json)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            let program = command.get_program().to_string_lossy().into_owned();
            run.spawn_error = Some(format!("cannot start worker {program}: {e}"));
            return run;
        }
    };
    // The worker's process group: the worker and whatever it started (valgrind's tool, say).
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let kill = |child: &mut std::process::Child| {
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = child.kill();
    };
    let watched = watch(&mut child, started + timeout, abort, kill, |line, at| {
        if line == READY_LINE {
            run.ready_after = Some(at - started);
        } else if let Some(json) = line.strip_prefix(REPORT_PREFIX) {
            match serde_json::from_str(json) {
                Ok(report) => run.report = Some(report),
                Err(e) => run.spawn_error = Some(format!("unreadable worker report: {e}")),
            }
        } else if let Some(phase) = line.strip_prefix(PHASE_PREFIX) {
            run.phase = Some(phase.to_owned());
        }
    });
    run.timed_out = watched.timed_out;
    run.stderr = watched.stderr;
    run.exit = child.wait().ok();
    run
}

#[cfg(test)]
mod tests;
mod watch;
