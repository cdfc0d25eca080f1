//! `runner run`: checks everything first, builds (or checks the given) guests, then runs every
//! cell in worker processes, interleaved across cells in rounds (see [`crate::schedule`]). Each process's raw
//! samples are appended to the samples sidecar as it ends; a cell stops adding processes once its
//! headline round trip is as precise as the matrix asks (`target_ci_pct`, after `min_processes`),
//! or at `processes`, or when one fails, and its row is appended to the results file then. A
//! resumed run counts every process of an unfinished cell that reached the sidecar. A failure once
//! cells have run is a [`Stopped`](crate::stop::Stopped) (its own exit status: the same command goes on).

use crate::guest_build::{Builder, GuestBuild, GuestFiles};
use crate::guest_set::GuestSet;
use crate::matrix::axes::Engine;
use crate::matrix::{Cell, Matrix, Measure, Selector};
use crate::meta::RunMeta;
use crate::results::drift::Drift;
use crate::results::figure::measured_s;
use crate::results::file::{ResultsFile, RunMarker};
use crate::results::metric::Metric;
use crate::results::row::{CellResult, GuestSizes, Row, RunContext, StopReason};
use crate::results::samples::{self, ProcessId, Sample, SamplesFile};
use crate::results::status::Status;
use crate::results::summary;
use crate::run_length::{self, SlowShare};
use crate::schedule::{self, Rounds};
use crate::shard::{fingerprint, Shard};
use crate::stop::{AfterCells, Scratch, Signals};
use crate::supervise::{precompile, run_process, Precompiled};
use crate::workers::Workers;
use anyhow::{bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use wasmatrix_core::measure::MechanismKind;
use wasmatrix_core::worker::{Job, Phase, Report};

pub struct Options {
    pub matrix: PathBuf,
    pub out: Option<PathBuf>,
    pub filter: Option<String>,
    /// Prebuilt guests (`<dir>/<profile>/<environment>/logging-<off|on>/<layout>/<codec>/{producer,consumer}.wasm`)
    /// instead of building them.
    pub guests: Option<PathBuf>,
    /// Worker processes per cell, instead of the matrix's `processes`.
    pub processes: Option<u32>,
    /// The seed of the interleaved order (default: a fresh one, recorded in every row).
    pub seed: Option<u64>,
    /// Pin every worker to this CPU.
    pub pin: Option<usize>,
    pub mechanism: MechanismKind,
    /// Run only this shard of the cells.
    pub shard: Option<Shard>,
    /// Start over when `out` holds another run (the old file is kept under a new name).
    pub force: bool,
}

pub struct Done {
    pub rows: Vec<Row>,
    pub results: PathBuf,
    pub summary: String,
    /// Stopped by Ctrl-C or SIGTERM before every cell was recorded.
    pub interrupted: bool,
    /// The cells of the run (of its shard).
    pub cells: usize,
}

/// The matrix's cells after `--filter`.
pub fn select_cells(matrix: &Matrix, filter: Option<&str>) -> Result<Vec<Cell>> {
    let selector = filter.map(Selector::parse_filter).transpose()?.unwrap_or_default();
    let cells: Vec<Cell> = matrix.cells().iter().filter(|c| selector.matches(c)).copied().collect();
    if cells.is_empty() {
        bail!(
            "the filter `{}` selects none of the {} cells of {}",
            filter.unwrap_or(""),
            matrix.cells().len(),
            matrix.path.display()
        );
    }
    Ok(cells)
}

/// A cell while its processes run.
struct CellRun {
    cell: Cell,
    sizes: GuestSizes,
    files: Option<GuestFiles>,
    /// Where its precompiled guests (and callgrind's counts) are kept while it runs.
    artifacts: PathBuf,
    precompiled: Precompiled,
    ran: u32,
    /// Of `ran`, the processes an interrupted run of this file measured (read from the sidecar).
    reused: u32,
    /// The number of its next process (after every process number the sidecar holds for it).
    next_process: u32,
    /// The first process that did not end `ok`; the cell's other processes are skipped.
    failed: Option<(Status, String)>,
    last: Option<Report>,
    samples: Vec<Sample>,
    done: bool,
    stop: StopReason,
}

impl CellRun {
    /// Every cell still to run, with its guests and the processes of it that `finished` holds
    /// (taken from it); `artifacts` keeps each cell's in a directory of its own.
    fn all(
        cells: &[Cell],
        guests: &HashMap<GuestBuild, GuestFiles>,
        finished: &mut Finished,
        artifacts: &Scratch,
    ) -> Vec<CellRun> {
        cells
            .iter()
            .enumerate()
            .map(|(index, cell)| {
                let files = GuestBuild::of(cell).and_then(|build| guests.get(&build).cloned());
                let sizes = files.as_ref().map(GuestSizes::of).unwrap_or_default();
                let (samples, reused) = finished.take(cell);
                CellRun {
                    cell: *cell,
                    sizes,
                    files,
                    artifacts: artifacts.path().join(index.to_string()),
                    precompiled: Precompiled::default(),
                    ran: reused,
                    reused,
                    next_process: finished.next_process(cell),
                    failed: None,
                    last: None,
                    samples,
                    done: false,
                    stop: StopReason::NotRun,
                }
            })
            .collect()
    }

    /// The job of the cell's next process: the run's measure settings as the cell's payload
    /// scales them ([`Measure::for_records`]).
    fn job(&self, measure: &Measure, opts: &Options) -> Job {
        Job {
            cell: self.cell,
            measure: measure.for_records(self.cell.records.count()),
            guests: self.files.clone(),
            artifacts: self.artifacts.clone(),
            phase: Phase::Measure,
            mechanism: opts.mechanism,
            pin: opts.pin,
        }
    }

    /// The cell's row, once it is done.
    fn row(&self, context: &RunContext, expected: u64) -> Row {
        let (status, error) = self.failed.clone().unwrap_or((Status::Ok, String::new()));
        let mut report = self.last.clone().unwrap_or_default();
        report.artifact_bytes = self.precompiled.artifact_bytes;
        let result = CellResult {
            status,
            error: &error,
            processes: self.ran,
            report: &report,
            samples: &self.samples,
            stop: self.stop,
        };
        Row::new(&self.cell, context, &self.sizes, &result, expected)
    }

    /// Why the cell stops after its latest process, if it does: a failure, the most processes,
    /// a headline interval within the target, or its time budget spent (after the fewest
    /// processes, and at least one process of this run, whose report the row needs).
    /// `needed` is the fewest processes before a precision stop on this machine ([`SlowShare`]).
    fn stops(&self, measure: &Measure, mechanism: MechanismKind, needed: u32) -> Option<StopReason> {
        if self.failed.is_some() {
            return Some(StopReason::Failed);
        }
        if self.ran >= measure.processes {
            return Some(StopReason::MaxProcesses);
        }
        if self.ran < measure.fewest_processes() || self.ran == self.reused {
            return None;
        }
        if self.ran >= needed && run_length::precise(&self.samples, measure, mechanism)? {
            return Some(StopReason::Precision);
        }
        (measure.cell_budget_s > 0.0 && measured_s(&self.samples) >= measure.cell_budget_s)
            .then_some(StopReason::Budget)
    }
}

/// A run, step by step: prepare (every check, the guests, the results file gone on with or
/// started, the workers), the cells that cannot run recorded, every `artifact` cell precompiled,
/// the cells measured in rounds, and the run finished (its summary written).
pub fn run(root: &Path, opts: &Options) -> Result<Done> {
    let (plan, start) = prepare(root, opts)?;
    let Start { mut runs, results, earlier, samples, next_seq, artifacts } = start;
    let progress = Progress::start(&plan, opts, &runs);
    let steps = Steps { plan: &plan, opts, progress: &progress };
    let mut recorder = Recorder::new(&steps, results, earlier);
    record_unsupported(&mut runs, &mut recorder)?;
    precompile_artifacts(&mut runs, &steps, &mut recorder)?;
    let measured = measure_cells(&mut runs, &steps, &mut recorder, samples, next_seq)?;
    progress.bar.finish_and_clear();
    drop(artifacts);
    finish(&plan, recorder.rows, measured)
}

/// What a run settles before its first cell and reads to its end.
struct Plan {
    matrix: Matrix,
    /// The cells of the run (of its shard), in the matrix's order.
    all_cells: Vec<Cell>,
    measure: Measure,
    meta: RunMeta,
    /// What every shard of this run shares: the cells before sharding, the measure settings and
    /// the guest set.
    fingerprint: String,
    /// `I/N`, or empty.
    shard: String,
    results_path: PathBuf,
    workers: Workers,
    signals: Signals,
    /// The checksum every cell must reproduce, per payload.
    expected: crate::reference::Expected,
    /// The seed of the interleaved order.
    seed: u64,
}

/// What the steps take over from [`prepare`]: the cells still to run, the files the run appends
/// to, and its scratch directory.
struct Start {
    /// Every cell the results file does not record yet, with the processes the sidecar holds of it.
    runs: Vec<CellRun>,
    results: ResultsFile,
    /// The rows the results file holds already.
    earlier: Vec<Row>,
    samples: SamplesFile,
    /// The next schedule position (after every one the sidecar holds).
    next_seq: u32,
    /// The run's precompiled guests and callgrind counts: removed however the run ends.
    artifacts: Scratch,
}

/// The first step: every check made and the guests settled (built, or checked in --guests)
/// before the results file is touched; then the results file gone on with (its recorded cells
/// skipped, the processes its unfinished cells finished reused) or started, and the workers built.
fn prepare(root: &Path, opts: &Options) -> Result<(Plan, Start)> {
    let matrix = Matrix::load(&opts.matrix)?;
    let (selected, all_cells) = choose_cells(&matrix, opts)?;
    crate::preflight::check(root, &all_cells, opts.guests.is_none(), opts.mechanism)?;
    let measure = check_options(opts, matrix.measure)?;
    let builder = Builder::new(root)?;
    let guest_set = match &opts.guests {
        // Every file of every selected cell, so that every shard of a run names the same set.
        Some(dir) => GuestSet::given(dir, &selected)?,
        None => GuestSet::built(&builder, &all_cells)?,
    };
    let fingerprint = fingerprint(&selected, &(measure, opts.mechanism, &guest_set.identity));
    let mut meta = RunMeta::collect(root);
    let results_path =
        opts.out.clone().unwrap_or_else(|| root.join("results").join(format!("{}-{}.csv", matrix.name, meta.run_id)));
    let shard = opts.shard.map(|s| s.to_string()).unwrap_or_default();
    // An existing file of this run is gone on with: its recorded cells are skipped.
    let (results, earlier) = ResultsFile::resume(&results_path, &fingerprint, &shard, opts.force)?;
    let sidecar = samples::sidecar_path(&results_path);
    samples::set_aside_torn_member(&sidecar)?;
    let recorded: HashSet<&str> = earlier.iter().map(|r| r.cell.as_str()).collect();
    let cells: Vec<Cell> = all_cells.iter().filter(|c| !recorded.contains(c.to_string().as_str())).copied().collect();
    // Going on with a run (its rows, or its marker if it was stopped before its first row): its run
    // id, and the processes its unfinished cells finished.
    let this_run = |m: &RunMarker| m.run_fingerprint == fingerprint && m.shard == shard;
    let going_on = match earlier.first() {
        Some(row) => Some(row.run_id.clone()),
        None => RunMarker::read(&results_path).filter(this_run).map(|m| m.run_id),
    };
    let mut finished = Finished::default();
    match going_on {
        Some(run_id) => {
            meta.run_id = run_id;
            finished = Finished::read(&sidecar, &meta.run_id, &cells)?;
            eprintln!(
                "{} records {} of the {} cells already: going on with the other {}, reusing {} processes of {} of \
                 them from {}",
                results_path.display(),
                earlier.len(),
                all_cells.len(),
                cells.len(),
                finished.processes(),
                finished.by_cell.len(),
                sidecar.display()
            );
        }
        None => RunMarker { run_id: meta.run_id.clone(), run_fingerprint: fingerprint.clone(), shard: shard.clone() }
            .write(&results_path)?,
    }
    let samples = SamplesFile::open(&sidecar)?;
    let signals = Signals::watch()?;
    // The workers the cells run in, built before the first cell (the native worker per profile).
    let workers = Workers::prepare(&builder, root, cells.iter().filter(|c| c.unsupported().is_none()))?;
    let expected = crate::reference::Expected::of(&measure, &cells);
    let artifacts = Scratch::new(root.join("target/wasmatrix/artifacts").join(&meta.run_id));
    let seed = opts.seed.unwrap_or_else(schedule::fresh_seed);
    let runs = CellRun::all(&cells, &guest_set.files, &mut finished, &artifacts);
    let start = Start { runs, results, earlier, samples, next_seq: finished.next_seq, artifacts };
    let plan =
        Plan { matrix, all_cells, measure, meta, fingerprint, shard, results_path, workers, signals, expected, seed };
    Ok((plan, start))
}

/// The matrix's cells after `--filter` (`selected`), and of those the run's: its shard's.
fn choose_cells(matrix: &Matrix, opts: &Options) -> Result<(Vec<Cell>, Vec<Cell>)> {
    let selected = select_cells(matrix, opts.filter.as_deref())?;
    let cells = match opts.shard {
        Some(shard) => shard.select(&selected),
        None => selected.clone(),
    };
    if cells.is_empty() {
        bail!(
            "shard {} of {} cells is empty: use fewer shards",
            opts.shard.map_or(String::new(), |s| s.to_string()),
            selected.len()
        );
    }
    Ok((selected, cells))
}

/// The options checked (`--pin`, `--processes`, `--out`), and the matrix's measure settings with
/// `--processes`.
fn check_options(opts: &Options, mut measure: Measure) -> Result<Measure> {
    if let Some(cpu) = opts.pin {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpu >= cpus {
            bail!("--pin {cpu}: this machine has CPUs 0 to {}", cpus - 1);
        }
    }
    if let Some(n) = opts.processes {
        if n == 0 {
            bail!("--processes must be at least 1");
        }
        measure.processes = n;
    }
    if let Some(out) = opts.out.as_ref().filter(|out| out.exists() && !out.is_file()) {
        // A device (/dev/full, /dev/zero) would be read without end.
        bail!("--out {}: not a regular file", out.display());
    }
    if let Some(wrapper) = crate::supervise::wrapper() {
        let (var, wrapper) = (crate::supervise::WRAPPER_VAR, wrapper.to_string_lossy());
        if opts.mechanism != MechanismKind::WallClock {
            bail!("{var}={wrapper}: a wrapper runs with --measure wall_clock only (instructions runs workers under valgrind)");
        }
        eprintln!("note: every worker runs under {wrapper} ({var}): this run's figures time it too");
    }
    Ok(measure)
}

/// The progress bar (hidden unless stderr is a terminal), and how lines are said beside it.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// The bar, as long as the precompiles and the most processes the cells can run, and the
    /// run's first line.
    fn start(plan: &Plan, opts: &Options, runs: &[CellRun]) -> Progress {
        let measure = &plan.measure;
        let precompiles =
            runs.iter().filter(|r| r.cell.unsupported().is_none() && r.cell.engine == Engine::Artifact).count();
        let reused: u64 = runs.iter().map(|r| u64::from(r.reused)).sum();
        let most = (runs.len() as u64 * u64::from(measure.processes)).saturating_sub(reused);
        let bar = ProgressBar::new(precompiles as u64 + most).with_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} processes, {elapsed} elapsed, ETA {eta}  {msg}")
                .expect("valid template"),
        );
        let progress = Progress { bar };
        progress.say(format!(
            "running {} cells x {} to {} processes (until the round trip is within ±{}%) of {} into {} (measure {}, \
             schedule seed {:016x})",
            runs.len(),
            measure.fewest_processes(),
            measure.processes,
            measure.target_ci_pct,
            plan.matrix.path.display(),
            plan.results_path.display(),
            opts.mechanism.name(),
            plan.seed
        ));
        progress
    }

    /// A line above the bar (on stderr).
    fn say(&self, line: String) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}

