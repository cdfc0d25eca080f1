//! The guest files a run uses, settled before any cell runs: built (or taken from `--guests`),
//! each one checked to be binary wasm of the kind its cells need (a core module, or a component
//! under `component` and `composed`) before any runtime sees it, the same check for every runtime;
//! and the set's identity, which goes into the run fingerprint so that one results file never
//! mixes two sets of guests.

use crate::guest_build::{Builder, GuestBuild, GuestFiles, Layout};
use crate::matrix::axes::Transport;
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// Every binary wasm file starts with these four bytes.
pub const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// What a guest file must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A core module: version 1 (the four bytes after the magic: `01 00 00 00`).
    Core,
    /// A component: version 0x0d, layer 1 (`0d 00 01 00`), as wasm-tools writes it.
    Component,
}

impl Kind {
    /// The four bytes after the magic.
    fn header(self) -> [u8; 4] {
        match self {
            Kind::Core => [1, 0, 0, 0],
            Kind::Component => [0x0d, 0, 1, 0],
        }
    }

    /// What the guests of `build` are.
    pub fn of(build: &GuestBuild) -> Kind {
        if build.layout == Layout::Component {
            Kind::Component
        } else {
            Kind::Core
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Core => "core wasm module (version 1)",
            Kind::Component => "wasm component (version 0x0d, layer 1)",
        })
    }
}

/// Refuses `bytes` (the contents of `path`) unless they are binary wasm of `kind`, naming the
/// file and what it holds instead.
pub fn check_bytes(path: &Path, bytes: &[u8], kind: Kind) -> Result<()> {
    if bytes.len() < 8 || bytes[..4] != WASM_MAGIC {
        bail!(
            "{} is not binary wasm ({}): every guest file must be a binary {kind} (WAT text is compiled first, \
             e.g. with `wasm-tools parse`)",
            path.display(),
            describe(bytes)
        );
    }
    let header = &bytes[4..8];
    if header != kind.header() {
        let found = [Kind::Core, Kind::Component].into_iter().find(|k| header == k.header());
        let found =
            found.map_or_else(|| format!("binary wasm of version/layer bytes {header:02x?}"), |k| k.to_string());
        bail!("{} is a {found}, and its cells need a {kind}", path.display());
    }
    Ok(())
}

/// What a file that is not binary wasm seems to hold, for the error.
fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    let code = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with(";;")).unwrap_or_default();
    if code.starts_with("(module") || code.starts_with("(component") {
        return "it is WAT text".into();
    }
    if bytes.len() < 8 && bytes.starts_with(&WASM_MAGIC[..bytes.len().min(4)]) {
        return format!("it is cut short: {} bytes", bytes.len());
    }
    format!("it starts with {:02x?}", &bytes[..bytes.len().min(4)])
}

/// The files `cell` runs on (none for the native engine or a cell that cannot run): both guests,
/// under `composed` the composed component, under `merged` the merged module.
pub fn needed(cell: &Cell, files: &GuestFiles) -> Vec<PathBuf> {
    let mut paths = vec![files.producer.clone(), files.consumer.clone()];
    if cell.transport == Transport::Composed {
        paths.extend(files.composed.clone());
    }
    if cell.transport == Transport::Merged {
        paths.extend(files.merged.clone());
    }
    paths
}

/// The guest files of a run's cells, checked, and the set's identity.
pub struct GuestSet {
    pub files: HashMap<GuestBuild, GuestFiles>,
    /// What identifies the set in the run fingerprint: a SHA-256 of the files' bytes (`--guests`),
    /// or of every input of a build (guest sources, manifest, lock file, rustc: what
    /// [`Builder`] rebuilds on), the same for every shard of a run.
    pub identity: String,
}

