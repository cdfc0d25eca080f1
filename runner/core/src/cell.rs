//! One cell of the matrix: a value for every axis, and nothing else, so a cell can be named,
//! filtered, skipped and sharded from its description alone.

use crate::axes::*;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub compiler: Compiler,
    pub engine: Engine,
    pub environment: Environment,
    pub transport: Transport,
    pub codec: Codec,
    pub profile: Profile,
}

impl Cell {
    /// (axis, value) pairs in the order of the cell's name and of the CSV columns.
    pub fn values(&self) -> [(&'static str, &'static str); 6] {
        [
            (Compiler::NAME, self.compiler.name()),
            (Engine::NAME, self.engine.name()),
            (Environment::NAME, self.environment.name()),
            (Transport::NAME, self.transport.name()),
            (Codec::NAME, Axis::name(self.codec)),
            (Profile::NAME, self.profile.name()),
        ]
    }

    /// Why this combination of values is not a cell that can run, if it is not. Matrices skip
    /// such combinations (`runner list` counts them).
    pub fn unsupported(&self) -> Option<&'static str> {
        match (self.compiler == Compiler::Rustc, self.engine == Engine::Native) {
            (true, false) => Some("rustc compiles native code, so it runs only with the native engine"),
            (false, true) => Some("the native engine runs rustc's native code, not a wasm compiler's"),
            _ => None,
        }
    }

    /// Parses the `Display` form, `compiler/engine/environment/transport/codec/profile`.
    pub fn parse(id: &str) -> Result<Cell, String> {
        fn value<A: Axis>(part: Option<&str>) -> Result<A, String> {
            let part = part.ok_or_else(|| format!("missing {} in cell name", A::NAME))?;
            A::from_name(part).ok_or_else(|| format!("unknown {} `{part}`; allowed: {}", A::NAME, A::allowed()))
        }
        let mut parts = id.split('/');
        let cell = Cell {
            compiler: value(parts.next())?,
            engine: value(parts.next())?,
            environment: value(parts.next())?,
            transport: value(parts.next())?,
            codec: value(parts.next())?,
            profile: value(parts.next())?,
        };
        match parts.next() {
            None => Ok(cell),
            Some(extra) => Err(format!("unexpected `{extra}` after the profile in cell name `{id}`")),
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.values().iter().map(|(_, v)| *v).collect();
        f.write_str(&names.join("/"))
    }
}

// Cells cross the process boundary to workers by name.
impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        let id = String::deserialize(d)?;
        Cell::parse(&id).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_round_trips() {
        let cell = Cell::parse("llvm/artifact/bare/shared/raw/release").unwrap();
        assert_eq!(cell.compiler, Compiler::Llvm);
        assert_eq!(cell.transport, Transport::Shared);
        assert_eq!(Cell::parse(&cell.to_string()), Ok(cell));
    }

    #[test]
    fn bad_names_say_what_is_allowed() {
        let err = Cell::parse("v8/jit/bare/copy/raw/release").unwrap_err();
        assert!(err.contains("unknown compiler `v8`") && err.contains("singlepass, cranelift, llvm"), "{err}");
        assert!(Cell::parse("llvm/jit").unwrap_err().contains("missing environment"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/x").is_err());
    }
}
