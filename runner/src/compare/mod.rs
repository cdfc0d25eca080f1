//! Comparing two runs: the engine of `runner compare A.csv B.csv`.
//!
//! Both results files are read ([`load`]) through the one reader `report` uses too
//! ([`crate::results::read`]: by column name, needing `cell`, `status` and `error`; a value a column
//! cannot hold, an unknown `schema_version`, a file that is not a results file are refused), and
//! their raw-samples sidecars ([`crate::results::samples`]) supply the values, once checked against
//! their file ([`crate::results::read::check_sidecar`]: a sidecar of another run, or with fewer `ok`
//! processes of a cell than its row says, is refused). Cells are
//! matched by their `cell` string; a cell is compared only if every row it has is `ok` in both runs.
//!
//! # The statistic
//! For each compared cell and each performance metric ([`Metric::is_performance`]: times `*_ns` and
//! instruction counts `*_instructions`; the process context, [`Metric::CONTEXT`], and metrics this
//! runner does not know are ignored) that both sidecars hold
//! for that cell, every worker process is summarised by the 2nd percentile of its samples, and
//! each side by the 10th percentile of those: the headline estimator of the results rows
//! ([`Headline`]), chosen because it repeats on noisy machines where medians do not. The process
//! is the unit of replication: samples within a process share its code layout, its heap and the
//! machine's state. The change is `ratio = headline(B) / headline(A)`, and its confidence interval
//! a percentile bootstrap that resamples A's and B's processes independently
//! ([`Bootstrap::headline_ratio`], fixed seed: the same files always give the same output).
//!
//! # The machine, and the verdict
//! A shift that moves every cell alike is the machine, not the code: it is estimated per metric,
//! reported once, and each change is read against it, its interval widened by the scatter between
//! runs that the intervals do not explain ([`calibrate`]; `--absolute` reads changes as measured).
//! Then, with threshold `t` (default 0.05) and interval `[lo, hi]`: `no change` if the interval is
//! within `[1 - t, 1 + t]`; `slower` if `lo > 1` and the change is at least `t/2`; `faster` likewise
//! below 1; else `unsure` ([`calibrate::verdict`]).
//!
//! Byte-identical samples on both sides (a file against itself, or the cells a changed file left
//! alone) are one measurement, not two draws: their ratio is exactly 1 with the interval [1, 1],
//! `no change`.
//!
//! With fewer than two processes on either side the spread between processes is unknown, so there
//! is no interval, and the verdict is `no change` only if the two values are identical (ratio
//! exactly 1) and `unsure` otherwise, however large the difference. This matters for instruction
//! counts, which are deterministic: identical counts give `no change`, but a count that differs
//! (by any amount) with one process each is `unsure`; run two or more processes to get a verdict.
//!
//! A *certain regression* ([`Comparison::regressions`]) is a `slower` entry whose whole interval
//! is above the band: `lo > 1 + t`.
//!
//! # Releases side by side
//! [`compare_releases`] (`runner compare RUN.csv --release R`) makes the two sides from one run:
//! A is the run's cells of each runtime's own release that release `R` ran too, B those of `R`,
//! named as A's ([`Run::releases`]); the rest is the same comparison, always as measured
//! (`--absolute`), since one run on one machine has no machine-wide shift to take out: a shift of
//! every cell alike is the release's.

pub mod calibrate;
mod load;
mod render;

pub use calibrate::Shift;
pub use load::Run;

use crate::matrix::axes::Release;
use crate::results::metric::Metric;
use crate::results::status::Status;
use crate::stats::{Bootstrap, Headline as Estimator, Interval};
use anyhow::{ensure, Result};
use load::CellRows;
use std::fmt;
use std::path::{Path, PathBuf};

/// The start-up phases, one cold sample per process; shown after the repeated measurements
/// ([`Metric::REPEATED`]), and any other metric after them, by name.
const STARTUP_METRICS: [Metric; 7] = [
    Metric::CompileNs,
    Metric::LoadNs,
    Metric::InstantiateNs,
    Metric::SetupNs,
    Metric::SetupWarmNs,
    Metric::FirstRoundTripNs,
    Metric::ColdStartNs,
];

