//! How a message gets from one guest to the other, per value of the `transport` axis: carried by
//! wasmatrix-core's `transport` (`copy`: each guest its own memory, and the host copies a message
//! into a buffer the receiver allocated; `shared`: one memory both guests import, linked so that
//! their data, stacks and heaps never overlap, and only (pointer, length) crosses). Here, how
//! Wasmer links the guests for each, and copies from one guest's memory into the other's.

use crate::call::{Allocate, Api};
use crate::engine::Modules;
use crate::environment::Host;
use anyhow::{bail, Context, Result};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role};
use wasmatrix_core::guests::Failure;
use wasmatrix_core::transport::{self, Carry, Deliver, Guest, Memories};
use wasmer::{Instance, Memory, MemoryType, Module, Pages, Store, StoreMut, Value};

/// Both guests instantiated and linked.
pub type Linked<T> = transport::Linked<Instance, T>;

/// A transport as Wasmer links it; its carries are wasmatrix-core's.
pub trait Transport: Carry<Api> + Memories<Memory = Memory> + Sized + Send + 'static {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store,
        modules: &Modules,
        host: &mut Host<R>,
    ) -> Result<Linked<Self>>;
}

pub type CopyLink = transport::CopyLink<Memory, Allocate>;
pub type SharedLink = transport::SharedLink<Memory>;

/// A guest under `copy`: its own memory, and its export that allocates a buffer to receive
/// messages in.
pub fn copy_guest(store: &Store, instance: &Instance, role: Role) -> Result<Guest<Memory, Allocate>> {
    let memory = instance.exports.get_memory("memory").with_context(|| format!("{} exports no memory", role.name()))?;
    Ok(Guest { memory: memory.clone(), allocate: Allocate::new(store, instance, role)? })
}

impl transport::Memory<Api> for Memory {
    /// Through the host's staging buffer: Wasmer reads one memory's view into it, then writes it
    /// into the other's.
    #[inline]
    fn copy_to<D: 'static>(
        &self,
        ctx: &mut StoreMut<'_>,
        bytes: Bytes,
        to: &Memory,
        at: u32,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        scratch.resize(bytes.len as usize, 0);
        self.view(&*ctx)
            .read(u64::from(bytes.ptr), scratch)
            .map_err(|e| Failure::Error(format!("guest handed over bytes outside its memory: {e}")))?;
        to.view(&*ctx)
            .write(u64::from(at), scratch)
            .map_err(|e| Failure::Error(format!("receiver's buffer lies outside its memory: {e}")))
    }
}

impl Transport for CopyLink {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store,
        modules: &Modules,
        host: &mut Host<R>,
    ) -> Result<Linked<Self>> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport =
            CopyLink::new(copy_guest(store, &producer, Role::Producer)?, copy_guest(store, &consumer, Role::Consumer)?);
        Ok(Linked { producer, consumer, transport })
    }
}

/// The memory type a guest that imports `env.memory` declares.
pub fn imported(module: &Module, who: &str) -> Result<MemoryType> {
    module
        .imports()
        .memories()
        .find(|m| m.module() == "env" && m.name() == "memory")
        .map(|m| *m.ty())
        .with_context(|| format!("the {who} does not import env.memory: it was not built for the shared transport"))
}

/// The end of a guest's static data and stack (its exported `__heap_base`).
pub fn heap_base(store: &mut Store, instance: &Instance, who: &str) -> Result<u32> {
    match instance.exports.get_global("__heap_base").map(|g| g.get(store)) {
        Ok(Value::I32(v)) => Ok(v as u32),
        _ => bail!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked"),
    }
}

impl Transport for SharedLink {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store,
        modules: &Modules,
        host: &mut Host<R>,
    ) -> Result<Linked<Self>> {
        // What both guests accept: the larger minimum, the smaller maximum if either declares one
        // (emcc's output always does).
        let (p, c) = (imported(&modules.producer, "producer")?, imported(&modules.consumer, "consumer")?);
        let pages = |t: MemoryType| (u64::from(t.minimum.0), t.maximum.map(|m| u64::from(m.0)));
        let (minimum, maximum) = shared_memory_pages(pages(p), pages(c));
        let ty = MemoryType::new(Pages(minimum as u32), maximum.map(|m| Pages(m as u32)), false);
        let memory = Memory::new(store, ty).context("cannot create the shared memory")?;
        let producer = host.instantiate(store, &modules.producer, Role::Producer, Some(&memory))?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, Some(&memory))?;
        // The producer's stack and data lie below SHARED_CONSUMER_BASE, the consumer's above it;
        // both heaps grow the memory at its end, each from fresh pages.
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_layout(producer_end, consumer_end).map_err(anyhow::Error::msg)?;
        Ok(Linked { producer, consumer, transport: SharedLink { memory } })
    }
}
