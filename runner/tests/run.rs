//! End-to-end: the `runner` binary on small matrices, through real worker processes.

mod common;

use common::{column, matrix, rows, runner, text, TINY};
use std::path::{Path, PathBuf};
use std::process::Command;

const ALL_AXES: &str = r#"compiler = ["singlepass", "cranelift", "llvm", "rustc"]
engine = ["jit", "artifact", "native"]
environment = ["bare"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]"#;
const ONE_CELL: &str = r#"compiler = ["cranelift"]
engine = ["jit"]
environment = ["bare"]
transport = ["copy"]
codec = ["raw"]
profile = ["release"]"#;

#[test]
fn every_compiler_engine_and_transport_and_the_native_twin_agree_on_the_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), ALL_AXES, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    // 3 wasm compilers x 2 engines x 2 transports, and rustc/native under both transports
    assert_eq!(rows(&out).len(), 14);
    assert!(column(&out, "status").iter().all(|s| s == "ok"), "{:?}", column(&out, "error"));
    let sums = column(&out, "checksum");
    assert!(sums.iter().all(|s| s.len() == 16 && *s == sums[0]), "{sums:?}");
    assert_eq!(column(&out, "expected_checksum")[0], sums[0]);
    // the measurements are there and plausible
    for (name, values) in ["rt_p50_ns", "call_floor_p50_ns", "instantiate_ns", "setup_ns", "cold_start_ns"]
        .iter()
        .map(|n| (n, column(&out, n)))
    {
        assert!(values.iter().all(|v| v.parse::<f64>().is_ok_and(|x| x > 0.0)), "{name}: {values:?}");
    }
    let engines = column(&out, "engine");
    let artifact_bytes = column(&out, "artifact_bytes");
    let copied = column(&out, "host_copied_bytes_per_rt");
    let transports = column(&out, "transport");
    let wasm_bytes = column(&out, "producer_wasm_bytes");
    for i in 0..14 {
        let engine = engines[i].as_str();
        assert_eq!(!artifact_bytes[i].is_empty(), engine == "artifact", "artifact size only for artifact cells");
        assert_eq!(wasm_bytes[i].is_empty(), engine == "native", "a wasm size for every wasm cell");
        let copied: f64 = copied[i].parse().unwrap();
        assert_eq!(copied == 0.0, transports[i] == "shared", "shared copies nothing, copy copies the messages");
    }
    assert!(text(&run).contains("checksums: all 14 finished cells agree"));
    // every row names its runtime and that runtime's version
    let (runtimes, versions) = (column(&out, "runtime"), column(&out, "runtime_version"));
    for i in 0..14 {
        let native = engines[i] == "native";
        assert_eq!(runtimes[i], if native { "native" } else { "wasmer" }, "row {i}");
        let want = column(&out, if native { "rustc_version" } else { "wasmer_version" })[i].clone();
        assert!(!versions[i].is_empty() && versions[i] == want, "row {i}: {}", versions[i]);
    }
    assert!(out.with_extension("summary.txt").exists());
}

