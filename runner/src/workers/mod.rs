//! Which process runs a cell: every runtime has a worker of its own behind the one worker
//! protocol (wasmatrix-core's `worker`), built or found once per run, before the first cell. Each
//! runtime's [`Recipe`] has one file here: how its worker is built or found, how it is started,
//! what it checks before a run and which version a row records when the worker did not say.
//!
//! Adding a runtime: its worker (a crate speaking the worker protocol), a file here implementing
//! [`Recipe`], and its line in [`recipe`]. Adding another release of a runtime (a value of the
//! `release` axis): its worker build (runner/releases/<release>/: the runtime's worker source with
//! its own dependencies and lock file), its recipe in the runtime's file, and its line in [`recipe`].

mod cargo;
pub mod chromium;
pub mod native;
mod recipe;
pub mod v8;
pub mod wasmer;
pub mod wasmi;
pub mod wasmtime;

pub use recipe::{Recipe, WorkerCommand, WorkerKey};

use crate::guest_build::Builder;
use crate::matrix::axes::{Release, Runtime};
use crate::matrix::Cell;
use anyhow::Result;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Each runtime's recipe, and each other release's: the one line a runtime or a release registers
/// here. A release belongs to one runtime (`Release::runtime`); with another it is not a cell.
pub fn recipe(runtime: Runtime, release: Release) -> &'static dyn Recipe {
    match release {
        Release::Default => {}
        Release::Wasmi1 => return &wasmi::WASMI_1,
        Release::Wasmtime36 => return &wasmtime::WASMTIME_36,
        Release::Wasmer6 => return &wasmer::WASMER_6,
        Release::Node24 => return &v8::V8_NODE_24,
    }
    match runtime {
        Runtime::Wasmer => &wasmer::Wasmer,
        Runtime::Wasmtime => &wasmtime::WASMTIME,
        Runtime::Wasmi => &wasmi::WASMI,
        Runtime::V8 => &v8::V8_NODE_20,
        Runtime::Chromium => &chromium::Chromium,
        Runtime::Native => &native::Native,
    }
}

/// Every worker a run's cells need.
pub struct Workers {
    root: PathBuf,
    built: HashMap<(Runtime, Release, WorkerKey), PathBuf>,
}

impl Workers {
    /// Builds (or finds) the worker of every runtime `cells` name.
    pub fn prepare<'a>(builder: &Builder, root: &Path, cells: impl IntoIterator<Item = &'a Cell>) -> Result<Workers> {
        let mut built = HashMap::new();
        for cell in cells {
            let recipe = recipe(cell.runtime, cell.release);
            if let Entry::Vacant(slot) = built.entry((cell.runtime, cell.release, recipe.key(cell))) {
                slot.insert(recipe.worker(builder, cell)?);
            }
        }
        Ok(Workers { root: root.to_owned(), built })
    }

    /// How to start a worker for `cell`.
    pub fn command(&self, cell: &Cell) -> WorkerCommand {
        let recipe = recipe(cell.runtime, cell.release);
        recipe.start(&self.built[&(cell.runtime, cell.release, recipe.key(cell))], &self.root, cell)
    }
}
