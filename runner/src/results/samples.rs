//! The raw-samples sidecar: every sample every worker process measured, beside the results file
//! as `<results stem>.samples.csv.gz`, in tidy form (one row per cell, process, metric and sample).
//! Every statistic of a row, `runner compare` and the notebooks are computed from it.
//!
//! Each worker process's samples are appended as one gzip member with a single write and synced,
//! so a killed run keeps every finished process; gzip readers (Python's `gzip`, pandas, flate2's
//! `MultiGzDecoder`) read the concatenated members as one CSV. Only the first member carries the
//! header.

use super::metric::Metric;
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The columns, in order.
pub const HEADER: [&str; 7] = ["run_id", "cell", "process", "seq", "metric", "sample", "value"];

/// One sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub run_id: String,
    /// The cell's name, as in the results file's `cell` column.
    pub cell: String,
    /// Which of the cell's worker processes (0-based).
    pub process: u32,
    /// The process's position in the run's schedule (0-based): the order processes ran in.
    pub seq: u32,
    /// What was measured: a [`Metric`]'s name, its unit in the name (`rt_ns`, `call_floor_ns`,
    /// `encode_ns`, `decode_ns`, `*_instructions`, the in-process reference `ref_ns`, the start-up
    /// phases `compile_ns` ... `cold_start_ns`, the set-ups and the process's context). Kept as
    /// written, so that a sidecar naming a metric this runner does not know still reads
    /// ([`Sample::metric`] is `None` for it).
    pub metric: String,
    /// The sample's index within its process and metric (0 for one-shot metrics).
    pub sample: u32,
    pub value: f64,
}

/// Where one worker process sits in a run.
#[derive(Clone, Copy, Debug)]
pub struct ProcessId<'a> {
    pub run_id: &'a str,
    pub cell: &'a Cell,
    pub process: u32,
    pub seq: u32,
}

impl Sample {
    /// What the sample measured; `None` for a name this runner does not write.
    pub fn metric(&self) -> Option<Metric> {
        Metric::from_name(&self.metric)
    }

    /// Whether the sample is of `metric`.
    pub fn is(&self, metric: Metric) -> bool {
        self.metric == metric.name()
    }
}

/// `<dir>/<name>.csv` -> `<dir>/<name>.samples.csv.gz`.
pub fn sidecar_path(results: &Path) -> PathBuf {
    let stem = results.file_stem().map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
    results.with_file_name(format!("{stem}.samples.csv.gz"))
}

/// The sidecar, open for appending.
pub struct SamplesFile {
    file: File,
    pub path: PathBuf,
    has_header: bool,
}

impl SamplesFile {
    /// Opens (creating if needed) the sidecar for appending.
    pub fn open(path: &Path) -> Result<SamplesFile> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .with_context(|| format!("cannot open samples file {}", path.display()))?;
        let has_header = file.metadata().map(|m| m.len() > 0).unwrap_or(false);
        Ok(SamplesFile { file, path: path.to_owned(), has_header })
    }

    /// Appends one process's samples as one gzip member, in one write, and syncs it.
    pub fn append(&mut self, samples: &[Sample]) -> Result<()> {
        let bytes = member(samples, !self.has_header)?;
        self.file.write_all(&bytes).with_context(|| format!("cannot write to {}", self.path.display()))?;
        self.file.sync_data().with_context(|| format!("cannot sync {}", self.path.display()))?;
        self.has_header = true;
        Ok(())
    }
}

/// `samples` as one gzip member of a sidecar, the header first if `header` (the first member).
pub fn member(samples: &[Sample], header: bool) -> Result<Vec<u8>> {
    let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    if header {
        csv.write_record(HEADER)?;
    }
    for s in samples {
        csv.serialize(s)?;
    }
    let text = csv.into_inner().context("encoding samples")?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&text)?;
    Ok(gz.finish()?)
}

