//! `compare` on synthetic runs: results files and samples sidecars written into a temporary
//! directory, with small deterministic noise.

use std::path::{Path, PathBuf};
use wasmatrix_runner::compare::{compare, CompareOptions, Comparison, Side, Verdict};
use wasmatrix_runner::results::metric::Metric;
use wasmatrix_runner::results::samples::{sidecar_path, Sample, SamplesFile};

const CELLS: [&str; 6] = [
    "llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh",
    "llvm/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
    "cranelift/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
    "cranelift/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh",
    "singlepass/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
    "singlepass/jit/bare/shared/raw/release/off/default/wasmer/host/fresh",
];

/// A small linear congruential generator: the same noise every time.
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `1 ± spread`, uniform.
    fn noise(&mut self, spread: f64) -> f64 {
        1.0 + spread * (2.0 * self.unit() - 1.0)
    }
}

/// One results row.
struct Row {
    cell: String,
    status: &'static str,
    error: &'static str,
}

fn ok(cell: &str) -> Row {
    Row { cell: cell.to_owned(), status: "ok", error: "" }
}

/// One run: its rows, and each process's samples.
struct Run {
    run_id: &'static str,
    rows: Vec<Row>,
    processes: Vec<Vec<Sample>>,
}

impl Run {
    fn new(run_id: &'static str) -> Run {
        Run { run_id, rows: Vec::new(), processes: Vec::new() }
    }

    /// The six cells, ok, with `processes` processes of `rt_samples` rt_ns samples (±2% noise
    /// around a per-cell level, ±1% between processes), one compile_ns (±1%), a deterministic
    /// rt_instructions, and context metrics.
    fn six_cells(run_id: &'static str, seed: u64, processes: u32, rt_samples: u32) -> Run {
        let mut run = Run::new(run_id);
        let mut rng = Lcg(seed);
        for (i, cell) in CELLS.iter().enumerate() {
            run.rows.push(ok(cell));
            let level = 1000.0 * (i + 1) as f64;
            for p in 0..processes {
                let process_level = level * rng.noise(0.01);
                let mut samples: Vec<Sample> = (0..rt_samples)
                    .map(|k| sample(run_id, cell, p, "rt_ns", k, process_level * rng.noise(0.02)))
                    .collect();
                samples.push(sample(run_id, cell, p, "compile_ns", 0, 5e7 * (i + 1) as f64 * rng.noise(0.01)));
                samples.push(sample(run_id, cell, p, "rt_instructions", 0, 12_345.0 * (i + 1) as f64));
                samples.push(sample(run_id, cell, p, "loadavg_start", 0, 3.0 * rng.unit()));
                samples.push(sample(run_id, cell, p, "peak_rss_kib", 0, 40_000.0 * rng.noise(0.3)));
                run.processes.push(samples);
            }
        }
        run
    }

    /// Multiplies every performance sample of `cell` by `factor`.
    fn scale(mut self, cell: &str, factor: f64) -> Run {
        for s in self.processes.iter_mut().flatten().filter(|s| s.cell == cell) {
            if s.metric.ends_with("_ns") || s.metric.ends_with("_instructions") {
                s.value *= factor;
            }
        }
        self
    }

    /// Writes `<dir>/<name>.csv` and its sidecar (one gzip member per process, as the runner
    /// does). The columns are in the given order, with opaque extra ones.
    fn write(&self, dir: &Path, name: &str, header: &[&str]) -> PathBuf {
        let path = dir.join(format!("{name}.csv"));
        let mut csv = csv::Writer::from_path(&path).unwrap();
        csv.write_record(header).unwrap();
        for row in &self.rows {
            let field = |column: &&str| match *column {
                "run_id" => self.run_id.to_owned(),
                "cell" => row.cell.clone(),
                "status" => row.status.to_owned(),
                "error" => row.error.to_owned(),
                "schema_version" => "9".to_owned(),
                "rt_p50_ns" => String::new(),
                "processes" => self.processes.iter().filter(|p| p[0].cell == row.cell).count().to_string(),
                other => format!("opaque {other}, with a comma"),
            };
            csv.write_record(header.iter().map(field)).unwrap();
        }
        csv.flush().unwrap();
        let mut sidecar = SamplesFile::open(&sidecar_path(&path)).unwrap();
        for samples in &self.processes {
            sidecar.append(samples).unwrap();
        }
        path
    }
}

const HEADER: [&str; 7] = ["schema_version", "run_id", "timestamp", "cell", "status", "error", "rt_p50_ns"];
/// The same columns in another order (`schema_version` first, as in every results file): compare
/// reads them by name.
const SHUFFLED: [&str; 7] = ["schema_version", "error", "rt_p50_ns", "cell", "timestamp", "status", "run_id"];