#[test]
fn every_codec_agrees_on_the_checksum_in_wasm_and_natively() {
    let dir = tempfile::tempdir().unwrap();
    let axes = ALL_AXES
        .replace(r#"["singlepass", "cranelift", "llvm", "rustc"]"#, r#"["cranelift", "rustc"]"#)
        .replace(r#"["jit", "artifact", "native"]"#, r#"["jit", "native"]"#)
        .replace(
            r#"codec = ["raw"]"#,
            r#"codec = ["raw", "bincode", "postcard", "json", "flatbuffers", "capnp", "rkyv"]"#,
        );
    let m = matrix(dir.path(), &axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(rows(&out).len(), 7 * 2 * 2);
    let sums = column(&out, "checksum");
    assert!(sums.iter().all(|s| *s == sums[0]), "{sums:?}");
    for name in ["encode_p50_ns", "decode_p50_ns", "request_bytes_mean"] {
        let values = column(&out, name);
        assert!(values.iter().all(|v| v.parse::<f64>().is_ok_and(|x| x > 0.0)), "{name}: {values:?}");
    }
    // each wasm guest holds only its own codec, so sizes differ between codecs
    let sizes: std::collections::BTreeSet<String> =
        column(&out, "consumer_wasm_bytes").into_iter().filter(|s| !s.is_empty()).collect();
    assert!(sizes.len() >= 7, "{sizes:?}");
}

/// (cell, process, seq, metric) of every sample in a run's sidecar.
fn samples(results: &Path) -> Vec<(String, u32, u32, String)> {
    let path = wasmatrix_runner::results::samples::sidecar_path(results);
    let all = wasmatrix_runner::results::samples::read(&path).unwrap();
    all.into_iter().map(|s| (s.cell, s.process, s.seq, s.metric)).collect()
}

#[test]
fn processes_are_interleaved_and_every_sample_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let axes =
        ONE_CELL.replace(r#"["cranelift"]"#, r#"["cranelift", "rustc"]"#).replace(r#"["jit"]"#, r#"["jit", "native"]"#);
    let m = matrix(dir.path(), &axes, &format!("processes = 3\n{TINY}"));
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--seed", "2a", "--pin", "0"]);
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(column(&out, "processes"), ["3", "3"]);
    assert_eq!(column(&out, "schedule_seed"), ["000000000000002a"; 2]);
    assert_eq!(column(&out, "pin_cpu"), ["0", "0"]);
    assert_eq!(column(&out, "measure"), ["wall_clock", "wall_clock"]);
    for name in ["rt_cv_pct", "rt_proc_min_ns", "rt_proc_max_ns", "rt_ci_low_ns", "rt_ci_high_ns", "setup_min_ns"] {
        assert!(column(&out, name).iter().all(|v| v.parse::<f64>().is_ok()), "{name}: {:?}", column(&out, name));
    }
    let samples = samples(&out);
    // 2 cells x 3 processes x (5 samples x 4 repeated metrics + start-up and context)
    let rt: Vec<_> = samples.iter().filter(|s| s.3 == "rt_ns").collect();
    assert_eq!(rt.len(), 2 * 3 * 5);
    // round robin: every cell's process p runs before any cell's process p + 1
    let mut by_seq: Vec<(u32, u32)> = samples.iter().map(|s| (s.2, s.1)).collect();
    by_seq.sort();
    by_seq.dedup();
    assert_eq!(by_seq.iter().map(|(_, p)| *p).collect::<Vec<_>>(), [0, 0, 1, 1, 2, 2], "{by_seq:?}");
    for metric in ["setup_ns", "cold_start_ns", "loadavg_start", "loadavg_end", "peak_rss_kib"] {
        assert_eq!(samples.iter().filter(|s| s.3 == metric).count(), 6, "{metric}: one per process");
    }
    // the headline is the median of the per-process medians, within the processes' spread
    let (lo, mid, hi) = (column(&out, "rt_proc_min_ns"), column(&out, "rt_p50_ns"), column(&out, "rt_proc_max_ns"));
    for i in 0..2 {
        let (lo, mid, hi): (f64, f64, f64) = (lo[i].parse().unwrap(), mid[i].parse().unwrap(), hi[i].parse().unwrap());
        assert!(lo <= mid && mid <= hi, "{lo} {mid} {hi}");
    }
}

#[test]
fn a_failing_process_ends_its_cell_and_keeps_its_samples() {
    let dir = tempfile::tempdir().unwrap();
    let g = guests(dir.path(), &producer("unreachable", 0), &consumer());
    let m = matrix(dir.path(), ONE_CELL, &format!("processes = 4\n{TINY}"));
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--guests", g.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert_eq!(column(&out, "status"), ["trap"]);
    assert_eq!(column(&out, "processes"), ["1"], "the other three processes are skipped");
    assert!(samples(&out).iter().all(|s| s.1 == 0));
}

#[test]
fn bad_run_options_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), ONE_CELL, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--pin", "4096"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("--pin 4096"), "{}", text(&run));
    let run = runner(&["run", m.to_str().unwrap(), "--measure", "cycles"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("allowed: wall_clock, instructions"), "{}", text(&run));
    let m = matrix(dir.path(), ONE_CELL, &format!("processes = 0\n{TINY}"));
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("processes, samples"), "{}", text(&run));
    assert!(!out.exists());
}

#[test]
fn instruction_counts_repeat_exactly_and_say_what_measured_them() {
    let dir = tempfile::tempdir().unwrap();
    let axes = ONE_CELL
        .replace(r#"["cranelift"]"#, r#"["cranelift", "rustc"]"#)
        .replace(r#"["jit"]"#, r#"["artifact", "native"]"#);
    let m = matrix(dir.path(), &axes, &format!("processes = 2\n{TINY}"));
    // (cell, metric) -> count, per run: rows come in the order cells finish, which the seed shuffles
    let mut counts: Vec<std::collections::BTreeMap<(String, &str), f64>> = Vec::new();
    for name in ["a.csv", "b.csv"] {
        let out = dir.path().join(name);
        let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--measure", "instructions"]);
        assert!(run.status.success(), "{}", text(&run));
        assert_eq!(column(&out, "measure"), ["instructions", "instructions"]);
        assert!(column(&out, "rt_p50_ns").iter().all(String::is_empty), "no times under callgrind");
        assert_eq!(column(&out, "rt_instructions_cv_pct"), ["0.0", "0.0"], "every process counts the same");
        let sums = column(&out, "checksum");
        assert!(sums.iter().all(|s| *s == column(&out, "expected_checksum")[0]), "{sums:?}");
        let mut run_counts = std::collections::BTreeMap::new();
        for metric in ["rt_instructions", "call_floor_instructions", "encode_instructions", "decode_instructions"] {
            for (cell, value) in column(&out, "cell").into_iter().zip(column(&out, metric)) {
                let value: f64 = value.parse().unwrap();
                assert!(value > 0.0, "{cell} {metric}: {value}");
                run_counts.insert((cell, metric), value);
            }
        }
        counts.push(run_counts);
    }
    assert_eq!(counts[0].len(), 8);
    for (key, a) in &counts[0] {
        let b = counts[1][key];
        assert!((a - b).abs() / a < 1e-3, "{key:?}: two runs count {a} and {b}");
    }
    let compare =
        runner(&["compare", dir.path().join("a.csv").to_str().unwrap(), dir.path().join("b.csv").to_str().unwrap()]);
    assert!(compare.status.success(), "{}", text(&compare));
    assert!(text(&compare).contains("8 compared: 8 no change"), "{}", text(&compare));
}

#[test]
fn a_finished_run_is_gone_on_with_not_doubled_and_another_run_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), ONE_CELL, TINY);
    let out = dir.path().join("r.csv");
    for _ in 0..2 {
        let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(run.status.success(), "{}", text(&run));
        assert_eq!(rows(&out).len(), 1, "a recorded cell is not run again: {}", text(&run));
    }
    // Other measure settings are another run: refused, the file untouched; --force starts over.
    let before = std::fs::read(&out).unwrap();
    let other = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--processes", "2"]);
    assert_eq!(other.status.code(), Some(2), "{}", text(&other));
    assert!(text(&other).contains("another run") && text(&other).contains("--force"), "{}", text(&other));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let forced = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--processes", "2", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_eq!(column(&out, "processes"), ["2"]);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("r.csv.old-") || n.starts_with("r.samples.csv.gz.old-"))
        .collect();
    assert_eq!(kept.len(), 2, "the old file and its sidecar are kept: {kept:?}");
}

