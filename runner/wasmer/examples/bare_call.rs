//! The floor a worker's bare call is held to: Wasmer's own typed call of the consumer's `ping` in
//! a minimal program (no harness, no worker protocol, no transport), timed as the worker times its
//! call floor (wasmatrix-core's `bare_call_median_ns`); prints the median ns per call.
//! `runner/bare_call.sh` runs it beside the other runtimes'.
//!
//! `bare_call CONSUMER.wasm [singlepass|cranelift]` (a `bare` consumer with its own memory and
//! logging off, which imports nothing).

use wasmatrix_core::measure::clock::bare_call_median_ns;
use wasmer::{imports, Instance, Module, Store, TypedFunction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: bare_call CONSUMER.wasm [singlepass|cranelift]");
        std::process::exit(2);
    };
    let engine: wasmer::Engine = match args.get(2).map(String::as_str) {
        None | Some("cranelift") => wasmer::sys::Cranelift::default().into(),
        Some("singlepass") => wasmer::sys::Singlepass::default().into(),
        Some(other) => return Err(format!("unknown compiler `{other}`; allowed: singlepass, cranelift").into()),
    };
    let mut store = Store::new(engine);
    let module = Module::new(&store, std::fs::read(path)?)?;
    let instance = Instance::new(&mut store, &module, &imports! {})?;
    let ping: TypedFunction<u32, u32> = instance.exports.get_typed_function(&store, "ping")?;
    println!("{:.1}", bare_call_median_ns(|x| ping.call(&mut store, x))?);
    Ok(())
}
