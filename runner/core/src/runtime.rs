//! One runtime, as every cell sets it up: the [`Runtime`] a worker implements (what its runtime's
//! API does in each phase), and [`run`], which runs a job through it the same way for every
//! runtime: each set-up phase timed into the report (a phase gets a figure only if it completed),
//! the measurements ([`exercise`]), the repeated set-up, and failures, the memory cap's among them,
//! turned into the report's.
//!
//! The phases of a fresh set-up, in the order a cell goes through them:
//!
//! - the engine (not timed: a host has one already);
//! - the guests' code: compiled (`compile`, engine `jit`), loaded from the artifacts another
//!   process precompiled (`load`, engine `artifact`), or built into the worker (engine `native`,
//!   not timed);
//! - their environment (`environment`: what they may import), made before they are instantiated;
//!   the native engine runs no sandbox, so a native cell has none to time;
//! - their instances, linked by the cell's transport (`instantiate`).
//!
//! Generic over the runtime and what it sets up, so each worker's round trips are compiled with
//! nothing dynamic inside.

use crate::axes;
use crate::cap;
use crate::guests::{Failure, GuestFiles, Guests};
use crate::measure::phase;
use crate::worker::{exercise, Job, Phase, Report};
use std::path::Path;

/// What one runtime does in each phase of a cell. Every method is one step of its API; [`run`]
/// orders, times and repeats them.
pub trait Runtime {
    /// The runtime's engine, configured for the cell's compiler (`()` where there is none).
    type Engine;
    /// Both guests' code, ready to instantiate: compiled, loaded, or built in.
    type Code;
    /// Both guests compiled for the `artifact` engine, before [`Runtime::save`] writes them.
    type Precompiled;
    /// What the guests may import, made before they are instantiated.
    type Environment;
    /// Both guests instantiated and linked: what the cell measures.
    type Guests: Guests;

    /// The engine for the job: one that compiles (`jit`, and the process that precompiles for
    /// `artifact`), or, `compiling` false, one that only loads what another process compiled.
    fn engine(&self, job: &Job, compiling: bool) -> Result<Self::Engine, Failure>;

    /// Compiles both guests (the `compile` phase of engine `jit`).
    fn compile(&self, engine: &Self::Engine, guests: &GuestFiles) -> Result<Self::Code, Failure>;

    /// Compiles both guests for the `artifact` engine (the precompiling process's `compile`
    /// phase); `dir` is where [`Runtime::save`] will write them.
    fn precompile(&self, engine: &Self::Engine, guests: &GuestFiles, dir: &Path) -> Result<Self::Precompiled, Failure>;

    /// Writes precompiled guests into `dir`, after the `compile` phase; their size in bytes.
    fn save(&self, precompiled: Self::Precompiled, dir: &Path) -> Result<u64, Failure>;

    /// Loads both guests' artifacts from `dir` (the `load` phase of engine `artifact`).
    fn load(&self, engine: &Self::Engine, dir: &Path) -> Result<Self::Code, Failure>;

    /// The guests as the worker was built with them (engine `native`): nothing to compile or load.
    fn built_in(&self) -> Result<Self::Code, Failure> {
        Err(Failure::Error("native cells run in the wasmatrix-native worker".into()))
    }

    /// Makes the guests' environment (the `environment` phase).
    fn environment(&self, engine: &Self::Engine, job: &Job) -> Result<Self::Environment, Failure>;

    /// Instantiates both guests in `environment`, linked as the cell's transport says (the
    /// `instantiate` phase).
    fn instantiate(
        &self,
        engine: &Self::Engine,
        environment: Self::Environment,
        code: &Self::Code,
        job: &Job,
    ) -> Result<Self::Guests, Failure>;
}

/// Runs `job` through `runtime`: precompiles, or sets the guests up (each phase timed into
/// `report`), measures them, and sets them up again as many times as the repeated set-up asks. A
/// failure after a guest memory was refused by the cap becomes the cap's ([`cap::blame`]).
pub fn run<R: Runtime>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let outcome = match job.phase {
        Phase::Precompile => precompile(runtime, job, report),
        Phase::Measure => measure(runtime, job, report),
    };
    outcome.map_err(|failure| cap::blame(failure, job.measure.memory_limit_mib))
}

/// Compiles both guests and writes them for the `artifact` engine; the compile is timed.
fn precompile<R: Runtime>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let engine = runtime.engine(job, true)?;
    let guests = job.guest_files()?;
    let precompiled = phase(&mut report.compile_ns, || runtime.precompile(&engine, guests, &job.artifacts))?;
    report.artifact_bytes = Some(runtime.save(precompiled, &job.artifacts)?);
    Ok(())
}

/// Sets the guests up, each phase timed into `report`, measures them, then sets them up again
/// (the repeated set-up: what a host that already runs wasm pays for another pair, after the
/// round trips so the cold start holds none of it), each timed whole and dropped.
fn measure<R: Runtime>(runtime: &R, job: &Job, report: &mut Report) -> Result<(), Failure> {
    let engine = runtime.engine(job, job.cell.engine != axes::Engine::Artifact)?;
    let guests = set_up(runtime, &engine, job, Some(report))?;
    exercise(guests, job, report)?;
    report.repeat_set_up(&job.measure, || set_up(runtime, &engine, job, None))
}

