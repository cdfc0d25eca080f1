//! The report's renderers: how `report` prints (one [`Format`]) and which renderer each format
//! takes; one file per format (and the HTML page's figures drawn as SVG, [`svg`]).

mod html;
mod json;
mod markdown;
mod svg;
mod text;

use crate::report::figures::figures;
use crate::report::sections::tables;
use crate::report::table::Table;
use crate::report::view::Report;

/// How `report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Html,
}

impl Format {
    pub const ALL: [(Format, &'static str); 4] =
        [(Format::Text, "text"), (Format::Markdown, "markdown"), (Format::Json, "json"), (Format::Html, "html")];
}

/// The report's tables, in order, in `format` (the HTML page with its figures).
pub(in crate::report) fn render(report: &Report, format: Format) -> String {
    let tables = tables(report);
    let table: fn(&Table, &mut String) = match format {
        Format::Html => return html::page(report, &tables, &figures(report)),
        Format::Json => return json::render(&tables),
        Format::Markdown => markdown::table,
        Format::Text => text::table,
    };
    let mut out = String::new();
    for t in &tables {
        table(t, &mut out);
    }
    out
}

#[cfg(test)]
mod tests;
