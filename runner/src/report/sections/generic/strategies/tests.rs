//! The set-up strategies on made-up schema 12 rows: Wasmtime fresh, pre and pooled, wasmi fresh;
//! and a schema 11 run, which has no such section.

use super::table;
use crate::matrix::axes::{Instantiate, Runtime};
use crate::matrix::Cell;
use crate::report::table::Table;
use crate::report::{Format, Report};
use crate::results::row::Row;
use crate::results::status::Status;

/// An `ok` schema 13 row of `cell` whose pair is made in `p50_us` µs over all pairs (p99 twice
/// that), in 0.9 of it by its headline.
fn row(cell: &str, p50_us: f64) -> Row {
    let c = Cell::parse(cell).unwrap();
    let pooled = c.instantiate == Instantiate::Pooled;
    Row {
        status: Status::Ok.name().into(),
        rt_p50_ns: Some(1000.0),
        call_floor_p50_ns: Some(40.0),
        setup_ns: Some(300_000),
        measure: "wall_clock".into(),
        processes: 5,
        prepare_ns: (c.instantiate != Instantiate::Fresh).then_some(50_000),
        instantiate_p50_ns: Some(p50_us * 1e3),
        instantiate_headline_ns: Some(p50_us * 0.9e3),
        instantiate_p99_ns: Some(p50_us * 2e3),
        teardown_ns: Some(p50_us * 100.0),
        instantiations: 20,
        instantiate_threads: 2,
        instantiations_per_s: Some(1e6 / (p50_us * 1.5)),
        instantiations_per_s_parallel: (c.runtime == Runtime::Wasmtime).then(|| 1.8e6 / (p50_us * 1.5)),
        rss_after_setup_kib: Some(20_480),
        peak_rss_kib: Some(25_600),
        producer_memory_pages: Some(17),
        consumer_memory_pages: Some(18),
        reserved_kib: pooled.then_some(2 * 1024 * 1024),
        ..Row::of_cell(&c)
    }
}

/// Wasmtime's three strategies and wasmi's fresh on the baseline, Wasmtime pooled in
/// `pooled_us`; beside them cells the section leaves out: a faster pooled cell off the baseline
/// (json), a native twin, and Wasmtime pre unsupported.
fn rows(pooled_us: f64) -> Vec<Row> {
    let mut unsupported = row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/pre", 1.0);
    unsupported.status = Status::Unsupported.name().into();
    vec![
        row("cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/fresh", 60.0),
        row("cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/pre", 20.0),
        row("cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/pooled", pooled_us),
        row("eager/jit/bare/copy/raw/release/off/default/wasmi/host/fresh", 30.0),
        row("cranelift/jit/bare/copy/json/release/off/default/wasmtime/host/pooled", 1.0),
        row("rustc/native/bare/copy/raw/release/off/default/native/host/fresh", 0.5),
        unsupported,
    ]
}

fn section(rows: &[Row]) -> Table {
    table(&Report::new(rows)).expect("schema 12 rows with instantiations have the section")
}

#[test]
fn strategies_are_told_per_runtime_fastest_first_with_the_best_and_the_goal() {
    let rows = rows(8.0);
    let t = section(&rows);
    let keys: Vec<Vec<String>> = t.texts().iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(
        keys,
        [
            ["wasmi", "eager", "jit", "fresh", "27.0"],
            ["wasmtime", "cranelift", "jit", "pooled", "7.2"],
            ["wasmtime", "cranelift", "jit", "pre", "18.0"],
            ["wasmtime", "cranelift", "jit", "fresh", "54.0"],
        ]
        .map(|r| r.map(String::from).to_vec()),
        "{:?}",
        t.texts()
    );
    let texts = t.texts();
    let pooled = &texts[1];
    // p50, p99, teardown, pairs/s on 1 and N threads, N, prepare, RSS, pages, reserved.
    assert_eq!(pooled[5..], ["8.0", "16.0", "0.8", "83333", "150000", "2", "50.0", "20.0", "25.0", "17", "18", "2.00"]);
    // wasmi: one thread only, nothing pre-linked, nothing reserved.
    assert_eq!(texts[0][9..12], ["-", "-", "-"]);
    assert_eq!(texts[0][16], "-");
    assert_eq!(
        t.notes[1],
        "Best strategy per runtime: wasmi fresh (eager, jit) 27.0 µs; wasmtime pooled (cranelift, jit) 7.2 µs."
    );
    assert_eq!(
        t.notes[2],
        "Goal (issue 29): a pair instantiated in ≤ 10 µs p50 on Wasmtime pooled; measured: 7.2 µs \
         (cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/pooled); met: yes."
    );
}