/// Six quick native cells of 3 processes each, for the kill tests.
fn six_cells(dir: &Path) -> PathBuf {
    let axes = ALL_AXES
        .replace(r#"["singlepass", "cranelift", "llvm", "rustc"]"#, r#"["rustc"]"#)
        .replace(r#"["jit", "artifact", "native"]"#, r#"["native"]"#)
        .replace(r#"codec = ["raw"]"#, r#"codec = ["raw", "postcard", "json"]"#);
    matrix(
        dir,
        &axes,
        &format!("processes = 3\n{}", TINY.replace("samples = 5\nbatch = 10", "samples = 200\nbatch = 100")),
    )
}

/// Starts a run, waits until `rows_before` rows are recorded, sends `signal`, and waits for it.
fn interrupt(m: &Path, out: &Path, signal: &str, rows_before: usize) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // Complete lines after the header (the file may be mid-write).
    let recorded = || std::fs::read_to_string(out).map_or(0, |t| t.matches('\n').count().saturating_sub(1));
    while recorded() < rows_before {
        assert!(std::time::Instant::now() < deadline, "the run recorded too few rows in time");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    child.wait_with_output().unwrap()
}

fn every_cell_once(m: &Path, out: &Path) {
    let mut want: Vec<String> =
        String::from_utf8_lossy(&runner(&["list", m.to_str().unwrap()]).stdout).lines().map(str::to_owned).collect();
    want.sort();
    let mut have = column(out, "cell");
    have.sort();
    assert_eq!(have, want, "every cell exactly once");
}

#[test]
fn ctrl_c_stops_after_the_running_worker_and_the_same_command_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let m = six_cells(dir.path());
    let out = dir.path().join("r.csv");
    let stopped = interrupt(&m, &out, "-INT", 1);
    assert_eq!(stopped.status.code(), Some(130), "{}", text(&stopped));
    assert!(text(&stopped).contains("run the same command"), "{}", text(&stopped));
    let recorded = rows(&out).len();
    assert!((1..6).contains(&recorded), "{recorded} rows");
    let again = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains(&format!("records {recorded} of the 6 cells")), "{}", text(&again));
    every_cell_once(&m, &out);
}

#[test]
fn a_killed_run_loses_no_row_and_a_torn_line_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let m = six_cells(dir.path());
    let out = dir.path().join("r.csv");
    let killed = interrupt(&m, &out, "-KILL", 2);
    assert_eq!(killed.status.code(), None, "killed by a signal");
    // A write cut short: half a row, no newline.
    let text_before = std::fs::read_to_string(&out).unwrap();
    let half = "llvm/jit/bare/copy/raw/rel";
    std::fs::write(&out, format!("{text_before}{half}")).unwrap();
    let sidecar = wasmatrix_runner::results::samples::sidecar_path(&out);
    let mut gz = std::fs::read(&sidecar).unwrap();
    gz.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0]);
    std::fs::write(&sidecar, gz).unwrap();
    let again = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("set aside"), "{}", text(&again));
    assert_eq!(std::fs::read_to_string(dir.path().join("r.csv.torn")).unwrap(), format!("{half}\n"));
    assert!(std::fs::read_to_string(&out).unwrap().starts_with(&text_before), "earlier rows kept as they were");
    every_cell_once(&m, &out);
    wasmatrix_runner::results::samples::read(&sidecar).expect("the sidecar reads whole again");
}

