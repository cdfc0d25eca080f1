//! The floor a worker's instantiation is held to: wasmi making the pair (a store, the producer and
//! the consumer instantiated in it by a new linker, as `fresh`, wasmi's one strategy) in a minimal
//! program, no harness, each pair timed alone after a warm-up (wasmatrix-core's
//! `bare_instantiate_median_ns`); prints the median ns per pair. `runner/bare_instantiate.sh` runs
//! it beside the other runtimes'.
//!
//! `bare_instantiate PRODUCER.wasm CONSUMER.wasm` (the `bare` guests with their own memories and
//! logging off, which import nothing).

use wasmatrix_core::measure::clock::bare_instantiate_median_ns;
use wasmi::{Engine, Linker, Module, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, producer, consumer] = args.as_slice() else {
        eprintln!("usage: bare_instantiate PRODUCER.wasm CONSUMER.wasm");
        std::process::exit(2);
    };
    let engine = Engine::default();
    let producer = Module::new(&engine, std::fs::read(producer)?)?;
    let consumer = Module::new(&engine, std::fs::read(consumer)?)?;
    let ns = bare_instantiate_median_ns(|| {
        let mut store = Store::new(&engine, ());
        let linker = Linker::<()>::new(&engine);
        let pair = (
            linker.instantiate_and_start(&mut store, &producer)?,
            linker.instantiate_and_start(&mut store, &consumer)?,
        );
        Ok::<_, wasmi::Error>((store, pair))
    })?;
    println!("{ns:.1}");
    Ok(())
}
