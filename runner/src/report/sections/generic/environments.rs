//! What each environment and logging cost, against the same cell under `bare` without logging.

use crate::matrix::axes::{Axis, Engine, Environment, Logging};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{with_cells, Report, RAW};
use crate::results::row::Row;
use crate::stats::median;

/// Per environment and logging, on the raw codec: what the environment costs at start and
/// what it and logging cost per round trip, each cell against the same cell (compiler,
/// engine, transport) under `bare` without logging. Only for runs with more than one.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let raw: Vec<(&Row, Cell)> = with_cells(report.baseline()).filter(|(_, c)| c.codec == RAW).collect();
    let mut variants: Vec<(Environment, Logging)> = Vec::new();
    for (_, c) in &raw {
        if !variants.contains(&(c.environment, c.logging)) {
            variants.push((c.environment, c.logging));
        }
    }
    if variants.len() < 2 {
        return None;
    }
    // In the axis's order (bare, wasi, emscripten, ...), logging off before on.
    let rank = |e: &Environment| Environment::all().iter().position(|v| v == e);
    variants.sort_by_key(|(e, l)| (rank(e), l.name()));
    let u = report.unit.short;
    let mut t = Table::new(
        "Environments and logging (raw codec)",
        vec![
            "environment",
            "logging",
            "cells",
            "environment set-up µs",
            "set-up from artifacts ms",
            "wasm round trip",
            "native twin",
            "over bare, no logging",
        ],
    );
    let range = |v: &[f64], decimals: usize| -> Value {
        match (v.iter().copied().reduce(f64::min), v.iter().copied().reduce(f64::max)) {
            (Some(lo), Some(hi)) => format!("{lo:.decimals$}–{hi:.decimals$}").into(),
            _ => Value::Missing,
        }
    };
    fn of_engine<'a>(cells: &[(&'a Row, Cell)], native: bool) -> Vec<(&'a Row, Cell)> {
        cells.iter().copied().filter(|(_, c)| (c.engine == Engine::Native) == native).collect()
    }
    for &(environment, log) in &variants {
        let cells: Vec<(&Row, Cell)> =
            raw.iter().copied().filter(|(_, c)| (c.environment, c.logging) == (environment, log)).collect();
        let wasm = of_engine(&cells, false);
        let env_us: Vec<f64> = wasm.iter().filter_map(|(r, _)| r.environment_ns).map(|v| v as f64 / 1e3).collect();
        let setup_ms: Vec<f64> = wasm
            .iter()
            .filter(|(_, c)| c.engine == Engine::Artifact)
            .filter_map(|(r, _)| r.setup_ns)
            .map(|v| v as f64 / 1e6)
            .collect();
        let rt: Vec<f64> = wasm.iter().filter_map(|(r, _)| (report.unit.rt)(r)).collect();
        let native: Vec<f64> = of_engine(&cells, true).iter().filter_map(|(r, _)| (report.unit.rt)(r)).collect();
        // Each cell over the same cell under bare without logging: (ratio, difference).
        let over: Vec<(f64, f64)> = cells
            .iter()
            .filter_map(|(r, c)| {
                let (base, _) = raw.iter().find(|(_, b)| {
                    (b.environment, b.logging) == (Environment::Bare, Logging::Off)
                        && (b.compiler, b.engine, b.transport, b.profile, b.allocator)
                            == (c.compiler, c.engine, c.transport, c.profile, c.allocator)
                })?;
                let (a, b) = ((report.unit.rt)(r)?, (report.unit.rt)(base)?);
                Some((a / b, a - b))
            })
            .collect();
        let over = if (environment, log) == (Environment::Bare, Logging::Off) {
            "baseline".into()
        } else {
            let ratios: Vec<f64> = over.iter().map(|o| o.0).collect();
            let diffs: Vec<f64> = over.iter().map(|o| o.1).collect();
            match (median(&ratios), median(&diffs)) {
                (Some(r), Some(d)) => format!("median {r:.2}×, {d:+.0} {u} (over {} cells)", over.len()).into(),
                _ => Value::Missing,
            }
        };
        t.rows.push(vec![
            environment.name().into(),
            log.name().into(),
            Value::Num(cells.len() as f64, 0),
            range(&env_us, 1),
            range(&setup_ms, 3),
            range(&rt, 0),
            range(&native, 0),
            over,
        ]);
    }
    t.notes.push(format!(
        "Ranges are min–max over the cells of that environment and logging ({u}); \"over bare, no logging\" pairs \
         each cell with the same compiler, engine and transport under bare without logging."
    ));
    Some(t)
}
