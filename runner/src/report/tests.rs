//! The report told on a few rows made up for each table.

use super::*;
use crate::matrix::axes::{Axis, Engine, Profile};
use crate::matrix::Cell;
use crate::results::row::Row;
use crate::results::status::Status;

/// A row of `cell` as a file of schema 11 holds it (its first six axis columns, from the name).
fn row(cell: &str, status: Status, rt: f64) -> Row {
    let c: Vec<&str> = cell.split('/').collect();
    let (typed, ok) = (Cell::parse(cell).unwrap(), status == Status::Ok);
    Row {
        schema_version: crate::results::row::SCHEMA_VERSION,
        cell: cell.into(),
        compiler: c[0].into(),
        engine: c[1].into(),
        environment: c[2].into(),
        transport: c[3].into(),
        codec: c[4].into(),
        profile: c[5].into(),
        status: status.name().into(),
        error: if ok { String::new() } else { "guest trapped: unreachable".into() },
        rt_p50_ns: ok.then_some(rt),
        rt_proc_min_ns: ok.then_some(rt * 0.95),
        call_floor_p50_ns: Some(if typed.engine == Engine::Native { 1.0 } else { 40.0 }),
        setup_ns: Some(300_000),
        setup_min_ns: Some(250_000),
        measure: "wall_clock".into(),
        processes: 20,
        twin_cell: typed.native_twin().map(|t| t.to_string()).unwrap_or_default(),
        ..Row::default()
    }
}

fn rows() -> Vec<Row> {
    vec![
        row("rustc/native/bare/shared/raw/release", Status::Ok, 1000.0),
        row("llvm/artifact/bare/shared/raw/release", Status::Ok, 1300.0),
        row("cranelift/artifact/bare/shared/raw/release", Status::Ok, 1500.0),
        row("rustc/native/bare/shared/json/release", Status::Ok, 2000.0),
        row("llvm/artifact/bare/shared/json/release", Status::Ok, 2400.0),
        row("cranelift/artifact/bare/shared/json/release", Status::Trap, 0.0),
    ]
}

#[test]
fn markdown_tables_tell_best_worst_ratios_targets_and_failures() {
    let rows = rows();
    let text = Report::new(&rows).render(Format::Markdown);
    assert!(text.contains("### By compiler") && text.contains("### By codec"), "{text}");
    assert!(!text.contains("### By transport"), "one value, no table: {text}");
    // llvm: raw 1.30x and json 1.20x over native; geometric mean sqrt(1.3 * 1.2) = 1.25
    assert!(text.contains("| llvm | 2 | llvm/artifact/bare/shared/raw/release | 1300 |"), "{text}");
    assert!(text.contains("| 1.25 |"), "{text}");
    assert!(text.contains("headline llvm/artifact/bare/shared/raw/release 1300 / 1000 ns = 1.30×, +300 ns"), "{text}");
    assert!(text.contains("| cranelift/artifact/bare/shared/json/release | trap | guest trapped: unreachable |"));
    assert!(text.contains("| no |"), "targets not met are said so: {text}");
}

/// Messages of more records are read by the payload tables and the table by records only: the
/// speed target of one record stays one record's, however well a batch does over its twin.
#[test]
fn a_batch_is_read_beside_its_sizes_not_as_one_record() {
    let mut rows = rows();
    let batch = |cell: &str, rt: f64, bytes: f64| Row {
        records: Cell::parse(cell).unwrap().records.name().into(),
        request_bytes_mean: Some(bytes),
        ..row(cell, Status::Ok, rt)
    };
    rows.push(batch("rustc/native/bare/shared/raw/release/off/default/native/host/fresh/256", 200_000.0, 80_000.0));
    rows.push(batch("llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh/256", 210_000.0, 80_000.0));
    rows[0].request_bytes_mean = Some(310.0);
    rows[1].request_bytes_mean = Some(310.0);
    let text = Report::new(&rows).render(Format::Markdown);
    assert!(text.contains("headline llvm/artifact/bare/shared/raw/release 1300 / 1000 ns = 1.30×"), "{text}");
    assert!(text.contains("### By records"), "{text}");
    assert!(
        text.contains("| wasmer | llvm | artifact | host | shared | raw | 256 | 80000 | 210000 | 820.3 | 0.63 |"),
        "{text}"
    );
}

/// Chains are read beside their pair only: the cost of each extra module, and the 2021 judgement;
/// the speed targets stay the pair's.
#[test]
fn a_chain_is_read_beside_its_pair_not_as_a_pair() {
    let mut rows = rows();
    let chain = |cell: &str, rt: f64| Row {
        modules: Cell::parse(cell).unwrap().modules.name().into(),
        ..row(cell, Status::Ok, rt)
    };
    rows.push(chain("rustc/native/bare/shared/raw/release/off/default/native/host/fresh/1/4", 900.0));
    rows.push(chain("llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh/1/4", 1900.0));
    rows.push(chain("llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh/1/8", 2500.0));
    let text = Report::new(&rows).render(Format::Markdown);
    assert!(text.contains("headline llvm/artifact/bare/shared/raw/release 1300 / 1000 ns = 1.30×"), "{text}");
    assert!(text.contains("### By modules"), "{text}");
    // (1900 − 1300) / 2 and (2500 − 1300) / 6 per extra module
    assert!(text.contains("| wasmer | llvm | artifact | host | shared | raw | 1 | 4 | 1900 | 1.46 | 300 |"), "{text}");
    assert!(text.contains("| wasmer | llvm | artifact | host | shared | raw | 1 | 8 | 2500 | 1.92 | 200 |"), "{text}");
    assert!(text.contains("| wasmer | llvm | artifact | host | raw | shared | 1300 | 8 | 2500 | 200 | no |"), "{text}");
    assert!(!Report::new(&rows[..6]).render(Format::Markdown).contains("Chains of modules"), "no chain, no table");
}

