//! The report's renderers: how `report` prints (one [`Format`]) and which renderer each format
//! takes; one file per format (and the HTML page's figures drawn as SVG, [`svg`]), , the
//! results page ([`page`], Markdown with the run's reading and figures) and the glance a run ends
//! with ([`glance`]).

mod glance;
mod html;
mod json;
mod markdown;
mod page;
mod svg;
mod text;

use crate::report::figures::figures;
use crate::report::sections::tables;
use crate::report::table::Table;
use crate::report::view::Report;

pub(in crate::report) use page::Parts;

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

/// The answer at a glance, for the end of a run ([`glance`]): `report` is of the file `results`.
pub(in crate::report) fn glance(report: &Report, results: &std::path::Path) -> String {
    glance::glance(report, results)
}

/// The results page of `report` with `parts` ([`page`]).
pub(in crate::report) fn page(report: &Report, parts: &Parts) -> String {
    page::page(report, &tables(report), parts)
}

#[cfg(test)]
mod tests;
