//! A cold worker process, phase by phase: from the runner's spawn to the worker's first round trip,
//! what each phase took on the baseline cells (schema 13's figures, docs/instantiate.md), each
//! runtime's fastest cold start, issue 29's goal for it, and the 2021 report's set-up beside it.

use crate::matrix::axes::{Axis, Runtime};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{baseline_pair, first_per_runtime, with_cells, Report};
use crate::results::row::Row;

/// Issue 29's speed goal: "Cold worker process to first round trip ≤ 1 ms on the best runtime", in
/// ns.
const COLD_GOAL_NS: f64 = 1_000_000.0;

/// The cold start as a figure: its headline (schema 13), else nothing.
fn cold(r: &Row) -> f64 {
    r.cold_start_headline_ns.unwrap_or(f64::INFINITY)
}

/// Per runtime, compiler, engine and strategy on the baseline cells (`bare`, `copy`, raw, logging
/// off, the host calling, the run's baseline build): the cold start's headline and each phase's
/// median over processes, each runtime's fastest first; then lines naming each runtime's fastest,
/// judging the goal on the fastest of all, and setting it beside the 2021 report's ~100 ms. `None`
/// for a run without these figures (before schema 13, or counting instructions).
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let mut cells: Vec<(&Row, Cell)> = with_cells(report.baseline())
        .filter(|(r, c)| r.process_start_ns.is_some() && r.cold_start_headline_ns.is_some() && baseline_pair(c))
        .collect();
    if cells.is_empty() {
        return None;
    }
    cells.sort_by(|(a, x), (b, y)| x.runtime.name().cmp(y.runtime.name()).then(cold(a).total_cmp(&cold(b))));
    let mut t = Table::new(
        "Cold start, phase by phase (bare, copy, raw, logging off, the host calling; spawn to the first round trip)",
        vec![
            "runtime",
            "compiler",
            "engine",
            "instantiate",
            "cold start ms",
            "±95%",
            "process start µs",
            "worker start µs",
            "engine µs",
            "code µs",
            "prepare µs",
            "environment µs",
            "instantiate µs",
            "first round trip µs",
            "untimed µs",
        ],
    );
    let us = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1e3), 0);
    for (r, c) in &cells {
        t.rows.push(vec![
            c.runtime.name().into(),
            c.compiler.name().into(),
            c.engine.name().into(),
            c.instantiate.name().into(),
            Value::num(r.cold_start_headline_ns.map(|v| v / 1e6), 2),
            r.cold_start_headline_ci_pct.map_or(Value::from("-"), |v| format!("±{v:.1}%").into()),
            us(r.process_start_ns),
            us(r.worker_start_ns),
            us(r.engine_ns),
            us(r.compile_ns.filter(|_| r.load_ns.is_none()).or(r.load_ns)),
            us(r.prepare_ns),
            us(r.environment_ns),
            us(r.instantiate_ns),
            us(r.first_round_trip_ns),
            us(r.cold_start_untimed_ns),
        ]);
    }
    t.notes.push(
        "Cold start: the headline over processes (each process one sample: spawn to its ready line). Phases, \
         medians over processes: process start (the runner's spawn to the worker's main: exec, loading and \
         linking, the language runtime; under V8 Node's bootstrap), worker start (reading the job, pinning, \
         capping memory), engine (creating the runtime's engine), code (compiling in the process for jit; \
         loading the artifacts for artifact, whose compile ran in another process before), prepare (pre and \
         pooled), environment, instantiate, first round trip; untimed: the rest (the ready line's way to the \
         runner). Each runtime's fastest first."
            .into(),
    );
    t.notes.push(fastest(&cells));
    t.notes.push(goal(&cells));
    Some(t)
}

/// Each runtime's fastest cold start (`cells` sorted: each runtime's fastest first).
fn fastest(cells: &[(&Row, Cell)]) -> String {
    let each: Vec<String> = first_per_runtime(cells)
        .map(|(r, c)| {
            format!("{} ({}, {}, {}) {:.2} ms", c.runtime, c.compiler, c.engine, c.instantiate, cold(r) / 1e6)
        })
        .collect();
    format!("Fastest cold start per runtime: {}.", each.join("; "))
}

/// The line judging issue 29's cold-start goal on the fastest wasm cell of the run, the 2021
/// report's set-up beside it.
fn goal(cells: &[(&Row, Cell)]) -> String {
    let target =
        format!("a cold worker process to its first round trip in ≤ {:.0} ms on the best runtime", COLD_GOAL_NS / 1e6);
    let best =
        cells.iter().filter(|(_, c)| c.runtime != Runtime::Native).min_by(|(a, _), (b, _)| cold(a).total_cmp(&cold(b)));
    match best {
        Some((r, _)) => format!(
            "Goal (issue 29): {target}; measured: {:.2} ms ({}), of which {:.2} ms before the worker's main; met: {}. \
             The 2021 report measured about 100 ms of set-up.",
            cold(r) / 1e6,
            r.cell,
            r.process_start_ns.unwrap_or(0) as f64 / 1e6,
            if cold(r) <= COLD_GOAL_NS { "yes" } else { "no" }
        ),
        None => format!("Goal (issue 29): {target}; measured: none (no ok wasm cell with these figures); met: -."),
    }
}

#[cfg(test)]
mod tests;
