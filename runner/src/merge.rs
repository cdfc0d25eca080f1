//! `runner merge A.csv B.csv ... --out ALL.csv`: joins the results files of a run's shards (and
//! their samples sidecars) into one. Refuses files of different runs (columns, matrix fingerprint,
//! versions) and cells recorded twice, naming the files; reports the cells that no file has (with
//! `--matrix`, against the matrix; without, the shards that no file holds). Never overwrites.
//!
//! Every input is read through the one reader of results files ([`read`]) and its sidecar checked
//! against it ([`read::check_sidecar`]). Both outputs are written to temporary names beside them
//! and renamed into place only once both are complete ([`crate::atomic`]): a merge that fails
//! midway (a damaged sidecar) leaves nothing at `--out`, and can be run again.

use crate::atomic::{Pending, Replace};
use crate::matrix::Matrix;
use crate::results::read;
use crate::results::samples;
use crate::run::select_cells;
use crate::shard::Shard;
use anyhow::{bail, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

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
    let mut tables: Vec<read::Table> = Vec::new();
    for path in &opts.inputs {
        let table = read::load(path, &["cell", "run_fingerprint"], "merge, from schema 4 on,")?;
        match &header {
            None => header = Some((path.clone(), table.header.clone())),
            Some((first, h)) if *h != table.header => {
                bail!(
                    "{} and {} have different columns (schemas): they are not one run",
                    first.display(),
                    path.display()
                )
            }
            Some(_) => {}
        }
        let at = |name: &str| table.header.iter().position(|c| c == name);
        for (record, row) in table.records.iter().zip(&table.rows) {
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
            if !row.shard.is_empty() {
                shards.insert(row.shard.clone());
            }
            if let Some(first) = owner.insert(row.cell.clone(), path.clone()) {
                duplicates.push(format!("{} (in {} and {})", row.cell, first.display(), path.display()));
            }
        }
        tables.push(table);
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

    let mut merged = Merged { rows: tables.iter().map(|t| t.rows.len()).sum(), ..Merged::default() };
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

    // Both outputs under temporary names, renamed into place once both are whole.
    let mut out_csv = Pending::new(&opts.out)?;
    out_csv.write_all(&csv_bytes(&header, &tables)?)?;
    let mut out_sidecar = Pending::new(&out_samples)?;
    let mut first_member = true;
    for table in &tables {
        let (path, from) = (&table.path, samples::sidecar_path(&table.path));
        if from.exists() {
            let samples = samples::read(&from)?;
            read::check_sidecar(table, &samples, &from)?;
            out_sidecar.write_all(&samples::member(&samples, first_member)?)?;
            first_member = false;
        } else {
            eprintln!(
                "note: {} has no samples sidecar ({}): its rows are merged without samples",
                path.display(),
                from.display()
            );
        }
    }
    out_sidecar.commit(Replace::Never)?;
    if let Err(e) = out_csv.commit(Replace::Never) {
        let _ = std::fs::remove_file(&out_samples);
        return Err(e);
    }
    Ok(merged)
}

/// The merged rows as CSV text, the header first.
fn csv_bytes(header: &csv::StringRecord, tables: &[read::Table]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in tables.iter().flat_map(|t| &t.records) {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
