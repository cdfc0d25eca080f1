//! Which cells a figure reads: the run's `ok` cells narrowed, axis by axis, to one value of each
//! axis the figure does not compare, so that its bars differ only in what it asks about.

use crate::matrix::Cell;
use crate::report::view::with_cells;
use crate::results::row::Row;

/// A cell's value of the axis named `axis` ([`Cell::values`]).
pub(super) fn value(cell: &Cell, axis: &str) -> &'static str {
    cell.values().iter().find(|(a, _)| *a == axis).map_or("", |(_, v)| v)
}

/// The cells a figure reads, and the value each axis it does not compare was held at.
pub(super) struct Selection<'a> {
    pub(super) cells: Vec<(&'a Row, Cell)>,
    /// (axis, value) for each axis held at one value, in the order of [`Cell::values`].
    pub(super) held: Vec<(&'static str, &'static str)>,
}

impl Selection<'_> {
    /// "codec raw, environment bare, ...": the values the figure's cells share, for its caption.
    pub(super) fn held_text(&self) -> String {
        let held: Vec<String> = self.held.iter().map(|(a, v)| format!("{a} {v}")).collect();
        held.join(", ")
    }
}

/// `rows` with a cell, held at one value of every axis not in `compared`. Axis by axis, in the
/// order of [`Cell::values`], the value kept is the one whose cells show the most combinations of
/// the compared axes (the widest comparison); among equals the axis's default (the baseline),
/// then the first in the axis's order.
pub(super) fn select<'a>(rows: impl Iterator<Item = &'a Row>, compared: &[&str]) -> Selection<'a> {
    let mut cells: Vec<(&Row, Cell)> = with_cells(rows).collect();
    let mut held = Vec::new();
    for axis in Cell::axes() {
        if compared.contains(&axis.name) {
            continue;
        }
        let widest = axis
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let of: Vec<Cell> = cells.iter().filter(|(_, c)| value(c, axis.name) == *v).map(|(_, c)| *c).collect();
                (combinations(&of, compared), *v == axis.default, std::cmp::Reverse(i), *v)
            })
            .filter(|(n, ..)| *n > 0)
            .max();
        if let Some((.., v)) = widest {
            cells.retain(|(_, c)| value(c, axis.name) == v);
            held.push((axis.name, v));
        }
    }
    Selection { cells, held }
}

/// How many distinct combinations of the `compared` axes' values `cells` show.
fn combinations(cells: &[Cell], compared: &[&str]) -> usize {
    let mut keys: Vec<Vec<&str>> = cells.iter().map(|c| compared.iter().map(|a| value(c, a)).collect()).collect();
    keys.sort();
    keys.dedup();
    keys.len()
}

/// The position of a cell's value of `axis` in that axis's order (for sorting bars alike).
pub(super) fn rank(cell: &Cell, axis: &str) -> usize {
    let v = value(cell, axis);
    Cell::axes()
        .iter()
        .find(|a| a.name == axis)
        .and_then(|a| a.values.iter().position(|x| *x == v))
        .unwrap_or(usize::MAX)
}
