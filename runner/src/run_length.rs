//! How many worker processes a cell needs on this machine, learnt while the run goes.
//!
//! On a machine whose speed drifts, a worker process runs mostly in a fast state or mostly in a
//! slow one (a cache or memory-bandwidth neighbour, a busy host). The headline reads the fast
//! state ([`Headline`]), so a cell needs enough processes that some of them land in it. A cell's
//! own interval cannot tell: five processes that all ran in the slow state agree with each other
//! and give a tight interval around the slow figure. So the run learns, from every cell's
//! processes so far, how often a process is slow, the **slow share** `p`: the share of processes
//! more than [`SLOW`] above their cell's fastest (the fastest itself not counted). On a quiet
//! machine `p` is a few percent; on the noisier VM of docs/measuring.md it was about 0.7.
//!
//! A cell of `n` processes reads the `r`-th fastest (`r = ⌈0.1 n⌉`, [`Headline::ACROSS`]); it
//! misses the fast state when fewer than `r` of its `n` processes are fast, which, for processes
//! that are slow independently with probability `p`, has the binomial probability
//! `P(X < r)`, `X ~ Binomial(n, 1 − p)`. A cell may stop for precision only once `n` makes that
//! at most [`MISS`]: with `p` up to 0.39 that is the matrix's `min_processes` (5 in the quick
//! matrix), with `p` = 0.5 it is 7, 0.6 10, 0.7 20.
//!
//! This is Kalibera & Jones's "repetition at the level where the variation is": the run measures
//! the variation between processes and sizes the number of processes by it.

use crate::matrix::Measure;
use crate::results::figure::figure;
use crate::results::metric::Metric;
use crate::results::samples::Sample;
use crate::stats::Headline;
use std::collections::{BTreeMap, HashMap};
use wasmatrix_core::measure::MechanismKind;

/// A process is slow when its value is more than this above its cell's fastest: the band the
/// figures are asked to repeat within.
pub const SLOW: f64 = 0.05;

/// The chance, per cell, that fewer of its processes than the headline reads are fast.
pub const MISS: f64 = 0.01;

/// Whether a cell's headline round trip is as precise as the matrix asks: its 95% interval within
/// ±`target_ci_pct`. `None` without a round trip. (A like target on the set-up was tried and not
/// kept: docs/measuring.md, "Set-up".)
pub fn precise(samples: &[Sample], measure: &Measure, mechanism: MechanismKind) -> Option<bool> {
    let rt = figure(samples, Metric::round_trip(mechanism))?;
    Some(rt.headline_ci_pct().is_some_and(|ci| ci <= measure.target_ci_pct))
}

/// Comparisons (processes beside their cell's fastest) needed before the slow share counts.
const EVIDENCE: usize = 30;

/// The run's processes so far: each cell's process values of its headline metric.
#[derive(Default)]
pub struct SlowShare {
    cells: HashMap<String, Vec<f64>>,
}

impl SlowShare {
    /// Takes the samples of processes that ended ok (a process without the metric is left out).
    pub fn add(&mut self, samples: &[Sample], metric: Metric) {
        let mut processes: BTreeMap<(&str, u32), Vec<f64>> = BTreeMap::new();
        for s in samples.iter().filter(|s| s.is(metric)) {
            processes.entry((s.cell.as_str(), s.process)).or_default().push(s.value);
        }
        for ((cell, _), values) in processes {
            if let Some(value) = Headline::process(&values) {
                self.add_process(cell, value);
            }
        }
    }

    /// Takes one process's value (its [`Headline::process`]) of `cell`.
    pub fn add_process(&mut self, cell: &str, value: f64) {
        self.cells.entry(cell.to_owned()).or_default().push(value);
    }

    /// The share of processes more than [`SLOW`] above their cell's fastest, over every cell
    /// with two or more; `None` before [`EVIDENCE`] such processes.
    pub fn share(&self) -> Option<f64> {
        let (mut slow, mut compared) = (0usize, 0usize);
        for values in self.cells.values().filter(|v| v.len() >= 2) {
            let fastest = values.iter().copied().fold(f64::INFINITY, f64::min);
            slow += values.iter().filter(|v| **v > fastest * (1.0 + SLOW)).count();
            compared += values.len() - 1;
        }
        (compared >= EVIDENCE).then(|| slow as f64 / compared as f64)
    }

    /// The fewest processes a cell takes before it may stop for precision: `floor` (the matrix's
    /// `min_processes`) or more, at most `most`.
    pub fn needed(&self, floor: u32, most: u32) -> u32 {
        let floor = floor.min(most);
        self.share().map_or(floor, |p| needed(p, floor, most))
    }
}

impl SlowShare {
    /// The progress line when the fewest processes change.
    pub fn render_change(&self, needed: u32) -> String {
        format!(
            "{:.0}% of processes so far ran more than {:.0}% slower than their cell's fastest: a cell now takes at \
             least {needed} processes before it stops for precision",
            100.0 * self.share().unwrap_or(0.0),
            100.0 * SLOW
        )
    }

