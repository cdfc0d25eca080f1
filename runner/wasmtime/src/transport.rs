//! How a message gets from one guest to the other, per value of the `transport` axis, as under
//! every other runtime: `copy` (each guest its own memory; the host copies bytes into a buffer the
//! receiver allocated once) and `shared` (one host-created memory imported by both guests; only
//! (pointer, length) crosses).

use crate::engine::Modules;
use crate::host::{Host, HostState};
use crate::pair::{read_text, Trapped};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::guests::Failure;
use wasmtime::{AsContext, AsContextMut, ExternType, Instance, Memory, MemoryType, Module, Store, TypedFunc, Val};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

/// The store, or the `Caller` of a host function: where a transport reads and writes.
pub trait Ctx: AsContextMut<Data = HostState> {}
impl<C: AsContextMut<Data = HostState>> Ctx for C {}

pub trait Transport: Sized + Into<Link> {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link(store: &mut Store<HostState>, host: &mut Host, modules: &Modules) -> Result<Linked<Self>, Failure>;

    /// Makes the producer's request readable by the consumer; returns where it now is. `grow` is
    /// the consumer's `request_buffer`.
    fn to_consumer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, request: Bytes)
        -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is. `grow` is
    /// the producer's `reply_buffer`.
    fn to_producer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// A packed text in the consumer's (or producer's) memory, for error reports.
    fn consumer_text(&self, store: impl AsContext, packed: u64) -> String;
    fn producer_text(&self, store: impl AsContext, packed: u64) -> String;
}

/// Either transport, for the `env.deliver` import (`call = import`), which the store's state
/// holds without knowing which: one predictable branch per carry, in that pattern only.
pub enum Link {
    Copy(CopyLink),
    Shared(SharedLink),
}

impl From<CopyLink> for Link {
    fn from(link: CopyLink) -> Link {
        Link::Copy(link)
    }
}

impl From<SharedLink> for Link {
    fn from(link: SharedLink) -> Link {
        Link::Shared(link)
    }
}

impl Link {
    pub fn copied_bytes(&self) -> u64 {
        match self {
            Link::Copy(link) => link.copied_bytes(),
            Link::Shared(link) => link.copied_bytes(),
        }
    }

    pub fn text(&self, store: impl AsContext, role: Role, packed: u64) -> String {
        match (self, role) {
            (Link::Copy(link), Role::Producer) => link.producer_text(store, packed),
            (Link::Copy(link), Role::Consumer) => link.consumer_text(store, packed),
            (Link::Shared(link), Role::Producer) => link.producer_text(store, packed),
            (Link::Shared(link), Role::Consumer) => link.consumer_text(store, packed),
        }
    }
}

/// `copy`: each guest has its own memory.
pub struct CopyLink {
    producer_memory: Memory,
    consumer_memory: Memory,
    /// The receivers' buffers: (address, capacity).
    request_buffer: Bytes,
    reply_buffer: Bytes,
    copied: u64,
}

fn own_memory(store: &mut Store<HostState>, instance: &Instance, who: &str) -> Result<Memory, Failure> {
    instance.get_memory(&mut *store, "memory").ok_or_else(|| Failure::Error(format!("{who} exports no memory")))
}

impl CopyLink {
    /// Copies `from` in the sender's memory to a buffer of the receiver, growing that buffer if
    /// needed.
    #[inline]
    fn carry(
        &mut self,
        ctx: &mut impl Ctx,
        from: Bytes,
        to_consumer: bool,
        grow: &TypedFunc<u32, u32>,
    ) -> Result<Bytes, Failure> {
        let mut store = ctx.as_context_mut();
        let buffer = if to_consumer { &mut self.request_buffer } else { &mut self.reply_buffer };
        if buffer.len < from.len {
            *buffer = Bytes { ptr: grow.call(&mut store, from.len).trapped()?, len: from.len };
        }
        let to = *buffer;
        let (source, target) = if to_consumer {
            (self.producer_memory, self.consumer_memory)
        } else {
            (self.consumer_memory, self.producer_memory)
        };
        // Two memories of one store: read one's bytes, then write the other's, through the host.
        let (start, len) = (from.ptr as usize, from.len as usize);
        let bytes = source
            .data(&store)
            .get(start..start + len)
            .ok_or_else(|| Failure::Error("guest handed over bytes outside its memory".into()))?;
        // The one copy: the sender's bytes go straight into the receiver's buffer (a host
        // staging buffer would copy twice, as Wasmer's `MemoryView::read`/`write` do).
        let (src_ptr, dst) = (bytes.as_ptr(), target.data_mut(&mut store));
        let dst = dst
            .get_mut(to.ptr as usize..to.ptr as usize + len)
            .ok_or_else(|| Failure::Error("receiver's buffer lies outside its memory".into()))?;
        copy_between_memories(src_ptr, dst);
        self.copied += u64::from(from.len);
        Ok(Bytes { ptr: to.ptr, len: from.len })
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
    fn link(store: &mut Store<HostState>, host: &mut Host, modules: &Modules) -> Result<Linked<Self>, Failure> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport = CopyLink {
            producer_memory: own_memory(store, &producer, "producer")?,
            consumer_memory: own_memory(store, &consumer, "consumer")?,
            request_buffer: Bytes::default(),
            reply_buffer: Bytes::default(),
            copied: 0,
        };
        Ok(Linked { producer, consumer, transport })
    }

    #[inline]
    fn to_consumer(
        &mut self,
        ctx: &mut impl Ctx,
        grow: &TypedFunc<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        self.carry(ctx, request, true, grow)
    }

    #[inline]
    fn to_producer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure> {
        self.carry(ctx, reply, false, grow)
    }

    fn copied_bytes(&self) -> u64 {
        self.copied
    }

    fn consumer_text(&self, store: impl AsContext, packed: u64) -> String {
        read_text(store, &self.consumer_memory, packed)
    }

    fn producer_text(&self, store: impl AsContext, packed: u64) -> String {
        read_text(store, &self.producer_memory, packed)
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
fn heap_base(store: &mut Store<HostState>, instance: &Instance, who: &str) -> Result<u32, Failure> {
    match instance.get_global(&mut *store, "__heap_base").map(|g| g.get(&mut *store)) {
        Some(Val::I32(v)) => Ok(v as u32),
        _ => {
            Err(Failure::Error(format!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked")))
        }
    }
}

impl Transport for SharedLink {
    fn link(store: &mut Store<HostState>, host: &mut Host, modules: &Modules) -> Result<Linked<Self>, Failure> {
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
    fn to_consumer(&mut self, _: &mut impl Ctx, _: &TypedFunc<u32, u32>, request: Bytes) -> Result<Bytes, Failure> {
        Ok(request)
    }

    #[inline]
    fn to_producer(&mut self, _: &mut impl Ctx, _: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure> {
        Ok(reply)
    }

    fn copied_bytes(&self) -> u64 {
        0
    }

    fn consumer_text(&self, store: impl AsContext, packed: u64) -> String {
        read_text(store, &self.memory, packed)
    }

    fn producer_text(&self, store: impl AsContext, packed: u64) -> String {
        read_text(store, &self.memory, packed)
    }
}
