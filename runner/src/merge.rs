//! `runner merge A.csv B.csv ... --out ALL.csv`: joins the results files of a run's shards (and
//! their samples sidecars) into one. Refuses files of different runs (columns, matrix fingerprint,
//! versions) and cells recorded twice, naming the files; reports the cells that no file has (with
//! `--matrix`, against the matrix; without, the shards that no file holds). Never overwrites.

use crate::matrix::Matrix;
use crate::results::samples::{self, SamplesFile};
use crate::run::select_cells;
use crate::shard::Shard;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub struct MergeOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// The matrix the shards ran (and its `--filter`), to name the missing cells.
    pub matrix: Option<PathBuf>,
    pub filter: Option<String>,
}

/// What a merge found.
#[derive(Debug, Default)]
pub struct Merged {
    pub rows: usize,
    /// Cells of the run that no input holds.
    pub missing: Vec<String>,
    /// Shards (`I/N`) no input holds, when the run was sharded.
    pub missing_shards: Vec<String>,
}

impl Merged {
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.missing_shards.is_empty()
    }
}

/// Columns every row of one run shares.
const SAME_IN_A_RUN: [&str; 6] =
    ["schema_version", "run_fingerprint", "runner_version", "wasmer_version", "rustc_version", "measure"];

pub fn merge(opts: &MergeOptions) -> Result<Merged> {
    if opts.inputs.is_empty() {
        bail!("merge: name the results files to join");
    }
    let out_samples = samples::sidecar_path(&opts.out);
    for path in [&opts.out, &out_samples] {
        if path.exists() {
            bail!("{} exists; merge never overwrites: choose another --out", path.display());
        }
    }
    // Every row of every input, checked as it is read.
    let mut header: Option<(PathBuf, csv::StringRecord)> = None;
    let mut shared: BTreeMap<&str, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut shards: BTreeSet<String> = BTreeSet::new();
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    for path in &opts.inputs {
        let mut reader =
            csv::Reader::from_path(path).with_context(|| format!("cannot read results file {}", path.display()))?;
        let this = reader.headers().with_context(|| format!("cannot read the header of {}", path.display()))?.clone();
        match &header {
            None => header = Some((path.clone(), this.clone())),
            Some((first, h)) if *h != this => {
                bail!(
                    "{} and {} have different columns (schemas): they are not one run",
                    first.display(),
                    path.display()
                )
            }
            Some(_) => {}
        }
        let at = |name: &str| this.iter().position(|c| c == name);
        let Some(cell_at) = at("cell") else {
            bail!("{} has no `cell` column: not a wasmatrix results file", path.display());
        };
        if at("run_fingerprint").is_none() {
            bail!(
                "{} has no `run_fingerprint` column: it was written before schema 4, which shards and merges",
                path.display()
            );
        }
        for (i, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}: row {} cannot be read", path.display(), i + 1))?;
            let cell = record.get(cell_at).unwrap_or_default().to_owned();
            for column in SAME_IN_A_RUN {
                if let Some(value) = at(column).and_then(|k| record.get(k)) {
                    shared
                        .entry(column)
                        .or_default()
                        .entry(value.to_owned())
                        .or_default()
                        .insert(path.display().to_string());
                }
            }
            if let Some(shard) = at("shard").and_then(|k| record.get(k)).filter(|s| !s.is_empty()) {
                shards.insert(shard.to_owned());
            }
            if let Some(first) = owner.insert(cell.clone(), path.clone()) {
                duplicates.push(format!("{cell} (in {} and {})", first.display(), path.display()));
            }
            rows.push(record);
        }
    }
    for (column, values) in &shared {
        if values.len() > 1 {
            let seen: Vec<String> = values
                .iter()
                .map(|(v, files)| format!("`{v}` in {}", files.iter().cloned().collect::<Vec<_>>().join(", ")))
                .collect();
            bail!("the files are not shards of one run: {column} differs: {}", seen.join("; "));
        }
    }
    if !duplicates.is_empty() {
        bail!("{} cell(s) are recorded more than once: {}", duplicates.len(), duplicates.join(", "));
    }
    let (_, header) = header.expect("at least one input");

    let mut merged = Merged { rows: rows.len(), ..Merged::default() };
    if let Some(matrix_path) = &opts.matrix {
        let matrix = Matrix::load(matrix_path)?;
        let cells = select_cells(&matrix, opts.filter.as_deref())?;
        // The fingerprint covers the measure settings (which `--processes` may have changed) and
        // the guest set: compare cell lists.
        let recorded: BTreeSet<&String> = owner.keys().collect();
        let strangers: Vec<&&String> =
            recorded.iter().filter(|c| !cells.iter().any(|m| m.to_string() == ***c)).collect();
        if !strangers.is_empty() {
            bail!(
                "{} cell(s) of the files are not cells of {}: {}",
                strangers.len(),
                matrix_path.display(),
                strangers.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        merged.missing = cells.iter().map(|c| c.to_string()).filter(|c| !recorded.contains(c)).collect();
    }
    if let Some(count) = shards.iter().next().and_then(|s| Shard::parse(s).ok()).map(|s| s.count) {
        merged.missing_shards = (1..=count).map(|i| format!("{i}/{count}")).filter(|s| !shards.contains(s)).collect();
    }

    write(&opts.out, &header, &rows)?;
    let mut sidecar = SamplesFile::open(&out_samples)?;
    for path in &opts.inputs {
        let from = samples::sidecar_path(path);
        if from.exists() {
            sidecar.append(&samples::read(&from)?)?;
        } else {
            eprintln!(
                "note: {} has no samples sidecar ({}): its rows are merged without samples",
                path.display(),
                from.display()
            );
        }
    }
    Ok(merged)
}

/// Writes the merged rows to `out`, through a temporary file renamed into place.
fn write(out: &Path, header: &csv::StringRecord, rows: &[csv::StringRecord]) -> Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let partial = out.with_extension("csv.partial");
    let mut writer = csv::Writer::from_path(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?.sync_all()?;
    std::fs::rename(&partial, out).with_context(|| format!("cannot move {} to {}", partial.display(), out.display()))
}
