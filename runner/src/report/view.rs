//! The run as the sections read it: its rows and unit, its `ok` rows, its baseline build and
//! each cell's native twin.

use crate::matrix::axes::{Allocator, Axis, Profile};
use crate::results::row::Row;
use crate::results::view::Unit;

/// The report of one run.
pub struct Report<'a> {
    pub(in crate::report) rows: &'a [Row],
    pub(in crate::report) unit: &'static Unit,
}

impl<'a> Report<'a> {
    pub fn new(rows: &'a [Row]) -> Report<'a> {
        Report { rows, unit: Unit::of(rows) }
    }

    /// The cells that ran to the end (status `ok`).
    pub(in crate::report) fn ok(&self) -> impl Iterator<Item = &'a Row> + '_ {
        self.rows.iter().filter(|r| r.status == "ok")
    }

    /// The `ok` rows of the run's baseline build, the one the codec and environment tables compare
    /// on: profile `release` with the `default` allocator if the run has it, else the build of the
    /// first `ok` row.
    pub(in crate::report) fn baseline(&self) -> impl Iterator<Item = &'a Row> + '_ {
        let release = |r: &Row| r.profile == Profile::Release.name() && r.allocator() == Allocator::Default.name();
        let base = self.ok().find(|r| release(r)).or_else(|| self.ok().next());
        let key = base.map(|b| (b.profile.clone(), b.allocator().to_owned()));
        self.ok().filter(move |r| key.as_ref().is_some_and(|(p, a)| &r.profile == p && r.allocator() == a))
    }

    /// The `ok` row of `row`'s native twin ([`Row::twin`]: its `twin_cell`, or core's definition).
    pub(in crate::report) fn twin(&self, row: &Row) -> Option<&'a Row> {
        let twin = row.twin()?;
        self.ok().find(|n| n.cell() == Ok(twin))
    }

    /// `row`'s round trip over its native twin's ([`Unit::ratio`]).
    pub fn native_ratio(&self, row: &Row) -> Option<f64> {
        if row.engine == "native" {
            return None;
        }
        self.unit.ratio(row, self.twin(row)?)
    }
}
