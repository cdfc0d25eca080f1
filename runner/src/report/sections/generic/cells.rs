//! Every cell, one row each: status, set-up, cold start, round trip, bare call, ratio, size.

use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::stats::Headline;

/// Every cell in the matrix's order, failed ones too.
pub(in crate::report) fn table(report: &Report) -> Table {
    let u = report.unit.name;
    let mut t = Table::new(
        format!("Cells (round trip in {u}: rt = the headline, {}; best = fastest process)", Headline::NAME),
        vec![
            "cell",
            "status",
            "set-up µs",
            "cold start ms",
            "rt",
            "rt best",
            "±95%",
            "rt p99",
            "bare call",
            "wasm / native",
            "artifact KB",
        ],
    );
    for r in report.rows {
        t.rows.push(vec![
            r.cell.as_str().into(),
            r.status.as_str().into(),
            Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
            Value::num(r.cold_start_ns.map(|v| v as f64 / 1e6), 1),
            Value::num((report.unit.rt)(r), 0),
            Value::num(r.rt_proc_min_ns, 0),
            r.rt_ci().map_or(Value::Missing, |ci| format!("±{ci:.1}%").into()),
            Value::num(r.rt_p99_ns, 0),
            Value::num((report.unit.floor)(r), 1),
            Value::num(report.native_ratio(r), 2),
            Value::num(r.artifact_bytes.map(|v| v as f64 / 1e3), 0),
        ]);
    }
    t
}
