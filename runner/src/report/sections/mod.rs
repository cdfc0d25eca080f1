//! The report's sections, in the order it tells them: the generic ones, which any run has, and
//! the study's (its speed targets and the 2021 report's claims), for runs timed in nanoseconds;
//! last the answer, so that it is the screen a terminal shows when the report ends.

mod answer;
mod generic;
mod study;

use crate::report::table::Table;
use crate::report::view::Report;
use crate::results::view::Unit;
use generic::{
    axes, builds, cells, chain, codecs, cold_start, components, environments, isolation, payload, releases, run,
    runtimes, strategies, trouble, web,
};
use study::{against_2021, targets};

/// Every table of the report, in order.
pub(in crate::report) fn tables(report: &Report) -> Vec<Table> {
    let mut tables = vec![run::table(report), cells::table(report)];
    tables.extend(axes::tables(report));
    tables.extend(runtimes::table(report));
    tables.extend(strategies::table(report));
    tables.extend(cold_start::table(report));
    tables.extend(components::table(report));
    tables.extend(web::table(report));
    tables.extend(isolation::table(report));
    tables.extend(payload::tables(report));
    tables.extend(chain::tables(report));
    tables.extend(releases::table(report));
    tables.push(codecs::table(report));
    tables.extend(environments::table(report));
    tables.extend(builds::table(report));
    if report.unit.name == Unit::NS.name {
        tables.push(targets::table(report));
        tables.push(against_2021::table(report));
    }
    tables.push(trouble::table(report));
    tables.push(answer::table(report));
    tables
}

/// The answer alone (the last of [`tables`]): what `runner run` shows when it ends.
pub(in crate::report) fn answer(report: &Report) -> Table {
    answer::table(report)
}
