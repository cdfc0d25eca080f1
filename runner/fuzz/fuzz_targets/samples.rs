//! Any bytes as a samples sidecar, both as its CSV text and as gzip: samples or a clear error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let _ = wasmatrix_runner::results::samples::parse(data);
    let mut text = Vec::new();
    if flate2::read::MultiGzDecoder::new(data).read_to_end(&mut text).is_ok() {
        let _ = wasmatrix_runner::results::samples::parse(&text);
    }
});
