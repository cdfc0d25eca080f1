//! How a change becomes a verdict on a machine whose speed drifts: the machine-wide shift, the
//! spread between runs that a cell's own interval does not see, and the verdict rule.
//!
//! Two runs of the same code on a cloud VM differ by a shift that moves every cell alike (the
//! machine was faster or slower that hour) plus a little per-cell scatter between runs (where each
//! process landed), on top of the sampling noise that a cell's bootstrap interval measures. So,
//! per metric, when at least [`MIN_CELLS`] cells are compared:
//! - the **shift** is the median over cells of the change (in logs): reported once, as the
//!   machine, and every cell's change is read against it (`--absolute` reads them as measured);
//! - the **between-run scatter** is what the spread of the cells' changes around the shift
//!   (1.4826 × their median absolute deviation, a robust standard deviation) has beyond what their
//!   intervals already explain; each interval is widened by it.
//!
//! The verdict of a change `r` with interval `[lo, hi]` (both read against the shift), threshold `t`:
//! `no change` if `[lo, hi]` is within `[1 - t, 1 + t]`; `slower` if `lo > 1` and `r >= 1 + t/2`;
//! `faster` if `hi < 1` and `r <= 1 / (1 + t/2)`; else `unsure`. The half-threshold floor keeps a
//! change that is real but too small to matter from being called one. Measured on A/A pairs and
//! with injected changes by `runner calibrate` (docs/measuring.md).

use crate::results::metric::Metric;
use crate::stats::{self, Interval};

/// The fewest compared cells of a metric from which a shift and a scatter are estimated.
pub const MIN_CELLS: usize = 10;

/// z of a two-sided 95% interval.
const Z95: f64 = 1.959_964;

/// A metric's machine-wide shift between two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    pub metric: Metric,
    /// B over A, the median over cells.
    pub ratio: f64,
    /// How many cells it was estimated from.
    pub cells: usize,
    /// The robust standard deviation of the cells' log changes around it.
    pub spread: f64,
    /// The between-run scatter added to every interval (a log standard deviation; 0 if the
    /// intervals explain the spread).
    pub scatter: f64,
}

impl Shift {
    /// From the changes of one metric's cells (`ratios`, B over A) and their intervals.
    pub fn estimate(metric: Metric, ratios: &[f64], intervals: &[Option<Interval>]) -> Option<Shift> {
        let logs: Vec<f64> = ratios.iter().filter(|r| r.is_finite() && **r > 0.0).map(|r| r.ln()).collect();
        if logs.len() < MIN_CELLS {
            return None;
        }
        let center = stats::median(&logs)?;
        let deviations: Vec<f64> = logs.iter().map(|l| (l - center).abs()).collect();
        let spread = 1.4826 * stats::median(&deviations)?;
        let sampling: Vec<f64> = intervals.iter().flatten().map(|i| log_half_width(*i) / Z95).collect();
        let explained = stats::median(&sampling).unwrap_or(0.0);
        let scatter = (spread * spread - explained * explained).max(0.0).sqrt();
        Some(Shift { metric, ratio: center.exp(), cells: logs.len(), spread, scatter })
    }

    /// A change and its interval read against the shift, the interval widened by the scatter.
    pub fn apply(&self, ratio: f64, interval: Option<Interval>) -> (f64, Option<Interval>) {
        let read = |x: f64| x / self.ratio;
        let interval = interval.map(|i| {
            let mid = (i.low.ln() + i.high.ln()) / 2.0 - self.ratio.ln();
            let half = (log_half_width(i).powi(2) + (Z95 * self.scatter).powi(2)).sqrt();
            Interval { low: (mid - half).exp(), high: (mid + half).exp() }
        });
        (if ratio == 1.0 && self.ratio == 1.0 { 1.0 } else { read(ratio) }, interval)
    }
}

fn log_half_width(i: Interval) -> f64 {
    if i.low > 0.0 && i.high > 0.0 {
        (i.high.ln() - i.low.ln()) / 2.0
    } else {
        f64::INFINITY
    }
}

/// The verdict rule (see the module documentation). `processes` is the smaller side's count.
pub fn verdict(ratio: f64, interval: Option<Interval>, processes: usize, threshold: f64) -> super::Verdict {
    use super::Verdict;
    if processes < 2 {
        return if ratio == 1.0 { Verdict::NoChange } else { Verdict::Unsure };
    }
    let Some(Interval { low, high }) = interval else {
        return Verdict::Unsure;
    };
    let floor = 1.0 + threshold / 2.0;
    if 1.0 - threshold <= low && high <= 1.0 + threshold {
        Verdict::NoChange
    } else if low > 1.0 && ratio >= floor {
        Verdict::Slower
    } else if high < 1.0 && ratio <= 1.0 / floor {
        Verdict::Faster
    } else {
        Verdict::Unsure
    }
}

#[cfg(test)]
mod tests {
    use super::super::Verdict;
    use super::*;

