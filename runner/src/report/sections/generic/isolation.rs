//! What isolation costs: the merged pair (transport `merged`: both guests in one module, each with
//! a memory of its own, a `memory.copy` adapter between them) against `copy` (own memories, the
//! host copying) and `shared` (one memory, nothing copied), per runtime, compiler and call pattern:
//! the 2021 report's wish for "isolation via restricted access to memory", measured.

use crate::matrix::axes::{Axis, Engine, Environment, Instantiate, Logging, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{Report, RAW};
use crate::results::row::Row;

/// Per runtime, compiler and call pattern with a merged pair (raw, bare, logging off, jit, fresh,
/// the baseline build, one record between two modules: a chain or a larger message is not the
/// pair the table reads copy and shared against): the round trip under copy, shared and merged,
/// what merged adds over each (negative: it saves), the bytes copied per round trip and the
/// instantiation of each. None unless the run has a merged cell.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let plain = |c: &Cell| {
        c.codec == RAW
            && (c.environment, c.logging, c.engine, c.instantiate)
                == (Environment::Bare, Logging::Off, Engine::Jit, Instantiate::Fresh)
    };
    let mut merged: Vec<(&Row, Cell)> = report
        .rows
        .iter()
        .filter_map(|r| r.cell().ok().map(|c| (r, c)))
        .filter(|(_, c)| {
            c.transport == Transport::Merged && plain(c) && c.is_one_record_pair() && c.runtime != Runtime::Native
        })
        .collect();
    if merged.is_empty() {
        return None;
    }
    merged.sort_by_key(|(_, c)| (c.runtime, c.compiler, c.call));
    let ok = |like: &Cell, transport: Transport| {
        report.baseline().find(|r| {
            r.cell().is_ok_and(|c| {
                plain(&c)
                    && (c.runtime, c.compiler, c.call, c.transport)
                        == (like.runtime, like.compiler, like.call, transport)
            })
        })
    };
    let rt = |row: Option<&Row>| row.and_then(|r| (report.unit.rt)(r));
    let micros = |row: Option<&Row>| Value::num(row.and_then(|r| r.instantiate_headline_ns).map(|ns| ns / 1e3), 1);
    let u = report.unit.name;
    let mut t = Table::new(
        format!("What isolation costs: the merged pair against copy and shared (raw, bare, jit; headlines, {u})"),
        vec![
            "runtime",
            "compiler",
            "call",
            "copy rt",
            "shared rt",
            "merged rt",
            "merged - copy",
            "merged - shared",
            "merged / copy",
            "copied B/rt",
            "copy inst µs",
            "merged inst µs",
            "merged cell",
        ],
    );
    for (row, cell) in &merged {
        let (copy, shared) = (ok(cell, Transport::Copy), ok(cell, Transport::Shared));
        let this = ok(cell, Transport::Merged);
        let (c, s, m) = (rt(copy), rt(shared), rt(this));
        t.rows.push(vec![
            cell.runtime.name().into(),
            cell.compiler.name().into(),
            cell.call.name().into(),
            Value::num(c, 0),
            Value::num(s, 0),
            Value::num(m, 0),
            Value::num(m.zip(c).map(|(m, c)| m - c), 0),
            Value::num(m.zip(s).map(|(m, s)| m - s), 0),
            Value::num(m.zip(c).map(|(m, c)| m / c), 2),
            Value::num(this.and_then(|r| r.host_copied_bytes_per_rt), 0),
            micros(copy),
            micros(this),
            row.status.as_str().into(),
        ]);
    }
    t.notes.push(
        "merged: binaryen's wasm-merge joins both guests and a small adapter (guests/merged/adapter.wat) into one \
         module with two memories; the adapter copies each message from one memory into the other with memory.copy, \
         so neither guest can reach the other's memory (the builder checks the module) and, under call = import, a \
         round trip never leaves wasm. copy: each guest its own memory, the host copying between them; shared: one \
         memory both guests import, nothing copied, no isolation. \"merged - copy\" is what moving the copy from \
         the host into wasm saves (negative) or costs; \"merged - shared\" is the price of isolation against \
         sharing. copied B/rt: what the adapter copied per round trip (as the host does under copy). inst: one \
         pair's instantiation (the instantiation headline: pairs made and dropped many times in a process). The merged module is binaryen's output, not \
         rustc's bytes (docs/limits.md)."
            .into(),
    );
    Some(t)
}
