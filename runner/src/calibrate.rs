//! `runner calibrate A.csv B.csv`: how well figures repeat between two runs of the same matrix
//! (an A/A pair: same code, same settings), and how `runner compare` behaves on them. It remakes
//! the tables of docs/measuring.md from any two runs:
//! - per metric, how many cells agree within 2, 5 and 10% under each candidate estimator (the
//!   table that chose the headline, [`crate::stats::Headline`]), and the wasm/native ratio as the
//!   rows state it;
//! - `compare`'s false alarms (a `faster` or `slower` verdict between runs of the same code) both
//!   ways;
//! - its power: the share of cells in which an injected +5% in B's round trip is found `slower`,
//!   read against the pair's own shift and scatter.

use crate::compare::{self, calibrate::verdict, CompareOptions, Verdict};
use crate::report::{self, Report};
use crate::results::figure::{ref_headline_of, repeated_else_fresh};
use crate::results::metric::{Derived, Metric};
use crate::results::{read, row::Row, samples};
use crate::run_length::{self, SlowShare};
use crate::stats::{median, quantile, Headline};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write;
use std::path::Path;

/// cell -> metric -> one vector of samples per process.
type Grouped = BTreeMap<String, Metrics>;

/// What calibrate tables the repeatability of: a metric of the samples sidecar, a set-up figure
/// made of two of them ([`Derived`]: a process's repeated set-ups, or its fresh one where it made
/// none, which `setup_headline_ns` and `setup_cpu_headline_ns` are made of), or the wasm/native
/// ratio (of rows, not samples).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tabled {
    Metric(Metric),
    Derived(Derived),
    WasmOverNative,
}

impl Tabled {
    /// How the tables name it: the metric's sidecar name, the derived figure's name, `wasm / native`.
    pub fn name(self) -> &'static str {
        match self {
            Tabled::Metric(metric) => metric.name(),
            Tabled::Derived(derived) => derived.name(),
            Tabled::WasmOverNative => "wasm / native",
        }
    }
}

/// The round trip.
const RT: Tabled = Tabled::Metric(Metric::RtNs);

/// The figures of samples whose repeatability is tabled (those a run has), in order.
const TABLED: [Tabled; 10] = [
    RT,
    Tabled::Metric(Metric::CallFloorNs),
    Tabled::Metric(Metric::EncodeNs),
    Tabled::Metric(Metric::DecodeNs),
    Tabled::Derived(Derived::Setup),
    Tabled::Derived(Derived::SetupCpu),
    Tabled::Metric(Metric::SetupWarmNs),
    Tabled::Metric(Metric::SetupNs),
    Tabled::Metric(Metric::InstantiatePairNs),
    Tabled::Metric(Metric::ColdStartNs),
];

/// The in-process reference, against which the round trip is also read ([`normalised`]).
const REFERENCE: Tabled = Tabled::Metric(Metric::RefNs);

/// Whether `load` keeps a sample of `metric`: a tabled one, the reference, or what a derived
/// figure is made of.
fn kept(metric: Metric) -> bool {
    let part_of = |d: Derived| {
        let (repeated, fresh) = d.parts();
        metric == repeated || metric == fresh
    };
    let tabled = Tabled::Metric(metric);
    TABLED.contains(&tabled) || tabled == REFERENCE || Derived::ALL.into_iter().any(part_of)
}

/// The round trip read against the reference measured at the same moment, as a row's
/// `rt_ref_headline` ([`ref_headline_of`]). `None` where a process has no reference (the V8
/// worker times none).
fn normalised(metrics: &Metrics) -> Option<f64> {
    ref_headline_of(metrics.get(&RT)?, metrics.get(&REFERENCE)?)
}

/// A cell's samples by figure, one vector per process.
type Metrics = BTreeMap<Tabled, Vec<Vec<f64>>>;

