//! One cell, inside its own process: the protocol between the supervisor and a worker, and the
//! measuring every cell shares. A worker binary [`serve`]s its job through its runtime
//! (`runtime::run`), which sets the guests up and hands them to [`exercise`]; the report, with
//! every raw sample, goes to the supervisor as one JSON line. A trap, crash or hang therefore
//! costs one process, never the run.

use crate::cap;
use crate::cell::Cell;
use crate::guests::{Failure, GuestFiles, Guests};
use crate::measure::clock::WallClock;
use crate::measure::clock::{cpu_time_ns, monotonic_ns};
use crate::measure::instructions::Callgrind;
use crate::measure::reference::{self, Reference};
use crate::measure::{cpu_migrations, peak_rss_kib, setup, time, Measure, Mechanism, MechanismKind};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Printed when the guests are instantiated and the first round trip is done: the supervisor
/// times the process's cold start to this line.
pub const READY_LINE: &str = "wasmatrix-worker-ready";
/// Prefix of the line carrying the [`Report`].
pub const REPORT_PREFIX: &str = "wasmatrix-worker-report ";
/// Prefix of the line a worker prints as it enters each phase of its work ([`phase`]), so that
/// the supervisor can say where a process that overran `timeout_s` was.
pub const PHASE_PREFIX: &str = "wasmatrix-worker-phase ";

/// Says on stdout that the worker enters `name` (`set-up`, `first round trip`, `warm-up`,
/// `round trips`, ...): the supervisor names the last one in a `timeout` row.
pub fn phase(name: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{PHASE_PREFIX}{name}").and_then(|()| out.flush());
}

/// What a worker process is asked to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub cell: Cell,
    pub measure: Measure,
    /// The guests' `.wasm` files; `None` for the native engine.
    pub guests: Option<GuestFiles>,
    /// A directory private to this process: where the `artifact` engine's precompiled guests are
    /// written and read, and where callgrind writes its counts.
    pub artifacts: PathBuf,
    pub phase: Phase,
    /// What the samples are measured with.
    #[serde(default)]
    pub mechanism: MechanismKind,
    /// The CPU the worker pins itself to before anything else, if any.
    #[serde(default)]
    pub pin: Option<usize>,
}

impl Job {
    /// Where callgrind writes its counts for this job (the `instructions` mechanism).
    pub fn callgrind_out(&self) -> PathBuf {
        self.artifacts.join("callgrind.out")
    }

