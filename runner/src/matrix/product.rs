//! A cross product of axis values: a study's cells, and the older form's `[axes]`. Its
//! combinations come in one stable order; some are not cells ([`Cell::not_a_cell`]).

use crate::matrix::select::axis_names;
use anyhow::{anyhow, bail, Result};
use wasmatrix_core::axes::*;
use wasmatrix_core::cell::Cell;

/// What a study writes for "every value of this axis".
pub const EVERY: &str = "*";

/// The values of each axis, each listed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub compilers: Vec<Compiler>,
    pub engines: Vec<Engine>,
    pub environments: Vec<Environment>,
    pub transports: Vec<Transport>,
    pub codecs: Vec<Codec>,
    pub profiles: Vec<Profile>,
    pub loggings: Vec<Logging>,
    pub allocators: Vec<Allocator>,
    pub runtimes: Vec<Runtime>,
    pub calls: Vec<Call>,
    pub instantiates: Vec<Instantiate>,
    pub records: Vec<Records>,
    pub modules: Vec<Modules>,
    pub releases: Vec<Release>,
}

impl Product {
    /// One cell: every axis at its default (runner/core/src/axes.rs).
    pub fn baseline() -> Product {
        Product {
            compilers: vec![Compiler::DEFAULT],
            engines: vec![Engine::DEFAULT],
            environments: vec![Environment::DEFAULT],
            transports: vec![Transport::DEFAULT],
            codecs: vec![Codec::DEFAULT],
            profiles: vec![Profile::DEFAULT],
            loggings: vec![Logging::DEFAULT],
            allocators: vec![Allocator::DEFAULT],
            runtimes: vec![Runtime::DEFAULT],
            calls: vec![Call::DEFAULT],
            instantiates: vec![Instantiate::DEFAULT],
            records: vec![Records::DEFAULT],
            modules: vec![Modules::DEFAULT],
            releases: vec![Release::DEFAULT],
        }
    }

    /// Sets the axis named `axis` to `values`: value names, or [`EVERY`] alone for every value.
    /// Errors name what is allowed.
    pub fn set(&mut self, axis: &str, values: &[&str]) -> Result<()> {
        match axis {
            Compiler::NAME => self.compilers = pick(values)?,
            Engine::NAME => self.engines = pick(values)?,
            Environment::NAME => self.environments = pick(values)?,
            Transport::NAME => self.transports = pick(values)?,
            Codec::NAME => self.codecs = pick(values)?,
            Profile::NAME => self.profiles = pick(values)?,
            Logging::NAME => self.loggings = pick(values)?,
            Allocator::NAME => self.allocators = pick(values)?,
            Runtime::NAME => self.runtimes = pick(values)?,
            Call::NAME => self.calls = pick(values)?,
            Instantiate::NAME => self.instantiates = pick(values)?,
            Records::NAME => self.records = pick(values)?,
            Modules::NAME => self.modules = pick(values)?,
            Release::NAME => self.releases = pick(values)?,
            _ => bail!("unknown axis `{axis}`; axes: {}", axis_names().join(", ")),
        }
        Ok(())
    }

