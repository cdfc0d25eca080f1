//! How a message gets from one guest to the other, per value of the `transport` axis. A
//! transport decides how the guests are linked (their memories) and what the host does with a
//! byte range between the calls of a round trip.
//!
//! A transport's carries take any store: the worker's own (`call = host`), or the one the
//! producer's `env.deliver` import is handed (`call = import`), each compiled on its own.

mod copy;
mod shared;

pub use copy::CopyLink;
pub use shared::SharedLink;

use crate::engine::Modules;
use crate::environment::{Deliver, Host};
use anyhow::Result;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::guests::Failure;
use wasmer::{AsStoreMut, Instance, Memory, Store};

/// Both guests instantiated and linked.
pub struct Linked<T> {
    pub producer: Instance,
    pub consumer: Instance,
    pub transport: T,
}

pub trait Transport: Sized + Send + 'static {
    /// Instantiates both guests in their environment, linked as this transport needs.
    fn link<R: Deliver>(store: &mut Store, modules: &Modules, host: &mut Host<R>) -> Result<Linked<Self>>;

    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, store: &mut impl AsStoreMut, request: Bytes) -> Result<Bytes, Failure>;

    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, store: &mut impl AsStoreMut, reply: Bytes) -> Result<Bytes, Failure>;

    /// Bytes copied between guest memories so far.
    fn copied_bytes(&self) -> u64;

    /// The memory a guest's messages are in, for error reports.
    fn memory(&self, role: Role) -> &Memory;
}
