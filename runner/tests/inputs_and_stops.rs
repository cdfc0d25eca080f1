//! End-to-end: what `runner run` checks before any cell runs (the guest files), and how it stops
//! short (a failed write after cells ran, a second Ctrl-C, a timeout), each with its exit status.

mod common;

use common::{column, matrix, rows, runner, text, TINY};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WASM_CELL: &str = r#"compiler = ["cranelift"]
engine = ["jit"]
environment = ["bare"]
transport = ["copy"]
codec = ["raw"]
profile = ["release"]"#;

/// [`WASM_CELL`] under `runtime`, compiled by one of its compilers. Under V8, Node.js runs it and
/// there is no worker to build.
fn wasm_cell_under(runtime: &str) -> String {
    let compiler = match runtime {
        "wasmi" => "eager",
        "v8" => "liftoff",
        _ => "cranelift",
    };
    WASM_CELL.replace("cranelift", compiler) + &format!("\nruntime = [\"{runtime}\"]")
}

/// One native cell (its worker is built under target/wasmatrix the first time).
const NATIVE_CELL: &str = r#"compiler = ["rustc"]
engine = ["native"]
environment = ["bare"]
transport = ["copy"]
codec = ["raw"]
profile = ["release"]"#;

/// `<dir>/<name>/...` holding `producer.wasm` and `consumer.wasm` for a copy-transport cell.
fn guests(dir: &Path, name: &str, producer: &[u8], consumer: &[u8]) -> PathBuf {
    let root = dir.join(name);
    let cell = root.join("release/default/bare/logging-off/own-memory/raw");
    std::fs::create_dir_all(&cell).unwrap();
    std::fs::write(cell.join("producer.wasm"), producer).unwrap();
    std::fs::write(cell.join("consumer.wasm"), consumer).unwrap();
    root
}

/// A producer speaking the guest ABI whose checksum is `checksum`.
fn producer_wat(checksum: u64) -> String {
    producer_doing("i64.const 0x0000001000000004", checksum)
}

/// A producer speaking the guest ABI with `produce` replaced.
fn producer_doing(produce_body: &str, checksum: u64) -> String {
    format!(
        r#"(module (memory (export "memory") 1)
          (func (export "produce") (param i32) (result i64) {produce_body})
          (func (export "reply_buffer") (param i32) (result i32) i32.const 64)
          (func (export "check_reply") (param i32 i32) (result i32) i32.const 0)
          (func (export "checksum") (result i64) i64.const {checksum})
          (func (export "bench_encode") (param i32 i32) (result i32) i32.const 4)
          (func (export "error_message") (result i64) i64.const 0))"#
    )
}

const CONSUMER_WAT: &str = r#"(module (memory (export "memory") 1)
          (func (export "request_buffer") (param i32) (result i32) i32.const 64)
          (func (export "consume") (param i32 i32) (result i64) i64.const 0x0000001000000004)
          (func (export "ping") (param i32) (result i32) local.get 0)
          (func (export "bench_decode") (param i32 i32 i32) (result i32) i32.const 0)
          (func (export "error_message") (result i64) i64.const 0))"#;

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

fn run_with(m: &Path, out: &Path, guests: &Path) -> std::process::Output {
    runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--guests", guests.to_str().unwrap()])
}

#[test]
fn a_mistyped_guests_directory_is_refused_before_any_cell_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), WASM_CELL, TINY);
    let out = dir.path().join("g.csv");
    let missing = dir.path().join("nonexistent");
    let run = run_with(&m, &out, &missing);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(text(&run).contains("nonexistent: no such directory"), "{}", text(&run));
    assert!(!out.exists(), "no results file, so nothing sticks to the next run");

    // A directory without the file a cell needs: the file is named.
    let half = guests(dir.path(), "half", &wasm(&producer_wat(0)), &wasm(CONSUMER_WAT));
    std::fs::remove_file(half.join("release/default/bare/logging-off/own-memory/raw/consumer.wasm")).unwrap();
    let run = run_with(&m, &out, &half);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(text(&run).contains("own-memory/raw/consumer.wasm (for cranelift/jit/bare/copy/raw"), "{}", text(&run));
    assert!(!out.exists());
}

