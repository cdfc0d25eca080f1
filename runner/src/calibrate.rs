//! `runner calibrate A.csv B.csv`: how well figures repeat between two runs of the same matrix
//! (an A/A pair: same code, same settings), and how `runner compare` behaves on them. It remakes
//! the tables of docs/measuring.md from any two runs:
//! - per metric, how many cells agree within 2, 5 and 10% under each candidate estimator (the
//!   table that chose the headline, [`crate::stats::Headline`]);
//! - `compare`'s false alarms (a `faster` or `slower` verdict between runs of the same code) both
//!   ways;
//! - its power: the share of cells in which an injected +5% in B's round trip is found `slower`,
//!   read against the pair's own shift and scatter.

use crate::compare::{self, calibrate::verdict, CompareOptions, Verdict};
use crate::results::samples;
use crate::stats::{median, quantile, Headline};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::path::Path;

/// cell -> metric -> one vector of samples per process.
type Grouped = BTreeMap<String, BTreeMap<String, Vec<Vec<f64>>>>;

/// The metrics whose repeatability is tabled (those a run has).
const METRICS: [&str; 6] = ["rt_ns", "call_floor_ns", "encode_ns", "decode_ns", "setup_warm_ns", "setup_ns"];

/// A candidate estimator: its name, and how it reduces a cell's processes.
struct Candidate {
    name: &'static str,
    of: fn(&[Vec<f64>]) -> Option<f64>,
}

fn reduce(
    groups: &[Vec<f64>],
    within: impl Fn(&[f64]) -> Option<f64>,
    across: impl Fn(&[f64]) -> Option<f64>,
) -> Option<f64> {
    let values: Vec<f64> = groups.iter().filter_map(|g| within(g)).collect();
    across(&values)
}

const CANDIDATES: [Candidate; 6] = [
    Candidate { name: "p50 of process medians (the headline until schema 7)", of: |g| reduce(g, median, median) },
    Candidate { name: "best process (min of process medians)", of: |g| reduce(g, median, |v| quantile(v, 0.0)) },
    Candidate { name: "p10 of process medians", of: |g| reduce(g, median, |v| quantile(v, 0.1)) },
    Candidate { name: "min of process minima", of: |g| reduce(g, |v| quantile(v, 0.0), |v| quantile(v, 0.0)) },
    Candidate { name: "p25 of process p10s", of: |g| reduce(g, |v| quantile(v, 0.1), |v| quantile(v, 0.25)) },
    Candidate { name: Headline::NAME, of: Headline::of },
];

/// The ok cells' samples of a results file, by cell, metric and process (its own run ids only).
fn load(path: &Path) -> Result<Grouped> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader.headers()?.clone();
    let at = |name: &str| {
        header.iter().position(|h| h == name).with_context(|| format!("{} has no `{name}` column", path.display()))
    };
    let (cell, status, run_id) = (at("cell")?, at("status")?, at("run_id")?);
    let mut ok = HashSet::new();
    let mut runs = HashSet::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot read {}", path.display()))?;
        if &record[status] == "ok" {
            ok.insert(record[cell].to_owned());
            runs.insert(record[run_id].to_owned());
        }
    }
    let mut by: BTreeMap<String, BTreeMap<String, BTreeMap<(String, u32), Vec<f64>>>> = BTreeMap::new();
    for s in samples::read(&samples::sidecar_path(path))? {
        if ok.contains(&s.cell) && runs.contains(&s.run_id) && METRICS.contains(&s.metric.as_str()) {
            let processes = by.entry(s.cell).or_default().entry(s.metric).or_default();
            processes.entry((s.run_id, s.process)).or_default().push(s.value);
        }
    }
    Ok(by.into_iter().map(|(c, m)| (c, m.into_iter().map(|(k, p)| (k, p.into_values().collect())).collect())).collect())
}

