//! A results row as the read side sees it: its cell ([`Row::cell`], the axis values older schemas
//! left out read as they meant them) and status ([`Row::status`]) typed, its native twin, its
//! headline figures, and the [`Unit`] the summary and `runner report` read them in.

use super::row::Row;
use super::status::Status;
use crate::matrix::axes::{Allocator, Axis, Call, Engine, Instantiate, Logging, Modules, Records, Release, Runtime};
use crate::matrix::Cell;
use wasmatrix_core::measure::MechanismKind;

/// The schema whose rows name their native twin (`twin_cell`).
const TWIN_CELL_SINCE: u32 = 11;

/// The schema whose rows hold the `instantiate` axis, instantiation as a distribution and the
/// memory a cell holds (docs/instantiate.md).
const INSTANTIATION_SINCE: u32 = 12;

impl Row {
    /// The headline round trip, ns: `rt_headline_ns`, or `rt_p50_ns` in files before schema 8.
    pub fn rt_headline(&self) -> Option<f64> {
        self.rt_headline_ns.or(self.rt_p50_ns)
    }

    /// The bare call's headline, ns (`call_floor_p50_ns` before schema 8).
    pub fn floor_headline(&self) -> Option<f64> {
        self.call_floor_headline_ns.or(self.call_floor_p50_ns)
    }

    /// Half the headline round trip's 95% interval, percent (`rt_ci_pct` before schema 8).
    pub fn rt_ci(&self) -> Option<f64> {
        self.rt_headline_ci_pct.or(self.rt_ci_pct)
    }

    /// The set-up again in the same process, ns: its headline over the repeats
    /// (`setup_headline_ns`), or before schema 8 the one repeat's median over processes.
    pub fn setup_again(&self) -> Option<u64> {
        self.setup_headline_ns.map(|v| v.round() as u64).or(self.setup_warm_ns)
    }

    /// Whether the row measured instantiation as a distribution (schema 12: its
    /// `instantiate_p50_ns`); older rows, unsupported cells and instruction counts have not. Its
    /// other figures are the columns themselves, each `None` where not measured or before schema 12.
    pub fn has_instantiations(&self) -> bool {
        self.instantiate_p50_ns.is_some()
    }

    /// Pairs recorded per process (`[measure] instantiations`); `None` before schema 12 or where
    /// none were asked for.
    pub fn instantiations_per_process(&self) -> Option<u32> {
        Some(self.instantiations).filter(|&n| self.schema_version >= INSTANTIATION_SINCE && n > 0)
    }

    /// Pairs made and dropped per second by several threads at once, and how many threads
    /// (`instantiations_per_s_parallel`, `instantiate_threads`); `None` where not measured (before
    /// schema 12, a worker that does not share its engine across threads).
    pub fn instantiations_parallel(&self) -> Option<(f64, u32)> {
        let threads = Some(self.instantiate_threads).filter(|&n| self.schema_version >= INSTANTIATION_SINCE && n > 0);
        self.instantiations_per_s_parallel.zip(threads)
    }

    /// The row's cell: from its axis columns (those a file's older schema lacks read as its cells
    /// meant them), or in a file without them, from its name ([`Cell::parse`], which reads older
    /// names alike). An error for a row naming a value this runner does not know.
    pub fn cell(&self) -> Result<Cell, String> {
        if self.compiler.is_empty() {
            Cell::parse(&self.cell)
        } else {
            self.axes_cell()
        }
    }

    /// Whether the row has a cell and `pred` holds for it.
    pub fn cell_is(&self, pred: impl FnOnce(Cell) -> bool) -> bool {
        self.cell().is_ok_and(pred)
    }

    /// The row's status; `None` for one this runner does not know (or none).
    pub fn status(&self) -> Option<Status> {
        Status::parse(&self.status).ok()
    }

    /// Whether the cell ran to the end (status `ok`).
    pub fn is_ok(&self) -> bool {
        self.status() == Some(Status::Ok)
    }

