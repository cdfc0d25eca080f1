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
            _ => bail!("unknown axis `{axis}`; axes: {}", axis_names().join(", ")),
        }
        Ok(())
    }

    /// Every combination of the values, in a stable order: the modules vary fastest, then the
    /// records, the instantiate, the call, the runtime, engine, compiler, transport, environment, logging,
    /// codec, allocator and profile, each in the order listed.
    pub fn combinations(&self) -> Vec<Cell> {
        let mut cells = Vec::new();
        for &profile in &self.profiles {
            for &allocator in &self.allocators {
                for &codec in &self.codecs {
                    for &logging in &self.loggings {
                        for &environment in &self.environments {
                            for &transport in &self.transports {
                                for &compiler in &self.compilers {
                                    for &engine in &self.engines {
                                        for &runtime in &self.runtimes {
                                            for &call in &self.calls {
                                                for &instantiate in &self.instantiates {
                                                    for &records in &self.records {
                                                        cells.extend(self.modules.iter().map(|&modules| Cell {
                                                            compiler,
                                                            engine,
                                                            environment,
                                                            transport,
                                                            codec,
                                                            profile,
                                                            logging,
                                                            allocator,
                                                            runtime,
                                                            call,
                                                            instantiate,
                                                            records,
                                                            modules,
                                                        }));
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cells
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
