//! Runtime `chromium` through the runner, with Debian's headless Chromium (the set-up installs it):
//! both compilers, both transports and both call patterns run the guests in a page to the native
//! twin's checksum, with the browser's version, its start and the renderer's peak; what a page
//! cannot run is a row saying why; a browser that does not start or hangs is a row, never a hang.

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
