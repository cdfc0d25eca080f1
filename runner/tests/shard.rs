//! `--shard I/N` and `runner merge`, through the runner binary on a small matrix.

mod common;

use common::{column, runner, text};
use std::path::{Path, PathBuf};

/// Five native cells and one unsupported one: quick to run.
fn matrix(dir: &Path) -> PathBuf {
    let path = dir.join("m.toml");
    std::fs::write(
        &path,
        r#"[axes]
compiler = ["rustc"]
engine = ["native"]
environment = ["bare", "emscripten"]
transport = ["copy", "shared"]
codec = ["raw", "postcard"]
profile = ["release"]
[measure]
processes = 2
warmup = 20
samples = 3
batch = 10
floor_batch = 10
timeout_s = 120
[[exclude]]
environment = "emscripten"
codec = "postcard"
"#,
    )
    .unwrap();
    path
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn shards_cover_the_run_once_and_merge_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path());
    let m = m.to_str().unwrap();
    let mut listed: Vec<String> = String::from_utf8_lossy(&runner(&["list", m]).stdout)
        .lines()
        .map(|l| l.split("  ").next().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed.len(), 6);

    let mut parts = Vec::new();
    for i in 1..=3 {
        let out = dir.path().join(format!("s{i}.csv"));
        let run = runner(&["run", m, "--shard", &format!("{i}/3"), "--out", out.to_str().unwrap()]);
        assert!(run.status.success(), "{}", text(&run));
        assert_eq!(column(&out, "shard"), vec![format!("{i}/3"); 2], "two cells a shard");
        parts.push(out);
    }
    let fingerprints: Vec<String> = parts.iter().flat_map(|p| column(p, "run_fingerprint")).collect();
    assert!(fingerprints.iter().all(|f| f == &fingerprints[0] && f.len() == 16), "{fingerprints:?}");

    // Two shards: reported missing, with the cells, and exit 1; the file holds what there is.
    let partial = dir.path().join("partial.csv");
    let args: Vec<&str> = ["merge", parts[0].to_str().unwrap(), parts[2].to_str().unwrap(), "--matrix", m, "--out"]
        .into_iter()
        .chain([partial.to_str().unwrap()])
        .collect();
    let merge = runner(&args);
    assert_eq!(merge.status.code(), Some(1), "{}", text(&merge));
    assert!(
        text(&merge).contains("missing shards: 2/3") && text(&merge).contains("2 cells missing"),
        "{}",
        text(&merge)
    );
    assert_eq!(column(&partial, "cell").len(), 4);

    let all = dir.path().join("all.csv");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--matrix", m, "--out", all.to_str().unwrap()]);
    let merge = runner(&args);
    assert!(merge.status.success(), "{}", text(&merge));
    assert_eq!(sorted(column(&all, "cell")), listed, "every cell exactly once");
    // the samples came along: every ok cell's processes are in the merged sidecar
    let samples =
        wasmatrix_runner::results::samples::read(&wasmatrix_runner::results::samples::sidecar_path(&all)).unwrap();
    let cells: std::collections::BTreeSet<String> = samples.iter().map(|s| s.cell.clone()).collect();
    assert_eq!(cells.len(), 4, "the two unsupported cells have no samples: {cells:?}");

    // Never overwrites; refuses a cell twice and files of another run.
    let again = runner(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("never overwrites"), "{}", text(&again));
    let twice = dir.path().join("twice.csv");
    let dup =
        runner(&["merge", parts[0].to_str().unwrap(), parts[0].to_str().unwrap(), "--out", twice.to_str().unwrap()]);
    assert_eq!(dup.status.code(), Some(2));
    assert!(text(&dup).contains("recorded more than once"), "{}", text(&dup));
    let other = dir.path().join("other.csv");
    let run = runner(&["run", m, "--shard", "2/3", "--processes", "1", "--out", other.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let mixed = dir.path().join("mixed.csv");
    let refused =
        runner(&["merge", parts[0].to_str().unwrap(), other.to_str().unwrap(), "--out", mixed.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused).contains("run_fingerprint differs"), "{}", text(&refused));
    assert!(!mixed.exists(), "nothing written on refusal");
}

#[test]
fn a_bad_shard_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let m = matrix(dir.path());
    let out = dir.path().join("r.csv");
    for bad in ["0/2", "3/2", "x"] {
        let run = runner(&["run", m.to_str().unwrap(), "--shard", bad, "--out", out.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(2), "{bad}: {}", text(&run));
        assert!(text(&run).contains("expected I/N"), "{}", text(&run));
    }
    assert!(!out.exists());
    let run = runner(&["run", m.to_str().unwrap(), "--shard", "7/7", "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run));
    assert!(text(&run).contains("is empty"), "{}", text(&run));
}
