//! `runner report FILE`: a results file read back and told as tables: the run, every cell, each
//! axis's best and worst values, the codecs, the speed targets, and the noisy and failed cells.
//! The same tables come out as aligned text, Markdown (what the README's result tables are made
//! from, so no figure there is typed by hand) or JSON (numbers as numbers).

use crate::matrix::axes::{Allocator, Axis, Compiler, Environment, Profile};
use crate::matrix::Cell;
use crate::results::read;
use crate::results::row::{Row, Unit};
use crate::stats::{median, Headline};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// How `report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

impl Format {
    pub const ALL: [(Format, &'static str); 3] =
        [(Format::Text, "text"), (Format::Markdown, "markdown"), (Format::Json, "json")];
}

/// The columns a report reads; any results file since schema 1 has them.
const REQUIRED: [&str; 12] = [
    "cell",
    "compiler",
    "engine",
    "environment",
    "transport",
    "codec",
    "profile",
    "status",
    "error",
    "rt_p50_ns",
    "call_floor_p50_ns",
    "setup_ns",
];

/// The axis columns, in the order cells name them.
const AXES: [&str; 10] =
    ["compiler", "engine", "environment", "transport", "codec", "profile", "logging", "allocator", "runtime", "call"];

/// Reads a results file through the one reader ([`crate::results::read`]), refusing one that
/// lacks a column the report needs (naming them all) or holds no rows.
pub fn load(path: &Path) -> Result<Vec<Row>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read results file {}", path.display()))?;
    parse(&bytes, path)
}

/// A results file's text (named `path` in errors) as rows; what [`load`] reads, and what the
/// fuzz target `results` feeds arbitrary bytes.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Row>> {
    let mut rows = read::parse(bytes, path, &REQUIRED, "report")?.rows;
    if rows.is_empty() {
        bail!("{} holds no rows", path.display());
    }
    // Cells finish in the run's shuffled order; tell them in the matrix's: profile, allocator,
    // codec, logging, environment, transport, compiler, engine (a cell this runner cannot name goes last).
    rows.sort_by_key(|r: &Row| {
        Cell::parse(&r.cell)
            .map(|c| (c.profile, c.allocator, c.codec, c.logging, c.environment, c.transport, c.compiler, c.engine))
            .map_err(|_| r.cell.clone())
    });
    Ok(rows)
}

/// One table cell: a number (rendered with `decimals`, emitted as a JSON number) or text.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Num(f64, usize),
    Text(String),
    Missing,
}

impl Value {
    fn num(v: Option<f64>, decimals: usize) -> Value {
        v.filter(|v| v.is_finite()).map_or(Value::Missing, |v| Value::Num(v, decimals))
    }

    fn text(&self) -> String {
        match self {
            Value::Num(v, d) => format!("{v:.d$}", d = *d),
            Value::Text(t) => t.clone(),
            Value::Missing => "-".into(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Value::Num(v, d) => {
                let scale = 10f64.powi(*d as i32);
                serde_json::json!((v * scale).round() / scale)
            }
            Value::Text(t) => serde_json::json!(t),
            Value::Missing => serde_json::Value::Null,
        }
    }
}

impl From<&str> for Value {
    fn from(t: &str) -> Value {
        Value::Text(t.to_owned())
    }
}

impl From<String> for Value {
    fn from(t: String) -> Value {
        Value::Text(t)
    }
}

/// A titled table, then notes (lines of text) below it.
struct Table {
    title: String,
    header: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
    notes: Vec<String>,
}

impl Table {
    fn new(title: impl Into<String>, header: Vec<&'static str>) -> Table {
        Table { title: title.into(), header, rows: Vec::new(), notes: Vec::new() }
    }

    fn render(&self, format: Format, out: &mut String) {
        let cells: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Value::text).collect()).collect();
        match format {
            Format::Markdown => {
                let _ = writeln!(out, "### {}\n", self.title);
                if !self.rows.is_empty() {
                    let _ = writeln!(out, "| {} |", self.header.join(" | "));
                    let _ = writeln!(out, "|{}", "---|".repeat(self.header.len()));
                    for row in &cells {
                        let _ = writeln!(out, "| {} |", row.join(" | "));
                    }
                    out.push('\n');
                }
                for note in &self.notes {
                    let _ = writeln!(out, "{note}\n");
                }
            }
            Format::Text | Format::Json => {
                let _ = writeln!(out, "{}", self.title);
                let widths: Vec<usize> = (0..self.header.len())
                    .map(|i| {
                        cells
                            .iter()
                            .map(|r| r[i].chars().count())
                            .chain([self.header[i].chars().count()])
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                // Numbers right-aligned, text left-aligned, column by column.
                let numeric: Vec<bool> = (0..self.header.len())
                    .map(|i| self.rows.iter().all(|r| matches!(r[i], Value::Num(..) | Value::Missing)))
                    .collect();
                if !self.rows.is_empty() {
                    let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
                    for row in std::iter::once(&header).chain(&cells) {
                        let line: Vec<String> = row
                            .iter()
                            .zip(&widths)
                            .zip(&numeric)
                            .map(|((c, w), num)| if *num { format!("{c:>w$}") } else { format!("{c:<w$}") })
                            .collect();
                        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
                    }
                }
                for note in &self.notes {
                    let _ = writeln!(out, "  {note}");
                }
                out.push('\n');
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let object: serde_json::Map<String, serde_json::Value> =
                    self.header.iter().zip(r).map(|(h, v)| (h.to_string(), v.json())).collect();
                serde_json::Value::Object(object)
            })
            .collect();
        serde_json::json!({ "title": self.title, "rows": rows, "notes": self.notes })
    }
}

fn axis_value<'a>(row: &'a Row, axis: &str) -> &'a str {
    match axis {
        "compiler" => &row.compiler,
        "engine" => &row.engine,
        "environment" => &row.environment,
        "transport" => &row.transport,
        "codec" => &row.codec,
        "logging" => row.logging(),
        "allocator" => row.allocator(),
        "runtime" => row.runtime(),
        "call" => row.call(),
        _ => &row.profile,
    }
}

/// The report of one run.
pub struct Report<'a> {
    rows: &'a [Row],
    unit: &'static Unit,
}