#[test]
fn a_pooled_pair_over_the_goal_is_not_met() {
    let mut rows = rows(12.0);
    let t = section(&rows);
    assert_eq!(t.texts()[1][3..5], ["pooled", "10.8"], "still Wasmtime's fastest: {:?}", t.texts());
    assert!(t.notes[1].ends_with("wasmtime pooled (cranelift, jit) 10.8 µs."), "{}", t.notes[1]);
    assert!(t.notes[2].contains("measured: 10.8 µs (") && t.notes[2].ends_with("met: no."), "{}", t.notes[2]);
    // A schema 12 file has no headline: its p50 over all pairs is read, and said to be.
    for r in &mut rows {
        r.instantiate_headline_ns = None;
    }
    let t = section(&rows);
    assert!(t.notes[2].contains("measured: 12.0 µs (p50 over all pairs) ("), "{}", t.notes[2]);
    // Without a Wasmtime pooled cell the goal is not judged.
    let fresh: Vec<Row> = rows.into_iter().filter(|r| !r.cell_is(|c| c.instantiate == Instantiate::Pooled)).collect();
    let t = section(&fresh);
    assert!(t.notes[1].ends_with("wasmtime pre (cranelift, jit) 20.0 µs (p50 over all pairs)."), "{}", t.notes[1]);
    assert!(
        t.notes[2].ends_with("measured: none (no ok Wasmtime pooled cell with these figures in this run); met: -."),
        "{}",
        t.notes[2]
    );
}

#[test]
fn every_format_tells_the_section() {
    let rows = rows(8.0);
    let report = Report::new(&rows);
    for (format, name) in Format::ALL {
        let text = report.render(format);
        assert!(text.contains("Set-up strategies (bare, copy, raw"), "{name}: {text}");
        assert!(text.contains("met: yes."), "{name}: {text}");
    }
    let markdown = report.render(Format::Markdown);
    assert!(markdown.contains("| wasmtime | cranelift | jit | pooled | 7.2 | 8.0 | 16.0 | 0.8 |"), "{markdown}");
}

#[test]
fn a_schema_11_run_has_no_such_section() {
    // The same cells as a file of schema 11 holds them: every pair fresh, no instantiation figures.
    let rows: Vec<Row> = rows(8.0)
        .into_iter()
        .filter_map(|r| r.cell().ok().filter(|c| c.instantiate == Instantiate::Fresh))
        .map(|c| {
            // Its name without the `instantiate` part, which schema 11's names lack.
            let cell = c.to_string().rsplit_once('/').unwrap().0.to_owned();
            Row { schema_version: 11, cell, instantiate: String::new(), ..Row::of_cell(&c) }
        })
        .map(|r| Row { status: Status::Ok.name().into(), rt_p50_ns: Some(1000.0), setup_ns: Some(300_000), ..r })
        .collect();
    assert!(rows.iter().all(|r| r.is_ok() && !r.has_instantiations()));
    assert!(table(&Report::new(&rows)).is_none());
    for (format, name) in Format::ALL {
        assert!(!Report::new(&rows).render(format).contains("Set-up strategies"), "{name}");
    }
}
