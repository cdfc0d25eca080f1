//! What the fuzz targets (runner/fuzz) assert about the readers of files users hand over, one
//! function per target: any bytes give a result or a clear error, never a panic, and what a
//! reader accepts holds up. The fuzz targets call these; the tests replay the targets' seeds and
//! the inputs fuzzing once caught (runner/fuzz/seeds, runner/fuzz/regressions) through them, so
//! every test run checks what fuzzing found. A broken property panics.

use crate::compare::{compare, CompareOptions};
use crate::matrix::{Cell, Matrix};
use crate::merge::{merge, MergeOptions};
use crate::results::file::ResultsFile;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Any text as a matrix file: an accepted matrix expands, and its cells' names parse back.
pub fn matrix(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(matrix) = Matrix::parse(text, Path::new("fuzz.toml")) {
        for cell in matrix.cells() {
            assert_eq!(Cell::parse(&cell.to_string()), Ok(cell));
        }
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

/// Any bytes as two results files on disk (split at the first 0xff byte), handed to `compare`,
/// `merge` and resuming (`ResultsFile::resume`, as the run of the first row): a refused resume
/// leaves the file exactly as it was, and going on loses no byte (a torn tail moves to
/// `<file>.torn`, one fragment per line).
pub fn files(data: &[u8]) {
    let (a, b) = match data.iter().position(|&x| x == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wasmatrix-fuzz-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let (pa, pb) = (dir.join("a.csv"), dir.join("b.csv"));
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();

    let opts = CompareOptions {
        bootstrap: crate::stats::Bootstrap { resamples: 10, ..Default::default() },
        ..Default::default()
    };
    let _ = compare(&pa, &pb, &opts);
    let _ = merge(&MergeOptions {
        inputs: vec![pa.clone(), pb.clone()],
        out: dir.join("m.csv"),
        matrix: None,
        filter: None,
    });

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

/// A target's check: panics when a property breaks.
pub type Check = fn(&[u8]);

/// Every check by its target's name.
pub const TARGETS: [(&str, Check); 4] =
    [("matrix", matrix), ("results", results), ("samples", samples), ("files", files)];
