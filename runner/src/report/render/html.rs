//! The HTML renderer: one self-contained page per run, for looking rather than reading: a heading
//! with the run (file, date, machine, schema, cells), a table of contents, the figures as inline SVG
//! ([`super::svg`]) and the same tables as the Markdown report. No script, no external file: a
//! small inline stylesheet, and a Content-Security-Policy that forbids loading anything, so that
//! a browser shows it offline exactly as written (and reports any load it refused). Every text
//! is escaped; the page is well-formed XML as well as HTML (its tests parse it so).

use super::svg;
use crate::report::figures::Figure;
use crate::report::identity;
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use std::fmt::Write;

/// The inline stylesheet (no `<` or `&`, so that the page stays well-formed XML).
const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 0 auto; padding: 0 16px 40px; }
h1 { font-size: 1.6em; margin: 0.8em 0 0.3em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0; }
dl.run dt { color: #555; }
dl.run dd { margin: 0; }
nav ol { margin: 0.2em 0; padding-left: 1.4em; }
figure { margin: 1em 0 2.2em; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption, p.note { color: #444; font-size: 0.92em; max-width: 900px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; white-space: nowrap; }
th { background: #f3f3f3; }
td.num { text-align: right; }
tbody tr:nth-child(even) { background: #fafafa; }
";

/// What the page may load: nothing but its own inline style (and SVG inline, which is not a load).
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// `text` with the characters HTML and XML give meaning to escaped (text and attribute values).
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page: heading, contents, figures, tables.
pub(super) fn page(report: &Report, tables: &[Table], figures: &[Figure]) -> String {
    let name = report.source.as_deref().unwrap_or("results");
    let title = escape(&format!("wasmatrix report: {name}"));
    let ids = table_ids(tables);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n"
    );
    heading(report, &mut out);
    out.push_str("</header>\n<nav>\n<h2>Contents</h2>\n<ol>\n");
    if !figures.is_empty() {
        out.push_str("<li><a href=\"#figures\">Figures</a>\n<ol>\n");
        for f in figures {
            let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", f.id, escape(&f.title));
        }
        out.push_str("</ol>\n</li>\n");
    }
    out.push_str("<li><a href=\"#tables\">Tables</a>\n<ol>\n");
    for (t, id) in tables.iter().zip(&ids) {
        let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(&t.title));
    }
    out.push_str("</ol>\n</li>\n</ol>\n</nav>\n<main>\n");
    if !figures.is_empty() {
        out.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
        for f in figures {
            figure(f, &mut out);
        }
        out.push_str("</section>\n");
    }
    out.push_str("<section id=\"tables\">\n<h2>Tables</h2>\n");
    for (t, id) in tables.iter().zip(&ids) {
        table(t, id, &mut out);
    }
    let _ = write!(
        out,
        "</section>\n</main>\n<footer>\n<p class=\"note\">Made by <code>runner report --format html</code> \
         (wasmatrix runner {}): no script, nothing loaded from anywhere; the figures are inline SVG.</p>\n\
         </footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The run ([`identity::fields`]) as a list.
fn heading(report: &Report, out: &mut String) {
    out.push_str("<dl class=\"run\">\n");
    for (field, value) in identity::fields(report) {
        let _ = writeln!(out, "<dt>{field}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl>\n");
}

fn figure(f: &Figure, out: &mut String) {
    let _ = writeln!(out, "<figure id=\"{}\">\n<h3>{}</h3>", f.id, escape(&f.title));
    // A figure that cannot be drawn says so in place of its bars (the page still loads).
    match svg::draw(f) {
        Ok(svg) => out.push_str(&svg),
        Err(e) => _ = writeln!(out, "<p class=\"note\">figure not drawn: {}</p>", escape(&e)),
    }
    let _ = writeln!(out, "<figcaption>{}</figcaption>\n</figure>", escape(&f.caption));
}

/// `t` under its heading, numbers right-aligned, its notes below.
fn table(t: &Table, id: &str, out: &mut String) {
    let _ = writeln!(out, "<section id=\"{id}\">\n<h3>{}</h3>", escape(&t.title));
    if !t.rows.is_empty() {
        let numeric: Vec<bool> = (0..t.header.len())
            .map(|i| t.rows.iter().all(|r| matches!(r.get(i), Some(Value::Num(..) | Value::Missing))))
            .collect();
        out.push_str("<div class=\"scroll\">\n<table>\n<thead>\n<tr>");
        for h in &t.header {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in t.texts() {
            out.push_str("<tr>");
            for (cell, num) in row.iter().zip(&numeric) {
                let class = if *num { " class=\"num\"" } else { "" };
                let _ = write!(out, "<td{class}>{}</td>", escape(cell));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    for note in &t.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    out.push_str("</section>\n");
}

/// Each table's anchor: `table-` and its title's words (up to the first parenthesis), unique.
fn table_ids(tables: &[Table]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for t in tables {
        let words: String = t
            .title
            .split('(')
            .next()
            .unwrap_or("")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { ' ' })
            .collect();
        let base = format!("table-{}", words.split_whitespace().collect::<Vec<_>>().join("-"));
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.push(id);
    }
    ids
}
