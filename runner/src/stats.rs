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

/// The nearest-rank quantile `p` (0 to 1) of unsorted values: an observed value, the
/// `ceil(p * n)`-th smallest (the smallest for p = 0). `None` for no values.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    Some(quantile_in_place(&mut v, p))
}

/// [`quantile`] of a non-empty buffer, reordering it.
fn quantile_in_place(values: &mut [f64], p: f64) -> f64 {
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    *values.select_nth_unstable_by(rank - 1, f64::total_cmp).1
}

/// The headline estimator: what every headline figure of a results row (`*_headline_*`), the
/// summary, `runner report`, `runner compare` and the notebooks read. Each worker process is
/// summarised by a low quantile of its samples ([`Headline::WITHIN`]), and the cell by a low
/// quantile of those ([`Headline::ACROSS`]). Chosen by measured repeatability: on a machine whose
/// speed drifts between and within runs, a process runs mostly in a fast state or mostly in a slow
/// one, and medians carry the share of slow ones, which changes from run to run; low quantiles at
/// both levels read the fast state, which repeats. Within a process the p2 (with 50 samples, the
/// fastest; with 100, the second fastest) finds the fast state in a process that was mostly slow,
/// where its p10 did not; across processes the p10, unlike a minimum, has a usable bootstrap
/// interval (docs/measuring.md has the tables that chose it, and `runner calibrate` remakes them).
pub struct Headline;

impl Headline {
    /// Quantile of a process's samples.
    pub const WITHIN: f64 = 0.02;
    /// Quantile across the cell's processes.
    pub const ACROSS: f64 = 0.10;
    /// The `headline_estimator` column's value.
    pub const NAME: &'static str = "p10 of process p2s";

    /// One process's value: [`Headline::WITHIN`] of its samples.
    pub fn process(samples: &[f64]) -> Option<f64> {
        quantile(samples, Self::WITHIN)
    }

    /// The cell's figure from its processes' values.
    pub fn across(process_values: &[f64]) -> Option<f64> {
        quantile(process_values, Self::ACROSS)
    }

    /// The cell's figure from its samples grouped by process.
    pub fn of(groups: &[Vec<f64>]) -> Option<f64> {
        let values: Vec<f64> = groups.iter().filter_map(|g| Self::process(g)).collect();
        Self::across(&values)
    }
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

    /// Interval of [`Headline::across`] of `process_values`, resampling processes.
    pub fn headline(&self, process_values: &[f64]) -> Option<Interval> {
        self.interval(&[process_values], |g| across_in_place(&g[0]))
    }

    /// Interval of the ratio of [`Headline::across`] of `b` to that of `a`, resampling each
    /// side's processes independently.
    pub fn headline_ratio(&self, a: &[f64], b: &[f64]) -> Option<Interval> {
        self.interval(&[a, b], |g| across_in_place(&g[1]) / across_in_place(&g[0]))
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

/// [`Headline::across`] of a resample (copied: the bootstrap reuses its buffers).
fn across_in_place(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    quantile_in_place(&mut v, Headline::ACROSS)
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
    fn quantiles_are_nearest_rank_observed_values() {
        let v: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        assert_eq!(quantile(&v, 0.10), Some(2.0), "the 2nd smallest of 20");
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(20.0));
        assert_eq!(quantile(&v[..5], 0.10), Some(16.0), "of 5 values, the smallest");
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn the_headline_reads_the_fast_processes_and_ignores_slow_spells() {
        // Twenty processes of twenty samples: eight fast, twelve slowed by a noisy spell; every
        // process has two samples slowed further.
        let process =
            |x: f64| -> Vec<f64> { (0..20).map(|k| if k < 2 { x * 3.0 } else { x + f64::from(k) }).collect() };
        let mut groups: Vec<Vec<f64>> = (0..8).map(|i| process(100.0 + f64::from(i))).collect();
        groups.extend((0..12).map(|i| process(130.0 + f64::from(i))));
        // A process's p2 is its smallest sample (x + 2); the cell's p10, its 2nd fastest process.
        assert_eq!(Headline::process(&groups[0]), Some(102.0));
        assert_eq!(Headline::of(&groups), Some(103.0));
        let values: Vec<f64> = groups.iter().filter_map(|g| Headline::process(g)).collect();
        let ci = Bootstrap::default().headline(&values).unwrap();
        assert!(ci.low == 102.0 && ci.high <= 109.0, "the fast processes bound it: {ci:?}");
        let few: Vec<f64> = values[6..].to_vec();
        let wide = Bootstrap::default().headline(&few).unwrap();
        assert!(wide.high > 130.0, "two fast of fourteen: the headline is uncertain, and says so: {wide:?}");
        let same = Bootstrap::default().headline_ratio(&values, &values).unwrap();
        assert!(same.low <= 1.0 && same.high >= 1.0 && same.high < 1.05, "{same:?}");
        let slower: Vec<f64> = values.iter().map(|v| v * 1.1).collect();
        let ratio = Headline::across(&slower).unwrap() / Headline::across(&values).unwrap();
        assert!((ratio - 1.1).abs() < 1e-9);
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
