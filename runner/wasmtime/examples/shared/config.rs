//! The minimal programs' engine configuration (bare_call.rs, bare_instantiate.rs, bare_cold.rs):
//! the compiler their command line names, and, as the worker's engine
//! (runner/wasmtime/src/engine.rs), no async concurrency machinery.

use wasmtime::{Config, Strategy};

/// The configuration for `compiler` (`cranelift` when none is named).
pub fn config(compiler: Option<&str>) -> wasmtime::Result<Config> {
    let mut config = Config::new();
    match compiler {
        None | Some("cranelift") => {}
        Some("winch") => {
            config.strategy(Strategy::Winch);
        }
        Some("pulley") => {
            config.target("pulley64")?;
        }
        Some(other) => wasmtime::bail!("unknown compiler `{other}`; allowed: cranelift, winch, pulley"),
    }
    config.concurrency_support(false);
    Ok(config)
}
