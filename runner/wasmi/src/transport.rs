//! How a message gets from one guest to the other, per value of the `transport` axis: carried by
//! wasmatrix-core's `transport` (`copy`: each guest its own memory, and the host copies a message
//! into a buffer the receiver allocated; `shared`: one memory both guests import, linked so that
//! their data, stacks and heaps never overlap, and only (pointer, length) crosses). Here, how wasmi
//! links the guests for each, and copies from one guest's memory into the other's.

use crate::call::{Allocate, Api};
use crate::engine::Modules;
use crate::environment::Host;
use anyhow::{bail, Context, Result};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::guests::Failure;
use wasmatrix_core::transport::{self, Carry, Deliver, Guest, Memories};
use wasmi::{ExternType, Instance, Memory, MemoryType, Module, Store, StoreContextMut, Val};

/// Both guests instantiated and linked.
pub type Linked<T> = transport::Linked<Instance, T>;

/// A transport as wasmi links it; its carries are wasmatrix-core's.
pub trait Transport: Carry<Api> + Memories<Memory = Memory> + Sized + Send + 'static {
    /// Instantiates both guests in the store's environment, linked as this transport needs.
    fn link<R: Deliver<Api> + Send + 'static>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>>;
}

pub type CopyLink = transport::CopyLink<Memory, Allocate>;
pub type SharedLink = transport::SharedLink<Memory>;

/// A guest under `copy`: its own memory, and its export that allocates a buffer to receive
/// messages in.
pub fn copy_guest<R>(store: &Store<Host<R>>, instance: &Instance, role: Role) -> Result<Guest<Memory, Allocate>> {
    let memory = instance.get_memory(store, "memory").with_context(|| format!("{} exports no memory", role.name()))?;
    Ok(Guest { memory, allocate: Allocate::new(store, instance, role)? })
}

impl transport::Memory<Api> for Memory {
    /// Through the host's staging buffer: wasmi reads one memory into it, then writes it into the
    /// other.
    #[inline]
    fn copy_to<D: 'static>(
        &self,
        ctx: &mut StoreContextMut<'_, D>,
        bytes: Bytes,
        to: &Memory,
        at: u32,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        scratch.resize(bytes.len as usize, 0);
        self.read(&*ctx, bytes.ptr as usize, scratch)
            .map_err(|e| Failure::Error(format!("guest handed over bytes outside its memory: {e}")))?;
        to.write(&mut *ctx, at as usize, scratch)
            .map_err(|e| Failure::Error(format!("receiver's buffer lies outside its memory: {e}")))
    }
}

impl Transport for CopyLink {
    fn link<R: Deliver<Api> + Send + 'static>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
        let producer = Host::instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = Host::instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport =
            CopyLink::new(copy_guest(store, &producer, Role::Producer)?, copy_guest(store, &consumer, Role::Consumer)?);
        Ok(Linked { producer, consumer, transport })
    }
}

/// The memory type a guest that imports `env.memory` declares.
pub fn imported(module: &Module, who: &str) -> Result<MemoryType> {
    let (module_name, name) = SHARED_MEMORY_IMPORT;
    module
        .imports()
        .find(|i| i.module() == module_name && i.name() == name)
        .and_then(|i| match i.ty() {
            ExternType::Memory(ty) => Some(*ty),
            _ => None,
        })
        .with_context(|| format!("the {who} does not import env.memory: it was not built for the shared transport"))
}

/// The end of a guest's static data and stack (its exported `__heap_base`).
pub fn heap_base<R>(store: &Store<Host<R>>, instance: &Instance, who: &str) -> Result<u32> {
    match instance.get_global(store, "__heap_base").map(|g| g.get(store)) {
        Some(Val::I32(v)) => Ok(v as u32),
        _ => bail!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked"),
    }
}

impl Transport for SharedLink {
    fn link<R: Deliver<Api> + Send + 'static>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
        // What both guests accept: the larger minimum, the smaller maximum if either declares one
        // (emcc's output always does).
        let (p, c) = (imported(&modules.producer, "producer")?, imported(&modules.consumer, "consumer")?);
        let pages = |t: MemoryType| (t.minimum(), t.maximum());
        let (minimum, maximum) = shared_memory_pages(pages(p), pages(c));
        let mut ty = MemoryType::builder();
        ty.min(minimum).max(maximum);
        let ty = ty.build().context("the guests' env.memory imports admit no common memory")?;
        let memory = Memory::new(&mut *store, ty).context("cannot create the shared memory")?;
        let producer = Host::instantiate(store, &modules.producer, Role::Producer, Some(memory))?;
        let consumer = Host::instantiate(store, &modules.consumer, Role::Consumer, Some(memory))?;
        // The producer's stack and data lie below SHARED_CONSUMER_BASE, the consumer's above it;
        // both heaps grow the memory at its end, each from fresh pages.
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_layout(producer_end, consumer_end).map_err(anyhow::Error::msg)?;
        Ok(Linked { producer, consumer, transport: SharedLink { memory } })
    }
}
