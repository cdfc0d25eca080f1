//! What the fuzz targets (runner/fuzz) assert about the readers of files users hand over, one
//! function per target: any bytes give a result or a clear error, never a panic, and what a
//! reader accepts holds up. The fuzz targets call these; the tests replay the targets' seeds and
//! the inputs fuzzing once caught (runner/fuzz/seeds, runner/fuzz/regressions) through them, so
//! every test run checks what fuzzing found. A broken property panics.

use crate::compare::{compare, CompareOptions};
use crate::matrix::{Cell, Matrix};
use crate::merge::{merge, MergeOptions};
use crate::results::file::ResultsFile;
use crate::results::{read, samples};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Any text as a matrix file: an accepted matrix expands into cells, each once, whose names parse
/// back; each study's cells are among them.
pub fn matrix(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(matrix) = Matrix::parse(text, Path::new("fuzz.toml")) {
        let mut seen = std::collections::HashSet::new();
        for &cell in matrix.cells() {
            assert_eq!(Cell::parse(&cell.to_string()), Ok(cell));
            assert!(seen.insert(cell), "{cell} listed twice");
        }
        assert!(matrix.studies.iter().flat_map(|s| &s.cells).all(|c| seen.contains(c)));
    }
}

/// Any bytes as a results file (what `report`, `compare` and resuming read): accepted rows render
/// in every report format.
pub fn results(data: &[u8]) {
    if let Ok(rows) = crate::report::parse(data, Path::new("fuzz.csv")) {
        let report = crate::report::Report::new(&rows);
        for format in crate::report::Format::ALL {
            let _ = report.render(format.0);
        }
    }
}

/// Any bytes as a samples sidecar, as its CSV text and as gzip.
pub fn samples(data: &[u8]) {
    let _ = crate::results::samples::parse(data);
    let mut text = Vec::new();
    if flate2::read::MultiGzDecoder::new(data).read_to_end(&mut text).is_ok() {
        let _ = crate::results::samples::parse(&text);
    }
}

/// Any bytes as two results files on disk and their samples sidecars, split at the first three
/// 0xff bytes: `A 0xff B 0xff A's-sidecar 0xff B's-sidecar` (a part left out: no sidecar). A
/// sidecar part is CSV text, gzip'd as one member, unless it starts with gzip's magic bytes: then
/// it is the file as it is (damaged gzip: only B's, the last part, can hold 0xff). They are handed
/// to `compare`, `merge` and resuming (`ResultsFile::resume`, as the run of A's first row):
/// - what `compare` accepts, the one reader accepts, sidecars included;
/// - a failed merge leaves nothing (no output, no temporary file); a merge holds every row and
///   every sample of its inputs;
/// - a refused resume leaves the file exactly as it was, and going on loses no byte (a torn tail
///   moves to `<file>.torn`, one fragment per line).
pub fn files(data: &[u8]) {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wasmatrix-fuzz-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let (pa, pb) = lay_out(data, &dir);
    let a = std::fs::read(&pa).unwrap();
    let a = a.as_slice();

    let opts = CompareOptions {
        bootstrap: crate::stats::Bootstrap { resamples: 10, ..Default::default() },
        ..Default::default()
    };
    if compare(&pa, &pb, &opts).is_ok() {
        for path in [&pa, &pb] {
            let table = read::load(path, &[], "fuzz").expect("what compare accepts, the one reader accepts");
            let sidecar = samples::sidecar_path(path);
            let held = samples::read(&sidecar).expect("compare read it");
            read::check_sidecar(&table, &held, &sidecar).expect("compare checked it");
        }
    }
    merges_whole_or_not_at_all(&dir, &pa, &pb);
    let text = String::from_utf8_lossy(a);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let first: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let value = |name: &str| header.iter().position(|c| *c == name).and_then(|k| first.get(k)).copied().unwrap_or("");
    let resumed = ResultsFile::resume(&pa, value("run_fingerprint"), value("shard"), false);
    let kept = std::fs::read(&pa).unwrap_or_default();
    let torn = std::fs::read(dir.join("a.csv.torn")).ok();
    let _ = std::fs::remove_dir_all(&dir);
    match (resumed, torn) {
        (Err(_), torn) => assert!(kept == a && torn.is_none(), "a refused resume touched the file"),
        (Ok(_), Some(torn)) => {
            let tail = torn.strip_suffix(b"\n").expect("one fragment per line");
            assert!(a.ends_with(tail) && kept.starts_with(&a[..a.len() - tail.len()]), "going on lost bytes");
        }
        (Ok(_), None) => assert!(kept.starts_with(a), "going on lost bytes"),
    }
}

/// Writes the `files` target's input into `dir` (created) as `a.csv`, `b.csv` and their sidecars;
/// returns the two results files.
pub fn lay_out(data: &[u8], dir: &Path) -> (PathBuf, PathBuf) {
    let mut parts = data.splitn(4, |&x| x == 0xff);
    let (a, b) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let sidecars = [parts.next(), parts.next()];
    std::fs::create_dir_all(dir).expect("a temporary directory");
    let (pa, pb) = (dir.join("a.csv"), dir.join("b.csv"));
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();
    for (part, results) in sidecars.iter().zip([&pa, &pb]) {
        if let Some(part) = part {
            let bytes = if part.starts_with(&[0x1f, 0x8b]) { part.to_vec() } else { gzip(part) };
            std::fs::write(samples::sidecar_path(results), bytes).unwrap();
        }
    }
    (pa, pb)
}

/// `merge` of `a` and `b` into `dir/m.csv`: all or nothing.
fn merges_whole_or_not_at_all(dir: &Path, a: &Path, b: &Path) {
    let out = dir.join("m.csv");
    let merged =
        merge(&MergeOptions { inputs: vec![a.to_owned(), b.to_owned()], out: out.clone(), matrix: None, filter: None });
    let out_samples = samples::sidecar_path(&out);
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.') || name.starts_with("m."))
        .collect();
    if merged.is_err() {
        assert!(left.is_empty(), "a failed merge left {left:?}");
        return;
    }
    let rows = |path: &Path| read::load(path, &[], "fuzz").map_or(0, |t| t.rows.len());
    assert_eq!(rows(&out), rows(a) + rows(b), "a merge holds every row");
    let count = |path: &Path| match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 => samples::read(path).expect("a merged sidecar reads").len(),
        _ => 0,
    };
    let inputs = count(&samples::sidecar_path(a)) + count(&samples::sidecar_path(b));
    assert_eq!(count(&out_samples), inputs, "a merge holds every sample");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&out_samples);
}

/// `text` as one gzip member.
fn gzip(text: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text).unwrap();
    gz.finish().unwrap()
}

/// A target's check: panics when a property breaks.
pub type Check = fn(&[u8]);

/// Every check by its target's name.
pub const TARGETS: [(&str, Check); 4] =
    [("matrix", matrix), ("results", results), ("samples", samples), ("files", files)];
