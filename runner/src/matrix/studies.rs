//! A matrix as a union of named studies (`[[study]]`): each a small cross product of the axis
//! values it names, every other axis at its default; a cell several studies hold is one cell.

use crate::matrix::file::{OneOrMany, Source};
use crate::matrix::product::Product;
use crate::matrix::select::axis_names;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;
use wasmatrix_core::cell::Cell;

/// One `[[study]]` as the file has it: its `name` and axis = value(s) pairs.
pub type RawStudy = Spanned<BTreeMap<String, Spanned<OneOrMany>>>;

/// A study, checked: its name and its cells, in its product's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Study {
    pub name: String,
    pub cells: Vec<Cell>,
}

/// The studies of a file and their union: every cell once, in the order of the first study
/// that holds it.
pub fn union(raw: &[RawStudy], source: &Source) -> Result<(Vec<Study>, Vec<Cell>)> {
    let mut studies: Vec<(Study, String)> = Vec::new();
    for entry in raw {
        let (study, place) = study(entry, source)?;
        if let Some((_, first)) = studies.iter().find(|(s, _)| s.name == study.name) {
            bail!(
                "{place}: a second study named `{}` (the first is at {first}); each study's name is its own",
                study.name
            );
        }
        studies.push((study, place));
    }
    let studies: Vec<Study> = studies.into_iter().map(|(s, _)| s).collect();
    let mut seen = HashSet::new();
    let cells = studies.iter().flat_map(|s| &s.cells).filter(|c| seen.insert(**c)).copied().collect();
    Ok((studies, cells))
}

/// One study and the place of its name.
fn study(entry: &RawStudy, source: &Source) -> Result<(Study, String)> {
    let table = entry.get_ref();
    let Some(name) = table.get("name") else {
        bail!(
            "{}: [[study]] without a `name`; a study has a `name` and names the axes it varies: {}",
            source.at(entry.span()),
            axis_names().join(", ")
        );
    };
    let place = source.at(name.span());
    let name = match name.get_ref() {
        OneOrMany::One(n) if !n.trim().is_empty() => n.clone(),
        _ => bail!("{place}: a study's `name` is one string, not empty"),
    };
    let mut product = Product::baseline();
    for (axis, values) in table.iter().filter(|(key, _)| *key != "name") {
        product
            .set(axis, &values.get_ref().as_list())
            .with_context(|| format!("{}: study `{name}`", source.at(values.span())))?;
    }
    let combinations = product.combinations();
    let cells: Vec<Cell> = combinations.iter().filter(|c| c.not_a_cell().is_none()).copied().collect();
    if cells.is_empty() {
        let example = combinations.first().map(|c| format!(", e.g. {c}: {}", c.not_a_cell().unwrap_or_default()));
        bail!(
            "{place}: study `{name}` holds no cells: no combination of the values it names is a cell{}",
            example.unwrap_or_default()
        );
    }
    Ok((Study { name, cells }, place))
}

/// What `runner list` says of each study, given the cells it lists (`--filter` may have left out
/// some): its cells, and how many of them an earlier study holds too.
pub fn tell(studies: &[Study], listed: &[Cell]) -> Vec<String> {
    let listed: HashSet<&Cell> = listed.iter().collect();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for study in studies {
        let shown: Vec<&Cell> = study.cells.iter().filter(|c| listed.contains(c)).collect();
        let earlier = shown.iter().filter(|c| !seen.insert(***c)).count();
        let count = match shown.len() == study.cells.len() {
            true => format!("{} cells", shown.len()),
            false => format!("{} of its {} cells", shown.len(), study.cells.len()),
        };
        let also = if earlier > 0 { format!(", {earlier} of them in an earlier study") } else { String::new() };
        lines.push(format!("study {}: {count}{also}", study.name));
    }
    lines
}
