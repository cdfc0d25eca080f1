//! The committed matrices, through `runner list`: what cells they hold, in both forms a matrix file
//! may take (studies, and the older product minus exclusions), and how a bad study is refused.

mod common;

use common::{runner, text};
use std::path::{Path, PathBuf};
use wasmatrix_runner::matrix::axes::{Instantiate, Runtime, Transport};
use wasmatrix_runner::matrix::product::Product;
use wasmatrix_runner::matrix::Matrix;
use wasmatrix_runner::shard::fingerprint;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `runner list MATRIX`'s cell names (stdout, one cell a line, before any `  unsupported: why`),
/// sorted as bytes, one a line; and its stderr.
fn listed(matrix: &Path) -> (String, String) {
    let list = runner(&["list", matrix.to_str().unwrap()]);
    assert!(list.status.success(), "{}", text(&list));
    let mut names: Vec<String> =
        String::from_utf8_lossy(&list.stdout).lines().map(|l| l.split("  ").next().unwrap().to_owned()).collect();
    names.sort();
    (names.iter().map(|n| format!("{n}\n")).collect(), String::from_utf8_lossy(&list.stderr).into_owned())
}

/// `runner/tests/data/{quick,full}.cells` are a committed fixture: the sorted cell names
/// `runner list matrices/{quick,full}.toml` printed (`| awk '{print $1}' | LC_ALL=C sort`) with
/// the code before studies (main at ef8ab40), when both matrices were one product minus
/// `[[exclude]]` tables (42 in quick, 38 in full). The matrices, written as studies since, must
/// hold exactly those cells: a change here is a change of what the matrices measure, to be made
/// on purpose (and the fixture remade from `runner list`): issue 29 added the study `instantiate`
/// (Wasmtime's `pre` and `pooled` cells, 8 cells more) and the cells' names their 11th part; issue
/// 30 the studies `web` and `web-unsupported` (Chromium's cells, and transport `bindgen`: 21 in
/// quick, 65 in full); issue 31 the studies `isolation` (transport `merged`: 12 in quick, 162 in
/// full), `payload` and `payload-runtimes` (messages of more records: 16 in quick, 218 in full),
/// `chains`, `chains-components`, `chains-merged` and `chains-payload` (chains of modules: 35 in
/// quick, 462 in full).
#[test]
fn the_study_matrices_hold_exactly_the_cells_they_held_as_exclusions() {
    for (matrix, studies, total) in [("quick", 20, 376), ("full", 29, 2118)] {
        let (cells, stderr) = listed(&root().join(format!("matrices/{matrix}.toml")));
        let fixture = std::fs::read_to_string(root().join(format!("runner/tests/data/{matrix}.cells"))).unwrap();
        assert!(cells == fixture, "matrices/{matrix}.toml lists other cells than runner/tests/data/{matrix}.cells");
        assert_eq!(cells.lines().count(), total);
        assert_eq!(stderr.lines().filter(|l| l.starts_with("study ")).count(), studies, "{stderr}");
        assert!(stderr.contains(&format!("{total} cells, the union of {studies} studies (")), "{stderr}");
    }
}

/// The older form is still read: the quick matrix as it was before studies (42 `[[exclude]]`
/// tables, kept verbatim in runner/tests/data/quick-older-form.toml) lists the same cells but the
/// `instantiate` study's `pre` and `pooled` ones, Chromium's, the merged pair's and the payload
/// study's messages of more than one record (which came after it), with no study lines.
#[test]
fn the_older_form_still_reads() {
    let older = root().join("runner/tests/data/quick-older-form.toml");
    let (cells, stderr) = listed(&older);
    let fixture = std::fs::read_to_string(root().join("runner/tests/data/quick.cells")).unwrap();
    let fresh: String = fixture
        .lines()
        .filter(|c| {
            c.ends_with("/fresh") && !c.contains("/chromium/") && !c.contains("/bindgen/") && !c.contains("/merged/")
        })
        .map(|c| format!("{c}\n"))
        .collect();
    assert_eq!(cells, fresh);
    assert!(!stderr.contains("study"), "{stderr}");
    assert!(stderr.starts_with("284 cells (41 unsupported"), "{stderr}");
}