/// A candidate estimator: its name, the one figure it is for (if only one), and how it reduces a
/// cell's processes for a figure.
struct Candidate {
    name: &'static str,
    only: Option<Tabled>,
    of: fn(&Metrics, Tabled) -> Option<f64>,
}

fn reduce(
    groups: &[Vec<f64>],
    within: impl Fn(&[f64]) -> Option<f64>,
    across: impl Fn(&[f64]) -> Option<f64>,
) -> Option<f64> {
    let values: Vec<f64> = groups.iter().filter_map(|g| within(g)).collect();
    across(&values)
}

const CANDIDATES: [Candidate; 8] = [
    Candidate {
        name: "p50 of process medians (the headline until schema 7)",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, median, median),
    },
    Candidate {
        name: "best process (min of process medians)",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, median, |v| quantile(v, 0.0)),
    },
    Candidate {
        name: "p10 of process medians",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, median, |v| quantile(v, 0.1)),
    },
    Candidate {
        name: "min of process minima",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, |v| quantile(v, 0.0), |v| quantile(v, 0.0)),
    },
    Candidate {
        name: "p10 of process p10s (the headline of schema 8)",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, |v| quantile(v, 0.1), |v| quantile(v, 0.1)),
    },
    Candidate {
        name: "p25 of process p10s",
        only: None,
        of: |m, metric| reduce(m.get(&metric)?, |v| quantile(v, 0.1), |v| quantile(v, 0.25)),
    },
    Candidate { name: Headline::NAME, only: None, of: |m, metric| Headline::of(m.get(&metric)?) },
    Candidate {
        name: "the headline, each process over its median reference op",
        only: Some(RT),
        of: |m, _| normalised(m),
    },
];

/// The ok cells' samples of a results file, by cell, metric and process (its own run ids only);
/// the file is read through the one reader, and its sidecar checked against it, as `compare` does.
fn load(path: &Path) -> Result<Grouped> {
    let table = read::load(path, &["cell", "status", "run_id"], "calibrate")?;
    let ok_rows = table.rows.iter().filter(|r| r.is_ok());
    let ok: HashSet<String> = ok_rows.clone().map(|r| r.cell.clone()).collect();
    let runs: HashSet<String> = ok_rows.map(|r| r.run_id.clone()).collect();
    let sidecar = samples::sidecar_path(path);
    let all = samples::read(&sidecar)?;
    read::check_sidecar(&table, &all, &sidecar)?;
    /// A cell's samples by figure and process (run id, process number), while they are read.
    type ByProcess = BTreeMap<Tabled, BTreeMap<(String, u32), Vec<f64>>>;
    let mut by: BTreeMap<String, ByProcess> = BTreeMap::new();
    for s in all {
        let Some(metric) = s.metric().filter(|m| kept(*m)) else { continue };
        if ok.contains(&s.cell) && runs.contains(&s.run_id) {
            let processes = by.entry(s.cell).or_default().entry(Tabled::Metric(metric)).or_default();
            processes.entry((s.run_id, s.process)).or_default().push(s.value);
        }
    }
    for metrics in by.values_mut() {
        let none = BTreeMap::new();
        let of = |metric: Metric| metrics.get(&Tabled::Metric(metric)).unwrap_or(&none);
        let derived: Vec<_> = Derived::ALL
            .into_iter()
            .map(|d| (d, d.parts()))
            .map(|(d, (repeated, fresh))| (d, repeated_else_fresh(of(repeated), of(fresh))))
            .filter(|(_, processes)| !processes.is_empty())
            .collect();
        for (d, processes) in derived {
            metrics.insert(Tabled::Derived(d), processes);
        }
    }
    Ok(by.into_iter().map(|(c, m)| (c, m.into_iter().map(|(k, p)| (k, p.into_values().collect())).collect())).collect())
}

/// How well one estimator repeats on one metric between A and B.
#[derive(Clone, Debug)]
pub struct Repeatability {
    pub metric: Tabled,
    pub estimator: String,
    /// B over A minus one, per cell both runs have.
    pub changes: Vec<f64>,
}