/// What `--metrics` takes to compare every performance metric, start-up phases included.
pub const ALL_METRICS: &str = "all";

/// How to compare.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// The noise band, as a fraction: 0.05 means changes within ±5% count as no change.
    pub threshold: f64,
    /// How the confidence interval of each change is drawn.
    pub bootstrap: Bootstrap,
    /// Only these metrics, by their sidecar names; `None` for the repeated measurements
    /// ([`Metric::REPEATED`]: many samples per process). Start-up phases are one cold sample per
    /// process, far noisier; name them (or pass [`ALL_METRICS`]) to compare them too.
    pub metrics: Option<Vec<String>>,
    /// Read changes as measured, without taking out the machine-wide shift.
    pub absolute: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        // 2,000 resamples: a matrix has hundreds of (cell, metric) entries; the interval's ends
        // move by well under 0.1% more.
        CompareOptions {
            threshold: 0.05,
            bootstrap: Bootstrap { resamples: 2000, ..Bootstrap::default() },
            metrics: None,
            absolute: false,
        }
    }
}

impl CompareOptions {
    fn check(&self) -> Result<()> {
        let t = self.threshold;
        ensure!(
            t.is_finite() && (0.0..1.0).contains(&t),
            "the threshold must be at least 0 and below 1 (0.05 is 5%), not {t}"
        );
        let c = self.bootstrap.confidence;
        ensure!(c > 0.0 && c < 1.0, "the confidence must be above 0 and below 1 (0.95 is 95%), not {c}");
        ensure!(self.bootstrap.resamples > 0, "the bootstrap needs at least one resample");
        Ok(())
    }
}

/// The metrics a comparison compares, as [`CompareOptions::metrics`] names them.
enum Wanted {
    Repeated,
    All,
    These(Vec<Metric>),
}

impl Wanted {
    fn has(&self, metric: Metric) -> bool {
        match self {
            Wanted::Repeated => Metric::REPEATED.contains(&metric),
            Wanted::All => metric.is_performance(),
            Wanted::These(metrics) => metrics.contains(&metric),
        }
    }
}

/// Which of the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// What a change amounts to; see the module documentation for the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The whole interval is inside the noise band.
    NoChange,
    /// The whole interval is below 1 (and not inside the band).
    Faster,
    /// The whole interval is above 1 (and not inside the band).
    Slower,
    /// The interval straddles 1 and reaches beyond the band, or there is no interval.
    Unsure,
}

impl Verdict {
    /// Every verdict, in the order they are tallied.
    pub const ALL: [Verdict; 4] = [Verdict::NoChange, Verdict::Faster, Verdict::Slower, Verdict::Unsure];

    /// `no change`, `faster`, `slower` or `unsure`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NoChange => "no change",
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::Unsure => "unsure",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One compared (cell, metric).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub cell: String,
    pub metric: Metric,
    /// A's headline ([`Estimator`]) in the metric's unit.
    pub a_headline: f64,
    /// B's headline in the metric's unit.
    pub b_headline: f64,
    /// `b_headline / a_headline` (exactly 1 if the samples are identical), read against the
    /// metric's machine-wide shift where there is one; above 1 is slower.
    pub ratio: f64,
    /// `b_headline / a_headline` as measured.
    pub measured_ratio: f64,
    /// Bootstrap interval of the ratio, read like it (against the shift, widened by the scatter
    /// between runs); `None` with fewer than two processes on a side, or if no resample gave a
    /// finite ratio.
    pub interval: Option<Interval>,
    pub verdict: Verdict,
    /// How many processes A had for this cell and metric.
    pub a_processes: usize,
    /// How many processes B had for this cell and metric.
    pub b_processes: usize,
}

impl Entry {
    /// Slower with the whole interval above the noise band: `low > 1 + threshold`.
    pub fn is_certain_regression(&self, threshold: f64) -> bool {
        self.verdict == Verdict::Slower && self.interval.is_some_and(|i| i.low > 1.0 + threshold)
    }

