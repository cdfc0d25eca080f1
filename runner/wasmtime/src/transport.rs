//! How a message gets from one guest to the other, per value of the `transport` axis: carried by
//! wasmatrix-core's `transport` (`copy`: each guest its own memory, and the host copies a message
//! into a buffer the receiver allocated; `shared`: one memory both guests import, and only
//! (pointer, length) crosses). Here, how Wasmtime links the guests for each, and copies from one
//! guest's memory into the other's.

use crate::call::{Allocate, Api};
use crate::engine::Modules;
use crate::environment::{Host, HostState, Sink};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::guests::Failure;
use wasmatrix_core::transport::{self, Carry, Deliver, Guest, Memories};
use wasmtime::{ExternType, Instance, InstancePre, Memory, MemoryType, Module, Store, StoreContextMut, Val};

/// Both guests instantiated and linked.
pub type Linked<T> = transport::Linked<Instance, T>;

/// A transport as Wasmtime links it; its carries are wasmatrix-core's.
pub trait Transport: Carry<Api> + Memories<Memory = Memory> + Sized + Send + 'static {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure>;

    /// Instantiates both guests from their pre-linked forms (`instantiate = pre`, `pooled`).
    fn link_pre<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        producer: &InstancePre<HostState<R>>,
        consumer: &InstancePre<HostState<R>>,
        sink: Sink,
    ) -> Result<Linked<Self>, Failure>;
}

/// One guest instantiated from its pre-linked form, and started.
fn instantiate_pre<R>(
    store: &mut Store<HostState<R>>,
    pre: &InstancePre<HostState<R>>,
    role: Role,
    sink: Sink,
) -> Result<Instance, Failure> {
    let instance = pre
        .instantiate(&mut *store)
        .map_err(|e| Failure::Error(format!("cannot instantiate the {}: {e:#}", role.name())))?;
    sink.started(store, instance, role, None)
}

pub type CopyLink = transport::CopyLink<Memory, Allocate>;
pub type SharedLink = transport::SharedLink<Memory>;

/// A guest under `copy`: its own memory, and its export that allocates a buffer to receive
/// messages in.
pub fn copy_guest<R>(
    store: &mut Store<HostState<R>>,
    instance: &Instance,
    role: Role,
) -> Result<Guest<Memory, Allocate>, Failure> {
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| Failure::Error(format!("{} exports no memory", role.name())))?;
    Ok(Guest { memory, allocate: Allocate::new(store, instance, role)? })
}

impl transport::Memory<Api> for Memory {
    /// The one copy: the sender's bytes go straight into the receiver's buffer (a host staging
    /// buffer would copy twice, as Wasmer's `MemoryView::read`/`write` do).
    #[inline]
    fn copy_to<D: 'static>(
        &self,
        ctx: &mut StoreContextMut<'_, D>,
        bytes: Bytes,
        to: &Memory,
        at: u32,
        _: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        // Two memories of one store: read one's bytes, then write the other's, through the host.
        let (start, len) = (bytes.ptr as usize, bytes.len as usize);
        let from = self
            .data(&*ctx)
            .get(start..start + len)
            .ok_or_else(|| Failure::Error("guest handed over bytes outside its memory".into()))?;
        let (src_ptr, dst) = (from.as_ptr(), to.data_mut(&mut *ctx));
        let dst = dst
            .get_mut(at as usize..at as usize + len)
            .ok_or_else(|| Failure::Error("receiver's buffer lies outside its memory".into()))?;
        copy_between_memories(src_ptr, dst);
        Ok(())
    }
}

/// Copies `dst.len()` bytes from `src` (another memory of the same store) into `dst`.
#[allow(unsafe_code)]
#[inline]
fn copy_between_memories(src: *const u8, dst: &mut [u8]) {
    // SAFETY: `src` points at `dst.len()` bytes of the sender's memory, checked in bounds just
    // before; the two memories are distinct (`copy` gives each guest its own), so the ranges do not
    // overlap; no guest runs and no memory grows between the check and this copy (the store is
    // borrowed mutably by the caller throughout).
    unsafe { std::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), dst.len()) }
}

