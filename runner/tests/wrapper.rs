//! WASMATRIX_WORKER_WRAPPER: every worker process started under a program of the user's, through
//! real worker processes.

mod common;

use common::{column, matrix, one_cell, text, TINY};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn a_wrapper_starts_every_worker_and_the_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("wrapped.log");
    let wrapper = dir.path().join("wrap.sh");
    std::fs::write(&wrapper, format!("#!/bin/sh\necho \"$1 $2\" >> '{}'\nexec \"$@\"\n", log.display())).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let m = matrix(dir.path(), &one_cell("rustc", "native"), &format!("processes = 2\nmin_processes = 2\n{TINY}"));
    let out = dir.path().join("r.csv");
    let run = |measure: &str, out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_runner"))
            .args(["run", m.to_str().unwrap(), "--out", out.to_str().unwrap(), "--measure", measure])
            .env("WASMATRIX_WORKER_WRAPPER", &wrapper)
            .output()
            .expect("runner starts")
    };

    let wrapped = run("wall_clock", &out);
    assert_eq!(wrapped.status.code(), Some(0), "{}", text(&wrapped));
    assert!(text(&wrapped).contains("every worker runs under"), "{}", text(&wrapped));
    assert_eq!(column(&out, "status"), ["ok"]);
    let started = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = started.lines().collect();
    assert_eq!(lines.len(), 2, "one line per worker process:\n{started}");
    assert!(lines.iter().all(|l| l.ends_with("/wasmatrix-native worker")), "{started}");

    let refused = run("instructions", &dir.path().join("i.csv"));
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("WASMATRIX_WORKER_WRAPPER"), "{}", text(&refused));
}
