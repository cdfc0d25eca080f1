//! The figures picked from the committed runs: each answers its question on cells that differ
//! only in what it compares, with at most MOST_BARS bars, its units and the run in its caption.

use super::*;
use crate::report::load;
use std::path::PathBuf;

/// A committed results file's rows.
fn rows_of(name: &str) -> Vec<Row> {
    load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../results").join(name)).unwrap()
}

fn figure<'f>(figures: &'f [Figure], id: &str) -> &'f Figure {
    figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}"))
}

fn labels(f: &Figure) -> Vec<&str> {
    f.bars.iter().map(|b| b.label.as_str()).collect()
}

#[test]
fn the_round_trip_compares_every_runtime_and_back_end_on_one_baseline_cell() {
    let rows = rows_of("quick-runtimes.csv");
    let report = Report::new(&rows).named("quick-runtimes.csv");
    let figures = figures(&report);
    let f = figure(&figures, "figure-round-trip");
    assert_eq!(f.series, ["wasmer", "wasmtime", "wasmi", "v8", "native"]);
    // Wasmer 3 compilers x 2 engines, Wasmtime 3 x 2, wasmi 3 jit, V8 2 jit, the native twin.
    assert_eq!(f.bars.len(), 18, "{:?}", labels(f));
    assert_eq!(labels(f)[..2], ["wasmer · singlepass · jit", "wasmer · singlepass · artifact"]);
    assert_eq!(labels(f).last(), Some(&"native (rustc)"));
    // Held at the baseline of every other axis; the caption says which, and the run.
    for said in
        ["environment bare", "transport copy", "codec raw", "call host", "20261130T192533Z-11720", "quick-runtimes.csv"]
    {
        assert!(f.caption.contains(said), "{said}: {}", f.caption);
    }
    // Each bar is its row's headline, whiskers its interval (schema 7: the median's).
    let row =
        rows.iter().find(|r| r.cell == "cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host").unwrap();
    let bar = f.bars.iter().find(|b| b.label == "wasmtime · cranelift · artifact").unwrap();
    assert_eq!((bar.value, bar.interval), (row.rt_p50_ns.unwrap(), row.rt_ci_low_ns.zip(row.rt_ci_high_ns)));
    assert!(bar.interval.is_some_and(|(lo, hi)| lo <= bar.value && bar.value <= hi));
    assert_eq!(f.quantity, Quantity::Nanoseconds);
}

#[test]
fn the_set_up_leaves_out_native_and_marks_the_cold_start() {
    let rows = rows_of("quick-runtimes.csv");
    let figures = figures(&Report::new(&rows));
    let f = figure(&figures, "figure-setup");
    assert_eq!(f.bars.len(), 17, "{:?}", labels(f));
    assert!(!f.series.iter().any(|s| s == "native"), "{:?}", f.series);
    assert!(f.bars.iter().all(|b| b.value > 0.0 && b.mark.is_some_and(|m| m > b.value)));
    assert_eq!(f.mark, Some("cold start"));
    assert!(!f.caption.contains(".csv"), "a report without a file name names none: {}", f.caption);
}

#[test]
fn transports_codecs_and_environments_are_drawn_natively_and_in_one_back_end() {
    let rows = rows_of("quick-runtimes.csv");
    let figures = figures(&Report::new(&rows));
    let transport = figure(&figures, "figure-transport");
    assert_eq!(labels(transport), ["copy · native", "copy · wasm", "shared · native", "shared · wasm"]);
    assert_eq!(transport.series[1], "wasm: wasmer · cranelift · jit");
    let codec = figure(&figures, "figure-codec");
    assert_eq!(codec.bars.len(), 14, "7 codecs, natively and in wasm: {:?}", labels(codec));
    assert!(codec.caption.contains("transport copy") && !codec.caption.contains("codec raw"), "{}", codec.caption);
    // Emscripten's output has no native twin: its wasm bar stands alone.
    let environment = figure(&figures, "figure-environment");
    assert!(
        labels(environment).contains(&"emscripten · wasm") && !labels(environment).contains(&"emscripten · native")
    );
    for f in &figures {
        assert!(f.bars.len() <= MOST_BARS && f.bars.iter().all(|b| b.series < f.series.len()), "{}", f.id);
    }
}

#[test]
fn the_components_transports_are_read_in_the_runtime_that_has_them() {
    let rows = rows_of("quick-components.csv");
    let figures = figures(&Report::new(&rows));
    let transport = figure(&figures, "figure-transport");
    assert!(labels(transport).contains(&"component · wasm") && labels(transport).contains(&"composed · wasm"));
    assert!(transport.series[1].starts_with("wasm: wasmtime"), "{:?}", transport.series);
}

#[test]
fn a_run_of_one_runtime_and_older_schema_has_the_figures_its_cells_answer() {
    // Schema 5: no runtime column (Wasmer), builds varied; one runtime still compares back-ends.
    let rows = rows_of("quick-builds.csv");
    let builds = figures(&Report::new(&rows));
    let ids: Vec<&str> = builds.iter().map(|f| f.id).collect();
    assert!(ids.contains(&"figure-round-trip") && ids.contains(&"figure-codec"), "{ids:?}");
    assert!(figure(&builds, "figure-round-trip").caption.contains("profile release"));
    // Counted instructions: the round trip in instructions, no interval; no wall-clock set-up.
    let rows = rows_of("repeat-quick-instructions-A.csv");
    let counted = figures(&Report::new(&rows));
    let f = figure(&counted, "figure-round-trip");
    assert_eq!(f.quantity, Quantity::Count);
    assert!(f.axis.contains("instructions") && f.bars.iter().all(|b| b.interval.is_none()), "{}", f.axis);
}

#[test]
fn a_figure_of_too_many_bars_keeps_the_first_and_says_so() {
    let bar = |i: usize| Bar { label: format!("b{i}"), series: 0, value: i as f64 + 1.0, interval: None, mark: None };
    let f = Figure {
        id: "figure-test",
        title: "?".into(),
        caption: "Caption.".into(),
        axis: "x".into(),
        quantity: Quantity::Count,
        series: vec!["s".into()],
        mark: None,
        bars: (0..MOST_BARS + 5).map(bar).collect(),
    }
    .capped();
    assert_eq!(f.bars.len(), MOST_BARS);
    assert_eq!(f.bars[0].label, "b0");
    assert!(f.caption.ends_with("5 more cells are not drawn (the tables below have them all)."), "{}", f.caption);
}

#[test]
fn bars_that_cannot_be_drawn_are_left_out() {
    let bar = |value: f64, interval: Option<(f64, f64)>, mark: Option<f64>| Bar {
        label: "b".into(),
        series: 0,
        value,
        interval,
        mark,
    };
    let f = Figure {
        id: "figure-test",
        title: "?".into(),
        caption: String::new(),
        axis: "x".into(),
        quantity: Quantity::Nanoseconds,
        series: vec!["s".into()],
        mark: Some("m"),
        bars: vec![
            bar(f64::NAN, None, None),
            bar(0.0, None, None),
            bar(5.0, Some((f64::NEG_INFINITY, 6.0)), Some(f64::INFINITY)),
            bar(7.0, Some((6.0, 8.0)), Some(9.0)),
        ],
    }
    .drawable();
    let kept: Vec<String> = f.bars.iter().map(|b| format!("{} {:?} {:?}", b.value, b.interval, b.mark)).collect();
    assert_eq!(kept, ["5 None None", "7 Some((6.0, 8.0)) Some(9.0)"]);
}