    /// The summary's lines: the slow share, what it did to the run length, and a warning when
    /// even the most processes leave more than [`MISS`] per cell.
    pub fn render(&self, floor: u32, most: u32) -> String {
        let Some(p) = self.share() else { return String::new() };
        let needed = self.needed(floor, most);
        let mut out = format!(
            "slow processes: {:.1}% ran more than {:.0}% slower than their cell's fastest (a quiet machine: a few \
             percent); so a cell stopped for precision only after {needed} processes or more (min_processes {floor}), \
             leaving it a {:.2}% chance of reading no fast process\n",
            100.0 * p,
            100.0 * SLOW,
            100.0 * miss(p, needed)
        );
        if miss(p, needed) > MISS {
            out.push_str(&format!(
                "warning: this machine is too noisy for the precision asked: even {most} processes leave each cell a \
                 {:.1}% chance that its headline reads the slow state (allowed {:.0}%); raise `processes`, or run \
                 on a quieter machine\n",
                100.0 * miss(p, needed),
                100.0 * MISS
            ));
        }
        out
    }
}

/// The fewest `n` in `floor..=most` for which a cell of `n` processes, each slow with probability
/// `p`, has fewer fast ones than its headline reads with probability at most [`MISS`]; `most`
/// if none.
pub fn needed(p: f64, floor: u32, most: u32) -> u32 {
    (floor..=most).find(|&n| miss(p, n) <= MISS).unwrap_or(most)
}

/// `P(X < r)` for `X ~ Binomial(n, 1 - p)`, `r` the rank the headline reads among `n` processes.
pub fn miss(p: f64, n: u32) -> f64 {
    let rank = ((Headline::ACROSS * f64::from(n)).ceil() as u32).clamp(1, n.max(1));
    let fast = 1.0 - p.clamp(0.0, 1.0);
    (0..rank).map(|k| binomial(n, k) * fast.powi(k as i32) * (1.0 - fast).powi((n - k) as i32)).sum()
}

fn binomial(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |c, i| c * f64::from(n - i) / f64::from(i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(cell: &str, value: f64) -> Vec<Sample> {
        (0..50)
            .map(|i| Sample {
                run_id: "r".into(),
                cell: cell.into(),
                process: 0,
                seq: 0,
                metric: Metric::RtNs.name().into(),
                sample: i,
                value: value + f64::from(i),
            })
            .collect()
    }

    #[test]
    fn the_miss_chance_is_the_binomial_tail_below_the_headline_rank() {
        assert_eq!(miss(0.0, 5), 0.0);
        assert!((miss(0.5, 5) - 0.5f64.powi(5)).abs() < 1e-12, "n <= 10: the fastest process, so all slow");
        // n = 11: the 2nd fastest, so none or one fast.
        let expected = 0.7f64.powi(11) + 11.0 * 0.3 * 0.7f64.powi(10);
        assert!((miss(0.7, 11) - expected).abs() < 1e-12);
        assert_eq!(miss(1.0, 20), 1.0);
    }

    #[test]
    fn a_quiet_machine_keeps_the_floor_and_a_noisy_one_takes_more() {
        assert_eq!(needed(0.0, 5, 20), 5);
        assert_eq!(needed(0.15, 5, 20), 5);
        assert_eq!(needed(0.5, 5, 20), 7);
        assert_eq!(needed(0.6, 5, 20), 10);
        assert_eq!(needed(0.7, 5, 30), 20);
        assert_eq!(needed(0.9, 5, 20), 20, "never reached: the most");
        assert_eq!(needed(0.5, 5, 3), 3, "floor above most");
    }

    #[test]
    fn the_share_counts_processes_beyond_the_band_of_their_cells_fastest() {
        let mut share = SlowShare::default();
        assert_eq!(share.needed(5, 20), 5, "no evidence yet");
        // 10 cells of 5 processes: one fast at 1000, one 2% above (not slow), three 30% above.
        for c in 0..10 {
            for value in [1000.0, 1020.0, 1300.0, 1300.0, 1300.0] {
                share.add(&process(&format!("cell{c}"), value), Metric::RtNs);
            }
        }
        assert_eq!(share.share(), Some(30.0 / 40.0));
        assert_eq!(share.needed(5, 20), needed(0.75, 5, 20));
        assert!(share.needed(5, 20) > 5);
        share.add(&process("cell0", 1.0)[..0], Metric::RtNs);
        assert_eq!(share.share(), Some(0.75), "a process without samples is left out");
    }

    #[test]
    fn too_little_evidence_is_no_share() {
        let mut share = SlowShare::default();
        for value in [1000.0, 2000.0, 2000.0] {
            share.add(&process("only", value), Metric::RtNs);
        }
        assert_eq!(share.share(), None);
    }
}
