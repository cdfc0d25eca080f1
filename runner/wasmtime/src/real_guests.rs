//! The worker on the real guests (raw codec, bare, copy, release), built here with cargo as the
//! runner builds them: every `instantiate` strategy runs to the same checksum, each with its
//! phases and its distribution, and `pooled` makes many pairs without its resident set growing.
//! The merged pair (transport `merged`) runs to the same checksum too, from the merged modules the
//! runner's guest build makes.

use crate::{run_prepared, CopyLink, Prepare, Wasmtime, WasmtimeMerged};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasmatrix_core::cell::Cell;
use wasmatrix_core::guests::GuestFiles;
use wasmatrix_core::measure::{Measure, MechanismKind};
use wasmatrix_core::worker::{Job, Phase, Report};

/// The checkout's root, from the manifest of the crate being built (a release's crate in
/// runner/releases/ sits one level deeper than runner/wasmtime).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(if cfg!(release_crate) { "../../.." } else { "../.." })
}

/// Both guests built for wasm32-unknown-unknown with the `guest-release` profile and the raw codec
/// (what the runner's guest build does for bare, copy, release, the default allocator, logging
/// off), into a target directory of the tests' own; built once per test process.
fn guests() -> &'static GuestFiles {
    static GUESTS: OnceLock<GuestFiles> = OnceLock::new();
    GUESTS.get_or_init(|| {
        let target_dir = root().join("target/wasmatrix/wasmtime-test-guests");
        let built = |role: &str| {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(root())
                // wasmatrix-proto's guest_build::CODEC_ENV: the codec a guest is built with.
                .env("WASMATRIX_CODEC", "raw")
                .args(["rustc", "--quiet", "--locked", "-p", &format!("wasmatrix-{role}"), "--crate-type", "cdylib"])
                .args(["--target", "wasm32-unknown-unknown", "--profile", "guest-release", "--target-dir"])
                .arg(&target_dir)
                .status()
                .expect("cargo starts");
            assert!(status.success(), "building the {role} failed");
            let out = target_dir.join(format!("wasm32-unknown-unknown/guest-release/wasmatrix_{role}.wasm"));
            let kept = target_dir.join(format!("{role}.wasm"));
            std::fs::copy(&out, &kept).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
            kept
        };
        GuestFiles {
            producer: built("producer"),
            consumer: built("consumer"),
            composed: None,
            merged: None,
            relays: vec![],
        }
    })
}

/// The merged modules of the raw codec (bare, release, the default allocator, logging off), for
/// `call = host` and `import`, as the runner's guest build makes them (its test of the merged
/// module builds them, with binaryen's wasm-merge); built once per test process.
fn merged_guests() -> &'static [GuestFiles; 2] {
    static MERGED: OnceLock<[GuestFiles; 2]> = OnceLock::new();
    MERGED.get_or_init(|| {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root())
            .args(["test", "--quiet", "--release", "--locked", "-p", "wasmatrix-runner", "--test", "merged"])
            .args(["--", "--exact", "the_merged_module_keeps_each_guest_in_its_own_memory"])
            .status()
            .expect("cargo starts");
        assert!(status.success(), "building the merged modules failed");
        let raw = root().join("target/wasmatrix/guests/release/default/bare/logging-off/merged/raw");
        let merged = |dir: PathBuf| GuestFiles { merged: Some(dir.join("merged.wasm")), ..guests().clone() };
        [merged(raw.clone()), merged(raw.join("call-import"))]
    })
}

/// A job for `cell`'s name (`compiler/engine/bare/copy/raw/release/off/default/wasmtime/host/
/// strategy`), with `instantiations` pairs in batches of `batch` on 1 and 2 threads.
fn job(cell: &str, phase: Phase, artifacts: &Path, instantiations: u32, batch: u32) -> Job {
    job_of(guests(), cell, phase, artifacts, instantiations, batch)
}

/// [`job`], running `guests`.
fn job_of(guests: &GuestFiles, cell: &str, phase: Phase, artifacts: &Path, instantiations: u32, batch: u32) -> Job {
    let measure = Measure {
        processes: 1,
        warmup: 2,
        samples: 3,
        batch: 4,
        floor_batch: 10,
        codec_batch: 10,
        noisy_ci_pct: 5.0,
        min_processes: 1,
        target_ci_pct: 2.0,
        cell_budget_s: 0.0,
        setup_repeats: 2,
        setup_budget_ms: 50,
        timeout_s: 60,
        memory_limit_mib: 256,
        instantiations,
        instantiate_batch: batch,
        instantiate_threads: 2,
    };
    Job {
        cell: Cell::parse(cell).unwrap(),
        measure,
        guests: Some(guests.clone()),
        artifacts: artifacts.to_owned(),
        phase,
        mechanism: MechanismKind::WallClock,
        pin: None,
    }
}

/// Runs `cell` as a worker process would (precompiling first for `artifact`); its report.
fn run_cell(cell: &str, instantiations: u32, batch: u32) -> Report {
    run_cell_of(&Wasmtime::<CopyLink>::new(vec![]), guests(), cell, instantiations, batch)
}

