//! Timing and statistics. Latencies are timed in batches: one clock read around `batch` round
//! trips, so the clock's own cost (~20 ns) is a small part of each sample; percentiles are taken
//! over the batch means.

use crate::guests::Failure;
use serde::Deserialize;
use std::time::Instant;

/// Times `f` once, in nanoseconds.
pub fn time<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_nanos() as u64)
}

/// Runs `samples` batches of `batch` operations (`op(k)` runs batch `k`) and returns the mean
/// time per operation of each batch, in nanoseconds.
pub fn batch_means(
    samples: u32,
    batch: u32,
    mut op: impl FnMut(u32) -> Result<(), Failure>,
) -> Result<Vec<f64>, Failure> {
    let mut means = Vec::with_capacity(samples as usize);
    for k in 0..samples {
        let start = Instant::now();
        op(k)?;
        means.push(start.elapsed().as_nanos() as f64 / f64::from(batch));
    }
    Ok(means)
}

/// Summary of a set of samples, in the samples' unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
    pub fn of(samples: &[f64]) -> Stats {
        if samples.is_empty() {
            return Stats::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let var = if n > 1 { sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
        Stats {
            min: sorted[0],
            p50: percentile(&sorted, 50.0),
            p90: percentile(&sorted, 90.0),
            p99: percentile(&sorted, 99.0),
            max: sorted[n - 1],
            mean,
            stddev: var.sqrt(),
        }
    }
}

/// Nearest-rank percentile of sorted samples: a value that was actually observed.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The worker process's peak resident set, in KiB (`VmHWM`), if the OS reports it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How each cell is measured (the `[measure]` table).
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Round trips before timing starts.
    pub warmup: u32,
    /// Timed batches; latency percentiles are taken over their means.
    pub samples: u32,
    /// Round trips per timed batch, so the clock read is a small part of each sample.
    pub batch: u32,
    /// Bare calls per batch when timing the host->guest call floor.
    #[serde(default = "default_floor_batch")]
    pub floor_batch: u32,
    /// Encodes (or decodes) per batch when timing the codec inside the guests.
    #[serde(default = "default_codec_batch")]
    pub codec_batch: u32,
    /// Wall-clock limit for one worker process, in seconds.
    pub timeout_s: u64,
}

fn default_floor_batch() -> u32 {
    1000
}

fn default_codec_batch() -> u32 {
    100
}

impl Measure {
    /// Round trips a cell performs in all (first + warm-up + timed); record `i` is sent in
    /// round trip `i`, so every cell of a run covers the same records and checksums agree.
    pub fn round_trips(&self) -> u32 {
        1 + self.warmup + self.samples * self.batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_observed_values() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Stats::of(&samples);
        assert_eq!((s.min, s.p50, s.p90, s.p99, s.max), (1.0, 50.0, 90.0, 99.0, 100.0));
        assert!((s.mean - 50.5).abs() < 1e-9);
        assert!((s.stddev - 29.011).abs() < 1e-3);
    }

    #[test]
    fn single_sample_has_no_spread() {
        let s = Stats::of(&[7.0]);
        assert_eq!((s.min, s.p99, s.stddev), (7.0, 7.0, 0.0));
    }

    #[test]
    fn batch_means_divide_by_batch() {
        let means = batch_means(3, 10, |_| Ok(())).unwrap();
        assert_eq!(means.len(), 3);
        assert!(means.iter().all(|m| *m >= 0.0));
    }
}