/// Moves a torn last gzip member (a runner killed while appending) to `<path>.torn`, cutting the
/// sidecar back to its last complete member; complete members are never touched.
pub fn set_aside_torn_member(path: &Path) -> Result<()> {
    let Ok(bytes) = std::fs::read(path) else { return Ok(()) };
    let mut at = 0;
    while at < bytes.len() {
        let mut member = flate2::bufread::GzDecoder::new(&bytes[at..]);
        if std::io::copy(&mut member, &mut std::io::sink()).is_err() {
            break;
        }
        at = bytes.len() - member.into_inner().len();
    }
    if at == bytes.len() {
        return Ok(());
    }
    let torn = PathBuf::from(format!("{}.torn", path.display()));
    std::fs::write(&torn, &bytes[at..]).with_context(|| format!("cannot write {}", torn.display()))?;
    let cut = || -> std::io::Result<()> {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(at as u64)?;
        file.sync_data()
    };
    cut().with_context(|| format!("cannot cut {} back to its last complete gzip member", path.display()))?;
    eprintln!("{}: its last gzip member was incomplete; set aside in {}", path.display(), torn.display());
    Ok(())
}

/// Reads a whole sidecar, checking its header; errors name the file and the line.
pub fn read(path: &Path) -> Result<Vec<Sample>> {
    let file = File::open(path).with_context(|| format!("cannot open samples file {}", path.display()))?;
    // Created when a run starts, empty until its first process ends: a run stopped before that.
    if file.metadata().is_ok_and(|m| m.len() == 0) {
        return Ok(Vec::new());
    }
    let mut text = Vec::new();
    MultiGzDecoder::new(file)
        .read_to_end(&mut text)
        .with_context(|| format!("{}: not a complete gzip'd samples file", path.display()))?;
    parse(&text).with_context(|| format!("in samples file {}", path.display()))
}

/// A sidecar's CSV text (decompressed) as samples: what [`read`] parses, and what the fuzz target
/// `samples` feeds arbitrary bytes.
pub fn parse(text: &[u8]) -> Result<Vec<Sample>> {
    let mut reader = csv::Reader::from_reader(text);
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    if header != HEADER {
        bail!("its header is `{}`, expected `{}`", header.join(","), HEADER.join(","));
    }
    let mut samples = Vec::new();
    for (i, record) in reader.deserialize().enumerate() {
        samples.push(record.with_context(|| format!("line {}", i + 2))?);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_empty_sidecar_holds_no_samples() {
        // A run killed before its first process ended leaves the sidecar it opened, empty; the
        // same command must go on with it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.samples.csv.gz");
        std::fs::write(&path, b"").unwrap();
        super::set_aside_torn_member(&path).unwrap();
        assert!(super::read(&path).unwrap().is_empty());
    }

    use super::*;

    fn sample(process: u32, metric: &str, value: f64) -> Sample {
        Sample {
            run_id: "r".into(),
            cell: "llvm/jit/bare/copy/raw/release".into(),
            process,
            seq: process,
            metric: metric.into(),
            sample: 0,
            value,
        }
    }

    #[test]
    fn appended_members_read_back_as_one_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = sidecar_path(&dir.path().join("quick-1.csv"));
        assert!(path.ends_with("quick-1.samples.csv.gz"));
        SamplesFile::open(&path).unwrap().append(&[sample(0, "rt_ns", 1.5)]).unwrap();
        let mut again = SamplesFile::open(&path).unwrap();
        again.append(&[sample(1, "rt_ns", 2.5), sample(1, "setup_ns", 300.0)]).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back, [sample(0, "rt_ns", 1.5), sample(1, "rt_ns", 2.5), sample(1, "setup_ns", 300.0)]);
    }

    #[test]
    fn a_foreign_or_torn_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.samples.csv.gz");
        SamplesFile::open(&path).unwrap().append(&[sample(0, "rt_ns", 1.0)]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let err = format!("{:#}", read(&path).unwrap_err());
        assert!(err.contains("x.samples.csv.gz") && err.contains("not a complete"), "{err}");

        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(b"a,b\n1,2\n").unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let err = format!("{:#}", read(&path).unwrap_err());
        assert!(err.contains("header is `a,b`"), "{err}");
    }
}
