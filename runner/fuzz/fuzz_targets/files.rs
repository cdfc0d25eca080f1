//! Any bytes as two results files on disk (split at the first 0xff byte), handed to everything
//! that reads a user's results files from disk: resuming a run (`ResultsFile::resume`), `merge`
//! and `compare`. Each gives a result or a clear error, never a panic; a refused resume leaves the
//! file exactly as it was, and going on loses no byte (a torn tail moves to `<file>.torn`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmatrix_runner::compare::{compare, CompareOptions};
use wasmatrix_runner::merge::{merge, MergeOptions};
use wasmatrix_runner::results::file::ResultsFile;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (pa, pb) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();

    let opts = CompareOptions {
        bootstrap: wasmatrix_runner::stats::Bootstrap { resamples: 10, ..Default::default() },
        ..Default::default()
    };
    let _ = compare(&pa, &pb, &opts);
    let merged = MergeOptions {
        inputs: vec![pa.clone(), pb.clone()],
        out: dir.path().join("m.csv"),
        matrix: None,
        filter: None,
    };
    let _ = merge(&merged);

    // Resuming as some run: the fingerprint of the first row, if the fuzzer made one.
    let text = String::from_utf8_lossy(a);
    let mut lines = text.lines();
    let at = lines.next().and_then(|h| h.split(',').position(|c| c == "run_fingerprint"));
    let fingerprint = at.and_then(|k| lines.next()?.split(',').nth(k)).unwrap_or("").to_owned();
    let resumed = ResultsFile::resume(&pa, &fingerprint, "", false);
    let kept = std::fs::read(&pa).unwrap_or_default();
    let torn = std::fs::read(dir.path().join("a.csv.torn")).ok();
    match (resumed, torn) {
        (Err(_), torn) => assert!(kept == a && torn.is_none(), "a refused resume touched the file"),
        // Going on: the torn tail moved, one fragment per line, nothing else changed.
        (Ok(_), Some(torn)) => {
            let tail = torn.strip_suffix(b"\n").expect("one fragment per line");
            assert!(a.ends_with(tail) && kept.starts_with(&a[..a.len() - tail.len()]), "going on lost bytes");
        }
        (Ok(_), None) => assert!(kept.starts_with(a), "going on lost bytes"),
    }
});
