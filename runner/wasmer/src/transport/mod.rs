//! How a message gets from one guest to the other, per value of the `transport` axis. A
//! transport decides how the guests are linked (their memories) and what the host does with a
//! byte range between the calls of a round trip.

mod copy;
mod shared;

pub use copy::CopyLink;
pub use shared::SharedLink;

use crate::engine::Modules;
use crate::environment::Host;
use crate::pair::{Bytes, ConsumerFns, ProducerFns};
use anyhow::Result;
use wasmatrix_core::guests::Failure;
use wasmer::{Instance, Store};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

pub trait Transport: Sized {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link(store: &mut Store, modules: &Modules, host: &mut Host) -> Result<Linked<Self>>;

    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, store: &mut Store, consumer: &ConsumerFns, request: Bytes) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, store: &mut Store, producer: &ProducerFns, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// A packed text in the consumer's (or producer's) memory, for error reports.
    fn consumer_text(&self, store: &Store, packed: u64) -> String;
    fn producer_text(&self, store: &Store, packed: u64) -> String;
}