    /// The guests' `.wasm` files, which every wasm cell is given.
    pub fn guest_files(&self) -> Result<&GuestFiles, Failure> {
        self.guests.as_ref().ok_or_else(|| Failure::Error("no guest .wasm files were given for a wasm cell".into()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Compile both guests and serialize them to `artifacts` (the `artifact` engine, in a
    /// process of its own so the measured one has never compiled).
    Precompile,
    /// Set up the guests and measure them.
    Measure,
}

/// What a worker answers when asked for a cell it does not run (the runner sends no
/// [`Cell::unsupported`] cell to a worker; this covers a job written by hand): the cell's reason if
/// it has one.
pub fn not_here(cell: &Cell, worker: &str) -> Failure {
    Failure::Error(
        cell.unsupported().map_or_else(|| format!("the {worker} worker does not run cell {cell}"), String::from),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    Trap,
    Error,
    OutOfMemory,
}

/// What a worker measured, as far as it got. The repeated measurements are raw samples, one
/// value per operation in the mechanism's unit (ns or instructions); the runner computes every
/// statistic.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// The system's monotonic clock ([`monotonic_ns`]) when the worker's `main` began: the runner
    /// subtracts its own reading at the spawn to time the process's start (exec, loading and
    /// linking the binary, the language runtime's start; under V8, Node's bootstrap).
    #[serde(default)]
    pub main_at_ns: Option<u64>,
    /// From `main` to the start of the job's work: reading the job, pinning, capping memory.
    #[serde(default)]
    pub worker_start_ns: Option<u64>,
    /// Creating the runtime's engine (its configuration, compiler or loader; a `pooled` engine's
    /// reservation), before the guests' code.
    #[serde(default)]
    pub engine_ns: Option<u64>,
    pub compile_ns: Option<u64>,
    pub artifact_bytes: Option<u64>,
    pub load_ns: Option<u64>,
    /// Creating the guests' environment before instantiating them (their WASI environments).
    pub environment_ns: Option<u64>,
    pub instantiate_ns: Option<u64>,
    /// `instantiate = pre` and `pooled`: making the runtime's pre-linked form of the pair once
    /// (Wasmtime's `Linker::instantiate_pre`), after the code and before the environment.
    #[serde(default)]
    pub prepare_ns: Option<u64>,
    /// Instantiation as a distribution ([`crate::measure::instantiations`]): ns to make each pair
    /// (its environment and instances) ...
    #[serde(default)]
    pub instantiate_pair: Vec<f64>,
    /// ... and to drop each of them.
    #[serde(default)]
    pub teardown: Vec<f64>,
    /// The resident set after each batch of those pairs (the warm-up batch first), KiB.
    #[serde(default)]
    pub instantiate_rss_kib: Vec<f64>,
    /// Wall-clock ns per pair made and dropped by 1 thread, and by `instantiate_threads` threads
    /// at once (where the runtime's engine and code may be shared by threads).
    #[serde(default)]
    pub instantiate_serial_ns: Option<f64>,
    #[serde(default)]
    pub instantiate_parallel_ns: Option<f64>,
    /// The resident-set peak (`VmHWM`) right after the first set-up and the first round trip, KiB.
    #[serde(default)]
    pub rss_after_setup_kib: Option<u64>,
    /// Each guest memory's size after the first set-up, in wasm pages.
    #[serde(default)]
    pub producer_memory_pages: Option<u64>,
    #[serde(default)]
    pub consumer_memory_pages: Option<u64>,
    /// `instantiate = pooled`: what creating the engine added to the process's virtual size
    /// (`VmSize` after minus before), KiB: the pooling allocator's reservation.
    #[serde(default)]
    pub reserved_kib: Option<u64>,
    /// The same set-up again in the same process, after the first, several times
    /// ([`crate::measure::setup`]): compile (`jit`) or load (`artifact`), environment and
    /// instantiation of both guests; what a host that already runs wasm pays for another pair,
    /// without the process's first-use costs. Nanoseconds per set-up.
    #[serde(default)]
    pub setup_warm: Vec<f64>,
    /// The same repeated set-ups in the process's CPU time (every thread's), ns per set-up.
    #[serde(default)]
    pub setup_warm_cpu: Vec<f64>,
    /// The process's CPU time (every thread's) from the start of its work to its first round trip:
    /// the fresh set-up (reading, compiling or loading, environment, instantiation) in CPU time.
    #[serde(default)]
    pub setup_cpu_ns: Option<u64>,
    pub first_round_trip_ns: Option<u64>,
    pub round_trip: Vec<f64>,
    pub call_floor: Vec<f64>,
    /// Per message, inside the guests.
    pub encode: Vec<f64>,
    pub decode: Vec<f64>,
    /// The in-process reference ([`crate::measure::reference`]), timed before each round-trip
    /// batch: ns per reference op, one value per batch (wall clock only).
    #[serde(default)]
    pub reference: Vec<f64>,
    pub request_bytes_mean: Option<f64>,
    pub reply_bytes_mean: Option<f64>,
    pub copied_bytes_per_round_trip: Option<f64>,
    pub checksum: Option<u64>,
    /// Bytes of log lines the consumer's sink took (logging on).
    pub log_bytes: Option<u64>,
    /// Bytes the guests wrote to their WASI stdout and stderr, which the worker captures.
    pub stdout_bytes: Option<u64>,
    pub stderr_bytes: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    /// The runtime's version as the worker knows it (its resolved crate version, or Node's V8):
    /// the row's `runtime_version`.
    #[serde(default)]
    pub runtime_version: Option<String>,
    /// How often the scheduler moved the worker's measuring (main) thread to another CPU over its
    /// life (`se.nr_migrations` of /proc/self/sched), where the kernel says.
    #[serde(default)]
    pub cpu_migrations: Option<u64>,
    pub failure: Option<(FailureKind, String)>,
}

impl Report {
    /// The fresh-process set-up as far as it was timed: compile or load, the pre-linked form
    /// (`pre`, `pooled`), environment, instantiation.
    pub fn first_set_up_ns(&self) -> u64 {
        [self.compile_ns.or(self.load_ns), self.prepare_ns, self.environment_ns, self.instantiate_ns]
            .into_iter()
            .flatten()
            .sum()
    }

    /// The repeated set-up ([`setup`]), after the measurements: `again` sets the pair up as the
    /// first time did, as many times as the rule allows for this process's first set-up.
    pub fn repeat_set_up<T>(&mut self, m: &Measure, again: impl FnMut() -> Result<T, Failure>) -> Result<(), Failure> {
        let first = self.first_set_up_ns();
        if setup::repeats(m, first) > 0 {
            phase("repeated set-up");
        }
        let repeats = setup::repeat(m, first, again)?;
        (self.setup_warm, self.setup_warm_cpu) = (repeats.wall, repeats.cpu);
        Ok(())
    }
}

/// The process's CPU time when [`serve`] started its work (a worker process serves one job), which
/// [`exercise`] subtracts to give the fresh set-up's CPU time.
static WORK_STARTED_CPU_NS: AtomicU64 = AtomicU64::new(0);
/// The monotonic clock when [`entry`] began (0: [`serve`] was called without it, as in tests).
static MAIN_AT_NS: AtomicU64 = AtomicU64::new(0);

/// Declares a worker binary's entry point, `worker_main!("wasmatrix-x", |job, report| ...)`, in a
/// crate that says `#![cfg_attr(not(test), no_main)]`: a C `main`, called by the C runtime's start, that runs [`entry`].
///
/// So a worker skips Rust's runtime start (std's `lang_start`): finding the main thread's stack
/// guard (glibc reads /proc/self/maps for it), a signal stack and handlers for stack overflow, and
/// SIGPIPE ignored. A worker needs none of these (a runtime installs its own signal handlers; a
/// stack overflow is still a crash, a row with its status), and a cold start pays for each: a
/// minimal static Rust program reached its first line 40-70 µs sooner without them (median of 300
/// spawns, 2 vCPU AMD EPYC VM). std still reads the arguments itself (glibc hands them over).
#[macro_export]
macro_rules! worker_main {
    ($binary:literal, $work:expr) => {
        // SAFETY (an ABI edge): the binary's one `main` symbol (its crate is `#![no_main]`), called
        // once by the C runtime with the process's arguments, which this function does not touch.
        // (Not the C symbol in the crate's tests: their harness has its own `main`.)
        #[allow(unsafe_code)]
        #[cfg_attr(not(test), no_mangle)]
        extern "C" fn main(
            _argc: ::std::os::raw::c_int,
            _argv: *const *const ::std::os::raw::c_char,
        ) -> ::std::os::raw::c_int {
            $crate::worker::entry($binary, $work)
        }
    };
}

/// A worker binary's `main` ([`worker_main!`]): reads `worker JOB` from its arguments and
/// [`serve`]s the job with `work`. Bad arguments are a usage error (exit 2) naming the binary; a
/// served job exits 0, its outcome is in the report; a panic outside the job exits 101, as a
/// Rust `main`'s does.
pub fn entry(binary: &str, work: impl FnOnce(&Job, &mut Report) -> Result<(), Failure>) -> std::os::raw::c_int {
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| main(binary, work))).unwrap_or(101);
    // Rust's runtime would flush stdout at exit; without it (see worker_main!), this does.
    let _ = std::io::stdout().flush();
    code.into()
}

/// [`entry`]'s work: the exit code.
fn main(binary: &str, work: impl FnOnce(&Job, &mut Report) -> Result<(), Failure>) -> u8 {
    MAIN_AT_NS.store(monotonic_ns(), Ordering::Relaxed);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = format!("usage: {binary} worker JOB (started by `runner run`)");
    let [command, job] = args.as_slice() else {
        eprintln!("{usage}");
        return 2;
    };
    let job: Job = match (command.as_str(), serde_json::from_str(job)) {
        ("worker", Ok(job)) => job,
        (_, Err(e)) => {
            eprintln!("error: bad worker job: {e}");
            return 2;
        }
        (other, _) => {
            eprintln!("error: unknown command `{other}`; {usage}");
            return 2;
        }
    };
    serve(&job, work);
    0
}

/// A worker process's whole life: pin it if asked, cap its memory, run `work` (which runs the job
/// through the worker's runtime, `runtime::run`), then print the report, whatever happened.
pub fn serve(job: &Job, work: impl FnOnce(&Job, &mut Report) -> Result<(), Failure>) {
    let mut report = Report::default();
    // A worker never outlives its runner, even one killed outright.
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    phase(match job.phase {
        Phase::Precompile => "precompile",
        Phase::Measure => "set-up",
    });
    let outcome = pin(job.pin).and_then(|()| cap::limit_process(job.measure.memory_limit_mib)).and_then(|()| {
        test_fault();
        let main_at = MAIN_AT_NS.load(Ordering::Relaxed);
        if main_at > 0 {
            report.main_at_ns = Some(main_at);
            report.worker_start_ns = Some(monotonic_ns().saturating_sub(main_at));
        }
        WORK_STARTED_CPU_NS.store(cpu_time_ns(), Ordering::Relaxed);
        work(job, &mut report)
    });
    if let Err(failure) = outcome {
        report.failure = Some(match failure {
            Failure::Trap(m) => (FailureKind::Trap, m),
            Failure::Error(m) => (FailureKind::Error, m),
            Failure::OutOfMemory(m) => (FailureKind::OutOfMemory, m),
        });
    }
    report.peak_rss_kib = peak_rss_kib();
    report.cpu_migrations = cpu_migrations();
    let line = serde_json::to_string(&report).expect("a report serializes");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{REPORT_PREFIX}{line}").and_then(|()| out.flush());
}

/// The environment variable that makes a worker fail on purpose, before its work: `segfault`,
/// `abort`, `exhaust-memory` (allocates without bound, until the memory cap stops it) or `hang`
/// (sleeps for ever, in its set-up phase). The tests use it to prove that each of these becomes a
/// row with its status (or, for `hang`, that a second Ctrl-C stops at once); nothing else sets it.
pub const TEST_FAULT_VAR: &str = "WASMATRIX_TEST_FAULT";

fn test_fault() {
    match std::env::var(TEST_FAULT_VAR).as_deref() {
        Ok("segfault") => segfault(),
        Ok("abort") => std::process::abort(),
        Ok("exhaust-memory") => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![0; 16 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        Ok("hang") => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        _ => {}
    }
}

/// A real invalid memory access, as a buggy runtime would make (a raised SIGSEGV would not do:
/// Rust's stack-overflow handler takes it and returns).
#[allow(unsafe_code)]
fn segfault() {
    // SAFETY: none, on purpose: this is the fault the test asks for. Address 0 is never mapped,
    // so the write faults and the kernel kills the process with SIGSEGV.
    unsafe { std::ptr::null_mut::<u8>().write_volatile(1) }
}

/// Restricts this process to one CPU (`--pin`).
fn pin(cpu: Option<usize>) -> Result<(), Failure> {
    let Some(cpu) = cpu else { return Ok(()) };
    use nix::sched::{sched_setaffinity, CpuSet};
    let mut set = CpuSet::new();
    set.set(cpu)
        .and_then(|()| sched_setaffinity(nix::unistd::Pid::from_raw(0), &set))
        .map_err(|e| Failure::Error(format!("cannot pin the worker to CPU {cpu}: {e}")))
}

/// The measured part every cell shares: first round trip, warm-up, measured round trips, the
/// call floor, the codec alone, and the proof of work; with the job's mechanism.
pub fn exercise<G: Guests>(guests: G, job: &Job, report: &mut Report) -> Result<(), Failure> {
    match job.mechanism {
        MechanismKind::WallClock => exercise_with(guests, WallClock, &job.measure, Some(Reference::default()), report),
        MechanismKind::Instructions => {
            exercise_with(guests, Callgrind::new(job.callgrind_out()), &job.measure, None, report)
        }
    }
}

/// `reference`: the in-process reference, timed before each round-trip batch (wall clock only).
fn exercise_with<G: Guests>(
    mut guests: G,
    mut mechanism: impl Mechanism,
    m: &Measure,
    mut reference: Option<Reference>,
    report: &mut Report,
) -> Result<(), Failure> {
    report.setup_cpu_ns = Some(cpu_time_ns().saturating_sub(WORK_STARTED_CPU_NS.load(Ordering::Relaxed)));
    phase("first round trip");
    let (first, ns) = time(|| guests.round_trip(0));
    first?;
    report.first_round_trip_ns = Some(ns);
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{READY_LINE}").and_then(|()| out.flush());
    }
    // After the ready line, so that reading /proc is no part of the cold start.
    report.rss_after_setup_kib = peak_rss_kib();
    let nothing = |_: &mut G, _| Ok(());

    phase("warm-up");
    guests.round_trips(1, m.warmup)?;
    let timed_from = 1 + m.warmup;
    let g = &mut guests;
    let references = &mut report.reference;
    // Before each round-trip batch, unmeasured by the mechanism, one reference batch timed on its
    // own: the machine's speed at the moment of that batch.
    let before_batch = |_: &mut G, _| {
        if let Some(reference) = reference.as_mut() {
            let ((), ns) = time(|| reference.run(reference::BATCH));
            references.push(ns as f64 / f64::from(reference::BATCH));
        }
        Ok(())
    };
    phase("round trips");
    report.round_trip = mechanism
        .measure(g, m.samples, m.batch, before_batch, |g, k| g.round_trips(timed_from + k * m.batch, m.batch))?;
    std::hint::black_box(reference.map(|r| r.digest()));
    phase("call floor");
    report.call_floor = mechanism.measure(g, m.samples, m.floor_batch, nothing, |g, _| {
        g.pings(m.floor_batch).map(|x| {
            std::hint::black_box(x);
        })
    })?;

    let round_trips = f64::from(m.round_trips());
    guests.count_traffic()?;
    let traffic = guests.traffic();
    report.request_bytes_mean = Some(traffic.request_bytes as f64 / round_trips);
    report.reply_bytes_mean = Some(traffic.reply_bytes as f64 / round_trips);
    report.copied_bytes_per_round_trip = Some(traffic.copied_bytes as f64 / round_trips);
    report.checksum = Some(guests.checksum()?);
    let output = guests.output();
    report.log_bytes = output.log_bytes;
    report.stdout_bytes = output.stdout_bytes;
    report.stderr_bytes = output.stderr_bytes;

    // The codec alone, inside the guests: sample k encodes, then decodes, record k; staging the
    // request to decode is not measured.
    if !guests.codec_alone() {
        return Ok(());
    }
    let g = &mut guests;
    phase("codec");
    report.encode = mechanism.measure(g, m.samples, m.codec_batch, nothing, |g, k| g.encode_batch(k, m.codec_batch))?;
    report.decode =
        mechanism.measure(g, m.samples, m.codec_batch, |g, k| g.stage(k), |g, _| g.decode_batch(m.codec_batch))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_carries_its_cell_as_a_typed_value() {
        let cell = Cell::parse("turbofan/jit/wasi/copy/json/release/on/talc/v8/import").unwrap();
        let measure =
            serde_json::from_value(serde_json::json!({"warmup": 1, "samples": 2, "batch": 3, "timeout_s": 4}));
        let job = Job {
            cell,
            measure: measure.unwrap(),
            guests: None,
            artifacts: PathBuf::from("/tmp/x"),
            phase: Phase::Measure,
            mechanism: MechanismKind::WallClock,
            pin: None,
        };
        let text = serde_json::to_string(&job).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["cell"]["compiler"], "turbofan", "{text}");
        assert_eq!(json["cell"]["allocator"], "talc", "{text}");
        assert_eq!(json["cell"]["call"], "import", "{text}");
        let back: Job = serde_json::from_str(&text).unwrap();
        assert_eq!(back.cell, cell);
        // A cell's name is no longer what a job carries.
        let named = text.replace(&serde_json::to_string(&cell).unwrap(), &format!("\"{cell}\""));
        assert!(serde_json::from_str::<Job>(&named).is_err(), "{named}");
    }
}
