//! Any text as a matrix file: a clear error or a matrix, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use wasmatrix_runner::matrix::Matrix;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(matrix) = Matrix::parse(text, Path::new("fuzz.toml")) {
            // A parsed matrix expands; its cells name themselves and parse back.
            for cell in matrix.cells() {
                assert_eq!(wasmatrix_runner::matrix::Cell::parse(&cell.to_string()), Ok(cell));
            }
        }
    }
});
