//! The floor a worker's bare call is held to: Wasmtime's own typed call of the consumer's `ping`
//! in a minimal program (no harness, no worker protocol, no transport), timed as the worker times
//! its call floor: batches of dependent calls, one clock read per batch; prints the median ns per
//! call. `runner/bare_call.sh` runs it beside the other runtimes'.
//!
//! `bare_call CONSUMER.wasm [cranelift|winch|pulley]` (a `bare` consumer with its own memory and
//! logging off, which imports nothing).

use std::time::Instant;
use wasmtime::{Config, Engine, Instance, Module, Store, Strategy};

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: bare_call CONSUMER.wasm [cranelift|winch|pulley]");
        std::process::exit(2);
    };
    let mut config = Config::new();
    match args.get(2).map(String::as_str) {
        None | Some("cranelift") => {}
        Some("winch") => {
            config.strategy(Strategy::Winch);
        }
        Some("pulley") => {
            config.target("pulley64")?;
        }
        Some(other) => wasmtime::bail!("unknown compiler `{other}`; allowed: cranelift, winch, pulley"),
    }
    let engine = Engine::new(&config)?;
    let module = Module::from_file(&engine, path)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let ping = instance.get_typed_func::<u32, u32>(&mut store, "ping")?;
    let (warmup, samples, batch) = (100_000, 50, 2000);
    let mut x = 0;
    for _ in 0..warmup {
        x = ping.call(&mut store, x)?;
    }
    let mut per_call = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        for _ in 0..batch {
            x = ping.call(&mut store, x)?;
        }
        per_call.push(start.elapsed().as_nanos() as f64 / f64::from(batch));
    }
    std::hint::black_box(x);
    per_call.sort_by(f64::total_cmp);
    println!("{:.1}", per_call[samples / 2]);
    Ok(())
}
