//! The native twin's home in the runner: its worker is runner/native, the guest crates compiled
//! natively, built with the same cargo profile and allocator as the wasm guests so that both get
//! the same settings: one worker per (profile, allocator).

use super::cargo;
use super::recipe::{Recipe, WorkerKey};
use crate::guest_build::{allocator_feature, cargo_profile, write_whole, Builder};
use crate::matrix::Cell;
use crate::meta::RunMeta;
use anyhow::{Context, Result};
use std::path::PathBuf;

pub struct Native;

impl Recipe for Native {
    fn key(&self, cell: &Cell) -> WorkerKey {
        WorkerKey::Guests(cell.profile, cell.allocator)
    }

    /// Built with the cell's cargo profile and allocator, then copied to a path of its own per
    /// (profile, allocator), as cargo keeps one binary per profile.
    fn worker(&self, builder: &Builder, cell: &Cell) -> Result<PathBuf> {
        let (profile, allocator) = (cell.profile, cell.allocator);
        eprintln!("building the native worker (profile {profile}, allocator {allocator})");
        let cargo_profile = cargo_profile(profile);
        // Symbols kept (stripping changes no code): callgrind finds the counted regions by name.
        let keep_symbols = format!("CARGO_PROFILE_{}_STRIP", cargo_profile.to_uppercase().replace('-', "_"));
        let what = format!("the native worker ({cargo_profile}, allocator {allocator})");
        let _lock = cargo::build(builder, "native", &what, |cargo| {
            cargo.env(keep_symbols, "none").args(["-p", "wasmatrix-native", "--profile", cargo_profile]);
            if let Some(feature) = allocator_feature(allocator) {
                cargo.args(["--features", feature]);
            }
        })?;
        let built = cargo::binary_dir(builder, true, cargo_profile).join("wasmatrix-native");
        let dest = builder.native_dir().join(format!("{profile}-{allocator}"));
        std::fs::create_dir_all(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
        let dest = dest.join("wasmatrix-native");
        write_whole(&dest, |partial| {
            std::fs::copy(&built, partial)
                .with_context(|| format!("cannot copy {} to {}", built.display(), partial.display()))
                .map(drop)
        })?;
        Ok(dest)
    }

    /// The rustc that compiles the guests, and so the native twin.
    fn version(&self, meta: &RunMeta) -> String {
        meta.rustc_version.clone()
    }
}
