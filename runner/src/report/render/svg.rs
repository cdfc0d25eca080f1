//! A figure ([`Figure`]) drawn as SVG text with plotters' SVG back-end: horizontal bars from zero
//! on a linear scale, or dots on a log scale where the values span more than [`LOG_SPAN`]; whiskers
//! for intervals, black diamonds for the marker, each value written beside its bar, the legend
//! above. Text is left to the browser (`sans-serif`): plotters only estimates its width, so no
//! font is read.

use crate::report::figures::{Bar, Figure, Quantity};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The drawing's width, px: readable in a page ~900 px wide.
const WIDTH: u32 = 880;
/// Height per bar, px.
const ROW: u32 = 26;
/// Above this ratio of the largest value to the smallest, the scale is logarithmic.
const LOG_SPAN: f64 = 20.0;
/// plotters writes a font size of `size / 1.24`: 16 is 12.9 px.
const FONT: f64 = 16.0;
/// An estimate of a character's width at [`FONT`], px (DejaVu Sans, wide enough for most fonts).
const CHAR: f64 = 7.8;

/// The colours of the series, in order (matplotlib's tab10, as the notebooks draw).
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of series `i`.
pub(super) fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// `figure` as one `<svg>` element, or why it could not be drawn.
pub(super) fn draw(figure: &Figure) -> Result<String, String> {
    let mut svg = String::new();
    let legend = legend_lines(figure);
    let height = 12 + 24 * legend.len() as u32 + ROW * figure.bars.len() as u32 + 56;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(|e| e.to_string()).and_then(|()| {
            let (top, chart) = root.split_vertically(12 + 24 * legend.len() as u32);
            draw_legend(&top, &legend)?;
            let values: Vec<f64> = figure.bars.iter().flat_map(extent).filter(|v| v.is_finite()).collect();
            let low = values.iter().copied().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(0.0, f64::max).max(1.0);
            let longest = figure.bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(0);
            let label_width = ((longest as f64 * CHAR) as u32 + 16).clamp(80, 360);
            // Room right of the largest value for the longest value written beside a bar: that
            // text's share of the plot's width, taken from the value axis's top.
            let written = figure.bars.iter().map(|b| said(b, figure).chars().count()).max().unwrap_or(0);
            let share = ((written as f64 * CHAR * 0.9 + 16.0) / f64::from(WIDTH - label_width - 40)).min(0.6);
            if low.is_finite() && high / low > LOG_SPAN {
                let low = low / 1.6;
                let top = ((high.ln() - share * low.ln()) / (1.0 - share)).exp();
                bars(&chart, figure, (low..top).log_scale(), label_width, true)
            } else {
                bars(&chart, figure, 0.0..high / (1.0 - share), label_width, false)
            }
        });
        drawn.and_then(|()| root.present().map_err(|e| e.to_string()))?;
    }
    Ok(svg)
}

/// What a bar spans: its value, whiskers and marker.
fn extent(bar: &Bar) -> Vec<f64> {
    let mut v = vec![bar.value];
    v.extend(bar.interval.map(|(lo, hi)| [lo, hi]).into_iter().flatten());
    v.extend(bar.mark);
    v
}

/// The bars of `figure` on a value axis `x` (dots if `log`), labelled, with its axis and grid.
fn bars<X>(
    area: &DrawingArea<SVGBackend, Shift>,
    figure: &Figure,
    x: X,
    label_width: u32,
    log: bool,
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = figure.bars.len();
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x, (0..n).into_segmented())
        .map_err(|e| e.to_string())?;
    let labels: Vec<&str> = figure.bars.iter().map(|b| b.label.as_str()).collect();
    let quantity = figure.quantity;
    let scale = if log { ", log scale" } else { "" };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(n - 1 - i).map_or(String::new(), |l| l.to_string()),
            _ => String::new(),
        })
        .x_labels(8)
        .x_label_formatter(&|v| tick(*v, quantity))
        .x_desc(format!("{}{scale}", figure.axis))
        .label_style(("sans-serif", FONT))
        .axis_desc_style(("sans-serif", FONT))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12))
        .draw()
        .map_err(|e| e.to_string())?;
    let err = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    for (i, bar) in figure.bars.iter().enumerate() {
        // Bar i counts from the top; the segments from the bottom.
        let row = n - 1 - i;
        let at = |v: f64| (v, SegmentValue::CenterOf(row));
        let style = colour(bar.series).filled();
        if log {
            let from = chart.x_range().start;
            chart
                .draw_series([PathElement::new(vec![at(from), at(bar.value)], colour(bar.series).mix(0.35))])
                .map_err(err)?;
        } else {
            let mut rect =
                Rectangle::new([(0.0, SegmentValue::Exact(row)), (bar.value, SegmentValue::Exact(row + 1))], style);
            rect.set_margin(4, 4, 0, 0);
            chart.draw_series([rect]).map_err(err)?;
        }
        if let Some((lo, hi)) = bar.interval {
            let whisker = BLACK.stroke_width(1);
            let cap = |v: f64| EmptyElement::at(at(v)) + PathElement::new(vec![(0, -5), (0, 5)], whisker);
            chart.draw_series([PathElement::new(vec![at(lo), at(hi)], whisker)]).map_err(err)?;
            chart.draw_series([cap(lo), cap(hi)]).map_err(err)?;
        }
        if log {
            chart.draw_series([Circle::new(at(bar.value), 5, style)]).map_err(err)?;
        }
        if let Some(mark) = bar.mark {
            let diamond = EmptyElement::at(at(mark)) + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], BLACK);
            chart.draw_series([diamond]).map_err(err)?;
        }
        // The value, right of whatever the bar draws.
        let right = extent(bar).into_iter().fold(bar.value, f64::max);
        let text =
            ("sans-serif", FONT * 0.9).into_font().color(&BLACK.mix(0.75)).pos(Pos::new(HPos::Left, VPos::Center));
        let written = EmptyElement::at(at(right)) + Text::new(said(bar, figure), (9, 0), text);
        chart.draw_series([written]).map_err(err)?;
    }
    Ok(())
}

