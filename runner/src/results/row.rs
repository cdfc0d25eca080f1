//! One CSV row per cell. The field order is the column order; columns are only ever added
//! (bump [`SCHEMA_VERSION`]), never renamed. Units are in the names: `_ns` nanoseconds,
//! `_bytes` bytes, `_kib` KiB.

use super::figure::{derived_samples, figure, figure_of, measured_s, one_shot, per_process, ref_headline, Figure};
use super::metric::{Derived, Metric};
use super::samples::Sample;
use super::status::Status;
use crate::matrix::{Cell, Measure};
use crate::meta::RunMeta;
use crate::stats::{median, Headline};
use crate::workers::recipe;
use serde::{Deserialize, Serialize};
use wasmatrix_core::measure::MechanismKind;
use wasmatrix_core::worker::Report;

pub const SCHEMA_VERSION: u32 = 16;

/// A results row; read back (`runner report`) by column name, columns a file's older schema lacks
/// left empty.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Row {
    pub schema_version: u32,
    pub run_id: String,
    pub timestamp: String,
    pub cell: String,
    pub compiler: String,
    pub engine: String,
    pub environment: String,
    pub transport: String,
    pub codec: String,
    pub profile: String,
    pub status: String,
    pub error: String,

    pub producer_wasm_bytes: Option<u64>,
    pub consumer_wasm_bytes: Option<u64>,
    pub artifact_bytes: Option<u64>,

    pub compile_ns: Option<u64>,
    pub load_ns: Option<u64>,
    pub instantiate_ns: Option<u64>,
    pub setup_ns: Option<u64>,
    pub first_round_trip_ns: Option<u64>,
    pub cold_start_ns: Option<u64>,

    pub rt_min_ns: Option<f64>,
    pub rt_p50_ns: Option<f64>,
    pub rt_p90_ns: Option<f64>,
    pub rt_p99_ns: Option<f64>,
    pub rt_max_ns: Option<f64>,
    pub rt_mean_ns: Option<f64>,
    pub rt_stddev_ns: Option<f64>,
    pub call_floor_min_ns: Option<f64>,
    pub call_floor_p50_ns: Option<f64>,
    pub rt_over_call_floor: Option<f64>,
    pub msgs_per_s: Option<f64>,
    pub encode_min_ns: Option<f64>,
    pub encode_p50_ns: Option<f64>,
    pub decode_min_ns: Option<f64>,
    pub decode_p50_ns: Option<f64>,
    pub mb_per_s: Option<f64>,

    pub request_bytes_mean: Option<f64>,
    pub reply_bytes_mean: Option<f64>,
    pub host_copied_bytes_per_rt: Option<f64>,

    pub warmup: u32,
    pub samples: u32,
    pub batch: u32,
    pub floor_batch: u32,
    pub codec_batch: u32,
    pub round_trips: u32,
    pub peak_rss_kib: Option<u64>,
    pub checksum: String,
    pub expected_checksum: String,

    pub runner_version: String,
    pub wasmer_version: String,
    pub rustc_version: String,
    pub cpu_model: String,
    pub cpus: usize,
    pub os: String,
    pub host: String,
    pub git_commit: String,

    // Schema 2: several processes per cell, the mechanism, noise, and the run's conditions.
    pub measure: String,
    pub processes: u32,
    pub schedule_seed: String,
    pub pin_cpu: Option<usize>,
    pub rt_proc_min_ns: Option<f64>,
    pub rt_proc_max_ns: Option<f64>,
    pub rt_cv_pct: Option<f64>,
    pub rt_ci_low_ns: Option<f64>,
    pub rt_ci_high_ns: Option<f64>,
    pub rt_ci_pct: Option<f64>,
    pub call_floor_cv_pct: Option<f64>,
    pub setup_min_ns: Option<u64>,
    pub setup_max_ns: Option<u64>,
    pub noisy: Option<bool>,
    pub noisy_ci_pct: f64,
    pub rt_instructions: Option<f64>,
    pub rt_instructions_cv_pct: Option<f64>,
    pub call_floor_instructions: Option<f64>,
    pub encode_instructions: Option<f64>,
    pub decode_instructions: Option<f64>,
    pub cpu_governor: String,
    pub loadavg_min: Option<f64>,
    pub loadavg_max: Option<f64>,

    // Schema 3: the logging axis, the environment's start-up, and what the guests wrote.
    pub logging: String,
    pub environment_ns: Option<u64>,
    pub log_bytes: Option<u64>,
    pub stdout_bytes: Option<u64>,
    pub stderr_bytes: Option<u64>,

    // Schema 4: which run and shard a row belongs to, for merging shards and resuming.
    pub matrix: String,
    pub run_fingerprint: String,
    pub shard: String,

    // Schema 5: the allocator axis, and each guest's size gzip'd.
    pub allocator: String,
    pub producer_wasm_gzip_bytes: Option<u64>,
    pub consumer_wasm_gzip_bytes: Option<u64>,
    pub setup_warm_ns: Option<u64>,

    // Schema 6: the runtime axis, and the version of the runtime that ran the cell.
    pub runtime: String,
    pub runtime_version: String,

    // Schema 7: the call axis.
    pub call: String,

    // Schema 8: headline figures chosen by repeatability, the in-process reference, run length by
    // precision, and what the OS says about interference.
    pub headline_estimator: String,
    pub rt_headline_ns: Option<f64>,
    pub rt_headline_ci_low_ns: Option<f64>,
    pub rt_headline_ci_high_ns: Option<f64>,
    pub rt_headline_ci_pct: Option<f64>,
    pub call_floor_headline_ns: Option<f64>,
    pub encode_headline_ns: Option<f64>,
    pub decode_headline_ns: Option<f64>,
    pub setup_headline_ns: Option<f64>,
    pub setup_headline_ci_pct: Option<f64>,
    pub setup_warm_repeats: Option<u32>,
    pub ref_headline_ns: Option<f64>,
    pub rt_over_ref: Option<f64>,
    pub ref_drift_pct: Option<f64>,
    pub min_processes: u32,
    pub target_ci_pct: f64,
    pub stop_reason: String,
    pub involuntary_switches_p50: Option<f64>,
    pub cpu_migrations_p50: Option<f64>,
    pub steal_pct_max: Option<f64>,

    // Schema 9: a cell's time budget, and the time its processes took.
    pub cell_budget_s: f64,
    pub measured_s: f64,
    pub rt_ref_headline: Option<f64>,

    // Schema 10: the set-up in CPU time.
    pub setup_cpu_headline_ns: Option<f64>,
    pub setup_cpu_headline_ci_pct: Option<f64>,

    // Schema 11: the cell's native twin, as core defines it (`Cell::native_twin`).
    pub twin_cell: String,

    // Schema 12: the instantiate axis, instantiation as a distribution, and the memory a cell holds
    // (docs/instantiate.md).
    pub instantiate: String,
    pub prepare_ns: Option<u64>,
    pub instantiate_p50_ns: Option<f64>,
    pub instantiate_p99_ns: Option<f64>,
    pub teardown_ns: Option<f64>,
    pub instantiations: u32,
    pub instantiate_threads: u32,
    pub instantiations_per_s: Option<f64>,
    pub instantiations_per_s_parallel: Option<f64>,
    pub rss_after_setup_kib: Option<u64>,
    pub producer_memory_pages: Option<u64>,
    pub consumer_memory_pages: Option<u64>,
    pub reserved_kib: Option<u64>,
    pub instantiate_rss_growth_kib: Option<f64>,

    // Schema 13: the cold start split into phases (docs/instantiate.md), medians over processes,
    // and its headline.
    pub process_start_ns: Option<u64>,
    pub worker_start_ns: Option<u64>,
    pub engine_ns: Option<u64>,
    pub cold_start_untimed_ns: Option<u64>,
    pub cold_start_headline_ns: Option<f64>,
    pub cold_start_headline_ci_pct: Option<f64>,
    pub instantiate_headline_ns: Option<f64>,

    // Schema 14: the records axis (records per message, results/README.md).
    pub records: String,

    // Schema 15: the modules axis (guest modules in the chain, results/README.md).
    pub modules: String,

    // Schema 16: the release axis (which release of the runtime, results/README.md).
    pub release: String,
}

