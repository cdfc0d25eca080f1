//! The merged pair (transport `merged`, wasmatrix-core's `merged`): one core module the runner made
//! from both guests and the adapter, with two memories (the producer's, then the consumer's),
//! importing nothing (its cells are `bare`, logging off). It lives in a store of its own whose
//! only state is the memory cap, which covers both memories; it is instantiated by an empty linker
//! (`instantiate = fresh`) or from its `InstancePre` (`pre`, `pooled`). The round trip's calls are
//! wasmatrix-core's `merged_calls!` over the module's exports: under `call = host` the host calls
//! each step, each a call into the module; under `import` the producer's `round_trip`, whose
//! `env.deliver` is the adapter's, never leaves wasm.

use crate::call::{failure, read_text, ConsumerFns, MergedChainFns, MergedFns, ProducerFns, RelayFns, RoundTrip};
use crate::limits::Cap;
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, MemoryPages, Output, Traffic};
use wasmatrix_core::merged::{self, ADAPTER, CONSUMER, CONSUMER_MEMORY};
use wasmtime::{InstancePre, Linker, Memory, Module, Store};

/// The merged pair's environment: its store (with the memory cap) and, `instantiate = fresh`, the
/// linker (empty: the module imports nothing).
pub type Environment = (Store<Cap>, Option<Linker<Cap>>);

/// The store, with the cap on every memory of it (both guests'), and, `fresh`, the linker.
pub fn environment(engine: &wasmtime::Engine, memory_limit_mib: u64, fresh: bool) -> Environment {
    let mut store = Store::new(engine, Cap::new(memory_limit_mib));
    store.limiter(|cap| cap);
    (store, fresh.then(|| Linker::new(engine)))
}

/// The module's pre-linked form (`instantiate = pre`, `pooled`), from an empty linker.
pub fn prepare(engine: &wasmtime::Engine, module: &Module) -> Result<InstancePre<Cap>, Failure> {
    Linker::new(engine)
        .instantiate_pre(module)
        .map_err(|e| Failure::Error(format!("cannot pre-link the merged module: {e:#}")))
}

/// Where a merged pair comes from: its module and a linker (`fresh`), or its pre-linked form.
pub enum Source<'a> {
    Fresh(&'a Linker<Cap>, &'a Module),
    Pre(&'a InstancePre<Cap>),
}

/// The merged module, instantiated: its exports the harness calls, looked up once, with the
/// fields `merged_calls!` expects.
pub struct MergedCalls {
    store: Store<Cap>,
    producer: ProducerFns,
    consumer: ConsumerFns,
    adapter: MergedFns,
    /// `call = import`: the producer's `round_trip` export.
    round_trip: Option<RoundTrip>,
    /// A merged chain's relays (none for a pair), and the adapter's `refused_by` if there are any.
    relays: Vec<RelayFns>,
    chain: Option<MergedChainFns>,
    /// The producer's memory (memory 0) and the consumer's (memory 1).
    memories: (Memory, Memory),
    /// What the adapter counted, as of the last `count_traffic`.
    traffic: Traffic,
}

/// Instantiates the merged module in `store`, from `source` (the measured "instantiate" phase).
pub fn instantiate(mut store: Store<Cap>, source: Source<'_>, call: Call) -> Result<Pair<MergedCalls>, Failure> {
    let instance = match source {
        Source::Fresh(linker, module) => linker.instantiate(&mut store, module),
        Source::Pre(pre) => pre.instantiate(&mut store),
    }
    .map_err(|e| Failure::Error(format!("cannot instantiate the merged module: {e:#}")))?;
    let memory = |store: &mut Store<Cap>, name: &str| {
        instance
            .get_memory(&mut *store, name)
            .ok_or_else(|| Failure::Error(format!("the merged module exports no memory {name}")))
    };
    let memories = (memory(&mut store, "memory")?, memory(&mut store, CONSUMER_MEMORY)?);
    let producer = ProducerFns::new(&mut store, &instance)?;
    let consumer = ConsumerFns::named(CONSUMER, &mut store, &instance)?;
    let adapter = MergedFns::named(ADAPTER, &mut store, &instance)?;
    let round_trip = match call {
        Call::Host => None,
        Call::Import => Some(ProducerFns::round_trip(&mut store, &instance)?),
    };
    let exported: Vec<String> = instance.exports(&mut store).map(|e| e.name().to_owned()).collect();
    let relays = merged::relays(
        |name| exported.iter().any(|e| e == name),
        |prefix| RelayFns::named(prefix, &mut store, &instance),
    )?;
    let chain = if relays.is_empty() { None } else { Some(MergedChainFns::named(ADAPTER, &mut store, &instance)?) };
    let calls = MergedCalls {
        store,
        producer,
        consumer,
        adapter,
        round_trip,
        relays,
        chain,
        memories,
        traffic: Traffic::default(),
    };
    Ok(Pair::new(calls, call))
}

wasmatrix_core::merged_calls! {
    impl MergedCalls, args: tupled, failure: failure, read_text: read_text,
    {
        /// No log sink and no stdout: the merged cells are `bare`, logging off.
        fn output(&self) -> Output {
            Output::default()
        }

        /// Both guests' memories, in the one instance.
        fn memory_pages(&self) -> MemoryPages {
            let (producer, consumer) = &self.memories;
            MemoryPages { producer: Some(producer.size(&self.store)), consumer: Some(consumer.size(&self.store)) }
        }
    }
}

#[cfg(test)]
mod tests;
