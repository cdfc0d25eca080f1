//! Matrices: a TOML file in `matrices/` is read and checked here ([`Matrix::load`]) and expanded
//! into [`Cell`]s ([`Matrix::cells`]). A matrix is a union of named studies ([`studies`]), each a
//! small cross product of the values it names with every other axis at its default; the older
//! form, one cross product minus exclusions ([`legacy`]), is still read. docs/matrices.md
//! describes both. Errors name the file, line and column, and what is allowed there.

pub mod file;
pub mod legacy;
pub mod product;
pub mod select;
pub mod studies;

pub use select::Selector;
pub use studies::Study;
pub use wasmatrix_core::axes;
pub use wasmatrix_core::cell::Cell;
pub use wasmatrix_core::measure::Measure;

use anyhow::{bail, Context, Result};
use file::Source;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A matrix file, checked.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub name: String,
    pub path: PathBuf,
    pub description: String,
    pub measure: Measure,
    /// The studies, in the file's order (none in the older form).
    pub studies: Vec<Study>,
    cells: Vec<Cell>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    #[serde(default)]
    description: String,
    measure: Spanned<Measure>,
    #[serde(default)]
    study: Vec<studies::RawStudy>,
    /// The older form: `[axes]` and `[[exclude]]`.
    axes: Option<legacy::RawAxes>,
    #[serde(default)]
    exclude: Vec<legacy::RawExclude>,
}

impl Matrix {
    /// Reads and checks a matrix file.
    pub fn load(path: &Path) -> Result<Matrix> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read matrix {}", path.display()))?;
        Matrix::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Matrix> {
        let source = Source { text, path };
        // toml's own message already names the line and column and shows the text.
        let raw: RawMatrix = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let measure = *raw.measure.get_ref();
        if let Some(why) = invalid(&measure) {
            bail!("{}: [measure]: {why}", source.at(raw.measure.span()));
        }
        let file = path.display();
        let (studies, cells) = match (raw.axes, raw.study.is_empty()) {
            (Some(_), false) => bail!(
                "{file}: [[study]] tables and [axes] together: a matrix is a union of studies, or (the older form) \
                 one [axes] product minus [[exclude]] tables; see docs/matrices.md"
            ),
            (Some(axes), true) => (Vec::new(), legacy::cells(&axes, &raw.exclude, &source)?),
            (None, _) if !raw.exclude.is_empty() => bail!(
                "{file}: [[exclude]] belongs to the older form, with [axes]; a study names only the values it \
                 varies, so it has nothing to exclude (docs/matrices.md)"
            ),
            (None, true) => bail!(
                "{file}: no [[study]] table: a matrix is a union of studies, each a `name` and the axes it varies \
                 (docs/matrices.md)"
            ),
            (None, false) => studies::union(&raw.study, &source)?,
        };
        Ok(Matrix {
            name: path.file_stem().map_or_else(|| "matrix".into(), |s| s.to_string_lossy().into_owned()),
            path: path.to_owned(),
            description: raw.description,
            measure,
            studies,
            cells,
        })
    }

    /// The matrix's cells, each once, in a stable order: a study's in its product's order, studies
    /// in the file's order (a cell in several studies where it first comes). Each gets a row, the
    /// [`Cell::unsupported`] ones a row that says why they cannot run.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }
}

/// What is wrong with `[measure]`, if anything.
fn invalid(measure: &Measure) -> Option<&'static str> {
    if measure.processes == 0
        || measure.samples == 0
        || measure.batch == 0
        || measure.floor_batch == 0
        || measure.codec_batch == 0
    {
        Some("processes, samples, batch, floor_batch and codec_batch must be at least 1")
    } else if !(measure.noisy_ci_pct.is_finite() && measure.noisy_ci_pct > 0.0) {
        Some("noisy_ci_pct must be a positive number (percent)")
    } else if !(measure.target_ci_pct.is_finite() && measure.target_ci_pct > 0.0) {
        Some("target_ci_pct must be a positive number (percent)")
    } else if !(measure.cell_budget_s.is_finite() && measure.cell_budget_s >= 0.0) {
        Some("cell_budget_s must be a number of seconds, 0 or more (0: no budget)")
    } else if measure.min_processes == 0 {
        Some("min_processes must be at least 1 (a cell runs at most `processes`, however many it says)")
    } else if measure.timeout_s == 0 {
        Some("timeout_s must be at least 1")
    } else if !(64..=1 << 30).contains(&measure.memory_limit_mib) {
        Some("memory_limit_mib must be between 64 and 2^30 (MiB)")
    } else if measure.instantiations > 0 && measure.instantiate_batch == 0 {
        Some("instantiate_batch must be at least 1 (pairs per batch of instantiations; instantiations = 0 measures none)")
    } else if !(1..=64).contains(&measure.instantiate_threads) {
        Some("instantiate_threads must be between 1 and 64 (the threads instantiating at once; 1: one thread only)")
    } else if u64::from(measure.warmup) + u64::from(measure.samples) * u64::from(measure.batch) >= u64::from(u32::MAX) {
        Some("warmup + samples * batch must stay below 2^32 round trips")
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