impl<'a> Report<'a> {
    pub fn new(rows: &'a [Row]) -> Report<'a> {
        Report { rows, unit: Unit::of(rows) }
    }

    fn ok(&self) -> impl Iterator<Item = &'a Row> + '_ {
        self.rows.iter().filter(|r| r.status == "ok")
    }

    /// The `ok` rows of the run's baseline build, the one the codec and environment tables compare
    /// on: profile `release` with the `default` allocator if the run has it, else the build of the
    /// first `ok` row.
    fn baseline(&self) -> impl Iterator<Item = &'a Row> + '_ {
        let release = |r: &Row| r.profile == Profile::Release.name() && r.allocator() == Allocator::Default.name();
        let base = self.ok().find(|r| release(r)).or_else(|| self.ok().next());
        let key = base.map(|b| (b.profile.clone(), b.allocator().to_owned()));
        self.ok().filter(move |r| key.as_ref().is_some_and(|(p, a)| &r.profile == p && r.allocator() == a))
    }

    /// The native twin of `row`: same transport, codec, environment, profile, logging and
    /// allocator, engine `native`.
    fn twin(&self, row: &Row) -> Option<&'a Row> {
        self.ok().find(|n| n.engine == "native" && n.twin_key() == row.twin_key())
    }

    /// `row`'s round trip over its native twin's ([`Unit::ratio`]).
    pub fn native_ratio(&self, row: &Row) -> Option<f64> {
        if row.engine == "native" {
            return None;
        }
        self.unit.ratio(row, self.twin(row)?)
    }

    /// Every table of the report, in order.
    fn tables(&self) -> Vec<Table> {
        let mut tables = vec![self.run(), self.cells()];
        tables.extend(self.axes());
        tables.extend(self.runtimes());
        tables.extend(self.components());
        tables.push(self.codecs());
        tables.extend(self.environments());
        tables.extend(self.builds());
        if self.unit.name == "ns" {
            tables.push(self.targets());
            tables.push(self.against_2021());
        }
        tables.push(self.trouble());
        tables
    }

    fn run(&self) -> Table {
        let first = &self.rows[0];
        let mut t = Table::new("Run", vec!["field", "value"]);
        let ok = self.ok().count();
        let distinct = |f: fn(&Row) -> &str| {
            let mut v: Vec<&str> = self.rows.iter().map(f).collect();
            v.sort();
            v.dedup();
            v.join(", ")
        };
        for (field, value) in [
            ("run", distinct(|r| &r.run_id)),
            ("commit", distinct(|r| &r.git_commit)),
            ("machine", format!("{} ({} CPUs), {}", first.cpu_model, first.cpus, first.os)),
            ("versions", format!("Wasmer {}, {}", first.wasmer_version, first.rustc_version)),
            ("measure", format!("{} ({})", distinct(|r| &r.measure), self.unit.name)),
            ("cells", format!("{}, {ok} ok", self.rows.len())),
            ("processes per cell", distinct_num(self.rows.iter().map(|r| r.processes))),
        ] {
            t.rows.push(vec![field.into(), value.into()]);
        }
        t
    }

    fn cells(&self) -> Table {
        let u = self.unit.name;
        let mut t = Table::new(
            format!("Cells (round trip in {u}: rt = the headline, {}; best = fastest process)", Headline::NAME),
            vec![
                "cell",
                "status",
                "set-up µs",
                "cold start ms",
                "rt",
                "rt best",
                "±95%",
                "rt p99",
                "bare call",
                "wasm / native",
                "artifact KB",
            ],
        );
        for r in self.rows {
            t.rows.push(vec![
                r.cell.as_str().into(),
                r.status.as_str().into(),
                Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
                Value::num(r.cold_start_ns.map(|v| v as f64 / 1e6), 1),
                Value::num((self.unit.rt)(r), 0),
                Value::num(r.rt_proc_min_ns, 0),
                r.rt_ci().map_or(Value::Missing, |ci| format!("±{ci:.1}%").into()),
                Value::num(r.rt_p99_ns, 0),
                Value::num((self.unit.floor)(r), 1),
                Value::num(self.native_ratio(r), 2),
                Value::num(r.artifact_bytes.map(|v| v as f64 / 1e3), 0),
            ]);
        }
        t
    }

    /// Per axis with more than one value: each value's best and worst cell and the geometric
    /// means of its ratios.
    fn axes(&self) -> Vec<Table> {
        let mut tables = Vec::new();
        for axis in AXES {
            let mut values: Vec<&str> = self.rows.iter().map(|r| axis_value(r, axis)).collect();
            values.sort();
            values.dedup();
            if values.len() < 2 {
                continue;
            }
            let mut t = Table::new(
                format!("By {axis}"),
                vec![
                    axis,
                    "cells ok",
                    "best cell",
                    "best rt",
                    "worst cell",
                    "worst rt",
                    "geomean wasm / native",
                    "geomean rt / bare call",
                ],
            );
            for value in values {
                let cells: Vec<&Row> = self.ok().filter(|r| axis_value(r, axis) == value).collect();
                let ranked: Vec<(f64, &Row)> = {
                    let mut v: Vec<(f64, &Row)> =
                        cells.iter().filter_map(|r| (self.unit.rt)(r).map(|rt| (rt, *r))).collect();
                    v.sort_by(|a, b| a.0.total_cmp(&b.0));
                    v
                };
                let ratios: Vec<f64> = cells.iter().filter_map(|r| self.native_ratio(r)).collect();
                let over_floor: Vec<f64> = cells
                    .iter()
                    .filter(|r| r.engine != "native")
                    .filter_map(|r| Some((self.unit.rt)(r)? / (self.unit.floor)(r)?))
                    .collect();
                let (best, worst) = (ranked.first(), ranked.last());
                t.rows.push(vec![
                    value.into(),
                    Value::Num(cells.len() as f64, 0),
                    best.map_or(Value::Missing, |b| b.1.cell.as_str().into()),
                    Value::num(best.map(|b| b.0), 0),
                    worst.map_or(Value::Missing, |w| w.1.cell.as_str().into()),
                    Value::num(worst.map(|w| w.0), 0),
                    Value::num(geomean(&ratios), 2),
                    Value::num(geomean(&over_floor), 1),
                ]);
            }
            tables.push(t);
        }
        tables
    }

