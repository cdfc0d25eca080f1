//! A table of typed, nullable columns as one Parquet file: the format of `runner history`'s store,
//! which pandas reads as it is (`pandas.read_parquet`, through pyarrow). Written with the `parquet`
//! crate's column writers (no Arrow), gzip-compressed, one row group; read back column by column.

use anyhow::{bail, Context, Result};
use parquet::basic::{Compression, GzipLevel, LogicalType, Repetition, Type as Physical};
use parquet::column::reader::{get_typed_column_reader, ColumnReader};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// One column's values, `None` where a row has none.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` as text, the way a results file writes it (empty for none).
    pub fn text(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone().unwrap_or_default(),
            Values::Int(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Float(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Bool(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        }
    }

    fn physical(&self) -> (Physical, Option<LogicalType>) {
        match self {
            Values::Text(_) => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            Values::Int(_) => (Physical::INT64, None),
            Values::Float(_) => (Physical::DOUBLE, None),
            Values::Bool(_) => (Physical::BOOLEAN, None),
        }
    }
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub columns: Vec<(String, Values)>,
}

impl Frame {
    /// Rows (every column has this many values).
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// A text column's values (`None` if it is missing or not text).
    pub fn text(&self, name: &str) -> Option<&[Option<String>]> {
        match self.column(name)? {
            Values::Text(v) => Some(v),
            _ => None,
        }
    }

    /// The frame as the bytes of a Parquet file.
    pub fn to_parquet(&self) -> Result<Vec<u8>> {
        let rows = self.rows();
        if let Some((name, v)) = self.columns.iter().find(|(_, v)| v.len() != rows) {
            bail!("column `{name}` has {} values where the others have {rows}", v.len());
        }
        let fields = self.columns.iter().map(|(name, values)| {
            let (physical, logical) = values.physical();
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        });
        let schema = Type::group_type_builder("wasmatrix").with_fields(fields.collect::<Result<_, _>>()?).build()?;
        let props = WriterProperties::builder().set_compression(Compression::GZIP(GzipLevel::default())).build();
        let mut out = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut out, Arc::new(schema), Arc::new(props))?;
        let mut group = writer.next_row_group()?;
        for (name, values) in &self.columns {
            let mut column = group.next_column()?.with_context(|| format!("no column writer for `{name}`"))?;
            match values {
                Values::Text(v) => {
                    let (def, present) = levels(v, |s| ByteArray::from(s.as_str()));
                    column.typed::<ByteArrayType>().write_batch(&present, Some(&def), None)?;
                }
                Values::Int(v) => {
                    let (def, present) = levels(v, |x| *x);
                    column.typed::<Int64Type>().write_batch(&present, Some(&def), None)?;
                }
                Values::Float(v) => {
                    let (def, present) = levels(v, |x| *x);
                    column.typed::<DoubleType>().write_batch(&present, Some(&def), None)?;
                }
                Values::Bool(v) => {
                    let (def, present) = levels(v, |x| *x);
                    column.typed::<BoolType>().write_batch(&present, Some(&def), None)?;
                }
            }
            column.close()?;
        }
        group.close()?;
        writer.close()?;
        Ok(out)
    }

    /// Reads a Parquet file this module wrote (flat, optional columns of the four kinds).
    pub fn read(path: &Path) -> Result<Frame> {
        let read = || -> Result<Frame> {
            let reader = SerializedFileReader::new(std::fs::File::open(path)?)?;
            let schema = reader.metadata().file_metadata().schema_descr_ptr();
            let mut frame = Frame::default();
            for column in schema.columns() {
                let values = match column.physical_type() {
                    Physical::BYTE_ARRAY => Values::Text(Vec::new()),
                    Physical::INT64 => Values::Int(Vec::new()),
                    Physical::DOUBLE => Values::Float(Vec::new()),
                    Physical::BOOLEAN => Values::Bool(Vec::new()),
                    other => bail!("column `{}` is {other:?}, not one of a history store's kinds", column.name()),
                };
                frame.columns.push((column.name().to_owned(), values));
            }
            for g in 0..reader.num_row_groups() {
                let group = reader.get_row_group(g)?;
                for (i, (_, values)) in frame.columns.iter_mut().enumerate() {
                    let column = group.get_column_reader(i)?;
                    match values {
                        Values::Text(v) => v.extend(
                            read_column::<ByteArrayType>(column)?
                                .into_iter()
                                .map(|b| b.map(|b| String::from_utf8_lossy(b.data()).into_owned())),
                        ),
                        Values::Int(v) => v.extend(read_column::<Int64Type>(column)?),
                        Values::Float(v) => v.extend(read_column::<DoubleType>(column)?),
                        Values::Bool(v) => v.extend(read_column::<BoolType>(column)?),
                    }
                }
            }
            Ok(frame)
        };
        read().with_context(|| format!("cannot read {} (a Parquet file of the history store)", path.display()))
    }
}

/// Definition levels (1 present, 0 none) and the present values.
fn levels<T, P>(values: &[Option<T>], present: impl Fn(&T) -> P) -> (Vec<i16>, Vec<P>) {
    let def = values.iter().map(|v| i16::from(v.is_some())).collect();
    (def, values.iter().flatten().map(present).collect())
}

/// One column chunk, each row's value or `None`.
fn read_column<T: DataType>(reader: ColumnReader) -> Result<Vec<Option<T::T>>> {
    let mut typed = get_typed_column_reader::<T>(reader);
    let (mut def, mut present) = (Vec::new(), Vec::new());
    while typed.read_records(8192, Some(&mut def), None, &mut present)?.0 > 0 {}
    let mut present = present.into_iter();
    def.into_iter()
        .map(|d| Ok(if d > 0 { Some(present.next().context("fewer values than levels")?) } else { None }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_as_written() {
        let frame = Frame {
            columns: vec![
                ("cell".into(), Values::Text(vec![Some("a/b".into()), None, Some(String::new())])),
                ("n".into(), Values::Int(vec![Some(-3), Some(i64::MAX), None])),
                ("ns".into(), Values::Float(vec![None, Some(2369.4), Some(0.1)])),
                ("noisy".into(), Values::Bool(vec![Some(true), None, Some(false)])),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        std::fs::write(&path, frame.to_parquet().unwrap()).unwrap();
        let back = Frame::read(&path).unwrap();
        assert_eq!(back, frame);
        assert_eq!(back.column("ns").unwrap().text(1), "2369.4");
        assert_eq!(back.column("n").unwrap().text(2), "");
    }

    #[test]
    fn columns_of_unequal_length_are_refused() {
        let frame =
            Frame { columns: vec![("a".into(), Values::Int(vec![Some(1)])), ("b".into(), Values::Int(vec![]))] };
        let e = frame.to_parquet().unwrap_err().to_string();
        assert!(e.contains("column `b` has 0 values where the others have 1"), "{e}");
    }

    #[test]
    fn a_file_that_is_not_parquet_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        std::fs::write(&path, b"schema_version,cell\n").unwrap();
        let e = format!("{:#}", Frame::read(&path).unwrap_err());
        assert!(e.contains("x.parquet") && e.contains("history store"), "{e}");
    }
}
