//! Transport `merged` under Wasmer: the one module wasm-merge made of both guests and their adapter
//! (two memories; see wasmatrix-core's `merged`), compiled, saved and loaded as one, and
//! instantiated with no imports (`bare`, logging off only) in a store of the engine whose tunables
//! cap every memory. Its round trip is wasmatrix-core's `merged_calls!` over Wasmer's typed
//! functions.

use crate::call::{failure, read_text, ConsumerFns, MergedChainFns, MergedFns, ProducerFns, RelayFns, RoundTrip};
use crate::engine;
use anyhow::Context;
use std::path::Path;
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, GuestFiles, MemoryPages, Output, Traffic};
use wasmatrix_core::merged::{self, ADAPTER, CONSUMER, CONSUMER_MEMORY};
use wasmatrix_core::runtime::Runtime;
use wasmatrix_core::worker::Job;
use wasmer::{imports, Instance, Memory, Module, Store};

/// Wasmer running the merged pair.
pub struct WasmerMerged;

/// The merged module's artifact in a cell's artifact directory.
fn artifact(dir: &Path) -> std::path::PathBuf {
    dir.join("merged.wasmu")
}

impl Runtime for WasmerMerged {
    type Engine = wasmer::Engine;
    type Code = Module;
    type Precompiled = Module;
    type Environment = Store;
    type Guests = Pair<MergedCalls>;

    fn engine(&self, job: &Job, compiling: bool) -> Result<wasmer::Engine, Failure> {
        crate::engine_for(job, compiling)
    }

    /// The merged module alone: it holds both guests.
    fn compile(&self, engine: &wasmer::Engine, guests: &GuestFiles) -> Result<Module, Failure> {
        engine::compile_one(engine, guests.merged()?)
    }

    fn precompile(&self, engine: &wasmer::Engine, guests: &GuestFiles, _: &Path) -> Result<Module, Failure> {
        self.compile(engine, guests)
    }

    fn save(&self, module: Module, dir: &Path) -> Result<u64, Failure> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(engine::save_artifact(&module, &artifact(dir))?)
    }

    fn load(&self, engine: &wasmer::Engine, dir: &Path) -> Result<Module, Failure> {
        Ok(engine::load_artifact(engine, &artifact(dir))?)
    }

    /// The store the pair will live in: the module imports nothing.
    fn environment(&self, engine: &wasmer::Engine, _: &Job) -> Result<Store, Failure> {
        Ok(Store::new(engine.clone()))
    }

    fn instantiate(
        &self,
        _: &wasmer::Engine,
        mut store: Store,
        module: &Module,
        job: &Job,
    ) -> Result<Pair<MergedCalls>, Failure> {
        let instance =
            Instance::new(&mut store, module, &imports! {}).context("cannot instantiate the merged module")?;
        Ok(Pair::new(MergedCalls::new(store, &instance, job.cell.call)?, job.cell.call))
    }
}

/// The merged module's exports, as `merged_calls!` calls them.
pub struct MergedCalls {
    store: Store,
    producer: ProducerFns,
    consumer: ConsumerFns,
    adapter: MergedFns,
    round_trip: Option<RoundTrip>,
    /// A merged chain's relays (none for a pair), and the adapter's `refused_by` if there are any.
    relays: Vec<RelayFns>,
    chain: Option<MergedChainFns>,
    memories: (Memory, Memory),
    traffic: Traffic,
}

impl MergedCalls {
    fn new(store: Store, instance: &Instance, call: Call) -> Result<MergedCalls, Failure> {
        let memory = |name: &str| {
            instance
                .exports
                .get_memory(name)
                .cloned()
                .map_err(|e| Failure::Error(format!("the merged module's memory `{name}`: {e}")))
        };
        let memories = (memory("memory")?, memory(CONSUMER_MEMORY)?);
        let relays =
            merged::relays(|name| instance.exports.contains(name), |prefix| RelayFns::named(prefix, &store, instance))?;
        let chain = if relays.is_empty() { None } else { Some(MergedChainFns::named(ADAPTER, &store, instance)?) };
        Ok(MergedCalls {
            producer: ProducerFns::new(&store, instance)?,
            consumer: ConsumerFns::named(CONSUMER, &store, instance)?,
            adapter: MergedFns::named(ADAPTER, &store, instance)?,
            round_trip: match call {
                Call::Host => None,
                Call::Import => Some(ProducerFns::round_trip(&store, instance)?),
            },
            relays,
            chain,
            memories,
            traffic: Traffic::default(),
            store,
        })
    }
}

wasmatrix_core::merged_calls! {
    impl MergedCalls, args: spread, failure: failure, read_text: read_text,
    {
        /// Nothing leaves the merged module: it imports nothing.
        fn output(&self) -> Output {
            Output::default()
        }

        fn memory_pages(&self) -> MemoryPages {
            let pages = |memory: &Memory| Some(u64::from(memory.view(&self.store).size().0));
            MemoryPages { producer: pages(&self.memories.0), consumer: pages(&self.memories.1) }
        }
    }
}
