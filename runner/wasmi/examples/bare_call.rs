//! The floor a worker's bare call is held to: wasmi's own typed call of the consumer's `ping` in
//! a minimal program (no harness, no worker protocol, no transport), timed as the worker times its
//! call floor: batches of dependent calls, one clock read per batch; prints the median ns per call.
//! `runner/bare_call.sh` runs it beside the other runtimes'.
//!
//! `bare_call CONSUMER.wasm` (a `bare` consumer with its own memory and logging off, which imports
//! nothing).

use std::time::Instant;
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