    fn ci(low: f64, high: f64) -> Option<Interval> {
        Some(Interval { low, high })
    }

    #[test]
    fn interval_inside_the_band_is_no_change() {
        assert_eq!(verdict(1.0, ci(0.96, 1.04), 5, 0.05), Verdict::NoChange);
        assert_eq!(verdict(1.0, ci(0.95, 1.05), 5, 0.05), Verdict::NoChange, "the band's edges are inside");
        assert_eq!(verdict(1.02, ci(1.01, 1.03), 5, 0.05), Verdict::NoChange, "significant but within the band");
    }

    #[test]
    fn interval_beyond_the_band_on_one_side_of_one_is_slower_or_faster() {
        assert_eq!(verdict(2.0, ci(1.9, 2.1), 5, 0.05), Verdict::Slower);
        assert_eq!(verdict(1.05, ci(1.01, 1.08), 5, 0.05), Verdict::Slower, "above 1, reaching beyond the band");
        assert_eq!(verdict(0.5, ci(0.45, 0.55), 5, 0.05), Verdict::Faster);
        assert_eq!(verdict(0.95, ci(0.9, 0.99), 5, 0.05), Verdict::Faster);
    }

    #[test]
    fn a_real_change_below_half_the_threshold_is_not_called_one() {
        assert_eq!(verdict(1.02, ci(1.005, 1.06), 5, 0.05), Verdict::Unsure);
        assert_eq!(verdict(0.98, ci(0.94, 0.995), 5, 0.05), Verdict::Unsure);
        assert_eq!(verdict(1.03, ci(1.005, 1.06), 5, 0.05), Verdict::Slower);
    }

    #[test]
    fn interval_straddling_one_beyond_the_band_is_unsure() {
        assert_eq!(verdict(1.0, ci(0.6, 1.6), 3, 0.05), Verdict::Unsure);
        assert_eq!(verdict(1.0, ci(0.99, 1.2), 3, 0.05), Verdict::Unsure);
        assert_eq!(verdict(1.0, None, 3, 0.05), Verdict::Unsure, "no interval");
    }

    #[test]
    fn one_process_a_side_is_no_change_only_if_identical() {
        assert_eq!(verdict(1.0, None, 1, 0.05), Verdict::NoChange);
        assert_eq!(verdict(1.01, None, 1, 0.05), Verdict::Unsure, "inside the band, but the spread is unknown");
        assert_eq!(verdict(2.0, None, 1, 0.05), Verdict::Unsure);
        assert_eq!(verdict(2.0, ci(2.0, 2.0), 0, 0.05), Verdict::Unsure);
    }

    #[test]
    fn a_shift_of_every_cell_is_the_machine_and_one_cell_apart_stands_out() {
        // Every cell 10% faster, scattered by ±0.5%, one cell 10% slower than the rest.
        let mut ratios: Vec<f64> = (0..40).map(|i| 0.9 * (1.0 + 0.005 * ((i % 5) as f64 - 2.0) / 2.0)).collect();
        ratios[7] = 0.99;
        let intervals: Vec<Option<Interval>> = ratios.iter().map(|r| ci(r * 0.99, r * 1.01)).collect();
        let shift = Shift::estimate(Metric::RtNs, &ratios, &intervals).unwrap();
        assert!((shift.ratio - 0.9).abs() < 0.003, "{shift:?}");
        assert_eq!(shift.cells, 40);
        let (r, i) = shift.apply(ratios[0], intervals[0]);
        assert_eq!(verdict(r, i, 10, 0.05), Verdict::NoChange, "{r} {i:?}");
        let (r, i) = shift.apply(ratios[7], intervals[7]);
        assert_eq!(verdict(r, i, 10, 0.05), Verdict::Slower, "{r} {i:?}");
        assert!(Shift::estimate(Metric::RtNs, &ratios[..9], &intervals[..9]).is_none(), "too few cells");
    }

    #[test]
    fn a_scatter_the_intervals_do_not_explain_widens_them() {
        let ratios: Vec<f64> = (0..20).map(|i| 1.0 + 0.04 * ((i % 2) as f64 * 2.0 - 1.0)).collect();
        let tight: Vec<Option<Interval>> = ratios.iter().map(|r| ci(r * 0.999, r * 1.001)).collect();
        let shift = Shift::estimate(Metric::RtNs, &ratios, &tight).unwrap();
        assert!(shift.scatter > 0.03, "{shift:?}");
        let (_, widened) = shift.apply(ratios[0], tight[0]);
        let w = widened.unwrap();
        assert!(w.high / w.low > 1.1, "{w:?}");
        let identical = vec![1.0; 20];
        let shift = Shift::estimate(Metric::RtNs, &identical, &tight).unwrap();
        assert_eq!((shift.ratio, shift.scatter), (1.0, 0.0));
        assert_eq!(shift.apply(1.0, None), (1.0, None));
    }
}
