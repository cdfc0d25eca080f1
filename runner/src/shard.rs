//! `--shard I/N`: a deterministic 1/N of a matrix's cells, so that N machines, a CI job matrix or
//! a batch system's array job split one run. Cells are dealt round-robin in the order of their
//! names, so a shard depends only on which cells the matrix names, never on the order of its file,
//! and the shards differ in size by at most one cell.

use crate::matrix::Cell;
use anyhow::{bail, Result};
use sha2::{Digest, Sha256};
use std::fmt;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard> {
        let parsed = text.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if index >= 1 && index <= count => Ok(Shard { index, count }),
            _ => bail!("--shard {text}: expected I/N with 1 <= I <= N (for example 2/8)"),
        }
    }

    /// The cells of `cells` that belong to this shard, in their given order.
    pub fn select(&self, cells: &[Cell]) -> Vec<Cell> {
        let mut names: Vec<String> = cells.iter().map(Cell::to_string).collect();
        names.sort();
        names.dedup();
        cells
            .iter()
            .filter(|c| {
                let position = names.binary_search(&c.to_string()).expect("every cell is named");
                position as u32 % self.count == self.index - 1
            })
            .copied()
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A fingerprint of a run's work: its cells (in name order, so the matrix file's order does not
/// count) and the measure settings. Shards of one run share it; `merge` and resuming check it.
pub fn fingerprint(cells: &[Cell], measure: &impl fmt::Debug) -> String {
    let mut names: Vec<String> = cells.iter().map(Cell::to_string).collect();
    names.sort();
    let mut hash = Sha256::new();
    for name in &names {
        hash.update(name.as_bytes());
        hash.update(b"\n");
    }
    hash.update(format!("{measure:?}").as_bytes());
    format!("{:x}", hash.finalize())[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells() -> Vec<Cell> {
        let names = [
            "llvm/jit/bare/copy/raw/release/off",
            "cranelift/jit/bare/copy/raw/release/off",
            "singlepass/jit/bare/copy/raw/release/off",
            "llvm/artifact/bare/shared/raw/release/off",
            "cranelift/artifact/wasi/shared/raw/release/on",
        ];
        names.iter().map(|n| Cell::parse(n).unwrap()).collect()
    }

    #[test]
    fn shards_partition_the_cells_whatever_their_order() {
        let all = cells();
        let mut reversed = all.clone();
        reversed.reverse();
        let mut seen = Vec::new();
        for index in 1..=3 {
            let shard = Shard { index, count: 3 };
            let mut a = shard.select(&all);
            let mut b = shard.select(&reversed);
            a.sort();
            b.sort();
            assert_eq!(a, b, "shard {shard} depends on the file's order");
            assert!((1..=2).contains(&a.len()), "shard {shard}: {a:?}");
            seen.extend(a);
        }
        seen.sort();
        let mut want = all.clone();
        want.sort();
        assert_eq!(seen, want, "every cell in exactly one shard");
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let err = Shard::parse(bad).unwrap_err().to_string();
            assert!(err.contains("expected I/N"), "{bad}: {err}");
        }
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
    }

    #[test]
    fn the_fingerprint_ignores_order_and_sees_settings() {
        let all = cells();
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(fingerprint(&all, &1), fingerprint(&reversed, &1));
        assert_ne!(fingerprint(&all, &1), fingerprint(&all, &2));
        assert_ne!(fingerprint(&all[1..], &1), fingerprint(&all, &1));
    }
}