#[test]
fn builds_are_told_apart_and_codecs_read_on_the_baseline_build() {
    let mut rows = rows();
    // The same raw cells built with opt-level "z" and talc: slower, smaller guests.
    for (cell, rt) in [
        ("rustc/native/bare/shared/raw/size/off/talc", 1200.0),
        ("llvm/artifact/bare/shared/raw/size/off/talc", 1800.0),
    ] {
        let mut r = row(cell, Status::Ok, rt);
        r.allocator = "talc".into();
        rows.push(r);
    }
    for r in rows.iter_mut().filter(|r| r.cell_is(|c| c.engine == Engine::Artifact)) {
        let small = r.cell_is(|c| c.profile == Profile::Size);
        r.producer_wasm_bytes = Some(if small { 20_000 } else { 30_000 });
        r.consumer_wasm_bytes = Some(if small { 35_000 } else { 45_000 });
        r.producer_wasm_gzip_bytes = Some(10_000);
        r.consumer_wasm_gzip_bytes = Some(15_000);
        r.setup_warm_ns = Some(if small { 150_000 } else { 170_000 });
    }
    let text = Report::new(&rows).render(Format::Markdown);
    assert!(text.contains("### Build profiles and allocators"), "{text}");
    assert!(text.contains("| release | default | llvm | 75000 | 25000 |"), "{text}");
    assert!(text.contains("| size | talc | llvm | 55000 | 25000 |"), "{text}");
    // each build over its own native twin: 1800 / 1200, not over release's 1000
    assert!(text.contains("| 0.150 | 1800 | 1.50 |"), "{text}");
    // the codec table reads the baseline build only: raw's best wasm cell is release's llvm
    assert!(text.contains("| raw |") && text.contains("1000 / 1300"), "{text}");
    // a run of one build has no such table
    assert!(!Report::new(&rows[..6]).render(Format::Markdown).contains("Build profiles"));
}

#[test]
fn components_are_read_beside_the_core_copy_cell_of_their_codec() {
    let mut rows = rows();
    for (cell, call, rt, floor) in [
        ("rustc/native/bare/copy/raw/release", "host", 1000.0, 1.0),
        ("rustc/native/bare/copy/raw/release", "import", 1100.0, 1.0),
        ("cranelift/jit/bare/copy/raw/release", "host", 1600.0, 12.0),
        ("cranelift/artifact/bare/copy/raw/release", "host", 1500.0, 12.0),
        ("cranelift/artifact/bare/component/raw/release", "host", 2100.0, 105.0),
        ("cranelift/artifact/bare/composed/raw/release", "import", 1800.0, 100.0),
        ("cranelift/jit/bare/composed/wit/release", "import", 1650.0, 100.0),
    ] {
        let runtime = if cell.starts_with("rustc") { "native" } else { "wasmtime" };
        let mut r = row(&format!("{cell}/off/default/{runtime}/{call}"), Status::Ok, rt);
        r.runtime = runtime.into();
        r.call = call.into();
        r.call_floor_p50_ns = Some(floor);
        rows.push(r);
    }
    let text = Report::new(&rows).render(Format::Markdown);
    assert!(text.contains("### Component Model beside core modules"), "{text}");
    // over the same engine's copy cell: 2100 / 1500; over native copy: 2100 / 1000
    assert!(text.contains("| raw | component | host | 2100 | 1.40 | 2.10 | 105.0 |"), "{text}");
    // the composed call is `import`: over the native twin of copy x import, 1800 / 1100
    assert!(text.contains("| raw | composed | import | 1800 | 1.20 | 1.64 |"), "{text}");
    // the typed record over raw's copy cell of its own engine (jit), 1650 / 1600, and raw's twin
    assert!(text.contains("| wit | composed | import | 1650 | 1.03 | 1.50 |"), "{text}");
    // the baseline itself has no ratio over itself
    assert!(text.contains("| raw | copy | host | 1500 | - |"), "{text}");
    // a run without components has no such table
    assert!(!Report::new(&rows[..6]).render(Format::Markdown).contains("Component Model"));
}

#[test]
fn json_keeps_numbers_as_numbers_and_text_aligns() {
    let rows = rows();
    let json: serde_json::Value = serde_json::from_str(&Report::new(&rows).render(Format::Json)).unwrap();
    let cells = &json["tables"][1];
    assert!(cells["title"].as_str().unwrap().starts_with("Cells"));
    assert_eq!(cells["rows"][1]["rt"], serde_json::json!(1300.0));
    assert_eq!(cells["rows"][5]["rt"], serde_json::Value::Null);
    let text = Report::new(&rows).render(Format::Text);
    assert!(text.contains("By compiler\n  compiler "), "{text}");
}

#[test]
fn a_file_without_the_needed_columns_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(&path, "schema_version,cell,status,error\n9,a,ok,\n").unwrap();
    let err = format!("{:#}", load(&path).unwrap_err());
    assert!(err.contains("r.csv") && err.contains("compiler") && err.contains("rt_p50_ns"), "{err}");
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in rows() {
        w.serialize(r).unwrap();
    }
    w.flush().unwrap();
    assert_eq!(load(&path).unwrap().len(), 6);
}
