//! The minimal programs' engine configuration (bare_call.rs, bare_instantiate.rs, bare_cold.rs):
//! the compiler their command line names, and, as the worker's engine
//! (runner/wasmtime/src/engine.rs), no async concurrency machinery.

use wasmtime::{Config, InstanceAllocationStrategy, PoolingAllocationConfig, Strategy};

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

/// The `pooled` strategy's allocator in `config`: Wasmtime's pooling allocator with slots for one
/// pair, and copy-on-write memory images (Wasmtime's default, set as its fast-instantiation guide
/// lists it).
#[allow(dead_code)] // bare_call.rs has no strategies.
pub fn pool_one_pair(config: &mut Config) {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(2).total_memories(2).total_tables(2);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config.memory_init_cow(true);
}
