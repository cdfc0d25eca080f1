//! The `records` axis (payload size): every codec carries every size to one checksum per size,
//! natively and in wasm, with the bytes growing with it; a size the memory cap cannot hold is a row
//! with status `oom` and the run goes on; a size that is no value of the axis is refused before any
//! cell runs, naming the place and the values allowed.

mod common;

use common::{column, runner, text, TINY};
use std::collections::BTreeMap;

/// Every codec at 1 and 16 records per message, and a hand-rolled and a zero-copy codec at 256 on
/// both raw transports, natively and under Wasmer.
const SIZES: &str = r#"[[study]]
name = "codecs"
runtime = ["wasmer", "native"]
compiler = ["cranelift", "rustc"]
engine = ["jit", "native"]
codec = ["raw", "bincode", "postcard", "json", "flatbuffers", "capnp", "rkyv"]
records = [1, 16]

[[study]]
name = "sizes"
runtime = ["wasmer", "native"]
compiler = ["cranelift", "rustc"]
engine = ["jit", "native"]
transport = ["copy", "shared"]
codec = ["raw", "rkyv"]
records = [1, 256]
"#;

#[test]
fn every_codec_carries_every_size_to_one_checksum_per_size() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(&m, format!("{SIZES}\n[measure]\n{TINY}\n")).unwrap();
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (records, bytes, expected) = (get("records"), get("request_bytes_mean"), get("expected_checksum"));
    assert_eq!(cells.len(), 2 * 7 * 2 + 2 * 2 * 2 * 2 - 2 * 2, "the studies' union");
    let mut per_size: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for i in 0..cells.len() {
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        assert_eq!(sums[i], expected[i], "{}", cells[i]);
        let named =
            if records[i] == "1" { !cells[i].ends_with("/1") } else { cells[i].ends_with(&format!("/{}", records[i])) };
        assert!(named, "{}: a name carries its records when more than one", cells[i]);
        per_size.entry(&records[i]).or_default().push(&sums[i]);
    }
    assert_eq!(per_size.keys().copied().collect::<Vec<_>>(), ["1", "16", "256"]);
    for (size, sums) in &per_size {
        assert!(sums.windows(2).all(|w| w[0] == w[1]), "records {size}: one checksum for every cell");
    }
    let firsts: Vec<_> = per_size.values().map(|s| s[0]).collect();
    assert!(firsts[0] != firsts[1] && firsts[1] != firsts[2], "each size its own checksum: {firsts:?}");
    // The raw codec's message grows with its records (a count, then each record as one raw record).
    let raw = |k: &str| {
        let i = (0..cells.len()).find(|&i| cells[i].starts_with("cranelift/jit/bare/copy/raw/") && records[i] == k);
        bytes[i.unwrap()].parse::<f64>().unwrap()
    };
    assert!(raw("16") > 15.0 * raw("1") && raw("256") > 15.0 * raw("16"), "{} {} {}", raw("1"), raw("16"), raw("256"));
}

#[test]
fn a_size_past_the_memory_cap_is_an_oom_row_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    let study = "[[study]]\nname = \"big\"\nrecords = [1, 65536]\n";
    std::fs::write(&m, format!("{study}[measure]\n{TINY}\nmemory_limit_mib = 64\n")).unwrap();
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let get = |name: &str| column(&out, name);
    let (cells, statuses) = (get("cell"), get("status"));
    assert_eq!(cells.len(), 2, "{}", text(&run));
    for (cell, status) in cells.iter().zip(&statuses) {
        let want = if cell.ends_with("/65536") { "oom" } else { "ok" };
        assert_eq!(status, want, "{cell}: {}", text(&run));
    }
}

#[test]
fn a_size_the_axis_does_not_have_is_refused_before_any_cell_runs() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "3", "\"many\""] {
        let m = dir.path().join("m.toml");
        std::fs::write(&m, format!("[[study]]\nname = \"s\"\nrecords = [1, {bad}]\n[measure]\n{TINY}\n")).unwrap();
        let out = dir.path().join("r.csv");
        let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(!run.status.success(), "records = {bad} was accepted");
        let said = text(&run);
        assert!(said.contains("m.toml:3:"), "{said}");
        assert!(said.contains("allowed: 1, 16, 256, 4096, 65536"), "{said}");
        assert!(!out.exists(), "no row before the refusal");
    }
}