fn sample(run_id: &str, cell: &str, process: u32, metric: &str, index: u32, value: f64) -> Sample {
    Sample {
        run_id: run_id.to_owned(),
        cell: cell.to_owned(),
        process,
        seq: process,
        metric: metric.to_owned(),
        sample: index,
        value,
    }
}

/// Options comparing only the named metrics.
fn only(names: &[&str]) -> CompareOptions {
    CompareOptions { metrics: Some(names.iter().map(|m| m.to_string()).collect()), ..Default::default() }
}

/// Compares every performance metric, start-up phases included.
fn run_compare(a: &Path, b: &Path) -> Comparison {
    compare(a, b, &only(&[wasmatrix_runner::compare::ALL_METRICS])).unwrap()
}

fn verdicts_of(cmp: &Comparison, cell: &str) -> Vec<Verdict> {
    cmp.entries.iter().filter(|e| e.cell == cell).map(|e| e.verdict).collect()
}

#[test]
fn a_run_compared_with_itself_has_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 5, 50).write(dir.path(), "a", &HEADER);
    let cmp = run_compare(&a, &a);
    assert_eq!(cmp.entries.len(), 6 * 3, "rt_ns, compile_ns and rt_instructions for each cell; no context");
    for e in &cmp.entries {
        assert_eq!(e.verdict, Verdict::NoChange, "{e:?}");
        assert_eq!((e.ratio, e.a_processes, e.b_processes), (1.0, 5, 5));
    }
    assert!(cmp.regressions().is_empty());
    assert!(cmp.only_in_a.is_empty() && cmp.only_in_b.is_empty() && cmp.not_ok.is_empty());
    assert!(cmp.metric_only_in.is_empty() && cmp.no_samples.is_empty());
    let metrics: Vec<&str> = cmp.entries.iter().map(|e| e.metric.name()).collect();
    assert_eq!(&metrics[..6], ["rt_ns"; 6], "grouped by metric, rt_ns first");
    let cells: Vec<&str> = cmp.entries[..6].iter().map(|e| e.cell.as_str()).collect();
    assert_eq!(cells, CELLS, "in A's row order");
}

#[test]
fn names_from_before_the_logging_axis_pair_with_todays() {
    let dir = tempfile::tempdir().unwrap();
    // Schema 2 files named cells without the logging value (and the allocator, runtime, call and
    // instantiate).
    let mut old = Run::six_cells("a", 1, 5, 50);
    for row in &mut old.rows {
        row.cell = row.cell.trim_end_matches("/off/default/wasmer/host/fresh").to_owned();
    }
    for sample in old.processes.iter_mut().flatten() {
        sample.cell = sample.cell.trim_end_matches("/off/default/wasmer/host/fresh").to_owned();
    }
    let a = old.write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("b", 99, 5, 50).write(dir.path(), "b", &SHUFFLED);
    let cmp = run_compare(&a, &b);
    assert!(cmp.only_in_a.is_empty() && cmp.only_in_b.is_empty(), "{}", cmp.render());
    assert_eq!(cmp.entries.len(), 18);
    assert!(cmp.entries.iter().all(|e| e.cell.ends_with("/off/default/wasmer/host/fresh")));
}

#[test]
fn independent_runs_of_the_same_code_have_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 5, 50).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("b", 99, 5, 50).write(dir.path(), "b", &SHUFFLED);
    let cmp = run_compare(&a, &b);
    assert_eq!(cmp.entries.len(), 18);
    assert!(cmp.entries.iter().all(|e| e.verdict == Verdict::NoChange), "{}", cmp.render());
}

#[test]
fn one_cell_twice_as_slow_is_the_only_slower_cell_and_a_certain_regression() {
    let dir = tempfile::tempdir().unwrap();
    let slow = CELLS[2];
    let a = Run::six_cells("a", 1, 5, 50).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("a", 1, 5, 50).scale(slow, 2.0).write(dir.path(), "b", &SHUFFLED);
    let cmp = run_compare(&a, &b);
    for cell in CELLS {
        let want = if cell == slow { Verdict::Slower } else { Verdict::NoChange };
        assert_eq!(verdicts_of(&cmp, cell), [want; 3], "{cell}\n{}", cmp.render());
    }
    let regressions = cmp.regressions();
    assert_eq!(regressions.len(), 3);
    assert!(regressions.iter().all(|e| e.cell == slow));
    let rt = regressions.iter().find(|e| e.metric == Metric::RtNs).unwrap();
    assert!((rt.ratio - 2.0).abs() < 1e-9, "{rt:?}");
    let ci = rt.interval.unwrap();
    assert!(ci.low > 1.9 && ci.high < 2.1, "{ci:?}");
    let text = cmp.render();
    assert!(text.contains("+100.0%") && text.contains("3 certain regression(s)"), "{text}");
}

