//! The cold start phase by phase on made-up schema 13 rows: the fastest per runtime, the goal judged
//! on the fastest wasm cell (not the native twin), and a run without the figures, which has no such
//! section.

use super::table;
use crate::matrix::Cell;
use crate::report::table::Table;
use crate::report::Report;
use crate::results::row::Row;
use crate::results::status::Status;

/// An `ok` schema 13 row of `cell` whose cold start's headline is `ms`, 80% of it before `main`.
fn row(cell: &str, ms: f64) -> Row {
    let c = Cell::parse(cell).unwrap();
    let ns = ms * 1e6;
    Row {
        status: Status::Ok.name().into(),
        measure: "wall_clock".into(),
        processes: 5,
        load_ns: Some(200_000),
        instantiate_ns: Some(50_000),
        first_round_trip_ns: Some(70_000),
        cold_start_ns: Some(ns as u64 + 10_000),
        process_start_ns: Some((ns * 0.8) as u64),
        worker_start_ns: Some(60_000),
        engine_ns: Some(50_000),
        cold_start_untimed_ns: Some(100_000),
        cold_start_headline_ns: Some(ns),
        cold_start_headline_ci_pct: Some(2.5),
        ..Row::of_cell(&c)
    }
}

fn section(rows: &[Row]) -> Table {
    table(&Report::new(rows)).expect("schema 13 rows have the section")
}

#[test]
fn the_fastest_per_runtime_and_the_goal_on_the_fastest_wasm_cell() {
    let rows = vec![
        row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/pooled", 4.5),
        row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/fresh", 1.9),
        row("cranelift/artifact/bare/copy/raw/release/off/default/wasmer/host/fresh", 6.4),
        // Faster, but off the baseline (json) or no wasm (the native twin): not the goal's figure.
        row("cranelift/artifact/bare/copy/json/release/off/default/wasmtime/host/fresh", 0.5),
        row("rustc/native/bare/copy/raw/release/off/default/native/host/fresh", 0.9),
    ];
    let t = section(&rows);
    let order: Vec<String> = t.rows.iter().map(|r| format!("{} {}", r[0].text(), r[3].text())).collect();
    assert_eq!(order, ["native fresh", "wasmer fresh", "wasmtime fresh", "wasmtime pooled"]);
    assert_eq!(t.rows[2][4].text(), "1.90");
    assert_eq!(t.rows[2][6].text(), "1520", "process start, µs");
    assert!(t.notes[1].contains("wasmtime (cranelift, artifact, fresh) 1.90 ms"), "{}", t.notes[1]);
    assert!(t.notes[2]
        .contains("measured: 1.90 ms (cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/fresh)"));
    assert!(t.notes[2].contains("met: no"), "{}", t.notes[2]);
    let fast = [row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/fresh", 0.95)];
    assert!(section(&fast).notes[2].contains("met: yes"));
}

#[test]
fn a_run_without_the_phases_has_no_section() {
    let mut old = row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/fresh", 1.9);
    (old.process_start_ns, old.cold_start_headline_ns) = (None, None);
    assert!(table(&Report::new(&[old])).is_none());
}
