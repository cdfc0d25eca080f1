//! The results pages cannot drift, and no run is kept that nothing uses. Every page
//! `docs/results/<run>.md` is what `runner page results/<run>.csv` makes today (the run read from
//! its rows, its reading `<run>.reading.md` and the figures in `docs/results/<run>/`, the report's
//! tables): this test remakes each from its results file, which must exist, and fails on any byte
//! that differs; `WASMATRIX_BLESS=1 cargo test --release -p wasmatrix-runner --test pages` writes
//! the remade pages instead. Every committed `results/*.csv` has a page or is named by a committed
//! document or source file (`NAME-{A,B}` names `NAME-A` and `NAME-B`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_runner::report::pages::{self, READING};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dir() -> PathBuf {
    root().join("docs/results")
}

/// The runs that have a page: the stems of docs/results/*.md, readings aside.
fn pages() -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir())
        .expect("docs/results/ holds the results pages")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| !f.ends_with(READING))
        .filter_map(|f| f.strip_suffix(".md").map(str::to_owned))
        .collect();
    found.sort();
    found
}

/// The committed files, relative to the repository.
fn committed() -> Vec<String> {
    let out = Command::new("git").args(["ls-files", "-z"]).current_dir(root()).output().expect("git runs");
    assert!(out.status.success(), "git ls-files: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect()
}

#[test]
fn every_page_is_what_runner_page_makes_of_its_run() {
    let bless = std::env::var_os("WASMATRIX_BLESS").is_some();
    let pages = pages();
    assert!(pages.len() >= 10, "the pages: {pages:?}");
    let mut stale = Vec::new();
    for run in &pages {
        let results = root().join("results").join(format!("{run}.csv"));
        assert!(results.exists(), "docs/results/{run}.md is the page of results/{run}.csv, which is not there");
        let page = pages::make(&results, &dir()).unwrap_or_else(|e| panic!("{run}: {e:#}"));
        assert_eq!(page.path, dir().join(format!("{run}.md")));
        if std::fs::read_to_string(&page.path).unwrap() != page.text {
            stale.push(format!("docs/results/{run}.md"));
            if bless {
                std::fs::write(&page.path, &page.text).unwrap();
            }
        }
    }
    assert!(
        bless || stale.is_empty(),
        "stale results pages (remake them with `runner page results/RUN.csv`, or all with \
         WASMATRIX_BLESS=1 cargo test --release -p wasmatrix-runner --test pages):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_reading_is_of_a_page() {
    let pages = pages();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(run) = name.strip_suffix(READING) {
            assert!(pages.iter().any(|p| p == run), "docs/results/{name} is the reading of no page");
        }
    }
}

/// Whether `text` names the run `run`: whole (no letter, digit or `-` on either side), or as one
/// of a set, `stem-{A,B}` naming `stem-A` and `stem-B`.
fn names(text: &str, run: &str) -> bool {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    let whole = text
        .match_indices(run)
        .any(|(i, _)| !part(text[..i].chars().next_back()) && !part(text[i + run.len()..].chars().next()));
    let in_set = run.rsplit_once('-').is_some_and(|(stem, last)| {
        text.match_indices(&format!("{stem}-{{")).any(|(i, m)| {
            let set = &text[i + m.len()..];
            set.find('}').is_some_and(|end| set[..end].split(',').any(|v| v.trim() == last))
        })
    });
    whole || in_set
}

#[test]
fn every_committed_run_is_used() {
    let files = committed();
    let documents = ["README.md", "CONTRIBUTING.md", "results/README.md", "notebooks/README.md"];
    let sources = ["rs", "py", "sh", "ipynb", "toml"];
    let readers: Vec<&String> = files
        .iter()
        // Not this file: its own examples name runs.
        .filter(|f| f.as_str() != "runner/tests/pages.rs")
        .filter(|f| {
            documents.contains(&f.as_str())
                || (f.starts_with("docs/") && f.ends_with(".md"))
                || (["runner/", "notebooks/", ".ci/"].iter().any(|d| f.starts_with(d))
                    && f.rsplit_once('.').is_some_and(|(_, ext)| sources.contains(&ext)))
        })
        .collect();
    let texts: Vec<String> = readers.iter().filter_map(|f| std::fs::read_to_string(root().join(f)).ok()).collect();
    let pages: BTreeSet<String> = pages().into_iter().collect();
    let runs: Vec<&str> = files
        .iter()
        .filter_map(|f| f.strip_prefix("results/")?.strip_suffix(".csv"))
        .filter(|r| !r.contains('/'))
        .collect();
    assert!(runs.len() >= 10, "the committed runs: {runs:?}");
    let unused: Vec<&&str> =
        runs.iter().filter(|run| !pages.contains(**run) && !texts.iter().any(|t| names(t, run))).collect();
    assert!(
        unused.is_empty(),
        "committed runs that no page, document or source uses (delete them with their .samples.csv.gz, \
         .summary.txt and .run.json, or say what they show): {unused:?}"
    );
}

#[test]
fn a_run_is_named_whole_or_in_a_set() {
    assert!(names("see results/quick-components.csv.", "quick-components"));
    assert!(!names("results/quick-components-B.csv", "quick-components"));
    assert!(!names("results/repeat-quick-A.csv", "quick-A"));
    assert!(names("the pair (`repeat-quick-1proc-{A,B}`)", "repeat-quick-1proc-B"));
    assert!(!names("the pair (`repeat-quick-1proc-{A,B}`)", "repeat-quick-1proc-C"));
}
