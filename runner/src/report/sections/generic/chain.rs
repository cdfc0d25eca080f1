//! Chains of modules: the round trip against the modules a request passes through (the `modules`
//! axis), per runtime, call and transport; the cost of each extra module, `(rt(n) − rt(2)) / (n −
//! 2)`; and the 2021 report's judgement that a Rust app of n < 4 inter-communicating modules with
//! a shared representation is within reach, read off the chains the run measured.

use crate::matrix::axes::{Axis, Environment, Instantiate, Logging, Modules, Records, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;
use crate::results::view::Unit;
use std::collections::BTreeMap;

/// The ok rows of the baseline build, bare, logging off, fresh, with a pair and at least one chain
/// in their group: by (runtime, compiler, engine, call, transport, codec, records), then modules.
type Groups<'a> = BTreeMap<Cell, BTreeMap<Modules, &'a Row>>;

fn groups<'a>(report: &Report<'a>) -> Groups<'a> {
    let mut groups: Groups = BTreeMap::new();
    for row in report.baseline_build() {
        let Ok(cell) = row.cell() else { continue };
        if (cell.environment, cell.logging, cell.instantiate) != (Environment::Bare, Logging::Off, Instantiate::Fresh) {
            continue;
        }
        groups.entry(Cell { modules: Modules::Two, ..cell }).or_default().insert(cell.modules, row);
    }
    groups.retain(|_, lengths| lengths.len() > 1 && lengths.contains_key(&Modules::Two));
    groups
}

/// The cost of each module past the pair, from the pair's round trip and the chain's of `n`.
fn per_hop(pair: Option<f64>, chain: Option<f64>, n: Modules) -> Option<f64> {
    let relays = n.relays() as f64;
    pair.zip(chain).filter(|_| relays > 0.0).map(|(p, c)| (c - p) / relays)
}

/// The chain tables: every length measured, and the 2021 judgement. None unless the run has a
/// pair and a chain of the same cell otherwise.
pub(in crate::report) fn tables(report: &Report) -> Vec<Table> {
    let groups = groups(report);
    if groups.is_empty() {
        return Vec::new();
    }
    let rt = |row: &Row| (report.unit.rt)(row);
    let u = report.unit.name;
    let mut t = Table::new(
        format!(
            "Chains of modules: the round trip against the modules a request passes through (bare; headlines, {u})"
        ),
        vec![
            "runtime",
            "compiler",
            "engine",
            "call",
            "transport",
            "codec",
            "records",
            "modules",
            "rt",
            "rt / pair",
            "per extra module",
            "copied bytes/rt",
        ],
    );
    for (cell, lengths) in &groups {
        let pair = lengths.get(&Modules::Two).and_then(|r| rt(r));
        for (n, row) in lengths {
            let chain = rt(row);
            t.rows.push(vec![
                cell.runtime.name().into(),
                cell.compiler.name().into(),
                cell.engine.name().into(),
                cell.call.name().into(),
                cell.transport.name().into(),
                Axis::name(cell.codec).into(),
                cell.records.name().into(),
                n.name().into(),
                Value::num(chain, 0),
                Value::num(pair.zip(chain).map(|(p, c)| c / p), 2),
                Value::num(per_hop(pair, chain, *n), 0),
                Value::num(row.host_copied_bytes_per_rt, 0),
            ]);
        }
    }
    t.notes.push(
        "modules: the producer, modules − 2 relays, the consumer (results/README.md). A relay reads the request \
         through the codec and forwards its bytes unchanged, so every length answers to the pair's checksum; the \
         reply goes straight back. per extra module: (rt at n − rt of the pair) / (n − 2), what each relay adds: \
         its call, its read of every record and, under copy, one copy of the request (copied bytes/rt)."
            .into(),
    );
    vec![t, judgement(report, &groups)]
}

/// Per runtime, compiler, engine, call and codec: a chain of three and of four under `shared`
/// against the pair, beside `copy`'s, and the 2021 report's under-2 µs mark.
fn judgement(report: &Report, groups: &Groups) -> Table {
    let rt = |row: &Row| (report.unit.rt)(row);
    let u = report.unit.name;
    let mut t = Table::new(
        format!(
            "Chains of modules: the 2021 report's \"1 app containing n Wasm modules that inter-communicate\", n < 4 \
             with a shared representation (one record; headlines, {u})"
        ),
        vec![
            "runtime",
            "compiler",
            "engine",
            "call",
            "codec",
            "transport",
            "pair",
            "longest chain",
            "rt",
            "per extra module",
            "under 2 µs",
        ],
    );
    for (cell, lengths) in groups.iter().filter(|(c, _)| c.records == Records::One && c.runtime != Runtime::Native) {
        let Some((n, longest)) = lengths.iter().next_back() else { continue };
        let pair = lengths.get(&Modules::Two).and_then(|r| rt(r));
        let chain = rt(longest);
        let nanoseconds = report.unit.name == Unit::NS.name;
        let under = chain.filter(|_| nanoseconds).map(|c| if c < 2000.0 { "yes" } else { "no" });
        t.rows.push(vec![
            cell.runtime.name().into(),
            cell.compiler.name().into(),
            cell.engine.name().into(),
            cell.call.name().into(),
            Axis::name(cell.codec).into(),
            cell.transport.name().into(),
            Value::num(pair, 0),
            n.name().into(),
            Value::num(chain, 0),
            Value::num(per_hop(pair, chain, *n), 0),
            under.map_or(Value::Missing, Value::from),
        ]);
    }
    t.rows.sort_by_key(|r| match &r[5] {
        Value::Text(s) if s == Transport::Shared.name() => 0,
        _ => 1,
    });
    t.notes.push(
        "The 2021 report judged a Rust app of n < 4 wasm modules talking through a shared representation within \
         reach, and measured under 2 µs a call for its pair. Each row: the pair and the longest chain the run \
         measured of the same cell, shared first; under 2 µs reads the chain's headline round trip (nanosecond runs \
         only)."
            .into(),
    );
    t
}
