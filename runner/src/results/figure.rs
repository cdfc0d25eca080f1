//! The figures of one cell's samples: each metric summarised per worker process, then across the
//! cell's processes (the headline estimator, its bootstrap interval, and the medians the headline
//! replaced), as the results row ([`super::row`]) and the run's stopping rule read them.

use super::metric::{Derived, Metric};
use super::samples::Sample;
use crate::stats::{cv_pct, median, Bootstrap, Headline, Stats};
use std::collections::BTreeMap;

/// The round trip's headline in reference ops, each process's value over its own median
/// reference op (`rt_ref_headline`); `None` unless every process timed the reference.
pub fn ref_headline(samples: &[Sample]) -> Option<f64> {
    ref_headline_of(&per_process(samples, Metric::RtNs), &per_process(samples, Metric::RefNs))
}

/// [`ref_headline`] of the round trip's and the reference's samples, grouped by process (the same
/// processes, in the same order).
pub fn ref_headline_of(rt: &[Vec<f64>], reference: &[Vec<f64>]) -> Option<f64> {
    if rt.is_empty() || rt.len() != reference.len() {
        return None;
    }
    let values: Option<Vec<f64>> =
        rt.iter().zip(reference).map(|(r, re)| Some(Headline::process(r)? / median(re)?)).collect();
    Headline::across(&values?)
}

/// How long a cell's processes took in all, spawn to exit, seconds (`process_s`).
pub fn measured_s(samples: &[Sample]) -> f64 {
    samples.iter().filter(|s| s.is(Metric::ProcessS)).map(|s| s.value).sum()
}

/// One metric's values, grouped by process.
pub(super) fn per_process(samples: &[Sample], metric: Metric) -> Vec<Vec<f64>> {
    by_process(samples, metric).into_values().collect()
}

/// One metric's values by process number.
fn by_process(samples: &[Sample], metric: Metric) -> BTreeMap<u32, Vec<f64>> {
    let mut by: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.is(metric)) {
        by.entry(s.process).or_default().push(s.value);
    }
    by
}

/// A repeated measurement across a cell's processes.
pub struct Figure {
    /// [`Headline::of`] the processes: the headline.
    pub headline: f64,
    /// 95% bootstrap interval of `headline`, resampling processes (two processes or more).
    pub headline_ci: Option<(f64, f64)>,
    /// The median of the per-process medians.
    pub(super) median: f64,
    /// The smallest and largest per-process median.
    pub(super) proc_min: f64,
    pub(super) proc_max: f64,
    /// Coefficient of variation of the per-process medians, percent (two processes or more).
    pub(super) cv_pct: Option<f64>,
    /// 95% bootstrap interval of `median`, resampling processes (two processes or more).
    pub(super) ci: Option<(f64, f64)>,
    /// Every sample of every process together.
    pub(super) pooled: Stats,
}

impl Figure {
    /// Half the width of the headline's interval, percent of the headline: how far it may be off.
    pub fn headline_ci_pct(&self) -> Option<f64> {
        self.headline_ci.map(|(lo, hi)| 100.0 * (hi - lo) / 2.0 / self.headline)
    }
}

/// Bootstrap resamples for a row's intervals: enough that an interval's ends settle within well
/// under 0.1% of the figure, few enough to recompute after every round of a run.
const RESAMPLES: u32 = 2000;

/// The figure of `metric` over a cell's samples; `None` if it has none.
pub fn figure(samples: &[Sample], metric: Metric) -> Option<Figure> {
    figure_of(&per_process(samples, metric))
}

/// The set-up samples of each process that `derived` is made of ([`Derived::parts`]): its
/// repeated set-ups, or where it made none (its first set-up took longer than
/// `setup_budget_ms`), its fresh one.
pub fn derived_samples(samples: &[Sample], derived: Derived) -> Vec<Vec<f64>> {
    let (repeated, fresh) = derived.parts();
    repeated_else_fresh(&by_process(samples, repeated), &by_process(samples, fresh)).into_values().collect()
}

/// Per process (whatever identifies one): its repeated set-ups, or where it made none, its fresh
/// one.
pub fn repeated_else_fresh<K: Ord + Clone>(
    repeated: &BTreeMap<K, Vec<f64>>,
    fresh: &BTreeMap<K, Vec<f64>>,
) -> BTreeMap<K, Vec<f64>> {
    let mut out = repeated.clone();
    for (process, values) in fresh {
        out.entry(process.clone()).or_insert_with(|| values.clone());
    }
    out
}

/// The figure over values grouped by process.
pub fn figure_of(groups: &[Vec<f64>]) -> Option<Figure> {
    let medians: Vec<f64> = groups.iter().filter_map(|g| median(g)).collect();
    let values: Vec<f64> = groups.iter().filter_map(|g| Headline::process(g)).collect();
    let pooled: Vec<f64> = groups.concat();
    let boot = Bootstrap { resamples: RESAMPLES, ..Bootstrap::default() };
    Some(Figure {
        headline: Headline::across(&values)?,
        headline_ci: (values.len() > 1).then(|| boot.headline(&values)).flatten().map(|i| (i.low, i.high)),
        median: median(&medians)?,
        proc_min: medians.iter().copied().fold(f64::INFINITY, f64::min),
        proc_max: medians.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        cv_pct: cv_pct(&medians),
        ci: (medians.len() > 1).then(|| boot.median(&medians)).flatten().map(|i| (i.low, i.high)),
        pooled: Stats::of(&pooled)?,
    })
}

/// A one-shot metric (one sample per process): the median over processes, then min and max.
pub(super) fn one_shot(samples: &[Sample], metric: Metric) -> (Option<u64>, Option<u64>, Option<u64>) {
    let values: Vec<f64> = per_process(samples, metric).concat();
    let (min, max) = (values.iter().copied().reduce(f64::min), values.iter().copied().reduce(f64::max));
    let int = |v: Option<f64>| v.map(|v| v.round() as u64);
    (int(median(&values)), int(min), int(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_without_repeated_set_ups_gives_its_fresh_one() {
        let sample = |process, metric: Metric, value| Sample {
            run_id: "r".into(),
            cell: "c".into(),
            process,
            seq: process,
            metric: metric.name().into(),
            sample: 0,
            value,
        };
        let samples = [
            sample(0, Metric::SetupNs, 900.0),
            sample(0, Metric::SetupWarmNs, 500.0),
            sample(0, Metric::SetupWarmNs, 400.0),
            sample(1, Metric::SetupNs, 80e6),
            sample(2, Metric::RtNs, 1.0),
        ];
        let setup = |s: &[Sample]| derived_samples(s, Derived::Setup);
        assert_eq!(setup(&samples), [vec![500.0, 400.0], vec![80e6]], "process 2 set nothing up");
        assert!(setup(&samples[4..]).is_empty());
        assert!(derived_samples(&samples, Derived::SetupCpu).is_empty(), "no CPU times");
    }
}
