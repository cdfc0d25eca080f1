//! Any bytes as a results file (what `report`, `compare` and resuming read): rows or a clear
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = wasmatrix_runner::report::parse(data, Path::new("fuzz.csv")) {
        // The report renders whatever rows it accepted.
        let report = wasmatrix_runner::report::Report::new(&rows);
        for format in wasmatrix_runner::report::Format::ALL {
            let _ = report.render(format.0);
        }
    }
});