impl GuestSet {
    /// The guests of `cells` taken from `dir` (`--guests`): the directory exists and holds every
    /// file the cells that can run need, each binary wasm of its kind; their bytes are hashed.
    pub fn given(dir: &Path, cells: &[Cell]) -> Result<GuestSet> {
        if !dir.is_dir() {
            bail!("--guests {}: no such directory", dir.display());
        }
        // Path -> (the kind it must be, a cell that needs it), in path order for the hash.
        let mut wanted: BTreeMap<PathBuf, (Kind, &Cell)> = BTreeMap::new();
        let mut files = HashMap::new();
        for cell in cells.iter().filter(|c| c.unsupported().is_none()) {
            let Some(build) = GuestBuild::of(cell) else { continue };
            let these = files.entry(build).or_insert_with(|| build.files_in(dir));
            for path in needed(cell, these) {
                wanted.entry(path).or_insert((Kind::of(&build), cell));
            }
        }
        let missing: Vec<String> = wanted
            .iter()
            .filter(|(path, _)| !path.is_file())
            .map(|(path, (_, cell))| format!("{} (for {cell})", path.display()))
            .collect();
        if !missing.is_empty() {
            bail!(
                "--guests {}: {} guest file(s) the cells need are missing: {}{} (the layout: \
                 DIR/<profile>/<allocator>/<environment>/logging-<off|on>/<layout>/<codec>/{{producer,consumer}}.wasm)",
                dir.display(),
                missing.len(),
                missing.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if missing.len() > 5 { ", ..." } else { "" }
            );
        }
        let mut hash = Sha256::new();
        for (path, (kind, _)) in &wanted {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            check_bytes(path, &bytes, *kind)?;
            hash.update(path.strip_prefix(dir).unwrap_or(path).to_string_lossy().as_bytes());
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(&bytes);
        }
        Ok(GuestSet { files, identity: format!("guests {:x}", hash.finalize()) })
    }

    /// The guests of `cells`, built by `builder` where not cached (each checked as it is given to
    /// the run); identified by the build's inputs, which do not depend on which cells (or shard).
    pub fn built(builder: &Builder, cells: &[Cell]) -> Result<GuestSet> {
        let mut files = HashMap::new();
        for cell in cells.iter().filter(|c| c.unsupported().is_none()) {
            let Some(build) = GuestBuild::of(cell) else { continue };
            let built = match files.entry(build) {
                std::collections::hash_map::Entry::Occupied(built) => built.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    eprintln!("building guests {}", build.relative_dir().display());
                    slot.insert(builder.ensure(build)?)
                }
            };
            for path in needed(cell, built) {
                let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                check_bytes(&path, &bytes, Kind::of(&build))?;
            }
        }
        Ok(GuestSet { files, identity: format!("built from {}", builder.sources()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_binary_wasm_of_the_right_kind_passes_and_the_error_names_the_file() {
        let path = Path::new("g/consumer.wasm");
        check_bytes(path, b"\0asm\x01\0\0\0", Kind::Core).unwrap();
        check_bytes(path, b"\0asm\x0d\0\x01\0", Kind::Component).unwrap();
        for (bytes, kind, says) in [
            (&b"(module (memory 1))"[..], Kind::Core, "it is WAT text"),
            (b";; a guest\n  (module)", Kind::Core, "it is WAT text"),
            (b"", Kind::Core, "empty"),
            (b"\0asm", Kind::Core, "cut short"),
            (b"\x7fELF\x02\x01\x01\0\0", Kind::Core, "7f, 45, 4c, 46"),
            (b"\0asm\x0d\0\x01\0", Kind::Core, "is a wasm component"),
            (b"\0asm\x01\0\0\0", Kind::Component, "is a core wasm module"),
            (b"\0asm\x02\0\0\0", Kind::Core, "version/layer bytes [02, 00, 00, 00]"),
        ] {
            let err = check_bytes(path, bytes, kind).unwrap_err().to_string();
            assert!(err.contains("g/consumer.wasm") && err.contains(says), "{bytes:?}: {err}");
        }
    }
}
