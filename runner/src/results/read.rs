//! Reading a results file back: the one reader of `runner report`, `compare`, `calibrate` and
//! `merge`, with one set of rules. A file is refused (the commands exit 2), the error naming the
//! file, the row and line, the column and what it allows, when:
//! - it is not a wasmatrix results file: empty, not UTF-8 text, not CSV, or its first column is not
//!   `schema_version` ([`not_a_results_file`], which resuming a run uses too);
//! - it lacks a column the command needs;
//! - a row has another number of fields than the header, a value its column cannot hold (a number
//!   column holding `abc`), no cell name, or a `schema_version` this runner does not know (a newer
//!   runner's file: the versions it reads are named).
//!
//! A results file's samples sidecar is checked against it ([`check_sidecar`]): a sidecar holding
//! samples, none of a run the rows are of (another run's sidecar), or fewer `ok` processes of a
//! cell than its `ok` row's `processes` (a sidecar cut short, for example at a gzip member's end),
//! is refused.

use super::metric::Metric;
use super::row::{Row, SCHEMA_VERSION};
use super::samples::Sample;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A results file as read: its header, and each row both as written and as a [`Row`] (columns its
/// schema lacks left empty).
pub struct Table {
    pub path: PathBuf,
    pub header: csv::StringRecord,
    /// The rows as written (in file order), each with its position.
    pub records: Vec<csv::StringRecord>,
    /// The same rows, read.
    pub rows: Vec<Row>,
}

impl Table {
    /// The line row `i` (0-based) starts on.
    pub fn line(&self, i: usize) -> u64 {
        self.records[i].position().map_or(i as u64 + 2, |p| p.line())
    }
}

/// Reads the results file at `path`; `needs` are the columns the reading command (`by`) needs.
pub fn load(path: &Path, needs: &[&str], by: &str) -> Result<Table> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read results file {}", path.display()))?;
    parse(&bytes, path, needs, by)
}

/// Why `bytes` are not a wasmatrix results file, if they are not: empty, not UTF-8, not CSV, or a
/// first column other than `schema_version`. Says nothing of the rows.
pub fn not_a_results_file(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("it is empty".into());
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Some(format!("it is not text: byte {at} (line {line}) is not UTF-8"));
    }
    let mut reader = csv::Reader::from_reader(bytes);
    match reader.headers() {
        Err(e) => Some(format!("its first line is not CSV ({e})")),
        Ok(h) if h.get(0) != Some("schema_version") => Some(format!(
            "its first column is `{}`, where a results file's is `schema_version`",
            h.get(0).unwrap_or_default().chars().take(40).collect::<String>()
        )),
        Ok(_) => None,
    }
}

/// A results file's bytes (named `path` in errors) as a [`Table`]; see the module documentation
/// for the rules. What [`load`] reads, and what the fuzz targets feed arbitrary bytes.
pub fn parse(bytes: &[u8], path: &Path, needs: &[&str], by: &str) -> Result<Table> {
    if let Some(why) = not_a_results_file(bytes) {
        bail!("{} is not a wasmatrix results file: {why}", path.display());
    }
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().with_context(|| format!("cannot read the header of {}", path.display()))?.clone();
    let missing: Vec<String> =
        needs.iter().filter(|c| !header.iter().any(|h| h == **c)).map(|c| format!("`{c}`")).collect();
    if !missing.is_empty() {
        let all: Vec<String> = needs.iter().map(|c| format!("`{c}`")).collect();
        bail!(
            "results file {} lacks the column(s) {} ({by} needs {})",
            path.display(),
            missing.join(", "),
            all.join(", ")
        );
    }
    let mut table = Table { path: path.to_owned(), header, records: Vec::new(), rows: Vec::new() };
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| not_csv(e, path, i + 1))?;
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        let at = |what: String| format!("{}: row {} (line {line}), {what}", path.display(), i + 1);
        let row: Row = record.deserialize(Some(&table.header)).map_err(|e| {
            let (column, allowed) = explain(&e, &table.header);
            let value = column.and_then(|c| table.header.iter().position(|h| h == c)).and_then(|k| record.get(k));
            anyhow::anyhow!(at(match (column, value) {
                (Some(c), Some(v)) => format!("column `{c}`: `{v}` is not allowed; allowed: {allowed}"),
                _ => format!("cannot be read: {e}"),
            }))
        })?;
        if !(1..=SCHEMA_VERSION).contains(&row.schema_version) {
            bail!(at(format!(
                "column `schema_version`: `{}`: this runner reads schema versions 1 to {SCHEMA_VERSION} (a newer \
                 runner's file? read it with that runner)",
                row.schema_version
            )));
        }
        if table.header.iter().any(|h| h == "cell") && row.cell.trim().is_empty() {
            bail!(at("column `cell`: empty; allowed: a cell's name (`compiler/engine/environment/...`)".into()));
        }
        table.records.push(record);
        table.rows.push(row);
    }
    Ok(table)
}