/// What the steps after [`prepare`] share.
struct Steps<'a> {
    plan: &'a Plan,
    opts: &'a Options,
    progress: &'a Progress,
}

/// Records each cell once it is done: its row appended to the results file, and said.
struct Recorder<'a> {
    steps: &'a Steps<'a>,
    results: ResultsFile,
    context: RunContext<'a>,
    /// The run's rows: those the file held, then each cell's as it is done.
    rows: Vec<Row>,
}

impl<'a> Recorder<'a> {
    fn new(steps: &'a Steps<'a>, results: ResultsFile, earlier: Vec<Row>) -> Recorder<'a> {
        let (plan, opts) = (steps.plan, steps.opts);
        let context = RunContext {
            measure: &plan.measure,
            meta: &plan.meta,
            mechanism: opts.mechanism,
            seed: plan.seed,
            pin: opts.pin,
            matrix: &plan.matrix.name,
            fingerprint: &plan.fingerprint,
            shard: &plan.shard,
        };
        Recorder { steps, results, context, rows: earlier }
    }

    /// `run` is done: the processes it will not run leave the progress bar, its row is appended
    /// and said, and its samples and artifacts let go.
    fn record(&mut self, run: &mut CellRun) -> Result<()> {
        let (plan, progress) = (self.steps.plan, &self.steps.progress.bar);
        run.done = true;
        // The processes it will not run leave the progress bar.
        if run.cell.unsupported().is_none() {
            let left = u64::from(plan.measure.processes.saturating_sub(run.ran));
            progress.set_length(progress.length().unwrap_or(0).saturating_sub(left));
        }
        let row = run.row(&self.context, plan.expected.of_cell(&run.cell));
        self.results.append(&row).after_cells(&plan.results_path)?;
        let detail = match run.failed.as_ref().map_or(Status::Ok, |f| f.0) {
            Status::Ok => format!(
                "rt {} over {} processes{} ({})",
                row.rt_headline_ns
                    .map(|v| format!("{v:.1} ns"))
                    .or(row.rt_instructions.map(|v| format!("{v:.0} instructions")))
                    .unwrap_or_else(|| "-".into()),
                row.processes,
                row.rt_headline_ci_pct.map_or(String::new(), |ci| format!(", ±{ci:.1}%")),
                row.stop_reason
            ),
            _ => row.error.clone(),
        };
        self.steps.progress.say(format!(
            "[{}/{}] {} {}: {detail}",
            self.rows.len() + 1,
            plan.all_cells.len(),
            run.cell,
            row.status
        ));
        self.rows.push(row);
        run.samples = Vec::new();
        let _ = std::fs::remove_dir_all(&run.artifacts);
        Ok(())
    }
}

