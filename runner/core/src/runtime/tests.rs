//! The phases `run` goes through, on a scripted runtime.

use super::*;
use crate::cell::Cell;
use crate::guests::{MemoryPages, Output, Traffic};
use crate::measure::MechanismKind;
use std::sync::Mutex;

/// Guests that answer every call at once, with a checksum of 7.
struct Echo;

impl Guests for Echo {
    fn round_trip(&mut self, _: u32) -> Result<(), Failure> {
        Ok(())
    }
    fn pings(&mut self, n: u32) -> Result<u32, Failure> {
        Ok(n)
    }
    fn checksum(&mut self) -> Result<u64, Failure> {
        Ok(7)
    }
    fn encode_batch(&mut self, _: u32, _: u32) -> Result<(), Failure> {
        Ok(())
    }
    fn stage(&mut self, _: u32) -> Result<(), Failure> {
        Ok(())
    }
    fn decode_batch(&mut self, _: u32) -> Result<(), Failure> {
        Ok(())
    }
    fn traffic(&self) -> Traffic {
        Traffic::default()
    }
    fn output(&self) -> Output {
        Output::default()
    }
    fn memory_pages(&self) -> MemoryPages {
        MemoryPages { producer: Some(17), consumer: Some(18) }
    }
}

/// A runtime that logs its steps and fails the one it is told to, the `nth` time.
#[derive(Default)]
struct Scripted {
    steps: Mutex<Vec<&'static str>>,
    fail: Option<(&'static str, usize)>,
}

impl Scripted {
    fn step(&self, name: &'static str) -> Result<(), Failure> {
        let mut steps = self.steps.lock().unwrap();
        steps.push(name);
        let times = steps.iter().filter(|s| **s == name).count();
        match self.fail {
            Some((step, nth)) if step == name && nth == times => Err(Failure::Trap(format!("{name} failed"))),
            _ => Ok(()),
        }
    }
}

impl Scripted {
    /// The steps so far.
    fn steps(&self) -> Vec<&'static str> {
        self.steps.lock().unwrap().clone()
    }

    /// How many times it took `step`.
    fn count(&self, step: &str) -> usize {
        self.steps().iter().filter(|s| **s == step).count()
    }
}

/// The pre-linked form: the number of the `prepare` that made it.
impl Prepare for Scripted {
    type Prepared = usize;

    fn prepare(&self, _: &bool, (): &(), _: &Job) -> Result<usize, Failure> {
        self.step("prepare").map(|()| self.count("prepare"))
    }
    fn instantiate_prepared(&self, _: &bool, (): (), _: &usize, _: &Job) -> Result<Echo, Failure> {
        self.step("instantiate prepared").map(|()| Echo)
    }
}

impl Runtime for Scripted {
    type Engine = bool;
    type Code = ();
    type Precompiled = u64;
    type Environment = ();
    type Guests = Echo;

    fn engine(&self, _: &Job, compiling: bool) -> Result<bool, Failure> {
        self.step(if compiling { "compiling engine" } else { "loading engine" })?;
        Ok(compiling)
    }
    fn compile(&self, _: &bool, _: &GuestFiles) -> Result<(), Failure> {
        self.step("compile")
    }
    fn precompile(&self, _: &bool, _: &GuestFiles, _: &Path) -> Result<u64, Failure> {
        self.step("precompile").map(|()| 42)
    }
    fn save(&self, bytes: u64, _: &Path) -> Result<u64, Failure> {
        self.step("save").map(|()| bytes)
    }
    fn load(&self, _: &bool, _: &Path) -> Result<(), Failure> {
        self.step("load")
    }
    fn built_in(&self) -> Result<(), Failure> {
        self.step("built in")
    }
    fn environment(&self, _: &bool, _: &Job) -> Result<(), Failure> {
        self.step("environment")
    }
    fn instantiate(&self, _: &bool, (): (), (): &(), _: &Job) -> Result<Echo, Failure> {
        self.step("instantiate").map(|()| Echo)
    }
}

fn job(engine: &str, phase: Phase) -> Job {
    job_of(engine, "fresh", phase)
}

/// Instantiations: a warm-up batch of 2, then 4 in batches of 2, on 1 thread and on 2.
fn job_of(engine: &str, strategy: &str, phase: Phase) -> Job {
    let (compiler, runtime) = if engine == "native" { ("rustc", "native") } else { ("cranelift", "wasmtime") };
    let cell = format!("{compiler}/{engine}/bare/copy/raw/release/off/default/{runtime}/host/{strategy}");
    let measure = serde_json::json!({"warmup": 1, "samples": 2, "batch": 1, "timeout_s": 1, "setup_repeats": 3,
        "instantiations": 4, "instantiate_batch": 2, "instantiate_threads": 2});
    let guests = (engine != "native").then(|| GuestFiles {
        producer: "p.wasm".into(),
        consumer: "c.wasm".into(),
        composed: None,
        merged: None,
        relays: vec![],
    });
    Job {
        cell: Cell::parse(&cell).unwrap(),
        measure: serde_json::from_value(measure).unwrap(),
        guests,
        artifacts: std::env::temp_dir(),
        phase,
        mechanism: MechanismKind::WallClock,
        pin: None,
    }
}

