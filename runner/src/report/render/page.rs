//! The results page: one committed run as a Markdown page (`runner page`, docs/results/<run>.md):
//! its title, the run as its rows tell it, its hand-written reading if it has one, the figures
//! drawn of it (image files beside the page), then every table of the Markdown report. Nothing on
//! it depends on when it is made, so that it remakes byte for byte.

use super::markdown;
use crate::report::identity;
use crate::report::table::Table;
use crate::report::view::Report;
use std::fmt::Write;

/// What a results page holds beside the report's tables.
pub(in crate::report) struct Parts<'a> {
    /// The run's name: its results file's stem, the page's title.
    pub(in crate::report) name: &'a str,
    /// The results file, as a link from the page.
    pub(in crate::report) results: &'a str,
    /// The hand-written reading, included as it is.
    pub(in crate::report) reading: Option<&'a str>,
    /// The figures' image files, as links from the page, in order.
    pub(in crate::report) figures: &'a [String],
}

/// The page of `report` with `parts`.
pub(super) fn page(report: &Report, tables: &[Table], parts: &Parts) -> String {
    let mut out = String::new();
    let file = parts.results.rsplit('/').next().unwrap_or(parts.results);
    let _ = writeln!(
        out,
        "# Results: {}\n\n<!-- made by `runner page`: edit {}.reading.md beside it, never this page -->\n\n\
         The run of [{file}]({}), as its rows tell it:\n",
        parts.name, parts.name, parts.results
    );
    for (field, value) in identity::fields(report).into_iter().filter(|(f, _)| *f != "file") {
        let _ = writeln!(out, "- {field}: {value}");
    }
    out.push('\n');
    if let Some(reading) = parts.reading {
        let _ = writeln!(out, "{}\n", reading.trim_end());
    }
    if !parts.figures.is_empty() {
        out.push_str("## Figures\n\n");
        for link in parts.figures {
            let file = link.rsplit('/').next().unwrap_or(link);
            let alt = file.rsplit_once('.').map_or(file, |(stem, _)| stem).replace(['_', '-'], " ");
            let _ = writeln!(out, "![{alt}]({link})\n");
        }
    }
    out.push_str("## Tables\n\nEvery table of `runner report` of the run (`--format markdown`):\n\n");
    for t in tables {
        markdown::table(t, &mut out);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
