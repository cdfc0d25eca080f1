//! Per build profile and allocator: sizes, compile, set-up and round trip.

use crate::matrix::axes::{Allocator, Axis, Compiler, Engine, Environment, Logging, Profile, Transport};
use crate::report::table::{Table, Value};
use crate::report::view::{Report, RAW};
use crate::results::row::Row;

/// Per build profile and allocator, on the raw codec, `bare`, `shared`, logging off: the guests'
/// sizes and, per compiler, its artifacts, compile time, set-up from artifacts and round trip
/// (the `artifact` cell; `jit` runs the same code), and the native twin built alike. Only for
/// runs with more than one build.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let cells: Vec<&Row> = report
        .ok()
        .filter(|r| {
            r.cell_is(|c| {
                (c.codec, c.environment, c.transport, c.logging)
                    == (RAW, Environment::Bare, Transport::Shared, Logging::Off)
            })
        })
        .collect();
    let mut builds: Vec<(Profile, Allocator)> = Vec::new();
    for c in cells.iter().filter_map(|r| r.cell().ok()) {
        if !builds.contains(&(c.profile, c.allocator)) {
            builds.push((c.profile, c.allocator));
        }
    }
    if builds.len() < 2 {
        return None;
    }
    builds.sort();
    let u = report.unit.short;
    let mut t = Table::new(
        "Build profiles and allocators (raw codec, bare, shared, logging off)",
        vec![
            "profile",
            "allocator",
            "compiler",
            "wasm bytes",
            "gzip bytes",
            "artifact bytes",
            "compile ms",
            "set-up ms",
            "again ms",
            "round trip",
            "over native twin",
        ],
    );
    for (profile, allocator) in builds {
        let sum = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| (a + b) as f64);
        for &compiler in Compiler::all() {
            let engine = if compiler == Compiler::Rustc { Engine::Native } else { Engine::Artifact };
            let here = |r: &&&Row| {
                r.cell_is(|c| (c.profile, c.allocator, c.compiler, c.engine) == (profile, allocator, compiler, engine))
            };
            let Some(r) = cells.iter().find(here) else {
                continue;
            };
            t.rows.push(vec![
                profile.name().into(),
                allocator.name().into(),
                compiler.name().into(),
                Value::num(sum(r.producer_wasm_bytes, r.consumer_wasm_bytes), 0),
                Value::num(sum(r.producer_wasm_gzip_bytes, r.consumer_wasm_gzip_bytes), 0),
                Value::num(r.artifact_bytes.map(|b| b as f64), 0),
                Value::num(r.compile_ns.map(|v| v as f64 / 1e6), 1),
                // Natively there is nothing to load: no set-up to tell.
                Value::num(r.setup_ns.filter(|_| engine == Engine::Artifact).map(|v| v as f64 / 1e6), 3),
                Value::num(r.setup_again().map(|v| v as f64 / 1e6), 3),
                Value::num((report.unit.rt)(r), 0),
                Value::num(report.native_ratio(r), 2),
            ]);
        }
    }
    t.notes.push(format!(
        "Sizes are both guests together; gzip at level 9. Compile is the precompiling process's compile of both \
         guests, set-up the measured process's load and instantiation of both from the artifacts (median over \
         processes), \"again\" the same set-up repeated in that process (`setup_headline_ns` over its repeats; `setup_warm_ns` before schema 8); the round trip ({u}) is the artifact cell's, over the native twin built with the same \
         profile and allocator."
    ));
    Some(t)
}
