//! How a message gets from one guest to the other, per value of the `transport` axis. A
//! transport decides how the guests are linked (their memories) and what the host does with a
//! byte range between the calls of a round trip.
//!
//! - `copy`: each guest has its own memory. The host reads a message out of the sender's memory
//!   and writes it into a buffer the receiver allocated once (and grows only for a larger
//!   message).
//! - `shared`: zero copy. The host creates one memory and both guests import it; they are linked
//!   so that their data, stacks and heaps never overlap, so only (pointer, length) crosses the
//!   host.
//!
//! A transport's carries take any store context: the store itself (`call = host`), or the caller
//! of the producer's `env.deliver` import (`call = import`).

use crate::call::failure;
use crate::engine::Modules;
use crate::environment::{Deliver, Host};
use anyhow::{bail, Context, Result};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::guests::Failure;
use wasmi::{AsContextMut, ExternType, Instance, Memory, MemoryType, Module, Store, TypedFunc, Val};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

pub trait Transport: Sized + Send + 'static {
    /// Instantiates both guests in the store's environment, linked as this transport needs.
    fn link<R: Deliver>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>>;

    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, ctx: impl AsContextMut, request: Bytes) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, ctx: impl AsContextMut, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// The memory a guest's messages are in, for error reports.
    fn memory(&self, role: Role) -> &Memory;
}

/// `copy`: each guest's own memory and the buffer it receives messages in.
pub struct CopyLink {
    producer: Inbox,
    consumer: Inbox,
    /// Host staging buffer, reused.
    scratch: Vec<u8>,
    copied: u64,
}

/// Where one guest receives messages under `copy`: its memory, the buffer it allocated there
/// (address and capacity), and its export that allocates a larger one (the consumer's
/// `request_buffer`, the producer's `reply_buffer`).
struct Inbox {
    memory: Memory,
    buffer: Bytes,
    allocate: TypedFunc<u32, u32>,
}

impl Inbox {
    fn new<R>(store: &Store<Host<R>>, instance: &Instance, role: Role, allocate: &str) -> Result<Inbox> {
        let who = role.name();
        Ok(Inbox {
            memory: instance.get_memory(store, "memory").with_context(|| format!("{who} exports no memory"))?,
            buffer: Bytes::default(),
            allocate: instance
                .get_typed_func(store, allocate)
                .with_context(|| format!("{who} lacks an export the harness calls"))?,
        })
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
        let (source, target) =
            if to_consumer { (&self.producer, &mut self.consumer) } else { (&self.consumer, &mut self.producer) };
        self.scratch.resize(from.len as usize, 0);
        source
            .memory
            .read(&ctx, from.ptr as usize, &mut self.scratch)
            .map_err(|e| Failure::Error(format!("guest handed over bytes outside its memory: {e}")))?;
        let at = target.room(&mut ctx, from.len)?;
        target
            .memory
            .write(&mut ctx, at as usize, &self.scratch)
            .map_err(|e| Failure::Error(format!("receiver's buffer lies outside its memory: {e}")))?;
        self.copied += u64::from(from.len);
        Ok(Bytes { ptr: at, len: from.len })
    }
}

impl Transport for CopyLink {
    fn link<R: Deliver>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
        let producer = Host::instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = Host::instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport = CopyLink {
            producer: Inbox::new(store, &producer, Role::Producer, "reply_buffer")?,
            consumer: Inbox::new(store, &consumer, Role::Consumer, "request_buffer")?,
            scratch: Vec::new(),
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

/// `shared`: the one memory both guests import.
pub struct SharedLink {
    memory: Memory,
}

/// The memory type a guest that imports `env.memory` declares.
fn imported(module: &Module, who: &str) -> Result<MemoryType> {
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
fn heap_base<R>(store: &Store<Host<R>>, instance: &Instance, who: &str) -> Result<u32> {
    match instance.get_global(store, "__heap_base").map(|g| g.get(store)) {
        Some(Val::I32(v)) => Ok(v as u32),
        _ => bail!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked"),
    }
}

impl Transport for SharedLink {
    fn link<R: Deliver>(store: &mut Store<Host<R>>, modules: &Modules) -> Result<Linked<Self>> {
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
