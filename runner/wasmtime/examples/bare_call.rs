//! The floor a worker's bare call is held to: Wasmtime's own typed call of the consumer's `ping`
//! in a minimal program (no harness, no worker protocol, no transport), timed as the worker times
//! its call floor: batches of dependent calls, one clock read per batch; prints the median ns per
//! call. `runner/bare_call.sh` runs it beside the other runtimes'.
//!
//! `bare_call CONSUMER.wasm [cranelift|winch|pulley]`: a `bare` consumer with its own memory and
//! logging off, which imports nothing; or the consumer built as a component by the runner
//! (guests/wit, world `consumer`), whose `consumer-bench#ping` is then called (the floor of the
//! `component` cells).

use wasmatrix_core::measure::clock::bare_call_median_ns;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Instance, Module, Store};

#[path = "shared/config.rs"]
mod shared;

const CONSUMER_BENCH: &str = "wasmatrix:pair/consumer-bench@0.1.0";

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: bare_call CONSUMER.wasm [cranelift|winch|pulley]");
        std::process::exit(2);
    };
    let config = shared::config(args.get(2).map(String::as_str))?;
    let engine = Engine::new(&config)?;
    let wasm = std::fs::read(path)?;
    let mut store = Store::new(&engine, ());
    // A component's preamble: `\0asm`, version 0x0d, layer 1 (a core module's layer is 0).
    let ns = if wasm.get(6..8) == Some(&[1, 0]) {
        let instance = Linker::new(&engine).instantiate(&mut store, &Component::new(&engine, &wasm)?)?;
        let ping = instance
            .get_export_index(&mut store, None, CONSUMER_BENCH)
            .and_then(|bench| instance.get_export_index(&mut store, Some(&bench), "ping"))
            .ok_or_else(|| {
                wasmtime::format_err!("{path} exports no {CONSUMER_BENCH}#ping: not a consumer component")
            })?;
        let ping = instance.get_typed_func::<(u32,), (u32,)>(&mut store, &ping)?;
        bare_call_median_ns(|x| ping.call(&mut store, (x,)).map(|(y,)| y))?
    } else {
        let instance = Instance::new(&mut store, &Module::new(&engine, &wasm)?, &[])?;
        let ping = instance.get_typed_func::<u32, u32>(&mut store, "ping")?;
        bare_call_median_ns(|x| ping.call(&mut store, x))?
    };
    println!("{ns:.1}");
    Ok(())
}
