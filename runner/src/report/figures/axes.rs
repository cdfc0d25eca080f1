//! (c) What one axis costs: the round trip per transport, per codec and per environment, natively
//! and in one wasm back-end, where the run varies the axis.

use super::select::{rank, select, value};
use super::{headline, round_trip_axis, rt_interval, run_label, Bar, Figure};
use crate::matrix::axes::{Axis, Codec, Compiler, Engine, Environment, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::view::Report;
use crate::results::row::Row;

/// The figure of each axis the run varies, in this order.
pub(super) fn figures(report: &Report) -> Vec<Option<Figure>> {
    vec![
        per(report, Transport::NAME, "figure-transport", "What does each transport cost per round trip?"),
        per(report, Codec::NAME, "figure-codec", "What does each codec cost per round trip?"),
        per(report, Environment::NAME, "figure-environment", "What does each environment cost per round trip?"),
    ]
}

/// The round trip per value of `axis`: the native cell and one wasm back-end's (runtime,
/// compiler, engine: the one whose cells show the most values of the axis, the baseline's among
/// equals) per value, every other axis held at one value. None where the cells show one value.
fn per(report: &Report, axis: &'static str, id: &'static str, title: &str) -> Option<Figure> {
    let compared = [axis, Runtime::NAME, Compiler::NAME, Engine::NAME];
    let selection = select(report.ok().filter(|r| (report.unit.rt)(r).is_some()), &compared);
    let backend = |c: &Cell| (c.runtime, c.compiler, c.engine);
    let baseline = (Runtime::DEFAULT, Compiler::DEFAULT, Engine::DEFAULT);
    let wasm: Vec<&(&Row, Cell)> = selection.cells.iter().filter(|(_, c)| c.engine != Engine::Native).collect();
    let (.., chosen) = wasm
        .iter()
        .map(|(_, c)| {
            let mut values: Vec<&str> =
                wasm.iter().filter(|(_, o)| backend(o) == backend(c)).map(|(_, o)| value(o, axis)).collect();
            values.sort();
            values.dedup();
            let order = [Runtime::NAME, Compiler::NAME, Engine::NAME].map(|a| rank(c, a));
            (values.len(), backend(c) == baseline, std::cmp::Reverse(order), backend(c))
        })
        .max_by_key(|(n, base, order, _)| (*n, *base, *order))?;
    let mut cells: Vec<&(&Row, Cell)> =
        selection.cells.iter().filter(|(_, c)| c.engine == Engine::Native || backend(c) == chosen).collect();
    cells.sort_by_key(|(_, c)| (rank(c, axis), c.engine != Engine::Native));
    let series = vec![
        "native (the guests' Rust compiled natively)".to_owned(),
        format!("wasm: {} · {} · {}", chosen.0.name(), chosen.1.name(), chosen.2.name()),
    ];
    let bars: Vec<Bar> = cells
        .iter()
        .filter_map(|(r, c)| {
            let native = c.engine == Engine::Native;
            Some(Bar {
                label: format!("{} · {}", value(c, axis), if native { "native" } else { "wasm" }),
                series: usize::from(!native),
                value: (report.unit.rt)(r)?,
                interval: rt_interval(report, r),
                mark: None,
            })
        })
        .collect();
    let mut shown: Vec<&str> = cells.iter().map(|(_, c)| value(c, axis)).collect();
    shown.dedup();
    if shown.len() < 2 {
        return None;
    }
    let (quantity, axis_label) = round_trip_axis(report);
    Some(Figure {
        id,
        title: title.into(),
        caption: format!(
            "The round trip per {axis}, natively and in one wasm back-end (the one whose cells show the most \
             values of the {axis}). Bars: the headline ({}); whiskers: its 95% interval over processes, where the \
             row has one. Every cell with {}. {}",
            headline(report),
            selection.held_text(),
            run_label(report)
        ),
        axis: axis_label,
        quantity,
        series,
        mark: None,
        bars,
    })
}