impl Repeatability {
    /// The share of cells (0 to 1) whose figures agree within `t` (0.05 is 5%).
    pub fn within(&self, t: f64) -> f64 {
        share_within(&self.changes, t)
    }
}

/// The share of `changes` (0 to 1) within `t` of no change.
pub fn share_within(changes: &[f64], t: f64) -> f64 {
    changes.iter().filter(|c| c.abs() <= t).count() as f64 / changes.len().max(1) as f64
}

/// A table row's agreement columns: cells, the shares within 2, 5 and 10%, the median change.
fn agreement(changes: &[f64]) -> String {
    let pct = |t| format!("{:.1}%", 100.0 * share_within(changes, t));
    format!(
        "{} | {} | {} | {} | {:+.1}%",
        changes.len(),
        pct(0.02),
        pct(0.05),
        pct(0.10),
        100.0 * median(changes).unwrap_or(f64::NAN)
    )
}

/// `runner compare` on the pair, one way.
#[derive(Clone, Debug)]
pub struct Alarms {
    pub label: &'static str,
    pub compared: usize,
    /// Entries per verdict, in [`Verdict::ALL`]'s order.
    pub verdicts: [usize; 4],
    /// The round trip's machine-wide shift, B over A, if one was estimated.
    pub rt_shift: Option<f64>,
}

impl Alarms {
    /// `faster` or `slower` between runs of the same code, as a share of the comparisons.
    pub fn false_alarm_rate(&self) -> f64 {
        (self.verdicts[1] + self.verdicts[2]) as f64 / self.compared.max(1) as f64
    }
}

/// Everything `runner calibrate` finds on a pair of runs of the same code.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub a: std::path::PathBuf,
    pub b: std::path::PathBuf,
    pub repeatability: Vec<Repeatability>,
    pub alarms: Vec<Alarms>,
    /// Cells in which +5% injected into B's round trip was found `slower`, of how many.
    pub power: (usize, usize),
    pub run_length: RunLength,
}

/// What the run-length rule ([`crate::run_length`]) makes of each run's processes, and how well
/// the round trip's headline repeats when each cell keeps only its first `n` processes: what a
/// shorter run on the same machine would have given.
#[derive(Clone, Debug, Default)]
pub struct RunLength {
    /// Per run (A, B): the slow share, and the fewest processes it asks for (with the rows'
    /// `min_processes` and `processes`).
    pub runs: Vec<(Option<f64>, u32)>,
    /// `(n, changes)`: the headline from each cell's first `n` processes, B over A minus one.
    pub first: Vec<(String, Vec<f64>)>,
}

impl RunLength {
    fn of(ga: &Grouped, gb: &Grouped, rows: [&[Row]; 2]) -> RunLength {
        let values = |g: &Grouped| -> BTreeMap<String, Vec<f64>> {
            g.iter()
                .filter_map(|(cell, m)| {
                    Some((cell.clone(), m.get(&RT)?.iter().filter_map(|p| Headline::process(p)).collect()))
                })
                .collect()
        };
        let (va, vb) = (values(ga), values(gb));
        let mut runs = Vec::new();
        for (values, rows) in [(&va, rows[0]), (&vb, rows[1])] {
            let mut share = SlowShare::default();
            for (cell, vs) in values {
                vs.iter().for_each(|v| share.add_process(cell, *v));
            }
            // The matrix's `processes` is in no row: the most any cell ran stands for it.
            let ok = || rows.iter().filter(|r| r.is_ok());
            let floor = ok().map(|r| r.min_processes).max().unwrap_or(0).max(1);
            let most = ok().map(|r| r.processes).max().unwrap_or(0);
            runs.push((share.share(), share.needed(floor, most)));
        }
        let most = va.values().chain(vb.values()).map(Vec::len).max().unwrap_or(0);
        let first_n = |na: usize, nb: usize| -> Vec<f64> {
            va.iter()
                .filter_map(|(cell, a)| {
                    let b = vb.get(cell)?;
                    let (a, b) = (&a[..na.min(a.len())], &b[..nb.min(b.len())]);
                    Some(Headline::across(b)? / Headline::across(a)? - 1.0)
                })
                .collect()
        };
        let mut first: Vec<(String, Vec<f64>)> =
            [3, 5, 8, 10, 15, 20].iter().filter(|n| **n <= most).map(|&n| (n.to_string(), first_n(n, n))).collect();
        let (na, nb) = (runs[0].1 as usize, runs[1].1 as usize);
        if na > 0 && nb > 0 {
            first.push((format!("{na} (A) and {nb} (B): as the rule asks"), first_n(na, nb)));
        }
        RunLength { runs, first }
    }
}

