//! The wall clock: each sample is one batch of operations between two reads of a monotonic
//! clock, divided by the batch size, so the clock's own cost (~20 ns) is a small part of it.

use super::Mechanism;
use crate::guests::Failure;
use std::time::Instant;

/// Times `f` once, in nanoseconds.
pub fn time<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_nanos() as u64)
}

/// The CPU time this process has used so far, every thread's (`CLOCK_PROCESS_CPUTIME_ID`), in
/// nanoseconds; 0 where the OS cannot say. A compile on several threads that waits for CPUs other
/// work holds takes longer on the wall clock but no more CPU time, which is why set-ups record both
/// (docs/measuring.md, "Set-up").
pub fn cpu_time_ns() -> u64 {
    clock_ns(nix::time::ClockId::CLOCK_PROCESS_CPUTIME_ID)
}

/// The system-wide monotonic clock (`CLOCK_MONOTONIC`, which Rust's `Instant`, Node's
/// `process.hrtime` and libuv read on Linux), in nanoseconds; 0 where the OS cannot say. Readings
/// compare across processes: the runner's at a worker's spawn, the worker's when its `main` begins.
pub fn monotonic_ns() -> u64 {
    clock_ns(nix::time::ClockId::CLOCK_MONOTONIC)
}

/// `clock` now, in nanoseconds; 0 where the OS cannot say.
fn clock_ns(clock: nix::time::ClockId) -> u64 {
    nix::time::clock_gettime(clock)
        .map_or(0, |t| (t.tv_sec() as u64).saturating_mul(1_000_000_000).saturating_add(t.tv_nsec() as u64))
}

/// Times `f` once, on the wall clock and in the process's CPU time ([`cpu_time_ns`]), in
/// nanoseconds.
pub fn time_and_cpu<T>(f: impl FnOnce() -> T) -> (T, u64, u64) {
    let cpu = cpu_time_ns();
    let (out, ns) = time(f);
    (out, ns, cpu_time_ns().saturating_sub(cpu))
}

/// Times one set-up phase into `slot`, which gets a figure only if the phase completed: a failed
/// phase (an instantiation refused, a module that does not compile) leaves its column empty
/// rather than timing the failure. Every worker's phases go through here.
pub fn phase<T, E>(slot: &mut Option<u64>, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let (out, ns) = time(f);
    if out.is_ok() {
        *slot = Some(ns);
    }
    out
}

/// The floor a worker's instantiation is held to (each worker crate's `examples/bare_instantiate`:
/// the runtime's own calls making a pair, no harness): `make` makes one pair (its store and both
/// instances), timed alone, after a warm-up, as the worker's distribution times each pair
/// ([`crate::measure::instantiations`]); each is dropped untimed. The median ns per pair.
pub fn bare_instantiate_median_ns<T, E>(mut make: impl FnMut() -> Result<T, E>) -> Result<f64, E> {
    let (warmup, pairs) = (100, 2000);
    for _ in 0..warmup {
        drop(make()?);
    }
    let mut each = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let start = Instant::now();
        let pair = make()?;
        each.push(start.elapsed().as_nanos() as f64);
        drop(pair);
    }
    each.sort_by(f64::total_cmp);
    Ok(each[pairs / 2])
}

/// The floor a worker's bare call is held to (each worker crate's `examples/bare_call`, no harness
/// around the runtime's own typed call of the consumer's `ping`): the median ns per call over timed
/// batches of dependent calls, after a warm-up, one clock read per batch, as the worker times its
/// call floor.
pub fn bare_call_median_ns<E>(mut ping: impl FnMut(u32) -> Result<u32, E>) -> Result<f64, E> {
    let (warmup, samples, batch) = (100_000, 50, 2000);
    let mut x = 0;
    for _ in 0..warmup {
        x = ping(x)?;
    }
    let mut per_call = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        for _ in 0..batch {
            x = ping(x)?;
        }
        per_call.push(start.elapsed().as_nanos() as f64 / f64::from(batch));
    }
    std::hint::black_box(x);
    per_call.sort_by(f64::total_cmp);
    Ok(per_call[samples / 2])
}

/// Batched wall-clock timing: one sample per region, in nanoseconds per operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct WallClock;

impl Mechanism for WallClock {
    fn measure<S>(
        &mut self,
        on: &mut S,
        samples: u32,
        ops: u32,
        mut prepare: impl FnMut(&mut S, u32) -> Result<(), Failure>,
        mut op: impl FnMut(&mut S, u32) -> Result<(), Failure>,
    ) -> Result<Vec<f64>, Failure> {
        let mut means = Vec::with_capacity(samples as usize);
        for k in 0..samples {
            prepare(on, k)?;
            let start = Instant::now();
            op(on, k)?;
            means.push(start.elapsed().as_nanos() as f64 / f64::from(ops));
        }
        Ok(means)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_region_divided_by_its_operations() {
        let mut prepared = Vec::new();
        let means = WallClock
            .measure(
                &mut prepared,
                3,
                10,
                |prepared, k| {
                    prepared.push(k);
                    Ok(())
                },
                |_, _| {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(prepared, [0, 1, 2]);
        assert_eq!(means.len(), 3);
        assert!(means.iter().all(|m| *m >= 100_000.0), "1 ms over 10 operations: {means:?}");
    }

    #[test]
    fn cpu_time_counts_work_and_not_sleep() {
        // The process's clock counts every thread's CPU, and the other tests of this binary run on
        // threads of this process: a sleep must count well under its length at least once in a
        // few tries (once the other tests are done, its own CPU is a few µs).
        let slept = (0..10)
            .map(|_| time_and_cpu(|| std::thread::sleep(std::time::Duration::from_millis(20))).2)
            .find(|&slept| slept < 10_000_000)
            .unwrap_or(u64::MAX);
        // Spin until this thread has had 20 ms of a CPU (its own clock), however long a loaded
        // machine takes to give it that: the process's clock must count at least as much.
        let thread_ns = || {
            use nix::time::{clock_gettime, ClockId};
            let t = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).unwrap();
            t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64
        };
        let (_, _, worked) = time_and_cpu(|| {
            let start = thread_ns();
            let mut x = 0u64;
            while thread_ns() - start < 20_000_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        });
        assert!(slept < 10_000_000, "each of ten 20 ms sleeps used 10 ms or more of the process's CPU");
        assert!(worked >= 20_000_000, "20 ms of a thread's spinning counted {worked} ns of the process's CPU");
    }

    #[test]
    fn a_phase_has_a_figure_only_if_it_completed() {
        let mut slot = None;
        assert_eq!(phase(&mut slot, || Ok::<_, Failure>(7)).unwrap(), 7);
        assert!(slot.is_some());
        let mut failed = None;
        let out = phase(&mut failed, || Err::<(), _>(Failure::OutOfMemory("4 GiB".into())));
        assert!(out.is_err());
        assert_eq!(failed, None, "a failed phase leaves its column empty");
    }
}
