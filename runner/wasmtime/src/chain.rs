//! A chain of more than two modules under Wasmtime (the `modules` axis): the producer, its relays
//! and the consumer instantiated in one store and linked hop by hop by wasmatrix-core's `Chain`
//! (under `copy` each guest its own memory, the host copying the request into each next guest's
//! buffer; under `shared` one memory all of them import, each at its own place in it). Relays
//! import nothing but the shared memory (chains run in the bare environment, logging off, and are
//! instantiated fresh only: `link_pre` refuses them).

use crate::call::{Api, RelayFns};
use crate::engine::Modules;
use crate::environment::{Host, HostState, Sink};
use crate::transport::{copy_guest, heap_base, imported, shared_memory, CopyLink, Linked, SharedLink, Transport};
use wasmatrix_core::abi::{check_shared_chain, shared_memory_pages, Role};
use wasmatrix_core::guests::Failure;
use wasmatrix_core::transport::{self, Deliver};
use wasmtime::{Extern, Instance, InstancePre, Memory, Store};

/// `copy` hop by hop.
pub type CopyChain = transport::Chain<CopyLink, RelayFns>;
/// `shared` hop by hop: only (pointer, length) moves.
pub type SharedChain = transport::Chain<SharedLink, RelayFns>;

/// The relays in order, each instance with its exports, importing the shared memory if there is
/// one.
fn relays<R>(
    store: &mut Store<HostState<R>>,
    modules: &Modules,
    shared: Option<Memory>,
) -> Result<Vec<(Instance, RelayFns)>, Failure> {
    let imports: Vec<Extern> = shared.into_iter().map(Extern::from).collect();
    let mut relays = Vec::with_capacity(modules.relay_of.len());
    for (j, &which) in (1..).zip(&modules.relay_of) {
        let module = modules.relays.get(which).ok_or_else(|| Failure::Error(format!("no module for relay {j}")))?;
        let instance = Instance::new(&mut *store, module, &imports)
            .map_err(|e| Failure::Error(format!("cannot instantiate relay {j}: {e:#}")))?;
        let fns = RelayFns::new(store, &instance)?;
        relays.push((instance, fns));
    }
    Ok(relays)
}

/// Why a chain has no pre-linked form.
fn no_pre<T>() -> Result<T, Failure> {
    Err(Failure::Error("a chain of modules is instantiated fresh only (see Cell::unsupported)".into()))
}

impl Transport for CopyChain {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let relays = relays(store, modules, None)?;
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

    fn link_pre<R: Deliver<Api> + Send + 'static>(
        _: &mut Store<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: Sink,
    ) -> Result<Linked<Self>, Failure> {
        no_pre()
    }
}

impl Transport for SharedChain {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        // What every guest accepts: the largest minimum, the smallest maximum declared.
        let mut limits =
            shared_memory_pages(imported(&modules.producer, "producer")?, imported(&modules.consumer, "consumer")?);
        for relay in &modules.relays {
            limits = shared_memory_pages(limits, imported(relay, "relay")?);
        }
        let memory = shared_memory(store, host, limits)?;
        let producer = host.instantiate(store, &modules.producer, Role::Producer, Some(memory))?;
        let relays = relays(store, modules, Some(memory))?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, Some(memory))?;
        let mut relay_ends = Vec::with_capacity(relays.len());
        for (j, (instance, _)) in (1..).zip(&relays) {
            relay_ends.push(heap_base(store, instance, &format!("relay {j}"))?);
        }
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_chain(producer_end, consumer_end, &relay_ends).map_err(Failure::Error)?;
        let transport = SharedChain::shared(SharedLink { memory }, relays.into_iter().map(|(_, fns)| fns).collect())?;
        Ok(Linked { producer, consumer, transport })
    }

    fn link_pre<R: Deliver<Api> + Send + 'static>(
        _: &mut Store<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: Sink,
    ) -> Result<Linked<Self>, Failure> {
        no_pre()
    }
}