/// What is written beside a bar: its value, and its marker's.
fn said(bar: &Bar, figure: &Figure) -> String {
    let said = value(bar.value, figure.quantity);
    match (bar.mark, figure.mark) {
        (Some(mark), Some(name)) => format!("{said} ({name} {})", value(mark, figure.quantity)),
        _ => said,
    }
}

/// The legend's entries laid out in lines that fit the width: (colour or the marker, text).
fn legend_lines(figure: &Figure) -> Vec<Vec<(Option<usize>, String)>> {
    let entries = figure.series.iter().enumerate().map(|(i, s)| (Some(i), s.clone()));
    let entries = entries.chain(figure.mark.map(|m| (None, m.to_owned())));
    let mut lines: Vec<Vec<(Option<usize>, String)>> = vec![Vec::new()];
    let mut used = 0.0;
    for (key, text) in entries {
        let width = 22.0 + text.chars().count() as f64 * CHAR + 20.0;
        if used + width > WIDTH as f64 - 20.0 && !lines.last().is_some_and(Vec::is_empty) {
            lines.push(Vec::new());
            used = 0.0;
        }
        used += width;
        lines.last_mut().expect("one line").push((key, text));
    }
    lines
}

/// The legend: a coloured square per series, a diamond for the marker.
fn draw_legend(area: &DrawingArea<SVGBackend, Shift>, lines: &[Vec<(Option<usize>, String)>]) -> Result<(), String> {
    let text = ("sans-serif", FONT).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for (l, line) in lines.iter().enumerate() {
        let (mut x, y) = (12, 18 + 24 * l as i32);
        for (key, label) in line {
            let drawn = match key {
                Some(i) => area.draw(&Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour(*i).filled())),
                None => area.draw(&Polygon::new(vec![(x + 6, y - 6), (x + 12, y), (x + 6, y + 6), (x, y)], BLACK)),
            };
            drawn
                .and_then(|()| area.draw(&Text::new(label.as_str(), (x + 20, y), text.clone())))
                .map_err(|e| e.to_string())?;
            x += (22.0 + label.chars().count() as f64 * CHAR + 20.0) as i32;
        }
    }
    Ok(())
}

/// A tick's label: a time in ns as `500 ns`, `2 µs`, `1.5 ms`, `1 s`; a count as `1.5k`, `2M`.
fn tick(v: f64, quantity: Quantity) -> String {
    scaled(v, quantity, 2)
}

/// A bar's value written beside it: three significant digits, in the tick's units.
fn value(v: f64, quantity: Quantity) -> String {
    scaled(v, quantity, 3)
}

/// `v` in the largest unit it reaches, with `digits` significant digits at most (no trailing zeros).
fn scaled(v: f64, quantity: Quantity, digits: i32) -> String {
    let units: &[(f64, &str)] = match quantity {
        Quantity::Nanoseconds => &[(1e9, " s"), (1e6, " ms"), (1e3, " µs"), (1.0, " ns")],
        Quantity::Count => &[(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")],
    };
    let (scale, unit) = units.iter().copied().find(|(s, _)| v.abs() >= *s).unwrap_or(units[units.len() - 1]);
    let x = v / scale;
    let whole = if x.abs() >= 1.0 { x.abs().log10().floor() as i32 + 1 } else { 1 };
    let decimals = (digits - whole).max(0) as usize;
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text };
    format!("{text}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_the_largest_unit_they_reach() {
        assert_eq!(value(1573.4, Quantity::Nanoseconds), "1.57 µs");
        assert_eq!(value(34_672.0, Quantity::Nanoseconds), "34.7 µs");
        assert_eq!(value(545_025_000.0, Quantity::Nanoseconds), "545 ms");
        assert_eq!(value(812.0, Quantity::Nanoseconds), "812 ns");
        assert_eq!(tick(2000.0, Quantity::Nanoseconds), "2 µs");
        assert_eq!(tick(1_500_000.0, Quantity::Count), "1.5M");
        assert_eq!(tick(0.0, Quantity::Nanoseconds), "0 ns");
    }
}
