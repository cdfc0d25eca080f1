//! The store of runs: a directory of Parquet files, `runs.parquet` (the manifest: one row per run)
//! and, per run, `runs/<run>.rows.parquet` (its results rows) and `runs/<run>.samples.parquet` (its
//! samples). A run is keyed by its first run id; the manifest also keeps its commit, the runtime
//! releases it ran, its machine and a digest of the files it came from, so adding the same run
//! again changes nothing and adding other contents under a stored run's id is refused. Every file
//! is written whole under a temporary name and renamed into place, the manifest last: a store
//! interrupted while adding holds the runs it held before.

use super::columnar::{Frame, Values};
use super::rows;
use crate::atomic::write_atomically;
use crate::compare::Run;
use crate::results::read::{self, Table};
use crate::results::samples;
use crate::results::status::Status;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One stored run, a row of the manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key: the first of its rows' run ids (a merged file's shards each have one).
    pub run: String,
    /// Every run id its rows have.
    pub run_ids: String,
    /// Its first row's timestamp: the order of nights.
    pub started: String,
    /// The commits it measured (`git_commit`).
    pub commit: String,
    /// Where it ran: `cpu_model ×cpus`; runs of different machines are not one trend.
    pub machine: String,
    /// The hosts it ran on (recorded, not part of the machine: cloud hosts change name at each boot).
    pub host: String,
    pub matrix: String,
    /// Each runtime with the release that ran it (`wasmtime 48.0.8; wasmer 7.4.2`).
    pub releases: String,
    pub cells: i64,
    pub ok: i64,
    /// The checksums of its `ok` cells (one, if all agree).
    pub checksum: String,
    /// The results file it was added from.
    pub source: String,
    /// SHA-256 of that file and its samples sidecar.
    pub digest: String,
}

/// What `add` did.
#[derive(Debug)]
pub enum Added {
    New(Entry),
    Already(Entry),
}

pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn new(dir: &Path) -> Store {
        Store { dir: dir.to_owned() }
    }

    fn manifest(&self) -> PathBuf {
        self.dir.join("runs.parquet")
    }

    fn run_file(&self, run: &str, what: &str) -> PathBuf {
        self.dir.join("runs").join(format!("{run}.{what}.parquet"))
    }

    /// The stored runs in the order they started (none if the store does not exist yet).
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let path = self.manifest();
        if !path.exists() {
            return Ok(Vec::new());
        }
        let frame = Frame::read(&path)?;
        let mut entries =
            entries_of(&frame).with_context(|| format!("{} is not a history manifest", path.display()))?;
        entries.sort_by(|a, b| (&a.started, &a.run).cmp(&(&b.started, &b.run)));
        Ok(entries)
    }

    /// Adds the results file at `path` and its samples sidecar, both read and checked as `compare`
    /// reads them.
    pub fn add(&self, path: &Path) -> Result<Added> {
        let table = read::load(path, &Run::NEEDS, "history add")?;
        let sidecar = samples::sidecar_path(path);
        let samples = samples::read(&sidecar)
            .with_context(|| format!("cannot read {}, the samples sidecar of {}", sidecar.display(), path.display()))?;
        read::check_sidecar(&table, &samples, &sidecar)?;
        let mut hash = Sha256::new();
        for file in [path, &sidecar] {
            hash.update(std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?);
        }
        let entry = describe(&table, path, format!("{:x}", hash.finalize()))?;
        let mut entries = self.entries()?;
        if let Some(stored) = entries.iter().find(|e| e.run == entry.run) {
            if stored.digest == entry.digest {
                return Ok(Added::Already(stored.clone()));
            }
            bail!(
                "run {} is in the store {} already, from {} (digest {}); {} holds other rows or samples of it (digest {}): \
                 a run is added once, whole",
                entry.run,
                self.dir.display(),
                stored.source,
                &stored.digest[..12],
                path.display(),
                &entry.digest[..12]
            );
        }
        let runs = self.dir.join("runs");
        std::fs::create_dir_all(&runs).with_context(|| format!("cannot make {}", runs.display()))?;
        write_atomically(&self.run_file(&entry.run, "rows"), &rows::rows_frame(&table)?.to_parquet()?)?;
        write_atomically(&self.run_file(&entry.run, "samples"), &rows::samples_frame(&samples).to_parquet()?)?;
        entries.push(entry.clone());
        write_atomically(&self.manifest(), &frame_of(&entries).to_parquet()?)?;
        Ok(Added::New(entry))
    }

    /// A stored run, read back as `compare` reads a file (named `history:<run>` in messages).
    pub fn load(&self, entry: &Entry) -> Result<Run> {
        let label = PathBuf::from(format!("history:{}", entry.run));
        let table: Table = rows::table_of(&Frame::read(&self.run_file(&entry.run, "rows"))?, &label)?;
        let samples_path = self.run_file(&entry.run, "samples");
        let samples = rows::samples_of(&Frame::read(&samples_path)?, &samples_path)?;
        Run::of(&table, samples, &samples_path)
    }
}

