//! How a comparison is told: a table per metric, the tally, the machine-wide shift, what was not
//! compared, and the headline figures of both runs side by side.

use super::{Comparison, Entry, Headline, Verdict};
use crate::results::metric::Metric;
use crate::stats::{self, Interval};

impl Comparison {
    /// A readable report: a table per metric (`rt_ns` first) with each cell's A and B, the change
    /// and its interval in percent, and the verdict; then the tally, the certain regressions, and
    /// what was not compared.
    pub fn render(&self) -> String {
        let mut out = vec![
            format!("A: {}", self.a.display()),
            format!("B: {}", self.b.display()),
            format!(
                "A, B: the headline ({}: the 10th percentile over processes of each process's 2nd percentile); change: \
                 B / A - 1, read against the machine-wide shift",
                stats::Headline::NAME
            ),
            format!(
                "CI: {} bootstrap interval of the change, over processes; no change: the CI is within ±{}",
                percent_label(self.confidence),
                percent_label(self.threshold)
            ),
        ];
        out.extend(self.render_shifts());
        for group in self.entries.chunk_by(|x, y| x.metric == y.metric) {
            out.push(String::new());
            out.push(group[0].metric.to_string());
            out.extend(table(group, self.confidence));
        }
        out.push(String::new());
        out.extend(self.render_tally());
        out.extend(self.render_not_compared());
        if !self.headlines.is_empty() {
            out.push(String::new());
            out.push("headline round trip, as the results rows state it (rt_headline_ns; best: rt_proc_min_ns)".into());
            out.extend(self.headline_table(false));
        }
        let mut text = out.join("\n");
        text.push('\n');
        text
    }

    /// The headline figures of both runs per cell, with the differences and the tally of cells
    /// whose figures agree within the threshold; as aligned text or as a Markdown table.
    pub fn headline_table(&self, markdown: bool) -> Vec<String> {
        let pct = |v: f64| format!("{:+.1}%", 100.0 * v);
        let ns = |v: f64| format!("{v:.0}");
        let ci = |v: Option<f64>| v.map_or("-".into(), |v| format!("±{v:.1}%"));
        let header = ["cell", "A", "B", "diff", "best A", "best B", "diff", "±95% A", "±95% B"].map(str::to_owned);
        let rows: Vec<[String; 9]> = std::iter::once(header)
            .chain(self.headlines.iter().map(|h| {
                let (best_a, best_b) = h.best.map_or(("-".into(), "-".into()), |(a, b)| (ns(a), ns(b)));
                [
                    h.cell.clone(),
                    ns(h.p50.0),
                    ns(h.p50.1),
                    pct(h.p50_change()),
                    best_a,
                    best_b,
                    h.best_change().map_or("-".into(), pct),
                    ci(h.ci_pct.0),
                    ci(h.ci_pct.1),
                ]
            }))
            .collect();
        let mut out: Vec<String> = if markdown {
            let mut lines: Vec<String> = rows.iter().map(|r| format!("| {} |", r.join(" | "))).collect();
            lines.insert(1, format!("|{}", "---|".repeat(9)));
            lines
        } else {
            let widths: Vec<usize> =
                (0..9).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
            rows.iter()
                .map(|r| {
                    let cells: Vec<String> = r
                        .iter()
                        .zip(&widths)
                        .enumerate()
                        .map(|(i, (c, w))| if i == 0 { format!("{c:<w$}") } else { format!("{c:>w$}") })
                        .collect();
                    format!("  {}", cells.join("  "))
                })
                .collect()
        };
        let t = self.threshold;
        let within = |v: Option<f64>| v.is_some_and(|v| v.abs() <= t);
        let n = self.headlines.len();
        let p50: Vec<f64> = self.headlines.iter().map(Headline::p50_change).collect();
        let best: Vec<f64> = self.headlines.iter().filter_map(Headline::best_change).collect();
        // How many agree, and whether the whole run moved: the median signed difference.
        let tally = |changes: &[f64]| {
            let agree = changes.iter().filter(|c| within(Some(**c))).count();
            let largest = changes.iter().copied().map(f64::abs).fold(0.0, f64::max);
            let shift = stats::median(changes).map_or("-".into(), |m| format!("{:+.1}%", 100.0 * m));
            format!("{agree} of {n} cells (median difference {shift}, largest {:.1}%)", 100.0 * largest)
        };
        out.push(format!(
            "{}headline within ±{}: {}; best process within ±{}: {}",
            if markdown { "\n" } else { "" },
            percent_label(t),
            tally(&p50),
            percent_label(t),
            tally(&best)
        ));
        out
    }

    /// The round trip's verdicts as a Markdown table, for the documents (`compare --release
    /// --markdown`): each cell's A and B headlines, the change, its interval and the verdict; then
    /// the tally of verdicts.
    pub fn verdict_table(&self) -> Vec<String> {
        let rt: Vec<&Entry> = self.entries.iter().filter(|e| e.metric == Metric::RtNs).collect();
        let ci = format!("{} CI of change", percent_label(self.confidence));
        let mut out =
            vec![format!("| cell | A | B | change | {ci} | verdict |"), "|---|---|---|---|---|---|".to_owned()];
        out.extend(rt.iter().map(|e| {
            let (a, b) = (value(e.metric, e.a_headline), value(e.metric, e.b_headline));
            format!("| {} | {a} | {b} | {} | {} | {} |", e.cell, change(e.ratio), interval_text(e.interval), e.verdict)
        }));
        let counts: Vec<String> =
            Verdict::ALL.iter().map(|v| format!("{} {v}", rt.iter().filter(|e| e.verdict == *v).count())).collect();
        out.push(String::new());
        out.push(format!("rt_ns: {} compared: {}", rt.len(), counts.join(", ")));
        out
    }