    /// Every combination of the values, in a stable order: the release varies fastest, then the
    /// modules, the records, the instantiate, the call, the runtime, engine, compiler, transport,
    /// environment, logging, codec, allocator and profile, each in the order listed.
    pub fn combinations(&self) -> Vec<Cell> {
        /// Each cell of `cells` once per value of `values`, the values varying fastest.
        fn by<A: Copy>(cells: Vec<Cell>, values: &[A], set: fn(&mut Cell, A)) -> Vec<Cell> {
            let each = |cell: Cell| {
                values.iter().map(move |&value| {
                    let mut cell = cell;
                    set(&mut cell, value);
                    cell
                })
            };
            cells.into_iter().flat_map(each).collect()
        }
        let mut cells = vec![Product::baseline().first()];
        cells = by(cells, &self.profiles, |c, v| c.profile = v);
        cells = by(cells, &self.allocators, |c, v| c.allocator = v);
        cells = by(cells, &self.codecs, |c, v| c.codec = v);
        cells = by(cells, &self.loggings, |c, v| c.logging = v);
        cells = by(cells, &self.environments, |c, v| c.environment = v);
        cells = by(cells, &self.transports, |c, v| c.transport = v);
        cells = by(cells, &self.compilers, |c, v| c.compiler = v);
        cells = by(cells, &self.engines, |c, v| c.engine = v);
        cells = by(cells, &self.runtimes, |c, v| c.runtime = v);
        cells = by(cells, &self.calls, |c, v| c.call = v);
        cells = by(cells, &self.instantiates, |c, v| c.instantiate = v);
        cells = by(cells, &self.records, |c, v| c.records = v);
        cells = by(cells, &self.modules, |c, v| c.modules = v);
        by(cells, &self.releases, |c, v| c.release = v)
    }

    /// The cell of every axis's first value; of the baseline, every axis at its default: where
    /// [`Product::combinations`] starts, setting every axis in turn.
    fn first(&self) -> Cell {
        Cell {
            compiler: self.compilers[0],
            engine: self.engines[0],
            environment: self.environments[0],
            transport: self.transports[0],
            codec: self.codecs[0],
            profile: self.profiles[0],
            logging: self.loggings[0],
            allocator: self.allocators[0],
            runtime: self.runtimes[0],
            call: self.calls[0],
            instantiate: self.instantiates[0],
            records: self.records[0],
            modules: self.modules[0],
            release: self.releases[0],
        }
    }

    /// The combinations that are cells, in the same order.
    pub fn cells(&self) -> Vec<Cell> {
        self.combinations().into_iter().filter(|c| c.not_a_cell().is_none()).collect()
    }
}

/// `values` as values of axis `A`, each once: [`EVERY`] alone is every value.
fn pick<A: Axis>(values: &[&str]) -> Result<Vec<A>> {
    let allowed = || format!("allowed: {}, or \"{EVERY}\" for every {}", A::allowed(), A::NAME);
    if values == [EVERY] {
        return Ok(A::all().to_vec());
    }
    if values.is_empty() {
        bail!("{} lists no values; {}", A::NAME, allowed());
    }
    let mut out = Vec::new();
    for &name in values {
        if name == EVERY {
            bail!("\"{EVERY}\" stands alone: write {} = \"{EVERY}\" for every {}", A::NAME, A::NAME);
        }
        let value = A::from_name(name).ok_or_else(|| anyhow!("unknown {} `{name}`; {}", A::NAME, allowed()))?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_one_cell_of_defaults() {
        let cells = Product::baseline().cells();
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].to_string(), "cranelift/jit/bare/copy/raw/release/off/default/wasmer/host/fresh");
    }

    #[test]
    fn every_value_and_listed_values() {
        let mut p = Product::baseline();
        p.set("codec", &["*"]).unwrap();
        assert_eq!(p.codecs, Codec::all());
        p.set("compiler", &["llvm", "singlepass", "llvm"]).unwrap();
        assert_eq!(p.compilers, [Compiler::Llvm, Compiler::Singlepass], "in the order listed, each once");
        assert_eq!(p.combinations().len(), 2 * Codec::all().len());
        let err = format!("{:#}", p.set("engine", &["jit", "*"]).unwrap_err());
        assert!(err.contains("\"*\" stands alone"), "{err}");
        let err = format!("{:#}", p.set("engine", &[]).unwrap_err());
        assert!(err.contains("engine lists no values; allowed: jit, artifact, native, or \"*\""), "{err}");
        let err = format!("{:#}", p.set("flavour", &["x"]).unwrap_err());
        assert!(err.contains("unknown axis `flavour`; axes: compiler, engine"), "{err}");
    }
}
