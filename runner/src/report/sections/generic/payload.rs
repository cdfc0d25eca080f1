//! Payload size: the round trip against the records a message carries (the `records` axis), per
//! runtime, transport and codec; and the sizes the issue asks about: where `shared` beats `copy` by
//! 10% or more, and where a zero-copy codec beats the serde codecs.

use crate::matrix::axes::{Axis, Codec, Environment, Instantiate, Logging, Modules, Records, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;
use std::collections::BTreeMap;
use wasmatrix_proto::codec::Family;

/// The cells a payload table reads: bare, logging off, fresh, two modules, the baseline build
/// (every engine: a group holds one).
fn plain(c: &Cell) -> bool {
    (c.environment, c.logging, c.instantiate, c.modules)
        == (Environment::Bare, Logging::Off, Instantiate::Fresh, Modules::Two)
}

/// The ok rows of the baseline build with more than one `records` value in their group, by
/// (runtime, compiler, call, transport, codec) and then records.
type Groups<'a> = BTreeMap<(Cell, Codec), BTreeMap<Records, &'a Row>>;

fn groups<'a>(report: &Report<'a>) -> Groups<'a> {
    let mut groups: Groups = BTreeMap::new();
    for row in report.baseline_build() {
        let Ok(cell) = row.cell() else { continue };
        if !plain(&cell) {
            continue;
        }
        let key = Cell { records: Records::One, codec: Codec::DEFAULT, ..cell };
        groups.entry((key, cell.codec)).or_default().insert(cell.records, row);
    }
    groups.retain(|_, sizes| sizes.len() > 1);
    groups
}

/// The round trip at each size per runtime, compiler, call, transport and codec, its bytes per
/// message and per record, and how the cost per record moves from one record per message. None
/// unless the run has a group of cells at two sizes or more.
pub(in crate::report) fn tables(report: &Report) -> Vec<Table> {
    let groups = groups(report);
    if groups.is_empty() {
        return Vec::new();
    }
    let rt = |row: &Row| (report.unit.rt)(row);
    let u = report.unit.name;
    let mut t = Table::new(
        format!(
            "Payload size: the round trip against the records a message carries (bare, baseline build; headlines, {u})"
        ),
        vec![
            "runtime",
            "compiler",
            "engine",
            "call",
            "transport",
            "codec",
            "records",
            "bytes/msg",
            "rt",
            "per record",
            "per record / k=1",
        ],
    );
    for ((cell, codec), sizes) in &groups {
        let one = sizes.get(&Records::One).and_then(|r| rt(r));
        for (records, row) in sizes {
            let k = f64::from(records.count());
            let per = rt(row).map(|v| v / k);
            t.rows.push(vec![
                cell.runtime.name().into(),
                cell.compiler.name().into(),
                cell.engine.name().into(),
                cell.call.name().into(),
                cell.transport.name().into(),
                codec.name().into(),
                records.name().into(),
                Value::num(row.request_bytes_mean, 0),
                Value::num(rt(row), 0),
                Value::num(per, 1),
                Value::num(per.zip(one).map(|(p, o)| p / o), 2),
            ]);
        }
    }
    t.notes.push(
        "records: how many records one message carries (results/README.md); bytes/msg: the request's size; per \
         record: the round trip divided by the records, what a message of one record would cost if batching saved \
         nothing; per record / k=1: below 1, the batch amortises the crossing (calls, copies, checks) over its \
         records. Each size is a cell of its own: its warm-up and round trips per batch are divided by the records."
            .into(),
    );
    vec![t, crossings(report, &groups)]
}

/// Per runtime, compiler and call: the smallest size at which `shared` beats `copy` by 10% or more
/// (per codec), and at which each zero-copy codec beats the fastest serde codec (per transport).
fn crossings(report: &Report, groups: &Groups) -> Table {
    let rt = |row: &Row| (report.unit.rt)(row);
    let mut t = Table::new(
        "Payload size: where zero copy starts to pay (the smallest records per message measured at which it does)",
        vec!["runtime", "compiler", "engine", "call", "question", "answer"],
    );
    let mut asked: BTreeMap<Cell, Vec<(String, String)>> = BTreeMap::new();
    for ((cell, codec), copy) in groups.iter().filter(|((c, _), _)| c.transport == Transport::Copy) {
        let shared = groups.get(&(Cell { transport: Transport::Shared, ..*cell }, *codec));
        let Some(shared) = shared else { continue };
        let first = copy.iter().find(|(records, row)| {
            let s = shared.get(records).and_then(|r| rt(r));
            s.zip(rt(row)).is_some_and(|(s, c)| s <= 0.9 * c)
        });
        let answer = first
            .map_or_else(|| "not at the sizes measured".to_owned(), |(records, _)| format!("from {records} records"));
        asked
            .entry(Cell { transport: Transport::Copy, ..*cell })
            .or_default()
            .push((format!("shared ≥10% faster than copy, {codec}"), answer));
    }
    let transports: Vec<Cell> =
        groups.keys().map(|(c, _)| *c).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    for cell in transports {
        let family = |f: Family| {
            groups.iter().filter(move |((c, codec), _)| *c == cell && codec.bytes().is_some_and(|id| id.family() == f))
        };
        let serde: Vec<_> = family(Family::Serde).collect();
        if serde.is_empty() {
            continue;
        }
        for ((_, codec), sizes) in family(Family::ZeroCopy) {
            let first = sizes.iter().find(|(records, row)| {
                let best_serde = serde.iter().filter_map(|(_, s)| s.get(records).and_then(|r| rt(r))).reduce(f64::min);
                best_serde.zip(rt(row)).is_some_and(|(s, z)| z < s)
            });
            let answer = first.map_or_else(
                || "not at the sizes measured".to_owned(),
                |(records, _)| format!("from {records} records"),
            );
            let key = Cell { transport: Transport::Copy, ..cell };
            asked
                .entry(key)
                .or_default()
                .push((format!("{codec} faster than every serde codec, {}", cell.transport), answer));
        }
    }
    for (cell, answers) in asked {
        for (question, answer) in answers {
            t.rows.push(vec![
                cell.runtime.name().into(),
                cell.compiler.name().into(),
                cell.engine.name().into(),
                cell.call.name().into(),
                question.into(),
                answer.into(),
            ]);
        }
    }
    t.notes.push(
        "Read off the headline round trips of the sizes the run measured (so \"from 256\" means: not at the size \
         below it that was measured). The serde codecs: bincode, postcard, json; the zero-copy ones: flatbuffers, \
         capnp, rkyv (wasmatrix-proto's Family)."
            .into(),
    );
    t
}