/// Sets both guests up once: their code, their environment and their instances. With `report`,
/// each phase is timed into it (the fresh set-up); without, nothing is (a repeat, timed whole).
fn set_up<R: Runtime>(
    runtime: &R,
    engine: &R::Engine,
    job: &Job,
    mut report: Option<&mut Report>,
) -> Result<R::Guests, Failure> {
    let code = match job.cell.engine {
        axes::Engine::Jit => {
            let guests = job.guest_files()?;
            timed(report.as_deref_mut().map(|r| &mut r.compile_ns), || runtime.compile(engine, guests))?
        }
        axes::Engine::Artifact => {
            timed(report.as_deref_mut().map(|r| &mut r.load_ns), || runtime.load(engine, &job.artifacts))?
        }
        axes::Engine::Native => runtime.built_in()?,
    };
    let environment = match job.cell.engine {
        axes::Engine::Native => runtime.environment(engine, job)?,
        axes::Engine::Jit | axes::Engine::Artifact => {
            timed(report.as_deref_mut().map(|r| &mut r.environment_ns), || runtime.environment(engine, job))?
        }
    };
    let instantiate = || runtime.instantiate(engine, environment, &code, job);
    timed(report.map(|r| &mut r.instantiate_ns), instantiate)
}

/// `f`, as a [`phase`] timed into `slot` if there is one.
#[inline]
fn timed<T>(slot: Option<&mut Option<u64>>, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match slot {
        Some(slot) => phase(slot, f),
        None => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::Cell;
    use crate::guests::{Output, Traffic};
    use crate::measure::MechanismKind;
    use std::cell::RefCell;

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
    }

    /// A runtime that logs its steps and fails the one it is told to, the `nth` time.
    #[derive(Default)]
    struct Scripted {
        steps: RefCell<Vec<&'static str>>,
        fail: Option<(&'static str, usize)>,
    }

    impl Scripted {
        fn step(&self, name: &'static str) -> Result<(), Failure> {
            let mut steps = self.steps.borrow_mut();
            steps.push(name);
            let times = steps.iter().filter(|s| **s == name).count();
            match self.fail {
                Some((step, nth)) if step == name && nth == times => Err(Failure::Trap(format!("{name} failed"))),
                _ => Ok(()),
            }
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
        let (compiler, runtime) = if engine == "native" { ("rustc", "native") } else { ("cranelift", "wasmtime") };
        let cell = format!("{compiler}/{engine}/bare/copy/raw/release/off/default/{runtime}/host");
        let measure = serde_json::json!({"warmup": 1, "samples": 2, "batch": 1, "timeout_s": 1, "setup_repeats": 3});
        let guests = (engine != "native").then(|| GuestFiles {
            producer: "p.wasm".into(),
            consumer: "c.wasm".into(),
            composed: None,
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

    #[test]
    fn a_jit_cell_times_each_phase_measures_then_repeats_the_set_up_untimed() {
        let runtime = Scripted::default();
        let (outcome, report) = run_scripted(&runtime, &job("jit", Phase::Measure));
        outcome.unwrap();
        let steps = runtime.steps.borrow();
        assert_eq!(steps[..4], ["compiling engine", "compile", "environment", "instantiate"]);
        assert_eq!(steps.len(), 4 + 3 * 3, "three repeats of compile, environment, instantiate: {steps:?}");
        assert!(report.compile_ns.is_some() && report.environment_ns.is_some() && report.instantiate_ns.is_some());
        assert_eq!((report.load_ns, report.checksum, report.setup_warm.len()), (None, Some(7), 3));
    }

    #[test]
    fn an_artifact_cell_loads_with_an_engine_that_does_not_compile() {
        let runtime = Scripted::default();
        let (outcome, report) = run_scripted(&runtime, &job("artifact", Phase::Measure));
        outcome.unwrap();
        assert_eq!(runtime.steps.borrow()[..4], ["loading engine", "load", "environment", "instantiate"]);
        assert!(report.load_ns.is_some() && report.compile_ns.is_none());
    }

    #[test]
    fn a_native_cell_has_its_guests_built_in_and_no_environment_to_time() {
        let runtime = Scripted::default();
        let (outcome, report) = run_scripted(&runtime, &job("native", Phase::Measure));
        outcome.unwrap();
        assert_eq!(runtime.steps.borrow()[..4], ["compiling engine", "built in", "environment", "instantiate"]);
        assert_eq!((report.compile_ns, report.load_ns, report.environment_ns), (None, None, None));
        assert!(report.instantiate_ns.is_some());
    }

    #[test]
    fn precompiling_times_the_compile_and_not_the_writing() {
        let runtime = Scripted::default();
        let (outcome, report) = run_scripted(&runtime, &job("artifact", Phase::Precompile));
        outcome.unwrap();
        assert_eq!(*runtime.steps.borrow(), ["compiling engine", "precompile", "save"]);
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
}
