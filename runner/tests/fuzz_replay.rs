//! The fuzz targets' seeds and the inputs fuzzing once caught (runner/fuzz/seeds/TARGET,
//! runner/fuzz/regressions/TARGET), replayed through the checks the targets assert
//! (`wasmatrix_runner::fuzz_checks`) on every test run: what fuzzing found stays found.

use std::path::Path;
use wasmatrix_runner::fuzz_checks::TARGETS;

#[test]
fn every_seed_and_regression_passes_its_targets_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (target, check) in TARGETS {
        let mut replayed = 0;
        for kind in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target)) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                if std::panic::catch_unwind(|| check(&data)).is_err() {
                    panic!("{}: the {target} check fails on it", path.display());
                }
                replayed += 1;
            }
        }
        assert!(replayed > 0, "the fuzz target {target} has no seed in runner/fuzz/seeds/{target}");
    }
}

/// The `files` seeds of issue 26 reach what they are named for: a whole merge and comparison, and
/// each damaged input refused by merge or compare with its own error.
#[test]
fn the_files_seeds_reach_their_cases() {
    use wasmatrix_runner::compare::{compare, CompareOptions};
    use wasmatrix_runner::fuzz_checks::lay_out;
    use wasmatrix_runner::merge::{merge, MergeOptions};
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/files");
    let cases = [
        ("shards-with-sidecars", "", ""),
        ("merge-sidecar-truncated", "not a complete gzip'd samples file", ""),
        ("merge-sidecar-cut-at-member-end", "holds 1 ok process(es)", ""),
        ("compare-whole", "", "-"),
        ("compare-non-numeric-rt_p50_ns", "", "column `rt_p50_ns`: `abc` is not allowed"),
        ("compare-sidecar-of-another-run", "", "is not the samples sidecar of"),
        ("compare-sidecar-cut-at-member-end", "", "holds 1 ok process(es)"),
        ("compare-schema-99", "", "column `schema_version`: `99`"),
        ("compare-binary-file", "", "b.csv is not a wasmatrix results file: it is not text"),
    ];
    for (name, merge_says, compare_says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = lay_out(&std::fs::read(seeds.join(name)).unwrap(), dir.path());
        let merged = merge(&MergeOptions {
            inputs: vec![a.clone(), b.clone()],
            out: dir.path().join("m.csv"),
            matrix: None,
            filter: None,
        });
        match merge_says {
            "" if name.starts_with("compare") => {}
            "" => assert!(merged.is_ok(), "{name}: {:#}", merged.unwrap_err()),
            says => assert!(format!("{:#}", merged.unwrap_err()).contains(says), "{name}"),
        }
        let compared = compare(&a, &b, &CompareOptions::default());
        match compare_says {
            "" => {}
            "-" => assert!(compared.is_ok(), "{name}: {:#}", compared.unwrap_err()),
            says => {
                let err = format!("{:#}", compared.expect_err(name));
                assert!(err.contains(says), "{name}: {err}");
            }
        }
    }
}
