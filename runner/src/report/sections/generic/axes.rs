//! Per axis: each value's best and worst cell and the geometric means of its ratios.

use crate::matrix::axes::{Axis, Engine};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;

/// Per axis with more than one value, in the order cells name them: each value's best and worst
/// cell and the geometric means of its ratios.
pub(in crate::report) fn tables(report: &Report) -> Vec<Table> {
    [
        table(report, |c| c.compiler),
        table(report, |c| c.engine),
        table(report, |c| c.environment),
        table(report, |c| c.transport),
        table(report, |c| c.codec),
        table(report, |c| c.profile),
        table(report, |c| c.logging),
        table(report, |c| c.allocator),
        table(report, |c| c.runtime),
        table(report, |c| c.call),
        table(report, |c| c.records),
        table(report, |c| c.modules),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The table of the axis `of` reads, if the run has more than one of its values (in the order of
/// their names).
fn table<A: Axis>(report: &Report, of: fn(&Cell) -> A) -> Option<Table> {
    let mut values: Vec<A> = report.rows.iter().filter_map(|r| r.cell().ok()).map(|c| of(&c)).collect();
    values.sort_by_key(|v| v.name());
    values.dedup();
    if values.len() < 2 {
        return None;
    }
    let mut t = Table::new(
        format!("By {}", A::NAME),
        vec![
            A::NAME,
            "cells ok",
            "best cell",
            "best rt",
            "worst cell",
            "worst rt",
            "geomean wasm / native",
            "geomean rt / bare call",
        ],
    );
    for value in values {
        let cells: Vec<&Row> = report.ok().filter(|r| r.cell_is(|c| of(&c) == value)).collect();
        let ranked: Vec<(f64, &Row)> = {
            let mut v: Vec<(f64, &Row)> = cells.iter().filter_map(|r| (report.unit.rt)(r).map(|rt| (rt, *r))).collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v
        };
        let ratios: Vec<f64> = cells.iter().filter_map(|r| report.native_ratio(r)).collect();
        let over_floor: Vec<f64> = cells
            .iter()
            .filter(|r| r.cell_is(|c| c.engine != Engine::Native))
            .filter_map(|r| Some((report.unit.rt)(r)? / (report.unit.floor)(r)?))
            .collect();
        let (best, worst) = (ranked.first(), ranked.last());
        t.rows.push(vec![
            value.name().into(),
            Value::Num(cells.len() as f64, 0),
            best.map_or(Value::Missing, |b| b.1.cell.as_str().into()),
            Value::num(best.map(|b| b.0), 0),
            worst.map_or(Value::Missing, |w| w.1.cell.as_str().into()),
            Value::num(worst.map(|w| w.0), 0),
            Value::num(geomean(&ratios), 2),
            Value::num(geomean(&over_floor), 1),
        ]);
    }
    Some(t)
}

/// The geometric mean: the mean of ratios that treats ×2 and ×½ alike.
fn geomean(values: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = values.iter().filter(|v| **v > 0.0 && v.is_finite()).map(|v| v.ln()).collect();
    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
}