    /// Faster, with the whole interval below the noise band: `hi < 1 - t`.
    pub fn is_certain_improvement(&self, threshold: f64) -> bool {
        self.verdict == Verdict::Faster && self.interval.is_some_and(|i| i.high < 1.0 - threshold)
    }
}

/// A results row of a cell whose status is not `ok`.
#[derive(Clone, Debug, PartialEq)]
pub struct NotOk {
    pub cell: String,
    pub side: Side,
    /// The status as the row writes it.
    pub status: String,
    pub error: String,
}

/// A metric that one run's sidecar holds for a compared cell and the other's does not.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricOnlyIn {
    pub cell: String,
    pub metric: Metric,
    pub side: Side,
}

/// The comparison of run A (before) with run B (after).
#[derive(Clone, Debug)]
pub struct Comparison {
    pub a: PathBuf,
    pub b: PathBuf,
    /// The noise band used, as a fraction.
    pub threshold: f64,
    /// The confidence of the intervals, for example 0.95.
    pub confidence: f64,
    /// Grouped by metric (`rt_ns` first), cells in A's row order within a metric.
    pub entries: Vec<Entry>,
    /// Cells with rows in A only.
    pub only_in_a: Vec<String>,
    /// Cells with rows in B only.
    pub only_in_b: Vec<String>,
    /// Every row that is not `ok`, in either run; such cells are not compared.
    pub not_ok: Vec<NotOk>,
    /// Metrics of compared cells that only one run has samples of.
    pub metric_only_in: Vec<MetricOnlyIn>,
    /// Cells `ok` in both runs that neither sidecar has any (wanted) performance samples of.
    pub no_samples: Vec<String>,
    /// The rows' headline round-trip figures side by side, for the cells `ok` in both runs, by
    /// cell name.
    pub headlines: Vec<Headline>,
    /// Per metric, the machine-wide shift the changes are read against (none with `--absolute`
    /// or with too few cells).
    pub shifts: Vec<Shift>,
}

/// One cell's headline round trip in both runs, as their results rows state it: how well the
/// figures a user reads repeat.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub cell: String,
    /// `rt_headline_ns` (`rt_p50_ns` before schema 8) of A and B.
    pub p50: (f64, f64),
    /// `rt_proc_min_ns` (the fastest process's median) of A and B, where the schema has it.
    pub best: Option<(f64, f64)>,
    /// `rt_headline_ci_pct` (half its 95% interval, percent; `rt_ci_pct` before schema 8) of A and B.
    pub ci_pct: (Option<f64>, Option<f64>),
}

impl Headline {
    fn of(cell: &str, a: &CellRows, b: &CellRows) -> Option<Headline> {
        let ([a_p50, a_best, a_ci], [b_p50, b_best, b_ci]) = (a.headline, b.headline);
        Some(Headline { cell: cell.to_owned(), p50: (a_p50?, b_p50?), best: a_best.zip(b_best), ci_pct: (a_ci, b_ci) })
    }

    /// B over A, minus one.
    pub fn p50_change(&self) -> f64 {
        self.p50.1 / self.p50.0 - 1.0
    }

    pub fn best_change(&self) -> Option<f64> {
        self.best.map(|(a, b)| b / a - 1.0)
    }
}

/// Compares the cells of `release` in the run `path` with the same cells of their runtime's own
/// release (`default`) in it: releases side by side in one run, on one machine, so every change is
/// read as measured (a shift of every cell alike is the release's, not the machine's).
pub fn compare_releases(path: &Path, release: Release, opts: &CompareOptions) -> Result<Comparison> {
    opts.check()?;
    let (a, b) = Run::load(path)?.releases(release)?;
    compare_runs(&a, &b, &CompareOptions { absolute: true, ..opts.clone() })
}

/// Compares run `a` (before) with run `b` (after): the results files and their samples
/// sidecars. Errors name the file at fault.
pub fn compare(a: &Path, b: &Path, opts: &CompareOptions) -> Result<Comparison> {
    opts.check()?;
    compare_runs(&Run::load(a)?, &Run::load(b)?, opts)
}

