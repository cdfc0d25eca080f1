//! The run as the sections read it: its rows and unit, its `ok` rows, its baseline build and
//! each cell's native twin.

use crate::matrix::axes::{Allocator, Codec, Engine, Profile, Release};
use crate::matrix::Cell;
use crate::results::row::Row;
use crate::results::view::Unit;
use wasmatrix_proto::CodecId;

/// The raw codec: the message's bytes as they are, what like-for-like tables read.
pub(in crate::report) const RAW: Codec = Codec::Bytes(CodecId::Raw);

/// Each of `rows` with its cell ([`Row::cell`]); a row naming a value this runner does not know is
/// left out.
pub(in crate::report) fn with_cells<'r>(rows: impl Iterator<Item = &'r Row>) -> impl Iterator<Item = (&'r Row, Cell)> {
    rows.filter_map(|r| Some((r, r.cell().ok()?)))
}

/// Whether `cell` runs the baseline pair, every axis but the runtime's own (runtime, compiler,
/// engine, strategy) and the build at its default: `bare`, `copy`, raw, logging off, the host
/// calling. The set-up tables compare runtimes on these cells.
pub(in crate::report) fn baseline_pair(cell: &Cell) -> bool {
    use crate::matrix::axes::{Axis, Call, Environment, Logging, Transport};
    (cell.environment, cell.transport, cell.codec, cell.logging, cell.call)
        == (Environment::DEFAULT, Transport::DEFAULT, Codec::DEFAULT, Logging::DEFAULT, Call::DEFAULT)
}

/// The first of `cells` of each runtime, in their order: each runtime's best, where `cells` are
/// sorted each runtime's best first.
pub(in crate::report) fn first_per_runtime<'c, 'r>(
    cells: &'c [(&'r Row, Cell)],
) -> impl Iterator<Item = &'c (&'r Row, Cell)> {
    let mut seen = Vec::new();
    cells.iter().filter(move |(_, c)| {
        !seen.contains(&c.runtime) && {
            seen.push(c.runtime);
            true
        }
    })
}

/// The report of one run.
pub struct Report<'a> {
    pub(in crate::report) rows: &'a [Row],
    pub(in crate::report) unit: &'static Unit,
    /// The results file's name, where the report knows it (the HTML page's title and captions).
    pub(in crate::report) source: Option<String>,
}

impl<'a> Report<'a> {
    pub fn new(rows: &'a [Row]) -> Report<'a> {
        Report { rows, unit: Unit::of(rows), source: None }
    }

    /// The same report, telling that its rows come from the file `name`.
    pub fn named(self, name: impl Into<String>) -> Report<'a> {
        Report { source: Some(name.into()), ..self }
    }

    /// The distinct non-empty values of `f` over the rows, sorted.
    pub(in crate::report) fn distinct(&self, f: impl Fn(&Row) -> String) -> Vec<String> {
        let mut v: Vec<String> = self.rows.iter().map(f).filter(|v| !v.is_empty()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The cells that ran to the end (status `ok`).
    pub(in crate::report) fn ok(&self) -> impl Iterator<Item = &'a Row> + '_ {
        self.rows.iter().filter(|r| r.is_ok())
    }

    /// The `ok` rows of the run's baseline build, the one the codec and environment tables compare
    /// on: profile `release` with the `default` allocator if the run has it, else the build of the
    /// first `ok` row; messages of one record between two modules (`Cell::is_one_record_pair`; the
    /// payload and chain tables read [`Report::baseline_build`]).
    pub(in crate::report) fn baseline(&self) -> impl Iterator<Item = &'a Row> + '_ {
        self.baseline_build().filter(|r| r.cell_is(|c| c.is_one_record_pair()))
    }

    /// [`Report::baseline`] at every payload (`records`) and chain length (`modules`), each
    /// runtime's own release (the releases table reads the others).
    pub(in crate::report) fn baseline_build(&self) -> impl Iterator<Item = &'a Row> + '_ {
        let build = |r: &Row| r.cell().ok().filter(|c| c.release == Release::Default).map(|c| (c.profile, c.allocator));
        let release = |r: &&Row| build(r) == Some((Profile::Release, Allocator::Default));
        let base = self.ok().find(release).or_else(|| self.ok().next());
        let key = base.and_then(build);
        self.ok().filter(move |r| key.is_some() && build(r) == key)
    }

    /// The `ok` row of `row`'s native twin ([`Row::twin`]: its `twin_cell`, or core's definition).
    pub(in crate::report) fn twin(&self, row: &Row) -> Option<&'a Row> {
        let twin = row.twin()?;
        self.ok().find(|n| n.cell() == Ok(twin))
    }

    /// `row`'s round trip over its native twin's ([`Unit::ratio`]).
    pub fn native_ratio(&self, row: &Row) -> Option<f64> {
        if row.cell_is(|c| c.engine == Engine::Native) {
            return None;
        }
        self.unit.ratio(row, self.twin(row)?)
    }
}