    /// Per runtime, back-end and engine, on one like-for-like cell (the baseline build, raw codec,
    /// `bare`, `shared`, logging off if the run has it): set-up, cold start, round trip, the bare call and sizes.
    /// Printed when the run has more than one wasm runtime.
    fn runtimes(&self) -> Option<Table> {
        let like = |r: &&Row| r.codec == "raw" && r.environment == "bare" && r.transport == "shared";
        // Logging off where the run has it (logging costs the same in every runtime's sink).
        let logging = if self.baseline().filter(like).any(|r| r.logging() == "off") { "off" } else { "on" };
        let cells: Vec<&Row> = self.baseline().filter(like).filter(|r| r.logging() == logging).collect();
        let mut runtimes: Vec<&str> = cells.iter().map(|r| r.runtime()).filter(|r| *r != "native").collect();
        runtimes.sort();
        runtimes.dedup();
        if runtimes.len() < 2 {
            return None;
        }
        let u = self.unit.name;
        let mut t = Table::new(
            format!("Runtimes and back-ends (raw, bare, shared, logging {logging}; round trip: the headline, in {u})"),
            vec![
                "runtime",
                "compiler",
                "engine",
                "call",
                "version",
                "compile ms",
                "set-up µs",
                "again µs",
                "cold start ms",
                "rt",
                "wasm / native",
                "bare call",
                "guests KB",
                "artifact KB",
            ],
        );
        let kb = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1e3), 0);
        for r in cells {
            t.rows.push(vec![
                r.runtime().into(),
                r.compiler.as_str().into(),
                r.engine.as_str().into(),
                r.call().into(),
                r.runtime_version.as_str().into(),
                Value::num(r.compile_ns.map(|v| v as f64 / 1e6), 2),
                Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
                Value::num(r.setup_again().map(|v| v as f64 / 1e3), 0),
                Value::num(r.cold_start_ns.map(|v| v as f64 / 1e6), 1),
                Value::num((self.unit.rt)(r), 0),
                Value::num(self.native_ratio(r), 2),
                Value::num((self.unit.floor)(r), 1),
                kb(r.producer_wasm_bytes.zip(r.consumer_wasm_bytes).map(|(p, c)| p + c)),
                kb(r.artifact_bytes),
            ]);
        }
        Some(t)
    }

    /// The Component Model beside core modules: for every compiler and engine with component
    /// cells, on the codecs they ran, bare, logging off, the baseline build: the round trip and the
    /// bare call of `copy`, `shared`, `component` (through the host) and `composed`, each call
    /// pattern, over the native twin and over the core module's `copy` (same codec; `wit` over raw).
    fn components(&self) -> Option<Table> {
        let component = |r: &Row| matches!(r.transport.as_str(), "component" | "composed");
        let backs: Vec<(&str, &str, &str)> = {
            let mut v: Vec<_> = self
                .baseline()
                .filter(|r| component(r))
                .map(|r| (r.runtime(), r.compiler.as_str(), r.engine.as_str()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        if backs.is_empty() {
            return None;
        }
        // In the run's order, the typed record last.
        let mut codecs: Vec<&str> = Vec::new();
        for r in self.baseline().filter(|r| component(r)) {
            if !codecs.contains(&r.codec.as_str()) {
                codecs.push(&r.codec);
            }
        }
        codecs.sort_by_key(|c| *c == "wit");
        let u = self.unit.name;
        let mut t = Table::new(
            format!("Component Model beside core modules (bare, logging off; headlines, {u})"),
            vec![
                "runtime",
                "compiler",
                "engine",
                "codec",
                "transport",
                "call",
                "rt",
                "over copy",
                "wasm / native",
                "bare call",
                "set-up µs",
                "guests KB",
            ],
        );
        let kb = |v: Option<u64>| Value::num(v.map(|v| v as f64 / 1e3), 0);
        for (runtime, compiler, engine) in backs {
            let here = |r: &&Row| {
                (r.runtime(), r.compiler.as_str(), r.engine.as_str()) == (runtime, compiler, engine)
                    && r.environment == "bare"
                    && r.logging() == "off"
            };
            for codec in &codecs {
                let mut rows: Vec<&Row> = self.baseline().filter(here).filter(|r| r.codec == *codec).collect();
                let order =
                    |r: &Row| ["copy", "shared", "component", "composed"].iter().position(|t| *t == r.transport);
                rows.sort_by_key(|r| (order(r), r.call().to_owned()));
                // The core modules' `copy` cell with the same codec (wit: raw), the host calling,
                // of this engine, else of the compiler's other (the same machine code: the engine
                // changes the start-up only).
                let copy_codec = if *codec == "wit" { "raw" } else { codec };
                let copy = self
                    .baseline()
                    .filter(|c| {
                        (c.runtime(), c.compiler.as_str()) == (runtime, compiler)
                            && c.environment == "bare"
                            && c.logging() == "off"
                            && c.transport == "copy"
                            && c.codec == copy_codec
                            && c.call() == "host"
                    })
                    .min_by_key(|c| c.engine != engine);
                for r in rows {
                    let over_copy = match (copy, (self.unit.rt)(r)) {
                        (Some(c), Some(rt)) if !std::ptr::eq(c, r) => (self.unit.rt)(c).map(|c| rt / c),
                        _ => None,
                    };
                    t.rows.push(vec![
                        runtime.into(),
                        compiler.into(),
                        engine.into(),
                        r.codec.as_str().into(),
                        r.transport.as_str().into(),
                        r.call().into(),
                        Value::num((self.unit.rt)(r), 0),
                        Value::num(over_copy, 2),
                        Value::num(self.native_ratio(r), 2),
                        Value::num((self.unit.floor)(r), 1),
                        Value::num(r.setup_ns.map(|v| v as f64 / 1e3), 0),
                        kb(r.producer_wasm_bytes.zip(r.consumer_wasm_bytes).map(|(p, c)| p + c)),
                    ]);
                }
            }
        }
        t.notes.push(
            "component: two component instances in one store, linked by the host (call host: the host calls produce, \
             deliver, check-reply; call import: the host implements the producer's deliver import by calling the \
             consumer's); composed: the two components plugged together ahead of time (wac-graph), the call never \
             leaving wasm. A list<u8> or the typed record (codec wit) crosses through the canonical ABI, copied by \
             the runtime from one memory into the other; \"over copy\" is over the core modules' copy cell with \
             the same codec (wit: raw) and the host calling, of the same engine where the run has it, else of \
             the compiler's other (the same machine code); components are read against the native twin under \
             copy; guests KB are the two components (composed is both, plugged)."
                .into(),
        );
        Some(t)
    }

    /// Per codec: message size, encode, decode and round trip natively and in the best wasm
    /// cell, and the best wasm cell over its twin.
    fn codecs(&self) -> Table {
        let u = self.unit.name;
        let mut t = Table::new(
            format!("Codecs ({u} per message, headline; native / best wasm cell)"),
            vec!["codec", "bytes", "encode", "decode", "round trip", "best wasm cell", "wasm / native"],
        );
        let mut codecs: Vec<&str> = Vec::new();
        for r in self.rows {
            if !codecs.contains(&r.codec.as_str()) {
                codecs.push(&r.codec);
            }
        }
        for codec in codecs {
            let of =
                |native: bool| self.baseline().filter(move |r| r.codec == codec && (r.engine == "native") == native);
            let min = |rows: Vec<&Row>, m: fn(&Row) -> Option<f64>| rows.iter().filter_map(|r| m(r)).reduce(f64::min);
            let pair = |m: fn(&Row) -> Option<f64>| {
                let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
                Value::Text(format!("{} / {}", f(min(of(true).collect(), m)), f(min(of(false).collect(), m))))
            };
            let best = of(false).filter_map(|r| (self.unit.rt)(r).map(|v| (v, r))).min_by(|a, b| a.0.total_cmp(&b.0));
            t.rows.push(vec![
                codec.into(),
                Value::num(min(self.ok().filter(|r| r.codec == codec).collect(), |r| r.request_bytes_mean), 0),
                pair(self.unit.encode),
                pair(self.unit.decode),
                pair(self.unit.rt),
                best.map_or(Value::Missing, |b| b.1.cell.as_str().into()),
                Value::num(best.and_then(|b| self.native_ratio(b.1)), 2),
            ]);
        }
        t
    }

    /// Per environment and logging, on the raw codec: what the environment costs at start and
    /// what it and logging cost per round trip, each cell against the same cell (compiler,
    /// engine, transport) under `bare` without logging. Only for runs with more than one.
    fn environments(&self) -> Option<Table> {
        let logging = |r: &Row| r.logging().to_owned();
        let raw: Vec<&Row> = self.baseline().filter(|r| r.codec == "raw").collect();
        let mut variants: Vec<(String, String)> = Vec::new();
        for r in &raw {
            let v = (r.environment.clone(), logging(r));
            if !variants.contains(&v) {
                variants.push(v);
            }
        }
        if variants.len() < 2 {
            return None;
        }
        // In the axis's order (bare, wasi, emscripten, ...), logging off before on.
        let rank = |e: &str| Environment::all().iter().position(|v| v.name() == e).unwrap_or(usize::MAX);
        variants.sort_by_key(|(e, l)| (rank(e), l.clone()));
        let u = self.unit.short;
        let mut t = Table::new(
            "Environments and logging (raw codec)",
            vec![
                "environment",
                "logging",
                "cells",
                "environment set-up µs",
                "set-up from artifacts ms",
                "wasm round trip",
                "native twin",
                "over bare, no logging",
            ],
        );
        let range = |v: &[f64], decimals: usize| -> Value {
            match (v.iter().copied().reduce(f64::min), v.iter().copied().reduce(f64::max)) {
                (Some(lo), Some(hi)) => format!("{lo:.decimals$}–{hi:.decimals$}").into(),
                _ => Value::Missing,
            }
        };
        for (environment, log) in &variants {
            let cells: Vec<&Row> =
                raw.iter().copied().filter(|r| &r.environment == environment && &logging(r) == log).collect();
            let wasm: Vec<&Row> = cells.iter().copied().filter(|r| r.engine != "native").collect();
            let env_us: Vec<f64> = wasm.iter().filter_map(|r| r.environment_ns).map(|v| v as f64 / 1e3).collect();
            let setup_ms: Vec<f64> = wasm
                .iter()
                .filter(|r| r.engine == "artifact")
                .filter_map(|r| r.setup_ns)
                .map(|v| v as f64 / 1e6)
                .collect();
            let rt: Vec<f64> = wasm.iter().filter_map(|r| (self.unit.rt)(r)).collect();
            let native: Vec<f64> =
                cells.iter().filter(|r| r.engine == "native").filter_map(|r| (self.unit.rt)(r)).collect();
            // Each cell over the same cell under bare without logging: (ratio, difference).
            let over: Vec<(f64, f64)> = cells
                .iter()
                .filter_map(|r| {
                    let base = raw.iter().find(|b| {
                        b.environment == "bare"
                            && logging(b) == "off"
                            && (&b.compiler, &b.engine, &b.transport, &b.profile, b.allocator())
                                == (&r.compiler, &r.engine, &r.transport, &r.profile, r.allocator())
                    })?;
                    let (a, b) = ((self.unit.rt)(r)?, (self.unit.rt)(base)?);
                    Some((a / b, a - b))
                })
                .collect();
            let over = if environment == "bare" && log == "off" {
                "baseline".into()
            } else {
                let ratios: Vec<f64> = over.iter().map(|o| o.0).collect();
                let diffs: Vec<f64> = over.iter().map(|o| o.1).collect();
                match (median(&ratios), median(&diffs)) {
                    (Some(r), Some(d)) => format!("median {r:.2}×, {d:+.0} {u} (over {} cells)", over.len()).into(),
                    _ => Value::Missing,
                }
            };
            t.rows.push(vec![
                environment.as_str().into(),
                log.as_str().into(),
                Value::Num(cells.len() as f64, 0),
                range(&env_us, 1),
                range(&setup_ms, 3),
                range(&rt, 0),
                range(&native, 0),
                over,
            ]);
        }
        t.notes.push(format!(
            "Ranges are min–max over the cells of that environment and logging ({u}); \"over bare, no logging\" pairs \
             each cell with the same compiler, engine and transport under bare without logging."
        ));
        Some(t)
    }

    /// Per build profile and allocator, on the raw codec, `bare`, `shared`, logging off: the guests'
    /// sizes and, per compiler, its artifacts, compile time, set-up from artifacts and round trip
    /// (the `artifact` cell; `jit` runs the same code), and the native twin built alike. Only for
    /// runs with more than one build.
    fn builds(&self) -> Option<Table> {
        let cells: Vec<&Row> = self
            .ok()
            .filter(|r| r.codec == "raw" && r.environment == "bare" && r.transport == "shared" && r.logging() == "off")
            .collect();
        let mut builds: Vec<(Profile, Allocator)> = Vec::new();
        for r in &cells {
            if let (Some(p), Some(a)) = (Profile::from_name(&r.profile), Allocator::from_name(r.allocator())) {
                if !builds.contains(&(p, a)) {
                    builds.push((p, a));
                }
            }
        }
        if builds.len() < 2 {
            return None;
        }
        builds.sort();
        let u = self.unit.short;
        let mut t = Table::new(
            "Build profiles and allocators (raw codec, bare, shared, logging off)",
            vec![
                "profile",
                "allocator",
                "compiler",
                "wasm bytes",
                "gzip bytes",
                "artifact bytes",
                "compile ms",
                "set-up ms",
                "again ms",
                "round trip",
                "over native twin",
            ],
        );
        for (profile, allocator) in builds {
            let of_build = |r: &&&Row| r.profile == profile.name() && r.allocator() == allocator.name();
            let sum = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| (a + b) as f64);
            for compiler in Compiler::all() {
                let engine = if *compiler == Compiler::Rustc { "native" } else { "artifact" };
                let Some(r) =
                    cells.iter().filter(of_build).find(|r| r.compiler == compiler.name() && r.engine == engine)
                else {
                    continue;
                };
                t.rows.push(vec![
                    profile.name().into(),
                    allocator.name().into(),
                    compiler.name().into(),
                    Value::num(sum(r.producer_wasm_bytes, r.consumer_wasm_bytes), 0),
                    Value::num(sum(r.producer_wasm_gzip_bytes, r.consumer_wasm_gzip_bytes), 0),
                    Value::num(r.artifact_bytes.map(|b| b as f64), 0),
                    Value::num(r.compile_ns.map(|v| v as f64 / 1e6), 1),
                    // Natively there is nothing to load: no set-up to tell.
                    Value::num(r.setup_ns.filter(|_| engine == "artifact").map(|v| v as f64 / 1e6), 3),
                    Value::num(r.setup_again().map(|v| v as f64 / 1e6), 3),
                    Value::num((self.unit.rt)(r), 0),
                    Value::num(self.native_ratio(r), 2),
                ]);
            }
        }
        t.notes.push(format!(
            "Sizes are both guests together; gzip at level 9. Compile is the precompiling process's compile of both \
             guests, set-up the measured process's load and instantiation of both from the artifacts (median over \
             processes), \"again\" the same set-up repeated in that process (`setup_headline_ns` over its repeats; `setup_warm_ns` before schema 8); the round trip ({u}) is the artifact cell's, over the native twin built with the same \
             profile and allocator."
        ));
        Some(t)
    }

    /// The README's speed targets, read on this run.
    fn targets(&self) -> Table {
        let mut t = Table::new("Speed targets", vec!["target", "goal", "measured", "met"]);
        // Round trip, raw, shared: the best wasm compiler over its twin, on the headline and best process.
        let raw_shared = |r: &&Row| r.codec == "raw" && r.transport == "shared" && r.logging != "on";
        let best_by = |m: fn(&Row) -> Option<f64>, pick: &dyn Fn(&&Row) -> bool| {
            self.ok()
                .filter(raw_shared)
                .filter(|r| r.engine != "native")
                .filter(pick)
                // Read against a twin: Emscripten's cells have none.
                .filter(|r| self.twin(r).is_some())
                .filter_map(|r| m(r).map(|v| (v, r)))
                .min_by(|a, b| a.0.total_cmp(&b.0))
        };
        // Per wasm runtime (Wasmer's goal is 1.2×), then the best of them (1.1×).
        let mut runtimes: Vec<&str> =
            self.ok().filter(raw_shared).map(|r| r.runtime()).filter(|r| *r != "native").collect();
        runtimes.sort();
        runtimes.dedup();
        let mut lines: Vec<(String, Option<&str>)> = runtimes
            .iter()
            .map(|rt| (format!("on {rt}"), Some(*rt)))
            .chain((runtimes.len() > 1).then(|| ("on the best runtime".to_owned(), None)))
            .collect();
        if runtimes.len() == 1 {
            lines[0].0.push_str(" (the only runtime in this run)");
        }
        for (on, runtime) in lines {
            let pick = |r: &&Row| runtime.is_none_or(|rt| r.runtime() == rt);
            let (p50, best) = (best_by(Row::rt_headline, &pick), best_by(|r| r.rt_proc_min_ns, &pick));
            let twins = (p50.and_then(|(_, w)| self.twin(w)), best.and_then(|(_, w)| self.twin(w)));
            let (Some((p50, wasm)), Some((best, wasm_best)), (Some(n50), Some(nmin))) = (p50, best, twins) else {
                continue;
            };
            let (np50, nbest) = (n50.rt_headline().unwrap_or(f64::NAN), nmin.rt_proc_min_ns.unwrap_or(f64::NAN));
            let (r50, rbest) = (p50 / np50, best / nbest);
            let goal = match runtime {
                Some("wasmer") => Some(1.2),
                None => Some(1.1),
                Some(_) => None,
            };
            t.rows.push(vec![
                format!("round trip, raw, `shared`, best wasm cell over its native twin, {on}").into(),
                goal.map_or("-".into(), |g| format!("≤ {g}×")).into(),
                format!(
                    "headline {} {p50:.0} / {np50:.0} ns = {r50:.2}×, +{:.0} ns; best process {} {best:.0} / {nbest:.0} ns = {rbest:.2}×, +{:.0} ns",
                    wasm.cell, p50 - np50, wasm_best.cell, best - nbest
                )
                .into(),
                goal.map_or("-", |g| if r50.max(rbest) <= g { "yes" } else { "no" }).into(),
            ]);
        }
        // Set-up from artifacts: the median over processes, and the fastest process.
        let artifact: Vec<&Row> = self.ok().filter(|r| r.engine == "artifact").collect();
        let setup = |m: fn(&Row) -> Option<u64>| {
            let mut v: Vec<(u64, &Row)> = artifact.iter().filter_map(|r| m(r).map(|s| (s, *r))).collect();
            v.sort_by_key(|x| x.0);
            v
        };
        let ms = |v: u64| v as f64 / 1e6;
        // "median over processes LO ms (cell) to HI ms (cell)", and whether the lowest meets 0.3 ms.
        let span = |v: &[(u64, &Row)]| {
            let (lo, hi) = (v.first()?, v.last()?);
            let text = format!(
                "median over processes {:.3} ms ({}) to {:.3} ms ({})",
                ms(lo.0),
                lo.1.cell,
                ms(hi.0),
                hi.1.cell
            );
            Some((text, if ms(lo.0) <= 0.3 { "yes" } else { "no" }))
        };
        let (medians, fastest) = (setup(|r| r.setup_ns), setup(|r| r.setup_min_ns));
        if let Some((text, met)) = span(&medians) {
            let fastest = fastest.first().map_or("-".into(), |f| format!("{:.3} ms ({})", ms(f.0), f.1.cell));
            t.rows.push(vec![
                "set-up of both guests from precompiled artifacts (load + instantiate)".into(),
                "≤ 0.3 ms".into(),
                format!("{text}; fastest process {fastest}").into(),
                met.into(),
            ]);
            // The runtimes' goal: a thousandth of the 2021 report's ~100 ms on the best of them.
            let (lo, cell) = (ms(medians[0].0), &medians[0].1.cell);
            t.rows.push(vec![
                "the same set-up on the best runtime".into(),
                "≤ 0.1 ms".into(),
                format!("median over processes {lo:.3} ms ({cell})").into(),
                (if lo <= 0.1 { "yes" } else { "no" }).into(),
            ]);
        }
        if let Some((text, met)) = span(&setup(Row::setup_again)) {
            t.rows.push(vec![
                "the same set-up again in the same process (a host that already runs wasm)".into(),
                "≤ 0.3 ms".into(),
                text.into(),
                met.into(),
            ]);
        }
        let floors: Vec<f64> = self.ok().filter(|r| r.engine != "native").filter_map(Row::floor_headline).collect();
        if let (Some(lo), Some(hi)) = (floors.iter().copied().reduce(f64::min), floors.iter().copied().reduce(f64::max))
        {
            t.rows.push(vec![
                "a bare host→guest call".into(),
                "as cheap as the runtime allows".into(),
                format!("{lo:.1}–{hi:.1} ns, headline, over every wasm cell").into(),
                "-".into(),
            ]);
        }
        t
    }

    /// The 2021 report's claims beside this run's figures (raw codec; medians over processes).
    fn against_2021(&self) -> Table {
        let mut t = Table::new("Against the 2021 report", vec!["the report", "measured here"]);
        // Like for like with the report's figures: no logging (it has its own line).
        let raw: Vec<&Row> = self.ok().filter(|r| r.codec == "raw" && r.logging != "on").collect();
        let mut compilers: Vec<&str> = Vec::new();
        for r in raw.iter().filter(|r| r.engine != "native") {
            if !compilers.contains(&r.compiler.as_str()) {
                compilers.push(&r.compiler);
            }
        }
        let range = |values: Vec<f64>, scale: f64, decimals: usize, unit: &str| {
            let (lo, hi) = (values.iter().copied().reduce(f64::min), values.iter().copied().reduce(f64::max));
            match (lo, hi) {
                (Some(lo), Some(hi)) if (hi - lo) / scale < 0.5 * 10f64.powi(-(decimals as i32)) => {
                    format!("{:.d$} {unit}", lo / scale, d = decimals)
                }
                (Some(lo), Some(hi)) => format!("{:.d$}–{:.d$} {unit}", lo / scale, hi / scale, d = decimals),
                _ => "-".into(),
            }
        };
        let per_compiler = |f: &dyn Fn(&Row) -> Option<f64>, pick: &dyn Fn(&Row) -> bool, scale, decimals, unit| {
            compilers
                .iter()
                .map(|c| {
                    let v = raw.iter().filter(|r| r.compiler == *c && pick(r)).filter_map(|r| f(r)).collect();
                    format!("{c} {}", range(v, scale, decimals, unit))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let wasm = |r: &Row| r.engine != "native";
        let floors = raw.iter().filter(|r| wasm(r)).filter_map(|r| r.floor_headline()).collect();
        t.rows.push(vec![
            "\"under 2 µs\" per simple call".into(),
            format!(
                "a bare host→guest call: {}; a whole round trip (encode, hand over, decode, the consumer's work, reply, check): {}",
                range(floors, 1.0, 1, "ns"),
                per_compiler(&Row::rt_headline, &wasm, 1e3, 2, "µs")
            )
            .into(),
        ]);
        let setups =
            raw.iter().filter(|r| r.engine == "artifact").filter_map(|r| r.setup_ns.map(|v| v as f64)).collect();
        let colds =
            raw.iter().filter(|r| r.engine == "artifact").filter_map(|r| r.cold_start_ns.map(|v| v as f64)).collect();
        t.rows.push(vec![
            "about 100 ms of set-up".into(),
            format!(
                "both guests from precompiled artifacts: {}; a cold worker process, spawn to first round trip: {}; compiling both guests in process: {}",
                range(setups, 1e6, 2, "ms"),
                range(colds, 1e6, 1, "ms"),
                per_compiler(&|r| r.compile_ns.map(|v| v as f64), &|r| r.engine == "jit", 1e6, 1, "ms")
            )
            .into(),
        ]);
        let shared_gain = |r: &Row| -> Option<f64> {
            if r.transport != "shared" || !wasm(r) {
                return None;
            }
            let copy = raw.iter().find(|c| {
                c.transport == "copy"
                    && (&c.compiler, &c.engine, &c.environment) == (&r.compiler, &r.engine, &r.environment)
            })?;
            Some(100.0 * (r.rt_headline()? / copy.rt_headline()? - 1.0))
        };
        t.rows.push(vec![
            "\"zero copy / shared memory in Rust\": not ready".into(),
            format!(
                "`shared` (one imported memory, a checked layout, nothing copied) against `copy`, headline round trip: {}",
                compilers
                    .iter()
                    .map(|c| {
                        let v: Vec<f64> =
                            raw.iter().filter(|r| r.compiler == *c).filter_map(|r| shared_gain(r)).collect();
                        let lo = v.iter().copied().reduce(f64::min).unwrap_or(f64::NAN);
                        let hi = v.iter().copied().reduce(f64::max).unwrap_or(f64::NAN);
                        format!("{c} {lo:+.0}% to {hi:+.0}%")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .into(),
        ]);
        // Logging: each cell with logging on against the same cell without, per environment.
        let mut by_environment: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for on in self.ok().filter(|r| r.codec == "raw" && r.logging == "on" && wasm(r)) {
            let off = self.ok().find(|r| {
                r.logging() == "off"
                    && (&r.compiler, &r.engine, &r.environment, &r.transport, &r.codec, &r.profile, r.allocator())
                        == (
                            &on.compiler,
                            &on.engine,
                            &on.environment,
                            &on.transport,
                            &on.codec,
                            &on.profile,
                            on.allocator(),
                        )
            });
            if let (Some(a), Some(b)) = (on.rt_headline(), off.and_then(Row::rt_headline)) {
                by_environment.entry(&on.environment).or_default().push(a - b);
            }
        }
        if !by_environment.is_empty() {
            let per: Vec<String> = by_environment
                .iter()
                .map(|(env, d)| {
                    let (lo, hi) = (
                        d.iter().copied().fold(f64::INFINITY, f64::min),
                        d.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    );
                    format!("{env} {lo:+.0} to {hi:+.0} ns ({} cells)", d.len())
                })
                .collect();
            t.rows.push(vec![
                "a call went from \"under 2 µs\" to \"under 40 µs\" when also doing some logging".into(),
                format!(
                    "one ~70-byte log line per message (formatted, then through the environment's way out), headline round trip with logging minus without, same cell: {}",
                    per.join("; ")
                )
                .into(),
            ]);
        }
        let mut codecs: Vec<&str> = self.ok().map(|r| r.codec.as_str()).collect();
        codecs.sort();
        codecs.dedup();
        let mut sums: Vec<&str> =
            self.rows.iter().filter(|r| !r.checksum.is_empty()).map(|r| r.checksum.as_str()).collect();
        sums.sort();
        sums.dedup();
        let mut runtimes: Vec<&str> = self.ok().map(|r| r.runtime()).filter(|r| *r != "native").collect();
        runtimes.sort();
        runtimes.dedup();
        // The producer calling the consumer through the host, against the host calling each.
        let import: Vec<f64> = self
            .ok()
            .filter(|r| r.call() == "import" && r.engine != "native")
            .filter_map(|r| {
                let host = self.ok().find(|h| h.call() == "host" && h.cell == r.cell.replace("/import", "/host"))?;
                Some((self.unit.rt)(r)? / (self.unit.rt)(host)?)
            })
            .collect();
        let calls = match (import.iter().copied().reduce(f64::min), import.iter().copied().reduce(f64::max)) {
            (Some(lo), Some(hi)) => format!(
                "; the producer calling the consumer through an import (`call = import`) in {} cells, round trip {lo:.2}-{hi:.2}× the host calling each",
                import.len()
            ),
            _ => String::new(),
        };
        t.rows.push(vec![
            "\"n Wasm modules that inter-communicate\": not ready".into(),
            format!(
                "two guests, {} codecs, {} compilers, {} runtimes; {} cells, {} checksum(s){calls}",
                codecs.len(),
                compilers.len(),
                runtimes.len(),
                self.ok().count(),
                sums.len()
            )
            .into(),
        ]);
        t
    }

    /// Noisy and failed cells, with reasons.
    fn trouble(&self) -> Table {
        let mut t = Table::new("Noisy and failed cells", vec!["cell", "status", "why"]);
        for r in self.rows {
            if r.status != "ok" {
                t.rows.push(vec![r.cell.as_str().into(), r.status.as_str().into(), r.error.as_str().into()]);
            } else if r.noisy == Some(true) {
                let why = format!(
                    "noisy: the 95% interval of the headline round trip is ±{:.1}%, wider than ±{}%",
                    r.rt_ci().unwrap_or(f64::NAN),
                    r.noisy_ci_pct
                );
                t.rows.push(vec![r.cell.as_str().into(), "ok".into(), why.into()]);
            }
        }
        if t.rows.is_empty() {
            t.notes.push("none: every cell ran, and no cell's interval is wider than its threshold".into());
        }
        t
    }

    pub fn render(&self, format: Format) -> String {
        let tables = self.tables();
        if format == Format::Json {
            let all: BTreeMap<usize, serde_json::Value> = tables.iter().map(Table::json).enumerate().collect();
            let list: Vec<serde_json::Value> = all.into_values().collect();
            return serde_json::to_string_pretty(&serde_json::json!({ "tables": list })).expect("json renders") + "\n";
        }
        let mut out = String::new();
        for table in &tables {
            table.render(format, &mut out);
        }
        out
    }
}

fn distinct_num(values: impl Iterator<Item = u32>) -> String {
    let mut v: Vec<u32> = values.collect();
    v.sort();
    v.dedup();
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// The geometric mean: the mean of ratios that treats ×2 and ×½ alike.
fn geomean(values: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = values.iter().filter(|v| **v > 0.0 && v.is_finite()).map(|v| v.ln()).collect();
    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cell: &str, status: &str, rt: f64) -> Row {
        let c: Vec<&str> = cell.split('/').collect();
        Row {
            schema_version: crate::results::row::SCHEMA_VERSION,
            cell: cell.into(),
            compiler: c[0].into(),
            engine: c[1].into(),
            environment: c[2].into(),
            transport: c[3].into(),
            codec: c[4].into(),
            profile: c[5].into(),
            status: status.into(),
            error: if status == "ok" { String::new() } else { "guest trapped: unreachable".into() },
            rt_p50_ns: (status == "ok").then_some(rt),
            rt_proc_min_ns: (status == "ok").then_some(rt * 0.95),
            call_floor_p50_ns: Some(if c[1] == "native" { 1.0 } else { 40.0 }),
            setup_ns: Some(300_000),
            setup_min_ns: Some(250_000),
            measure: "wall_clock".into(),
            processes: 20,
            ..Row::default()
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            row("rustc/native/bare/shared/raw/release", "ok", 1000.0),
            row("llvm/artifact/bare/shared/raw/release", "ok", 1300.0),
            row("cranelift/artifact/bare/shared/raw/release", "ok", 1500.0),
            row("rustc/native/bare/shared/json/release", "ok", 2000.0),
            row("llvm/artifact/bare/shared/json/release", "ok", 2400.0),
            row("cranelift/artifact/bare/shared/json/release", "trap", 0.0),
        ]
    }

    #[test]
    fn markdown_tables_tell_best_worst_ratios_targets_and_failures() {
        let rows = rows();
        let text = Report::new(&rows).render(Format::Markdown);
        assert!(text.contains("### By compiler") && text.contains("### By codec"), "{text}");
        assert!(!text.contains("### By transport"), "one value, no table: {text}");
        // llvm: raw 1.30x and json 1.20x over native; geometric mean sqrt(1.3 * 1.2) = 1.25
        assert!(text.contains("| llvm | 2 | llvm/artifact/bare/shared/raw/release | 1300 |"), "{text}");
        assert!(text.contains("| 1.25 |"), "{text}");
        assert!(
            text.contains("headline llvm/artifact/bare/shared/raw/release 1300 / 1000 ns = 1.30×, +300 ns"),
            "{text}"
        );
        assert!(text.contains("| cranelift/artifact/bare/shared/json/release | trap | guest trapped: unreachable |"));
        assert!(text.contains("| no |"), "targets not met are said so: {text}");
    }

    #[test]
    fn builds_are_told_apart_and_codecs_read_on_the_baseline_build() {
        let mut rows = rows();
        // The same raw cells built with opt-level "z" and talc: slower, smaller guests.
        for (cell, rt) in [
            ("rustc/native/bare/shared/raw/size/off/talc", 1200.0),
            ("llvm/artifact/bare/shared/raw/size/off/talc", 1800.0),
        ] {
            let mut r = row(cell, "ok", rt);
            r.allocator = "talc".into();
            rows.push(r);
        }
        for r in rows.iter_mut().filter(|r| r.engine == "artifact") {
            let small = r.profile == "size";
            r.producer_wasm_bytes = Some(if small { 20_000 } else { 30_000 });
            r.consumer_wasm_bytes = Some(if small { 35_000 } else { 45_000 });
            r.producer_wasm_gzip_bytes = Some(10_000);
            r.consumer_wasm_gzip_bytes = Some(15_000);
            r.setup_warm_ns = Some(if small { 150_000 } else { 170_000 });
        }
        let text = Report::new(&rows).render(Format::Markdown);
        assert!(text.contains("### Build profiles and allocators"), "{text}");
        assert!(text.contains("| release | default | llvm | 75000 | 25000 |"), "{text}");
        assert!(text.contains("| size | talc | llvm | 55000 | 25000 |"), "{text}");
        // each build over its own native twin: 1800 / 1200, not over release's 1000
        assert!(text.contains("| 0.150 | 1800 | 1.50 |"), "{text}");
        // the codec table reads the baseline build only: raw's best wasm cell is release's llvm
        assert!(text.contains("| raw |") && text.contains("1000 / 1300"), "{text}");
        // a run of one build has no such table
        assert!(!Report::new(&rows[..6]).render(Format::Markdown).contains("Build profiles"));
    }

    #[test]
    fn components_are_read_beside_the_core_copy_cell_of_their_codec() {
        let mut rows = rows();
        for (cell, call, rt, floor) in [
            ("rustc/native/bare/copy/raw/release", "host", 1000.0, 1.0),
            ("rustc/native/bare/copy/raw/release", "import", 1100.0, 1.0),
            ("cranelift/jit/bare/copy/raw/release", "host", 1600.0, 12.0),
            ("cranelift/artifact/bare/copy/raw/release", "host", 1500.0, 12.0),
            ("cranelift/artifact/bare/component/raw/release", "host", 2100.0, 105.0),
            ("cranelift/artifact/bare/composed/raw/release", "import", 1800.0, 100.0),
            ("cranelift/jit/bare/composed/wit/release", "import", 1650.0, 100.0),
        ] {
            let mut r = row(cell, "ok", rt);
            r.runtime = "wasmtime".into();
            r.call = call.into();
            r.call_floor_p50_ns = Some(floor);
            rows.push(r);
        }
        let text = Report::new(&rows).render(Format::Markdown);
        assert!(text.contains("### Component Model beside core modules"), "{text}");
        // over the same engine's copy cell: 2100 / 1500; over native copy: 2100 / 1000
        assert!(text.contains("| raw | component | host | 2100 | 1.40 | 2.10 | 105.0 |"), "{text}");
        // the composed call is `import`: over the native twin of copy x import, 1800 / 1100
        assert!(text.contains("| raw | composed | import | 1800 | 1.20 | 1.64 |"), "{text}");
        // the typed record over raw's copy cell of its own engine (jit), 1650 / 1600, and raw's twin
        assert!(text.contains("| wit | composed | import | 1650 | 1.03 | 1.50 |"), "{text}");
        // the baseline itself has no ratio over itself
        assert!(text.contains("| raw | copy | host | 1500 | - |"), "{text}");
        // a run without components has no such table
        assert!(!Report::new(&rows[..6]).render(Format::Markdown).contains("Component Model"));
    }

    #[test]
    fn json_keeps_numbers_as_numbers_and_text_aligns() {
        let rows = rows();
        let json: serde_json::Value = serde_json::from_str(&Report::new(&rows).render(Format::Json)).unwrap();
        let cells = &json["tables"][1];
        assert!(cells["title"].as_str().unwrap().starts_with("Cells"));
        assert_eq!(cells["rows"][1]["rt"], serde_json::json!(1300.0));
        assert_eq!(cells["rows"][5]["rt"], serde_json::Value::Null);
        let text = Report::new(&rows).render(Format::Text);
        assert!(text.contains("By compiler\n  compiler "), "{text}");
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, "schema_version,cell,status,error\n9,a,ok,\n").unwrap();
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("r.csv") && err.contains("compiler") && err.contains("rt_p50_ns"), "{err}");
        let mut w = csv::Writer::from_path(&path).unwrap();
        for r in rows() {
            w.serialize(r).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(load(&path).unwrap().len(), 6);
    }
}