/// [`run_cell`] through `runtime`, running `guests`.
fn run_cell_of<R>(runtime: &R, guests: &GuestFiles, cell: &str, instantiations: u32, batch: u32) -> Report
where
    R: Prepare,
    R::Engine: Sync,
    R::Code: Sync,
{
    let dir =
        std::env::temp_dir().join(format!("wasmatrix-wasmtime-real-{}-{}", std::process::id(), cell.replace('/', "-")));
    std::fs::create_dir_all(&dir).unwrap();
    let job = |phase| job_of(guests, cell, phase, &dir, instantiations, batch);
    if cell.contains("/artifact/") {
        let mut report = Report::default();
        run_prepared(runtime, &job(Phase::Precompile), &mut report)
            .unwrap_or_else(|e| panic!("{cell}: precompiling: {e}"));
    }
    let mut report = Report::default();
    run_prepared(runtime, &job(Phase::Measure), &mut report).unwrap_or_else(|e| panic!("{cell}: {e}"));
    std::fs::remove_dir_all(&dir).unwrap();
    report
}

#[test]
fn every_strategy_runs_the_real_guests_to_the_same_checksum() {
    for compiler in ["cranelift", "winch"] {
        for engine in ["jit", "artifact"] {
            let name = |strategy: &str| {
                format!("{compiler}/{engine}/bare/copy/raw/release/off/default/wasmtime/host/{strategy}")
            };
            let fresh = run_cell(&name("fresh"), 20, 10);
            let checksum = fresh.checksum.expect("a checksum");
            for strategy in ["fresh", "pre", "pooled"] {
                let r = if strategy == "fresh" { fresh.clone() } else { run_cell(&name(strategy), 20, 10) };
                let cell = name(strategy);
                assert_eq!(r.checksum, Some(checksum), "{cell}");
                assert_eq!(r.prepare_ns.is_some(), strategy != "fresh", "{cell}: prepared once, or not at all");
                assert_eq!(r.reserved_kib.is_some(), strategy == "pooled", "{cell}: a pool's reservation");
                assert_eq!((r.instantiate_pair.len(), r.teardown.len(), r.instantiate_rss_kib.len()), (20, 20, 3));
                assert!(r.instantiate_serial_ns.is_some() && r.instantiate_parallel_ns.is_some(), "{cell}");
                let pages = (r.producer_memory_pages, r.consumer_memory_pages);
                assert!(matches!(pages, (Some(p), Some(c)) if p > 0 && c > 0), "{cell}: {pages:?}");
                assert!(r.rss_after_setup_kib.is_some_and(|kib| kib > 0), "{cell}");
                eprintln!(
                    "{cell}: instantiate p50 {:.0} ns, p99 {:.0} ns, teardown p50 {:.0} ns, {:.0}/s on 1 thread, \
                     {:.0}/s on 2; memory pages {pages:?}, reserved {:?} KiB",
                    percentile(&r.instantiate_pair, 50.0),
                    percentile(&r.instantiate_pair, 99.0),
                    percentile(&r.teardown, 50.0),
                    1e9 / r.instantiate_serial_ns.unwrap(),
                    1e9 / r.instantiate_parallel_ns.unwrap(),
                    r.reserved_kib,
                );
            }
        }
    }
}

/// The `p`th percentile of `values` (nearest rank), for the test's output.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[test]
fn pooled_pairs_do_not_grow_the_resident_set_across_batches() {
    let (instantiations, batch) = (2000, 500);
    let r =
        run_cell("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/pooled", instantiations, batch);
    let rss = &r.instantiate_rss_kib;
    assert_eq!(rss.len(), 1 + (instantiations / batch) as usize, "after the warm-up batch and each batch");
    // A pair that kept anything resident, a single 4 KiB page, would add a batch's worth of pages
    // per batch; across the recorded batches the resident set stays within one batch's worth.
    let page_kib = 4.0;
    let growth = rss.last().unwrap() - rss[1];
    assert!(growth < f64::from(batch) * page_kib, "the resident set grew {growth} KiB across batches: {rss:?}");
    eprintln!("pooled, {instantiations} pairs in batches of {batch}: resident set after each batch {rss:?} KiB");
}

#[test]
fn the_shared_transport_has_no_pre_linked_pair_and_says_why() {
    let runtime = Wasmtime::<crate::SharedLink>::new(vec![]);
    for strategy in ["pre", "pooled"] {
        let cell = format!("cranelift/jit/bare/shared/raw/release/off/default/wasmtime/host/{strategy}");
        let mut report = Report::default();
        let job = job(&cell, Phase::Measure, &std::env::temp_dir(), 0, 1);
        let failure = run_prepared(&runtime, &job, &mut report).unwrap_err().to_string();
        assert_eq!(Some(failure.as_str()), job.cell.unsupported(), "{cell}");
    }
}

#[test]
fn the_merged_pair_runs_the_real_guests_to_the_copy_pairs_checksum() {
    let copy = run_cell("cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/fresh", 4, 2);
    for (call, guests) in ["host", "import"].into_iter().zip(merged_guests()) {
        for engine in ["jit", "artifact"] {
            for strategy in ["fresh", "pre", "pooled"] {
                let cell = format!("cranelift/{engine}/bare/merged/raw/release/off/default/wasmtime/{call}/{strategy}");
                let r = run_cell_of(&WasmtimeMerged, guests, &cell, 4, 2);
                assert_eq!(r.checksum, copy.checksum, "{cell}");
                let pages = (r.producer_memory_pages, r.consumer_memory_pages);
                assert!(matches!(pages, (Some(p), Some(c)) if p > 0 && c > 0), "{cell}: {pages:?}");
                // What the adapter carried and copied, as the host counts it under copy.
                let carried = (r.request_bytes_mean, r.reply_bytes_mean, r.copied_bytes_per_round_trip);
                let by_host = (copy.request_bytes_mean, copy.reply_bytes_mean, copy.copied_bytes_per_round_trip);
                assert_eq!(carried, by_host, "{cell}");
            }
        }
    }
}