/// A cell that cannot run gets its row now, saying why.
fn record_unsupported(runs: &mut [CellRun], recorder: &mut Recorder) -> Result<()> {
    for run in runs.iter_mut() {
        if let Some(why) = run.cell.unsupported() {
            run.failed = Some((Status::Unsupported, why.to_owned()));
            recorder.record(run)?;
        }
    }
    Ok(())
}

/// Precompiles every `artifact` cell before measuring anything, as a deployment would, so that
/// every measuring process loads settled artifacts; a cell whose precompile fails is recorded.
fn precompile_artifacts(runs: &mut [CellRun], steps: &Steps, recorder: &mut Recorder) -> Result<()> {
    let (plan, progress) = (steps.plan, &steps.progress.bar);
    for run in runs.iter_mut().filter(|r| r.cell.engine == Engine::Artifact && !r.done) {
        if plan.signals.interrupted() {
            break;
        }
        progress.set_message(format!("precompiling {}", run.cell));
        let job = run.job(&plan.measure, steps.opts);
        let precompiled = precompile(&plan.workers.command(&run.cell), &job, &plan.signals.abort);
        if plan.signals.aborted() {
            // A second Ctrl-C killed it: nothing of it is recorded.
            break;
        }
        match precompiled {
            Ok(precompiled) => run.precompiled = precompiled,
            Err(failure) => {
                run.failed = Some(failure);
                recorder.record(run)?;
            }
        }
        progress.inc(1);
    }
    Ok(())
}

