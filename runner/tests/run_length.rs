//! Run length: a cell stops adding worker processes at its precision target, its time budget or
//! the most processes, and its row says which (end to end, through real native worker processes).

mod common;

use common::{column, matrix, runner, text, TINY};

const TWO_NATIVE_CELLS: &str = r#"compiler = ["rustc"]
engine = ["native"]
environment = ["bare"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]"#;

/// Runs the two cells with at least 2 and at most 6 processes and `settings`; per row: processes,
/// stop reason, measured seconds. Batches of 1,000 round trips: with 10, a batch mean is a whole
/// number of ns over 10, and two processes' fastest batches could be equal, an interval of zero
/// width that any target holds.
fn run_with(settings: &str) -> Vec<(u32, String, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let tiny = TINY.replace("\nbatch = 10\n", "\nbatch = 1000\n");
    assert_ne!(tiny, TINY);
    let m = matrix(dir.path(), TWO_NATIVE_CELLS, &format!("processes = 6\nmin_processes = 2\n{settings}\n{tiny}"));
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let sidecar = wasmatrix_runner::results::samples::sidecar_path(&out);
    let samples = wasmatrix_runner::results::samples::read(&sidecar).unwrap();
    let (processes, stops, measured) =
        (column(&out, "processes"), column(&out, "stop_reason"), column(&out, "measured_s"));
    let cells = column(&out, "cell");
    (0..cells.len())
        .map(|i| {
            let measured: f64 = measured[i].parse().unwrap();
            let process_s: f64 =
                samples.iter().filter(|s| s.cell == cells[i] && s.metric == "process_s").map(|s| s.value).sum();
            assert!(measured > 0.0 && (measured - process_s).abs() < 0.01, "{measured} s, sidecar {process_s} s");
            (processes[i].parse().unwrap(), stops[i].clone(), measured)
        })
        .collect()
}

#[test]
fn a_cell_stops_at_its_target_its_budget_or_the_most_processes_and_says_which() {
    // Any interval is within a target of 10^9 %: the fewest processes.
    for (n, stop, _) in run_with("target_ci_pct = 1e9") {
        assert_eq!((n, stop.as_str()), (2, "precision"));
    }
    // No interval is within 10^-9 %; a budget of a microsecond is spent by the first process, and
    // counts only from `min_processes` on.
    for (n, stop, _) in run_with("target_ci_pct = 1e-9\ncell_budget_s = 0.000001") {
        assert_eq!((n, stop.as_str()), (2, "budget"));
    }
    // Without a budget, the most processes.
    for (n, stop, _) in run_with("target_ci_pct = 1e-9") {
        assert_eq!((n, stop.as_str()), (6, "max_processes"));
    }
}