/// A pair's instantiation as a headline, which repeats better: the 10th percentile over processes of each
/// process's median pair (with 5 to 10 processes, the fastest process's median). The row's
/// `instantiate_p50_ns`, the median over every pair of every process, carries the share of pairs
/// made in the machine's slow spells and repeated within 5% for 11 of 26 cells in two identical
/// runs (`runner calibrate results/quick-setup-A.csv results/quick-setup-B.csv`), this for 19.
fn instantiate_headline(s: &[Sample]) -> Option<f64> {
    let medians: Vec<f64> = per_process(s, Metric::InstantiatePairNs).iter().filter_map(|g| median(g)).collect();
    Headline::across(&medians)
}

/// The sizes of a cell's two `.wasm` files, as built and gzip'd (`gzip -9`); none for the native
/// twin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestSizes {
    pub producer: Option<u64>,
    pub consumer: Option<u64>,
    pub producer_gz: Option<u64>,
    pub consumer_gz: Option<u64>,
}

impl GuestSizes {
    pub fn of(files: &crate::guest_build::GuestFiles) -> GuestSizes {
        let (producer, producer_gz) = sizes(&files.producer);
        let (consumer, consumer_gz) = sizes(&files.consumer);
        GuestSizes { producer, consumer, producer_gz, consumer_gz }
    }
}

