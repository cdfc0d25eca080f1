//! The fuzz target `files`: what it asserts is `wasmatrix_runner::fuzz_checks::files`, which the
//! tests also replay on this target's seeds and regressions.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmatrix_runner::fuzz_checks::files(data));
