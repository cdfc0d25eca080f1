//! Releases side by side (issue 32): every cell of a runtime's other release (the `release` axis)
//! beside the same cell of the runtime's own release in the same run, with the versions the two
//! workers reported; `runner compare RUN.csv --release R` gives the same pairs compare's verdicts.

use crate::matrix::axes::{Axis, Release};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{with_cells, Report};

/// One line per `ok` cell of another release whose own-release cell is `ok` too: the two round
/// trips, the change, and each one's interval. None unless the run has such a cell.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let own = |cell: &Cell| {
        let name = Cell { release: Release::Default, ..*cell }.to_string();
        report.ok().find(|r| r.cell == name)
    };
    let mut pairs: Vec<_> = with_cells(report.ok())
        .filter(|(_, c)| c.release != Release::Default)
        .filter_map(|(row, cell)| own(&cell).map(|base| (base, row, cell)))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    pairs.sort_by_key(|(_, _, c)| (c.runtime, c.release, c.compiler, c.engine, c.environment, c.transport, c.call));
    let u = report.unit.name;
    let mut t = Table::new(
        format!("Releases side by side: each cell of another release beside its runtime's own (headlines, {u})"),
        vec![
            "runtime",
            "compiler",
            "engine",
            "environment",
            "transport",
            "codec",
            "call",
            "release",
            "own version",
            "other version",
            "own rt",
            "other rt",
            "other / own",
            "±95% own",
            "±95% other",
        ],
    );
    let rt = report.unit.rt;
    for (base, row, cell) in pairs {
        let (a, b) = (rt(base), rt(row));
        t.rows.push(vec![
            cell.runtime.name().into(),
            cell.compiler.name().into(),
            cell.engine.name().into(),
            cell.environment.name().into(),
            cell.transport.name().into(),
            Axis::name(cell.codec).into(),
            cell.call.name().into(),
            cell.release.name().into(),
            base.runtime_version.as_str().into(),
            row.runtime_version.as_str().into(),
            Value::num(a, 0),
            Value::num(b, 0),
            Value::num(a.zip(b).map(|(a, b)| b / a), 3),
            Value::num(base.rt_ci(), 1),
            Value::num(row.rt_ci(), 1),
        ]);
    }
    t.notes.push(
        "own: the cell under its runtime's own release (release default); other: the same cell under the release \
         named, a worker built from the same worker source against that release (runner/releases/<release>/). \
         other / own above 1: the other release is slower. ±95%: half the headline's 95% interval, percent. One \
         run, one machine: `runner compare RUN.csv --release <release>` gives each pair compare's verdict."
            .into(),
    );
    Some(t)
}
