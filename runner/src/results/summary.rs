//! The end-of-run summary: one line per cell, whether the checksums agree, and the fastest
//! cell per transport.

use super::row::Row;
use std::fmt::Write;

fn num(x: Option<f64>, scale: f64, decimals: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.*}", decimals, v / scale))
}

pub fn render(title: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    let ok = rows.iter().filter(|r| r.status == "ok").count();
    let _ = writeln!(out, "{title}: {} cells, {ok} ok", rows.len());
    let width = rows.iter().map(|r| r.cell.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        out,
        "{:width$}  {:>17}  {:>9}  {:>9}  {:>10}  {:>10}  {:>8}  {:>8}  {:>9}",
        "cell",
        "status",
        "setup µs",
        "cold ms",
        "rt p50 ns",
        "rt min ns",
        "floor ns",
        "rt/floor",
        "copied B"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:width$}  {:>17}  {:>9}  {:>9}  {:>10}  {:>10}  {:>8}  {:>8}  {:>9}",
            r.cell,
            r.status,
            num(r.setup_ns.map(|v| v as f64), 1e3, 1),
            num(r.cold_start_ns.map(|v| v as f64), 1e6, 1),
            num(r.rt_p50_ns, 1.0, 1),
            num(r.rt_min_ns, 1.0, 1),
            num(r.call_floor_p50_ns, 1.0, 1),
            num(r.rt_over_call_floor, 1.0, 1),
            num(r.host_copied_bytes_per_rt, 1.0, 0),
        );
    }
    for r in rows.iter().filter(|r| r.status != "ok") {
        let _ = writeln!(out, "  {} {}: {}", r.status, r.cell, r.error);
    }

    let expected = rows
        .first()
        .map(|r| r.expected_checksum.as_str())
        .unwrap_or_default();
    let finished: Vec<&Row> = rows.iter().filter(|r| !r.checksum.is_empty()).collect();
    let disagree: Vec<&str> = finished
        .iter()
        .filter(|r| r.checksum != expected)
        .map(|r| r.cell.as_str())
        .collect();
    if disagree.is_empty() {
        let _ = writeln!(
            out,
            "checksums: all {} finished cells agree on {expected}, the expected value",
            finished.len()
        );
    } else {
        let _ = writeln!(
            out,
            "checksums: {} cells DISAGREE with {expected}: {}",
            disagree.len(),
            disagree.join(", ")
        );
    }

    let mut transports: Vec<&str> = rows.iter().map(|r| r.transport.as_str()).collect();
    transports.sort();
    transports.dedup();
    for t in transports {
        let best = rows
            .iter()
            .filter(|r| r.transport == t && r.status == "ok")
            .filter_map(|r| r.rt_p50_ns.map(|p| (p, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((p50, r)) = best {
            let _ = writeln!(
                out,
                "fastest round trip, {t}: {} at {p50:.1} ns p50 (min {}), {:.1}x the bare call",
                r.cell,
                num(r.rt_min_ns, 1.0, 1),
                r.rt_over_call_floor.unwrap_or(f64::NAN)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cell: &str, transport: &str, status: &str, p50: f64, checksum: &str) -> Row {
        Row {
            cell: cell.into(),
            transport: transport.into(),
            status: status.into(),
            rt_p50_ns: Some(p50),
            checksum: checksum.into(),
            expected_checksum: "00000000000000aa".into(),
            ..Row::default()
        }
    }

    #[test]
    fn flags_disagreeing_checksums_and_names_the_fastest() {
        let rows = [
            row("a", "copy", "ok", 900.0, "00000000000000aa"),
            row("b", "copy", "ok", 800.0, "00000000000000aa"),
            row(
                "c",
                "shared",
                "checksum_mismatch",
                100.0,
                "00000000000000bb",
            ),
        ];
        let text = render("t", &rows);
        assert!(text.contains("3 cells, 2 ok"), "{text}");
        assert!(
            text.contains("1 cells DISAGREE") && text.contains(": c"),
            "{text}"
        );
        assert!(text.contains("fastest round trip, copy: b"), "{text}");
        assert!(!text.contains("fastest round trip, shared"), "{text}");
    }
}
