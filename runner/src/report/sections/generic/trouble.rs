//! The noisy and failed cells, with reasons.

use crate::report::table::Table;
use crate::report::view::Report;
use crate::results::status::Status;

/// Noisy and failed cells, with reasons.
pub(in crate::report) fn table(report: &Report) -> Table {
    let mut t = Table::new("Noisy and failed cells", vec!["cell", "status", "why"]);
    for r in report.rows {
        if !r.is_ok() {
            t.rows.push(vec![r.cell.as_str().into(), r.status.as_str().into(), r.error.as_str().into()]);
        } else if r.noisy == Some(true) {
            let why = format!(
                "noisy: the 95% interval of the headline round trip is ±{:.1}%, wider than ±{}%",
                r.rt_ci().unwrap_or(f64::NAN),
                r.noisy_ci_pct
            );
            t.rows.push(vec![r.cell.as_str().into(), Status::Ok.name().into(), why.into()]);
        }
    }
    if t.rows.is_empty() {
        t.notes.push("none: every cell ran, and no cell's interval is wider than its threshold".into());
    }
    t
}