/// [`compare`] of two runs already read (`runner history` compares neighbouring nights of its
/// store); A and B are named by their runs' paths.
pub fn compare_runs(run_a: &Run, run_b: &Run, opts: &CompareOptions) -> Result<Comparison> {
    opts.check()?;
    let wanted = wanted_metrics(opts.metrics.as_deref(), run_a, run_b)?;
    let mut cmp = Comparison {
        a: run_a.path.clone(),
        b: run_b.path.clone(),
        threshold: opts.threshold,
        confidence: opts.bootstrap.confidence,
        entries: Vec::new(),
        only_in_a: Vec::new(),
        only_in_b: Vec::new(),
        not_ok: Vec::new(),
        metric_only_in: Vec::new(),
        no_samples: Vec::new(),
        headlines: Vec::new(),
        shifts: Vec::new(),
    };
    for cell in cell_order(run_a, run_b) {
        cmp.add_cell(cell, run_a, run_b, &wanted, opts);
    }
    cmp.entries.sort_by_key(|e| metric_rank(e.metric));
    if !opts.absolute {
        cmp.read_against_the_machine();
    }
    cmp.headlines.sort_by(|x, y| x.cell.cmp(&y.cell));
    Ok(cmp)
}

/// The cells of A in row order, then those only in B in theirs.
fn cell_order<'r>(a: &'r Run, b: &'r Run) -> Vec<&'r str> {
    let b_only = b.cells.iter().filter(|c| !a.index.contains_key(&c.name));
    a.cells.iter().chain(b_only).map(|c| c.name.as_str()).collect()
}

/// The metrics `--metrics` names (`None`: the repeated measurements), each a performance metric
/// that A's or B's samples hold.
fn wanted_metrics(names: Option<&[String]>, a: &Run, b: &Run) -> Result<Wanted> {
    let Some(names) = names else { return Ok(Wanted::Repeated) };
    if names.iter().any(|m| m == ALL_METRICS) {
        return Ok(Wanted::All);
    }
    let mut metrics = Vec::new();
    for m in names {
        let Some(metric) = Metric::from_name(m).filter(|metric| metric.is_performance()) else {
            let context = Metric::from_name(m).is_some_and(Metric::is_context);
            ensure!(!context, "`{m}` is process context, not a performance metric");
            let known: Vec<&str> = Metric::ALL.iter().filter(|m| m.is_performance()).map(|m| m.name()).collect();
            anyhow::bail!("`{m}` is not a performance metric of the samples sidecar ({})", known.join(", "));
        };
        ensure!(
            a.has_metric(metric) || b.has_metric(metric),
            "metric `{m}` is in neither {}'s samples nor {}'s",
            a.path.display(),
            b.path.display()
        );
        metrics.push(metric);
    }
    Ok(Wanted::These(metrics))
}

/// Sort key of a metric: its place in [`Metric::REPEATED`] then [`STARTUP_METRICS`], then its name.
fn metric_rank(metric: Metric) -> (usize, &'static str) {
    let order = Metric::REPEATED.iter().chain(&STARTUP_METRICS);
    let known = order.clone().position(|m| *m == metric);
    (known.unwrap_or(order.count()), metric.name())
}

impl Comparison {
    fn add_cell(&mut self, cell: &str, a: &Run, b: &Run, wanted: &Wanted, opts: &CompareOptions) {
        let (rows_a, rows_b) = (a.rows(cell), b.rows(cell));
        for (side, rows) in [(Side::A, rows_a), (Side::B, rows_b)] {
            self.not_ok.extend(rows.into_iter().flat_map(|r| not_ok(r, side)));
        }
        match (rows_a, rows_b) {
            (Some(_), None) => self.only_in_a.push(cell.to_owned()),
            (None, Some(_)) => self.only_in_b.push(cell.to_owned()),
            (Some(ra), Some(rb)) if ra.all_ok() && rb.all_ok() => {
                self.headlines.extend(Headline::of(cell, ra, rb));
                self.compare_cell(cell, a, b, wanted, opts)
            }
            _ => {}
        }
    }

