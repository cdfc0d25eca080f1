//! The Component Model's cells beside the core modules' `copy` cells.

use crate::matrix::axes::{Axis, Call, Codec, Environment, Logging, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{with_cells, Report, RAW};
use crate::results::row::Row;

/// The Component Model beside core modules: for every compiler and engine with component
/// cells, on the codecs they ran, bare, logging off, the baseline build: the round trip and the
/// bare call of `copy`, `shared`, `component` (through the host) and `composed`, each call
/// pattern, over the native twin and over the core module's `copy` (same codec; `wit` over raw).
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let components: Vec<Cell> =
        report.baseline().filter_map(|r| r.cell().ok()).filter(|c| c.transport.is_component_model()).collect();
    // By their names.
    let mut backs: Vec<_> = components.iter().map(|c| (c.runtime, c.compiler, c.engine)).collect();
    backs.sort_by_key(|(runtime, compiler, engine)| (runtime.name(), compiler.name(), engine.name()));
    backs.dedup();
    if backs.is_empty() {
        return None;
    }
    // In the run's order, the typed record last.
    let mut codecs: Vec<Codec> = Vec::new();
    for c in &components {
        if !codecs.contains(&c.codec) {
            codecs.push(c.codec);
        }
    }
    codecs.sort_by_key(|c| *c == Codec::Wit);
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
        let bare = |c: &Cell| (c.environment, c.logging) == (Environment::Bare, Logging::Off);
        let here = |c: &Cell| (c.runtime, c.compiler, c.engine) == (runtime, compiler, engine) && bare(c);
        for &codec in &codecs {
            let mut rows: Vec<(&Row, Cell)> =
                with_cells(report.baseline()).filter(|(_, c)| here(c) && c.codec == codec).collect();
            let order = |c: &Cell| {
                [Transport::Copy, Transport::Shared, Transport::Component, Transport::Composed]
                    .iter()
                    .position(|t| *t == c.transport)
            };
            rows.sort_by_key(|(_, c)| (order(c), c.call.name()));
            // The core modules' `copy` cell with the same codec (wit: raw), the host calling,
            // of this engine, else of the compiler's other (the same machine code: the engine
            // changes the start-up only).
            let copy_codec = if codec == Codec::Wit { RAW } else { codec };
            let copy = with_cells(report.baseline())
                .filter(|(_, c)| {
                    (c.runtime, c.compiler) == (runtime, compiler)
                        && bare(c)
                        && (c.transport, c.codec, c.call) == (Transport::Copy, copy_codec, Call::Host)
                })
                .min_by_key(|(_, c)| c.engine != engine)
                .map(|(r, _)| r);
            for (r, c) in rows {
                let over_copy = match (copy, (report.unit.rt)(r)) {
                    (Some(c), Some(rt)) if !std::ptr::eq(c, r) => (report.unit.rt)(c).map(|c| rt / c),
                    _ => None,
                };
                t.rows.push(vec![
                    runtime.name().into(),
                    compiler.name().into(),
                    engine.name().into(),
                    c.codec.name().into(),
                    c.transport.name().into(),
                    c.call.name().into(),
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
