//! The 2021 report's claims (../shared/origin.md) beside this run's figures.

use crate::matrix::axes::{Axis, Call, Codec, Compiler, Engine, Logging, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::Table;
use crate::report::view::{with_cells, Report, RAW};
use crate::results::row::Row;
use std::collections::BTreeMap;

/// The 2021 report's claims beside this run's figures (raw codec; medians over processes).
pub(in crate::report) fn table(report: &Report) -> Table {
    let mut t = Table::new("Against the 2021 report", vec!["the report", "measured here"]);
    // Like for like with the report's figures: one record per message (the payload tables read the
    // others), no logging (it has its own line).
    let ok: Vec<(&Row, Cell)> = with_cells(report.ok()).filter(|(_, c)| c.is_one_record_pair()).collect();
    let raw: Vec<(&Row, Cell)> =
        ok.iter().copied().filter(|(_, c)| c.codec == RAW && c.logging != Logging::On).collect();
    let wasm = |c: &Cell| c.engine != Engine::Native;
    let mut compilers: Vec<Compiler> = Vec::new();
    for (_, c) in raw.iter().filter(|(_, c)| wasm(c)) {
        if !compilers.contains(&c.compiler) {
            compilers.push(c.compiler);
        }
    }
    let range = |values: Vec<f64>, scale: f64, decimals: usize, unit: &str| {
        let (lo, hi) = (values.iter().copied().reduce(f64::min), values.iter().copied().reduce(f64::max));
        match (lo, hi) {
            (Some(lo), Some(hi)) if (hi - lo) / scale < 0.5 * 10f64.powi(-(decimals as i32)) => {
                format!("{:.d$} {unit}", lo / scale, d = decimals)
            }
            (Some(lo), Some(hi)) => format!("{:.d$}–{:.d$} {unit}", lo / scale, hi / scale, d = decimals),
            _ => "-".into(),
        }
    };
    let per_compiler = |f: &dyn Fn(&Row) -> Option<f64>, pick: &dyn Fn(&Cell) -> bool, scale, decimals, unit| {
        compilers
            .iter()
            .map(|compiler| {
                let v =
                    raw.iter().filter(|(_, c)| c.compiler == *compiler && pick(c)).filter_map(|(r, _)| f(r)).collect();
                format!("{compiler} {}", range(v, scale, decimals, unit))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let floors = raw.iter().filter(|(_, c)| wasm(c)).filter_map(|(r, _)| r.floor_headline()).collect();
    t.rows.push(vec![
        "\"under 2 µs\" per simple call".into(),
        format!(
            "a bare host→guest call: {}; a whole round trip (encode, hand over, decode, the consumer's work, reply, check): {}",
            range(floors, 1.0, 1, "ns"),
            per_compiler(&Row::rt_headline, &wasm, 1e3, 2, "µs")
        )
        .into(),
    ]);
    let artifact = || raw.iter().filter(|(_, c)| c.engine == Engine::Artifact).map(|(r, _)| r);
    let setups = artifact().filter_map(|r| r.setup_ns.map(|v| v as f64)).collect();
    let colds = artifact().filter_map(|r| r.cold_start_ns.map(|v| v as f64)).collect();
    t.rows.push(vec![
        "about 100 ms of set-up".into(),
        format!(
            "both guests from precompiled artifacts: {}; a cold worker process, spawn to first round trip: {}; compiling both guests in process: {}",
            range(setups, 1e6, 2, "ms"),
            range(colds, 1e6, 1, "ms"),
            per_compiler(&|r| r.compile_ns.map(|v| v as f64), &|c| c.engine == Engine::Jit, 1e6, 1, "ms")
        )
        .into(),
    ]);
    let shared_gain = |(r, c): &(&Row, Cell)| -> Option<f64> {
        if c.transport != Transport::Shared || !wasm(c) {
            return None;
        }
        let (copy, _) = raw.iter().find(|(_, o)| {
            o.transport == Transport::Copy
                && (o.compiler, o.engine, o.environment) == (c.compiler, c.engine, c.environment)
        })?;
        Some(100.0 * (r.rt_headline()? / copy.rt_headline()? - 1.0))
    };
    // Per compiler with a shared cell and its copy twin: the range of the change.
    let gains: Vec<String> = compilers
        .iter()
        .filter_map(|compiler| {
            let v: Vec<f64> = raw.iter().filter(|(_, c)| c.compiler == *compiler).filter_map(shared_gain).collect();
            let lo = v.iter().copied().reduce(f64::min)?;
            let hi = v.iter().copied().reduce(f64::max)?;
            Some(format!("{compiler} {lo:+.0}% to {hi:+.0}%"))
        })
        .collect();
    let gains =
        if gains.is_empty() { "no shared cell with its copy cell in this run".to_owned() } else { gains.join(", ") };
    t.rows.push(vec![
        "\"zero copy / shared memory in Rust\": not ready".into(),
        format!("`shared` (one imported memory, a checked layout, nothing copied) against `copy`, headline round trip: {gains}")
            .into(),
    ]);
    // Logging: each cell with logging on against the same cell without, per environment.
    // By the environment's name.
    let mut by_environment: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let build = |c: &Cell| (c.compiler, c.engine, c.environment, c.transport, c.codec, c.profile, c.allocator);
    for (on, c) in ok.iter().filter(|(_, c)| c.codec == RAW && c.logging == Logging::On && wasm(c)) {
        let off = ok.iter().find(|(_, o)| o.logging == Logging::Off && build(o) == build(c)).map(|(r, _)| *r);
        if let (Some(a), Some(b)) = (on.rt_headline(), off.and_then(Row::rt_headline)) {
            by_environment.entry(c.environment.name()).or_default().push(a - b);
        }
    }
    if !by_environment.is_empty() {
        let per: Vec<String> = by_environment
            .iter()
            .map(|(env, d)| {
                let (lo, hi) = (
                    d.iter().copied().fold(f64::INFINITY, f64::min),
                    d.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                format!("{env} {lo:+.0} to {hi:+.0} ns ({} cells)", d.len())
            })
            .collect();
        t.rows.push(vec![
            "a call went from \"under 2 µs\" to \"under 40 µs\" when also doing some logging".into(),
            format!(
                "one ~70-byte log line per message (formatted, then through the environment's way out), headline round trip with logging minus without, same cell: {}",
                per.join("; ")
            )
            .into(),
        ]);
    }
    let mut codecs: Vec<Codec> = ok.iter().map(|(_, c)| c.codec).collect();
    codecs.sort();
    codecs.dedup();
    let mut sums: Vec<&str> =
        report.rows.iter().filter(|r| !r.checksum.is_empty()).map(|r| r.checksum.as_str()).collect();
    sums.sort();
    sums.dedup();
    let mut runtimes: Vec<Runtime> = ok.iter().map(|(_, c)| c.runtime).filter(|r| *r != Runtime::Native).collect();
    runtimes.sort();
    runtimes.dedup();
    // The producer calling the consumer through the host, against the host calling each.
    let import: Vec<f64> = ok
        .iter()
        .filter(|(_, c)| c.call == Call::Import && wasm(c))
        .filter_map(|(r, c)| {
            let (host, _) = ok.iter().find(|(_, h)| *h == Cell { call: Call::Host, ..*c })?;
            Some((report.unit.rt)(r)? / (report.unit.rt)(host)?)
        })
        .collect();
    let calls = match (import.iter().copied().reduce(f64::min), import.iter().copied().reduce(f64::max)) {
        (Some(lo), Some(hi)) => format!(
            "; the producer calling the consumer through an import (`call = import`) in {} cells, round trip {lo:.2}-{hi:.2}× the host calling each",
            import.len()
        ),
        _ => String::new(),
    };
    let payloads = report.distinct(|r| r.cell().map(|c| c.records.name().to_owned()).unwrap_or_default()).len();
    let sizes = if payloads > 1 { format!(" (one per records per message: {payloads} sizes)") } else { String::new() };
    t.rows.push(vec![
        "\"n Wasm modules that inter-communicate\": not ready".into(),
        format!(
            "two guests, {} codecs, {} compilers, {} runtimes; {} cells, {} checksum(s){sizes}{calls}",
            codecs.len(),
            compilers.len(),
            runtimes.len(),
            report.ok().count(),
            sums.len()
        )
        .into(),
    ]);
    t
}
