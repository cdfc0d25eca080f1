//! `history list` and `history trend` as text or Markdown tables.

use super::store::Entry;
use super::trend::{Point, Step, Trend};
use crate::compare::Verdict;

/// Rows as a table: Markdown, or text with the columns padded.
fn table(head: &[&str], rows: &[Vec<String>], markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out += &format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(head.len()));
        for row in rows {
            out += &format!("| {} |\n", row.join(" | "));
        }
        return out;
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|k| rows.iter().map(|r| r[k].chars().count()).chain([head[k].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    out += &line(head.to_vec());
    for row in rows {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out
}

/// A night's commits, each to its first 7 hex digits.
fn short_commits(e: &Entry) -> String {
    e.commit.split(", ").map(|c| &c[..c.len().min(7)]).collect::<Vec<_>>().join(", ")
}

pub fn list(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "the store holds no runs\n".into();
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.run.clone(),
                e.started.clone(),
                short_commits(e),
                e.machine.clone(),
                e.releases.clone(),
                format!("{} ({} ok)", e.cells, e.ok),
                e.matrix.clone(),
            ]
        })
        .collect();
    table(&["run", "started", "commit", "machine", "releases", "cells", "matrix"], &rows, false)
}

fn point(p: &Option<Point>) -> String {
    match p {
        None => "-".into(),
        Some(p) => match p.interval {
            Some(i) => format!("{:.1} [{:.1}, {:.1}]", p.headline, i.low, i.high),
            None => format!("{:.1}", p.headline),
        },
    }
}

fn step(s: &Option<Step>) -> String {
    let Some(s) = s else { return String::new() };
    let change = format!("{:+.1}%", (s.ratio - 1.0) * 100.0);
    let ci = s
        .interval
        .map_or(String::new(), |i| format!(" [{:+.1}%, {:+.1}%]", (i.low - 1.0) * 100.0, (i.high - 1.0) * 100.0));
    match s.verdict {
        _ if s.flagged() => format!("!! {} {change}{ci}", s.verdict),
        Verdict::Slower | Verdict::Faster => format!("{} {change}{ci}", s.verdict),
        verdict => format!("{verdict} {change}"),
    }
}

pub fn trend(t: &Trend, only_flagged: bool, markdown: bool) -> String {
    let n = t.nights.len();
    let mut out = format!(
        "{}machine: {} ({n} night{}; flagged (`!!`, bold in Markdown): a change certain beyond ±{}%)\n\n",
        if markdown { "#### " } else { "" },
        t.machine,
        if n == 1 { "" } else { "s" },
        t.threshold * 100.0
    );
    let nights: Vec<Vec<String>> = t
        .nights
        .iter()
        .enumerate()
        .map(|(i, e)| vec![(i + 1).to_string(), e.run.clone(), e.started.clone(), short_commits(e), e.releases.clone()])
        .collect();
    out += &table(&["night", "run", "started", "commit", "releases"], &nights, markdown);
    out += "\n";
    let mut head: Vec<String> = vec!["cell".into(), "metric".into()];
    for i in 0..n {
        if i > 0 {
            head.push(format!("{} → {}", i, i + 1));
        }
        head.push(format!("night {}", i + 1));
    }
    let rows: Vec<Vec<String>> = t
        .lines
        .iter()
        .filter(|l| !only_flagged || l.steps.iter().flatten().any(Step::flagged))
        .map(|l| {
            let mut row = vec![l.cell.clone(), l.metric.name().to_owned()];
            for (i, p) in l.points.iter().enumerate() {
                if i > 0 {
                    let told = step(&l.steps[i - 1]);
                    row.push(match told.strip_prefix("!! ") {
                        Some(flag) if markdown => format!("**{flag}**"),
                        _ => told,
                    });
                }
                row.push(point(p));
            }
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    out += &table(&head, &rows, markdown);
    let flags: Vec<String> = t
        .flagged()
        .map(|(l, i, s)| {
            format!(
                "{} {} night {} → {}: {}",
                l.cell,
                l.metric.name(),
                i + 1,
                i + 2,
                step(&Some(*s)).trim_start_matches("!! ")
            )
        })
        .collect();
    out += &format!("\n{} flag{}", flags.len(), if flags.len() == 1 { "" } else { "s" });
    out += &if flags.is_empty() { ".\n\n".to_owned() } else { format!(":\n- {}\n\n", flags.join("\n- ")) };
    out
}