/// A results file of quick.toml from before studies goes on under the studies: what the matrix
/// gives the run fingerprint (the cells in name order and the measure settings; the file's bytes
/// do not enter it) is the same, and so is the `matrix` column (the file's stem, `quick`); the
/// studies' `fresh` cells but Chromium's, that is: the `pre` and `pooled` cells issue 29 added,
/// Chromium's of issue 30 and issue 31's merged pair and messages of more records make another run.
#[test]
fn a_run_of_the_older_form_goes_on_under_the_studies() {
    let older = Matrix::load(&root().join("runner/tests/data/quick-older-form.toml")).unwrap();
    let studies = Matrix::load(&root().join("matrices/quick.toml")).unwrap();
    let fresh: Vec<_> = studies
        .cells()
        .iter()
        .filter(|c| {
            c.instantiate == Instantiate::Fresh
                && c.runtime != Runtime::Chromium
                && !matches!(c.transport, Transport::Bindgen | Transport::Merged)
                && c.is_one_record_pair()
        })
        .copied()
        .collect();
    assert_eq!(fingerprint(older.cells(), &older.measure), fingerprint(&fresh, &studies.measure));
    assert_ne!(fresh.len(), studies.cells().len(), "the instantiate study's pre and pooled cells are new");
}

#[test]
fn list_tells_each_study_and_a_filter_counts_within_them() {
    let list = runner(&["list", root().join("matrices/quick.toml").to_str().unwrap(), "--filter", "call=import"]);
    assert!(list.status.success(), "{}", text(&list));
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(stderr.contains("study raw: 0 of its 90 cells\n"), "{stderr}");
    assert!(stderr.contains("study call-import: 24 cells\n"), "{stderr}");
    assert!(stderr.contains("study components: 12 of its 18 cells\n"), "{stderr}");
    assert!(
        stderr.ends_with("82 cells, the union of 20 studies (8 unsupported: a row each, saying why)\n"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 82, "stdout: one cell a line");
}

/// `[measure]` on one line, so that a study starts on line 2.
const MEASURE: &str = "measure = { warmup = 1, samples = 1, batch = 1, timeout_s = 1 }";

#[test]
fn a_bad_study_is_refused_naming_the_file_the_study_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    for (study, says) in [
        ("name = \"a\"\nflavour = \"x\"", "m.toml:4:11: study `a`: unknown axis `flavour`; axes: compiler, engine,"),
        ("name = \"a\"\ncodec = \"rwa\"", "m.toml:4:9: study `a`: unknown codec `rwa`; allowed: raw,"),
        ("name = \"a\"\nruntime = \"native\"", "m.toml:3:8: study `a` holds no cells"),
        ("compiler = \"llvm\"", "m.toml:2:1: [[study]] without a `name`"),
    ] {
        std::fs::write(&m, format!("{MEASURE}\n[[study]]\n{study}\n")).unwrap();
        let list = runner(&["list", m.to_str().unwrap()]);
        assert_eq!(list.status.code(), Some(2), "{}", text(&list));
        assert!(text(&list).contains(says), "{study}: {}", text(&list));
        assert!(list.stdout.is_empty());
    }
    std::fs::write(&m, format!("{MEASURE}\n[[study]]\nname = \"a\"\n[[study]]\nname = \"a\"\nlogging = \"on\"\n"))
        .unwrap();
    let list = runner(&["list", m.to_str().unwrap()]);
    assert_eq!(list.status.code(), Some(2));
    assert!(text(&list).contains("m.toml:5:8: a second study named `a` (the first is at"), "{}", text(&list));
}

/// docs/matrices.md's table of defaults is what runner/core/src/axes.rs declares.
#[test]
fn the_documented_defaults_are_the_axes_defaults() {
    let doc = std::fs::read_to_string(root().join("docs/matrices.md")).unwrap();
    let table: Vec<String> = doc
        .lines()
        .skip_while(|l| *l != "| axis | default |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.replace('`', ""))
        .collect();
    let baseline = Product::baseline().cells()[0];
    let declared: Vec<String> = baseline.values().iter().map(|(axis, value)| format!("| {axis} | {value} |")).collect();
    assert_eq!(table, declared);
}
