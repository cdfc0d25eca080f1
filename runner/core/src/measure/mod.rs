//! How a worker measures: the `[measure]` settings, and the seam every measurement mechanism
//! implements ([`Mechanism`]): the wall clock ([`clock`]) and instruction counts under callgrind
//! ([`instructions`]). A mechanism only produces raw samples; statistics over them are the
//! runner's (runner/src/stats.rs), never a worker's.

pub mod clock;
pub mod instantiations;
pub mod instructions;
pub mod reference;
pub mod setup;

use crate::guests::Failure;
use serde::{Deserialize, Serialize};

pub use clock::{phase, time};

/// What a cell's samples are measured with (`runner run --measure`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MechanismKind {
    /// Elapsed time, in nanoseconds per operation (batched: one clock read per batch).
    #[default]
    WallClock,
    /// Instructions executed per operation, counted by valgrind's callgrind: independent of the
    /// machine's load and frequency, so it repeats where time does not.
    Instructions,
}

impl MechanismKind {
    pub const ALL: [MechanismKind; 2] = [MechanismKind::WallClock, MechanismKind::Instructions];

    /// The `measure` column's value, and the name `--measure` takes.
    pub fn name(self) -> &'static str {
        match self {
            MechanismKind::WallClock => "wall_clock",
            MechanismKind::Instructions => "instructions",
        }
    }

    /// The unit suffix of the metrics it produces (`rt_ns`, `rt_instructions`).
    pub fn unit(self) -> &'static str {
        match self {
            MechanismKind::WallClock => "ns",
            MechanismKind::Instructions => "instructions",
        }
    }
}

/// One way of measuring a repeated operation.
pub trait Mechanism {
    /// Measures `samples` regions. Before region `k`, `prepare(on, k)` runs unmeasured; region
    /// `k` is `op(on, k)`, which performs `ops` operations. Returns values per operation: one per
    /// region (the wall clock), or fewer where the mechanism pools regions (instruction counts,
    /// which do not vary from one region to the next).
    fn measure<S>(
        &mut self,
        on: &mut S,
        samples: u32,
        ops: u32,
        prepare: impl FnMut(&mut S, u32) -> Result<(), Failure>,
        op: impl FnMut(&mut S, u32) -> Result<(), Failure>,
    ) -> Result<Vec<f64>, Failure>;
}

/// The worker process's peak resident set, in KiB (`VmHWM`), if the OS reports it. Not
/// `getrusage`'s `ru_maxrss`: a process spawned with `vfork` (as `posix_spawn` does) starts with
/// its parent's peak there, the runner's, which hides a smaller worker's own.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// The worker process's virtual size, in KiB (`VmSize`), if the OS reports it: what it has
/// mapped or reserved, resident or not.
pub fn vm_size_kib() -> Option<u64> {
    status_kib("VmSize:")
}

/// The worker process's resident set now, in KiB (`VmRSS`), if the OS reports it.
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// A `KEY: N kB` line of /proc/self/status.
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How often the scheduler moved this process's main thread to another CPU (`se.nr_migrations`
/// in /proc/self/sched), if the kernel reports it.
pub fn cpu_migrations() -> Option<u64> {
    let sched = std::fs::read_to_string("/proc/self/sched").ok()?;
    let line = sched.lines().find(|l| l.starts_with("se.nr_migrations"))?;
    line.split(':').nth(1)?.trim().parse().ok()
}

