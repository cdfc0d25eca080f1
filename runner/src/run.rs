//! `runner run`: checks everything first, builds the guests, then runs every cell in worker
//! processes, appending one row per cell to the results file as it ends.

use crate::guests::{Builder, GuestBuild, GuestFiles};
use crate::matrix::axes::{Engine, Profile};
use crate::matrix::{Cell, Matrix, Selector};
use crate::meta::RunMeta;
use crate::results::{file::ResultsFile, row::Row, summary};
use crate::supervise::{run_cell, Status};
use crate::worker::{Job, Phase};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Options {
    pub matrix: PathBuf,
    pub out: Option<PathBuf>,
    pub filter: Option<String>,
    /// Prebuilt guests (`<dir>/<profile>/<environment>/<layout>/<codec>/{producer,consumer}.wasm`)
    /// instead of building them.
    pub guests: Option<PathBuf>,
    /// The runner executable to start workers from.
    pub runner_exe: PathBuf,
}

pub struct Finished {
    pub rows: Vec<Row>,
    pub results: PathBuf,
    pub summary: String,
}

/// The matrix's cells after `--filter`.
pub fn select_cells(matrix: &Matrix, filter: Option<&str>) -> Result<Vec<Cell>> {
    let selector = filter.map(Selector::parse_filter).transpose()?.unwrap_or_default();
    let cells: Vec<Cell> = matrix.cells().into_iter().filter(|c| selector.matches(c)).collect();
    if cells.is_empty() {
        bail!(
            "the filter `{}` selects none of the {} cells of {}",
            filter.unwrap_or(""),
            matrix.cells().len(),
            matrix.path.display()
        );
    }
    Ok(cells)
}

pub fn run(root: &Path, opts: &Options) -> Result<Finished> {
    let matrix = Matrix::load(&opts.matrix)?;
    let cells = select_cells(&matrix, opts.filter.as_deref())?;
    crate::preflight::check(&cells, opts.guests.is_none())?;
    let meta = RunMeta::collect(root);
    let results_path =
        opts.out.clone().unwrap_or_else(|| root.join("results").join(format!("{}-{}.csv", matrix.name, meta.run_id)));
    let mut results = ResultsFile::open(&results_path)?;

    // Everything the cells run, built before the first cell: wasm guests per variant (or taken
    // from --guests), and the native worker per profile.
    let builder = Builder::new(root)?;
    let mut guests: HashMap<GuestBuild, GuestFiles> = HashMap::new();
    for build in cells.iter().filter_map(GuestBuild::of) {
        if guests.contains_key(&build) {
            continue;
        }
        let files = match &opts.guests {
            Some(dir) => build.files_in(dir),
            None => {
                eprintln!("building guests {}", build.relative_dir().display());
                builder.ensure(build)?
            }
        };
        guests.insert(build, files);
    }
    let mut native_workers: HashMap<Profile, PathBuf> = HashMap::new();
    for cell in cells.iter().filter(|c| c.engine == Engine::Native) {
        if let Entry::Vacant(slot) = native_workers.entry(cell.profile) {
            eprintln!("building the native worker (profile {})", cell.profile);
            slot.insert(builder.native_worker(cell.profile)?);
        }
    }

    let expected = crate::reference::expected_checksum(matrix.measure.round_trips());
    let artifacts_root = root.join("target/wasmatrix/artifacts").join(&meta.run_id);
    let progress = ProgressBar::new(cells.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} cells, {elapsed} elapsed, ETA {eta}  {msg}")
            .expect("valid template"),
    );
    let say = |line: String| {
        if progress.is_hidden() {
            eprintln!("{line}");
        } else {
            progress.println(line);
        }
    };
    say(format!("running {} cells of {} into {}", cells.len(), matrix.path.display(), results_path.display()));

    let mut rows = Vec::new();
    for (index, cell) in cells.iter().enumerate() {
        progress.set_message(cell.to_string());
        let files = GuestBuild::of(cell).map(|build| guests[&build].clone());
        let sizes = files.as_ref().map_or((None, None), |f| (file_size(&f.producer), file_size(&f.consumer)));
        let artifacts = artifacts_root.join(index.to_string());
        let job = Job {
            cell: *cell,
            measure: matrix.measure,
            guests: files,
            artifacts: artifacts.clone(),
            phase: Phase::Measure,
        };
        let worker = match cell.engine {
            Engine::Native => &native_workers[&cell.profile],
            _ => &opts.runner_exe,
        };
        let outcome = run_cell(worker, &job, expected);
        let _ = std::fs::remove_dir_all(&artifacts);
        let row = Row::new(cell, &matrix.measure, &meta, sizes, &outcome, expected);
        results.append(&row)?;
        let detail = match outcome.status {
            Status::Ok => format!("rt p50 {} ns", row.rt_p50_ns.map_or("-".into(), |v| format!("{v:.1}"))),
            _ => row.error.clone(),
        };
        say(format!("[{}/{}] {cell} {}: {detail}", index + 1, cells.len(), outcome.status.name()));
        rows.push(row);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let _ = std::fs::remove_dir_all(&artifacts_root);

    let summary = summary::render(&format!("wasmatrix {} ({})", matrix.name, results_path.display()), &rows);
    let summary_path = results_path.with_extension("summary.txt");
    std::fs::write(&summary_path, &summary).with_context(|| format!("cannot write {}", summary_path.display()))?;
    Ok(Finished { rows, results: results_path, summary })
}

fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}