/// A record the CSV reader could not split, as an error naming the file, row and line.
fn not_csv(e: csv::Error, path: &Path, row: usize) -> anyhow::Error {
    let line = e.position().map_or_else(|| "?".into(), |p| p.line().to_string());
    let why = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields where the header has {expected_len}")
        }
        _ => format!("is not CSV ({e})"),
    };
    anyhow::anyhow!("{}: row {row} (line {line}) {why}", path.display())
}

/// The column a row's value could not be read in, and what that column allows.
fn explain<'h>(e: &csv::Error, header: &'h csv::StringRecord) -> (Option<&'h str>, String) {
    let csv::ErrorKind::Deserialize { err, .. } = e.kind() else { return (None, String::new()) };
    let column = err.field().and_then(|k| header.get(k as usize));
    let kind = match err.kind() {
        csv::DeserializeErrorKind::ParseFloat(_) => "a number",
        csv::DeserializeErrorKind::ParseInt(_) => "a whole number, 0 or more",
        csv::DeserializeErrorKind::ParseBool(_) => "`true` or `false`",
        _ => "a value of the column's kind (results/README.md)",
    };
    let or_empty = column.is_some_and(accepts_empty);
    (column, if or_empty { format!("{kind}, or empty (not measured)") } else { kind.to_owned() })
}

/// Whether `column` may be empty: a row with only that column, empty, reads.
fn accepts_empty(column: &str) -> bool {
    let header = csv::StringRecord::from(vec![column]);
    csv::StringRecord::from(vec![""]).deserialize::<Row>(Some(&header)).is_ok()
}

