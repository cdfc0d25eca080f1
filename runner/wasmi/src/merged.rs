//! Transport `merged` under wasmi: the one module wasm-merge made of both guests and their adapter
//! (two memories; see wasmatrix-core's `merged`), compiled and instantiated as one, in a store
//! whose every memory the cap limits. The module imports nothing (`bare`, logging off only), so
//! its environment is the store's limiter alone; its round trip is wasmatrix-core's `merged_calls!`
//! over wasmi's typed functions.

use crate::call::{failure, read_text, ConsumerFns, MergedChainFns, MergedFns, ProducerFns, RelayFns, RoundTrip};
use crate::limits::Capped;
use anyhow::Context;
use std::path::Path;
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::Pair;
use wasmatrix_core::guests::{Failure, GuestFiles, MemoryPages, Output, Traffic};
use wasmatrix_core::merged::{self, ADAPTER, CONSUMER, CONSUMER_MEMORY};
use wasmatrix_core::runtime::Runtime;
use wasmatrix_core::worker::Job;
use wasmi::{Engine, Instance, Linker, Memory, Module, Store};

/// wasmi running the merged pair.
pub struct WasmiMerged;

impl Runtime for WasmiMerged {
    type Engine = Engine;
    type Code = Module;
    type Precompiled = ();
    type Environment = Capped;
    type Guests = Pair<MergedCalls>;

    fn engine(&self, job: &Job, _compiling: bool) -> Result<Engine, Failure> {
        Ok(crate::engine::engine(job.cell.compiler)?)
    }

    /// The merged module alone: it holds both guests.
    fn compile(&self, engine: &Engine, guests: &GuestFiles) -> Result<Module, Failure> {
        crate::engine::compile_one(engine, guests.merged()?)
    }

    fn precompile(&self, _: &Engine, _: &GuestFiles, _: &Path) -> Result<(), Failure> {
        Err(crate::no_artifacts())
    }

    fn save(&self, (): (), _: &Path) -> Result<u64, Failure> {
        Err(crate::no_artifacts())
    }

    fn load(&self, _: &Engine, _: &Path) -> Result<Module, Failure> {
        Err(crate::no_artifacts())
    }

    fn environment(&self, _: &Engine, job: &Job) -> Result<Capped, Failure> {
        Ok(Capped::new(job.measure.memory_limit_mib))
    }

    fn instantiate(
        &self,
        engine: &Engine,
        limiter: Capped,
        module: &Module,
        job: &Job,
    ) -> Result<Pair<MergedCalls>, Failure> {
        let mut store = Store::new(engine, limiter);
        store.limiter(|limiter| limiter);
        let instance = Linker::<Capped>::new(engine)
            .instantiate_and_start(&mut store, module)
            .context("cannot instantiate the merged module")?;
        Ok(Pair::new(MergedCalls::new(store, &instance, job.cell.call)?, job.cell.call))
    }
}

/// The merged module's exports, as `merged_calls!` calls them.
pub struct MergedCalls {
    store: Store<Capped>,
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
    fn new(store: Store<Capped>, instance: &Instance, call: Call) -> Result<MergedCalls, Failure> {
        let memory = |name: &str| {
            instance
                .get_memory(&store, name)
                .ok_or_else(|| Failure::Error(format!("the merged module exports no memory `{name}`")))
        };
        let memories = (memory("memory")?, memory(CONSUMER_MEMORY)?);
        let relays = merged::relays(
            |name| instance.get_export(&store, name).is_some(),
            |prefix| RelayFns::named(prefix, &store, instance),
        )?;
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
    impl MergedCalls, args: tupled, failure: failure, read_text: read_text,
    {
        /// Nothing leaves the merged module: it imports nothing.
        fn output(&self) -> Output {
            Output::default()
        }

        fn memory_pages(&self) -> MemoryPages {
            let (producer, consumer) = self.memories;
            MemoryPages { producer: Some(producer.size(&self.store)), consumer: Some(consumer.size(&self.store)) }
        }
    }
}
