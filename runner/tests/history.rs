//! `runner history` on a committed run (results/quick-chains-A.csv, 48 cells with their samples):
//! added twice it is stored once; read back from the Parquet store it is the run `compare` reads
//! from its file; nights made from it by hand (the same samples under a new run id, and the same
//! with one runtime's round trips 15% slower) give trend lines that flag nothing where nothing
//! changed and flag exactly the slowed cells.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_runner::compare::{compare, compare_runs, CompareOptions, Run};
use wasmatrix_runner::history::store::{Added, Store};
use wasmatrix_runner::history::trend::{trends, TrendOptions};
use wasmatrix_runner::results::samples::{read, sidecar_path, SamplesFile};

fn committed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../results").join(name)
}

/// Copies `from` (and its sidecar) to `dir/name` as another run: run id `run_id`, every row's
/// timestamp moved to `timestamp`, and the round trips of cells containing `slow` multiplied by
/// `factor`.
fn night(from: &Path, dir: &Path, name: &str, run_id: &str, timestamp: &str, slow: &str, factor: f64) -> PathBuf {
    let out = dir.join(name);
    let mut reader = csv::Reader::from_path(from).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |c: &str| header.iter().position(|h| h == c).unwrap();
    let (id, ts) = (at("run_id"), at("timestamp"));
    let mut writer = csv::Writer::from_path(&out).unwrap();
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let fields: Vec<&str> = record
            .iter()
            .enumerate()
            .map(|(k, v)| {
                if k == id {
                    run_id
                } else if k == ts {
                    timestamp
                } else {
                    v
                }
            })
            .collect();
        writer.write_record(fields).unwrap();
    }
    writer.flush().unwrap();
    let mut samples = read(&sidecar_path(from)).unwrap();
    for s in &mut samples {
        s.run_id = run_id.to_owned();
        if !slow.is_empty() && s.cell.contains(slow) && s.metric == "rt_ns" {
            s.value *= factor;
        }
    }
    SamplesFile::open(&sidecar_path(&out)).unwrap().append(&samples).unwrap();
    out
}

fn options() -> TrendOptions {
    TrendOptions { machine: None, mix_machines: false, filter: None, metrics: vec!["rt_ns".into()], threshold: 0.05 }
}

#[test]
fn a_run_is_stored_once_and_reads_back_as_compare_reads_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(&dir.path().join("history"));
    let a = committed("quick-chains-A.csv");
    let Added::New(entry) = store.add(&a).unwrap() else { panic!("a new store took the run as known") };
    assert_eq!(entry.cells, 48);
    assert_eq!(entry.ok, 48);
    assert_eq!(entry.checksum, "f14781a7db4dae99");
    assert!(entry.machine.contains(" ×2"), "{}", entry.machine);
    assert!(
        entry.releases.contains("wasmtime 48.0.8") && entry.releases.contains("wasmer 7.4.2"),
        "{}",
        entry.releases
    );
    let manifest = std::fs::read(dir.path().join("history/runs.parquet")).unwrap();
    assert!(matches!(store.add(&a).unwrap(), Added::Already(_)), "the same run added twice");
    assert_eq!(std::fs::read(dir.path().join("history/runs.parquet")).unwrap(), manifest, "the store changed");
    assert_eq!(store.entries().unwrap().len(), 1);

    // Read back from Parquet, the run compares with its own file as identical: every entry exactly 1.
    let stored = store.load(&store.entries().unwrap()[0]).unwrap();
    let from_file = Run::load(&a).unwrap();
    let c = compare_runs(&from_file, &stored, &CompareOptions::default()).unwrap();
    assert!(!c.entries.is_empty());
    assert!(c.entries.iter().all(|e| e.measured_ratio == 1.0), "the store changed a value");
    assert!(c.only_in_a.is_empty() && c.only_in_b.is_empty());

    // The same run id with other contents is refused, naming both.
    let other = night(&a, dir.path(), "other.csv", &entry.run, "2026-12-05T00:00:00Z", "wasmi", 1.5);
    let e = format!("{:#}", store.add(&other).unwrap_err());
    assert!(e.contains(&entry.run) && e.contains("added once, whole"), "{e}");
}

#[test]
fn trend_flags_the_slowed_cells_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(&dir.path().join("history"));
    let a = committed("quick-chains-A.csv");
    let n2 = night(&a, dir.path(), "n2.csv", "29991231T000000Z-2", "2999-12-31T00:00:00Z", "", 1.0);
    let n3 = night(&a, dir.path(), "n3.csv", "29991231T000000Z-3", "2999-12-31T00:00:01Z", "/wasmi/", 1.15);
    for f in [&a, &n2, &n3] {
        store.add(f).unwrap();
    }
    let trends = trends(&store, &options()).unwrap();
    assert_eq!(trends.len(), 1, "one machine");
    let t = &trends[0];
    assert_eq!(t.nights.len(), 3);
    assert_eq!(t.lines.len(), 48, "a line per cell");
    let flags: Vec<(String, usize)> = t.flagged().map(|(l, i, _)| (l.cell.clone(), i)).collect();
    let slowed = t.lines.iter().filter(|l| l.cell.contains("/wasmi/")).count();
    assert!(slowed > 0);
    assert_eq!(flags.len(), slowed, "flags: {flags:?}");
    assert!(flags.iter().all(|(cell, step)| cell.contains("/wasmi/") && *step == 1), "{flags:?}");
    assert!(t.last_night_regressed());
    // compare on the files says the same of the last step.
    let c = compare(&n2, &n3, &CompareOptions::default()).unwrap();
    assert_eq!(c.regressions().len(), slowed);
}

#[test]
fn the_command_adds_lists_and_tells_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("h");
    let runner = env!("CARGO_BIN_EXE_runner");
    let a = committed("quick-chains-A.csv");
    let n2 = night(&a, dir.path(), "n2.csv", "29991231T000000Z-2", "2999-12-31T00:00:00Z", "", 1.0);
    let run =
        |args: &[&str]| Command::new(runner).arg("history").args(args).arg("--store").arg(&store).output().unwrap();
    let added = run(&["add", a.to_str().unwrap(), n2.to_str().unwrap()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let again = run(&["add", a.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing changed"));
    let list = String::from_utf8_lossy(&run(&["list"]).stdout).into_owned();
    assert_eq!(list.lines().count(), 3, "{list}");
    let trend = run(&["trend", "--filter", "runtime=wasmi"]);
    assert_eq!(trend.status.code(), Some(0), "{}", String::from_utf8_lossy(&trend.stderr));
    let text = String::from_utf8_lossy(&trend.stdout);
    assert!(text.contains("0 flags."), "{text}");
    assert!(text.lines().filter(|l| l.contains("/wasmi/")).all(|l| l.contains("no change +0.0%")), "{text}");
    let bad = run(&["trend", "--metrics", "rt_nanos"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`rt_nanos` is not a performance metric"));
    let other = run(&["trend", "--machine", "PDP-11"]);
    assert_eq!(other.status.code(), Some(2));
    let said = String::from_utf8_lossy(&other.stderr);
    assert!(said.contains("no stored run is of machine `PDP-11`") && said.matches(" ×2").count() == 1, "{said}");
    let missing = Command::new(runner).args(["history", "add", "no/such.csv", "--store"]).arg(&store).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such.csv"));
}
