//! The machine's speed over a run, as the end-of-run summary tells it.

use super::metric::Metric;
use super::samples::Sample;
use crate::stats::{median, quantile};

/// The machine's speed over a run, from the in-process reference every Rust worker times beside
/// its round trips (`ref_ns`): one value per process (its median), in the order they ran.
#[derive(Default)]
pub struct Drift {
    per_process: Vec<f64>,
}

impl Drift {
    /// Takes one process's samples.
    pub fn add(&mut self, samples: &[Sample]) {
        let reference: Vec<f64> = samples.iter().filter(|s| s.is(Metric::RefNs)).map(|s| s.value).collect();
        self.per_process.extend(median(&reference));
    }

    /// A line on how the reference moved over the run, or nothing without reference samples.
    pub fn render(&self) -> String {
        let v = &self.per_process;
        if v.len() < 10 {
            return String::new();
        }
        let tenth = v.len() / 10;
        let (first, last) =
            (median(&v[..tenth]).unwrap_or(f64::NAN), median(&v[v.len() - tenth..]).unwrap_or(f64::NAN));
        let q = |p| quantile(v, p).unwrap_or(f64::NAN);
        format!(
            "machine speed over the run (in-process reference, ns per op, median of each of {} processes): \
             p10 {:.1}, p50 {:.1}, p90 {:.1} (p90/p10 {:+.1}%); first tenth of the run {first:.1}, last tenth {last:.1} \
             ({:+.1}%)\n",
            v.len(),
            q(0.1),
            q(0.5),
            q(0.9),
            100.0 * (q(0.9) / q(0.1) - 1.0),
            100.0 * (last / first - 1.0)
        )
    }
}
