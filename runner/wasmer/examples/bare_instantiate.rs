//! The floor a worker's instantiation is held to: Wasmer making the pair (a store, the producer and
//! the consumer instantiated in it, as `fresh`, Wasmer's one strategy) in a minimal program, no
//! harness, each pair timed alone after a warm-up (wasmatrix-core's `bare_instantiate_median_ns`);
//! prints the median ns per pair. `runner/bare_instantiate.sh` runs it beside the other runtimes'.
//!
//! `bare_instantiate PRODUCER.wasm CONSUMER.wasm [singlepass|cranelift]` (the `bare` guests with
//! their own memories and logging off, which import nothing).

use wasmatrix_core::measure::clock::bare_instantiate_median_ns;
use wasmer::{imports, Instance, Module, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, producer, consumer, rest @ ..] = args.as_slice() else {
        eprintln!("usage: bare_instantiate PRODUCER.wasm CONSUMER.wasm [singlepass|cranelift]");
        std::process::exit(2);
    };
    let engine: wasmer::Engine = match rest.first().map(String::as_str) {
        None | Some("cranelift") => wasmer::sys::Cranelift::default().into(),
        Some("singlepass") => wasmer::sys::Singlepass::default().into(),
        Some(other) => return Err(format!("unknown compiler `{other}`; allowed: singlepass, cranelift").into()),
    };
    let producer = Module::new(&engine, std::fs::read(producer)?)?;
    let consumer = Module::new(&engine, std::fs::read(consumer)?)?;
    let ns = bare_instantiate_median_ns(|| {
        let mut store = Store::new(engine.clone());
        let pair =
            (Instance::new(&mut store, &producer, &imports! {})?, Instance::new(&mut store, &consumer, &imports! {})?);
        Ok::<_, Box<dyn std::error::Error>>((store, pair))
    })?;
    println!("{ns:.1}");
    Ok(())
}
