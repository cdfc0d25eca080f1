//! `copy`: each guest has its own memory. The host reads a message out of the sender's memory
//! and writes it into a buffer the receiver allocated once (and grows only for a larger
//! message).

use super::{Linked, Transport};
use crate::engine::Modules;
use crate::environment::{Host, Role};
use crate::pair::{read_text, Bytes, Trapped};
use anyhow::{Context, Result};
use wasmatrix_core::guests::Failure;
use wasmer::{AsStoreMut, AsStoreRef, Instance, Memory, Store, TypedFunction};

pub struct CopyLink {
    producer_memory: Memory,
    consumer_memory: Memory,
    /// Host staging buffer, reused.
    scratch: Vec<u8>,
    /// The receivers' buffers: (address, capacity).
    request_buffer: Bytes,
    reply_buffer: Bytes,
    copied: u64,
}

fn own_memory(instance: &Instance, who: &str) -> Result<Memory> {
    Ok(instance.exports.get_memory("memory").with_context(|| format!("{who} exports no memory"))?.clone())
}

impl CopyLink {
    /// Copies `from` in `source` to a buffer of the receiver, growing that buffer if needed.
    fn carry(
        &mut self,
        store: &mut impl AsStoreMut,
        from: Bytes,
        to_consumer: bool,
        grow: &TypedFunction<u32, u32>,
    ) -> Result<Bytes, Failure> {
        let (source, target, buffer) = if to_consumer {
            (&self.producer_memory, &self.consumer_memory, &mut self.request_buffer)
        } else {
            (&self.consumer_memory, &self.producer_memory, &mut self.reply_buffer)
        };
        let len = from.len as usize;
        self.scratch.resize(len, 0);
        source
            .view(&*store)
            .read(u64::from(from.ptr), &mut self.scratch)
            .map_err(|e| Failure::Error(format!("guest handed over bytes outside its memory: {e}")))?;
        if buffer.len < from.len {
            *buffer = Bytes { ptr: grow.call(store, from.len).trapped()?, len: from.len };
        }
        target
            .view(&*store)
            .write(u64::from(buffer.ptr), &self.scratch)
            .map_err(|e| Failure::Error(format!("receiver's buffer lies outside its memory: {e}")))?;
        self.copied += u64::from(from.len);
        Ok(Bytes { ptr: buffer.ptr, len: from.len })
    }
}

impl Transport for CopyLink {
    fn link(store: &mut Store, modules: &Modules, host: &mut Host) -> Result<Linked<Self>> {
        let producer = host.instantiate(store, &modules.producer, Role::Producer, None)?;
        let consumer = host.instantiate(store, &modules.consumer, Role::Consumer, None)?;
        let transport = CopyLink {
            producer_memory: own_memory(&producer, "producer")?,
            consumer_memory: own_memory(&consumer, "consumer")?,
            scratch: Vec::new(),
            request_buffer: Bytes { ptr: 0, len: 0 },
            reply_buffer: Bytes { ptr: 0, len: 0 },
            copied: 0,
        };
        Ok(Linked { producer, consumer, transport })
    }

    #[inline]
    fn to_consumer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        self.carry(store, request, true, grow)
    }

    #[inline]
    fn to_producer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        reply: Bytes,
    ) -> Result<Bytes, Failure> {
        self.carry(store, reply, false, grow)
    }

    fn copied_bytes(&self) -> u64 {
        self.copied
    }

    fn consumer_text(&self, store: &impl AsStoreRef, packed: u64) -> String {
        read_text(store, &self.consumer_memory, packed)
    }

    fn producer_text(&self, store: &impl AsStoreRef, packed: u64) -> String {
        read_text(store, &self.producer_memory, packed)
    }
}