/// A file's size, and its size gzip'd at the best compression; `None` for what cannot be read.
fn sizes(path: &std::path::Path) -> (Option<u64>, Option<u64>) {
    use std::io::Write;
    let Ok(bytes) = std::fs::read(path) else {
        return (None, None);
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let gz_len = gz.write_all(&bytes).and_then(|()| gz.finish()).ok().map(|v| v.len() as u64);
    (Some(bytes.len() as u64), gz_len)
}

/// Rounds to 0.1, which is below the timer's resolution for batched means.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What a run holds the same for all its rows.
#[derive(Clone, Copy, Debug)]
pub struct RunContext<'a> {
    pub measure: &'a Measure,
    pub meta: &'a RunMeta,
    pub mechanism: MechanismKind,
    pub seed: u64,
    pub pin: Option<usize>,
    /// The matrix's name, the run's fingerprint (its cells before sharding and its measure
    /// settings) and its shard (`I/N`, or empty).
    pub matrix: &'a str,
    pub fingerprint: &'a str,
    pub shard: &'a str,
}

/// A cell once its processes are done.
#[derive(Clone, Copy, Debug)]
pub struct CellResult<'a> {
    pub status: Status,
    pub error: &'a str,
    /// How many of its processes ran.
    pub processes: u32,
    /// The last process's report, for what every process reports alike (sizes, checksum).
    pub report: &'a Report,
    /// Every sample of every process of the cell.
    pub samples: &'a [Sample],
    /// Why the cell stopped adding processes (the `stop_reason` column).
    pub stop: StopReason,
}

/// Why a cell has the processes it has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopReason {
    /// Its headline interval reached the matrix's `target_ci_pct`, after the processes the
    /// machine needs ([`crate::run_length`]).
    Precision,
    /// It ran the most processes the matrix allows without reaching the target.
    MaxProcesses,
    /// Its processes took the matrix's `cell_budget_s` without reaching the target.
    Budget,
    /// A process did not end `ok`.
    Failed,
    /// It never ran (unsupported, or failed before its first process).
    #[default]
    NotRun,
}