#[test]
fn a_run_killed_before_any_row_keeps_every_finished_process() {
    let dir = tempfile::tempdir().unwrap();
    let m = six_cells(dir.path());
    let out = dir.path().join("r.csv");
    let sidecar = wasmatrix_runner::results::samples::sidecar_path(&out);
    let child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Processes that ended ok so far (a sidecar caught mid-append reads as an error: try again).
    let finished = || {
        wasmatrix_runner::results::samples::read(&sidecar).map_or(0, |s| s.iter().filter(|s| s.metric == "ok").count())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // Into the second round: every cell has one process, none has its three, so no measured row.
    while finished() < 8 {
        assert!(std::time::Instant::now() < deadline, "too few processes in time");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
    child.wait_with_output().unwrap();
    let again = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    let said = text(&again);
    let reused: usize = said
        .split("reusing ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the resume says how many processes it reuses: {said}"));
    assert!((8..18).contains(&reused), "{reused}: {said}");
    every_cell_once(&m, &out);
    // One run: every row counts exactly the processes the sidecar holds for it under its run id,
    // each once: at least three (one more if all three had finished before the kill).
    let run_ids = column(&out, "run_id");
    assert!(run_ids.iter().all(|r| *r == run_ids[0]), "the resumed run keeps its run id: {run_ids:?}");
    let all = wasmatrix_runner::results::samples::read(&sidecar).unwrap();
    let mut ok: Vec<(String, u32)> = all
        .iter()
        .filter(|s| s.metric == "ok" && s.run_id == run_ids[0])
        .map(|s| (s.cell.clone(), s.process))
        .collect();
    let before = ok.len();
    ok.sort();
    ok.dedup();
    assert_eq!(ok.len(), before, "no process number twice");
    for (cell, processes) in column(&out, "cell").into_iter().zip(column(&out, "processes")) {
        let processes: usize = processes.parse().unwrap();
        assert!((3..=4).contains(&processes), "{cell}: {processes}");
        assert_eq!(ok.iter().filter(|(c, _)| *c == cell).count(), processes, "{cell}");
    }
}

#[test]
fn list_prints_cells_and_honours_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), ALL_AXES, TINY);
    let list = runner(&["list", m.to_str().unwrap(), "--filter", "compiler=llvm transport=shared"]);
    assert!(list.status.success());
    let cells: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        cells,
        [
            "llvm/jit/bare/shared/raw/release/off/default/wasmer/host/fresh",
            "llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh"
        ]
    );
}

#[test]
fn bad_input_fails_before_running_with_file_line_and_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), &ONE_CELL.replace("\"cranelift\"", "\"v8\""), TINY);
    let run = runner(&["run", m.to_str().unwrap(), "--out", dir.path().join("r.csv").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run);
    assert!(
        err.contains("m.toml:2:13:") && err.contains("unknown compiler `v8`; allowed: singlepass, cranelift, llvm"),
        "{err}"
    );
    assert!(!dir.path().join("r.csv").exists(), "nothing runs, nothing is written");

    let m = matrix(dir.path(), ONE_CELL, "warmup = \nsamples = 1");
    let run = runner(&["run", m.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("m.toml") && text(&run).contains("line 9"), "{}", text(&run));

    let run = runner(&["list", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("cannot read matrix") && text(&run).contains("missing.toml"));

    let m = matrix(dir.path(), ONE_CELL, TINY);
    let run = runner(&["list", m.to_str().unwrap(), "--filter", "compiler=llvm"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run).contains("selects none"), "{}", text(&run));
}

/// A guest directory for one copy-transport cell holding these two modules.
fn guests(dir: &Path, producer: &[u8], consumer: &[u8]) -> PathBuf {
    guests_in(dir, "bare", producer, consumer)
}

fn guests_in(dir: &Path, environment: &str, producer: &[u8], consumer: &[u8]) -> PathBuf {
    let root = dir.join("guests");
    let cell = root.join(format!("release/default/{environment}/logging-off/own-memory/raw"));
    std::fs::create_dir_all(&cell).unwrap();
    std::fs::write(cell.join("producer.wasm"), producer).unwrap();
    std::fs::write(cell.join("consumer.wasm"), consumer).unwrap();
    root
}

fn wat(text: &str) -> Vec<u8> {
    ::wat::parse_str(text).unwrap()
}

/// A producer speaking the guest ABI with `produce` replaced.
fn producer(produce_body: &str, checksum: u64) -> Vec<u8> {
    wat(&format!(
        r#"(module (memory (export "memory") 1)
          (func (export "produce") (param i32) (result i64) {produce_body})
          (func (export "reply_buffer") (param i32) (result i32) i32.const 64)
          (func (export "check_reply") (param i32 i32) (result i32) i32.const 0)
          (func (export "checksum") (result i64) i64.const {checksum})
          (func (export "bench_encode") (param i32 i32) (result i32) i32.const 4)
          (func (export "error_message") (result i64) i64.const 0))"#
    ))
}

fn consumer() -> Vec<u8> {
    wat(r#"(module (memory (export "memory") 1)
          (func (export "request_buffer") (param i32) (result i32) i32.const 64)
          (func (export "consume") (param i32 i32) (result i64) i64.const 0x0000001000000004)
          (func (export "ping") (param i32) (result i32) local.get 0)
          (func (export "bench_decode") (param i32 i32 i32) (result i32) i32.const 0)
          (func (export "error_message") (result i64) i64.const 0))"#)
}

/// Runs one cell on the given guests; returns (exit code, status, error).
fn run_guests(producer: &[u8], consumer: &[u8], measure: &str) -> (Option<i32>, String, String) {
    run_guests_faulting(producer, consumer, measure, None)
}

/// As [`run_guests`], the worker told to fail this way first (`WASMATRIX_TEST_FAULT`).
fn run_guests_faulting(
    producer: &[u8],
    consumer: &[u8],
    measure: &str,
    fault: Option<&str>,
) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let g = guests(dir.path(), producer, consumer);
    let m = matrix(dir.path(), ONE_CELL, measure);
    let out = dir.path().join("r.csv");
    let mut command = Command::new(env!("CARGO_BIN_EXE_runner"));
    command.args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--guests", g.to_str().unwrap()]);
    if let Some(fault) = fault {
        command.env("WASMATRIX_TEST_FAULT", fault);
    }
    let run = command.output().unwrap();
    assert_eq!(rows(&out).len(), 1, "{}", text(&run));
    (run.status.code(), column(&out, "status").remove(0), column(&out, "error").remove(0))
}

