//! One cell, inside its own process: the protocol between the supervisor and a worker, and the
//! measuring every cell shares. A worker binary sets the guests up as its engine says and hands
//! them to [`exercise`] through [`serve`]; the report goes to the supervisor as one JSON line. A
//! trap, crash or hang therefore costs one row, never the run.

use crate::cell::Cell;
use crate::guests::{Failure, GuestFiles, Guests};
use crate::measure::{batch_means, peak_rss_kib, time, Measure, Stats};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;

/// Printed when the guests are instantiated and the first round trip is done: the supervisor
/// times the process's cold start to this line.
pub const READY_LINE: &str = "wasmatrix-worker-ready";
/// Prefix of the line carrying the [`Report`].
pub const REPORT_PREFIX: &str = "wasmatrix-worker-report ";

/// What a worker process is asked to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub cell: Cell,
    pub measure: Measure,
    /// The guests' `.wasm` files; `None` for the native engine.
    pub guests: Option<GuestFiles>,
    /// Where the `artifact` engine's precompiled guests are written and read.
    pub artifacts: PathBuf,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Compile both guests and serialize them to `artifacts` (the `artifact` engine, in a
    /// process of its own so the measured one has never compiled).
    Precompile,
    /// Set up the guests and measure them.
    Measure,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    Trap,
    Error,
}

/// What a worker measured, as far as it got.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub compile_ns: Option<u64>,
    pub artifact_bytes: Option<u64>,
    pub load_ns: Option<u64>,
    pub instantiate_ns: Option<u64>,
    pub first_round_trip_ns: Option<u64>,
    pub round_trip: Option<Stats>,
    pub call_floor: Option<Stats>,
    /// Per message, inside the guests.
    pub encode: Option<Stats>,
    pub decode: Option<Stats>,
    pub request_bytes_mean: Option<f64>,
    pub reply_bytes_mean: Option<f64>,
    pub copied_bytes_per_round_trip: Option<f64>,
    pub checksum: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    pub failure: Option<(FailureKind, String)>,
}

/// A worker process's whole life: run `work` (which sets the guests up and calls [`exercise`],
/// or precompiles), then print the report, whatever happened.
pub fn serve(job: &Job, work: impl FnOnce(&Job, &mut Report) -> Result<(), Failure>) {
    let mut report = Report::default();
    if let Err(failure) = work(job, &mut report) {
        report.failure = Some(match failure {
            Failure::Trap(m) => (FailureKind::Trap, m),
            Failure::Error(m) => (FailureKind::Error, m),
        });
    }
    report.peak_rss_kib = peak_rss_kib();
    let line = serde_json::to_string(&report).expect("a report serializes");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{REPORT_PREFIX}{line}").and_then(|()| out.flush());
}

/// The measured part every cell shares: first round trip, warm-up, timed round trips, the call
/// floor, and the proof of work.
pub fn exercise<G: Guests>(mut guests: G, m: &Measure, report: &mut Report) -> Result<(), Failure> {
    let (first, ns) = time(|| guests.round_trip(0));
    first?;
    report.first_round_trip_ns = Some(ns);
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{READY_LINE}").and_then(|()| out.flush());
    }

    guests.round_trips(1, m.warmup)?;
    let timed_from = 1 + m.warmup;
    let means = batch_means(m.samples, m.batch, |k| guests.round_trips(timed_from + k * m.batch, m.batch))?;
    report.round_trip = Some(Stats::of(&means));
    let floor = batch_means(m.samples, m.floor_batch, |_| {
        guests.pings(m.floor_batch).map(|x| {
            std::hint::black_box(x);
        })
    })?;
    report.call_floor = Some(Stats::of(&floor));

    let round_trips = f64::from(m.round_trips());
    let traffic = guests.traffic();
    report.request_bytes_mean = Some(traffic.request_bytes as f64 / round_trips);
    report.reply_bytes_mean = Some(traffic.reply_bytes as f64 / round_trips);
    report.copied_bytes_per_round_trip = Some(traffic.copied_bytes as f64 / round_trips);
    report.checksum = Some(guests.checksum()?);

    // The codec alone, inside the guests: sample k encodes, then decodes, record k.
    report.encode = Some(Stats::of(&batch_means(m.samples, m.codec_batch, |k| guests.encode_batch(k, m.codec_batch))?));
    let mut decode = Vec::with_capacity(m.samples as usize);
    for k in 0..m.samples {
        guests.stage(k)?;
        decode.extend(batch_means(1, m.codec_batch, |_| guests.decode_batch(m.codec_batch))?);
    }
    report.decode = Some(Stats::of(&decode));
    Ok(())
}
