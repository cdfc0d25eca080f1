//! The runtimes and their back-ends (compiler and engine) side by side: the round trip, and the
//! set-up, on one like-for-like cell each.

use super::select::{rank, select, value as value_of, Selection};
use super::{headline, round_trip_axis, rt_interval, run_label, Bar, Figure, Quantity};
use crate::matrix::axes::{Axis, Compiler, Engine, Runtime};
use crate::matrix::Cell;
use crate::report::view::Report;
use crate::results::row::Row;

/// The axes these figures compare; every other is held at one value.
const COMPARED: [&str; 3] = [Runtime::NAME, Compiler::NAME, Engine::NAME];

/// (a) How long is a round trip in each runtime and back-end, and natively?
pub(super) fn round_trip(report: &Report) -> Option<Figure> {
    let selection = select(report.ok().filter(|r| (report.unit.rt)(r).is_some()), &COMPARED);
    let (series, bars) = bars(&selection, |r| Some(((report.unit.rt)(r)?, rt_interval(report, r), None)));
    let (quantity, axis) = round_trip_axis(report);
    Some(Figure {
        id: "figure-round-trip",
        title: "How long is a round trip in each runtime and back-end?".into(),
        caption: format!(
            "One message produced, carried and consumed, per runtime, compiler and engine; native: the guests' \
             Rust compiled natively. Bars: the headline ({}); whiskers: its 95% interval over processes, where \
             the row has one. Every cell with {}. {}",
            headline(report),
            selection.held_text(),
            run_label(report)
        ),
        axis,
        quantity,
        series,
        mark: None,
        bars,
    })
}

/// (b) How long does each runtime and back-end take to set the guests up?
pub(super) fn setup(report: &Report) -> Option<Figure> {
    let set_up = |r: &Row| r.setup_ns.filter(|v| *v > 0).map(|v| v as f64);
    let wasm = report.ok().filter(|r| set_up(r).is_some() && r.cell_is(|c| c.engine != Engine::Native));
    let selection = select(wasm, &COMPARED);
    let (series, bars) = bars(&selection, |r| {
        let range = r.setup_min_ns.zip(r.setup_max_ns).map(|(lo, hi)| (lo as f64, hi as f64));
        Some((set_up(r)?, range, r.cold_start_ns.map(|v| v as f64)))
    });
    Some(Figure {
        id: "figure-setup",
        title: "How long does each runtime and back-end take to set the guests up?".into(),
        caption: format!(
            "Set-up in a fresh worker process: compiling both guests (jit) or loading what was compiled ahead of \
             time (artifact), creating their environment and instantiating them. Bars: the median over processes; \
             whiskers: the fastest and the slowest process; diamonds: the cold start, from spawning the worker \
             process to its first round trip done. Wall-clock time. Every cell with {}. {}",
            selection.held_text(),
            run_label(report)
        ),
        axis: "set-up time".into(),
        quantity: Quantity::Nanoseconds,
        series,
        mark: Some("cold start"),
        bars,
    })
}

/// A bar per cell of `selection` that `of` gives (value, whiskers, marker) for, sorted by runtime,
/// compiler and engine and coloured by runtime; and the runtimes, the series, in the axis's order.
type Drawn = (f64, Option<(f64, f64)>, Option<f64>);
fn bars(selection: &Selection, of: impl Fn(&Row) -> Option<Drawn>) -> (Vec<String>, Vec<Bar>) {
    let mut cells = selection.cells.clone();
    cells.sort_by_key(|(_, c)| (rank(c, Runtime::NAME), rank(c, Compiler::NAME), rank(c, Engine::NAME)));
    let mut series: Vec<String> = Vec::new();
    let mut bars = Vec::new();
    for (row, cell) in cells {
        let Some((value, interval, mark)) = of(row) else { continue };
        let runtime = value_of(&cell, Runtime::NAME);
        if series.last().map(String::as_str) != Some(runtime) {
            series.push(runtime.to_owned());
        }
        bars.push(Bar { label: label(&cell), series: series.len() - 1, value, interval, mark });
    }
    (series, bars)
}

/// "wasmtime · cranelift · artifact"; the native twin is "native (rustc)".
fn label(cell: &Cell) -> String {
    if cell.engine == Engine::Native {
        format!("native ({})", cell.compiler.name())
    } else {
        format!("{} · {} · {}", cell.runtime.name(), cell.compiler.name(), cell.engine.name())
    }
}
