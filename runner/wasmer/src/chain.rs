//! A chain of more than two modules under Wasmer (the `modules` axis): the producer, its relays
//! and the consumer instantiated in one store and linked hop by hop by wasmatrix-core's `Chain`
//! (under `copy` each guest its own memory, the host copying the request into each next guest's
//! buffer; under `shared` one memory all of them import, each at its own place in it). Relays
//! import nothing but the shared memory (chains run in the bare environment, logging off).

use crate::call::{Api, RelayFns};
use crate::engine::Modules;
use crate::environment::Host;
use crate::transport::{copy_guest, heap_base, imported, CopyLink, Linked, SharedLink, Transport};
use anyhow::{Context, Result};
use wasmatrix_core::abi::{check_shared_chain, shared_memory_pages, Role};
use wasmatrix_core::transport::{self, Deliver};
use wasmer::{Imports, Instance, Memory, MemoryType, Pages, Store};

/// `copy` hop by hop.
pub type CopyChain = transport::Chain<CopyLink, RelayFns>;
/// `shared` hop by hop: only (pointer, length) moves.
pub type SharedChain = transport::Chain<SharedLink, RelayFns>;

/// Relay `j` (from 1): the module the job gives it, importing the shared memory if there is one.
fn relay(store: &mut Store, modules: &Modules, which: usize, j: usize, shared: Option<&Memory>) -> Result<Instance> {
    let module = modules.relays.get(which).with_context(|| format!("no module for relay {j}"))?;
    let mut imports = Imports::new();
    if let Some(memory) = shared {
        imports.define("env", "memory", memory.clone());
    }
    Instance::new(store, module, &imports).with_context(|| format!("cannot instantiate relay {j}"))
}

/// The relays in order, each instance with its exports.
fn relays(
    store: &mut Store,
    modules: &Modules,
    relay_of: &[usize],
    shared: Option<&Memory>,
) -> Result<Vec<(Instance, RelayFns)>> {
    let mut relays = Vec::with_capacity(relay_of.len());
    for (j, &which) in (1..).zip(relay_of) {
        let instance = relay(store, modules, which, j, shared)?;
        let fns = RelayFns::new(store, &instance)?;
        relays.push((instance, fns));
    }
    Ok(relays)
}

impl Transport for CopyChain {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store,
        modules: &Modules,
        host: &mut Host<R>,
    ) -> Result<Linked<Self>> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let relays = relays(store, modules, &modules.relay_of, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
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
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store,
        modules: &Modules,
        host: &mut Host<R>,
    ) -> Result<Linked<Self>> {
        // What every guest accepts: the largest minimum, the smallest maximum declared.
        let pages = |t: MemoryType| (u64::from(t.minimum.0), t.maximum.map(|m| u64::from(m.0)));
        let mut limits = shared_memory_pages(
            pages(imported(&modules.producer, "producer")?),
            pages(imported(&modules.consumer, "consumer")?),
        );
        for relay in &modules.relays {
            limits = shared_memory_pages(limits, pages(imported(relay, "relay")?));
        }
        let (minimum, maximum) = limits;
        let ty = MemoryType::new(Pages(minimum as u32), maximum.map(|m| Pages(m as u32)), false);
        let memory = Memory::new(store, ty).context("cannot create the shared memory")?;
        let producer = host.instantiate(store, &modules.producer, Role::Producer, Some(&memory))?;
        let relays = relays(store, modules, &modules.relay_of, Some(&memory))?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, Some(&memory))?;
        let mut relay_ends = Vec::with_capacity(relays.len());
        for (j, (instance, _)) in (1..).zip(&relays) {
            relay_ends.push(heap_base(store, instance, &format!("relay {j}"))?);
        }
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_chain(producer_end, consumer_end, &relay_ends).map_err(anyhow::Error::msg)?;
        let transport = SharedChain::shared(SharedLink { memory }, relays.into_iter().map(|(_, fns)| fns).collect())?;
        Ok(Linked { producer, consumer, transport })
    }
}