fn run_scripted(runtime: &Scripted, job: &Job) -> (Result<(), Failure>, Report) {
    let mut report = Report::default();
    (run(runtime, job, &mut report), report)
}

fn run_prepared_scripted(runtime: &Scripted, job: &Job) -> (Result<(), Failure>, Report) {
    let mut report = Report::default();
    (run_prepared(runtime, job, &mut report), report)
}

#[test]
fn a_jit_cell_times_each_phase_measures_then_repeats_the_set_up_untimed() {
    let runtime = Scripted::default();
    let (outcome, report) = run_scripted(&runtime, &job("jit", Phase::Measure));
    outcome.unwrap();
    let steps = runtime.steps();
    assert_eq!(steps[..4], ["compiling engine", "compile", "environment", "instantiate"]);
    assert_eq!(steps[4..13], ["compile", "environment", "instantiate"].repeat(3), "three repeats: {steps:?}");
    // Then the instantiations, from the first set-up's code: 2 + 4 timed, then 4 on one thread.
    assert_eq!(steps[13..], ["environment", "instantiate"].repeat(2 + 4 + 4), "{steps:?}");
    assert!(report.compile_ns.is_some() && report.environment_ns.is_some() && report.instantiate_ns.is_some());
    assert_eq!((report.load_ns, report.checksum, report.setup_warm.len()), (None, Some(7), 3));
}

#[test]
fn an_artifact_cell_loads_with_an_engine_that_does_not_compile() {
    let runtime = Scripted::default();
    let (outcome, report) = run_scripted(&runtime, &job("artifact", Phase::Measure));
    outcome.unwrap();
    assert_eq!(runtime.steps()[..4], ["loading engine", "load", "environment", "instantiate"]);
    assert!(report.load_ns.is_some() && report.compile_ns.is_none());
}

#[test]
fn a_native_cell_has_its_guests_built_in_and_no_environment_to_time() {
    let runtime = Scripted::default();
    let (outcome, report) = run_scripted(&runtime, &job("native", Phase::Measure));
    outcome.unwrap();
    assert_eq!(runtime.steps()[..4], ["compiling engine", "built in", "environment", "instantiate"]);
    assert_eq!((report.compile_ns, report.load_ns, report.environment_ns), (None, None, None));
    assert!(report.instantiate_ns.is_some());
}

#[test]
fn precompiling_times_the_compile_and_not_the_writing() {
    let runtime = Scripted::default();
    let (outcome, report) = run_scripted(&runtime, &job("artifact", Phase::Precompile));
    outcome.unwrap();
    assert_eq!(*runtime.steps(), ["compiling engine", "precompile", "save"]);
    assert_eq!(report.artifact_bytes, Some(42));
    assert!(report.compile_ns.is_some() && report.instantiate_ns.is_none());
}

#[test]
fn a_phase_that_fails_has_no_figure_and_stops_the_cell() {
    let runtime = Scripted { fail: Some(("instantiate", 1)), ..Scripted::default() };
    let (outcome, report) = run_scripted(&runtime, &job("jit", Phase::Measure));
    assert!(matches!(outcome, Err(Failure::Trap(m)) if m == "instantiate failed"));
    assert!(report.environment_ns.is_some() && report.instantiate_ns.is_none() && report.checksum.is_none());

    let repeat_fails = Scripted { fail: Some(("compile", 2)), ..Scripted::default() };
    let (outcome, report) = run_scripted(&repeat_fails, &job("jit", Phase::Measure));
    assert!(outcome.is_err(), "a failed repeat fails the cell");
    assert_eq!(report.checksum, Some(7), "after its measurements");
}

#[test]
fn a_wasm_cell_without_guest_files_is_refused() {
    let runtime = Scripted::default();
    let job = Job { guests: None, ..job("jit", Phase::Measure) };
    let (outcome, _) = run_scripted(&runtime, &job);
    assert!(matches!(outcome, Err(Failure::Error(m)) if m.contains("no guest .wasm files")));
}

