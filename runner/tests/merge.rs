//! `runner merge` on hand-made shards (results files and gzip'd sidecars), through the runner
//! binary: what a failed merge leaves, and that it can run again.

mod common;

use common::{rows, runner, text};
use std::path::{Path, PathBuf};
use wasmatrix_runner::results::samples::{self, sidecar_path, Sample, SamplesFile};

const HEADER: &str = "schema_version,run_id,cell,status,error,processes,run_fingerprint,shard";

/// Shard `i` of 2: two cells of two processes each, each process a gzip member of its sidecar.
fn shard(dir: &Path, i: u32) -> PathBuf {
    let path = dir.join(format!("s{i}.csv"));
    let run = format!("run{i}");
    let cells =
        [format!("rustc/native/bare/copy/raw/release/s{i}"), format!("rustc/native/bare/shared/raw/release/s{i}")];
    let rows: Vec<String> = cells.iter().map(|c| format!("9,{run},{c},ok,,2,f00d,{i}/2")).collect();
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let mut sidecar = SamplesFile::open(&sidecar_path(&path)).unwrap();
    for cell in &cells {
        for process in 0..2 {
            let sample = |metric: &str, value| Sample {
                run_id: run.clone(),
                cell: cell.clone(),
                process,
                seq: process,
                metric: metric.into(),
                sample: 0,
                value,
            };
            sidecar.append(&[sample("rt_ns", 100.0 + process as f64), sample("ok", 1.0)]).unwrap();
        }
    }
    path
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Issue 26, defect 1: with a shard's sidecar truncated, merge exited 2 yet left `all.csv` (both
/// shards' rows) and half a sidecar, and refused to run again ("all.csv exists").
#[test]
fn a_failed_merge_leaves_nothing_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let (s1, s2) = (shard(dir.path(), 1), shard(dir.path(), 2));
    let all = out_dir.join("all.csv");
    let args = ["merge", s1.to_str().unwrap(), s2.to_str().unwrap(), "--out", all.to_str().unwrap()];
    let whole = std::fs::read(sidecar_path(&s2)).unwrap();

    // Cut mid-member (`head -c`), then at a member's end (a process fewer than the row says).
    let member_ends = {
        let mut ends = Vec::new();
        let mut at = 0;
        while at < whole.len() {
            let mut member = flate2::bufread::GzDecoder::new(&whole[at..]);
            std::io::copy(&mut member, &mut std::io::sink()).unwrap();
            at = whole.len() - member.into_inner().len();
            ends.push(at);
        }
        ends
    };
    assert_eq!(member_ends.len(), 4);
    for (cut, says) in
        [(whole.len() / 2, "not a complete gzip'd samples file"), (member_ends[2], "holds 1 ok process(es)")]
    {
        std::fs::write(sidecar_path(&s2), &whole[..cut]).unwrap();
        let merge = runner(&args);
        assert_eq!(merge.status.code(), Some(2), "{}", text(&merge));
        assert!(text(&merge).contains("s2.samples.csv.gz") && text(&merge).contains(says), "{}", text(&merge));
        assert!(names(&out_dir).is_empty(), "nothing left behind: {:?}", names(&out_dir));
    }

    std::fs::write(sidecar_path(&s2), &whole).unwrap();
    let merge = runner(&args);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge));
    assert_eq!(names(&out_dir), ["all.csv", "all.samples.csv.gz"]);
    assert_eq!(rows(&all).len(), 4);
    assert_eq!(samples::read(&sidecar_path(&all)).unwrap().len(), 16);

    let again = runner(&args);
    assert_eq!(again.status.code(), Some(2), "never overwrites: {}", text(&again));
    assert!(text(&again).contains("all.csv exists"), "{}", text(&again));
}