#[test]
fn wat_text_or_the_wrong_kind_of_wasm_is_refused_for_every_runtime_before_any_runs() {
    let dir = tempfile::tempdir().unwrap();
    let text_guests = guests(dir.path(), "text", &wasm(&producer_wat(0)), CONSUMER_WAT.as_bytes());
    let out = dir.path().join("r.csv");
    for runtime in ["wasmer", "wasmtime", "wasmi", "v8"] {
        let axes = wasm_cell_under(runtime);
        let m = matrix(dir.path(), &axes, TINY);
        let run = run_with(&m, &out, &text_guests);
        assert_eq!(run.status.code(), Some(2), "{runtime}: {}", text(&run));
        let said = text(&run);
        assert!(said.contains("raw/consumer.wasm is not binary wasm (it is WAT text)"), "{runtime}: {said}");
        assert!(!out.exists(), "{runtime}: nothing ran");
    }
    // A core module where a component is needed.
    let component_dir = dir.path().join("core/release/default/bare/logging-off/component/raw");
    std::fs::create_dir_all(&component_dir).unwrap();
    for file in ["producer.wasm", "consumer.wasm"] {
        std::fs::write(component_dir.join(file), wasm(CONSUMER_WAT)).unwrap();
    }
    let axes = WASM_CELL.replace("\"copy\"", "\"component\"") + "\nruntime = [\"wasmtime\"]";
    let m = matrix(dir.path(), &axes, TINY);
    let run = run_with(&m, &out, &dir.path().join("core"));
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(
        text(&run).contains("is a core wasm module (version 1), and its cells need a wasm component"),
        "{}",
        text(&run)
    );
}

#[test]
fn a_results_file_never_mixes_two_guest_sets() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), &wasm_cell_under("v8"), &format!("processes = 1\n{TINY}"));
    let out = dir.path().join("r.csv");
    let a = guests(dir.path(), "a", &wasm(&producer_wat(0)), &wasm(CONSUMER_WAT));
    let b = guests(dir.path(), "b", &wasm(&producer_wat(42)), &wasm(CONSUMER_WAT));
    let first = run_with(&m, &out, &a);
    assert_eq!(first.status.code(), Some(1), "a checksum mismatch: {}", text(&first));
    assert_eq!(column(&out, "status"), ["checksum_mismatch"], "{}", text(&first));
    let before = std::fs::read(&out).unwrap();

    let other = run_with(&m, &out, &b);
    assert_eq!(other.status.code(), Some(2), "{}", text(&other));
    assert!(text(&other).contains("another run") && text(&other).contains("guests"), "{}", text(&other));
    assert_eq!(std::fs::read(&out).unwrap(), before, "left untouched");

    let same = run_with(&m, &out, &a);
    assert!(text(&same).contains("records 1 of the 1 cells already"), "{}", text(&same));
    assert_eq!(rows(&out).len(), 1);
}

/// Where `runner run` keeps a run's precompiled guests: `<checkout>/target/wasmatrix/artifacts`.
fn artifacts_of(pid: u32) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasmatrix/artifacts");
    let suffix = format!("-{pid}");
    std::fs::read_dir(root).map_or_else(
        |_| Vec::new(),
        |entries| entries.map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(&suffix)).collect(),
    )
}

#[test]
fn a_write_that_fails_after_cells_ran_names_the_file_and_says_how_to_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), NATIVE_CELL, &format!("processes = 1\n{TINY}"));
    // A device is no results file (it would be read without end).
    let run = runner(&["run", m.to_str().unwrap(), "--out", "/dev/full"]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(text(&run).contains("--out /dev/full: not a regular file"), "{}", text(&run));

    // A write that fails once the cell has run: its summary cannot be put in place (written whole
    // under a temporary name, it cannot be renamed over a directory; a full disk at start is
    // `results::file::tests::a_full_disk_names_the_file`).
    let out = dir.path().join("r.csv");
    let summary = dir.path().join("r.summary.txt");
    std::fs::create_dir_all(summary.join("in the way")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stopped = child.wait_with_output().unwrap();
    let said = text(&stopped);
    assert_eq!(stopped.status.code(), Some(3), "{said}");
    assert!(said.contains("r.summary.txt"), "{said}");
    assert!(said.contains("run the same command"), "{said}");
    assert_eq!(rows(&out).len(), 1, "the recorded row is kept");
    assert_eq!(artifacts_of(pid), Vec::<PathBuf>::new(), "the run's artifacts are removed");

    std::fs::remove_dir_all(&summary).unwrap();
    let again = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("records 1 of the 1 cells already"), "{}", text(&again));
    assert_eq!(rows(&out).len(), 1);
}