/// What measuring tells the summary: the reference's drift over the run, and the share of slow
/// processes with the fewest processes it asks for.
struct Measured {
    drift: Drift,
    slow: SlowShare,
}

/// Measures the cells in rounds (in the seed's interleaved order) until each stops
/// ([`CellRun::stops`]) or the run is interrupted: each process's samples appended to the
/// sidecar as it ends, each cell recorded once it stops.
fn measure_cells(
    runs: &mut [CellRun],
    steps: &Steps,
    recorder: &mut Recorder,
    mut samples_file: SamplesFile,
    mut seq: u32,
) -> Result<Measured> {
    let (plan, opts, progress) = (steps.plan, steps.opts, &steps.progress.bar);
    let (measure, signals) = (&plan.measure, &plan.signals);
    let mut rounds = Rounds::new(plan.seed);
    let mut drift = Drift::default();
    let mut slow = SlowShare::default();
    let headline_metric = Metric::round_trip(opts.mechanism);
    let floor = measure.fewest_processes();
    for run in runs.iter() {
        slow.add(&run.samples, headline_metric);
    }
    let mut needed = slow.needed(floor, measure.processes);
    'rounds: loop {
        let running: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].done).collect();
        if running.is_empty() {
            break;
        }
        for index in rounds.next(running) {
            // Ctrl-C (or SIGTERM): the process that was running has ended and been recorded; stop.
            if signals.interrupted() {
                break 'rounds;
            }
            progress.inc(1);
            let run = &mut runs[index];
            let process = run.next_process;
            run.next_process += 1;
            progress.set_message(format!("{} #{process}", run.cell));
            let worker = plan.workers.command(&run.cell);
            let expected = plan.expected.of_cell(&run.cell);
            let mut outcome = run_process(&worker, &run.job(measure, opts), expected, &signals.abort);
            if signals.aborted() {
                // A second Ctrl-C killed the worker: its process is not counted, its cell not recorded.
                break 'rounds;
            }
            if run.ran == run.reused {
                // The artifact engine's one compile, made before any process.
                outcome.report.compile_ns = outcome.report.compile_ns.or(run.precompiled.compile_ns);
            }
            let id = ProcessId { run_id: &plan.meta.run_id, cell: &run.cell, process, seq };
            seq += 1;
            let process_samples = outcome.samples(&id, opts.mechanism);
            samples_file.append(&process_samples).after_cells(&plan.results_path)?;
            drift.add(&process_samples);
            if outcome.status == Status::Ok {
                slow.add(&process_samples, headline_metric);
                let now = slow.needed(floor, measure.processes);
                if now != needed {
                    needed = now;
                    steps.progress.say(slow.render_change(needed));
                }
            }
            run.samples.extend(process_samples);
            run.ran += 1;
            if outcome.status != Status::Ok {
                run.failed = Some((outcome.status, outcome.error.clone()));
            }
            run.last = Some(outcome.report);
            if let Some(stop) = run.stops(measure, opts.mechanism, needed) {
                run.stop = stop;
                recorder.record(run)?;
            }
        }
    }
    Ok(Measured { drift, slow })
}

