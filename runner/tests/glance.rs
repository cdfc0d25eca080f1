//! The glance `runner run` ends with (`Report::glance`), on a committed run of today's quick
//! matrix: the answer first, on one screen, then the cells by status and where the rest is.
//! `cargo test --test glance -- --nocapture` prints it.

use std::path::{Path, PathBuf};
use wasmatrix_runner::report::{self, Report};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_run_ends_with_its_answer_on_one_screen() {
    let results = Path::new("results/repeat-quick-quiet-A.csv");
    let rows = report::load(&root().join(results)).unwrap();
    let glance = Report::new(&rows).glance(results);
    println!("{glance}");
    let lines: Vec<&str> = glance.lines().collect();
    assert!(lines.len() <= 40, "{} lines:\n{glance}", lines.len());
    assert!(lines[0].starts_with("The answer (AMD EPYC with 2 CPUs; run 20261202T221813Z-26082"), "{glance}");
    for told in [
        "fastest back-end on wasmtime",
        "fastest transport (raw codec)",
        "fastest codec (copy, the host calling)",
        "quickest set-up on",
        "could not run",
        "cells:       284: 243 ok (none noisy), 41 unsupported",
    ] {
        assert!(glance.contains(told), "{told:?} not in:\n{glance}");
    }
    // Where the rest is, last: the file, the summary of every cell, the report, the HTML page.
    assert_eq!(
        lines[lines.len() - 4..],
        [
            "results:     results/repeat-quick-quiet-A.csv",
            "every cell:  results/repeat-quick-quiet-A.summary.txt",
            "every table: runner report results/repeat-quick-quiet-A.csv",
            "as a page:   runner report results/repeat-quick-quiet-A.csv --format html --out results/repeat-quick-quiet-A.html",
        ]
    );
}
