//! The Component Model's cells beside the core modules' `copy` cells.

use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;

/// The Component Model beside core modules: for every compiler and engine with component
/// cells, on the codecs they ran, bare, logging off, the baseline build: the round trip and the
/// bare call of `copy`, `shared`, `component` (through the host) and `composed`, each call
/// pattern, over the native twin and over the core module's `copy` (same codec; `wit` over raw).
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let component = |r: &Row| matches!(r.transport.as_str(), "component" | "composed");
    let backs: Vec<(&str, &str, &str)> = {
        let mut v: Vec<_> = report
            .baseline()
            .filter(|r| component(r))
            .map(|r| (r.runtime(), r.compiler.as_str(), r.engine.as_str()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if backs.is_empty() {
        return None;
    }
    // In the run's order, the typed record last.
    let mut codecs: Vec<&str> = Vec::new();
    for r in report.baseline().filter(|r| component(r)) {
        if !codecs.contains(&r.codec.as_str()) {
            codecs.push(&r.codec);
        }
    }
    codecs.sort_by_key(|c| *c == "wit");
    let u = report.unit.name;
    let mut t = Table::new(
        format!("Component Model beside core modules (bare, logging off; headlines, {u})"),
        vec![
            "runtime",
            "compiler",
            "engine",
            "codec",
            "transport",
            "call",
            "rt",
            "over copy",
            "wasm / native",
            "bare call",
            "set-up µs",
            "guests KB",
        ],
    );
    let kb = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1e3), 0);
    for (runtime, compiler, engine) in backs {
        let here = |r: &&Row| {
            (r.runtime(), r.compiler.as_str(), r.engine.as_str()) == (runtime, compiler, engine)
                && r.environment == "bare"
                && r.logging() == "off"
        };
        for codec in &codecs {
            let mut rows: Vec<&Row> = report.baseline().filter(here).filter(|r| r.codec == *codec).collect();
            let order = |r: &Row| ["copy", "shared", "component", "composed"].iter().position(|t| *t == r.transport);
            rows.sort_by_key(|r| (order(r), r.call().to_owned()));
            // The core modules' `copy` cell with the same codec (wit: raw), the host calling,
            // of this engine, else of the compiler's other (the same machine code: the engine
            // changes the start-up only).
            let copy_codec = if *codec == "wit" { "raw" } else { codec };
            let copy = report
                .baseline()
                .filter(|c| {
                    (c.runtime(), c.compiler.as_str()) == (runtime, compiler)
                        && c.environment == "bare"
                        && c.logging() == "off"
                        && c.transport == "copy"
                        && c.codec == copy_codec
                        && c.call() == "host"
                })
                .min_by_key(|c| c.engine != engine);
            for r in rows {
                let over_copy = match (copy, (report.unit.rt)(r)) {
                    (Some(c), Some(rt)) if !std::ptr::eq(c, r) => (report.unit.rt)(c).map(|c| rt / c),
                    _ => None,
                };
                t.rows.push(vec![
                    runtime.into(),
                    compiler.into(),
                    engine.into(),
                    r.codec.as_str().into(),
                    r.transport.as_str().into(),
                    r.call().into(),
                    Value::num((report.unit.rt)(r), 0),
                    Value::num(over_copy, 2),
                    Value::num(report.native_ratio(r), 2),
                    Value::num((report.unit.floor)(r), 1),
                    Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
                    kb(r.producer_wasm_bytes.zip(r.consumer_wasm_bytes).map(|(p, c)| p + c)),
                ]);
            }
        }
    }
    t.notes.push(
        "component: two component instances in one store, linked by the host (call host: the host calls produce, \
         deliver, check-reply; call import: the host implements the producer's deliver import by calling the \
         consumer's); composed: the two components plugged together ahead of time (wac-graph), the call never \
         leaving wasm. A list<u8> or the typed record (codec wit) crosses through the canonical ABI, copied by \
         the runtime from one memory into the other; \"over copy\" is over the core modules' copy cell with \
         the same codec (wit: raw) and the host calling, of the same engine where the run has it, else of \
         the compiler's other (the same machine code); components are read against the native twin under \
         copy; guests KB are the two components (composed is both, plugged)."
            .into(),
    );
    Some(t)
}