/// The last step: the rows in the matrix's order and the summary, written beside the results.
fn finish(plan: &Plan, mut rows: Vec<Row>, measured: Measured) -> Result<Done> {
    let interrupted = plan.signals.interrupted();
    // The summary lists cells in the matrix's order, whatever order they finished in.
    rows.sort_by_key(|row| plan.all_cells.iter().position(|c| c.to_string() == row.cell));
    let mut summary =
        summary::render(&format!("wasmatrix {} ({})", plan.matrix.name, plan.results_path.display()), &rows);
    summary.push_str(&measured.drift.render());
    summary.push_str(&measured.slow.render(plan.measure.fewest_processes(), plan.measure.processes));
    let summary_path = summary::path(&plan.results_path);
    crate::atomic::write_atomically(&summary_path, summary.as_bytes()).after_cells(&plan.results_path)?;
    Ok(Done { rows, results: plan.results_path.clone(), summary, interrupted, cells: plan.all_cells.len() })
}

/// What an interrupted run of a results file measured for the cells it had not recorded: each
/// such cell's processes that reached the samples sidecar and ended `ok`, to be counted again.
#[derive(Default)]
struct Finished {
    /// Cell name -> its processes' samples, by process number.
    by_cell: HashMap<String, BTreeMap<u32, Vec<Sample>>>,
    /// Process numbers already taken, per cell (those that did not end `ok` too).
    taken: HashMap<String, u32>,
    /// The next schedule position.
    next_seq: u32,
}

