//! `runner run --out FILE` on a file that is not this runner's results file: refused before any
//! cell runs (exit 2), naming the file, never suggesting to go on when going on cannot work.

mod common;

use common::{matrix, runner, text, TINY};

/// Issue 26, defect 7: another tool's CSV was "results with other columns (schema older) ... run
/// the same command to go on", a binary file "CSV parse error: record 0 ... invalid utf-8", naming
/// no file.
#[test]
fn another_tools_csv_or_a_binary_file_is_not_a_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let axes = "compiler = [\"rustc\"]\nengine = [\"native\"]\nenvironment = [\"bare\"]\ntransport = [\"copy\"]\n\
                codec = [\"raw\"]\nprofile = [\"release\"]";
    let m = matrix(dir.path(), axes, TINY);
    let cases: [(&str, &[u8], &str); 2] = [
        ("tool.csv", b"name,value\nx,1\n", "tool.csv is not a wasmatrix results file: its first column is `name`"),
        ("blob.csv", b"\x89PNG\r\n\x1a\n\0\0\xff\n", "blob.csv is not a wasmatrix results file: it is not text"),
    ];
    for (name, bytes, says) in cases {
        let out = dir.path().join(name);
        std::fs::write(&out, bytes).unwrap();
        let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(2), "{}", text(&run));
        let said = text(&run);
        assert!(said.contains(says) && said.contains("choose another --out, or --force"), "{said}");
        assert!(!said.contains("go on") && !said.contains("CSV parse error"), "{said}");
        assert_eq!(std::fs::read(&out).unwrap(), bytes, "left untouched");
    }
}
