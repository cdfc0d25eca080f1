//! Statistics over raw samples, kept apart from measuring (runner/core's `measure`): summaries of
//! one process's samples, figures across a cell's processes, and bootstrap intervals. Every
//! figure in a results row and in `runner compare` is computed here from the samples sidecar's
//! values.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Summary of a set of samples, in the samples' unit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
    /// Sample standard deviation.
    pub stddev: f64,
}

impl Stats {
    /// `None` for no samples.
    pub fn of(samples: &[f64]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let sorted = sorted(samples);
        let n = sorted.len();
        let mean = sorted.iter().sum::<f64>() / n as f64;
        Some(Stats {
            min: sorted[0],
            p50: percentile(&sorted, 50.0),
            p90: percentile(&sorted, 90.0),
            p99: percentile(&sorted, 99.0),
            max: sorted[n - 1],
            mean,
            stddev: stddev(&sorted, mean),
        })
    }
}

fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

fn stddev(samples: &[f64], mean: f64) -> f64 {
    let n = samples.len();
    if n < 2 {
        return 0.0;
    }
    (samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Nearest-rank percentile of sorted samples: a value that was actually observed.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median; for an even count, the mean of the two middle values (so that the median of two
/// processes is not simply the faster one).
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let sorted = sorted(samples);
    let n = sorted.len();
    Some(if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 })
}

/// Coefficient of variation in percent: sample standard deviation over mean. `None` for fewer
/// than two values or a zero mean.
pub fn cv_pct(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (mean != 0.0).then(|| 100.0 * stddev(values, mean) / mean.abs())
}

/// The Hodges–Lehmann estimate of the ratio of `b` to `a`: the median of `b_j / a_i` over every
/// pair. As robust as a median (an odd process on either side barely moves it) and almost as
/// precise as a ratio of means, so its bootstrap interval is narrow and smooth even for a
/// handful of processes, where an interval of a ratio of medians jumps between order statistics.
pub fn hodges_lehmann_ratio(a: &[f64], b: &[f64]) -> Option<f64> {
    let mut ratios: Vec<f64> = b.iter().flat_map(|y| a.iter().map(move |x| y / x)).filter(|r| r.is_finite()).collect();
    if ratios.is_empty() {
        return None;
    }
    let n = ratios.len();
    let (_, upper, _) = ratios.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = ratios[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

/// A two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// How a bootstrap is drawn; fixed seed, so the same data always gives the same interval.
#[derive(Clone, Copy, Debug)]
pub struct Bootstrap {
    pub resamples: u32,
    /// For example 0.95.
    pub confidence: f64,
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap { resamples: 10_000, confidence: 0.95, seed: 0x5eed }
    }
}

impl Bootstrap {
    /// Percentile interval of `statistic` over resamples (with replacement) of each group; the
    /// groups are resampled independently. `None` if a group is empty.
    pub fn interval(&self, groups: &[&[f64]], statistic: impl Fn(&[Vec<f64>]) -> f64) -> Option<Interval> {
        if groups.iter().any(|g| g.is_empty()) || self.resamples == 0 {
            return None;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        let mut drawn: Vec<Vec<f64>> = groups.iter().map(|g| Vec::with_capacity(g.len())).collect();
        let mut estimates = Vec::with_capacity(self.resamples as usize);
        for _ in 0..self.resamples {
            for (group, out) in groups.iter().zip(drawn.iter_mut()) {
                out.clear();
                out.extend((0..group.len()).map(|_| group[rng.random_range(0..group.len())]));
            }
            let estimate = statistic(&drawn);
            if estimate.is_finite() {
                estimates.push(estimate);
            }
        }
        if estimates.is_empty() {
            return None;
        }
        estimates.sort_by(f64::total_cmp);
        let tail = (1.0 - self.confidence) / 2.0;
        let at = |q: f64| estimates[((q * estimates.len() as f64) as usize).min(estimates.len() - 1)];
        Some(Interval { low: at(tail), high: at(1.0 - tail) })
    }

    /// Interval of the median of `values` (for example a cell's per-process medians).
    pub fn median(&self, values: &[f64]) -> Option<Interval> {
        self.interval(&[values], |g| median(&g[0]).unwrap_or(f64::NAN))
    }

    /// Interval of the [`hodges_lehmann_ratio`] of `b` to `a`, resampling each independently.
    pub fn hodges_lehmann_ratio(&self, a: &[f64], b: &[f64]) -> Option<Interval> {
        self.interval(&[a, b], |g| hodges_lehmann_ratio(&g[0], &g[1]).unwrap_or(f64::NAN))
    }

    /// Interval of `median(b) / median(a)`, resampling `a` and `b` independently.
    pub fn ratio_of_medians(&self, a: &[f64], b: &[f64]) -> Option<Interval> {
        self.interval(&[a, b], |g| median(&g[1]).unwrap_or(f64::NAN) / median(&g[0]).unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_observed_values() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Stats::of(&samples).unwrap();
        assert_eq!((s.min, s.p50, s.p90, s.p99, s.max), (1.0, 50.0, 90.0, 99.0, 100.0));
        assert!((s.mean - 50.5).abs() < 1e-9);
        assert!((s.stddev - 29.011).abs() < 1e-3);
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn single_sample_has_no_spread() {
        let s = Stats::of(&[7.0]).unwrap();
        assert_eq!((s.min, s.p99, s.stddev), (7.0, 7.0, 0.0));
        assert_eq!(cv_pct(&[7.0]), None);
    }

    #[test]
    fn median_and_cv() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        let cv = cv_pct(&[90.0, 100.0, 110.0]).unwrap();
        assert!((cv - 10.0).abs() < 1e-9, "{cv}");
    }

    #[test]
    fn hodges_lehmann_is_the_median_pairwise_ratio() {
        assert_eq!(hodges_lehmann_ratio(&[1.0, 2.0], &[2.0, 4.0]), Some(2.0), "ratios 2, 1, 4, 2");
        assert_eq!(hodges_lehmann_ratio(&[10.0], &[12.0]), Some(1.2));
        assert_eq!(hodges_lehmann_ratio(&[], &[1.0]), None);
        // one wild process on a side barely moves it
        let a = [100.0, 101.0, 99.0, 100.0, 100.0];
        let b = [100.0, 101.0, 99.0, 100.0, 300.0];
        assert!((hodges_lehmann_ratio(&a, &b).unwrap() - 1.0).abs() < 0.011);
        let a: Vec<f64> = (0..9).map(|i| 100.0 + f64::from(i)).collect();
        let ci = Bootstrap::default().hodges_lehmann_ratio(&a, &a).unwrap();
        assert!(ci.low < 1.0 && ci.high > 1.0 && ci.high < 1.04, "{ci:?}");
    }

    #[test]
    fn bootstrap_intervals_cover_the_estimate_and_repeat() {
        let a: Vec<f64> = (0..9).map(|i| 100.0 + f64::from(i)).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 2.0).collect();
        let boot = Bootstrap::default();
        let ci = boot.ratio_of_medians(&a, &b).unwrap();
        assert!(ci.low <= 2.0 && 2.0 <= ci.high && ci.high - ci.low < 0.2, "{ci:?}");
        assert_eq!(boot.ratio_of_medians(&a, &b), Some(ci), "same seed, same interval");
        let same = boot.ratio_of_medians(&a, &a).unwrap();
        assert!(same.low < 1.0 && same.high > 1.0 && same.high < 1.06, "{same:?}");
        let m = boot.median(&a).unwrap();
        assert!(m.low <= 104.0 && 104.0 <= m.high, "{m:?}");
        assert_eq!(boot.median(&[]), None);
    }
}
