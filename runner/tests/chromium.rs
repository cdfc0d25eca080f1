//! Runtime `chromium` through the runner, with Debian's headless Chromium (the set-up installs it):
//! both compilers, both transports and both call patterns run the guests in a page to the native
//! twin's checksum, with the browser's version, its start and the renderer's peak; what a page
//! cannot run is a row saying why; a browser that does not start or hangs is a row, never a hang;
//! and wasm-bindgen's glue (transport `bindgen`) joins the guests in Node.js and in a page.

mod common;

use common::{column, matrix, rows, runner, text, TINY};
use std::process::Command;

#[test]
fn a_page_runs_the_same_guests_to_the_same_checksum_whoever_calls_and_says_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["liftoff", "turbofan", "rustc"]
engine = ["jit", "artifact", "native"]
environment = ["bare", "wasi"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]
logging = ["on"]
runtime = ["chromium", "native"]
call = ["host", "import"]"#;
    let m = matrix(dir.path(), axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    // Chromium: 2 compilers x 2 engines, native: 1; x 2 environments x 2 transports x 2 calls.
    assert_eq!(rows(&out).len(), (2 * 2 + 1) * 2 * 2 * 2);
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums, logs) =
        (get("cell"), get("status"), get("error"), get("checksum"), get("log_bytes"));
    let (versions, engine, rss) = (get("runtime_version"), get("engine_ns"), get("peak_rss_kib"));
    let native = cells.iter().position(|c| c.starts_with("rustc/native/bare/copy")).unwrap();
    assert_eq!(statuses[native], "ok", "{}", errors[native]);
    let mut ok = 0;
    for i in (0..cells.len()).filter(|&i| cells[i].contains("/chromium/")) {
        if cells[i].contains("/artifact/") {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(errors[i].contains("compiled code it was given"), "{}: {}", cells[i], errors[i]);
        } else if cells[i].contains("/wasi/") {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(errors[i].contains("only the bare environment"), "{}: {}", cells[i], errors[i]);
        } else {
            assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
            assert_eq!(sums[i], sums[native], "{}", cells[i]);
            assert_eq!(logs[i], logs[native], "{}: the page's log sink took the same lines", cells[i]);
            assert!(versions[i].starts_with("chromium 1") && versions[i].contains("(v8 1"), "{}", versions[i]);
            assert!(engine[i].parse::<f64>().is_ok_and(|ns| ns > 0.0), "{}: browser start {:?}", cells[i], engine[i]);
            assert!(rss[i].parse::<u64>().is_ok_and(|kib| kib > 10_000), "{}: renderer peak {:?}", cells[i], rss[i]);
            ok += 1;
        }
    }
    assert_eq!(ok, 2 * 2 * 2);
}