    /// The row's cell, from its axis columns. Those a file's older schema lacks read as its cells
    /// meant them: no logging (schema 2), the default allocator (before schema 5), Wasmer, or
    /// native for the native engine (before schema 6), the host calling each guest (before 7), each
    /// pair instantiated fresh (before 12), one record per message (before 14), two modules (before
    /// 15), each runtime's own release (before 16).
    fn axes_cell(&self) -> Result<Cell, String> {
        /// The column's value, or `older` where the file has none.
        fn value<A: Axis>(name: &str, older: A) -> Result<A, String> {
            if name.is_empty() {
                Ok(older)
            } else {
                A::parse(name)
            }
        }
        let engine = Engine::parse(&self.engine)?;
        Ok(Cell {
            compiler: Axis::parse(&self.compiler)?,
            engine,
            environment: Axis::parse(&self.environment)?,
            transport: Axis::parse(&self.transport)?,
            codec: Axis::parse(&self.codec)?,
            profile: Axis::parse(&self.profile)?,
            logging: value(&self.logging, Logging::Off)?,
            allocator: value(&self.allocator, Allocator::Default)?,
            runtime: value(&self.runtime, if engine == Engine::Native { Runtime::Native } else { Runtime::Wasmer })?,
            call: value(&self.call, Call::Host)?,
            instantiate: value(&self.instantiate, Instantiate::Fresh)?,
            records: value(&self.records, Records::One)?,
            modules: value(&self.modules, Modules::Two)?,
            release: value(&self.release, Release::Default)?,
        })
    }

    /// The row's native twin: its `twin_cell` (none if empty), or in files before schema 11, which
    /// lack the column, what [`Cell::native_twin`] says of the row's cell.
    pub fn twin(&self) -> Option<Cell> {
        if self.schema_version >= TWIN_CELL_SINCE {
            (!self.twin_cell.is_empty()).then(|| Cell::parse(&self.twin_cell).ok()).flatten()
        } else {
            self.axes_cell().ok()?.native_twin()
        }
    }
}

/// Which columns hold a run's figures: time (`--measure wall_clock`) or instruction counts. The
/// summary and `runner report` read rows through it.
pub struct Unit {
    /// "ns" or "instructions".
    pub name: &'static str,
    /// The same, short enough for a column header.
    pub short: &'static str,
    /// The headline round trip (`rt_headline_ns`; `rt_p50_ns` in files before schema 8), and the
    /// best process's (for counts, the count itself).
    pub rt: fn(&Row) -> Option<f64>,
    /// The round trip in reference ops, each process against its own reference (none for counts).
    pub rt_ref: fn(&Row) -> Option<f64>,
    pub best: fn(&Row) -> Option<f64>,
    pub floor: fn(&Row) -> Option<f64>,
    pub encode: fn(&Row) -> Option<f64>,
    pub decode: fn(&Row) -> Option<f64>,
}

impl Unit {
    pub const NS: Unit = Unit {
        name: "ns",
        short: "ns",
        rt: Row::rt_headline,
        rt_ref: |r| r.rt_ref_headline,
        best: |r| r.rt_proc_min_ns,
        floor: Row::floor_headline,
        encode: |r| r.encode_headline_ns.or(r.encode_p50_ns),
        decode: |r| r.decode_headline_ns.or(r.decode_p50_ns),
    };

    pub const INSTRUCTIONS: Unit = Unit {
        name: "instructions",
        short: "instr",
        rt: |r| r.rt_instructions,
        rt_ref: |_| None,
        best: |r| r.rt_instructions,
        floor: |r| r.call_floor_instructions,
        encode: |r| r.encode_instructions,
        decode: |r| r.decode_instructions,
    };

