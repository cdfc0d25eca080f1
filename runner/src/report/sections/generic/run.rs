//! The run itself: its id, commit, machine, versions, measure, cells and processes.

use crate::report::table::Table;
use crate::report::view::Report;
use crate::results::row::Row;

/// The run: what ran, where, with which versions, and how many cells ended `ok`.
pub(in crate::report) fn table(report: &Report) -> Table {
    let first = &report.rows[0];
    let mut t = Table::new("Run", vec!["field", "value"]);
    let ok = report.ok().count();
    let distinct = |f: fn(&Row) -> String| report.distinct(f).join(", ");
    for (field, value) in [
        ("run", distinct(|r| r.run_id.clone())),
        ("commit", distinct(|r| r.git_commit.clone())),
        ("machine", format!("{} ({} CPUs), {}", first.cpu_model, first.cpus, first.os)),
        ("versions", format!("Wasmer {}, {}", first.wasmer_version, first.rustc_version)),
        ("measure", format!("{} ({})", distinct(|r| r.measure.clone()), report.unit.name)),
        ("cells", format!("{}, {ok} ok", report.rows.len())),
        ("processes per cell", distinct_num(report.rows.iter().map(|r| r.processes))),
    ] {
        t.rows.push(vec![field.into(), value.into()]);
    }
    t
}

fn distinct_num(values: impl Iterator<Item = u32>) -> String {
    let mut v: Vec<u32> = values.collect();
    v.sort();
    v.dedup();
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}