#[test]
fn instantiations_are_a_distribution_with_the_memory_after_set_up() {
    let runtime = Scripted::default();
    let (outcome, report) = run_scripted(&runtime, &job("artifact", Phase::Measure));
    outcome.unwrap();
    assert_eq!((report.instantiate_pair.len(), report.teardown.len()), (4, 4), "one sample per recorded pair");
    assert_eq!(report.instantiate_rss_kib.len(), 3, "after the warm-up batch and after each of the two batches");
    assert!(report.instantiate_serial_ns.is_some());
    assert_eq!(report.instantiate_parallel_ns, None, "a runtime without Prepare instantiates on one thread");
    assert!(report.rss_after_setup_kib.is_some_and(|kib| kib > 0));
    assert_eq!((report.producer_memory_pages, report.consumer_memory_pages), (Some(17), Some(18)));
    assert_eq!((report.prepare_ns, report.reserved_kib), (None, None), "fresh: nothing prepared or pooled");
    assert_eq!(runtime.count("load"), 1 + 3, "the instantiations load nothing again");

    let mut none = job("artifact", Phase::Measure);
    none.measure.instantiations = 0;
    let (outcome, report) = run_scripted(&Scripted::default(), &none);
    outcome.unwrap();
    assert!(report.instantiate_pair.is_empty() && report.instantiate_serial_ns.is_none());
}

#[test]
fn a_pre_cell_prepares_once_and_instantiates_every_pair_from_it() {
    let runtime = Scripted::default();
    let (outcome, report) = run_prepared_scripted(&runtime, &job_of("jit", "pre", Phase::Measure));
    outcome.unwrap();
    let steps = runtime.steps();
    assert_eq!(steps[..5], ["compiling engine", "compile", "prepare", "environment", "instantiate prepared"]);
    assert!(report.prepare_ns.is_some() && report.instantiate_ns.is_some());
    assert_eq!(
        report.first_set_up_ns(),
        [report.compile_ns, report.prepare_ns, report.environment_ns, report.instantiate_ns]
            .into_iter()
            .flatten()
            .sum::<u64>()
    );
    assert_eq!(runtime.count("instantiate"), 0, "no pair of a pre cell is instantiated fresh");
    assert_eq!(runtime.count("prepare"), 1 + 3, "once per set-up: the first and its three repeats");
    // Pairs: the first, 3 repeats, 2 + 4 timed, 4 on one thread, 4 on each of 2 threads.
    assert_eq!(runtime.count("instantiate prepared"), 1 + 3 + 6 + 4 + 8);
    assert_eq!(runtime.count("environment"), runtime.count("instantiate prepared"), "an environment per pair");
    assert!(report.instantiate_parallel_ns.is_some());
    assert_eq!(report.reserved_kib, None, "only a pooled engine's reservation is read");
}

#[test]
fn a_pooled_cell_reads_its_engines_reservation_and_a_fresh_one_prepares_nothing() {
    let runtime = Scripted::default();
    let (outcome, report) = run_prepared_scripted(&runtime, &job_of("artifact", "pooled", Phase::Measure));
    outcome.unwrap();
    assert!(report.reserved_kib.is_some() && report.prepare_ns.is_some());
    assert_eq!(runtime.count("instantiate"), 0);

    let runtime = Scripted::default();
    let (outcome, report) = run_prepared_scripted(&runtime, &job_of("jit", "fresh", Phase::Measure));
    outcome.unwrap();
    assert_eq!((runtime.count("prepare"), runtime.count("instantiate prepared"), report.prepare_ns), (0, 0, None));
    assert_eq!(runtime.count("instantiate"), 1 + 3 + 6 + 4 + 8, "fresh, on two threads too");
}

#[test]
fn a_runtime_without_a_pre_linked_form_refuses_pre_and_pooled_cells_with_their_reason() {
    for strategy in ["pre", "pooled"] {
        let runtime = Scripted::default();
        let native = job_of("native", strategy, Phase::Measure);
        let (outcome, report) = run_scripted(&runtime, &native);
        let Err(Failure::Error(why)) = outcome else { panic!("{strategy}: refused") };
        assert_eq!(Some(why.as_str()), native.cell.unsupported(), "{strategy}");
        assert!(report.instantiate_ns.is_none() && report.checksum.is_none());
    }
}

#[test]
fn a_failed_prepare_or_instantiation_fails_the_cell() {
    let runtime = Scripted { fail: Some(("prepare", 1)), ..Scripted::default() };
    let (outcome, report) = run_prepared_scripted(&runtime, &job_of("jit", "pre", Phase::Measure));
    assert!(matches!(outcome, Err(Failure::Trap(m)) if m == "prepare failed"));
    assert!(report.compile_ns.is_some() && report.prepare_ns.is_none() && report.environment_ns.is_none());

    // The 10th pair: the first set-up's, 3 repeats, 2 warm-up pairs, then the 4th timed one.
    let runtime = Scripted { fail: Some(("instantiate prepared", 10)), ..Scripted::default() };
    let (outcome, report) = run_prepared_scripted(&runtime, &job_of("jit", "pre", Phase::Measure));
    assert!(outcome.is_err(), "a failed instantiation fails the cell");
    assert_eq!((report.checksum, report.instantiate_pair.len()), (Some(7), 0), "after its measurements");
}