impl StopReason {
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Precision => "precision",
            StopReason::MaxProcesses => "max_processes",
            StopReason::Budget => "budget",
            StopReason::Failed => "failed",
            StopReason::NotRun => "",
        }
    }
}

impl Row {
    pub fn new(cell: &Cell, run: &RunContext, sizes: &GuestSizes, result: &CellResult, expected: u64) -> Row {
        let r = result.report;
        let s = result.samples;
        // The settings the cell's processes ran with.
        let measure = &run.measure.for_records(cell.records.count());
        let meta = run.meta;
        let rt = figure(s, Metric::RtNs);
        let floor = figure(s, Metric::CallFloorNs);
        let encode = figure(s, Metric::EncodeNs);
        let decode = figure(s, Metric::DecodeNs);
        let rt_instr = figure(s, Metric::RtInstructions);
        let setup = figure_of(&derived_samples(s, Derived::Setup));
        let setup_warm = figure(s, Metric::SetupWarmNs);
        let setup_cpu = figure_of(&derived_samples(s, Derived::SetupCpu));
        let reference = figure(s, Metric::RefNs);
        let instantiate = figure(s, Metric::InstantiatePairNs);
        let teardown = figure(s, Metric::TeardownNs);
        let cold = figure(s, Metric::ColdStartNs);
        let per_s = |m: Metric| median(&per_process(s, m).concat()).map(|ns| (1e9 / ns).round());
        let context = |metric: Metric| per_process(s, metric).concat();
        let rounded = |v: f64| (v * 100.0).round() / 100.0;
        let instr = |m: Metric| figure(s, m).map(|f| tenth(f.median));
        let (setup_ns, setup_min_ns, setup_max_ns) = one_shot(s, Metric::SetupNs);
        let loadavg: Vec<f64> =
            [per_process(s, Metric::LoadavgStart), per_process(s, Metric::LoadavgEnd)].concat().concat();
        let msgs_per_s = rt.as_ref().map(|f| 1e9 / f.median);
        let rt_cv = rt.as_ref().and_then(|f| f.cv_pct);
        // Half the width of the headline's interval, relative to it: how far it may be off.
        let rt_ci_pct = rt.as_ref().and_then(|f| f.ci.map(|(lo, hi)| 100.0 * (hi - lo) / 2.0 / f.median));
        let rt_headline_ci_pct = rt.as_ref().and_then(Figure::headline_ci_pct);
        Row {
            run_id: meta.run_id.clone(),
            timestamp: crate::meta::now_rfc3339(),
            status: result.status.name().into(),
            error: result.error.replace(['\n', '\r'], " "),
            producer_wasm_bytes: sizes.producer,
            consumer_wasm_bytes: sizes.consumer,
            artifact_bytes: r.artifact_bytes,
            compile_ns: one_shot(s, Metric::CompileNs).0,
            load_ns: one_shot(s, Metric::LoadNs).0,
            instantiate_ns: one_shot(s, Metric::InstantiateNs).0,
            setup_ns,
            first_round_trip_ns: one_shot(s, Metric::FirstRoundTripNs).0,
            cold_start_ns: one_shot(s, Metric::ColdStartNs).0,
            rt_min_ns: rt.as_ref().map(|f| tenth(f.pooled.min)),
            rt_p50_ns: rt.as_ref().map(|f| tenth(f.median)),
            rt_p90_ns: rt.as_ref().map(|f| tenth(f.pooled.p90)),
            rt_p99_ns: rt.as_ref().map(|f| tenth(f.pooled.p99)),
            rt_max_ns: rt.as_ref().map(|f| tenth(f.pooled.max)),
            rt_mean_ns: rt.as_ref().map(|f| tenth(f.pooled.mean)),
            rt_stddev_ns: rt.as_ref().map(|f| tenth(f.pooled.stddev)),
            call_floor_min_ns: floor.as_ref().map(|f| tenth(f.pooled.min)),
            call_floor_p50_ns: floor.as_ref().map(|f| tenth(f.median)),
            // None where the floor measured nothing: Chromium's TurboFan inlines the ping loop away.
            rt_over_call_floor: rt
                .as_ref()
                .zip(floor.as_ref().filter(|f| f.median > 0.0))
                .map(|(rt, f)| tenth(rt.median / f.median)),
            msgs_per_s: msgs_per_s.map(f64::round),
            encode_min_ns: encode.as_ref().map(|f| tenth(f.pooled.min)),
            encode_p50_ns: encode.as_ref().map(|f| tenth(f.median)),
            decode_min_ns: decode.as_ref().map(|f| tenth(f.pooled.min)),
            decode_p50_ns: decode.as_ref().map(|f| tenth(f.median)),
            mb_per_s: msgs_per_s
                .zip(r.request_bytes_mean.zip(r.reply_bytes_mean))
                .map(|(m, (req, rep))| tenth(m * (req + rep) / 1e6)),
            request_bytes_mean: r.request_bytes_mean.map(tenth),
            reply_bytes_mean: r.reply_bytes_mean.map(tenth),
            host_copied_bytes_per_rt: r.copied_bytes_per_round_trip.map(tenth),
            warmup: measure.warmup,
            samples: measure.samples,
            batch: measure.batch,
            floor_batch: measure.floor_batch,
            codec_batch: measure.codec_batch,
            round_trips: measure.round_trips(),
            peak_rss_kib: one_shot(s, Metric::PeakRssKib).2,
            checksum: r.checksum.map(|c| format!("{c:016x}")).unwrap_or_default(),
            expected_checksum: format!("{expected:016x}"),
            runner_version: meta.runner_version.clone(),
            wasmer_version: meta.wasmer_version.clone(),
            rustc_version: meta.rustc_version.clone(),
            cpu_model: meta.cpu_model.clone(),
            cpus: meta.cpus,
            os: meta.os.clone(),
            host: meta.host.clone(),
            git_commit: meta.git_commit.clone(),
            measure: run.mechanism.name().into(),
            processes: result.processes,
            schedule_seed: format!("{:016x}", run.seed),
            pin_cpu: run.pin,
            rt_proc_min_ns: rt.as_ref().map(|f| tenth(f.proc_min)),
            rt_proc_max_ns: rt.as_ref().map(|f| tenth(f.proc_max)),
            rt_cv_pct: rt_cv.map(|v| (v * 100.0).round() / 100.0),
            rt_ci_low_ns: rt.as_ref().and_then(|f| f.ci).map(|c| tenth(c.0)),
            rt_ci_high_ns: rt.as_ref().and_then(|f| f.ci).map(|c| tenth(c.1)),
            rt_ci_pct: rt_ci_pct.map(|v| (v * 100.0).round() / 100.0),
            call_floor_cv_pct: floor.as_ref().and_then(|f| f.cv_pct).map(|v| (v * 100.0).round() / 100.0),
            setup_min_ns,
            setup_max_ns,
            noisy: rt_headline_ci_pct.map(|ci| ci > measure.noisy_ci_pct),
            noisy_ci_pct: measure.noisy_ci_pct,
            rt_instructions: rt_instr.as_ref().map(|f| tenth(f.median)),
            rt_instructions_cv_pct: rt_instr.as_ref().and_then(|f| f.cv_pct).map(|v| (v * 1e4).round() / 1e4),
            call_floor_instructions: instr(Metric::CallFloorInstructions),
            encode_instructions: instr(Metric::EncodeInstructions),
            decode_instructions: instr(Metric::DecodeInstructions),
            cpu_governor: meta.cpu_governor.clone(),
            loadavg_min: loadavg.iter().copied().reduce(f64::min),
            loadavg_max: loadavg.iter().copied().reduce(f64::max),
            environment_ns: one_shot(s, Metric::EnvironmentNs).0,
            log_bytes: r.log_bytes,
            stdout_bytes: r.stdout_bytes,
            stderr_bytes: r.stderr_bytes,
            matrix: run.matrix.into(),
            run_fingerprint: run.fingerprint.into(),
            shard: run.shard.into(),
            producer_wasm_gzip_bytes: sizes.producer_gz,
            consumer_wasm_gzip_bytes: sizes.consumer_gz,
            setup_warm_ns: setup_warm.as_ref().map(|f| f.median.round() as u64),
            // What the worker said it runs; else what its runtime's recipe knows (Wasmer's and
            // rustc's), so that a cell that never reached its worker still says which it would have run.
            runtime_version: r
                .runtime_version
                .clone()
                .unwrap_or_else(|| recipe(cell.runtime, cell.release).version(meta)),
            headline_estimator: rt.as_ref().or(rt_instr.as_ref()).map_or(String::new(), |_| Headline::NAME.into()),
            rt_headline_ns: rt.as_ref().map(|f| tenth(f.headline)),
            rt_headline_ci_low_ns: rt.as_ref().and_then(|f| f.headline_ci).map(|c| tenth(c.0)),
            rt_headline_ci_high_ns: rt.as_ref().and_then(|f| f.headline_ci).map(|c| tenth(c.1)),
            rt_headline_ci_pct: rt_headline_ci_pct.map(rounded),
            call_floor_headline_ns: floor.as_ref().map(|f| tenth(f.headline)),
            encode_headline_ns: encode.as_ref().map(|f| tenth(f.headline)),
            decode_headline_ns: decode.as_ref().map(|f| tenth(f.headline)),
            setup_headline_ns: setup.as_ref().map(|f| f.headline.round()),
            setup_headline_ci_pct: setup.as_ref().and_then(Figure::headline_ci_pct).map(rounded),
            setup_warm_repeats: setup
                .as_ref()
                .map(|_| per_process(s, Metric::SetupWarmNs).iter().map(|g| g.len() as u32).max().unwrap_or(0)),
            ref_headline_ns: reference.as_ref().map(|f| (f.headline * 1000.0).round() / 1000.0),
            rt_over_ref: rt.as_ref().zip(reference.as_ref()).map(|(rt, re)| tenth(rt.headline / re.headline)),
            ref_drift_pct: reference.as_ref().map(|f| rounded(100.0 * (f.proc_max / f.proc_min - 1.0))),
            min_processes: measure.fewest_processes(),
            target_ci_pct: measure.target_ci_pct,
            stop_reason: result.stop.name().into(),
            involuntary_switches_p50: median(&context(Metric::InvoluntarySwitches)),
            cpu_migrations_p50: median(&context(Metric::CpuMigrations)),
            steal_pct_max: context(Metric::StealPct).into_iter().reduce(f64::max).map(rounded),
            cell_budget_s: measure.cell_budget_s,
            measured_s: (measured_s(s) * 1000.0).round() / 1000.0,
            rt_ref_headline: ref_headline(s).map(|v| (v * 1e4).round() / 1e4),
            setup_cpu_headline_ns: setup_cpu.as_ref().map(|f| f.headline.round()),
            setup_cpu_headline_ci_pct: setup_cpu.as_ref().and_then(Figure::headline_ci_pct).map(rounded),
            prepare_ns: one_shot(s, Metric::PrepareNs).0,
            instantiate_p50_ns: instantiate.as_ref().map(|f| tenth(f.pooled.p50)),
            instantiate_p99_ns: instantiate.as_ref().map(|f| tenth(f.pooled.p99)),
            teardown_ns: teardown.as_ref().map(|f| tenth(f.pooled.p50)),
            instantiations: measure.instantiations,
            instantiate_threads: measure.instantiate_threads,
            instantiations_per_s: per_s(Metric::InstantiateSerialNs),
            instantiations_per_s_parallel: per_s(Metric::InstantiateParallelNs),
            rss_after_setup_kib: one_shot(s, Metric::RssAfterSetupKib).2,
            producer_memory_pages: one_shot(s, Metric::ProducerMemoryPages).2,
            consumer_memory_pages: one_shot(s, Metric::ConsumerMemoryPages).2,
            reserved_kib: one_shot(s, Metric::ReservedKib).2,
            instantiate_rss_growth_kib: per_process(s, Metric::InstantiateRssGrowthKib)
                .concat()
                .into_iter()
                .reduce(f64::max),
            process_start_ns: one_shot(s, Metric::ProcessStartNs).0,
            worker_start_ns: one_shot(s, Metric::WorkerStartNs).0,
            engine_ns: one_shot(s, Metric::EngineNs).0,
            cold_start_untimed_ns: one_shot(s, Metric::ColdStartUntimedNs).0,
            cold_start_headline_ns: cold.as_ref().map(|f| f.headline.round()),
            cold_start_headline_ci_pct: cold.as_ref().and_then(Figure::headline_ci_pct).map(rounded),
            instantiate_headline_ns: instantiate_headline(s).map(tenth),
            ..Row::of_cell(cell)
        }
    }