/// The manifest row of a results table.
fn describe(table: &Table, path: &Path, digest: String) -> Result<Entry> {
    let distinct = |f: &dyn Fn(&crate::results::row::Row) -> String| -> BTreeSet<String> {
        table.rows.iter().map(f).filter(|v| !v.is_empty()).collect()
    };
    let join = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join(", ");
    let run_ids = distinct(&|r| r.run_id.clone());
    let Some(run) = run_ids.first().cloned() else {
        bail!("{}: no row has a run id (column `run_id`), which a stored run is keyed by", path.display());
    };
    let ok = table.rows.iter().filter(|r| r.status() == Some(Status::Ok));
    Ok(Entry {
        run,
        run_ids: join(run_ids),
        started: table.rows.iter().map(|r| r.timestamp.clone()).filter(|t| !t.is_empty()).min().unwrap_or_default(),
        commit: join(distinct(&|r| r.git_commit.clone())),
        machine: join(distinct(&|r| match r.cpu_model.as_str() {
            "" => String::new(),
            model => format!("{model} ×{}", r.cpus),
        })),
        host: join(distinct(&|r| r.host.clone())),
        matrix: join(distinct(&|r| r.matrix.clone())),
        releases: distinct(&|r| match r.runtime_version.as_str() {
            "" => String::new(),
            // Most versions name their runtime already (`wasmtime 48.0.8`); Wasmer's is the number.
            version if version.to_lowercase().starts_with(&r.runtime) => version.to_owned(),
            version => format!("{} {version}", r.runtime),
        })
        .into_iter()
        .collect::<Vec<_>>()
        .join("; "),
        cells: distinct(&|r| r.cell.clone()).len() as i64,
        ok: ok.clone().count() as i64,
        checksum: join(ok.map(|r| r.checksum.clone()).filter(|c| !c.is_empty()).collect()),
        source: path.display().to_string(),
        digest,
    })
}

/// An entry's text field.
type Field = fn(&Entry) -> &String;

/// The manifest's columns, in order, with each entry's text field.
const TEXT_FIELDS: [(&str, Field); 11] = [
    ("run", |e| &e.run),
    ("run_ids", |e| &e.run_ids),
    ("started", |e| &e.started),
    ("commit", |e| &e.commit),
    ("machine", |e| &e.machine),
    ("host", |e| &e.host),
    ("matrix", |e| &e.matrix),
    ("releases", |e| &e.releases),
    ("checksum", |e| &e.checksum),
    ("source", |e| &e.source),
    ("digest", |e| &e.digest),
];

fn frame_of(entries: &[Entry]) -> Frame {
    let mut frame = Frame::default();
    for (name, field) in TEXT_FIELDS {
        frame.columns.push((name.into(), Values::Text(entries.iter().map(|e| Some(field(e).clone())).collect())));
    }
    frame.columns.push(("cells".into(), Values::Int(entries.iter().map(|e| Some(e.cells)).collect())));
    frame.columns.push(("ok".into(), Values::Int(entries.iter().map(|e| Some(e.ok)).collect())));
    frame
}

fn entries_of(frame: &Frame) -> Result<Vec<Entry>> {
    let text = |name: &str| frame.text(name).with_context(|| format!("it has no text column `{name}`"));
    let int = |name: &str| match frame.column(name) {
        Some(Values::Int(v)) => Ok(v),
        _ => bail!("it has no whole-number column `{name}`"),
    };
    let columns: Vec<&[Option<String>]> = TEXT_FIELDS.iter().map(|(name, _)| text(name)).collect::<Result<_>>()?;
    let (cells, ok) = (int("cells")?, int("ok")?);
    Ok((0..frame.rows())
        .map(|i| {
            let t = |k: usize| columns[k][i].clone().unwrap_or_default();
            Entry {
                run: t(0),
                run_ids: t(1),
                started: t(2),
                commit: t(3),
                machine: t(4),
                host: t(5),
                matrix: t(6),
                releases: t(7),
                checksum: t(8),
                source: t(9),
                digest: t(10),
                cells: cells[i].unwrap_or(0),
                ok: ok[i].unwrap_or(0),
            }
        })
        .collect())
}
