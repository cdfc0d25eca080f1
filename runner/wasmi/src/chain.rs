//! A chain of more than two modules under wasmi (the `modules` axis): the producer, its relays and
//! the consumer instantiated in one store and linked hop by hop by wasmatrix-core's `Chain` (under
//! `copy` each guest its own memory, the host copying the request into each next guest's buffer;
//! under `shared` one memory all of them import, each at its own place in it). Relays import
//! nothing but the shared memory (chains run in the bare environment, logging off).

use crate::call::{Api, RelayFns};
use crate::engine::Modules;
use crate::environment::Host;
use crate::transport::{copy_guest, heap_base, imported, CopyLink, Linked, SharedLink, Transport};
use anyhow::{Context, Result};
use wasmatrix_core::abi::{check_shared_chain, shared_memory_pages, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::transport::{self, Deliver};
use wasmi::{Instance, Linker, Memory, MemoryType, Store};

/// `copy` hop by hop.
pub type CopyChain = transport::Chain<CopyLink, RelayFns>;
/// `shared` hop by hop: only (pointer, length) moves.
pub type SharedChain = transport::Chain<SharedLink, RelayFns>;

/// The relays in order, each instance with its exports, importing the shared memory if there is
/// one.
fn relays<R>(
    store: &mut Store<Host<R>>,
    modules: &Modules,
    shared: Option<Memory>,
) -> Result<Vec<(Instance, RelayFns)>> {
    let mut linker = Linker::<Host<R>>::new(store.engine());
    if let Some(memory) = shared {
        let (module, name) = SHARED_MEMORY_IMPORT;
        linker.define(module, name, memory)?;
    }
    let mut relays = Vec::with_capacity(modules.relay_of.len());
    for (j, &which) in (1..).zip(&modules.relay_of) {
        let module = modules.relays.get(which).with_context(|| format!("no module for relay {j}"))?;
        let instance = linker
            .instantiate_and_start(&mut *store, module)
            .with_context(|| format!("cannot instantiate relay {j}"))?;
        let fns = RelayFns::new(store, &instance)?;
        relays.push((instance, fns));
    }
    Ok(relays)
}

impl Transport for CopyChain {
    fn link<R: Deliver<Api> + Send + 'static>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
        let producer = Host::instantiate(store, &modules.producer, Role::Producer, None)?;
        let relays = relays(store, modules, None)?;
        let consumer = Host::instantiate(store, &modules.consumer, Role::Consumer, None)?;
        // A relay receives as a consumer does, into the buffer its `request_buffer` allocates.
        let mut guests = vec![copy_guest(store, &producer, Role::Producer)?];
        for (instance, _) in &relays {
            guests.push(copy_guest(store, instance, Role::Consumer)?);
        }
        guests.push(copy_guest(store, &consumer, Role::Consumer)?);
        let transport = CopyChain::copy(&guests, relays.into_iter().map(|(_, fns)| fns).collect())?;
        Ok(Linked { producer, consumer, transport })
    }
}

impl Transport for SharedChain {
    fn link<R: Deliver<Api> + Send + 'static>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
        // What every guest accepts: the largest minimum, the smallest maximum declared.
        let pages = |t: MemoryType| (t.minimum(), t.maximum());
        let mut limits = shared_memory_pages(
            pages(imported(&modules.producer, "producer")?),
            pages(imported(&modules.consumer, "consumer")?),
        );
        for relay in &modules.relays {
            limits = shared_memory_pages(limits, pages(imported(relay, "relay")?));
        }
        let mut ty = MemoryType::builder();
        ty.min(limits.0).max(limits.1);
        let ty = ty.build().context("the guests' env.memory imports admit no common memory")?;
        let memory = Memory::new(&mut *store, ty).context("cannot create the shared memory")?;
        let producer = Host::instantiate(store, &modules.producer, Role::Producer, Some(memory))?;
        let relays = relays(store, modules, Some(memory))?;
        let consumer = Host::instantiate(store, &modules.consumer, Role::Consumer, Some(memory))?;
        let relay_ends = (1..)
            .zip(&relays)
            .map(|(j, (instance, _))| heap_base(store, instance, &format!("relay {j}")))
            .collect::<Result<Vec<_>>>()?;
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_chain(producer_end, consumer_end, &relay_ends).map_err(anyhow::Error::msg)?;
        let transport = SharedChain::shared(SharedLink { memory }, relays.into_iter().map(|(_, fns)| fns).collect())?;
        Ok(Linked { producer, consumer, transport })
    }
}
