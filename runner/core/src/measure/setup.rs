//! The repeated set-up: after a worker has set its pair up once (the fresh-process set-up, one
//! sample per process) and measured it, it sets the same pair up again several times in the same
//! process, each timed and dropped: what a host that already runs wasm pays for another pair, with
//! the process's first-use costs gone. One sample per process cannot give a figure that repeats on
//! a noisy machine; many per process can (docs/measuring.md). The repeats come after the round
//! trips, so the cold start (spawn to first round trip) holds none of them.
//!
//! How many times is set by time, so slow compilers do not dominate a run: as many repeats as fit
//! in the matrix's `setup_budget_ms` (50) at the speed of the first set-up, at most its
//! `setup_repeats`; none when the first set-up alone took longer than the budget (a compile of a
//! second or more): then the fresh set-ups are the cell's set-up samples, one per process, which
//! repeat as well as a second compile would (docs/measuring.md), at half the cost. The V8 worker
//! (runner/v8/worker.mjs) follows the same rule.

use crate::guests::Failure;
use crate::measure::clock::time_and_cpu;
use crate::measure::Measure;

/// How many repeats, for a first set-up that took `first_ns`.
pub fn repeats(m: &Measure, first_ns: u64) -> u32 {
    let fit = m.setup_budget_ms.saturating_mul(1_000_000) / first_ns.max(1);
    fit.min(u64::from(m.setup_repeats)) as u32
}

/// The repeated set-ups' samples, nanoseconds per set-up: on the wall clock, and in the process's
/// CPU time (every thread's, so a compiler's helper threads count and its waits for a CPU do not).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Repeats {
    pub wall: Vec<f64>,
    pub cpu: Vec<f64>,
}

/// Sets up again [`repeats`] times with `again`, timing each (the result is dropped after its
/// time is taken). The caller has said it entered the `repeated set-up` phase.
pub fn repeat<T>(
    m: &Measure,
    first_ns: u64,
    mut again: impl FnMut() -> Result<T, Failure>,
) -> Result<Repeats, Failure> {
    let n = repeats(m, first_ns) as usize;
    let mut out = Repeats { wall: Vec::with_capacity(n), cpu: Vec::with_capacity(n) };
    for _ in 0..n {
        let (pair, ns, cpu) = time_and_cpu(&mut again);
        drop(pair?);
        out.wall.push(ns as f64);
        out.cpu.push(cpu as f64);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(setup_repeats: u32) -> Measure {
        let json =
            serde_json::json!({"warmup": 1, "samples": 1, "batch": 1, "timeout_s": 1, "setup_repeats": setup_repeats});
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_budget_sets_the_count_within_its_bounds() {
        let m = measure(20);
        assert_eq!(m.setup_budget_ms, 50, "the default budget");
        assert_eq!(repeats(&m, 1_000), 20, "a 1 µs set-up repeats the most");
        assert_eq!(repeats(&m, 5_000_000), 10, "5 ms: ten fit in 50 ms");
        assert_eq!(repeats(&m, 50_000_000), 1, "50 ms: one fits");
        assert_eq!(repeats(&m, 50_000_001), 0, "longer than the budget: the fresh set-up is the sample");
        assert_eq!(repeats(&m, 2_000_000_000), 0, "a 2 s compile is not repeated");
        assert_eq!(repeats(&m, 0), 20);
        assert_eq!(repeats(&measure(0), 1_000), 0, "a matrix may ask for none");
    }

    #[test]
    fn every_repeat_is_timed_and_a_failure_stops_them() {
        let mut calls = 0;
        let samples = repeat(&measure(20), 40_000_000, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((calls, samples.wall.len(), samples.cpu.len()), (1, 1, 1));
        let failed = repeat(&measure(20), 1_000, || Err::<(), _>(Failure::Error("no".into())));
        assert!(matches!(failed, Err(Failure::Error(m)) if m == "no"));
    }
}