    /// A row of `cell` with nothing measured: this schema's version, the cell's name, its axis
    /// columns and its native twin (`twin_cell`).
    pub fn of_cell(cell: &Cell) -> Row {
        let [compiler, engine, environment, transport, codec, profile, logging, allocator, runtime, call, instantiate, records, modules, release] =
            cell.values().map(|(_, value)| value.to_owned());
        Row {
            schema_version: SCHEMA_VERSION,
            cell: cell.to_string(),
            compiler,
            engine,
            environment,
            transport,
            codec,
            profile,
            logging,
            allocator,
            runtime,
            call,
            instantiate,
            records,
            modules,
            release,
            twin_cell: cell.native_twin().map(|twin| twin.to_string()).unwrap_or_default(),
            ..Row::default()
        }
    }
}

/// The header line, from the field names.
pub fn header() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(Row::default()).expect("a row serializes");
    let bytes = w.into_inner().expect("in-memory writer");
    let text = String::from_utf8(bytes).expect("utf-8 header");
    text.lines().next().unwrap_or_default().split(',').map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_starts_with_identity_and_has_documented_columns() {
        let h = header();
        assert_eq!(&h[..4], ["schema_version", "run_id", "timestamp", "cell"]);
        // Schema 12's and 13's columns are documented in docs/instantiate.md, the others in results/README.md.
        let docs = [include_str!("../../../results/README.md"), include_str!("../../../docs/instantiate.md")];
        for column in &h {
            assert!(
                docs.iter().any(|doc| doc.contains(&format!("`{column}`"))),
                "column {column} is documented neither in results/README.md nor in docs/instantiate.md"
            );
        }
        let mut unique = h.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), h.len());
        assert_eq!(h.last().map(String::as_str), Some("release"), "columns are only added, at the end");
        let twin = h.iter().position(|c| c == "twin_cell").unwrap();
        assert_eq!(h[twin + 1], "instantiate", "schema 12's columns come after schema 11's last");
        let growth = h.iter().position(|c| c == "instantiate_rss_growth_kib").unwrap();
        assert_eq!(h[growth + 1], "process_start_ns", "schema 13's columns come after schema 12's last");
        let headline = h.iter().position(|c| c == "instantiate_headline_ns").unwrap();
        assert_eq!(h[headline + 1], "records", "schema 14's column comes after schema 13's last");
        assert_eq!(h[headline + 2], "modules", "schema 15's column comes after schema 14's");
        assert_eq!(h[headline + 3], "release", "schema 16's column comes after schema 15's");
    }
}