    /// The unit of a run's rows.
    pub fn of(rows: &[Row]) -> &'static Unit {
        if rows.iter().any(|r| r.measure == MechanismKind::Instructions.name()) {
            &Unit::INSTRUCTIONS
        } else {
            &Unit::NS
        }
    }

    /// `wasm`'s round trip over `native`'s (its twin): read against the in-process reference
    /// where both rows have it (`rt_ref_headline`, schema 9: each process's speed at that moment
    /// cancels out, so the ratio holds on a machine whose speed drifts), else their headlines.
    pub fn ratio(&self, wasm: &Row, native: &Row) -> Option<f64> {
        if let (Some(w), Some(n)) = ((self.rt_ref)(wasm), (self.rt_ref)(native)) {
            return Some(w / n);
        }
        Some((self.rt)(wasm)? / (self.rt)(native)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `cell` as a file of schema `schema` holds it: the columns that schema lacks empty.
    fn row_of(cell: &str, schema: u32) -> Row {
        let mut row = Row { schema_version: schema, cell: cell.into(), ..Row::of_cell(&Cell::parse(cell).unwrap()) };
        for (since, column) in
            [(3, &mut row.logging), (5, &mut row.allocator), (6, &mut row.runtime), (7, &mut row.call)]
        {
            if schema < since {
                column.clear();
            }
        }
        if schema < TWIN_CELL_SINCE {
            row.twin_cell.clear();
        }
        row
    }

    #[test]
    fn a_row_names_its_twin_and_older_rows_find_it_as_core_says() {
        let twin = |row: &Row| row.twin().map(|t| t.to_string());
        let wasm = "winch/jit/wasi/composed/wit/size/on/talc/wasmtime/import";
        let expected = Some("rustc/native/wasi/copy/raw/size/on/talc/native/import/fresh".to_owned());
        assert_eq!(row_of(wasm, 11).twin_cell, expected.clone().unwrap());
        assert_eq!(twin(&row_of(wasm, 11)), expected);
        assert_eq!(twin(&row_of(wasm, 10)), expected, "before the column: from the axes, as core says");
        assert_eq!(row_of(wasm, 10).axes_cell(), Cell::parse(wasm));
        // Files before schema 6 and 3: the runtime, the logging and the call their cells meant.
        let old = row_of("llvm/artifact/bare/shared/raw/release", 2);
        assert_eq!(twin(&old).as_deref(), Some("rustc/native/bare/shared/raw/release/off/default/native/host/fresh"));
        // None: the twin itself, Emscripten's output, a row whose column is empty.
        assert_eq!(twin(&row_of("rustc/native/bare/copy/raw/release/off/default/native/host", 11)), None);
        assert_eq!(twin(&row_of("rustc/native/bare/copy/raw/release/off/default/native/host", 10)), None);
        assert_eq!(twin(&row_of("cranelift/jit/emscripten/copy/raw/release/off/default/wasmer/host", 11)), None);
        assert_eq!(twin(&row_of("cranelift/jit/emscripten/copy/raw/release/off/default/wasmer/host", 9)), None);
        // The column, where there is one, is what the row says.
        let mut told = row_of(wasm, 11);
        told.twin_cell = "rustc/native/bare/copy/json/release/off/default/native/host/fresh".into();
        assert_eq!(twin(&told).as_deref(), Some(told.twin_cell.as_str()));
        told.twin_cell.clear();
        assert_eq!(twin(&told), None);
    }

    #[test]
    fn a_row_gives_back_its_cell_and_status_typed() {
        use crate::matrix::axes::{Engine, Runtime};
        let wasm = "winch/jit/wasi/composed/wit/size/on/talc/wasmtime/import";
        let row = Row { status: "ok".into(), ..row_of(wasm, 11) };
        assert_eq!(row.cell().map(|c| c.to_string()), Ok(format!("{wasm}/fresh")), "before schema 12: fresh");
        assert!(row.is_ok() && row.cell_is(|c| c.runtime == Runtime::Wasmtime));
        // Files before schema 6: the runtime their cells meant, from the columns.
        let old = row_of("llvm/artifact/bare/shared/raw/release", 2);
        assert_eq!(
            old.cell().map(|c| c.to_string()).as_deref(),
            Ok("llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh")
        );
        // A file without the axis columns: the name.
        let named = Row { cell: "rustc/native/bare/copy/raw/release".into(), ..Row::default() };
        assert!(named.cell_is(|c| c.engine == Engine::Native && c.runtime == Runtime::Native));
        // What this runner cannot name.
        let unknown = Row { engine: "aot".into(), ..row_of(wasm, 11) };
        assert!(unknown.cell().unwrap_err().contains("unknown engine `aot`"));
        assert!(!unknown.cell_is(|_| true));
        for (status, typed) in [("unsupported", Some(Status::Unsupported)), ("", None), ("weird", None)] {
            assert_eq!(Row { status: status.into(), ..Row::default() }.status(), typed);
        }
        assert!(!Row::default().is_ok());
    }

    /// `rows` as a results file's text, its columns those up to `last` (an older schema's file).
    fn csv_up_to(rows: &[Row], last: &str) -> Vec<u8> {
        let mut full = csv::Writer::from_writer(Vec::new());
        rows.iter().for_each(|r| full.serialize(r).unwrap());
        let text = full.into_inner().unwrap();
        let mut reader = csv::Reader::from_reader(&text[..]);
        let keep = reader.headers().unwrap().iter().position(|h| h == last).unwrap() + 1;
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(reader.headers().unwrap().iter().take(keep)).unwrap();
        for record in reader.records() {
            out.write_record(record.unwrap().iter().take(keep)).unwrap();
        }
        out.into_inner().unwrap()
    }

    #[test]
    fn schema_12_figures_read_typed_and_older_files_have_none() {
        use crate::matrix::axes::Instantiate;
        use crate::results::read;
        let cell = Cell::parse("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host/pooled").unwrap();
        let row = Row {
            status: "ok".into(),
            prepare_ns: Some(40_000),
            instantiate_p50_ns: Some(4_200.5),
            instantiate_p99_ns: Some(9_000.0),
            teardown_ns: Some(800.0),
            instantiations: 20,
            instantiate_threads: 2,
            instantiations_per_s: Some(150_000.0),
            instantiations_per_s_parallel: Some(280_000.0),
            rss_after_setup_kib: Some(30_000),
            producer_memory_pages: Some(17),
            consumer_memory_pages: Some(18),
            reserved_kib: Some(4_194_304),
            instantiate_rss_growth_kib: Some(0.0),
            ..Row::of_cell(&cell)
        };
        let path = std::path::Path::new("run.csv");
        let now = &read::parse(&csv_up_to(std::slice::from_ref(&row), "instantiate_rss_growth_kib"), path, &[], "t")
            .unwrap()
            .rows[0];
        assert_eq!(now.cell(), Ok(cell));
        assert!(now.has_instantiations());
        assert_eq!(
            (now.instantiate_p50_ns, now.teardown_ns, now.reserved_kib),
            (Some(4_200.5), Some(800.0), Some(4_194_304))
        );
        assert_eq!(now.instantiations_per_process(), Some(20));
        assert_eq!(now.instantiations_parallel(), Some((280_000.0, 2)));
        // A file of schema 11 has none of these columns: its cells are fresh, their figures none.
        let old = Row { schema_version: 11, ..row };
        let old = &read::parse(&csv_up_to(&[old], "twin_cell"), path, &[], "t").unwrap().rows[0];
        assert!(old.cell_is(|c| c.instantiate == Instantiate::Fresh));
        assert!(!old.has_instantiations());
        assert_eq!((old.instantiations_per_process(), old.instantiations_parallel()), (None, None));
        assert_eq!((old.prepare_ns, old.instantiate_p99_ns, old.instantiations_per_s), (None, None, None));
        assert_eq!((old.rss_after_setup_kib, old.producer_memory_pages, old.consumer_memory_pages), (None, None, None));
        assert_eq!((old.reserved_kib, old.instantiate_rss_growth_kib), (None, None));
        // Counts a schema 12 row leaves at zero (none asked for, one thread only) read as none.
        let single = Row { instantiations: 0, instantiations_per_s_parallel: None, ..Row::of_cell(&cell) };
        assert_eq!((single.instantiations_per_process(), single.instantiations_parallel()), (None, None));
    }
}