    /// Adds an entry per metric both runs have for `cell`, and notes those only one has.
    fn compare_cell(&mut self, cell: &str, a: &Run, b: &Run, wanted: &Wanted, opts: &CompareOptions) {
        let (ma, mb) = (a.metrics(cell), b.metrics(cell));
        let mut metrics: Vec<Metric> = ma.keys().chain(mb.keys()).copied().filter(|m| wanted.has(*m)).collect();
        metrics.sort_by_key(|m| metric_rank(*m));
        metrics.dedup();
        if metrics.is_empty() {
            self.no_samples.push(cell.to_owned());
        }
        for metric in metrics {
            match (ma.get(&metric), mb.get(&metric)) {
                (Some(va), Some(vb)) => self.entries.push(entry(cell, metric, va, vb, opts)),
                (Some(_), None) => self.note_only_in(cell, metric, Side::A),
                (None, _) => self.note_only_in(cell, metric, Side::B),
            }
        }
    }

    fn note_only_in(&mut self, cell: &str, metric: Metric, side: Side) {
        self.metric_only_in.push(MetricOnlyIn { cell: cell.to_owned(), metric, side });
    }

    /// Certain regressions: slower, with the whole interval above the noise band. The CLI exits
    /// non-zero if there are any.
    pub fn regressions(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.is_certain_regression(self.threshold)).collect()
    }

    /// Estimates each metric's machine-wide shift and reads its entries against it.
    fn read_against_the_machine(&mut self) {
        let threshold = self.threshold;
        for group in self.entries.chunk_by_mut(|x, y| x.metric == y.metric) {
            let ratios: Vec<f64> = group.iter().map(|e| e.measured_ratio).collect();
            let intervals: Vec<Option<Interval>> = group.iter().map(|e| e.interval).collect();
            let Some(shift) = Shift::estimate(group[0].metric, &ratios, &intervals) else { continue };
            for e in group.iter_mut() {
                (e.ratio, e.interval) = shift.apply(e.measured_ratio, e.interval);
                e.verdict = calibrate::verdict(e.ratio, e.interval, e.a_processes.min(e.b_processes), threshold);
            }
            self.shifts.push(shift);
        }
    }

    /// How many entries have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.entries.iter().filter(|e| e.verdict == verdict).count()
    }
}

/// The rows of a cell that are not `ok`, of `side`.
fn not_ok(rows: &CellRows, side: Side) -> impl Iterator<Item = NotOk> + '_ {
    let not_ok = rows.outcomes.iter().filter(|(status, ..)| *status != Some(Status::Ok));
    not_ok.map(move |(_, status, error)| NotOk {
        cell: rows.name.clone(),
        side,
        status: status.clone(),
        error: error.clone(),
    })
}

/// The entry for one cell and metric, from each side's per-process values (both non-empty).
fn entry(cell: &str, metric: Metric, a: &[f64], b: &[f64], opts: &CompareOptions) -> Entry {
    let a_headline = Estimator::across(a).unwrap_or(f64::NAN);
    let b_headline = Estimator::across(b).unwrap_or(f64::NAN);
    let identical = a == b;
    let ratio = if identical { 1.0 } else { b_headline / a_headline };
    let processes = a.len().min(b.len());
    // Byte-identical samples are one measurement, not two draws: their ratio is exactly 1.
    let interval = match processes {
        0 | 1 => None,
        _ if identical => Some(Interval { low: 1.0, high: 1.0 }),
        _ => opts.bootstrap.headline_ratio(a, b),
    };
    Entry {
        cell: cell.to_owned(),
        metric,
        a_headline,
        b_headline,
        ratio,
        measured_ratio: ratio,
        interval,
        verdict: calibrate::verdict(ratio, interval, processes, opts.threshold),
        a_processes: a.len(),
        b_processes: b.len(),
    }
}

#[cfg(test)]
mod tests;
