//! How a message gets from one guest to the other, per value of the `transport` axis. A
//! transport decides how the guests are linked (their memories) and what the host does with a
//! byte range between the calls of a round trip.

mod copy;
mod shared;

pub use copy::CopyLink;
pub use shared::SharedLink;

use crate::engine::Modules;
use crate::environment::{Host, Role};
use crate::pair::Bytes;
use anyhow::Result;
use wasmatrix_core::guests::Failure;
use wasmer::{AsStoreMut, AsStoreRef, Instance, Store, TypedFunction};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

/// Where a transport reads and writes: `&mut Store` (the worker's calls), or the `StoreMut` of
/// the `env.deliver` host function (`call = import`). Each compiled on its own.
pub trait Transport: Sized + Into<Link> {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link(store: &mut Store, modules: &Modules, host: &mut Host) -> Result<Linked<Self>>;

    /// Makes the producer's request readable by the consumer; returns where it now is. `grow` is
    /// the consumer's `request_buffer`.
    fn to_consumer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is. `grow` is the
    /// producer's `reply_buffer`.
    fn to_producer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        reply: Bytes,
    ) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// A packed text in the consumer's (or producer's) memory, for error reports.
    fn consumer_text(&self, store: &impl AsStoreRef, packed: u64) -> String;
    fn producer_text(&self, store: &impl AsStoreRef, packed: u64) -> String;
}

/// Either transport, for the `env.deliver` import (`call = import`), whose state holds it without
/// knowing which: one predictable branch per carry, in that pattern only.
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

    pub fn text(&self, store: &impl AsStoreRef, role: Role, packed: u64) -> String {
        match (self, role) {
            (Link::Copy(link), Role::Producer) => link.producer_text(store, packed),
            (Link::Copy(link), Role::Consumer) => link.consumer_text(store, packed),
            (Link::Shared(link), Role::Producer) => link.producer_text(store, packed),
            (Link::Shared(link), Role::Consumer) => link.consumer_text(store, packed),
        }
    }
}