impl Finished {
    /// The processes of `run_id` in `sidecar` for `cells`, every one that ended ok (a cell then
    /// runs one process more at least, whose report its row needs: one past `processes` if it
    /// had them all).
    fn read(sidecar: &Path, run_id: &str, cells: &[Cell]) -> Result<Finished> {
        let mut found = Finished::default();
        if !sidecar.exists() {
            return Ok(found);
        }
        let wanted: HashSet<String> = cells.iter().map(Cell::to_string).collect();
        let mut by_cell: HashMap<String, BTreeMap<u32, Vec<Sample>>> = HashMap::new();
        for s in samples::read(sidecar)? {
            found.next_seq = found.next_seq.max(s.seq + 1);
            if s.run_id == run_id && wanted.contains(&s.cell) {
                let taken = found.taken.entry(s.cell.clone()).or_default();
                *taken = (*taken).max(s.process + 1);
                by_cell.entry(s.cell.clone()).or_default().entry(s.process).or_default().push(s);
            }
        }
        for (cell, mut processes) in by_cell {
            processes.retain(|_, samples| samples.iter().any(|s| s.is(Metric::Ok) && s.value == 1.0));
            if !processes.is_empty() {
                found.by_cell.insert(cell, processes);
            }
        }
        Ok(found)
    }

    /// How many processes are reused, over every cell.
    fn processes(&self) -> usize {
        self.by_cell.values().map(BTreeMap::len).sum()
    }

    /// A cell's reused samples and how many processes they are.
    fn take(&mut self, cell: &Cell) -> (Vec<Sample>, u32) {
        let processes = self.by_cell.remove(&cell.to_string()).unwrap_or_default();
        let n = processes.len() as u32;
        (processes.into_values().flatten().collect(), n)
    }

    /// The first process number no earlier process of `cell` used.
    fn next_process(&self, cell: &Cell) -> u32 {
        self.taken.get(&cell.to_string()).copied().unwrap_or(0)
    }
}
