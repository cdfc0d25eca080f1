//! The floor a worker's bare call is held to: wasmi's own typed call of the consumer's `ping` in
//! a minimal program (no harness, no worker protocol, no transport), timed as the worker times its
//! call floor (wasmatrix-core's `bare_call_median_ns`); prints the median ns per call.
//! `runner/bare_call.sh` runs it beside the other runtimes'.
//!
//! `bare_call CONSUMER.wasm` (a `bare` consumer with its own memory and logging off, which imports
//! nothing).

use wasmatrix_core::measure::clock::bare_call_median_ns;
use wasmi::{Engine, Linker, Module, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_call CONSUMER.wasm");
        std::process::exit(2);
    };
    let engine = Engine::default();
    let module = Module::new(&engine, std::fs::read(path)?)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module)?;
    let ping = instance.get_typed_func::<u32, u32>(&store, "ping")?;
    println!("{:.1}", bare_call_median_ns(|x| ping.call(&mut store, x))?);
    Ok(())
}
