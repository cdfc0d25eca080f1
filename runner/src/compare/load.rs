//! One run as `compare` reads it: its results rows by cell (read through the one reader), and its
//! samples sidecar, checked against them, as one value per process of each cell and metric.

use crate::matrix::axes::Release;
use crate::matrix::Cell;
use crate::results::metric::Metric;
use crate::results::read;
use crate::results::samples::{self, Sample};
use crate::results::status::Status;
use crate::stats::Headline as Estimator;
use anyhow::{ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One run: its results rows by cell, and its samples as one value per process ([`Estimator::process`]).
pub struct Run {
    pub(super) path: PathBuf,
    /// In row order, one per cell.
    pub(super) cells: Vec<CellRows>,
    pub(super) index: HashMap<String, usize>,
    /// cell -> metric -> one value per process (ordered by run id, then process).
    values: HashMap<String, BTreeMap<Metric, Vec<f64>>>,
}

/// The rows a results file has for one cell (usually one; more if a file was appended to).
#[derive(Clone)]
pub(super) struct CellRows {
    pub(super) name: String,
    /// `rt_headline_ns`, `rt_proc_min_ns`, `rt_headline_ci_pct` of its last row, where present.
    pub(super) headline: [Option<f64>; 3],
    /// Each row's status, and its status and error as written.
    pub(super) outcomes: Vec<(Option<Status>, String, String)>,
    /// The non-empty `run_id`s of its rows: only samples of these runs are the cell's.
    run_ids: BTreeSet<String>,
}

impl CellRows {
    pub(super) fn all_ok(&self) -> bool {
        self.outcomes.iter().all(|(status, ..)| *status == Some(Status::Ok))
    }

    fn owns(&self, sample: &Sample) -> bool {
        self.run_ids.is_empty() || self.run_ids.contains(&sample.run_id)
    }
}

impl Run {
    /// Reads a results file through the one reader ([`read`]) and its sidecar, checked against it
    /// ([`read::check_sidecar`]): what either holds that cannot be used is refused, naming it.
    pub fn load(path: &Path) -> Result<Run> {
        let table = read::load(path, &Run::NEEDS, "compare")?;
        let sidecar = samples::sidecar_path(path);
        let samples = samples::read(&sidecar)
            .with_context(|| format!("cannot read {}, the samples sidecar of {}", sidecar.display(), path.display()))?;
        Run::of(&table, samples, &sidecar)
    }

    /// The columns a run's table must have.
    pub const NEEDS: [&'static str; 3] = ["cell", "status", "error"];

    /// A run read elsewhere (`runner history` reads it from its store): its table (named by its
    /// `path`) and its samples, checked against each other as a file and its sidecar are
    /// ([`read::check_sidecar`], the samples named `sidecar` in errors).
    pub fn of(table: &read::Table, samples: Vec<Sample>, sidecar: &Path) -> Result<Run> {
        read::check_sidecar(table, &samples, sidecar)?;
        let cells = cells_of(table);
        let index = cells.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
        let mut run = Run { path: table.path.clone(), cells, index, values: HashMap::new() };
        run.values = per_process_values(samples, &run);
        Ok(run)
    }

    /// Whether the run has `cell` and every row it has is `ok`.
    pub fn all_ok(&self, cell: &str) -> bool {
        self.rows(cell).is_some_and(CellRows::all_ok)
    }

    /// The run's cells in row order, each with whether every row it has is `ok`.
    pub fn cells(&self) -> impl Iterator<Item = (&str, bool)> {
        self.cells.iter().map(|c| (c.name.as_str(), c.all_ok()))
    }

    pub(super) fn rows(&self, cell: &str) -> Option<&CellRows> {
        self.index.get(cell).map(|&i| &self.cells[i])
    }

    /// The metrics of `cell` with their values, one per process ([`Estimator::process`]; empty if it
    /// has no samples).
    pub fn metrics(&self, cell: &str) -> &BTreeMap<Metric, Vec<f64>> {
        static NONE: BTreeMap<Metric, Vec<f64>> = BTreeMap::new();
        self.values.get(cell).unwrap_or(&NONE)
    }

    pub fn has_metric(&self, metric: Metric) -> bool {
        self.values.values().any(|m| m.contains_key(&metric))
    }

    /// Releases side by side in this one run: (A) the cells of each runtime's own release that
    /// `release` also ran, and (B) `release`'s cells, named as their A cells are, so that
    /// [`super::compare_runs`] pairs each cell with its other release. Each side is named by the
    /// file and its release.
    pub fn releases(&self, release: Release) -> Result<(Run, Run)> {
        let path = self.path.display();
        ensure!(
            release != Release::Default,
            "--release names the release to read against `default`, not `default` itself"
        );
        let side = |name: Release| Run {
            path: PathBuf::from(format!("{path} (release {name})")),
            cells: Vec::new(),
            index: HashMap::new(),
            values: HashMap::new(),
        };
        let (mut a, mut b) = (side(Release::Default), side(release));
        for rows in &self.cells {
            let Some(cell) = Cell::parse(&rows.name).ok().filter(|c| c.release == release) else { continue };
            let own = Cell { release: Release::Default, ..cell }.to_string();
            let Some(own_rows) = self.rows(&own) else { continue };
            a.add(own_rows.clone(), self.values.get(&own).cloned());
            b.add(CellRows { name: own, ..rows.clone() }, self.values.get(&rows.name).cloned());
        }
        ensure!(
            !b.cells.is_empty(),
            "{path} has no cell of release {release} beside the same cell of its runtime's own release (`default`)"
        );
        Ok((a, b))
    }

    /// `rows` as one more cell of this run, with its values.
    fn add(&mut self, rows: CellRows, values: Option<BTreeMap<Metric, Vec<f64>>>) {
        if let Some(values) = values {
            self.values.insert(rows.name.clone(), values);
        }
        self.index.insert(rows.name.clone(), self.cells.len());
        self.cells.push(rows);
    }
}

/// Groups the performance samples of the run's cells by cell, metric and process (run id and
/// process number) and reduces each process to [`Estimator::process`]. Non-finite values are dropped.
fn per_process_values(samples: Vec<Sample>, run: &Run) -> HashMap<String, BTreeMap<Metric, Vec<f64>>> {
    type Processes = BTreeMap<(String, u32), Vec<f64>>;
    let mut grouped: HashMap<String, BTreeMap<Metric, Processes>> = HashMap::new();
    for mut s in samples {
        s.cell = canonical(&s.cell);
        let owned = run.rows(&s.cell).is_some_and(|rows| rows.owns(&s));
        let metric = s.metric().filter(|m| m.is_performance());
        if let Some(metric) = metric.filter(|_| owned && s.value.is_finite()) {
            let processes = grouped.entry(s.cell).or_default().entry(metric).or_default();
            processes.entry((s.run_id, s.process)).or_default().push(s.value);
        }
    }
    let reduce = |processes: Processes| processes.values().filter_map(|v| Estimator::process(v)).collect();
    grouped
        .into_iter()
        .map(|(cell, metrics)| (cell, metrics.into_iter().map(|(m, p)| (m, reduce(p))).collect()))
        .collect()
}

/// A cell's name as this runner writes it, so that runs from before an axis was added (whose
/// names lack its value) pair with today's; a name it cannot parse stays as it is.
fn canonical(name: &str) -> String {
    Cell::parse(name).map_or_else(|_| name.to_owned(), |c| c.to_string())
}

/// The results file's rows, one [`CellRows`] per cell in order of first appearance.
fn cells_of(table: &read::Table) -> Vec<CellRows> {
    let mut cells: Vec<CellRows> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let name = canonical(&row.cell);
        let i = *index.entry(name.clone()).or_insert_with(|| {
            cells.push(CellRows { name, headline: [None; 3], outcomes: Vec::new(), run_ids: BTreeSet::new() });
            cells.len() - 1
        });
        cells[i].outcomes.push((row.status(), row.status.clone(), row.error.clone()));
        cells[i].headline = [row.rt_headline(), row.rt_proc_min_ns, row.rt_ci()];
        if !row.run_id.is_empty() {
            cells[i].run_ids.insert(row.run_id.clone());
        }
    }
    cells
}