#[test]
fn one_cell_twice_as_fast_is_faster_and_no_regression() {
    let dir = tempfile::tempdir().unwrap();
    let fast = CELLS[4];
    let a = Run::six_cells("a", 1, 5, 50).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("a", 1, 5, 50).scale(fast, 0.5).write(dir.path(), "b", &HEADER);
    let cmp = run_compare(&a, &b);
    for cell in CELLS {
        let want = if cell == fast { Verdict::Faster } else { Verdict::NoChange };
        assert_eq!(verdicts_of(&cmp, cell), [want; 3], "{cell}");
    }
    assert!(cmp.regressions().is_empty());
    assert_eq!(cmp.count(Verdict::Faster), 3);
}

#[test]
fn few_very_noisy_processes_are_unsure() {
    let dir = tempfile::tempdir().unwrap();
    let cell = CELLS[0];
    let noisy = |run_id: &'static str, levels: [f64; 3]| {
        let mut run = Run::new(run_id);
        run.rows.push(ok(cell));
        let mut rng = Lcg(7);
        for (p, level) in (0u32..).zip(levels) {
            run.processes.push((0..20).map(|k| sample(run_id, cell, p, "rt_ns", k, level * rng.noise(0.02))).collect());
        }
        run
    };
    let a = noisy("a", [600.0, 1000.0, 1400.0]).write(dir.path(), "a", &HEADER);
    let b = noisy("b", [1350.0, 650.0, 1020.0]).write(dir.path(), "b", &HEADER);
    let cmp = run_compare(&a, &b);
    assert_eq!(cmp.entries.len(), 1);
    let e = &cmp.entries[0];
    // The headline of three processes is the fastest: 650 against 600.
    assert!((e.ratio - 650.0 / 600.0).abs() < 0.01, "the fastest processes' ratio: {e:?}");
    assert_eq!(e.verdict, Verdict::Unsure, "{e:?}");
    let ci = e.interval.unwrap();
    assert!(ci.low < 0.95 && ci.high > 1.05, "{ci:?}");
    // The same noisy samples on both sides are one measurement: no change.
    let same = run_compare(&a, &a);
    assert_eq!(same.entries[0].verdict, Verdict::NoChange, "{:?}", same.entries[0]);
}

#[test]
fn unmatched_and_failed_cells_are_listed_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let native = "rustc/native/bare/copy/raw/release/off/default/native/host/fresh";
    let mut a = Run::six_cells("a", 1, 3, 10);
    a.rows.remove(5);
    a.rows[1] = Row { cell: CELLS[1].to_owned(), status: "crash", error: "worker died: signal 11 (SIGSEGV)" };
    let a = a.write(dir.path(), "a", &HEADER);
    let mut b = Run::six_cells("b", 2, 3, 10);
    b.rows.remove(4);
    b.rows.push(ok(native));
    b.rows[3].status = "timeout";
    let b = b.write(dir.path(), "b", &SHUFFLED);

    let cmp = run_compare(&a, &b);
    assert_eq!(cmp.only_in_a, [CELLS[4]]);
    assert_eq!(cmp.only_in_b, [CELLS[5], native]);
    let not_ok: Vec<(&str, Side, &str, &str)> =
        cmp.not_ok.iter().map(|n| (n.cell.as_str(), n.side, n.status.as_str(), n.error.as_str())).collect();
    assert_eq!(
        not_ok,
        [(CELLS[1], Side::A, "crash", "worker died: signal 11 (SIGSEGV)"), (CELLS[3], Side::B, "timeout", "")]
    );
    let compared: Vec<&str> =
        cmp.entries.iter().filter(|e| e.metric == Metric::RtNs).map(|e| e.cell.as_str()).collect();
    assert_eq!(compared, [CELLS[0], CELLS[2]]);
    assert!(cmp.entries.iter().all(|e| e.cell == CELLS[0] || e.cell == CELLS[2]));
    let text = cmp.render();
    assert!(text.contains(&format!("only in A: {}\n", CELLS[4])), "{text}");
    assert!(text.contains(&format!("only in B: {}, {native}\n", CELLS[5])), "{text}");
    assert!(text.contains(&format!("{} in A: crash: worker died: signal 11 (SIGSEGV)", CELLS[1])), "{text}");
    assert!(text.contains(&format!("{} in B: timeout\n", CELLS[3])), "{text}");
}

