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