const PRODUCE_OK: &str = "i64.const 0x0000001000000004";

#[test]
fn a_trapping_guest_becomes_a_trap_row() {
    let (code, status, error) = run_guests(&producer("unreachable", 0), &consumer(), TINY);
    assert_eq!((code, status.as_str()), (Some(1), "trap"), "{error}");
    assert!(error.contains("unreachable"), "{error}");
}

#[test]
fn a_hanging_guest_becomes_a_timeout_row() {
    let measure = TINY.replace("timeout_s = 120", "timeout_s = 2");
    let (code, status, error) = run_guests(&producer("(loop $spin br $spin) unreachable", 0), &consumer(), &measure);
    assert_eq!((code, status.as_str()), (Some(1), "timeout"), "{error}");
}

#[test]
fn a_worker_that_segfaults_or_aborts_becomes_a_crash_row_naming_the_signal() {
    for (fault, signal) in [("segfault", "SIGSEGV"), ("abort", "SIGABRT")] {
        let (code, status, error) = run_guests_faulting(&producer(PRODUCE_OK, 0), &consumer(), TINY, Some(fault));
        assert_eq!((code, status.as_str()), (Some(1), "crash"), "{fault}: {error}");
        assert!(error.contains(signal) && error.contains("without a report"), "{fault}: {error}");
    }
}

/// A cap small enough for a test, large enough for the worker itself.
const CAPPED: &str = "memory_limit_mib = 256";

#[test]
fn a_guest_that_allocates_without_bound_becomes_an_oom_row() {
    // Grows its memory by 16 MiB until refused, then aborts as Rust's allocator does.
    let hungry = "(block $refused (loop $more
        (br_if $refused (i32.eq (memory.grow (i32.const 256)) (i32.const -1))) (br $more))) unreachable";
    let measure = format!("{TINY}\n{CAPPED}");
    let (code, status, error) = run_guests(&producer(hungry, 0), &consumer(), &measure);
    assert_eq!((code, status.as_str()), (Some(1), "oom"), "{error}");
    assert!(error.contains("256 MiB") && error.contains("unreachable"), "{error}");
    // The same guest without the grows is an ordinary trap: the cap, not the trap, makes it oom.
    let (_, status, _) = run_guests(&producer("unreachable", 0), &consumer(), &measure);
    assert_eq!(status, "trap");
}

#[test]
fn a_worker_that_allocates_without_bound_becomes_an_oom_row() {
    let measure = format!("{TINY}\n{CAPPED}");
    let (code, status, error) =
        run_guests_faulting(&producer(PRODUCE_OK, 0), &consumer(), &measure, Some("exhaust-memory"));
    assert_eq!((code, status.as_str()), (Some(1), "oom"), "{error}");
    assert!(error.contains("memory allocation of") && error.contains("SIGABRT"), "{error}");
}

#[test]
fn a_corrupt_guest_becomes_an_error_row() {
    let (code, status, error) = run_guests(b"\0asm\x01\0\0\0garbage", &consumer(), TINY);
    assert_eq!((code, status.as_str()), (Some(1), "error"), "{error}");
    assert!(error.contains("cannot compile guest") && error.contains("producer.wasm"), "{error}");
}

#[test]
fn a_wrong_checksum_is_flagged_in_its_row() {
    let (code, status, error) = run_guests(&producer(PRODUCE_OK, 42), &consumer(), TINY);
    assert_eq!((code, status.as_str()), (Some(1), "checksum_mismatch"), "{error}");
    assert!(error.contains("000000000000002a"), "{error}");
}

