//! The fuzz target `samples`: what it asserts is `wasmatrix_runner::fuzz_checks::samples`, which the
//! tests also replay on this target's seeds and regressions.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmatrix_runner::fuzz_checks::samples(data));
