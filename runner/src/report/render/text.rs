//! The text renderer: each table under its title in aligned columns (numbers right-aligned, text
//! left-aligned), its notes indented below.

use crate::report::table::{Table, Value};
use std::fmt::Write;

/// `table` as aligned text, appended to `out`.
pub(super) fn table(table: &Table, out: &mut String) {
    let cells = table.texts();
    let _ = writeln!(out, "{}", table.title);
    let widths: Vec<usize> = (0..table.header.len())
        .map(|i| cells.iter().map(|r| r[i].chars().count()).chain([table.header[i].chars().count()]).max().unwrap_or(0))
        .collect();
    // Numbers right-aligned, text left-aligned, column by column.
    let numeric: Vec<bool> = (0..table.header.len())
        .map(|i| table.rows.iter().all(|r| matches!(r[i], Value::Num(..) | Value::Missing)))
        .collect();
    if !table.rows.is_empty() {
        let header: Vec<String> = table.header.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(&cells) {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((c, w), num)| if *num { format!("{c:>w$}") } else { format!("{c:<w$}") })
                .collect();
            let _ = writeln!(out, "  {}", line.join("  ").trim_end());
        }
    }
    for note in &table.notes {
        let _ = writeln!(out, "  {note}");
    }
    out.push('\n');
}