/// The tables, as Markdown.
pub fn calibrate(a: &Path, b: &Path) -> Result<String> {
    let (ga, gb) = (load(a)?, load(b)?);
    let mut out = String::new();
    let _ = writeln!(out, "A: {}\nB: {}\n", a.display(), b.display());
    let _ = writeln!(out, "### How many cells agree between A and B, per estimator\n");
    let _ = writeln!(out, "| metric | estimator | cells | within 2% | within 5% | within 10% | median change |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
    for metric in METRICS {
        for c in &CANDIDATES {
            let changes: Vec<f64> = ga
                .iter()
                .filter_map(|(cell, m)| {
                    let (x, y) = ((c.of)(m.get(metric)?)?, (c.of)(gb.get(cell)?.get(metric)?)?);
                    Some(y / x - 1.0)
                })
                .collect();
            if changes.is_empty() {
                continue;
            }
            let share = |t: f64| 100.0 * changes.iter().filter(|c| c.abs() <= t).count() as f64 / changes.len() as f64;
            let _ = writeln!(
                out,
                "| `{metric}` | {} | {} | {:.1}% | {:.1}% | {:.1}% | {:+.1}% |",
                c.name,
                changes.len(),
                share(0.02),
                share(0.05),
                share(0.10),
                100.0 * median(&changes).unwrap_or(f64::NAN)
            );
        }
    }
    let opts = CompareOptions::default();
    let _ = writeln!(out, "\n### `runner compare` between them (threshold ±{}%)\n", opts.threshold * 100.0);
    let _ =
        writeln!(out, "| comparison | compared | no change | faster | slower | unsure | false alarms | shift (rt) |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut rt_shift = None;
    for (x, y, label) in [(a, b, "A then B"), (b, a, "B then A")] {
        let cmp = compare::compare(x, y, &opts)?;
        let n = cmp.entries.len();
        let alarms = cmp.count(Verdict::Faster) + cmp.count(Verdict::Slower);
        let shift = cmp.shifts.iter().find(|s| s.metric == "rt_ns").cloned();
        let _ = writeln!(
            out,
            "| {label} | {n} | {} | {} | {} | {} | {alarms} ({:.1}%) | {} |",
            cmp.count(Verdict::NoChange),
            cmp.count(Verdict::Faster),
            cmp.count(Verdict::Slower),
            cmp.count(Verdict::Unsure),
            100.0 * alarms as f64 / n.max(1) as f64,
            shift.as_ref().map_or("-".into(), |s| format!("{:+.1}%", 100.0 * (s.ratio - 1.0)))
        );
        rt_shift = rt_shift.or(shift);
    }
    // Power: each cell's B round trip made 5% slower, read against the pair's shift and scatter
    // (one cell cannot move a median over many cells by more than one rank).
    let boot = opts.bootstrap;
    let (mut found, mut tried) = (0, 0);
    for (cell, m) in &ga {
        let (Some(pa), Some(pb)) = (m.get("rt_ns"), gb.get(cell).and_then(|m| m.get("rt_ns"))) else { continue };
        let va: Vec<f64> = pa.iter().filter_map(|g| Headline::process(g)).collect();
        let vb: Vec<f64> = pb.iter().filter_map(|g| Headline::process(g)).map(|v| v * 1.05).collect();
        let (Some(x), Some(y)) = (Headline::across(&va), Headline::across(&vb)) else { continue };
        let interval = boot.headline_ratio(&va, &vb);
        let (ratio, interval) = match &rt_shift {
            Some(shift) => shift.apply(y / x, interval),
            None => (y / x, interval),
        };
        tried += 1;
        found += usize::from(verdict(ratio, interval, va.len().min(vb.len()), opts.threshold) == Verdict::Slower);
    }
    let _ = writeln!(
        out,
        "\nPower: +5% injected into one cell's round trip in B is found `slower` in {found} of {tried} cells ({:.1}%).",
        100.0 * found as f64 / tried.max(1) as f64
    );
    Ok(out)
}
