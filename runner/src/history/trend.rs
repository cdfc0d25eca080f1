//! Trend lines: per machine, the stored nights in the order they started; per cell and metric, each
//! night's headline with its 95% interval (resampling the night's processes, as the rows'
//! intervals are drawn), and between neighbouring nights `compare`'s verdict, read against the
//! machine as `compare` reads it. A step is flagged only where the change is certain beyond the
//! noise band: `slower` with its whole interval above `1 + t` (what makes `compare` exit 1), or
//! `faster` with its whole interval below `1 - t`. A `slower` or `faster` verdict whose interval
//! reaches into the band is told but not flagged (two runs of the same code give such verdicts in a
//! few percent of cells, docs/measuring.md), nor is `unsure` or `no change`. Nights of different
//! machines are never one line unless asked (`--mix-machines`).

use super::store::{Entry, Store};
use crate::compare::{compare_runs, CompareOptions, Run, Verdict};
use crate::matrix::select::Selector;
use crate::matrix::Cell;
use crate::results::metric::Metric;
use crate::stats::{Bootstrap, Headline, Interval};
use anyhow::{bail, Result};
use std::collections::{BTreeMap, HashMap};

pub struct TrendOptions {
    /// Only this machine's nights (as `history list` names it).
    pub machine: Option<String>,
    /// All nights in one line whatever their machine.
    pub mix_machines: bool,
    /// Keep only cells matching `axis=value[,value...]` terms, as `runner run --filter`.
    pub filter: Option<String>,
    /// Sidecar metric names (default: the round trip, `rt_ns`).
    pub metrics: Vec<String>,
    /// `compare`'s noise band, a fraction.
    pub threshold: f64,
}

/// One night's value of a (cell, metric).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    pub headline: f64,
    pub interval: Option<Interval>,
}

/// A step from one night to the next: `compare`'s verdict and change.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub verdict: Verdict,
    pub ratio: f64,
    pub interval: Option<Interval>,
    /// The whole interval is beyond the noise band: above `1 + t` (a certain regression, what
    /// `compare` exits 1 on) or below `1 - t`.
    pub certain: bool,
}

impl Step {
    /// Flagged: a certain change beyond the band.
    pub fn flagged(&self) -> bool {
        self.certain
    }

    pub fn certain_regression(&self) -> bool {
        self.certain && self.verdict == Verdict::Slower
    }
}

pub struct Line {
    pub cell: String,
    pub metric: Metric,
    /// One per night (`None`: the night has no ok value of it).
    pub points: Vec<Option<Point>>,
    /// `steps[i]` is from night `i` to night `i + 1` (`None`: not compared in both).
    pub steps: Vec<Option<Step>>,
}

/// The trend of one machine (or of every machine, mixed on request).
pub struct Trend {
    pub machine: String,
    pub nights: Vec<Entry>,
    pub lines: Vec<Line>,
    pub threshold: f64,
}

impl Trend {
    pub fn flagged(&self) -> impl Iterator<Item = (&Line, usize, &Step)> {
        self.lines
            .iter()
            .flat_map(|l| l.steps.iter().enumerate().filter_map(move |(i, s)| Some((l, i, s.as_ref()?))))
            .filter(|(_, _, s)| s.flagged())
    }

    /// A certain regression in the last step: what makes `history trend` exit 1.
    pub fn last_night_regressed(&self) -> bool {
        let last = self.nights.len().saturating_sub(2);
        self.lines.iter().any(|l| l.steps.get(last).copied().flatten().is_some_and(|s| s.certain_regression()))
    }
}

/// The trends of the store's nights, one per machine.
pub fn trends(store: &Store, opts: &TrendOptions) -> Result<Vec<Trend>> {
    let metrics: Vec<Metric> = opts
        .metrics
        .iter()
        .map(|m| match Metric::from_name(m).filter(|m| m.is_performance()) {
            Some(metric) => Ok(metric),
            None => bail!("`{m}` is not a performance metric of the samples (rt_ns, setup_ns, call_floor_ns, ...)"),
        })
        .collect::<Result<_>>()?;
    let selector = opts.filter.as_deref().map(Selector::parse_filter).transpose()?.unwrap_or_default();
    let entries = store.entries()?;
    if entries.is_empty() {
        bail!("the store {} holds no runs yet (`runner history add RUN.csv`)", store.dir.display());
    }
    let mut machines: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for entry in entries {
        let key = if opts.mix_machines { "every machine, mixed".to_owned() } else { entry.machine.clone() };
        machines.entry(key).or_default().push(entry);
    }
    if let Some(wanted) = &opts.machine {
        machines.retain(|m, _| m == wanted);
        if machines.is_empty() {
            let known: std::collections::BTreeSet<String> = store.entries()?.into_iter().map(|e| e.machine).collect();
            let known: Vec<String> = known.into_iter().collect();
            bail!("no stored run is of machine `{wanted}`; the store's machines: {}", known.join(" | "));
        }
    }
    let mut out = Vec::new();
    for (machine, nights) in machines {
        let runs: Vec<Run> = nights.iter().map(|n| store.load(n)).collect::<Result<_>>()?;
        let keep = |cell: &str| Cell::parse(cell).map_or(opts.filter.is_none(), |c| selector.matches(&c));
        let lines = lines(&runs, &metrics, keep, opts.threshold)?;
        out.push(Trend { machine, nights, lines, threshold: opts.threshold });
    }
    Ok(out)
}

fn lines(runs: &[Run], metrics: &[Metric], keep: impl Fn(&str) -> bool, threshold: f64) -> Result<Vec<Line>> {
    let mut steps: Vec<HashMap<(String, Metric), Step>> = Vec::new();
    for pair in runs.windows(2) {
        let either = |m: &&Metric| pair[0].has_metric(**m) || pair[1].has_metric(**m);
        let names: Vec<String> = metrics.iter().filter(either).map(|m| m.name().to_owned()).collect();
        if names.is_empty() {
            steps.push(HashMap::new());
            continue;
        }
        let opts = CompareOptions { threshold, metrics: Some(names), ..CompareOptions::default() };
        let comparison = compare_runs(&pair[0], &pair[1], &opts)?;
        let step = |e: &crate::compare::Entry| Step {
            verdict: e.verdict,
            ratio: e.ratio,
            interval: e.interval,
            certain: e.is_certain_regression(threshold) || e.is_certain_improvement(threshold),
        };
        steps.push(comparison.entries.iter().map(|e| ((e.cell.clone(), e.metric), step(e))).collect());
    }
    // Every cell any night has, in the order of the nights' rows.
    let mut cells: Vec<&str> = Vec::new();
    for run in runs {
        for (cell, _) in run.cells() {
            if keep(cell) && !cells.contains(&cell) {
                cells.push(cell);
            }
        }
    }
    let bootstrap = Bootstrap::default();
    let mut lines = Vec::new();
    for cell in cells {
        for &metric in metrics {
            let points: Vec<Option<Point>> = runs
                .iter()
                .map(|run| {
                    let values = run.metrics(cell).get(&metric).filter(|_| run.all_ok(cell))?;
                    Some(Point { headline: Headline::across(values)?, interval: bootstrap.headline(values) })
                })
                .collect();
            if points.iter().all(Option::is_none) {
                continue;
            }
            let steps = steps.iter().map(|s| s.get(&(cell.to_owned(), metric)).copied()).collect();
            lines.push(Line { cell: cell.to_owned(), metric, points, steps });
        }
    }
    Ok(lines)
}
