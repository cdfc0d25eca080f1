//! The Markdown renderer: each table under a `###` heading, its notes as paragraphs (what the
//! documents' generated tables and the results pages are made from).

use crate::report::table::Table;
use std::fmt::Write;

/// `table` in Markdown, appended to `out`.
pub(super) fn table(table: &Table, out: &mut String) {
    let _ = writeln!(out, "### {}\n", table.title);
    if !table.rows.is_empty() {
        let _ = writeln!(out, "| {} |", table.header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(table.header.len()));
        for row in &table.texts() {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out.push('\n');
    }
    for note in &table.notes {
        let _ = writeln!(out, "{note}\n");
    }
}
