//! How a message gets from one guest to the other, per value of the `transport` axis, as under
//! every other runtime: `copy` (each guest its own memory; the host copies bytes into a buffer the
//! receiver allocated once) and `shared` (one host-created memory imported by both guests; only
//! (pointer, length) crosses).

use crate::call::failure;
use crate::engine::Modules;
use crate::environment::{Deliver, Host, HostState};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::guests::Failure;
use wasmtime::{AsContextMut, ExternType, Instance, Memory, MemoryType, Module, Store, TypedFunc, Val};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

/// A transport's carries take any store context: the store (`call = host`), or the `Caller` of the
/// producer's `env.deliver` import (`call = import`), each compiled on its own.
pub trait Transport: Sized + Send + 'static {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link<R: Deliver>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure>;

    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, ctx: impl AsContextMut, request: Bytes) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, ctx: impl AsContextMut, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// The memory a guest's messages are in, for error reports.
    fn memory(&self, role: Role) -> &Memory;
}

/// `copy`: each guest has its own memory.
pub struct CopyLink {
    producer: Inbox,
    consumer: Inbox,
    copied: u64,
}

/// Where one guest receives messages: its memory, the buffer it allocated there (address and
/// capacity), and its export that allocates a larger one (the consumer's `request_buffer`, the
/// producer's `reply_buffer`).
struct Inbox {
    memory: Memory,
    buffer: Bytes,
    allocate: TypedFunc<u32, u32>,
}

impl Inbox {
    fn new<R>(
        store: &mut Store<HostState<R>>,
        instance: &Instance,
        role: Role,
        allocate: &str,
    ) -> Result<Inbox, Failure> {
        let who = role.name();
        let memory = instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| Failure::Error(format!("{who} exports no memory")))?;
        let allocate = instance
            .get_typed_func(&mut *store, allocate)
            .map_err(|e| Failure::Error(format!("{who} lacks an export the harness calls ({allocate}): {e:#}")))?;
        Ok(Inbox { memory, buffer: Bytes::default(), allocate })
    }

    /// Where `len` bytes fit in the buffer, which the guest allocates anew if it is too small.
    #[inline]
    fn room(&mut self, ctx: impl AsContextMut, len: u32) -> Result<u32, Failure> {
        if self.buffer.len < len {
            self.buffer = Bytes { ptr: self.allocate.call(ctx, len).map_err(failure)?, len };
        }
        Ok(self.buffer.ptr)
    }
}

impl CopyLink {
    /// Copies `from` in the sender's memory to the receiver's buffer.
    #[inline]
    fn carry(&mut self, mut ctx: impl AsContextMut, from: Bytes, to_consumer: bool) -> Result<Bytes, Failure> {
        let mut store = ctx.as_context_mut();
        let (source, target) =
            if to_consumer { (&self.producer, &mut self.consumer) } else { (&self.consumer, &mut self.producer) };
        let at = target.room(&mut store, from.len)?;
        // Two memories of one store: read one's bytes, then write the other's, through the host.
        let (start, len) = (from.ptr as usize, from.len as usize);
        let bytes = source
            .memory
            .data(&store)
            .get(start..start + len)
            .ok_or_else(|| Failure::Error("guest handed over bytes outside its memory".into()))?;
        // The one copy: the sender's bytes go straight into the receiver's buffer (a host
        // staging buffer would copy twice, as Wasmer's `MemoryView::read`/`write` do).
        let (src_ptr, dst) = (bytes.as_ptr(), target.memory.data_mut(&mut store));
        let dst = dst
            .get_mut(at as usize..at as usize + len)
            .ok_or_else(|| Failure::Error("receiver's buffer lies outside its memory".into()))?;
        copy_between_memories(src_ptr, dst);
        self.copied += u64::from(from.len);
        Ok(Bytes { ptr: at, len: from.len })
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
    fn link<R: Deliver>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport = CopyLink {
            producer: Inbox::new(store, &producer, Role::Producer, "reply_buffer")?,
            consumer: Inbox::new(store, &consumer, Role::Consumer, "request_buffer")?,
            copied: 0,
        };
        Ok(Linked { producer, consumer, transport })
    }

    #[inline]
    fn to_consumer(&mut self, ctx: impl AsContextMut, request: Bytes) -> Result<Bytes, Failure> {
        self.carry(ctx, request, true)
    }

    #[inline]
    fn to_producer(&mut self, ctx: impl AsContextMut, reply: Bytes) -> Result<Bytes, Failure> {
        self.carry(ctx, reply, false)
    }

    fn copied_bytes(&self) -> u64 {
        self.copied
    }

    fn memory(&self, role: Role) -> &Memory {
        match role {
            Role::Producer => &self.producer.memory,
            Role::Consumer => &self.consumer.memory,
        }
    }
}

/// `shared`: zero copy, one memory both guests import.
pub struct SharedLink {
    memory: Memory,
}

/// The limits, in pages, of the memory a guest that imports `env.memory` declares.
fn imported(module: &Module, who: &str) -> Result<(u64, Option<u64>), Failure> {
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
fn heap_base<R>(store: &mut Store<HostState<R>>, instance: &Instance, who: &str) -> Result<u32, Failure> {
    match instance.get_global(&mut *store, "__heap_base").map(|g| g.get(&mut *store)) {
        Some(Val::I32(v)) => Ok(v as u32),
        _ => {
            Err(Failure::Error(format!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked")))
        }
    }
}

impl Transport for SharedLink {
    fn link<R: Deliver>(
        store: &mut Store<HostState<R>>,
        host: &mut Host<R>,
        modules: &Modules,
    ) -> Result<Linked<Self>, Failure> {
        let (minimum, maximum) =
            shared_memory_pages(imported(&modules.producer, "producer")?, imported(&modules.consumer, "consumer")?);
        let ty = MemoryType::new(
            u32::try_from(minimum).unwrap_or(u32::MAX),
            maximum.map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
        );
        let memory = Memory::new(&mut *store, ty)
            .map_err(|e| Failure::Error(format!("cannot create the shared memory: {e:#}")))?;
        let (m, n) = SHARED_MEMORY_IMPORT;
        for linker in [&mut host.producer, &mut host.consumer] {
            linker
                .define(&mut *store, m, n, memory)
                .map_err(|e| Failure::Error(format!("cannot define the shared memory: {e:#}")))?;
        }
        let producer = host.instantiate(store, &modules.producer, Role::Producer, Some(memory))?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, Some(memory))?;
        let producer_end = heap_base(store, &producer, "producer")?;
        let consumer_end = heap_base(store, &consumer, "consumer")?;
        check_shared_layout(producer_end, consumer_end).map_err(Failure::Error)?;
        Ok(Linked { producer, consumer, transport: SharedLink { memory } })
    }

    #[inline]
    fn to_consumer(&mut self, _: impl AsContextMut, request: Bytes) -> Result<Bytes, Failure> {
        Ok(request)
    }

    #[inline]
    fn to_producer(&mut self, _: impl AsContextMut, reply: Bytes) -> Result<Bytes, Failure> {
        Ok(reply)
    }

    fn copied_bytes(&self) -> u64 {
        0
    }

    fn memory(&self, _: Role) -> &Memory {
        &self.memory
    }
}
