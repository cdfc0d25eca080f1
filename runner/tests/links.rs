//! Links cannot drift: every relative link and image in the documents a reader follows (README.md,
//! CONTRIBUTING.md, docs/**/*.md, results/README.md, notebooks/README.md) names a file or
//! directory that is committed (`git ls-files`), and its `#anchor`, if any, is a heading of the
//! Markdown file it names (GitHub's anchors: lower-cased, punctuation dropped, spaces as hyphens).
//! Links with a scheme (`https:`, `mailto:`) are not followed.

use pulldown_cmark::{Event, Options, Parser, Tag};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The committed files, relative to the repository, with `/` between parts.
fn committed() -> BTreeSet<String> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root())
        .output()
        .expect("git runs (the links test reads the committed files with `git ls-files`)");
    assert!(out.status.success(), "git ls-files: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect()
}

/// The documents whose links are checked: the listed files and every Markdown file under docs/.
fn documents(files: &BTreeSet<String>) -> Vec<String> {
    let listed = ["README.md", "CONTRIBUTING.md", "results/README.md", "notebooks/README.md"];
    files
        .iter()
        .filter(|f| listed.contains(&f.as_str()) || (f.starts_with("docs/") && f.ends_with(".md")))
        .cloned()
        .collect()
}

/// Every link and image destination of a Markdown text, with the line it is on: Markdown links
/// and images, and `href`/`src` attributes in its HTML.
fn destinations(text: &str) -> Vec<(usize, String)> {
    let line = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link(_, dest, _)) | Event::Start(Tag::Image(_, dest, _)) => {
                found.push((line(range.start), dest.to_string()));
            }
            Event::Html(html) => {
                for attribute in ["href=\"", "src=\""] {
                    for (i, _) in html.match_indices(attribute) {
                        let rest = &html[i + attribute.len()..];
                        found.push((line(range.start), rest[..rest.find('"').unwrap_or(rest.len())].to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The anchors of a Markdown text's headings, as GitHub makes them (a repeated one gets `-1`,
/// `-2`, ...).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(text, Options::all()) {
        match event {
            Event::Start(Tag::Heading(_)) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(Tag::Heading(_)) => {
                let slug = slug(&heading.take().unwrap_or_default());
                let mut anchor = slug.clone();
                let mut n = 0;
                while found.contains(&anchor) {
                    n += 1;
                    anchor = format!("{slug}-{n}");
                }
                found.insert(anchor);
            }
            _ => {}
        }
    }
    found
}

/// A heading's anchor: lower case, letters, digits, `-` and `_` kept, spaces as `-`, the rest
/// dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// `dest`, relative to the document `from` (a repository path), as a repository path; `None` if it
/// leaves the repository.
fn resolve(from: &str, dest: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let base = Path::new(from).parent().unwrap_or(Path::new(""));
    for component in base.join(dest).components() {
        match component {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// What is wrong with the link `dest` in the document `from`, if anything.
fn check(from: &str, dest: &str, files: &BTreeSet<String>) -> Option<String> {
    if dest.is_empty() || dest.contains("://") || dest.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = dest.split_once('#').map_or((dest, None), |(p, a)| (p, Some(a)));
    let target = if path.is_empty() {
        from.to_owned()
    } else {
        match resolve(from, path) {
            Some(t) => t,
            None => return Some("leaves the repository".into()),
        }
    };
    let is_file = files.contains(&target);
    let is_dir = files
        .range(format!("{}/", target.trim_end_matches('/'))..)
        .next()
        .is_some_and(|f| f.starts_with(&format!("{}/", target.trim_end_matches('/'))));
    if !is_file && !is_dir {
        return Some(format!("{target} is not a committed file"));
    }
    let anchor = anchor.filter(|a| !a.is_empty())?;
    if !is_file || !target.ends_with(".md") {
        return None;
    }
    let text = std::fs::read_to_string(root().join(&target)).ok()?;
    (!anchors(&text).contains(anchor)).then(|| format!("{target} has no heading #{anchor}"))
}

#[test]
fn every_relative_link_and_image_names_a_committed_file_and_heading() {
    let files = committed();
    let documents = documents(&files);
    assert!(documents.len() >= 5, "the documents: {documents:?}");
    let mut broken = Vec::new();
    let mut checked = 0;
    for document in &documents {
        let text = std::fs::read_to_string(root().join(document)).unwrap();
        for (line, dest) in destinations(&text) {
            checked += 1;
            if let Some(why) = check(document, &dest, &files) {
                broken.push(format!("{document}:{line}: ({dest}): {why}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found: is the parser reading the documents?");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn links_are_read_resolved_and_checked_as_github_would() {
    let text = "# A title: `runner run`\n\nSee [b](../b.md#x-y) and ![p](img/p.png), \
                <a href=\"c.md\">c</a>, [web](https://example.org).\n\n## X y\n\n## X y\n";
    let dests: Vec<String> = destinations(text).into_iter().map(|(_, d)| d).collect();
    assert_eq!(dests, ["../b.md#x-y", "img/p.png", "c.md", "https://example.org"]);
    assert_eq!(anchors(text), ["a-title-runner-run", "x-y", "x-y-1"].map(String::from).into());
    assert_eq!(resolve("docs/a.md", "../results/README.md").as_deref(), Some("results/README.md"));
    assert_eq!(resolve("docs/a.md", "./b.md").as_deref(), Some("docs/b.md"));
    assert_eq!(resolve("README.md", "../x"), None);
    let files: BTreeSet<String> = ["README.md", "docs/usage.md", "notebooks/figures/a.png"].map(String::from).into();
    assert_eq!(check("docs/x.md", "usage.md", &files), None);
    assert_eq!(check("docs/x.md", "../notebooks/figures/", &files), None, "a directory of committed files");
    assert_eq!(check("docs/x.md", "https://example.org/missing", &files), None);
    assert!(check("docs/x.md", "missing.md", &files).unwrap().contains("docs/missing.md is not a committed file"));
    assert!(check("README.md", "../outside.md", &files).is_some());
}