    /// The machine-wide shift of each metric, once.
    fn render_shifts(&self) -> Vec<String> {
        let mut out = Vec::new();
        for shift in &self.shifts {
            let pct = 100.0 * (shift.ratio - 1.0);
            let said = if pct.abs() < 1.0 {
                "no machine-wide shift (within ±1%)".to_owned()
            } else {
                format!(
                    "machine-wide shift: B {} than A by {:.1}% in every cell alike",
                    if pct > 0.0 { "slower" } else { "faster" },
                    pct.abs()
                )
            };
            out.push(format!(
                "{}: {said} (median over {} cells; they scatter ±{:.1}% around it, {:.1}% of it beyond their \
                 intervals); changes below are read against it (--absolute: as measured)",
                shift.metric,
                shift.cells,
                100.0 * shift.spread,
                100.0 * shift.scatter
            ));
        }
        out
    }

    fn render_tally(&self) -> Vec<String> {
        if self.entries.is_empty() {
            return vec!["nothing compared".to_owned()];
        }
        let counts: Vec<String> = Verdict::ALL.iter().map(|v| format!("{} {v}", self.count(*v))).collect();
        let mut out = vec![format!("{} compared: {}", self.entries.len(), counts.join(", "))];
        let regressions = self.regressions();
        out.push(format!(
            "{} certain regression(s) (interval entirely above +{})",
            regressions.len(),
            percent_label(self.threshold)
        ));
        for e in regressions {
            out.push(format!("  {} {}: {} {}", e.cell, e.metric, change(e.ratio), interval_text(e.interval)));
        }
        out
    }

    fn render_not_compared(&self) -> Vec<String> {
        let mut out = Vec::new();
        let lists = [("only in A", &self.only_in_a), ("only in B", &self.only_in_b)];
        for (label, cells) in lists.into_iter().chain([("ok in both runs but without samples", &self.no_samples)]) {
            if !cells.is_empty() {
                out.push(format!("{label}: {}", cells.join(", ")));
            }
        }
        if !self.not_ok.is_empty() {
            out.push("not ok, so not compared:".to_owned());
            out.extend(self.not_ok.iter().map(|n| {
                let error = if n.error.is_empty() { String::new() } else { format!(": {}", n.error) };
                format!("  {} in {}: {}{error}", n.cell, n.side, n.status)
            }));
        }
        if !self.metric_only_in.is_empty() {
            out.push("metrics in one run only, so not compared:".to_owned());
            out.extend(self.metric_only_in.iter().map(|m| format!("  {} {}: only in {}", m.cell, m.metric, m.side)));
        }
        out
    }
}

/// The rows of one metric's table, header first, columns aligned.
pub(super) fn table(entries: &[Entry], confidence: f64) -> Vec<String> {
    let header = ["cell", "A", "B", "change", &format!("{} CI of change", percent_label(confidence)), "verdict"]
        .map(str::to_owned);
    let rows: Vec<[String; 6]> = std::iter::once(header)
        .chain(entries.iter().map(|e| {
            [
                e.cell.clone(),
                value(e.metric, e.a_headline),
                value(e.metric, e.b_headline),
                change(e.ratio),
                interval_text(e.interval),
                e.verdict.to_string(),
            ]
        }))
        .collect();
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    rows.iter().map(|r| aligned(r, &widths)).collect()
}

/// One table line: the cell and the verdict left-aligned, the figures right-aligned.
pub(super) fn aligned(row: &[String; 6], widths: &[usize]) -> String {
    let columns: Vec<String> = row
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(c, (text, &w))| if c == 0 || c == 5 { format!("{text:<w$}") } else { format!("{text:>w$}") })
        .collect();
    format!("  {}", columns.join("  ")).trim_end().to_owned()
}

/// `0.95` -> `95%`, `0.025` -> `2.5%`.
pub(super) fn percent_label(fraction: f64) -> String {
    let pct = fraction * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        format!("{pct}%")
    }
}

/// A ratio as a signed change in percent: 2.0 -> `+100.0%`.
pub(super) fn change(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{:+.1}%", (ratio - 1.0) * 100.0)
    } else {
        "n/a".to_owned()
    }
}

pub(super) fn interval_text(interval: Option<Interval>) -> String {
    interval.map_or_else(|| "n/a".to_owned(), |i| format!("[{}, {}]", change(i.low), change(i.high)))
}

/// A value in its metric's unit, to three significant digits: `1.23 µs`, `45.6 M` instructions.
pub(super) fn value(metric: Metric, v: f64) -> String {
    const TIME: [(f64, &str); 4] = [(1e9, " s"), (1e6, " ms"), (1e3, " µs"), (1.0, " ns")];
    const COUNT: [(f64, &str); 4] = [(1e9, " G"), (1e6, " M"), (1e3, " k"), (1.0, "")];
    if !v.is_finite() {
        return "n/a".to_owned();
    }
    let units = if metric.is_count() { COUNT } else { TIME };
    let (div, unit) = units.into_iter().find(|(d, _)| v.abs() >= *d).unwrap_or(units[3]);
    let x = v / div;
    let decimals = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:.decimals$}{unit}")
}
