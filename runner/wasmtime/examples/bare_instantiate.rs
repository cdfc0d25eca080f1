//! The floor a worker's instantiation is held to: Wasmtime making the pair (a store, the producer
//! and the consumer instantiated in it) in a minimal program, no harness, for each `instantiate`
//! strategy, each pair timed alone after a warm-up, as the worker's distribution times its pairs
//! (wasmatrix-core's `bare_instantiate_median_ns`); prints the median ns per pair.
//! `runner/bare_instantiate.sh` runs it beside the other runtimes' and a results file.
//!
//! `bare_instantiate PRODUCER.wasm CONSUMER.wasm [cranelift|winch|pulley] [fresh|pre|pooled] [exports]`:
//! the `bare` guests with their own memories and logging off, which import nothing. `fresh` links
//! each pair with a new linker; `pre` instantiates each from an `InstancePre` made once; `pooled`
//! does so in an engine with the pooling allocator (slots for one pair) and copy-on-write memory
//! images. `exports`: each pair also takes the handles a host needs to call the guests, as the
//! worker's pair does: both memories, and the exports the harness calls, in the same tables the
//! worker looks them up in (wasmatrix-core's `guest_exports!`).

use wasmatrix_core::abi::Role;
use wasmatrix_core::guests::Failure;
use wasmatrix_core::measure::clock::bare_instantiate_median_ns;
use wasmtime::{Engine, Instance, Linker, Module, Store, StoreContextMut, TypedFunc};

#[path = "shared/config.rs"]
mod shared;

/// Wasmtime as wasmatrix-core's transports reach it (runner/wasmtime/src/call.rs).
enum Api {}

impl wasmatrix_core::transport::Access for Api {
    type Ctx<'a, D: 'static> = StoreContextMut<'a, D>;
}

fn failure(e: wasmtime::Error) -> Failure {
    Failure::Error(format!("{e:#}"))
}

// The harness's tables of the guests' exports; only their lookups are used here.
#[allow(dead_code)]
mod exports {
    use super::*;
    wasmatrix_core::guest_exports! {
        func: TypedFunc, args: tupled, api: Api, failure: failure,
        lookup: fn<S>(store: &mut Store<S>, instance: &Instance) = |name| instance.get_typed_func(&mut *store, name),
    }
}

/// The handles a host calls the pair through: both memories, each guest's exports the harness
/// calls, and its buffer allocator.
fn handles(store: &mut Store<()>, producer: &Instance, consumer: &Instance) -> wasmtime::Result<()> {
    let lacks = |what: &str| wasmtime::format_err!("a guest exports no {what}");
    let e = |f: Failure| wasmtime::format_err!("{f:?}");
    std::hint::black_box((
        producer.get_memory(&mut *store, "memory").ok_or_else(|| lacks("memory"))?,
        consumer.get_memory(&mut *store, "memory").ok_or_else(|| lacks("memory"))?,
        exports::ProducerFns::new(store, producer).map_err(e)?,
        exports::ConsumerFns::new(store, consumer).map_err(e)?,
        exports::Allocate::new(store, producer, Role::Producer).map_err(e)?,
        exports::Allocate::new(store, consumer, Role::Consumer).map_err(e)?,
    ));
    Ok(())
}

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, producer, consumer, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: bare_instantiate PRODUCER.wasm CONSUMER.wasm [cranelift|winch|pulley] [fresh|pre|pooled] [exports]"
        );
        std::process::exit(2);
    };
    let mut config = shared::config(rest.first().map(String::as_str))?;
    let strategy = rest.get(1).map_or("fresh", String::as_str);
    let with_handles = match rest.get(2).map(String::as_str) {
        None => false,
        Some("exports") => true,
        Some(other) => wasmtime::bail!("unknown option `{other}`; allowed: exports"),
    };
    if strategy == "pooled" {
        shared::pool_one_pair(&mut config);
    }
    let engine = Engine::new(&config)?;
    let producer = Module::from_file(&engine, producer)?;
    let consumer = Module::from_file(&engine, consumer)?;
    let ns = match strategy {
        "fresh" => bare_instantiate_median_ns(|| -> wasmtime::Result<_> {
            let mut store = Store::new(&engine, ());
            let linker = Linker::new(&engine);
            let pair = (linker.instantiate(&mut store, &producer)?, linker.instantiate(&mut store, &consumer)?);
            if with_handles {
                handles(&mut store, &pair.0, &pair.1)?;
            }
            Ok((store, pair))
        })?,
        "pre" | "pooled" => {
            let linker = Linker::new(&engine);
            let (p, c) = (linker.instantiate_pre(&producer)?, linker.instantiate_pre(&consumer)?);
            bare_instantiate_median_ns(|| -> wasmtime::Result<_> {
                let mut store = Store::new(&engine, ());
                let pair = (p.instantiate(&mut store)?, c.instantiate(&mut store)?);
                if with_handles {
                    handles(&mut store, &pair.0, &pair.1)?;
                }
                Ok((store, pair))
            })?
        }
        other => wasmtime::bail!("unknown strategy `{other}`; allowed: fresh, pre, pooled"),
    };
    println!("{ns:.1}");
    Ok(())
}