/// B's wasm/native ratio over A's minus one, per ok cell with a native twin in both runs.
fn native_ratio_changes(rows_a: &[Row], rows_b: &[Row]) -> Vec<f64> {
    let (report_a, report_b) = (Report::new(rows_a), Report::new(rows_b));
    rows_a
        .iter()
        .filter(|r| r.is_ok())
        .filter_map(|ra| {
            let cell = ra.cell().ok()?;
            let rb = rows_b.iter().find(|rb| rb.is_ok() && rb.cell() == Ok(cell))?;
            Some(report_b.native_ratio(rb)? / report_a.native_ratio(ra)? - 1.0)
        })
        .collect()
}

/// Calibrates on runs `a` and `b` of the same matrix and code.
pub fn calibrate(a: &Path, b: &Path) -> Result<Calibration> {
    let (ga, gb) = (load(a)?, load(b)?);
    let mut repeatability = Vec::new();
    for metric in TABLED {
        for c in CANDIDATES.iter().filter(|c| c.only.is_none_or(|only| only == metric)) {
            let changes: Vec<f64> = ga
                .iter()
                .filter_map(|(cell, m)| Some((c.of)(gb.get(cell)?, metric)? / (c.of)(m, metric)? - 1.0))
                .collect();
            if !changes.is_empty() {
                repeatability.push(Repeatability { metric, estimator: c.name.to_owned(), changes });
            }
        }
    }
    let opts = CompareOptions::default();
    let mut alarms = Vec::new();
    let mut rt_shift = None;
    for (x, y, label) in [(a, b, "A then B"), (b, a, "B then A")] {
        let cmp = compare::compare(x, y, &opts)?;
        let shift = cmp.shifts.iter().find(|s| s.metric == Metric::RtNs).cloned();
        alarms.push(Alarms {
            label,
            compared: cmp.entries.len(),
            verdicts: Verdict::ALL.map(|v| cmp.count(v)),
            rt_shift: shift.as_ref().map(|s| s.ratio),
        });
        rt_shift = rt_shift.or(shift);
    }
    // The wasm/native ratio, cell by cell: as each run's rows state it (with whichever headline
    // they were made; they say which, p50 before schema 8), and by this version's headline made
    // again from the samples.
    let (mut rows_a, mut rows_b) = (report::load(a)?, report::load(b)?);
    let estimators: BTreeSet<String> = rows_a
        .iter()
        .chain(&rows_b)
        .filter(|r| r.is_ok())
        .map(|r| {
            if r.headline_estimator.is_empty() {
                "p50 of process medians".into()
            } else {
                r.headline_estimator.clone()
            }
        })
        .collect();
    let stated = estimators.into_iter().collect::<Vec<_>>().join(" / ");
    repeatability.push(Repeatability {
        metric: Tabled::WasmOverNative,
        estimator: format!("as the rows state it ({stated})"),
        changes: native_ratio_changes(&rows_a, &rows_b),
    });
    for (rows, grouped) in [(&mut rows_a, &ga), (&mut rows_b, &gb)] {
        for row in rows.iter_mut() {
            let metrics = grouped.get(&row.cell);
            row.rt_headline_ns = metrics.and_then(|m| Headline::of(m.get(&RT)?));
            row.rt_ref_headline = metrics.and_then(normalised);
        }
    }
    repeatability.push(Repeatability {
        metric: Tabled::WasmOverNative,
        estimator: Headline::NAME.into(),
        changes: native_ratio_changes(&rows_a, &rows_b),
    });
    // Power: each cell's B round trip made 5% slower, read against the pair's shift and scatter
    // (one cell cannot move a median over many cells by more than one rank).
    let (mut found, mut tried) = (0, 0);
    for (cell, m) in &ga {
        let (Some(pa), Some(pb)) = (m.get(&RT), gb.get(cell).and_then(|m| m.get(&RT))) else { continue };
        let va: Vec<f64> = pa.iter().filter_map(|g| Headline::process(g)).collect();
        let vb: Vec<f64> = pb.iter().filter_map(|g| Headline::process(g)).map(|v| v * 1.05).collect();
        let (Some(x), Some(y)) = (Headline::across(&va), Headline::across(&vb)) else { continue };
        let interval = opts.bootstrap.headline_ratio(&va, &vb);
        let (ratio, interval) = match &rt_shift {
            Some(shift) => shift.apply(y / x, interval),
            None => (y / x, interval),
        };
        tried += 1;
        found += usize::from(verdict(ratio, interval, va.len().min(vb.len()), opts.threshold) == Verdict::Slower);
    }
    let run_length = RunLength::of(&ga, &gb, [&rows_a, &rows_b]);
    Ok(Calibration { a: a.to_owned(), b: b.to_owned(), repeatability, alarms, power: (found, tried), run_length })
}

