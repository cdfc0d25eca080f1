//! A results file's rows and its samples as [`Frame`]s, and back. The rows keep this runner's
//! columns (a file of an older schema gets its later columns empty), each typed by the [`Row`]
//! field that holds it ([`kinds`]), so that every stored run has one schema and pandas reads numbers
//! as numbers. Back from the store, the rows become a results file's text again and go through the
//! one reader ([`read::parse`]), with its checks.

use super::columnar::{Frame, Values};
use crate::results::read::{self, Table};
use crate::results::row::{header, Row};
use crate::results::samples::Sample;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::sync::OnceLock;

/// What a results column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Float,
    Bool,
}

/// Every column of this runner's schema with its kind, read off the [`Row`] type: a column whose
/// field refuses the text `x` holds numbers (whole or not) or `true`/`false`, as the reader's error
/// says; one that takes it holds text. One home for the types: a field added to `Row` is typed here
/// without a word more.
pub fn kinds() -> &'static [(String, Kind)] {
    static KINDS: OnceLock<Vec<(String, Kind)>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let names = header();
        let head = csv::StringRecord::from(names.clone());
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(Row::default()).expect("a row serializes");
        let bytes = w.into_inner().expect("in-memory writer");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let base = reader.records().next().expect("one row").expect("a row reads back");
        let kind = |k: usize| {
            let mut probe: Vec<&str> = base.iter().collect();
            probe[k] = "x";
            let Err(e) = csv::StringRecord::from(probe).deserialize::<Row>(Some(&head)) else { return Kind::Text };
            match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } if err.field() == Some(k as u64) => match err.kind() {
                    csv::DeserializeErrorKind::ParseFloat(_) => Kind::Float,
                    csv::DeserializeErrorKind::ParseInt(_) => Kind::Int,
                    csv::DeserializeErrorKind::ParseBool(_) => Kind::Bool,
                    _ => Kind::Text,
                },
                _ => Kind::Text,
            }
        };
        names.iter().enumerate().map(|(k, name)| (name.clone(), kind(k))).collect()
    })
}

/// The rows of a results file read by the one reader, as a frame of this runner's columns.
pub fn rows_frame(table: &Table) -> Result<Frame> {
    let mut frame = Frame::default();
    for (name, kind) in kinds() {
        let at = table.header.iter().position(|h| h == name);
        let text = |i: usize| at.and_then(|k| table.records[i].get(k)).filter(|v| !v.is_empty());
        let n = table.records.len();
        let place =
            |i: usize| format!("{}: row {} (line {}), column `{name}`", table.path.display(), i + 1, table.line(i));
        let values = match kind {
            Kind::Text => Values::Text((0..n).map(|i| text(i).map(str::to_owned)).collect()),
            Kind::Int => Values::Int(
                (0..n)
                    .map(|i| {
                        text(i)
                            .map(|v| v.parse::<i64>().with_context(|| place(i) + ": above 2^63, a store's bound"))
                            .transpose()
                    })
                    .collect::<Result<_>>()?,
            ),
            Kind::Float => Values::Float(
                (0..n)
                    .map(|i| text(i).map(|v| v.parse::<f64>().with_context(|| place(i))).transpose())
                    .collect::<Result<_>>()?,
            ),
            Kind::Bool => Values::Bool(
                (0..n)
                    .map(|i| text(i).map(|v| v.parse::<bool>().with_context(|| place(i))).transpose())
                    .collect::<Result<_>>()?,
            ),
        };
        frame.columns.push((name.clone(), values));
    }
    Ok(frame)
}

/// A stored frame of rows as a results table named `label`, through the one reader. A column of
/// numbers no row has a value in is left out, as the file of an older schema lacked it (the reader
/// takes such a column's default, where it would refuse an empty value in a column of whole
/// numbers); text columns stay, empty or not.
pub fn table_of(frame: &Frame, label: &Path) -> Result<Table> {
    let kept = |v: &Values| matches!(v, Values::Text(_)) || (0..v.len()).any(|i| !v.text(i).is_empty());
    let present: Vec<&(String, Values)> = frame.columns.iter().filter(|(_, v)| kept(v)).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(present.iter().map(|(name, _)| name.as_str()))?;
    for i in 0..frame.rows() {
        w.write_record(present.iter().map(|(_, values)| values.text(i)))?;
    }
    let bytes = w.into_inner().context("cannot write the rows back as CSV")?;
    read::parse(&bytes, label, &crate::compare::Run::NEEDS, "history")
}

/// The columns of a samples sidecar, in its order.
const SAMPLE_COLUMNS: [&str; 7] = ["run_id", "cell", "process", "seq", "metric", "sample", "value"];

pub fn samples_frame(samples: &[Sample]) -> Frame {
    let text = |f: fn(&Sample) -> &str| Values::Text(samples.iter().map(|s| Some(f(s).to_owned())).collect());
    let int = |f: fn(&Sample) -> u32| Values::Int(samples.iter().map(|s| Some(i64::from(f(s)))).collect());
    let columns = vec![
        text(|s| &s.run_id),
        text(|s| &s.cell),
        int(|s| s.process),
        int(|s| s.seq),
        text(|s| &s.metric),
        int(|s| s.sample),
        Values::Float(samples.iter().map(|s| Some(s.value)).collect()),
    ];
    Frame { columns: SAMPLE_COLUMNS.iter().map(|c| c.to_string()).zip(columns).collect() }
}

pub fn samples_of(frame: &Frame, label: &Path) -> Result<Vec<Sample>> {
    let names: Vec<&str> = frame.columns.iter().map(|(n, _)| n.as_str()).collect();
    let (
        [(_, Values::Text(run_id)), (_, Values::Text(cell)), (_, Values::Int(process)), (_, Values::Int(seq)), (_, Values::Text(metric)), (_, Values::Int(sample)), (_, Values::Float(value))],
        true,
    ) = (frame.columns.as_slice(), names == SAMPLE_COLUMNS)
    else {
        bail!("{} holds the columns {names:?}, not a samples table's {SAMPLE_COLUMNS:?}", label.display());
    };
    let index = |v: Option<i64>, i: usize| {
        v.and_then(|v| u32::try_from(v).ok())
            .with_context(|| format!("{}: sample row {}, not a count", label.display(), i + 1))
    };
    (0..frame.rows())
        .map(|i| {
            Ok(Sample {
                run_id: run_id[i].clone().unwrap_or_default(),
                cell: cell[i].clone().unwrap_or_default(),
                process: index(process[i], i)?,
                seq: index(seq[i], i)?,
                metric: metric[i].clone().unwrap_or_default(),
                sample: index(sample[i], i)?,
                value: value[i].unwrap_or(f64::NAN),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_by_the_row() {
        let kind = |c: &str| kinds().iter().find(|(n, _)| n == c).map(|(_, k)| *k);
        assert_eq!(kind("schema_version"), Some(Kind::Int));
        assert_eq!(kind("cell"), Some(Kind::Text));
        assert_eq!(kind("rt_p50_ns"), Some(Kind::Float));
        assert_eq!(kind("checksum"), Some(Kind::Text));
        assert_eq!(kind("modules"), Some(Kind::Text), "an axis value is text");
        assert_eq!(kinds().len(), header().len());
    }
}