/// wasm-bindgen's glue joins the same guests in Node.js and in a page, to the checksum the native
/// twin computes, each message copied twice by the glue; the other runtimes say why they cannot; and
/// the glue's marshalling is the same code `--target nodejs` writes (only loading differs).
#[test]
fn bindgen_glue_joins_the_guests_in_node_and_in_a_page_to_the_same_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["liftoff", "turbofan", "cranelift", "rustc"]
engine = ["jit", "native"]
environment = ["bare"]
transport = ["bindgen"]
codec = ["raw", "json"]
profile = ["release"]
runtime = ["v8", "chromium", "wasmtime", "native"]"#;
    let m = matrix(dir.path(), axes, TINY);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (requests, replies, copied) =
        (get("request_bytes_mean"), get("reply_bytes_mean"), get("host_copied_bytes_per_rt"));
    // V8 and Chromium: 2 compilers each; Wasmtime and the native twin 1; x 2 codecs.
    assert_eq!(cells.len(), (2 + 2 + 1 + 1) * 2);
    let expected = get("expected_checksum");
    let mut ok = 0;
    for i in 0..cells.len() {
        if cells[i].contains("/wasmtime/") || cells[i].contains("/native/") {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(errors[i].contains("needs a JavaScript host"), "{}", errors[i]);
            continue;
        }
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        assert!(!sums[i].is_empty() && sums[i] == expected[i], "{}: {} against {}", cells[i], sums[i], expected[i]);
        let bytes = |v: &Vec<String>| v[i].parse::<f64>().unwrap();
        let twice = 2.0 * (bytes(&requests) + bytes(&replies)); // each column rounded to 0.1
        assert!((bytes(&copied) - twice).abs() < 0.25, "{}: {} copied, {twice} sent", cells[i], bytes(&copied));
        ok += 1;
    }
    assert_eq!(ok, 4 * 2);
    // The glue the guests run with, and what --target nodejs writes for the same module: the same
    // functions, one exported by `export function`, the other by `exports.name =`.
    let glue = std::fs::read_dir(root().join("target/wasmatrix/guests/release/default/bare/logging-off/bindgen/raw"));
    let consumer = glue.unwrap().map(|e| e.unwrap().path()).find(|p| p.ends_with("consumer.js")).unwrap();
    let wasm = consumer.with_extension("bindgen").join("cargo.wasm");
    let node_dir = dir.path().join("nodejs");
    let cli = root().join("target/wasmatrix/wasm-bindgen/bin/wasm-bindgen");
    let mut nodejs = Command::new(cli);
    nodejs.args(["--target", "nodejs", "--out-name", "consumer", "--out-dir"]).arg(&node_dir).arg(&wasm);
    assert!(nodejs.status().unwrap().success());
    let functions = |text: &str, exported: &str| -> Vec<String> {
        let mut all = Vec::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some(name) = line.strip_prefix(exported).and_then(|l| l.split('(').next()) {
                let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
                all.push(format!("{name}\n{}", body.join("\n")));
            }
        }
        all
    };
    let web = functions(&std::fs::read_to_string(&consumer).unwrap(), "export function ");
    let node = functions(&std::fs::read_to_string(node_dir.join("consumer.js")).unwrap(), "function ");
    for f in ["consume", "bench_decode", "ping"] {
        let of = |all: &[String]| all.iter().find(|b| b.starts_with(&format!("{f}\n"))).cloned();
        assert!(of(&web).is_some() && of(&web) == of(&node), "{f}: web {:?}, nodejs {:?}", of(&web), of(&node));
    }
}

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// In the page, a guest that traps or lacks what the harness calls ends the cell in a row with the
/// reason, the page's report carrying it (the browser's own failures are the next test's).
#[test]
fn a_guest_that_traps_or_lacks_an_export_in_the_page_is_a_row_with_the_reason() {
    let wat = |text: &str| ::wat::parse_str(text).unwrap();
    let consumer = wat(r#"(module (memory (export "memory") 1)
        (func (export "request_buffer") (param i32) (result i32) i32.const 64)
        (func (export "consume") (param i32 i32) (result i64) i64.const 0x0000001000000004)
        (func (export "ping") (param i32) (result i32) local.get 0)
        (func (export "bench_decode") (param i32 i32 i32) (result i32) i32.const 0)
        (func (export "error_message") (result i64) i64.const 0))"#);
    let producer = |produce: &str| {
        wat(&format!(
            r#"(module (memory (export "memory") 1)
            (func (export "produce") (param i32) (result i64) {produce})
            (func (export "reply_buffer") (param i32) (result i32) i32.const 64)
            (func (export "check_reply") (param i32 i32) (result i32) i32.const 0)
            (func (export "checksum") (result i64) i64.const 0)
            (func (export "bench_encode") (param i32 i32) (result i32) i32.const 4)
            (func (export "error_message") (result i64) i64.const 0))"#
        ))
    };
    let lacking = wat(r#"(module (memory (export "memory") 1))"#);
    for (producer, status, says) in [
        (producer("unreachable"), "trap", "unreachable"),
        // The copy transport looks up the producer's reply buffer first, as the Rust workers do.
        (lacking, "error", "producer lacks an export the harness calls: reply_buffer"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let guests = dir.path().join("guests");
        let cell = guests.join("release/default/bare/logging-off/own-memory/raw");
        std::fs::create_dir_all(&cell).unwrap();
        std::fs::write(cell.join("producer.wasm"), producer).unwrap();
        std::fs::write(cell.join("consumer.wasm"), &consumer).unwrap();
        let one = common::one_cell("liftoff", "jit") + "runtime = [\"chromium\"]\n";
        let m = matrix(dir.path(), &one, TINY);
        let out = dir.path().join("r.csv");
        let run =
            runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--guests", guests.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run));
        assert_eq!(column(&out, "status"), [status], "{}", text(&run));
        let error = &column(&out, "error")[0];
        assert!(error.contains(says), "{status}: {error}");
        assert!(column(&out, "runtime_version")[0].starts_with("chromium "), "the report came from the page's worker");
    }
}

/// A "browser" that is a shell script: `exit 3` fails at once, `sleep` never answers.
fn fake_browser(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("fake-chromium");
    std::fs::write(&path, format!("#!/bin/sh\n[ \"$1\" = --version ] && exec echo Chromium 0\n{body}\n")).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path
}

#[test]
fn a_browser_that_fails_or_hangs_is_a_row_that_says_so_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let one = common::one_cell("liftoff", "jit") + "runtime = [\"chromium\"]\n";
    for (body, status, says) in [
        ("echo 'no display' >&2; exit 3", "error", "did not start (exit status 3): no display"),
        ("exec sleep 600", "timeout", "timeout_s = 5"),
    ] {
        let browser = fake_browser(dir.path(), body);
        let m = matrix(dir.path(), &one, &TINY.replace("timeout_s = 120", "timeout_s = 5"));
        let out = dir.path().join(format!("{status}.csv"));
        let started = std::time::Instant::now();
        let run = Command::new(env!("CARGO_BIN_EXE_runner"))
            .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .env("WASMATRIX_CHROMIUM", &browser)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "the run finished with a cell not ok: {}", text(&run));
        assert!(started.elapsed().as_secs() < 60, "{status}: the run took {:?}", started.elapsed());
        assert_eq!(column(&out, "status"), [status], "{}", text(&run));
        let error = &column(&out, "error")[0];
        assert!(error.contains(says), "{status}: {error}");
    }
    // The hung browser went with its worker's process group.
    let left = Command::new("pgrep").args(["-f", dir.path().to_str().unwrap()]).output().unwrap();
    assert!(left.stdout.is_empty(), "left running: {}", String::from_utf8_lossy(&left.stdout));
}
