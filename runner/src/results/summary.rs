//! The end-of-run summary: one line per cell, whether the checksums agree, which cells are noisy
//! (the 95% interval of their round-trip p50 is wider than the matrix's `noisy_ci_pct`), and the
//! fastest quiet wasm cell per transport. Noisy cells are marked `~` and never ranked as if they were
//! not.

use super::checksums::Checksums;
use super::row::{Row, StopReason};
use super::status::Status;
use super::view::Unit;
use crate::matrix::axes::Transport;
use crate::matrix::axes::{Allocator, Axis, Call, Codec, Compiler, Engine, Environment, Logging, Profile, Runtime};
use crate::matrix::Cell;
use crate::stats::median;
use std::fmt::Write;

fn num(x: Option<f64>, scale: f64, decimals: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.*}", decimals, v / scale))
}

/// Where `runner run` writes the summary of the results file `results`: beside it, `.summary.txt`.
pub fn path(results: &std::path::Path) -> std::path::PathBuf {
    results.with_extension("summary.txt")
}

pub fn render(title: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    let unit = Unit::of(rows);
    let u = unit.short;
    let ok = rows.iter().filter(|r| r.is_ok()).count();
    let _ = writeln!(out, "{title}: {} cells, {ok} ok", rows.len());
    let width = rows.iter().map(|r| r.cell.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        out,
        "{:width$}  {:>17}  {:>5}  {:>6}  {:>9}  {:>9}  {:>10}  {:>10}  {:>8}  {:>8}  {:>9}",
        "cell",
        "status",
        "procs",
        "ci %",
        "setup µs",
        "cold ms",
        format!("rt {u}"),
        format!("best {u}"),
        format!("floor {u}"),
        "rt/floor",
        "copied B"
    );
    for r in rows {
        let ci = match (r.rt_ci(), r.noisy) {
            (Some(ci), Some(true)) => format!("~±{ci:.1}"),
            (Some(ci), _) => format!("±{ci:.1}"),
            (None, _) => "-".into(),
        };
        let _ = writeln!(
            out,
            "{:width$}  {:>17}  {:>5}  {:>6}  {:>9}  {:>9}  {:>10}  {:>10}  {:>8}  {:>8}  {:>9}",
            r.cell,
            r.status,
            r.processes,
            ci,
            num(r.setup_ns.map(|v| v as f64), 1e3, 1),
            num(r.cold_start_ns.map(|v| v as f64), 1e6, 1),
            num((unit.rt)(r), 1.0, 1),
            num((unit.best)(r), 1.0, 1),
            num((unit.floor)(r), 1.0, 1),
            // A native call through a function pointer is no floor to measure a round trip in.
            num((unit.rt)(r).zip((unit.floor)(r)).filter(|_| wasm(r)).map(|(rt, floor)| rt / floor), 1.0, 1),
            num(r.host_copied_bytes_per_rt, 1.0, 0),
        );
    }
    for r in rows.iter().filter(|r| !matches!(r.status(), Some(Status::Ok | Status::Unsupported))) {
        let _ = writeln!(out, "  {} {}: {}", r.status, r.cell, r.error);
    }
    // Cells that cannot run, once per reason.
    let unsupported: Vec<&Row> = rows.iter().filter(|r| r.status() == Some(Status::Unsupported)).collect();
    let reasons = distinct(rows, |r| Some(r.error.as_str()));
    for reason in reasons.into_iter().filter(|e| unsupported.iter().any(|r| r.error == *e)) {
        let cells: Vec<&str> = unsupported.iter().filter(|r| r.error == reason).map(|r| r.cell.as_str()).collect();
        let example = if cells.len() > 1 { format!(", e.g. {}", cells[0]) } else { format!(": {}", cells[0]) };
        let _ = writeln!(out, "  unsupported ({} cells{example}): {reason}", cells.len());
    }

    let sums = Checksums::of(rows);
    let expected = sums.expected_text();
    let disagree: Vec<&str> = sums.disagree.iter().map(|r| r.cell.as_str()).collect();
    let _ = match (sums.finished, disagree.is_empty(), sums.expected.len()) {
        (0, ..) => writeln!(out, "checksums: no cell finished, so none was checked"),
        (n, true, 1) => writeln!(out, "checksums: all {n} finished cells agree on {expected}, the expected value"),
        (n, true, _) => writeln!(
            out,
            "checksums: all {n} finished cells agree with the value expected for their message: {expected}"
        ),
        (_, false, 1) => {
            writeln!(out, "checksums: {} cells DISAGREE with {expected}: {}", disagree.len(), disagree.join(", "))
        }
        (_, false, _) => writeln!(
            out,
            "checksums: {} cells DISAGREE with the value expected for their message ({expected}): {}",
            disagree.len(),
            disagree.join(", ")
        ),
    };

    let noisy: Vec<String> = rows
        .iter()
        .filter(|r| r.noisy == Some(true))
        .map(|r| format!("{} (±{:.1}%)", r.cell, r.rt_ci().unwrap_or(f64::NAN)))
        .collect();
    if let Some(threshold) = rows.first().map(|r| r.noisy_ci_pct) {
        if noisy.is_empty() {
            let _ = writeln!(
                out,
                "noise: every headline round trip with several processes is within ±{threshold}% (95% interval)"
            );
        } else {
            let _ = writeln!(
                out,
                "noisy (95% interval of the headline round trip wider than ±{threshold}%; marked ~, not ranked): {}",
                noisy.join(", ")
            );
        }
    }

    out.push_str(&precision(rows));

    let mut transports: Vec<Transport> = rows.iter().filter_map(|r| r.cell().ok()).map(|c| c.transport).collect();
    transports.sort_by_key(|t| t.name());
    transports.dedup();
    for t in transports {
        let best = ok_rows(rows, |r| r.cell_is(|c| c.transport == t && c.engine != Engine::Native))
            .filter(|r| r.noisy != Some(true))
            .filter_map(|r| (unit.rt)(r).map(|p| (p, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((p50, r)) = best {
            let _ = writeln!(
                out,
                "fastest quiet wasm round trip, {t}: {} at {p50:.1} {u} (best process {}), {}",
                r.cell,
                num((unit.best)(r), 1.0, 1),
                match (unit.floor)(r) {
                    Some(floor) if floor > 0.0 => format!("{:.1}x the bare call", p50 / floor),
                    Some(_) => "the bare call timed at 0 (its loop inlined away)".into(),
                    None => "no bare call timed".into(),
                }
            );
        }
    }
    out.push_str(&support_table(rows));
    out.push_str(&native_ratios(rows, unit));
    out.push_str(&codec_table(rows, unit));
    out
}

/// How many measured cells reached the run's precision target, and a warning when the machine
/// could not give it to many of them.
fn precision(rows: &[Row]) -> String {
    let measured: Vec<&Row> = ok_rows(rows, |r| !r.stop_reason.is_empty()).collect();
    let Some(first) = measured.first() else { return String::new() };
    let target = first.target_ci_pct;
    let (most, budget) = (StopReason::MaxProcesses.name(), StopReason::Budget.name());
    let short: Vec<&Row> =
        measured.iter().copied().filter(|r| r.stop_reason == most || r.stop_reason == budget).collect();
    let reached = measured.len() - short.len();
    let mut out = format!(
        "precision: {reached} of {} measured cells reached ±{target}% on the headline round trip (95% interval) \
         within {} to {} processes",
        measured.len(),
        first.min_processes,
        measured.iter().map(|r| r.processes).max().unwrap_or(0)
    );
    let by_budget = measured.iter().filter(|r| r.stop_reason == budget).count();
    if by_budget > 0 {
        let _ = write!(out, " ({by_budget} stopped by their {} s budget)", first.cell_budget_s);
    }
    let widths: Vec<f64> = short.iter().filter_map(|r| r.rt_headline_ci_pct).collect();
    if short.len() * 10 > measured.len() {
        let _ = write!(
            out,
            "; WARNING: {} cells stopped at the most processes or their time budget still wider (median ±{:.1}%): \
             this machine is too noisy for ±{target}% on them; give them more processes or time, or ask for less",
            short.len(),
            median(&widths).unwrap_or(f64::NAN)
        );
    } else if !short.is_empty() {
        let _ = write!(out, "; {} stopped at the most processes or their time budget still wider", short.len());
    }
    out.push('\n');
    out
}

/// The back-ends of a run, `(runtime, compiler, label)` in the rows' order: the label is the
/// compiler's name, after its runtime's when the run has more than one wasm runtime (Wasmer and
/// Wasmtime both have a cranelift).
fn back_ends(rows: &[Row]) -> Vec<(Runtime, Compiler, String)> {
    let runtimes = distinct(rows, |r| Some(r.cell().ok()?.runtime));
    let several = runtimes.into_iter().filter(|r| *r != Runtime::Native).count() > 1;
    let mut out: Vec<(Runtime, Compiler, String)> = Vec::new();
    for c in rows.iter().filter_map(|r| r.cell().ok()) {
        if !out.iter().any(|(rt, compiler, _)| (*rt, *compiler) == (c.runtime, c.compiler)) {
            let label = if several && c.runtime != Runtime::Native {
                format!("{} {}", c.runtime, c.compiler)
            } else {
                c.compiler.name().to_owned()
            };
            out.push((c.runtime, c.compiler, label));
        }
    }
    out
}

/// Back-end x environment: how many of each pair's cells ran `ok`, of how many; `unsupported`
/// where none can run. Printed when the run has more than one environment or an unsupported cell.
fn support_table(rows: &[Row]) -> String {
    let mut out = String::new();
    let environments = distinct(rows, |r| Some(r.cell().ok()?.environment));
    if environments.len() < 2 && rows.iter().all(|r| r.status() != Some(Status::Unsupported)) {
        return out;
    }
    let back_ends = back_ends(rows);
    let width = back_ends.iter().map(|(.., label)| label.len()).max().unwrap_or(0).max(8);
    let _ = writeln!(out, "support, compiler x environment (cells ok / cells):");
    let header: String = environments.iter().map(|e| format!("  {:>11}", e.name())).collect();
    let _ = writeln!(out, "  {:<width$}{header}", "compiler");
    for &(runtime, compiler, ref label) in &back_ends {
        let mut line = format!("  {label:<width$}");
        for &environment in &environments {
            let cells: Vec<&Row> = rows
                .iter()
                .filter(|r| r.cell_is(|c| (c.runtime, c.compiler, c.environment) == (runtime, compiler, environment)))
                .collect();
            let ok = cells.iter().filter(|r| r.is_ok()).count();
            let text = match cells.len() {
                0 => "-".to_owned(),
                _ if cells.iter().all(|r| r.status() == Some(Status::Unsupported)) => Status::Unsupported.to_string(),
                n => format!("{ok}/{n}"),
            };
            let _ = write!(line, "  {text:>11}");
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

fn ok_rows<'a>(rows: &'a [Row], pred: impl Fn(&Row) -> bool + 'a) -> impl Iterator<Item = &'a Row> + 'a {
    rows.iter().filter(move |r| r.is_ok() && pred(r))
}

/// Whether the row's cell is a wasm cell (not the native twin).
fn wasm(r: &Row) -> bool {
    r.cell_is(|c| c.engine != Engine::Native)
}

/// The smallest value of `metric` among `rows`.
fn best<'a>(rows: impl Iterator<Item = &'a Row>, metric: impl Fn(&Row) -> Option<f64>) -> Option<f64> {
    rows.filter_map(metric).min_by(f64::total_cmp)
}

/// The values of `key` over the rows (those that have one), each once, in the rows' order.
fn distinct<'a, T: PartialEq>(rows: &'a [Row], key: impl Fn(&'a Row) -> Option<T>) -> Vec<T> {
    let mut values: Vec<T> = Vec::new();
    for value in rows.iter().filter_map(key) {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// Round trip of each compiler over its native twin (same codec, transport, environment, logging,
/// profile and allocator), as `headline ratio (best-process ratio)`. A compiler's figure is its engine
/// with the lower headline (the engines run the same code). `~` marks a ratio with a noisy cell on either side.
fn native_ratios(rows: &[Row], unit: &Unit) -> String {
    let mut out = String::new();
    let compilers: Vec<(Runtime, Compiler, String)> =
        back_ends(rows).into_iter().filter(|(rt, ..)| *rt != Runtime::Native).collect();
    let column = compilers.iter().map(|(.., label)| label.len()).max().unwrap_or(0).max(16);
    // The row label names the environment, logging and profile only where the run has several.
    let cells: Vec<Cell> = rows.iter().filter_map(|r| r.cell().ok()).collect();
    fn several<T: PartialEq>(cells: &[Cell], key: fn(&Cell) -> T) -> bool {
        cells.iter().any(|c| key(c) != key(&cells[0]))
    }
    let (by_env, by_log, by_profile, by_alloc, by_call) = (
        several(&cells, |c| c.environment),
        several(&cells, |c| c.logging),
        several(&cells, |c| c.profile),
        several(&cells, |c| c.allocator),
        several(&cells, |c| c.call),
    );
    let mut variants: Vec<(Codec, Environment, Logging, Profile, Allocator, Call)> = Vec::new();
    for c in &cells {
        let v = (c.codec, c.environment, c.logging, c.profile, c.allocator, c.call);
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    let width = 12
        + if by_env { 5 } else { 0 }
        + if by_log { 4 } else { 0 }
        + if by_profile { 9 } else { 0 }
        + if by_alloc { 10 } else { 0 }
        + if by_call { 7 } else { 0 };
    for transport in distinct(rows, |r| Some(r.cell().ok()?.transport)) {
        let mut lines = Vec::new();
        for &(codec, environment, logging, profile, allocator, call) in &variants {
            let here = (transport, codec, environment, profile, logging, allocator, call);
            let native = fastest(rows, unit, |r| r.cell_is(|c| c.engine == Engine::Native && variant(&c) == here));
            let Some(native) = native else {
                continue;
            };
            // The wasm rows whose twin ([`Row::twin`]) it is.
            let native_cell = native.cell().ok();
            let twin = |r: &Row| native_cell.is_some() && r.twin() == native_cell;
            let (Some(native_p50), Some(native_min)) = ((unit.rt)(native), (unit.best)(native)) else {
                continue;
            };
            let mut label = codec.name().to_owned();
            if by_env {
                label = format!("{label} {environment}");
            }
            if by_log && logging == Logging::On {
                label.push_str(" log");
            }
            if by_profile {
                label = format!("{label} {profile}");
            }
            if by_alloc {
                label = format!("{label} {allocator}");
            }
            if by_call {
                label = format!("{label} {call}");
            }
            let mut line = format!("  {label:<width$} {:>16}", format!("{native_p50:.0} ({native_min:.0})"));
            for &(runtime, compiler, _) in &compilers {
                let back_end = |r: &Row| twin(r) && r.cell_is(|c| (c.runtime, c.compiler) == (runtime, compiler));
                let cell = match fastest(rows, unit, back_end) {
                    Some(wasm) => {
                        let noisy = wasm.noisy == Some(true) || native.noisy == Some(true);
                        format!(
                            "{}{:.2}x ({:.2}x)",
                            if noisy { "~" } else { "" },
                            unit.ratio(wasm, native).unwrap_or(f64::NAN),
                            (unit.best)(wasm).unwrap_or(f64::NAN) / native_min
                        )
                    }
                    None => "-".into(),
                };
                let _ = write!(line, "  {cell:>column$}");
            }
            lines.push(line);
        }
        if !lines.is_empty() {
            let _ = writeln!(out, "round trip, wasm / native, transport {transport}: headline (best process)");
            let header: String = compilers.iter().map(|(.., label)| format!("  {label:>column$}")).collect();
            let _ = writeln!(out, "  {:<width$} {:>16}{header}", "codec", format!("native {}", unit.short));
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// A cell's transport, codec, environment, profile, logging, allocator and call.
fn variant(c: &Cell) -> (Transport, Codec, Environment, Profile, Logging, Allocator, Call) {
    (c.transport, c.codec, c.environment, c.profile, c.logging, c.allocator, c.call)
}

/// The ok row with the lowest round trip among those matching `pred`.
fn fastest<'a>(rows: &'a [Row], unit: &Unit, pred: impl Fn(&Row) -> bool) -> Option<&'a Row> {
    rows.iter()
        .filter(|r| r.is_ok() && pred(r))
        .filter_map(|r| (unit.rt)(r).map(|p50| (p50, r)))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r)
}

/// Per codec: message size, encode and decode inside the guests, and the round trip; natively
/// and under the best wasm cell.
fn codec_table(rows: &[Row], unit: &Unit) -> String {
    let mut out = String::new();
    let codecs = distinct(rows, |r| Some(r.cell().ok()?.codec));
    if codecs.is_empty() {
        return out;
    }
    let _ = writeln!(out, "codecs ({} per message, headline; native / best wasm):", unit.short);
    let _ = writeln!(out, "  {:<12} {:>8}  {:>17}  {:>17}  {:>17}", "codec", "bytes", "encode", "decode", "round trip");
    let pair = |native: Option<f64>, wasm: Option<f64>| {
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
        format!("{} / {}", f(native), f(wasm))
    };
    for codec in codecs {
        let of = |r: &Row| r.cell_is(|c| c.codec == codec);
        let (native, in_wasm) = (|r: &Row| of(r) && !wasm(r), |r: &Row| of(r) && wasm(r));
        let metric = |m: fn(&Row) -> Option<f64>| pair(best(ok_rows(rows, native), m), best(ok_rows(rows, in_wasm), m));
        let bytes = best(ok_rows(rows, of), |r| r.request_bytes_mean);
        let _ = writeln!(
            out,
            "  {:<12} {:>8}  {:>17}  {:>17}  {:>17}",
            codec.name(),
            num(bytes, 1.0, 0),
            metric(unit.encode),
            metric(unit.decode),
            metric(unit.rt)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `cell`; a real cell's name fills the axis columns and `twin_cell`, as a run writes them.
    fn row(cell: &str, status: Status, p50: f64, checksum: &str) -> Row {
        Row {
            cell: cell.into(),
            status: status.name().into(),
            rt_p50_ns: Some(p50),
            rt_proc_min_ns: Some(p50),
            checksum: checksum.into(),
            expected_checksum: "00000000000000aa".into(),
            ..crate::matrix::Cell::parse(cell).map(|c| Row::of_cell(&c)).unwrap_or_default()
        }
    }

    #[test]
    fn reads_wasm_against_its_native_twin() {
        let rows = vec![
            row("rustc/native/bare/shared/raw/release", Status::Ok, 1000.0, "00000000000000aa"),
            row("llvm/jit/bare/shared/raw/release", Status::Ok, 1300.0, "00000000000000aa"),
            row("llvm/artifact/bare/shared/raw/release", Status::Ok, 1250.0, "00000000000000aa"),
        ];
        let text = render("t", &rows);
        assert!(text.contains("wasm / native, transport shared"), "{text}");
        assert!(text.contains("1.25x (1.25x)"), "the better llvm engine over native: {text}");
        assert!(text.contains("1000 / 1250"), "round trip native / best wasm: {text}");
    }

    #[test]
    fn says_plainly_when_no_cell_finished() {
        let mut failed = row("a", Status::Timeout, 900.0, "");
        failed.expected_checksum = String::new();
        let text = render("t", &[failed]);
        assert!(text.contains("checksums: no cell finished"), "{text}");
        assert!(!text.contains("all 0 finished cells"), "{text}");
    }

    #[test]
    fn flags_disagreeing_checksums_and_names_the_fastest() {
        let (a, b, c) = (
            "llvm/jit/bare/copy/raw/release",
            "cranelift/jit/bare/copy/raw/release",
            "llvm/jit/bare/shared/raw/release",
        );
        let rows = [
            row(a, Status::Ok, 900.0, "00000000000000aa"),
            row(b, Status::Ok, 800.0, "00000000000000aa"),
            row(c, Status::ChecksumMismatch, 100.0, "00000000000000bb"),
        ];
        let text = render("t", &rows);
        assert!(text.contains("3 cells, 2 ok"), "{text}");
        assert!(text.contains(&format!("1 cells DISAGREE with 00000000000000aa: {c}")), "{text}");
        assert!(text.contains(&format!("fastest quiet wasm round trip, copy: {b}")), "{text}");
        assert!(!text.contains("fastest quiet wasm round trip, shared"), "{text}");
    }

    #[test]
    fn the_support_table_counts_ok_cells_per_compiler_and_environment() {
        let mut rows = Vec::new();
        for (cell, status) in [
            ("cranelift/jit/bare/copy/raw/release", Status::Ok),
            ("cranelift/jit/wasi/copy/raw/release", Status::Ok),
            ("cranelift/artifact/wasi/copy/raw/release", Status::Trap),
            ("rustc/native/bare/copy/raw/release", Status::Ok),
            ("rustc/native/emscripten/copy/raw/release", Status::Unsupported),
        ] {
            rows.push(row(cell, status, 1000.0, "00000000000000aa"));
        }
        let text = render("t", &rows);
        let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("support,")).take(4).collect();
        assert_eq!(table[1].split_whitespace().collect::<Vec<_>>(), ["compiler", "bare", "wasi", "emscripten"]);
        assert_eq!(table[2].split_whitespace().collect::<Vec<_>>(), ["cranelift", "1/1", "1/2", "-"]);
        assert_eq!(table[3].split_whitespace().collect::<Vec<_>>(), ["rustc", "1/1", "-", "unsupported"]);
    }

    #[test]
    fn runtimes_with_the_same_compiler_are_told_apart() {
        let mut rows = Vec::new();
        for (runtime, compiler, engine, environment, p50) in [
            ("native", "rustc", "native", "bare", 1000.0),
            ("wasmer", "cranelift", "artifact", "bare", 1400.0),
            ("wasmtime", "cranelift", "artifact", "bare", 1300.0),
            ("wasmi", "lazy", "artifact", "wasi", 0.0),
        ] {
            let status = if p50 > 0.0 { Status::Ok } else { Status::Unsupported };
            let cell = format!("{compiler}/{engine}/{environment}/shared/raw/release/off/default/{runtime}/host");
            rows.push(row(&cell, status, p50, "00000000000000aa"));
        }
        let text = render("t", &rows);
        let ratios: Vec<&str> =
            text.lines().skip_while(|l| !l.starts_with("round trip, wasm / native")).take(3).collect();
        let header: Vec<&str> = ratios[1].split_whitespace().collect();
        assert_eq!(header[3..], ["wasmer", "cranelift", "wasmtime", "cranelift", "wasmi", "lazy"], "{text}");
        assert!(ratios[2].contains("1.40x") && ratios[2].contains("1.30x"), "{text}");
        assert!(text.contains("wasmtime cranelift") && text.contains("wasmi lazy"), "{text}");
    }
}
