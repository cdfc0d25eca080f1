//! Instantiation as a distribution: after a cell's other measurements, in the same process, the
//! worker makes and drops pairs many times (each pair: its environment and its two instances, made
//! as the cell's `instantiate` says, from code the process already holds), timing each pair's making
//! and, apart, its dropping. One unrecorded batch warms the path first; the resident set is read
//! after every batch, so a pair that leaks shows as growth across batches. Then the rate: pairs
//! made and dropped per second by 1 thread and, where the runtime's engine and code may be shared
//! by threads, by `instantiate_threads` threads at once, each with pairs of its own.
//!
//! Wall clock only: under callgrind the times would be valgrind's (`runtime::run` skips them).

use crate::guests::Failure;
use crate::measure::{rss_kib, Measure};
use std::sync::Barrier;
use std::time::Instant;

/// The distribution's samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Distribution {
    /// Nanoseconds to make each recorded pair (environment and instances).
    pub instantiate: Vec<f64>,
    /// Nanoseconds to drop each recorded pair.
    pub teardown: Vec<f64>,
    /// The resident set after each batch, the warm-up batch first, KiB.
    pub rss_kib: Vec<f64>,
}

/// How many batches of how many pairs: the warm-up batch, then `instantiations` pairs in batches
/// of `instantiate_batch` (the last one shorter if they do not divide). None for no
/// instantiations.
fn batches(m: &Measure) -> Option<(u32, Vec<u32>)> {
    let (total, batch) = (m.instantiations, m.instantiate_batch.max(1));
    if total == 0 {
        return None;
    }
    let full = total / batch;
    let mut sizes = vec![batch; full as usize];
    if total % batch > 0 {
        sizes.push(total % batch);
    }
    Some((batch.min(total), sizes))
}

/// Makes and drops `m.instantiations` pairs with `make`, each timed, after a warm-up batch.
pub fn distribution<G>(m: &Measure, mut make: impl FnMut() -> Result<G, Failure>) -> Result<Distribution, Failure> {
    let Some((warmup, sizes)) = batches(m) else {
        return Ok(Distribution::default());
    };
    let mut out = Distribution {
        instantiate: Vec::with_capacity(m.instantiations as usize),
        teardown: Vec::with_capacity(m.instantiations as usize),
        rss_kib: Vec::with_capacity(sizes.len() + 1),
    };
    for _ in 0..warmup {
        drop(make()?);
    }
    out.rss_kib.extend(rss_kib().map(|v| v as f64));
    for size in sizes {
        for _ in 0..size {
            let start = Instant::now();
            let pair = make()?;
            let made = Instant::now();
            drop(pair);
            let dropped = Instant::now();
            out.instantiate.push(made.duration_since(start).as_nanos() as f64);
            out.teardown.push(dropped.duration_since(made).as_nanos() as f64);
        }
        out.rss_kib.extend(rss_kib().map(|v| v as f64));
    }
    Ok(out)
}

/// Nanoseconds per pair made and dropped by one thread, over `m.instantiations` pairs; None for
/// no instantiations.
pub fn serial_ns<G>(m: &Measure, mut make: impl FnMut() -> Result<G, Failure>) -> Result<Option<f64>, Failure> {
    if m.instantiations == 0 {
        return Ok(None);
    }
    let start = Instant::now();
    for _ in 0..m.instantiations {
        drop(make()?);
    }
    Ok(Some(start.elapsed().as_nanos() as f64 / f64::from(m.instantiations)))
}

