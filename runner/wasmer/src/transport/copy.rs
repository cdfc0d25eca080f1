//! `copy`: each guest has its own memory. The host reads a message out of the sender's memory
//! and writes it into a buffer the receiver allocated once (and grows only for a larger
//! message).

use super::{Linked, Transport};
use crate::call::failure;
use crate::engine::Modules;
use crate::environment::{Deliver, Host};
use anyhow::{Context, Result};
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::guests::Failure;
use wasmer::{AsStoreMut, Instance, Memory, Store, TypedFunction};

pub struct CopyLink {
    producer: Inbox,
    consumer: Inbox,
    /// Host staging buffer, reused.
    scratch: Vec<u8>,
    copied: u64,
}

/// Where one guest receives messages: its memory, the buffer it allocated there (address and
/// capacity), and its export that allocates a larger one (the consumer's `request_buffer`, the
/// producer's `reply_buffer`).
struct Inbox {
    memory: Memory,
    buffer: Bytes,
    allocate: TypedFunction<u32, u32>,
}

impl Inbox {
    fn new(store: &Store, instance: &Instance, role: Role, allocate: &str) -> Result<Inbox> {
        let who = role.name();
        let memory = instance.exports.get_memory("memory").with_context(|| format!("{who} exports no memory"))?;
        Ok(Inbox {
            memory: memory.clone(),
            buffer: Bytes::default(),
            allocate: instance
                .exports
                .get_typed_function(store, allocate)
                .with_context(|| format!("{who} lacks an export the harness calls"))?,
        })
    }

    /// Where `len` bytes fit in the buffer, which the guest allocates anew if it is too small.
    #[inline]
    fn room(&mut self, store: &mut impl AsStoreMut, len: u32) -> Result<u32, Failure> {
        if self.buffer.len < len {
            self.buffer = Bytes { ptr: self.allocate.call(store, len).map_err(failure)?, len };
        }
        Ok(self.buffer.ptr)
    }
}

impl CopyLink {
    /// Copies `from` in the sender's memory to the receiver's buffer.
    #[inline]
    fn carry(&mut self, store: &mut impl AsStoreMut, from: Bytes, to_consumer: bool) -> Result<Bytes, Failure> {
        let (source, target) =
            if to_consumer { (&self.producer, &mut self.consumer) } else { (&self.consumer, &mut self.producer) };
        self.scratch.resize(from.len as usize, 0);
        source
            .memory
            .view(&*store)
            .read(u64::from(from.ptr), &mut self.scratch)
            .map_err(|e| Failure::Error(format!("guest handed over bytes outside its memory: {e}")))?;
        let at = target.room(store, from.len)?;
        target
            .memory
            .view(&*store)
            .write(u64::from(at), &self.scratch)
            .map_err(|e| Failure::Error(format!("receiver's buffer lies outside its memory: {e}")))?;
        self.copied += u64::from(from.len);
        Ok(Bytes { ptr: at, len: from.len })
    }
}

impl Transport for CopyLink {
    fn link<R: Deliver>(store: &mut Store, modules: &Modules, host: &mut Host<R>) -> Result<Linked<Self>> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport = CopyLink {
            producer: Inbox::new(store, &producer, Role::Producer, "reply_buffer")?,
            consumer: Inbox::new(store, &consumer, Role::Consumer, "request_buffer")?,
            scratch: Vec::new(),
            copied: 0,
        };
        Ok(Linked { producer, consumer, transport })
    }

    #[inline]
    fn to_consumer(&mut self, store: &mut impl AsStoreMut, request: Bytes) -> Result<Bytes, Failure> {
        self.carry(store, request, true)
    }

    #[inline]
    fn to_producer(&mut self, store: &mut impl AsStoreMut, reply: Bytes) -> Result<Bytes, Failure> {
        self.carry(store, reply, false)
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
