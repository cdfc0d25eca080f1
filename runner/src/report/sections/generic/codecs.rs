//! Per codec: message size, encode, decode and round trip, natively and in wasm.

use crate::matrix::axes::{Axis, Codec, Engine};
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;

/// Per codec: message size, encode, decode and round trip natively and in the best wasm
/// cell, and the best wasm cell over its twin.
pub(in crate::report) fn table(report: &Report) -> Table {
    let u = report.unit.name;
    let mut t = Table::new(
        format!("Codecs ({u} per message, headline; native / best wasm cell)"),
        vec!["codec", "bytes", "encode", "decode", "round trip", "best wasm cell", "wasm / native"],
    );
    let mut codecs: Vec<Codec> = Vec::new();
    for c in report.rows.iter().filter_map(|r| r.cell().ok()) {
        if !codecs.contains(&c.codec) {
            codecs.push(c.codec);
        }
    }
    for codec in codecs {
        let of = |native: bool| {
            report.baseline().filter(move |r| r.cell_is(|c| c.codec == codec && (c.engine == Engine::Native) == native))
        };
        let min = |rows: Vec<&Row>, m: fn(&Row) -> Option<f64>| rows.iter().filter_map(|r| m(r)).reduce(f64::min);
        let pair = |m: fn(&Row) -> Option<f64>| {
            let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
            Value::Text(format!("{} / {}", f(min(of(true).collect(), m)), f(min(of(false).collect(), m))))
        };
        let best = of(false).filter_map(|r| (report.unit.rt)(r).map(|v| (v, r))).min_by(|a, b| a.0.total_cmp(&b.0));
        t.rows.push(vec![
            codec.name().into(),
            Value::num(
                min(report.ok().filter(|r| r.cell_is(|c| c.codec == codec)).collect(), |r| r.request_bytes_mean),
                0,
            ),
            pair(report.unit.encode),
            pair(report.unit.decode),
            pair(report.unit.rt),
            best.map_or(Value::Missing, |b| b.1.cell.as_str().into()),
            Value::num(best.and_then(|b| report.native_ratio(b.1)), 2),
        ]);
    }
    t
}
