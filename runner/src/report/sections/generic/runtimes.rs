//! The runtimes and back-ends side by side on one like-for-like cell.

use crate::matrix::axes::{Axis, Environment, Logging, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{with_cells, Report, RAW};
use crate::results::row::Row;

/// Per runtime, back-end and engine, on one like-for-like cell (the baseline build, raw codec,
/// `bare`, `shared`, logging off if the run has it): set-up, cold start, round trip, the bare call and sizes.
/// Printed when the run has more than one wasm runtime.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let like: Vec<(&Row, Cell)> = with_cells(report.baseline())
        .filter(|(_, c)| (c.codec, c.environment, c.transport) == (RAW, Environment::Bare, Transport::Shared))
        .collect();
    // Logging off where the run has it (logging costs the same in every runtime's sink).
    let logging = if like.iter().any(|(_, c)| c.logging == Logging::Off) { Logging::Off } else { Logging::On };
    let cells: Vec<(&Row, Cell)> = like.into_iter().filter(|(_, c)| c.logging == logging).collect();
    let mut runtimes: Vec<Runtime> = cells.iter().map(|(_, c)| c.runtime).filter(|r| *r != Runtime::Native).collect();
    runtimes.sort_by_key(|r| r.name());
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
    for (r, c) in cells {
        t.rows.push(vec![
            c.runtime.name().into(),
            c.compiler.name().into(),
            c.engine.name().into(),
            c.call.name().into(),
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
