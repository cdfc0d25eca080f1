//! Where wasmi is configured: one compilation mode per `compiler` value, wasmi's defaults
//! otherwise. The "compile" phase is `Module::new` of both guests: parsing, and validating and
//! translating to wasmi's bytecode as much as the mode does up front.

use anyhow::{Context, Result};
use std::path::Path;
use wasmatrix_core::axes::Compiler;
use wasmatrix_core::guests::{read_guest, Failure, GuestFiles};
use wasmi::{CompilationMode, Config, Engine, Module};

/// wasmi's compilation mode for a `compiler` value; `None` for another runtime's compiler.
pub fn compilation_mode(compiler: Compiler) -> Option<CompilationMode> {
    match compiler {
        Compiler::Eager => Some(CompilationMode::Eager),
        Compiler::LazyTranslation => Some(CompilationMode::LazyTranslation),
        Compiler::Lazy => Some(CompilationMode::Lazy),
        Compiler::Singlepass
        | Compiler::Cranelift
        | Compiler::Llvm
        | Compiler::Winch
        | Compiler::Pulley
        | Compiler::Liftoff
        | Compiler::Turbofan
        | Compiler::Rustc => None,
    }
}

/// The wasmi engine that translates with `compiler`'s mode.
pub fn engine(compiler: Compiler) -> Result<Engine> {
    let mode = compilation_mode(compiler).with_context(|| {
        format!("wasmi has no compiler `{compiler}`: its compilation modes are eager, lazy-translation and lazy")
    })?;
    let mut config = Config::default();
    config.compilation_mode(mode);
    Ok(Engine::new(&config))
}

/// The guests as wasmi modules, ready to instantiate: the pair, and a chain's relays (each distinct
/// module once).
pub struct Modules {
    pub producer: Module,
    pub consumer: Module,
    pub relays: Vec<Module>,
    /// Which of `relays` each relay of the chain instantiates, in order.
    pub relay_of: Vec<usize>,
}

/// Compiles one guest file.
pub fn compile_one(engine: &Engine, path: &Path) -> Result<Module, Failure> {
    let wasm = read_guest(path)?;
    Ok(Module::new(engine, wasm).with_context(|| format!("cannot compile guest {}", path.display()))?)
}

/// Compiles the guests (the measured "compile" phase).
pub fn compile(engine: &Engine, guests: &GuestFiles) -> Result<Modules, Failure> {
    let (relays, relay_of) = guests.relay_modules();
    Ok(Modules {
        producer: compile_one(engine, &guests.producer)?,
        consumer: compile_one(engine, &guests.consumer)?,
        relays: relays.into_iter().map(|relay| compile_one(engine, relay)).collect::<Result<_, _>>()?,
        relay_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmatrix_core::axes::Axis;

    #[test]
    fn each_wasmi_compiler_is_a_compilation_mode() {
        // CompilationMode has no PartialEq.
        assert!(matches!(compilation_mode(Compiler::Eager), Some(CompilationMode::Eager)));
        assert!(matches!(compilation_mode(Compiler::LazyTranslation), Some(CompilationMode::LazyTranslation)));
        assert!(matches!(compilation_mode(Compiler::Lazy), Some(CompilationMode::Lazy)));
        let others = Compiler::all().iter().filter(|c| compilation_mode(**c).is_some()).count();
        assert_eq!(others, 3);
        assert!(engine(Compiler::Cranelift).unwrap_err().to_string().contains("eager, lazy-translation and lazy"));
    }

    /// The version of the workspace the worker is built in: the main one's wasmi 2, or release
    /// `wasmi-1`'s own lock file (runner/releases/wasmi-1).
    #[test]
    fn the_version_comes_from_the_lock_file() {
        let line = if cfg!(wasmi_1) { "1.0." } else { "2." };
        assert!(crate::WASMI_VERSION.starts_with(line), "{}", crate::WASMI_VERSION);
        assert!(crate::WASMI_WASI_VERSION.starts_with(line), "{}", crate::WASMI_WASI_VERSION);
    }
}