#[test]
fn a_cell_only_in_b_is_listed_as_only_in_b() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 3, 10);
    let mut b = Run::six_cells("b", 1, 3, 10);
    let extra = "rustc/native/bare/shared/raw/release/off/default/native/host/fresh";
    b.rows.push(ok(extra));
    b.processes.push(vec![sample("b", extra, 0, "rt_ns", 0, 10.0)]);
    let (a, b) = (a.write(dir.path(), "a", &HEADER), b.write(dir.path(), "b", &HEADER));
    let cmp = run_compare(&a, &b);
    assert_eq!(cmp.only_in_b, [extra]);
    assert!(cmp.only_in_a.is_empty());
    assert!(cmp.entries.iter().all(|e| e.cell != extra));
    let reverse = run_compare(&b, &a);
    assert_eq!(reverse.only_in_a, [extra]);
    assert!(run_compare(&a, &b).render().contains(&format!("only in B: {extra}")));
}

#[test]
fn a_metric_filter_keeps_only_those_metrics_and_rejects_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 3, 10).write(dir.path(), "a", &HEADER);
    let by_default = compare(&a, &a, &CompareOptions::default()).unwrap();
    let metrics: std::collections::BTreeSet<&str> = by_default.entries.iter().map(|e| e.metric.name()).collect();
    assert_eq!(metrics.into_iter().collect::<Vec<_>>(), ["rt_instructions", "rt_ns"], "the repeated measurements");
    let cmp = compare(&a, &a, &only(&["compile_ns"])).unwrap();
    assert_eq!(cmp.entries.len(), 6);
    assert!(cmp.entries.iter().all(|e| e.metric == Metric::CompileNs));
    let err = format!("{:#}", compare(&a, &a, &only(&["rt_nss"])).unwrap_err());
    assert!(err.contains("rt_nss"), "{err}");
    let err = format!("{:#}", compare(&a, &a, &only(&["peak_rss_kib"])).unwrap_err());
    assert!(err.contains("not a performance metric"), "{err}");
}

#[test]
fn output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 4, 20).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("b", 5, 4, 20).scale(CELLS[0], 1.3).write(dir.path(), "b", &HEADER);
    let first = run_compare(&a, &b);
    let second = run_compare(&a, &b);
    assert_eq!(first.entries, second.entries);
    assert_eq!(first.render(), second.render());
    let text = first.render();
    let rt = text.find("\nrt_ns\n").unwrap();
    let compile = text.find("\ncompile_ns\n").unwrap();
    let instructions = text.find("\nrt_instructions\n").unwrap();
    assert!(rt < instructions && instructions < compile, "{text}");
    assert!(text.contains("95% CI of change") && text.contains("18 compared: "), "{text}");
}

#[test]
fn a_results_file_without_status_is_an_error_naming_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = Run::six_cells("a", 1, 2, 5).write(dir.path(), "good", &HEADER);
    let bad =
        Run::six_cells("b", 1, 2, 5).write(dir.path(), "no-status", &["schema_version", "run_id", "cell", "error"]);
    let err = format!("{:#}", compare(&good, &bad, &CompareOptions::default()).unwrap_err());
    assert!(err.contains("no-status.csv") && err.contains("column(s) `status` ("), "only the missing one: {err}");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let err = format!("{:#}", compare(&empty, &good, &CompareOptions::default()).unwrap_err());
    assert!(err.contains("empty.csv is not a wasmatrix results file: it is empty"), "{err}");
}

#[test]
fn missing_files_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let good = Run::six_cells("a", 1, 2, 5).write(dir.path(), "good", &HEADER);
    let lonely = dir.path().join("lonely.csv");
    std::fs::copy(&good, &lonely).unwrap();
    let err = compare(&good, &lonely, &CompareOptions::default()).unwrap_err();
    let sidecar = sidecar_path(&lonely).display().to_string();
    assert!(err.to_string().contains(&sidecar), "the top-level message names the sidecar: {err}");

    let err = compare(&dir.path().join("nowhere.csv"), &good, &CompareOptions::default()).unwrap_err();
    assert!(err.to_string().contains("nowhere.csv"), "{err}");

    let ragged = dir.path().join("ragged.csv");
    std::fs::write(&ragged, "schema_version,cell,status,error\n9,a,ok\n").unwrap();
    let err = format!("{:#}", compare(&ragged, &good, &CompareOptions::default()).unwrap_err());
    assert!(err.contains("ragged.csv: row 1 (line 2) has 3 fields where the header has 4"), "{err}");
}

