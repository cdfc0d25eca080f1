//! `shared`: zero copy. The host creates one memory and both guests import it; they are linked
//! so that their data, stacks and heaps never overlap (see `guests::Layout::Shared`), so only
//! (pointer, length) crosses the host.

use super::{Linked, Transport};
use crate::engine::Modules;
use crate::environment::{Deliver, Host};
use anyhow::{bail, Context, Result};
use wasmatrix_core::abi::{check_shared_layout, shared_memory_pages, Bytes, Role};
use wasmatrix_core::guests::Failure;
use wasmer::{AsStoreMut, Instance, Memory, MemoryType, Module, Pages, Store, Value};

pub struct SharedLink {
    memory: Memory,
}

/// The memory type a guest that imports `env.memory` declares.
fn imported(module: &Module, who: &str) -> Result<MemoryType> {
    module
        .imports()
        .memories()
        .find(|m| m.module() == "env" && m.name() == "memory")
        .map(|m| *m.ty())
        .with_context(|| format!("the {who} does not import env.memory: it was not built for the shared transport"))
}

/// The end of a guest's static data and stack (its exported `__heap_base`).
fn heap_base(store: &mut Store, instance: &Instance, who: &str) -> Result<u32> {
    match instance.exports.get_global("__heap_base").map(|g| g.get(store)) {
        Ok(Value::I32(v)) => Ok(v as u32),
        _ => bail!("the {who} exports no i32 __heap_base, so its memory layout cannot be checked"),
    }
}

impl Transport for SharedLink {
    fn link<R: Deliver>(store: &mut Store, modules: &Modules, host: &mut Host<R>) -> Result<Linked<Self>> {
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

    #[inline]
    fn to_consumer(&mut self, _: &mut impl AsStoreMut, request: Bytes) -> Result<Bytes, Failure> {
        Ok(request)
    }

    #[inline]
    fn to_producer(&mut self, _: &mut impl AsStoreMut, reply: Bytes) -> Result<Bytes, Failure> {
        Ok(reply)
    }

    fn copied_bytes(&self) -> u64 {
        0
    }

    fn memory(&self, _: Role) -> &Memory {
        &self.memory
    }
}