impl Transport for CopyLink {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        copy_linked(store, producer, consumer)
    }

    fn link_pre<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        producer: &InstancePre<HostState<R>>,
        consumer: &InstancePre<HostState<R>>,
        sink: Sink,
    ) -> Result<Linked<Self>, Failure> {
        let producer = instantiate_pre(store, producer, Role::Producer, sink)?;
        let consumer = instantiate_pre(store, consumer, Role::Consumer, sink)?;
        copy_linked(store, producer, consumer)
    }
}

/// Both guests, once instantiated (from linkers or pre-linked forms), linked by `copy`.
fn copy_linked<R>(
    store: &mut Store<HostState<R>>,
    producer: Instance,
    consumer: Instance,
) -> Result<Linked<CopyLink>, Failure> {
    let transport =
        CopyLink::new(copy_guest(store, &producer, Role::Producer)?, copy_guest(store, &consumer, Role::Consumer)?);
    Ok(Linked { producer, consumer, transport })
}

/// The limits, in pages, of the memory a guest that imports `env.memory` declares.
pub fn imported(module: &Module, who: &str) -> Result<(u64, Option<u64>), Failure> {
    let (m, n) = SHARED_MEMORY_IMPORT;
    module
        .imports()
        .find(|i| i.module() == m && i.name() == n)
        .and_then(|i| match i.ty() {
            ExternType::Memory(ty) => Some((ty.minimum(), ty.maximum())),
            _ => None,
        })
        .ok_or_else(|| {
            Failure::Error(format!("the {who} does not import {m}.{n}: it was not built for the shared transport"))
        })
}

/// The end of a guest's static data and stack (its exported `__heap_base`).
pub fn heap_base<R>(store: &mut Store<HostState<R>>, instance: &Instance, who: &str) -> Result<u32, Failure> {
    match instance.get_global(&mut *store, "__heap_base").map(|g| g.get(&mut *store)) {
        Some(Val::I32(v)) => Ok(v as u32),
        _ => {
            Err(Failure::Error(format!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked")))
        }
    }
}

/// The memory the guests share, of `(minimum, maximum)` pages, defined in both guests' linkers.
pub fn shared_memory<R>(
    store: &mut Store<HostState<R>>,
    host: &mut Host<R>,
    (minimum, maximum): (u64, Option<u64>),
) -> Result<Memory, Failure> {
    let ty = MemoryType::new(
        u32::try_from(minimum).unwrap_or(u32::MAX),
        maximum.map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
    );
    let memory =
        Memory::new(&mut *store, ty).map_err(|e| Failure::Error(format!("cannot create the shared memory: {e:#}")))?;
    let (m, n) = SHARED_MEMORY_IMPORT;
    for linker in [&mut host.producer, &mut host.consumer] {
        linker
            .define(&mut *store, m, n, memory)
            .map_err(|e| Failure::Error(format!("cannot define the shared memory: {e:#}")))?;
    }
    Ok(memory)
}

impl Transport for SharedLink {
    fn link<R: Deliver<Api> + Send + 'static>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        let limits =
            shared_memory_pages(imported(&modules.producer, "producer")?, imported(&modules.consumer, "consumer")?);
        let memory = shared_memory(store, host, limits)?;
        let producer = host.instantiate(store, &modules.producer, Role::Producer, Some(memory))?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, Some(memory))?;
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_layout(producer_end, consumer_end).map_err(Failure::Error)?;
        Ok(Linked { producer, consumer, transport: SharedLink { memory } })
    }

    /// Refused: the memory both guests import is made per store, and an `InstancePre` holds its
    /// imports (see `Cell::unsupported`; `prepare` refuses such cells first).
    fn link_pre<R: Deliver<Api> + Send + 'static>(
        _: &mut Store<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: &InstancePre<HostState<R>>,
        _: Sink,
    ) -> Result<Linked<Self>, Failure> {
        Err(Failure::Error("the shared transport has no pre-linked pair under Wasmtime (see Cell::unsupported)".into()))
    }
}
