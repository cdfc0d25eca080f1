//! The answer at a glance: what `runner run` prints when it ends, on one screen. The report's
//! answer, a line a row (its rows say what could not run and why, and how many cells are noisy;
//! the note that explains them is `runner report`'s), the cells by status, and where the rest is:
//! the results file, the summary of every cell, the whole report and the HTML page.

use crate::report::identity;
use crate::report::sections::answer;
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::summary;
use std::fmt::Write;
use std::path::Path;

/// The glance of `report`, the rows of the results file `results`.
pub(super) fn glance(report: &Report, results: &Path) -> String {
    let table = answer(report);
    let mut out = format!("{}\n", table.title);
    for row in &table.rows {
        let _ = writeln!(out, "  {}", line(&table, row));
    }
    let file = results.display();
    let _ = writeln!(out, "cells:       {}", identity::cells(report));
    let _ = writeln!(out, "results:     {file}");
    let _ = writeln!(out, "every cell:  {}", summary::path(results).display());
    let _ = writeln!(out, "every table: runner report {file}");
    let page = results.with_extension("html");
    let _ = writeln!(out, "as a page:   runner report {file} --format html --out {}", page.display());
    out
}

/// One row of the answer as a line: `question: answer, figure ±95%; next best: ...`, the values
/// it lacks left out (a column the answer may gain is told as `; header: value`).
fn line(table: &Table, row: &[Value]) -> String {
    let mut out = String::new();
    for (header, value) in table.header.iter().zip(row) {
        if *value == Value::Missing {
            continue;
        }
        let v = value.text();
        match *header {
            "question" => out.push_str(&v),
            "answer" => _ = write!(out, ": {v}"),
            "figure" => _ = write!(out, ", {v}"),
            "±95%" => _ = write!(out, " {v}"),
            other => _ = write!(out, "; {other}: {v}"),
        }
    }
    out
}