/// Nanoseconds of wall-clock time per pair when `threads` threads each make and drop
/// `m.instantiations` pairs at once, released together: from the first thread's start to the last
/// one's end, as each thread reads the clock itself (the spawning thread may be scheduled late on a
/// machine with as many CPUs as threads). None for no instantiations or fewer than 2 threads.
pub fn parallel_ns<G>(
    m: &Measure,
    threads: u32,
    make: impl Fn() -> Result<G, Failure> + Sync,
) -> Result<Option<f64>, Failure> {
    if m.instantiations == 0 || threads < 2 {
        return Ok(None);
    }
    let ready = Barrier::new(threads as usize);
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    ready.wait();
                    let start = Instant::now();
                    (0..m.instantiations).try_for_each(|_| make().map(drop)).map(|()| (start, Instant::now()))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join()).collect()
    });
    let mut spans = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        spans.push(outcome.map_err(|_| Failure::Error("an instantiating thread panicked".into()))??);
    }
    let first = spans.iter().map(|(start, _)| *start).min().expect("two threads or more");
    let last = spans.iter().map(|(_, end)| *end).max().expect("two threads or more");
    Ok(Some(last.duration_since(first).as_nanos() as f64 / f64::from(threads * m.instantiations)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn measure(instantiations: u32, instantiate_batch: u32) -> Measure {
        let json = serde_json::json!({"warmup": 1, "samples": 1, "batch": 1, "timeout_s": 1,
            "instantiations": instantiations, "instantiate_batch": instantiate_batch});
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_defaults_measure_a_distribution_on_two_threads() {
        let m: Measure =
            serde_json::from_value(serde_json::json!({"warmup": 1, "samples": 1, "batch": 1, "timeout_s": 1})).unwrap();
        assert_eq!((m.instantiations, m.instantiate_batch, m.instantiate_threads), (20, 5, 2));
    }

    #[test]
    fn every_recorded_pair_is_timed_after_a_warm_up_batch_with_the_resident_set_after_each() {
        let (mut made, mut dropped) = (0, std::rc::Rc::new(std::cell::Cell::new(0)));
        struct Pair(std::rc::Rc<std::cell::Cell<u32>>);
        impl Drop for Pair {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let d = distribution(&measure(25, 10), || {
            made += 1;
            Ok(Pair(dropped.clone()))
        })
        .unwrap();
        assert_eq!((made, dropped.get()), (35, 35), "a warm-up batch of 10, then 25");
        assert_eq!((d.instantiate.len(), d.teardown.len()), (25, 25));
        assert_eq!(d.rss_kib.len(), 4, "after the warm-up and after batches of 10, 10 and 5");
        dropped = std::rc::Rc::new(std::cell::Cell::new(0));
        assert_eq!(distribution(&measure(0, 10), || Ok(Pair(dropped.clone()))).unwrap(), Distribution::default());
        assert_eq!(dropped.get(), 0, "none asked for, none made");
    }

    #[test]
    fn a_failed_instantiation_stops_them() {
        let mut n = 0;
        let failed = distribution(&measure(25, 10), || {
            n += 1;
            if n == 12 {
                Err(Failure::Trap("no".into()))
            } else {
                Ok(())
            }
        });
        assert!(matches!(failed, Err(Failure::Trap(m)) if m == "no"));
        assert_eq!(n, 12);
    }

    #[test]
    fn the_rates_count_every_threads_pairs() {
        let m = measure(30, 10);
        let made = AtomicU32::new(0);
        let make = || {
            made.fetch_add(1, Ordering::Relaxed);
            Ok(())
        };
        assert!(serial_ns(&m, make).unwrap().is_some());
        assert_eq!(made.swap(0, Ordering::Relaxed), 30);
        assert!(parallel_ns(&m, 3, make).unwrap().is_some());
        assert_eq!(made.swap(0, Ordering::Relaxed), 90, "30 pairs on each of 3 threads");
        assert_eq!(parallel_ns(&m, 1, make).unwrap(), None, "one thread is the serial rate");
        assert_eq!(made.load(Ordering::Relaxed), 0);
        let failing = parallel_ns(&m, 2, || Err::<(), _>(Failure::Error("refused".into())));
        assert!(matches!(failing, Err(Failure::Error(m)) if m == "refused"));
    }
}
