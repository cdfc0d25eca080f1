//! The report's figures as data, for the HTML page ([`crate::report::render`] draws them as SVG):
//! each answers one question on the cells that answer it (see [`select`]), with at most
//! [`MOST_BARS`] bars, its units and the run in its caption.

mod axes;
mod backends;
mod select;

use crate::report::view::Report;
use crate::results::row::Row;
use crate::results::view::Unit;

/// The most bars a figure draws (readable at ~900 px); past it the rest are left out, and said so.
pub(in crate::report) const MOST_BARS: usize = 20;

/// What a figure's values are: times in ns (ticks read ns, µs, ms, s) or counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::report) enum Quantity {
    Nanoseconds,
    Count,
}

/// One horizontal bar (or dot, on a log scale): a value, its interval, and an optional marker.
pub(in crate::report) struct Bar {
    pub(in crate::report) label: String,
    /// Its series (colour and legend entry): an index into [`Figure::series`].
    pub(in crate::report) series: usize,
    pub(in crate::report) value: f64,
    /// Whiskers, low to high.
    pub(in crate::report) interval: Option<(f64, f64)>,
    /// A second value drawn as a black diamond ([`Figure::mark`] names it).
    pub(in crate::report) mark: Option<f64>,
}

/// A figure: the question it answers, what it draws and its caption.
pub(in crate::report) struct Figure {
    /// Its anchor in the page.
    pub(in crate::report) id: &'static str,
    /// The question, as the figure's heading.
    pub(in crate::report) title: String,
    /// What the bars, whiskers and markers are, which cells, and the run.
    pub(in crate::report) caption: String,
    /// The value axis's label, its unit included.
    pub(in crate::report) axis: String,
    pub(in crate::report) quantity: Quantity,
    /// Legend entries, one colour each.
    pub(in crate::report) series: Vec<String>,
    /// The marker's legend entry, if bars have one.
    pub(in crate::report) mark: Option<&'static str>,
    pub(in crate::report) bars: Vec<Bar>,
}

impl Figure {
    /// Only bars whose value can be drawn (finite and above zero, as a log scale needs), their
    /// whiskers and markers only where finite.
    fn drawable(mut self) -> Figure {
        let finite = |v: f64| v.is_finite() && v > 0.0;
        self.bars.retain(|b| finite(b.value));
        for b in &mut self.bars {
            b.interval = b.interval.filter(|(lo, hi)| finite(*lo) && finite(*hi));
            b.mark = b.mark.filter(|m| finite(*m));
        }
        self
    }

    /// Keeps the first [`MOST_BARS`] bars, saying in the caption how many were left out.
    fn capped(mut self) -> Figure {
        if self.bars.len() > MOST_BARS {
            let left = self.bars.len() - MOST_BARS;
            self.bars.truncate(MOST_BARS);
            self.caption.push_str(&format!(" {left} more cells are not drawn (the tables below have them all)."));
        }
        self
    }
}

/// Every figure the run has cells for, in the page's order.
pub(in crate::report) fn figures(report: &Report) -> Vec<Figure> {
    let mut figures = vec![backends::round_trip(report), backends::setup(report)];
    figures.extend(axes::figures(report));
    figures.into_iter().flatten().map(Figure::drawable).filter(|f| f.bars.len() >= 2).map(Figure::capped).collect()
}

/// "run 2026…-123 (quick.csv; AMD EPYC, 2 CPUs)": which run a caption speaks of.
fn run_label(report: &Report) -> String {
    let first = &report.rows[0];
    let file = report.source.as_deref().map(|s| format!("{s}; ")).unwrap_or_default();
    format!("Run {} ({file}{}, {} CPUs).", first.run_id, first.cpu_model, first.cpus)
}

/// The round trip's quantity, axis label and what its figure is, in the run's unit.
fn round_trip_axis(report: &Report) -> (Quantity, String) {
    if report.unit.name == Unit::NS.name {
        (Quantity::Nanoseconds, "round trip per message, the headline (time)".into())
    } else {
        (Quantity::Count, format!("round trip per message, the headline ({})", report.unit.name))
    }
}

/// What the headline is, as the rows say (`headline_estimator`; files before schema 8: the median).
fn headline(report: &Report) -> String {
    let mut names: Vec<&str> = report.ok().map(|r| r.headline_estimator.as_str()).collect();
    names.sort();
    names.dedup();
    match names.as_slice() {
        [""] | [] => "the median over processes".into(),
        _ => names.iter().filter(|n| !n.is_empty()).copied().collect::<Vec<_>>().join(", "),
    }
}

/// The headline round trip's 95% interval where the row has one (time only): its own
/// (`rt_headline_ci_*`, schema 8 on), or in older files the median's (`rt_ci_*`).
fn rt_interval(report: &Report, row: &Row) -> Option<(f64, f64)> {
    if report.unit.name != Unit::NS.name {
        return None;
    }
    let (low, high) = if row.rt_headline_ns.is_some() {
        (row.rt_headline_ci_low_ns, row.rt_headline_ci_high_ns)
    } else {
        (row.rt_ci_low_ns, row.rt_ci_high_ns)
    };
    low.zip(high)
}

#[cfg(test)]
mod tests;
