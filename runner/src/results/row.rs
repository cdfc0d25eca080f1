//! One CSV row per cell. The field order is the column order; columns are only ever added
//! (bump [`SCHEMA_VERSION`]), never renamed. Units are in the names: `_ns` nanoseconds,
//! `_bytes` bytes, `_kib` KiB.

use crate::matrix::axes::Engine;
use crate::matrix::{Cell, Measure};
use crate::meta::RunMeta;
use crate::supervise::Outcome;
use crate::worker::Report;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Default, Serialize)]
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
}

/// Rounds to 0.1, which is below the timer's resolution for batched means.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Row {
    pub fn new(
        cell: &Cell,
        measure: &Measure,
        meta: &RunMeta,
        sizes: (Option<u64>, Option<u64>),
        outcome: &Outcome,
        expected_checksum: u64,
    ) -> Row {
        let r: &Report = &outcome.report;
        let rt = r.round_trip;
        let floor = r.call_floor;
        // From guest files to callable guests in the measured process: loading artifacts, or
        // compiling in process (jit), or nothing more (native), then instantiating.
        let code_ns = match cell.engine {
            Engine::Artifact => r.load_ns,
            Engine::Jit => r.compile_ns,
            Engine::Native => Some(0),
        };
        let setup_ns = code_ns.zip(r.instantiate_ns).map(|(code, inst)| code + inst);
        let msgs_per_s = rt.map(|s| 1e9 / s.p50);
        let values = cell.values();
        Row {
            schema_version: SCHEMA_VERSION,
            run_id: meta.run_id.clone(),
            timestamp: crate::meta::now_rfc3339(),
            cell: cell.to_string(),
            compiler: values[0].1.into(),
            engine: values[1].1.into(),
            environment: values[2].1.into(),
            transport: values[3].1.into(),
            codec: values[4].1.into(),
            profile: values[5].1.into(),
            status: outcome.status.name().into(),
            error: outcome.error.replace(['\n', '\r'], " "),
            producer_wasm_bytes: sizes.0,
            consumer_wasm_bytes: sizes.1,
            artifact_bytes: r.artifact_bytes,
            compile_ns: r.compile_ns,
            load_ns: r.load_ns,
            instantiate_ns: r.instantiate_ns,
            setup_ns,
            first_round_trip_ns: r.first_round_trip_ns,
            cold_start_ns: outcome.cold_start_ns,
            rt_min_ns: rt.map(|s| tenth(s.min)),
            rt_p50_ns: rt.map(|s| tenth(s.p50)),
            rt_p90_ns: rt.map(|s| tenth(s.p90)),
            rt_p99_ns: rt.map(|s| tenth(s.p99)),
            rt_max_ns: rt.map(|s| tenth(s.max)),
            rt_mean_ns: rt.map(|s| tenth(s.mean)),
            rt_stddev_ns: rt.map(|s| tenth(s.stddev)),
            call_floor_min_ns: floor.map(|s| tenth(s.min)),
            call_floor_p50_ns: floor.map(|s| tenth(s.p50)),
            rt_over_call_floor: rt.zip(floor).map(|(rt, f)| tenth(rt.p50 / f.p50)),
            msgs_per_s: msgs_per_s.map(f64::round),
            encode_min_ns: r.encode.map(|s| tenth(s.min)),
            encode_p50_ns: r.encode.map(|s| tenth(s.p50)),
            decode_min_ns: r.decode.map(|s| tenth(s.min)),
            decode_p50_ns: r.decode.map(|s| tenth(s.p50)),
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
            peak_rss_kib: r.peak_rss_kib,
            checksum: r.checksum.map(|c| format!("{c:016x}")).unwrap_or_default(),
            expected_checksum: format!("{expected_checksum:016x}"),
            runner_version: meta.runner_version.clone(),
            wasmer_version: meta.wasmer_version.clone(),
            rustc_version: meta.rustc_version.clone(),
            cpu_model: meta.cpu_model.clone(),
            cpus: meta.cpus,
            os: meta.os.clone(),
            host: meta.host.clone(),
            git_commit: meta.git_commit.clone(),
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
        let doc = include_str!("../../../results/README.md");
        for column in &h {
            assert!(doc.contains(&format!("`{column}`")), "column {column} is not documented in results/README.md");
        }
        let mut unique = h.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), h.len());
    }
}
