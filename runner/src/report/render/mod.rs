//! The report's renderers: how `report` prints (one [`Format`]) and which renderer each format
//! takes; one file per format.

mod json;
mod markdown;
mod text;

use crate::report::table::Table;

/// How `report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

impl Format {
    pub const ALL: [(Format, &'static str); 3] =
        [(Format::Text, "text"), (Format::Markdown, "markdown"), (Format::Json, "json")];
}

/// The tables, in order, in `format`.
pub(in crate::report) fn render(tables: &[Table], format: Format) -> String {
    let table: fn(&Table, &mut String) = match format {
        Format::Json => return json::render(tables),
        Format::Markdown => markdown::table,
        Format::Text => text::table,
    };
    let mut out = String::new();
    for t in tables {
        table(t, &mut out);
    }
    out
}
