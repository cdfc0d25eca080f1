//! The HTML page on the committed runs: well-formed (parsed as XML), every table and figure in
//! it and in its contents, every text escaped, nothing loaded from anywhere.

use crate::report::view::Report;
use crate::report::{load, Format};
use crate::results::row::Row;
use roxmltree::{Document, Node};
use std::path::PathBuf;

fn rows_of(name: &str) -> Vec<Row> {
    load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../results").join(name)).unwrap()
}

/// The page as XML (its `<!DOCTYPE html>` is a DTD to roxmltree, which must be told to allow it).
fn parse(html: &str) -> Result<Document<'_>, roxmltree::Error> {
    Document::parse_with_options(html, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
}

fn elements<'a, 'i>(doc: &'a Document<'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| n.tag_name().name() == tag).collect()
}

fn text_of(node: Node) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// The page of `name`, checked as every page must be: well-formed XML whose every table and
/// figure has its heading and contents entry, each figure one SVG, each link an anchor in the
/// page, no script, nothing to load.
fn check_page(name: &str) {
    let rows = rows_of(name);
    let report = Report::new(&rows).named(name);
    let html = report.render(Format::Html);
    let doc = parse(&html).unwrap_or_else(|e| panic!("{name}: not well-formed: {e}"));
    let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
    let links: Vec<&str> = elements(&doc, "a").iter().filter_map(|a| a.attribute("href")).collect();
    for href in &links {
        assert!(ids.contains(&href.trim_start_matches('#')), "{name}: {href} leads nowhere");
    }
    // Every table of the Markdown report, under its title, and in the contents.
    let markdown = report.render(Format::Markdown);
    let titles: Vec<String> = elements(&doc, "h3").into_iter().map(text_of).collect();
    let tables: Vec<&str> = markdown.lines().filter_map(|l| l.strip_prefix("### ")).collect();
    for title in &tables {
        assert!(titles.iter().any(|t| t == title), "{name}: no table {title}");
    }
    let figures = elements(&doc, "figure");
    assert!(figures.len() >= 3, "{name}: {} figures", figures.len());
    for f in &figures {
        let id = f.attribute("id").unwrap();
        assert!(links.contains(&format!("#{id}").as_str()), "{name}: {id} not in the contents");
        let svgs: Vec<Node> = f.descendants().filter(|n| n.tag_name().name() == "svg").collect();
        assert_eq!(svgs.len(), 1, "{name}: {id}");
        assert_eq!(svgs[0].tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        assert!(svgs[0].attribute("viewBox").is_some(), "{name}: {id}");
        let caption = text_of(elements_in(*f, "figcaption")[0]);
        assert!(caption.contains(&format!("{name};")), "{name}: {id}'s caption names no run: {caption}");
    }
    assert_eq!(links.len(), tables.len() + figures.len() + 2, "{name}: the contents list every table and figure");
    // Self-contained: no script, no stylesheet or image to fetch, a policy that forbids any.
    assert!(
        elements(&doc, "script").is_empty() && elements(&doc, "link").is_empty() && elements(&doc, "img").is_empty()
    );
    assert!(doc.descendants().all(|n| n.attribute("src").is_none()));
    let policy =
        elements(&doc, "meta").into_iter().find_map(|m| m.attribute("content").filter(|c| c.contains("default-src")));
    assert_eq!(policy, Some("default-src 'none'; style-src 'unsafe-inline'"));
    let outside = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!outside.contains("http://") && !outside.contains("https://") && !outside.contains("url("), "{name}");
}

fn elements_in<'a, 'i>(node: Node<'a, 'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    node.descendants().filter(|n| n.tag_name().name() == tag).collect()
}

#[test]
fn the_page_of_each_committed_run_is_well_formed_complete_and_self_contained() {
    for name in ["quick-runtimes.csv", "quick-builds.csv", "quick-components.csv", "repeat-quick-instructions-A.csv"] {
        check_page(name);
    }
}

#[test]
fn the_heading_tells_the_run_file_date_machine_and_schema() {
    let rows = rows_of("quick-runtimes.csv");
    let html = Report::new(&rows).named("quick-runtimes.csv").render(Format::Html);
    let doc = parse(&html).unwrap();
    assert_eq!(text_of(elements(&doc, "title")[0]), "wasmatrix report: quick-runtimes.csv");
    let run: Vec<(String, String)> =
        elements(&doc, "dt").into_iter().map(|dt| (text_of(dt), text_of(dt.next_sibling_element().unwrap()))).collect();
    let field = |f: &str| {
        run.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {f}: {run:?}"))
    };
    assert_eq!(field("file"), "quick-runtimes.csv");
    assert_eq!(field("run"), "20261130T192533Z-11720");
    assert!(field("date").starts_with("2026-11-30T19:"), "{run:?}");
    assert_eq!(field("CPU"), "AMD EPYC (2 CPUs)");
    assert_eq!(field("schema version"), "7");
    assert_eq!(field("cells"), "264: 225 ok (none noisy), 39 unsupported");
    assert_eq!(field("checksum"), "every ok cell's is 2e8bafcff52a8e1a, the one expected");
}

#[test]
fn every_text_is_escaped() {
    let mut rows = rows_of("quick-builds.csv");
    let hostile = "<script>alert('x')</script> & \"quoted\"";
    rows[0].status = "error".into();
    rows[0].error = hostile.into();
    rows[0].cpu_model = hostile.into();
    let html = Report::new(&rows).named("a<b>&c.csv").render(Format::Html);
    let doc = parse(&html).expect("well-formed with markup in the data");
    assert!(elements(&doc, "script").is_empty() && !html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"));
    let texts: String = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(hostile) && texts.contains("wasmatrix report: a<b>&c.csv"), "read back as written");
}