#[test]
fn bad_options_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 2, 5).write(dir.path(), "a", &HEADER);
    let opts = CompareOptions { threshold: f64::NAN, ..Default::default() };
    assert!(format!("{:#}", compare(&a, &a, &opts).unwrap_err()).contains("threshold"));
    let mut opts = CompareOptions::default();
    opts.bootstrap.confidence = 1.5;
    assert!(format!("{:#}", compare(&a, &a, &opts).unwrap_err()).contains("confidence"));
}

/// `path` with its line `line` (1-based) changed by `change`.
fn damage(path: &Path, line: usize, change: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> =
        text.lines().enumerate().map(|(i, l)| if i + 1 == line { change(l) } else { l.to_owned() }).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn refusal(a: &Path, b: &Path) -> String {
    format!("{:#}", compare(a, b, &CompareOptions::default()).expect_err("compare refuses"))
}

/// Issue 26, defect 4: `rt_p50_ns` = `abc` in a row of B made the cell vanish from the comparison
/// (exit 0), where `report` refused the file; both now read it through one reader and refuse it.
#[test]
fn a_value_its_column_cannot_hold_is_refused_as_report_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 2, 5).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("b", 2, 2, 5).write(dir.path(), "b", &HEADER);
    damage(&b, 3, |l| format!("{l}abc"));
    let err = refusal(&a, &b);
    let says = "b.csv: row 2 (line 3), column `rt_p50_ns`: `abc` is not allowed; allowed: a number, or empty";
    assert!(err.contains(says), "{err}");
    let report = format!("{:#}", wasmatrix_runner::results::read::load(&b, &[], "report").err().unwrap());
    assert!(report.contains(says), "the same rule: {report}");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(2), "{}", String::from_utf8_lossy(&cli.stderr));
    assert!(String::from_utf8_lossy(&cli.stderr).contains(says));
}

/// Issue 26, defect 4: B's sidecar taken from another run gave "only in A" for a cell in B.
#[test]
fn a_sidecar_of_another_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 2, 5).write(dir.path(), "a", &HEADER);
    let b = Run::six_cells("b", 2, 2, 5).write(dir.path(), "b", &HEADER);
    std::fs::copy(sidecar_path(&a), sidecar_path(&b)).unwrap();
    let err = refusal(&a, &b);
    assert!(err.contains("b.samples.csv.gz is not the samples sidecar of") && err.contains("run `a`"), "{err}");
    assert!(err.contains("put the file's own sidecar beside it"), "says how to mend: {err}");
}

/// Issue 26, defect 4: a sidecar cut at a gzip member's end silently gave fewer processes than
/// the row's `processes`.
#[test]
fn a_sidecar_cut_at_a_member_boundary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let with_processes: Vec<&str> = HEADER.iter().copied().chain(["processes"]).collect();
    let a = Run::six_cells("a", 1, 3, 5).write(dir.path(), "a", &with_processes);
    let mut run = Run::six_cells("b", 2, 3, 5);
    let b = run.write(dir.path(), "b", &with_processes);
    assert_eq!(compare(&a, &b, &CompareOptions::default()).unwrap().entries.len(), 12, "whole, it compares");
    // The same sidecar without its last process's member.
    run.processes.pop();
    std::fs::remove_file(sidecar_path(&b)).unwrap();
    let mut sidecar = SamplesFile::open(&sidecar_path(&b)).unwrap();
    for samples in &run.processes {
        sidecar.append(samples).unwrap();
    }
    let err = refusal(&a, &b);
    let says = format!("holds 2 ok process(es) of cell {}, whose row in", CELLS[5]);
    assert!(err.contains(&says) && err.contains("(line 7) says `processes` 3"), "{err}");
    assert!(err.contains("copy the whole sidecar"), "says how to mend: {err}");
}

/// Issue 26, defect 4: a `schema_version` of 99 went unremarked.
#[test]
fn an_unknown_schema_version_is_refused_naming_the_versions_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = Run::six_cells("a", 1, 2, 5).write(dir.path(), "a", &HEADER);
    damage(&a, 2, |l| l.replacen('9', "99", 1));
    let err = refusal(&a, &a);
    assert!(err.contains("a.csv: row 1 (line 2), column `schema_version`: `99`"), "{err}");
    let versions = format!("this runner reads schema versions 1 to {}", wasmatrix_runner::results::row::SCHEMA_VERSION);
    assert!(err.contains(&versions), "{err}");
}
