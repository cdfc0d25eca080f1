//! The set-up strategies (the `instantiate` axis: fresh, pre-linked, pooled) side by side: what
//! one pair costs to make and drop, how many a second, and the memory a cell holds; schema 12's
//! figures (docs/instantiate.md), so only for runs that have them.

use crate::matrix::axes::{Axis, Engine, Instantiate, Runtime};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{baseline_pair, first_per_runtime, with_cells, Report};
use crate::results::row::Row;

/// Issue 29's speed goal: "Instantiate a pair (both guests, their imports, the shared memory or
/// copy buffers) ≤ 10 µs p50 on Wasmtime pooled", in ns.
const POOLED_GOAL_NS: f64 = 10_000.0;

/// Per runtime, compiler, engine and strategy, on the baseline cells otherwise (the run's baseline
/// build, the axes' defaults: `bare`, `copy`, raw, logging off, the host calling): a pair's
/// instantiation (p50, p99) and teardown, pairs per second on one thread and on several, the
/// pre-linked form's cost, the resident set after set-up and at the end, each guest memory's
/// pages and the pool's reservation; each runtime's fastest strategy first, then a line naming
/// each runtime's best and one judging issue 29's goal. `None` for a run without these figures
/// (before schema 12, or counting instructions).
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let mut cells: Vec<(&Row, Cell)> = with_cells(report.baseline())
        .filter(|(r, c)| r.has_instantiations() && c.engine != Engine::Native && baseline_pair(c))
        .collect();
    if cells.is_empty() {
        return None;
    }
    let fig = |r: &Row| pair_ns(r).unwrap_or(f64::INFINITY);
    // Runtimes by their names, each one's fastest strategy first.
    cells.sort_by(|(a, x), (b, y)| {
        (x.runtime.name().cmp(y.runtime.name())).then(fig(a).total_cmp(&fig(b))).then_with(|| {
            let rank = |c: &Cell| (c.compiler.name(), c.engine.name(), c.instantiate.name());
            rank(x).cmp(&rank(y))
        })
    });
    let mut t = Table::new(
        "Set-up strategies (bare, copy, raw, logging off, the host calling; one pair: both guests' environment and instances)",
        vec![
            "runtime",
            "compiler",
            "engine",
            "instantiate",
            "pair µs",
            "p50 µs",
            "p99 µs",
            "teardown µs",
            "pairs/s 1 thread",
            "pairs/s N threads",
            "N",
            "prepare µs",
            "RSS after set-up MiB",
            "RSS at end MiB",
            "producer pages",
            "consumer pages",
            "reserved GiB",
        ],
    );
    let us = |v: Option<f64>| Value::num(v.map(|v| v / 1e3), 1);
    let mib = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1024.0), 1);
    let count = |v: Option<u64>| Value::num(v.map(|v| v as f64), 0);
    for (r, c) in &cells {
        let parallel = r.instantiations_parallel();
        t.rows.push(vec![
            c.runtime.name().into(),
            c.compiler.name().into(),
            c.engine.name().into(),
            c.instantiate.name().into(),
            us(r.instantiate_headline_ns),
            us(r.instantiate_p50_ns),
            us(r.instantiate_p99_ns),
            us(r.teardown_ns),
            Value::num(r.instantiations_per_s, 0),
            Value::num(parallel.map(|p| p.0), 0),
            count(parallel.map(|p| u64::from(p.1))),
            us(r.prepare_ns.map(|v| v as f64)),
            mib(r.rss_after_setup_kib),
            mib(r.peak_rss_kib),
            count(r.producer_memory_pages),
            count(r.consumer_memory_pages),
            Value::num(r.reserved_kib.map(|v| v as f64 / (1024.0 * 1024.0)), 2),
        ]);
    }
    t.notes.push(
        "One pair: its environment and both instances made in a process that already holds the code (and, pre and \
         pooled, the pre-linked form, made once: prepare). Pair: the headline (from schema 13; the \
         10th percentile over processes of each process's median pair, with 5 to 10 processes the fastest \
         process's); p50 and p99 over every recorded pair of every process, which carry the machine's slow \
         spells; teardown the median drop. Pairs/s: made and dropped by one thread, and by N threads at once (empty where \
         the runtime's worker does not share its engine across threads). RSS: the worker's resident-set peak \
         (VmHWM) after the first set-up and round trip (schema 12 files: before the round trip), and at the end; pages: each guest memory's, in 64 KiB wasm pages; \
         reserved: what the pooling engine added to the virtual size. Each runtime's fastest strategy first."
            .into(),
    );
    t.notes.push(best_strategies(&cells));
    t.notes.push(pooled_goal(&cells));
    Some(t)
}

/// A pair's instantiation as the table ranks it: its headline (schema 13), else its p50 over every
/// pair (schema 12).
fn pair_ns(r: &Row) -> Option<f64> {
    r.instantiate_headline_ns.or(r.instantiate_p50_ns)
}

/// [`pair_ns`] as text, in µs, saying which figure it is.
fn p50_us(r: &Row) -> String {
    let which = if r.instantiate_headline_ns.is_some() { "" } else { " (p50 over all pairs)" };
    format!("{:.1} µs{which}", pair_ns(r).unwrap_or(f64::NAN) / 1e3)
}

/// The line naming each runtime's best strategy by p50 (`cells` sorted: each runtime's best first).
fn best_strategies(cells: &[(&Row, Cell)]) -> String {
    let bests: Vec<String> = first_per_runtime(cells)
        .map(|(r, c)| format!("{} {} ({}, {}) {}", c.runtime, c.instantiate, c.compiler, c.engine, p50_us(r)))
        .collect();
    format!("Best strategy per runtime: {}.", bests.join("; "))
}

/// The line judging issue 29's goal on the fastest Wasmtime `pooled` cell, as the speed targets
/// state theirs: the target, the goal, what was measured, met or not.
fn pooled_goal(cells: &[(&Row, Cell)]) -> String {
    let target = format!("a pair instantiated in ≤ {:.0} µs p50 on Wasmtime pooled", POOLED_GOAL_NS / 1e3);
    let pooled = cells
        .iter()
        .filter(|(_, c)| (c.runtime, c.instantiate) == (Runtime::Wasmtime, Instantiate::Pooled))
        .min_by(|(a, _), (b, _)| pair_ns(a).unwrap_or(f64::INFINITY).total_cmp(&pair_ns(b).unwrap_or(f64::INFINITY)));
    let (measured, met) = match pooled {
        Some((r, _)) => {
            let met = pair_ns(r).is_some_and(|v| v <= POOLED_GOAL_NS);
            (format!("{} ({})", p50_us(r), r.cell), if met { "yes" } else { "no" })
        }
        None => ("none (no ok Wasmtime pooled cell with these figures in this run)".to_owned(), "-"),
    };
    format!("Goal (issue 29): {target}; measured: {measured}; met: {met}.")
}

#[cfg(test)]
mod tests;
