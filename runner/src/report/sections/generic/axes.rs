//! Per axis: each value's best and worst cell and the geometric means of its ratios.

use crate::report::table::{Table, Value};
use crate::report::view::Report;
use crate::results::row::Row;

/// The axis columns, in the order cells name them.
const AXES: [&str; 10] =
    ["compiler", "engine", "environment", "transport", "codec", "profile", "logging", "allocator", "runtime", "call"];

/// Per axis with more than one value: each value's best and worst cell and the geometric
/// means of its ratios.
pub(in crate::report) fn tables(report: &Report) -> Vec<Table> {
    let mut tables = Vec::new();
    for axis in AXES {
        let mut values: Vec<&str> = report.rows.iter().map(|r| axis_value(r, axis)).collect();
        values.sort();
        values.dedup();
        if values.len() < 2 {
            continue;
        }
        let mut t = Table::new(
            format!("By {axis}"),
            vec![
                axis,
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
            let cells: Vec<&Row> = report.ok().filter(|r| axis_value(r, axis) == value).collect();
            let ranked: Vec<(f64, &Row)> = {
                let mut v: Vec<(f64, &Row)> =
                    cells.iter().filter_map(|r| (report.unit.rt)(r).map(|rt| (rt, *r))).collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v
            };
            let ratios: Vec<f64> = cells.iter().filter_map(|r| report.native_ratio(r)).collect();
            let over_floor: Vec<f64> = cells
                .iter()
                .filter(|r| r.engine != "native")
                .filter_map(|r| Some((report.unit.rt)(r)? / (report.unit.floor)(r)?))
                .collect();
            let (best, worst) = (ranked.first(), ranked.last());
            t.rows.push(vec![
                value.into(),
                Value::Num(cells.len() as f64, 0),
                best.map_or(Value::Missing, |b| b.1.cell.as_str().into()),
                Value::num(best.map(|b| b.0), 0),
                worst.map_or(Value::Missing, |w| w.1.cell.as_str().into()),
                Value::num(worst.map(|w| w.0), 0),
                Value::num(geomean(&ratios), 2),
                Value::num(geomean(&over_floor), 1),
            ]);
        }
        tables.push(t);
    }
    tables
}

fn axis_value<'a>(row: &'a Row, axis: &str) -> &'a str {
    match axis {
        "compiler" => &row.compiler,
        "engine" => &row.engine,
        "environment" => &row.environment,
        "transport" => &row.transport,
        "codec" => &row.codec,
        "logging" => row.logging(),
        "allocator" => row.allocator(),
        "runtime" => row.runtime(),
        "call" => row.call(),
        _ => &row.profile,
    }
}

/// The geometric mean: the mean of ratios that treats ×2 and ×½ alike.
fn geomean(values: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = values.iter().filter(|v| **v > 0.0 && v.is_finite()).map(|v| v.ln()).collect();
    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
}