/// Checks a sidecar's samples against the results file they came beside: some are of a run the
/// rows are of (if the rows name one), and every `ok` row's cell has at least the row's `processes`
/// processes of its run that did not fail (`ok` sample 1, or none: files before the `ok` sample).
/// Errors name both files and say how to mend.
pub fn check_sidecar(table: &Table, samples: &[Sample], sidecar: &Path) -> Result<()> {
    let runs: BTreeSet<&str> = table.rows.iter().map(|r| r.run_id.as_str()).filter(|r| !r.is_empty()).collect();
    // Samples of other runs beside the rows' own are not the rows' (a run interrupted before its
    // first row, then started over under another run id, leaves them): they are never read. A
    // sidecar with none of the rows' own is another run's.
    let of_the_rows = samples.iter().any(|s| runs.contains(s.run_id.as_str()));
    if let Some(stranger) = samples.first().filter(|_| !runs.is_empty() && !of_the_rows) {
        bail!(
            "{} is not the samples sidecar of {}: it holds samples of run `{}`, and the file's rows are of run(s) {}; \
             put the file's own sidecar beside it (as {}), or compare the results file of that run",
            sidecar.display(),
            table.path.display(),
            stranger.run_id,
            runs.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "),
            sidecar.display()
        );
    }
    // (run id, cell) -> process -> ended ok (true unless an `ok` sample says otherwise).
    let mut processes: BTreeMap<(&str, &str), BTreeMap<u32, bool>> = BTreeMap::new();
    for s in samples {
        let ok = processes.entry((&s.run_id, &s.cell)).or_default().entry(s.process).or_insert(true);
        if s.is(Metric::Ok) {
            *ok = s.value == 1.0;
        }
    }
    for (i, row) in table.rows.iter().enumerate() {
        if !row.is_ok() || row.processes == 0 {
            continue;
        }
        let held = processes
            .get(&(row.run_id.as_str(), row.cell.as_str()))
            .map_or(0, |p| p.values().filter(|ok| **ok).count());
        if held < row.processes as usize {
            bail!(
                "{} holds {held} ok process(es) of cell {}, whose row in {} (line {}) says `processes` {}: the \
                 sidecar is cut short (copied before the run ended, or cut at a gzip member's end) or is not this \
                 file's; copy the whole sidecar the run wrote beside the file again (for a merge: merge again with \
                 every shard's sidecar beside it)",
                sidecar.display(),
                row.cell,
                table.path.display(),
                table.line(i),
                row.processes
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "schema_version,run_id,cell,status,error,rt_p50_ns,processes,noisy";

    fn err(text: &str) -> String {
        format!("{:#}", parse(text.as_bytes(), Path::new("r.csv"), &["cell", "status"], "test").err().expect("refused"))
    }

    #[test]
    fn a_good_file_reads_with_its_lines() {
        let text = format!("{HEAD}\n9,r1,a,ok,,12.5,3,false\n9,r1,b,error,\"two\nlines\",,1,\n9,r1,c,ok,,1,1,\n");
        let table = parse(text.as_bytes(), Path::new("r.csv"), &["cell"], "test").unwrap();
        assert_eq!(table.rows.iter().map(|r| r.cell.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!((0..3).map(|i| table.line(i)).collect::<Vec<_>>(), [2, 3, 5]);
        assert_eq!(table.rows[0].rt_p50_ns, Some(12.5));
    }

    #[test]
    fn what_cannot_be_used_is_refused_naming_file_row_line_column_and_what_is_allowed() {
        let e = err(&format!("{HEAD}\n9,r1,a,ok,,12.5,3,\n9,r1,b,ok,,abc,3,\n"));
        assert!(
            e.contains("r.csv: row 2 (line 3), column `rt_p50_ns`: `abc` is not allowed; allowed: a number, or empty"),
            "{e}"
        );
        let e = err(&format!("{HEAD}\n9,r1,a,ok,,1,x,\n"));
        assert!(e.contains("column `processes`: `x`") && e.contains("a whole number") && !e.contains("empty"), "{e}");
        let e = err(&format!("{HEAD}\n9,r1,a,ok,,1,1,maybe\n"));
        assert!(e.contains("column `noisy`") && e.contains("`true` or `false`"), "{e}");
        let e = err(&format!("{HEAD}\n99,r1,a,ok,,1,1,\n"));
        assert!(
            e.contains("row 1 (line 2), column `schema_version`: `99`")
                && e.contains(&format!("versions 1 to {}", crate::results::row::SCHEMA_VERSION)),
            "{e}"
        );
        let e = err(&format!("{HEAD}\n9,r1,,ok,,1,1,\n"));
        assert!(e.contains("column `cell`: empty"), "{e}");
        let e = err(&format!("{HEAD}\n9,r1,a,ok\n"));
        assert!(e.contains("row 1 (line 2) has 4 fields where the header has 8"), "{e}");
        let e = err("schema_version,cell\n9,a\n");
        assert!(e.contains("lacks the column(s) `status` (test needs `cell`, `status`)"), "{e}");
    }

    #[test]
    fn other_files_are_not_results_files() {
        assert!(err("").contains("r.csv is not a wasmatrix results file: it is empty"));
        let e = err("name,value\nx,1\n");
        assert!(e.contains("r.csv is not a wasmatrix results file: its first column is `name`"), "{e}");
        let e = format!("{:#}", parse(b"schema_version\n\xff\xfe\n", Path::new("b.bin"), &[], "t").err().unwrap());
        assert!(e.contains("b.bin is not a wasmatrix results file: it is not text: byte 15 (line 2)"), "{e}");
    }

    #[test]
    fn a_sidecar_of_another_run_or_cut_short_is_refused() {
        let text = format!("{HEAD}\n9,r1,a,ok,,1,2,\n9,r1,b,crash,,,1,\n");
        let table = parse(text.as_bytes(), Path::new("r.csv"), &[], "t").unwrap();
        let s = |run: &str, process, metric: &str, value| Sample {
            run_id: run.into(),
            cell: "a".into(),
            process,
            seq: process,
            metric: metric.into(),
            sample: 0,
            value,
        };
        let side = Path::new("r.samples.csv.gz");
        check_sidecar(&table, &[s("r1", 0, "rt_ns", 1.0), s("r1", 1, "rt_ns", 1.0), s("r1", 1, "ok", 1.0)], side)
            .unwrap();
        let stray = [s("r0", 0, "rt_ns", 9.0), s("r1", 0, "rt_ns", 1.0), s("r1", 1, "rt_ns", 1.0)];
        check_sidecar(&table, &stray, side).expect("another run's samples beside the rows' own are left alone");
        let e = format!("{:#}", check_sidecar(&table, &[s("r2", 0, "rt_ns", 1.0)], side).unwrap_err());
        assert!(e.contains("not the samples sidecar of r.csv: it holds samples of run `r2`"), "{e}");
        let short = [s("r1", 0, "rt_ns", 1.0), s("r1", 1, "ok", 0.0)];
        let e = format!("{:#}", check_sidecar(&table, &short, side).unwrap_err());
        assert!(e.contains("holds 1 ok process(es) of cell a, whose row in r.csv (line 2) says `processes` 2"), "{e}");
    }
}