#[test]
fn wasi_and_logging_cells_agree_with_bare_and_native_and_count_what_they_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let axes = ALL_AXES
        .replace(r#"["singlepass", "cranelift", "llvm", "rustc"]"#, r#"["cranelift", "rustc"]"#)
        .replace(r#"["jit", "artifact", "native"]"#, r#"["artifact", "native"]"#)
        .replace(r#"environment = ["bare"]"#, "environment = [\"bare\", \"wasi\"]\nlogging = [\"off\", \"on\"]");
    let m = matrix(dir.path(), &axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(rows(&out).len(), 2 * 2 * 2 * 2);
    let sums = column(&out, "checksum");
    assert!(sums.iter().all(|s| *s == sums[0] && !s.is_empty()), "{sums:?}");
    let round_trips: u64 = column(&out, "round_trips")[0].parse().unwrap();
    let get = |name: &str| column(&out, name);
    let (cells, logs, stdouts, stderrs, env_ns) =
        (get("cell"), get("log_bytes"), get("stdout_bytes"), get("stderr_bytes"), get("environment_ns"));
    let mut line_bytes = std::collections::BTreeSet::new();
    for i in 0..cells.len() {
        let (wasi, logging, native) =
            (cells[i].contains("/wasi/"), cells[i].contains("/on/default/"), cells[i].starts_with("rustc/"));
        if logging {
            // one line per round trip, whatever carried it
            let bytes: u64 = logs[i].parse().unwrap_or_else(|_| panic!("{}: log_bytes {:?}", cells[i], logs[i]));
            assert_eq!(bytes % round_trips, 0, "{}", cells[i]);
            line_bytes.insert(bytes);
        } else {
            assert!(logs[i].is_empty(), "{}: {}", cells[i], logs[i]);
        }
        // WASI's stdout holds the log and nothing else; stderr stays empty
        match (wasi && !native, logging) {
            (true, true) => assert_eq!(stdouts[i], logs[i], "{}", cells[i]),
            (true, false) => assert_eq!(stdouts[i], "0", "{}", cells[i]),
            (false, _) => assert!(stdouts[i].is_empty(), "{}", cells[i]),
        }
        assert_eq!(stderrs[i], if wasi && !native { "0" } else { "" }, "{}", cells[i]);
        assert_eq!(env_ns[i].is_empty(), native, "{}: environment_ns {:?}", cells[i], env_ns[i]);
    }
    assert_eq!(line_bytes.len(), 1, "every sink took the same lines: {line_bytes:?}");
    let summary = text(&run);
    assert!(summary.contains("support, compiler x environment") && summary.contains("raw wasi log"), "{summary}");
}

/// What a WASI guest can reach: the producer's `checksum` export tries to open `etc/passwd` in its
/// root and `../etc/passwd` above it, counts its environment variables and writes six bytes to
/// stdout, and returns (errno, errno, count) packed as its "checksum", which the row shows.
#[test]
fn a_wasi_guest_sees_an_empty_root_no_variables_and_a_captured_stdout() {
    let producer = wat(r#"(module
          (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $envs (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "etc/passwd")
          (data (i32.const 150) "../etc/passwd")
          (data (i32.const 200) "hello\n")
          (func $errno (param $path i32) (param $len i32) (result i64)
            (i64.extend_i32_u (call $open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
              (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 600))))
          (func (export "produce") (param i32) (result i64) i64.const 0x0000001000000004)
          (func (export "reply_buffer") (param i32) (result i32) i32.const 64)
          (func (export "check_reply") (param i32 i32) (result i32) i32.const 0)
          (func (export "checksum") (result i64)
            (i32.store (i32.const 300) (i32.const 200))
            (i32.store (i32.const 304) (i32.const 6))
            (drop (call $write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 400)))
            (drop (call $envs (i32.const 500) (i32.const 504)))
            (i64.or (i64.or
              (i64.shl (call $errno (i32.const 100) (i32.const 10)) (i64.const 48))
              (i64.shl (call $errno (i32.const 150) (i32.const 13)) (i64.const 32)))
              (i64.extend_i32_u (i32.load (i32.const 500)))))
          (func (export "bench_encode") (param i32 i32) (result i32) i32.const 4)
          (func (export "error_message") (result i64) i64.const 0))"#);
    let dir = tempfile::tempdir().unwrap();
    let g = guests_in(dir.path(), "wasi", &producer, &consumer());
    let m = matrix(dir.path(), &ONE_CELL.replace(r#"["bare"]"#, r#"["wasi"]"#), TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--guests", g.to_str().unwrap()]);
    assert_eq!(column(&out, "status"), ["checksum_mismatch"], "{}", text(&run));
    let sum = u64::from_str_radix(&column(&out, "checksum")[0], 16).unwrap();
    let (inside, above, variables) = (sum >> 48, (sum >> 32) & 0xffff, sum & 0xffff_ffff);
    assert_eq!(inside, 44, "etc/passwd inside the root: ENOENT, the root is empty ({sum:016x})");
    assert_ne!(above, 0, "../etc/passwd must not open ({sum:016x})");
    assert_eq!(variables, 0, "no environment variables ({sum:016x})");
    assert_eq!(column(&out, "stdout_bytes"), ["6"]);
    assert!(!text(&run).contains("hello"), "the guest's stdout never reaches the runner's: {}", text(&run));
}

#[test]
fn emscripten_output_runs_under_wasi_with_the_same_checksum_and_legacy_cells_say_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let axes = ALL_AXES
        .replace(r#"["singlepass", "cranelift", "llvm", "rustc"]"#, r#"["singlepass", "cranelift", "rustc"]"#)
        .replace(r#"["jit", "artifact", "native"]"#, r#"["jit", "native"]"#)
        .replace(
            r#"environment = ["bare"]"#,
            "environment = [\"bare\", \"emscripten\", \"emscripten-legacy\"]\nlogging = [\"off\", \"on\"]",
        );
    let m = matrix(dir.path(), &format!("{axes}\n[[exclude]]\nenvironment = \"bare\"\nengine = \"jit\""), TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "unsupported rows do not fail a run: {}", text(&run));
    let (cells, statuses, errors, sums) =
        (column(&out, "cell"), column(&out, "status"), column(&out, "error"), column(&out, "checksum"));
    // bare: native only (2 transports x 2 loggings); emscripten and legacy: 3 compilers each
    assert_eq!(cells.len(), 4 + 2 * 3 * 2 * 2);
    for i in 0..cells.len() {
        let legacy = cells[i].contains("/emscripten-legacy/");
        let native_emscripten = cells[i].starts_with("rustc/native/emscripten/");
        if legacy || native_emscripten {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(sums[i].is_empty(), "{}: nothing ran", cells[i]);
            let why = if legacy { "pre-2.0 Emscripten ABI" } else { "native twin runs no Emscripten output" };
            assert!(errors[i].contains(why), "{}: {}", cells[i], errors[i]);
        } else {
            assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
            let first = sums.iter().find(|s| !s.is_empty()).unwrap();
            assert_eq!(&sums[i], first, "{}", cells[i]);
        }
    }
    let list = runner(&["list", m.to_str().unwrap()]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains(
            "cranelift/jit/emscripten-legacy/copy/raw/release/off/default/wasmer/host/fresh  unsupported: Wasmer's own"
        ),
        "{listed}"
    );
    assert!(text(&run).contains("unsupported (12 cells, e.g."), "{}", text(&run));
}

#[test]
fn build_profiles_and_allocators_agree_on_the_checksum_and_unwind_says_why_not_in_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["cranelift", "rustc"]
engine = ["artifact", "native"]
environment = ["bare"]
transport = ["shared"]
codec = ["raw"]
profile = ["release", "wasm-opt", "unwind"]
allocator = ["default", "talc"]"#;
    let m = matrix(dir.path(), axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let (cells, statuses, sums) = (column(&out, "cell"), column(&out, "status"), column(&out, "checksum"));
    assert_eq!(cells.len(), 3 * 2 * 2);
    let at = |cell: &str| cells.iter().position(|c| c == cell).unwrap_or_else(|| panic!("no row {cell}: {cells:?}"));
    for (i, cell) in cells.iter().enumerate() {
        // wasm cannot unwind here: those rows say why; everything else runs, with one checksum
        let unwind_in_wasm = cell.contains("/unwind/") && !cell.starts_with("rustc/");
        assert_eq!(
            statuses[i],
            if unwind_in_wasm { "unsupported" } else { "ok" },
            "{cell}: {:?}",
            column(&out, "error")
        );
        if !unwind_in_wasm {
            assert_eq!(
                sums[i],
                sums[at("rustc/native/bare/shared/raw/release/off/default/native/host/fresh")],
                "{cell}"
            );
        }
    }
    let error = &column(&out, "error")[at("cranelift/artifact/bare/shared/raw/unwind/off/talc/wasmer/host/fresh")];
    assert!(error.contains("panic=unwind") && error.contains("stable Rust"), "{error}");
    // sizes, raw and gzip'd, for every wasm cell that ran; wasm-opt and talc each change the guests
    let size = |column_name: &str, cell: &str| -> u64 { column(&out, column_name)[at(cell)].parse().unwrap() };
    let release = "cranelift/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh";
    for cell in [
        release,
        "cranelift/artifact/bare/shared/raw/wasm-opt/off/default/wasmer/host/fresh",
        "cranelift/artifact/bare/shared/raw/release/off/talc/wasmer/host/fresh",
    ] {
        for guest in ["producer", "consumer"] {
            let (raw, gz) =
                (size(&format!("{guest}_wasm_bytes"), cell), size(&format!("{guest}_wasm_gzip_bytes"), cell));
            assert!(gz > 0 && gz < raw, "{cell} {guest}: {raw} bytes, {gz} gzip'd");
        }
    }
    for other in [
        "cranelift/artifact/bare/shared/raw/wasm-opt/off/default/wasmer/host/fresh",
        "cranelift/artifact/bare/shared/raw/release/off/talc/wasmer/host/fresh",
    ] {
        assert_ne!(size("consumer_wasm_bytes", other), size("consumer_wasm_bytes", release), "{other}");
    }
    assert_eq!(column(&out, "allocator")[at(release)], "default");
    // the set-up done again in the same process, several times: for every cell that ran, natively
    // too (constructing both sides again), with its headline and how many repeats
    let (warm, headline, repeats) =
        (column(&out, "setup_warm_ns"), column(&out, "setup_headline_ns"), column(&out, "setup_warm_repeats"));
    for (i, cell) in cells.iter().enumerate() {
        let ran = statuses[i] == "ok";
        assert_eq!(warm[i].parse::<u64>().is_ok_and(|v| v > 0), ran, "{cell}: {:?}", warm[i]);
        assert_eq!(headline[i].parse::<f64>().is_ok_and(|v| v > 0.0), ran, "{cell}: {:?}", headline[i]);
        assert_eq!(repeats[i].parse::<u32>().is_ok_and(|n| (1..=20).contains(&n)), ran, "{cell}: {:?}", repeats[i]);
    }
}

#[test]
fn every_runtime_runs_the_same_guests_to_the_same_checksum_whoever_calls_and_says_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["cranelift", "winch", "pulley", "eager", "lazy", "liftoff", "turbofan", "rustc"]
engine = ["jit", "artifact", "native"]
environment = ["bare", "wasi"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]
logging = ["on"]
runtime = ["wasmtime", "wasmi", "v8", "native"]
call = ["host", "import"]"#;
    let m = matrix(dir.path(), axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    // Wasmtime: 3 compilers x 2 engines; wasmi and V8: 2 each x 2 engines; native: 1; x 2
    // environments x 2 transports x 2 call patterns.
    assert_eq!(rows(&out).len(), (3 * 2 + 2 * 2 + 2 * 2 + 1) * 2 * 2 * 2);
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (runtimes, versions, logs) = (get("runtime"), get("runtime_version"), get("log_bytes"));
    let first_ok = statuses.iter().position(|s| s == "ok").expect("some cell ran");
    let (sum, log) = (&sums[first_ok], &logs[first_ok]);
    assert!(!sum.is_empty() && !log.is_empty());
    let mut ok = 0;
    for i in 0..cells.len() {
        let interpreter_artifact = cells[i].contains("/artifact/") && matches!(runtimes[i].as_str(), "wasmi" | "v8");
        if interpreter_artifact {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(errors[i].contains("serialize"), "{}: {}", cells[i], errors[i]);
            continue;
        }
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        ok += 1;
        assert_eq!(&sums[i], sum, "{}", cells[i]);
        // every sink took the same lines, whatever runtime carried them
        assert_eq!(&logs[i], log, "{}", cells[i]);
        // the version the worker itself reports
        let prefix = if runtimes[i] == "native" { "rustc " } else { runtimes[i].as_str() };
        assert!(versions[i].starts_with(prefix), "{}: {}", cells[i], versions[i]);
    }
    assert_eq!(ok, (3 * 2 + 2 + 2 + 1) * 2 * 2 * 2);
    // the producer calling the consumer through the host moves the same bytes
    let (calls, requests) = (get("call"), get("request_bytes_mean"));
    for i in (0..cells.len()).filter(|&i| statuses[i] == "ok") {
        let host = cells[i].replace("/import", "/host");
        let twin = cells.iter().position(|c| *c == host).unwrap();
        assert_eq!(requests[i], requests[twin], "{} ({})", cells[i], calls[i]);
    }
    assert_eq!(&get("expected_checksum")[first_ok], sum);
    let summary = text(&run);
    assert!(summary.contains("wasmtime cranelift") && summary.contains("wasmi lazy"), "{summary}");
    // the report's runtime table has every runtime's back-ends
    let report = runner(&["report", out.to_str().unwrap()]);
    let report = text(&report);
    assert!(report.contains("Runtimes and back-ends"), "{report}");
}

#[test]
fn components_through_the_host_and_composed_reach_the_core_modules_checksum_and_say_what_they_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["cranelift", "rustc"]
engine = ["jit", "artifact", "native"]
environment = ["bare"]
transport = ["copy", "component", "composed"]
codec = ["raw", "flatbuffers", "wit"]
profile = ["release"]
runtime = ["wasmtime", "native"]
call = ["host", "import"]"#;
    let m = matrix(dir.path(), axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    // Wasmtime: 2 engines x (copy and component: 3 codecs x 2 call patterns; composed: 3 codecs,
    // import only); the native twin: the same 15 combinations.
    assert_eq!(rows(&out).len(), 3 * 15);
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (requests, sizes) = (get("request_bytes_mean"), get("producer_wasm_bytes"));
    let sum = &get("expected_checksum")[0];
    assert!(!sum.is_empty());
    let mut ok = 0;
    for i in 0..cells.len() {
        let cell = &cells[i];
        let native = cell.starts_with("rustc/");
        let component = cell.contains("/component/") || cell.contains("/composed/");
        let wit = cell.contains("/wit/");
        let why = match (native, component, wit) {
            (_, false, true) => Some("only between components"),
            (true, true, _) => Some("natively there are no components"),
            _ => None,
        };
        if let Some(why) = why {
            assert_eq!(statuses[i], "unsupported", "{cell}");
            assert!(errors[i].contains(why), "{cell}: {}", errors[i]);
            continue;
        }
        assert_eq!(statuses[i], "ok", "{cell}: {}", errors[i]);
        ok += 1;
        assert_eq!(&sums[i], sum, "{cell}");
        assert_eq!(sizes[i].parse::<u64>().is_ok(), !native, "{cell}: {}", sizes[i]);
        // a list<u8> carries the codec's bytes, as copy does; the typed record its strings and scalars
        let request: f64 = requests[i].parse().unwrap();
        if component && !wit {
            let copy = cell.replace("/component/", "/copy/").replace("/composed/", "/copy/");
            let twin = cells.iter().position(|c| *c == copy).unwrap();
            assert_eq!(requests[i], requests[twin], "{cell}");
        } else if wit {
            assert!(request > 100.0, "{cell}: {request}");
        }
    }
    assert_eq!(ok, 2 * 13 + 4);
    let report = text(&runner(&["report", out.to_str().unwrap()]));
    assert!(report.contains("Component Model beside core modules"), "{report}");
}
