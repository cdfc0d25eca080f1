//! The runtimes and back-ends side by side on one like-for-like cell.

use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;

/// Per runtime, back-end and engine, on one like-for-like cell (the baseline build, raw codec,
/// `bare`, `shared`, logging off if the run has it): set-up, cold start, round trip, the bare call and sizes.
/// Printed when the run has more than one wasm runtime.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let like = |r: &&Row| r.codec == "raw" && r.environment == "bare" && r.transport == "shared";
    // Logging off where the run has it (logging costs the same in every runtime's sink).
    let logging = if report.baseline().filter(like).any(|r| r.logging() == "off") { "off" } else { "on" };
    let cells: Vec<&Row> = report.baseline().filter(like).filter(|r| r.logging() == logging).collect();
    let mut runtimes: Vec<&str> = cells.iter().map(|r| r.runtime()).filter(|r| *r != "native").collect();
    runtimes.sort();
    runtimes.dedup();
    if runtimes.len() < 2 {
        return None;
    }
    let u = report.unit.name;
    let mut t = Table::new(
        format!("Runtimes and back-ends (raw, bare, shared, logging {logging}; round trip: the headline, in {u})"),
        vec![
            "runtime",
            "compiler",
            "engine",
            "call",
            "version",
            "compile ms",
            "set-up µs",
            "again µs",
            "cold start ms",
            "rt",
            "wasm / native",
            "bare call",
            "guests KB",
            "artifact KB",
        ],
    );
    let kb = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1e3), 0);
    for r in cells {
        t.rows.push(vec![
            r.runtime().into(),
            r.compiler.as_str().into(),
            r.engine.as_str().into(),
            r.call().into(),
            r.runtime_version.as_str().into(),
            Value::num(r.compile_ns.map(|v| v as f64 / 1e6), 2),
            Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
            Value::num(r.setup_again().map(|v| v as f64 / 1e3), 0),
            Value::num(r.cold_start_ns.map(|v| v as f64 / 1e6), 1),
            Value::num((report.unit.rt)(r), 0),
            Value::num(report.native_ratio(r), 2),
            Value::num((report.unit.floor)(r), 1),
            kb(r.producer_wasm_bytes.zip(r.consumer_wasm_bytes).map(|(p, c)| p + c)),
            kb(r.artifact_bytes),
        ]);
    }
    Some(t)
}
