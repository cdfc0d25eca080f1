//! The report's loader: a results file read through the one reader, checked for the columns a
//! report needs, its rows in the matrix's order.

use crate::results::read;
use crate::results::row::Row;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// The columns a report reads; any results file since schema 1 has them.
const REQUIRED: [&str; 12] = [
    "cell",
    "compiler",
    "engine",
    "environment",
    "transport",
    "codec",
    "profile",
    "status",
    "error",
    "rt_p50_ns",
    "call_floor_p50_ns",
    "setup_ns",
];

/// Reads a results file through the one reader ([`crate::results::read`]), refusing one that
/// lacks a column the report needs (naming them all) or holds no rows.
pub fn load(path: &Path) -> Result<Vec<Row>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read results file {}", path.display()))?;
    parse(&bytes, path)
}

/// A results file's text (named `path` in errors) as rows; what [`load`] reads, and what the
/// fuzz target `results` feeds arbitrary bytes.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Row>> {
    let mut rows = read::parse(bytes, path, &REQUIRED, "report")?.rows;
    if rows.is_empty() {
        bail!("{} holds no rows", path.display());
    }
    // Cells finish in the run's shuffled order; tell them in the matrix's: profile, allocator,
    // codec, logging, environment, transport, compiler, engine (a cell this runner cannot name goes last).
    rows.sort_by_key(|r: &Row| {
        r.cell()
            .map(|c| (c.profile, c.allocator, c.codec, c.logging, c.environment, c.transport, c.compiler, c.engine))
            .map_err(|_| r.cell.clone())
    });
    Ok(rows)
}