/// The worker processes `pid` runs now (a native worker's command line holds `worker`).
fn workers_of(pid: u32) -> Vec<u32> {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .filter(|c| {
            let cmdline = std::fs::read(format!("/proc/{c}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains("wasmatrix-native\0worker\0")
        })
        .collect()
}

#[test]
fn a_second_ctrl_c_stops_at_once_killing_the_worker_and_recording_nothing_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path(), NATIVE_CELL, &format!("processes = 1\n{TINY}"));
    let out = dir.path().join("r.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("WASMATRIX_TEST_FAULT", "hang")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // The native worker may be built first: minutes, the first time.
    let deadline = Instant::now() + Duration::from_secs(900);
    let worker = loop {
        if let Some(&w) = workers_of(pid).first() {
            break w;
        }
        assert!(Instant::now() < deadline, "no worker started");
        std::thread::sleep(Duration::from_millis(50));
    };
    let ctrl_c = || Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
    ctrl_c();
    std::thread::sleep(Duration::from_millis(500));
    assert!(Path::new(&format!("/proc/{worker}")).exists(), "the first Ctrl-C lets the worker run on");
    let second = Instant::now();
    ctrl_c();
    let stopped = child.wait_with_output().unwrap();
    assert!(second.elapsed() < Duration::from_secs(5), "stopped {:?} after the second Ctrl-C", second.elapsed());
    assert_eq!(stopped.status.code(), Some(130), "{}", text(&stopped));
    assert!(text(&stopped).contains("run the same command"), "{}", text(&stopped));
    assert!(!Path::new(&format!("/proc/{worker}")).exists(), "the worker was killed");
    assert_eq!(rows(&out).len(), 0, "its cell is not recorded");
    let sidecar = wasmatrix_runner::results::samples::sidecar_path(&out);
    let samples = wasmatrix_runner::results::samples::read(&sidecar).unwrap_or_default();
    assert!(samples.is_empty(), "its process is not counted: {samples:?}");
    assert_eq!(artifacts_of(pid), Vec::<PathBuf>::new(), "the run's artifacts are removed");
}

#[test]
fn a_timeout_row_names_its_limit_and_phase() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(
        dir.path(),
        NATIVE_CELL,
        &format!("processes = 1\n{}", TINY.replace("timeout_s = 120", "timeout_s = 2")),
    );
    let out = dir.path().join("r.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("WASMATRIX_TEST_FAULT", "hang")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert_eq!(column(&out, "status"), ["timeout"]);
    let error = column(&out, "error").remove(0);
    assert!(error.contains("timeout_s = 2 s") && error.contains("phase `set-up`"), "{error}");
    assert!(text(&run).contains("checksums: no cell finished"), "{}", text(&run));
}

#[test]
fn a_timeout_row_names_the_phase_each_worker_was_in() {
    // A guest that spins in its first round trip: wasmi's worker says the phase it entered; V8's
    // says none and is placed by its ready line.
    let dir = tempfile::tempdir().unwrap();
    let spin =
        guests(dir.path(), "spin", &wasm(&producer_doing("(loop $spin br $spin) unreachable", 0)), &wasm(CONSUMER_WAT));
    let measure = format!("processes = 1\n{}", TINY.replace("timeout_s = 120", "timeout_s = 2"));
    for (runtime, phase) in
        [("wasmi", "phase `first round trip`"), ("v8", "set-up or first round trip (before its ready line)")]
    {
        let axes = wasm_cell_under(runtime);
        let m = matrix(dir.path(), &axes, &measure);
        let out = dir.path().join(format!("{runtime}.csv"));
        let run = run_with(&m, &out, &spin);
        assert_eq!(run.status.code(), Some(1), "{runtime}: {}", text(&run));
        assert_eq!(column(&out, "status"), ["timeout"], "{runtime}");
        let error = column(&out, "error").remove(0);
        assert!(error.contains("timeout_s = 2 s") && error.contains(phase), "{runtime}: {error}");
    }
}

#[test]
fn a_memory_past_the_cap_is_oom_under_every_runtime_and_its_row_times_no_failed_phase() {
    // issue 26: a consumer declaring 65,536 pages was `oom` under Wasmer and `error` under
    // Wasmtime, and Wasmer's failed row still had `instantiate_ns` and `setup_ns`.
    let dir = tempfile::tempdir().unwrap();
    let huge = CONSUMER_WAT.replace(r#"(memory (export "memory") 1)"#, r#"(memory (export "memory") 65536)"#);
    assert_ne!(huge, CONSUMER_WAT);
    let g = guests(dir.path(), "huge", &wasm(&producer_wat(0)), &wasm(&huge));
    for runtime in ["wasmer", "wasmtime", "wasmi", "v8"] {
        let axes = wasm_cell_under(runtime);
        let m = matrix(dir.path(), &axes, &format!("{TINY}\nmemory_limit_mib = 64"));
        let out = dir.path().join(format!("{runtime}.csv"));
        let run = run_with(&m, &out, &g);
        assert_eq!(run.status.code(), Some(1), "{runtime}: a failed cell: {}", text(&run));
        assert_eq!(column(&out, "status"), ["oom"], "{runtime}: {:?}", column(&out, "error"));
        for phase in ["instantiate_ns", "setup_ns", "first_round_trip_ns"] {
            assert_eq!(column(&out, phase), [""], "{runtime}: {phase} of an instantiation that failed");
        }
        assert_ne!(column(&out, "compile_ns"), [""], "{runtime}: the compile completed and is timed");
    }
}