/// How each cell is measured (the `[measure]` table).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Independent worker processes per cell, interleaved with the other cells' processes; the
    /// row's figures are taken across them.
    #[serde(default = "default_processes")]
    pub processes: u32,
    /// Round trips before timing starts, in each process.
    pub warmup: u32,
    /// Timed batches per process; each batch is one sample.
    pub samples: u32,
    /// Round trips per timed batch, so the clock read is a small part of each sample.
    pub batch: u32,
    /// Bare calls per batch when timing the host->guest call floor.
    #[serde(default = "default_floor_batch")]
    pub floor_batch: u32,
    /// Encodes (or decodes) per batch when timing the codec inside the guests.
    #[serde(default = "default_codec_batch")]
    pub codec_batch: u32,
    /// A cell whose headline round trip is uncertain by more than this (half the width of its
    /// 95% interval, percent of the figure) is marked noisy.
    #[serde(default = "default_noisy_ci_pct")]
    pub noisy_ci_pct: f64,
    /// Run length by precision: a cell stops adding processes once the 95% interval of its
    /// headline round trip is within ±`target_ci_pct` percent (after at least `min_processes`),
    /// or at `processes`, the most it gets. `min_processes` = `processes` runs every process.
    #[serde(default = "default_min_processes")]
    pub min_processes: u32,
    #[serde(default = "default_target_ci_pct")]
    pub target_ci_pct: f64,
    /// A cell's time budget, seconds: after `min_processes`, it stops adding processes once its
    /// processes have taken this long in all (spawn to exit), so that a few slow cells (a
    /// compiler that takes seconds per process) do not take the run's time. 0: no budget.
    #[serde(default)]
    pub cell_budget_s: f64,
    /// The repeated set-up ([`setup`]): at most `setup_repeats` set-ups again per process, as
    /// many as fit in `setup_budget_ms` at the first set-up's speed, at least one (none if
    /// `setup_repeats` is 0).
    #[serde(default = "default_setup_repeats")]
    pub setup_repeats: u32,
    #[serde(default = "default_setup_budget_ms")]
    pub setup_budget_ms: u64,
    /// Wall-clock limit for one worker process, in seconds.
    pub timeout_s: u64,
    /// Memory one worker process may use, in MiB: its data (RLIMIT_DATA: heap and committed wasm
    /// memory, not reserved address space) and every guest memory's maximum. A cell that needs
    /// more ends with status `oom`, and the machine stays usable.
    #[serde(default = "default_memory_limit_mib")]
    pub memory_limit_mib: u64,
    /// Instantiation as a distribution ([`instantiations`]): after the cell's other measurements,
    /// each process makes and drops this many pairs (environment and instances, as the cell's
    /// `instantiate` says), each timed, after one unrecorded batch that warms the path; 0: none.
    #[serde(default = "default_instantiations")]
    pub instantiations: u32,
    /// Pairs per batch of those instantiations: the resident set is read after each batch (the
    /// first, unrecorded, batch included), so a pair that leaks shows as growth across batches.
    #[serde(default = "default_instantiate_batch")]
    pub instantiate_batch: u32,
    /// Instantiations per second are measured with 1 thread and with this many (each thread its
    /// own pairs, as many as `instantiations`), where the runtime's engine and code may be shared
    /// by threads; 1: one thread only.
    #[serde(default = "default_instantiate_threads")]
    pub instantiate_threads: u32,
}

fn default_processes() -> u32 {
    1
}

fn default_min_processes() -> u32 {
    5
}

fn default_target_ci_pct() -> f64 {
    2.0
}

fn default_setup_repeats() -> u32 {
    20
}

fn default_setup_budget_ms() -> u64 {
    50
}

fn default_floor_batch() -> u32 {
    1000
}

fn default_codec_batch() -> u32 {
    100
}

fn default_memory_limit_mib() -> u64 {
    4096
}

// Every process of a cell records its own pairs and the row pools them (5 to 20 processes: 100 to
// 400 pairs), so few per process keep a run's time and its samples file small.
fn default_instantiations() -> u32 {
    20
}

fn default_instantiate_batch() -> u32 {
    5
}

fn default_instantiate_threads() -> u32 {
    2
}

fn default_noisy_ci_pct() -> f64 {
    5.0
}

impl Measure {
    /// The fewest processes a cell runs: `min_processes`, but never more than `processes`.
    pub fn fewest_processes(&self) -> u32 {
        self.min_processes.min(self.processes)
    }

    /// Round trips each process performs in all (first + warm-up + timed); record `i` is sent in
    /// round trip `i`, so every cell of a run covers the same records and checksums agree.
    pub fn round_trips(&self) -> u32 {
        1 + self.warmup + self.samples * self.batch
    }

    /// The settings a cell whose messages carry `records` records runs with: the warm-up, the
    /// round trips per timed batch and the encodes or decodes per codec batch divided by it
    /// (rounded up: a batch of at least one stays at least one), so that a process moves about as many records whatever the
    /// payload, and a message of 65 536 records (~20 MB) does not make a process take hours. The
    /// number of samples, the call floor and everything else stay: a cell's statistics are over as
    /// many samples at every size. Every cell with the same `records` gets the same round trips,
    /// so they share one checksum.
    pub fn for_records(&self, records: u32) -> Measure {
        let per = |n: u32| n.div_ceil(records.max(1));
        Measure { warmup: per(self.warmup), batch: per(self.batch), codec_batch: per(self.codec_batch), ..*self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_divides_the_round_trips_per_batch_and_the_warm_up() {
        let m: Measure =
            serde_json::from_str(r#"{"warmup": 2000, "samples": 50, "batch": 100, "timeout_s": 1}"#).unwrap();
        assert_eq!(m.for_records(1), m);
        let big = m.for_records(256);
        assert_eq!((big.warmup, big.batch, big.codec_batch, big.samples), (8, 1, 1, 50));
        assert_eq!(big.round_trips(), 1 + 8 + 50);
        let odd = m.for_records(16);
        assert_eq!((odd.warmup, odd.batch, odd.codec_batch), (125, 7, 7), "rounded up");
        let none: Measure = serde_json::from_str(r#"{"warmup": 0, "samples": 5, "batch": 1, "timeout_s": 1}"#).unwrap();
        assert_eq!(none.for_records(65536).warmup, 0, "no warm-up stays none");
    }
}