impl Calibration {
    /// The tables, as Markdown.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        let _ = writeln!(out, "A: {}\nB: {}\n", self.a.display(), self.b.display());
        let _ = writeln!(out, "### How many cells agree between A and B, per estimator\n");
        let _ = writeln!(out, "| metric | estimator | cells | within 2% | within 5% | within 10% | median change |");
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
        for r in &self.repeatability {
            let _ = writeln!(out, "| `{}` | {} | {} |", r.metric.name(), r.estimator, agreement(&r.changes));
        }
        let _ = writeln!(out, "\n### `runner compare` between them (threshold ±5%)\n");
        let _ = writeln!(
            out,
            "| comparison | compared | no change | faster | slower | unsure | false alarms | shift (rt) |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for a in &self.alarms {
            let [same, faster, slower, unsure] = a.verdicts;
            let _ = writeln!(
                out,
                "| {} | {} | {same} | {faster} | {slower} | {unsure} | {} ({}) | {} |",
                a.label,
                a.compared,
                faster + slower,
                pct(a.false_alarm_rate()),
                a.rt_shift.map_or("-".into(), |s| format!("{:+.1}%", 100.0 * (s - 1.0)))
            );
        }
        let (found, tried) = self.power;
        let _ = writeln!(
            out,
            "\nPower: +5% injected into one cell's round trip in B is found `slower` in {found} of {tried} cells ({}).",
            pct(found as f64 / tried.max(1) as f64)
        );
        self.render_run_length(&mut out);
        out
    }

    fn render_run_length(&self, out: &mut String) {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        let _ =
            writeln!(out, "\n### Run length: slow processes, and the round trip from each cell's first n processes\n");
        for ((share, needed), label) in self.run_length.runs.iter().zip(["A", "B"]) {
            let _ = writeln!(
                out,
                "- {label}: {} of processes more than {:.0}% slower than their cell's fastest; the run-length rule \
                 asks for {needed} processes or more before a cell stops for precision.",
                share.map_or("too few".into(), pct),
                100.0 * run_length::SLOW
            );
        }
        let _ = writeln!(out, "\n| first n processes | cells | within 2% | within 5% | within 10% | median change |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for (n, changes) in &self.run_length.first {
            let _ = writeln!(out, "| {n} | {} |", agreement(changes));
        }
    }
}
